#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/http.h"
#include "http/metrics.h"

namespace hukou::http {
namespace {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names; last value wins
  std::vector<std::string> set_cookies;
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body); }
};

// A minimal blocking HTTP/1.1 client over one TCP connection (POSIX sockets), so that tests
// see exactly what goes over the wire, including connection reuse.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    timeval timeout{10, 0};  // a broken server fails the test instead of hanging it
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      close(fd_);
      throw std::runtime_error("connect");
    }
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool SendRaw(std::string_view data) {
    while (!data.empty()) {
      const ssize_t sent = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Sends one request (keep-alive) and reads its response; nullopt if the connection closed.
  std::optional<ClientResponse> Call(const std::string& method, const std::string& target,
                                     const std::string& body = "",
                                     const std::string& extra_headers = "") {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
                          extra_headers + "Content-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
    if (!SendRaw(request)) return std::nullopt;
    return Read();
  }

  std::optional<ClientResponse> Read() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    ClientResponse response;
    std::string head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    response.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string line =
          head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(line.find_first_not_of(' ', colon + 1));
      if (name == "set-cookie") response.set_cookies.push_back(value);
      response.headers[name] = value;
    }
    const size_t length = std::stoul(response.headers["content-length"]);
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True when the server closed the connection (EOF or reset) without sending anything more.
  bool ClosedByServer() {
    char byte;
    const ssize_t n = recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[16384];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/v1/hello", [](const Request&) { return Json({{"hello", "世界"}}); });
    router_.Add("GET", "/api/v1/items/{id}", [](const Request& request) {
      return Json({{"id", request.Param("id")},
                   {"q", request.Query("q")},
                   {"agent", request.Header("User-Agent")},
                   {"session", request.Cookie("hukou_session").value_or("")},
                   {"remote", request.remote}});
    });
    router_.Add("POST", "/api/v1/echo", [](const Request& request) {
      Result<nlohmann::json> body = ParseJsonBody(request);
      if (!body.ok()) return ErrorResponse(body.error());
      return Json({{"got", *body}}, 201);
    });
    router_.Add("POST", "/api/v1/login", [](const Request&) {
      Response response = Json({{"ok", true}});
      response.headers.emplace_back("Set-Cookie", "hukou_session=abc; HttpOnly; Path=/");
      response.headers.emplace_back("Set-Cookie", "theme=dark; Path=/");
      return response;
    });
    router_.Add("GET", "/api/v1/throw",
                [](const Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Add("GET", "/api/v1/deferred", [this](const Request&) {
      Response response = Json({{"deferred", true}});
      response.before_send = [this](Response::Continuation done) {
        std::lock_guard lock(deferred_mu_);
        deferred_.push_back(std::move(done));
        deferred_cv_.notify_all();
      };
      return response;
    });
    router_.Add("GET", "/api/v1/block", [this](const Request&) {
      blocked_.set_value();
      release_.wait();
      return Json({{"released", true}});
    });
  }

  std::unique_ptr<Server> StartServer(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    options.metrics = &metrics_;
    if (options.threads == 0) options.threads = 2;
    auto server = std::make_unique<Server>(options, router_);
    Status status = server->Start();
    EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
    EXPECT_GT(server->port(), 0);
    return server;
  }

  // Waits until `n` deferred responses wait for their step, and takes their continuations.
  std::vector<Response::Continuation> TakeDeferred(size_t n) {
    std::unique_lock lock(deferred_mu_);
    deferred_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return deferred_.size() >= n; });
    return std::exchange(deferred_, {});
  }

  Router router_;
  Metrics metrics_;
  std::mutex deferred_mu_;
  std::condition_variable deferred_cv_;
  std::vector<Response::Continuation> deferred_;  // steps of /api/v1/deferred not yet finished
  std::promise<void> blocked_;
  std::shared_future<void> release_;
};

TEST_F(ServerTest, GetJson) {
  auto server = StartServer();
  Client client(server->port());
  auto response = client.Call("GET", "/api/v1/hello");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers["content-type"], "application/json; charset=utf-8");
  EXPECT_EQ(response->Json()["hello"], "世界");
}

