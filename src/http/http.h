// The project's own small HTTP types. RESTinio is confined to server.cc; everything else —
// handlers, auth, tests — sees only Request, Response and Router.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace hukou::http {

struct Request {
  std::string method;                              // "GET", "POST", …
  std::string path;                                // decoded path without query string
  std::map<std::string, std::string> query;        // decoded query parameters
  std::map<std::string, std::string> headers;      // names lower-cased
  std::map<std::string, std::string> path_params;  // from the route pattern, e.g. {id_number}
  std::string body;
  std::string remote;  // client address
  std::string route;   // pattern of the matched route, set by Router::Dispatch; empty if none

  // Value of a header / query / path parameter, or empty.
  std::string Header(std::string_view name) const;
  std::string Query(std::string_view name) const;
  std::string Param(std::string_view name) const;
  std::optional<std::string> Cookie(std::string_view name) const;
};

struct Response {
  // Called once with the outcome of a Response::before_send step.
  using Continuation = std::function<void(Status)>;

  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, …)
  // When set, a step that must succeed before this response may leave — the durable
  // access-log entry of a read. The server starts it after the handler returns and sends the
  // response once the step has called its continuation with Ok, from whatever thread, without
  // holding a server thread meanwhile; with an error it sends that error instead. The step
  // must call the continuation exactly once.
  std::function<void(Continuation)> before_send;
};

// Runs response.before_send, if any, and waits for it: the response as the server sends it
// (handler tests use this).
Response Settle(Response response);

// 200 (or `status`) with a JSON body.
Response Json(const nlohmann::json& body, int status = 200);
// The error body {"error":{"code","message","field"}} with the status for its kind.
Response ErrorResponse(const Error& error);
// The same body with an explicit status (405, 413, … which have no ErrorKind).
Response ErrorResponse(const Error& error, int status);
// Parses a JSON object body; kValidation "request.json" (请求体不是合法的 JSON) otherwise,
// also for invalid UTF-8 and for a JSON value that is not an object.
Result<nlohmann::json> ParseJsonBody(const Request& request);

// ASCII lower case of `text` (header names, media types).
std::string Lower(std::string_view text);
// `text` without leading and trailing spaces and tabs.
std::string_view Trim(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view text);
// Decodes %XX escapes (and '+' as space when plus_as_space); nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space);
// Splits a request target ("/a%20b?x=1&y=%E4%B8%AD") into request.path and request.query,
// decoding both ('+' is a space in the query; the first of repeated keys wins).
// Errors: kValidation "request.target" (请求地址编码无效) for bad escapes or invalid UTF-8.
Status ParseTarget(std::string_view target, Request& request);

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/persons/{id_number}"
};

// Method + path-pattern routing. Segments in braces match one non-empty path segment.
class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // Fills request.path_params and request.route and runs the matching handler; 404
  // "route.not_found" / 405 "route.method_not_allowed" (with an Allow header) otherwise.
  // A literal segment beats a {param} at the same position, whatever the registration order.
  Response Dispatch(Request& request) const;
  // Every registered route, in registration order (the OpenAPI test compares against this).
  std::vector<Route> Routes() const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Entry> entries_;
};

class Metrics;  // metrics.h

struct ServerOptions {
  std::string address = "0.0.0.0";
  int port = 8080;  // 0: pick a free port (see Server::port())
  int threads = 0;  // 0: max(32, 8 × hardware threads) (handlers block on the database)
  size_t max_body_bytes = 1 << 20;
  // Uploads: POSTs to paths starting with one of these prefixes may carry up to max_upload_bytes.
  std::vector<std::string> upload_path_prefixes;
  size_t max_upload_bytes = 0;
  std::string static_dir;      // served for non-/api paths when set; SPA fallback to index.html
  Metrics* metrics = nullptr;  // where requests are recorded; nullptr: DefaultMetrics()
  bool serve_metrics = true;   // GET /metrics without a router route: Prometheus text of `metrics`
};

// An HTTP/1.1 server with keep-alive. Idle connections cost no thread. Handlers run on a pool of
// `threads` threads; a handler that blocks occupies one of them only. A body over max_body_bytes
// gets 413 "request.too_large"; one over 4 × max_body_bytes closes the connection unanswered.
// An exception escaping a handler becomes 500 "internal" and is logged.
class Server {
 public:
  // `router` must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();  // Stops the server.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Binds and starts serving in background threads. Errors: kUnavailable "http.bind".
  Status Start();
  // The bound port (after Start).
  int port() const;
  // Stops accepting, closes connections, joins threads. Idempotent.
  void Stop();
  // Blocks until Stop() is called or SIGINT/SIGTERM arrives.
  void Wait();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace hukou::http
