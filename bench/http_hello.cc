// Ad hoc throughput check of the HTTP core: serves GET /api/v1/hello (a trivial JSON handler)
// until SIGINT/SIGTERM. Built as build/bench/http_hello; results in docs/performance.md.
//   build/bench/http_hello 8099 [static_dir] &
//   wrk -t2 -c64 -d10s http://127.0.0.1:8099/api/v1/hello
#include <cstdlib>
#include <iostream>

#include "http/http.h"

int main(int argc, char** argv) {
  hukou::http::Router router;
  router.Add("GET", "/api/v1/hello", [](const hukou::http::Request&) {
    return hukou::http::Json({{"hello", "世界"}});
  });
  hukou::http::ServerOptions options;
  options.port = argc > 1 ? std::atoi(argv[1]) : 8099;
  if (argc > 2) options.static_dir = argv[2];
  hukou::http::Server server(options, router);
  hukou::Status status = server.Start();
  if (!status.ok()) {
    std::cerr << status.error().message << "\n";
    return 1;
  }
  server.Wait();
  return 0;
}