TEST_F(ServerTest, ConvertsParamsQueryHeadersCookiesAndRemote) {
  auto server = StartServer();
  Client client(server->port());
  auto response =
      client.Call("GET", "/api/v1/items/%E5%BC%A0%E4%B8%89?q=a+b%26c", "",
                  "User-Agent: test-agent\r\nCookie: theme=dark; hukou_session=s3cret\r\n");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  nlohmann::json body = response->Json();
  EXPECT_EQ(body["id"], "张三");
  EXPECT_EQ(body["q"], "a b&c");
  EXPECT_EQ(body["agent"], "test-agent");
  EXPECT_EQ(body["session"], "s3cret");
  EXPECT_EQ(body["remote"], "127.0.0.1");
}

TEST_F(ServerTest, BadlyEncodedTargetIs400) {
  auto server = StartServer();
  Client client(server->port());
  auto response = client.Call("GET", "/api/v1/items/%FF");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Json()["error"]["code"], "request.target");
}

TEST_F(ServerTest, PostBodyAndInvalidJson) {
  auto server = StartServer();
  Client client(server->port());
  auto created = client.Call("POST", "/api/v1/echo", R"({"name":"王𠀀"})",
                             "Content-Type: application/json\r\n");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->Json()["got"]["name"], "王𠀀");

  auto invalid = client.Call("POST", "/api/v1/echo", "{\"name\":\"\xFF\"}");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_EQ(invalid->Json()["error"]["code"], "request.json");
  EXPECT_EQ(invalid->Json()["error"]["message"], "请求体不是合法的 JSON");
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  auto server = StartServer();
  Client client(server->port());
  for (int i = 0; i < 5; ++i) {
    auto response = client.Call("GET", "/api/v1/items/" + std::to_string(i));
    ASSERT_TRUE(response) << "request " << i << " got no answer on the same connection";
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Json()["id"], std::to_string(i));
  }
  // Two pipelined-in-one-write requests are both answered in order.
  ASSERT_TRUE(
      client.SendRaw("GET /api/v1/items/a HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/items/b "
                     "HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = client.Read();
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->Json()["id"], "a");
  EXPECT_EQ(second->Json()["id"], "b");
}

TEST_F(ServerTest, MultipleSetCookieHeaders) {
  auto server = StartServer();
  Client client(server->port());
  auto response = client.Call("POST", "/api/v1/login", "{}");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->set_cookies.size(), 2u);
  EXPECT_EQ(response->set_cookies[0], "hukou_session=abc; HttpOnly; Path=/");
  EXPECT_EQ(response->set_cookies[1], "theme=dark; Path=/");
}

TEST_F(ServerTest, OversizedBodyIs413AndConnectionStaysUsable) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(options);
  Client client(server->port());
  auto response = client.Call("POST", "/api/v1/echo", std::string(2000, 'x'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Json()["error"]["code"], "request.too_large");
  EXPECT_EQ(response->Json()["error"]["message"], "请求体过大");
  auto next = client.Call("GET", "/api/v1/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);

  // Far beyond the limit the connection is dropped before the body is read.
  Client greedy(server->port());
  EXPECT_FALSE(greedy.Call("POST", "/api/v1/echo", std::string(100000, 'x')));
}

TEST_F(ServerTest, UnknownRouteIs404Json) {
  auto server = StartServer();
  Client client(server->port());
  auto response = client.Call("GET", "/api/v1/nothing-here");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Json()["error"]["code"], "route.not_found");
  auto wrong_method = client.Call("DELETE", "/api/v1/hello");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->headers["allow"], "GET");
}

TEST_F(ServerTest, ThrowingHandlerIs500AndServerKeepsServing) {
  auto server = StartServer();
  Client client(server->port());
  auto response = client.Call("GET", "/api/v1/throw");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->Json()["error"]["code"], "internal");
  EXPECT_EQ(response->Json()["error"]["message"], "服务器内部错误");
  auto next = client.Call("GET", "/api/v1/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, MalformedHttpClosesThatConnectionOnly) {
  auto server = StartServer();
  Client bad(server->port());
  ASSERT_TRUE(bad.SendRaw("THIS IS NOT HTTP\r\n\r\n"));
  EXPECT_TRUE(bad.ClosedByServer());
  Client good(server->port());
  auto response = good.Call("GET", "/api/v1/hello");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

class StaticServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    base_ = std::filesystem::temp_directory_path() /
            ("hukou_static_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_ / "www" / "assets");
    Write(base_ / "www" / "index.html", "<!doctype html><title>户政</title>");
    Write(base_ / "www" / "assets" / "app.js", "console.log(1)");
    Write(base_ / "www" / "favicon.ico", "ICO");
    Write(base_ / "secret.txt", "top secret");
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  static void Write(const std::filesystem::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  std::unique_ptr<Server> StartStatic() {
    ServerOptions options;
    options.static_dir = (base_ / "www").string();
    return StartServer(options);
  }

  std::filesystem::path base_;
};

TEST_F(StaticServerTest, ServesFilesWithTypesAndCaching) {
  auto server = StartStatic();
  Client client(server->port());
  auto index = client.Call("GET", "/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(index->body, "<!doctype html><title>户政</title>");
  EXPECT_EQ(index->headers["cache-control"], "no-cache");

  auto script = client.Call("GET", "/assets/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(script->body, "console.log(1)");
  EXPECT_NE(script->headers["cache-control"].find("immutable"), std::string::npos);

  auto icon = client.Call("GET", "/favicon.ico");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->headers["content-type"], "image/x-icon");

  // API paths still go to the router.
  auto api = client.Call("GET", "/api/v1/hello");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->Json()["hello"], "世界");
}

TEST_F(StaticServerTest, SpaFallbackAndMissingFiles) {
  auto server = StartStatic();
  Client client(server->port());
  auto page = client.Call("GET", "/persons/42070419900101123X");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<!doctype html><title>户政</title>");

  auto missing = client.Call("GET", "/assets/missing.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Json()["error"]["code"], "static.not_found");

  auto api_missing = client.Call("GET", "/api/v1/none");
  ASSERT_TRUE(api_missing);
  EXPECT_EQ(api_missing->Json()["error"]["code"], "route.not_found");
}

TEST_F(StaticServerTest, RejectsPathTraversal) {
  auto server = StartStatic();
  for (const char* target : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                             "/assets/%2E%2E/%2e%2e/secret.txt", "/..%2fsecret.txt"}) {
    Client client(server->port());
    auto response = client.Call("GET", target);
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 400) << target;
    EXPECT_EQ(response->Json()["error"]["code"], "request.path") << target;
  }
}

TEST_F(ServerTest, BlockedHandlerDoesNotStallOthers) {
  std::promise<void> release;
  release_ = release.get_future().share();
  auto server = StartServer();  // 2 threads
  std::future<std::optional<ClientResponse>> slow = std::async(std::launch::async, [&] {
    Client client(server->port());
    return client.Call("GET", "/api/v1/block");
  });
  blocked_.get_future().wait();
  Client fast(server->port());
  auto response = fast.Call("GET", "/api/v1/hello");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  release.set_value();
  auto released = slow.get();
  ASSERT_TRUE(released);
  EXPECT_EQ(released->Json()["released"], true);
}

TEST_F(ServerTest, DeferredResponsesHoldNoThreadAndLeaveOnlyWhenTheirStepEnds) {
  ServerOptions options;
  options.threads = 1;
  auto server = StartServer(options);
  auto call = [&] {
    return std::async(std::launch::async, [port = server->port()] {
      Client client(port);
      return client.Call("GET", "/api/v1/deferred");
    });
  };
  auto first = call();
  auto second = call();
  std::vector<Response::Continuation> steps = TakeDeferred(2);
  ASSERT_EQ(steps.size(), 2u);
  // Both wait for their steps, yet the only server thread still answers others.
  Client other(server->port());
  auto hello = other.Call("GET", "/api/v1/hello");
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->status, 200);
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
      << "a deferred response left before its step ended";

  // Finished from another thread: one succeeds, one fails — which one is which depends on the
  // order the steps arrived in, so both bodies are checked by kind.
  std::thread([&] {
    steps[0](Status::Ok());
    steps[1](UnavailableError("access_log.stopped", "查询留痕服务已停止"));
    steps[1](Status::Ok());  // a second call is ignored
  }).join();
  auto a = first.get();
  auto b = second.get();
  ASSERT_TRUE(a && b);
  std::vector<int> statuses = {a->status, b->status};
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 503}));
  const ClientResponse& ok = a->status == 200 ? *a : *b;
  const ClientResponse& failed = a->status == 200 ? *b : *a;
  EXPECT_EQ(ok.Json()["deferred"], true);
  EXPECT_EQ(failed.Json()["error"]["code"], "access_log.stopped");
}

TEST_F(ServerTest, SettleRunsTheStepLikeTheServer) {
  Request request;
  request.method = "GET";
  ASSERT_TRUE(ParseTarget("/api/v1/deferred", request).ok());
  auto settled = std::async(std::launch::async, [&] { return Settle(router_.Dispatch(request)); });
  std::vector<Response::Continuation> steps = TakeDeferred(1);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(settled.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  steps[0](NotFoundError("x.gone", "没有了"));
  Response response = settled.get();
  EXPECT_EQ(response.status, 404);
  EXPECT_FALSE(response.before_send);
  EXPECT_NE(response.body.find("x.gone"), std::string::npos);
}

TEST_F(ServerTest, IdleKeepAliveConnectionsDoNotStarveOthers) {
  auto server = StartServer();  // 2 threads, far fewer than idle connections
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<Client>(server->port()));
    if (i % 2 == 0) {  // half have made a request and stay open, half never sent anything
      auto response = idle.back()->Call("GET", "/api/v1/hello");
      ASSERT_TRUE(response);
    }
  }
  Client other(server->port());
  for (int i = 0; i < 3; ++i) {
    auto response = other.Call("GET", "/api/v1/hello");
    ASSERT_TRUE(response) << "request " << i << " not answered while connections sit idle";
    EXPECT_EQ(response->status, 200);
  }
  // The idle keep-alive connections are still alive and usable.
  auto again = idle[0]->Call("GET", "/api/v1/hello");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(ServerTest, MetricsEndpointCountsByRoutePattern) {
  auto server = StartServer();
  Client client(server->port());
  ASSERT_TRUE(client.Call("GET", "/api/v1/items/1"));
  ASSERT_TRUE(client.Call("GET", "/api/v1/items/2"));
  ASSERT_TRUE(client.Call("GET", "/api/v1/nowhere"));
  auto response = client.Call("GET", "/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(response->body.find("hukou_http_requests_total{method=\"GET\",route=\"/api/v1/items/"
                                "{id}\",status=\"200\"} 2\n"),
            std::string::npos)
      << response->body;
  EXPECT_NE(response->body.find("route=\"unmatched\",status=\"404\"} 1\n"), std::string::npos);
  EXPECT_EQ(response->body.find("/api/v1/items/1"), std::string::npos);
  EXPECT_NE(response->body.find("hukou_http_request_duration_seconds_bucket{method=\"GET\","
                                "route=\"/api/v1/items/{id}\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_EQ(metrics_.Value(kRequestsInFlight), 0);
}

TEST_F(ServerTest, RouterMetricsRouteTakesPrecedence) {
  router_.Add("GET", "/metrics", [](const Request&) {
    Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = "from_router 1\n";
    return response;
  });
  auto server = StartServer();
  Client client(server->port());
  auto response = client.Call("GET", "/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "from_router 1\n");
  EXPECT_EQ(
      metrics_.Value(kRequestsTotal, {{"method", "GET"}, {"route", "/metrics"}, {"status", "200"}}),
      1);
}

TEST_F(ServerTest, PortZeroPicksFreePortsAndBusyPortFails) {
  auto first = StartServer();
  auto second = StartServer();
  EXPECT_NE(first->port(), second->port());

  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = first->port();
  options.threads = 1;
  options.metrics = &metrics_;
  Server clash(options, router_);
  Status status = clash.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "http.bind");
  EXPECT_EQ(status.error().kind, ErrorKind::kUnavailable);
}

TEST_F(ServerTest, StopIsIdempotentAndEndsWait) {
  auto server = StartServer();
  const int port = server->port();
  std::future<void> waiting = std::async(std::launch::async, [&] { server->Wait(); });
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  server->Stop();
  EXPECT_EQ(waiting.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  server->Stop();
  EXPECT_THROW(Client{port}, std::runtime_error);  // nobody listens any more
}

}  // namespace
}  // namespace hukou::http
