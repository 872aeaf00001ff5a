// The only translation unit that includes RESTinio: it adapts RESTinio's requests and responses
// to the project's Request/Response/Router, serves static files and /metrics, and records
// request metrics.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <restinio/all.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "http/http.h"
#include "http/metrics.h"

namespace hukou::http {
namespace {

// Forwards RESTinio's own log lines to spdlog. Failures of single connections (resets,
// malformed requests, timeouts) are routine with real clients and go to debug; other errors
// (e.g. the acceptor running out of file descriptors) are warnings.
class SpdlogLogger {
 public:
  template <typename Builder>
  void trace(Builder&&) {}
  template <typename Builder>
  void info(Builder&&) {}
  template <typename Builder>
  void warn(Builder&& builder) {
    if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("http: {}", builder());
  }
  template <typename Builder>
  void error(Builder&& builder) {
    const std::string message = builder();
    if (message.find("[connection:") != std::string::npos) {
      spdlog::debug("http: {}", message);
    } else {
      spdlog::warn("http: {}", message);
    }
  }
};

// Multi-threaded traits: each connection runs on an asio strand, so handlers of different
// connections run in parallel on the pool.
struct Traits : public restinio::default_traits_t {
  using logger_t = SpdlogLogger;
};

std::string ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string ContentTypeFor(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".json", "application/json; charset=utf-8"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<std::string> ReadFile(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

// A file under `root` for `path`; index.html for directories and, when the last segment has
// no extension, for unknown paths (the single-page app routes them itself).
Response ServeStatic(const std::filesystem::path& root, const std::string& path) {
  const size_t first = path.find_first_not_of('/');
  const std::string relative = first == std::string::npos ? std::string() : path.substr(first);
  std::string_view rest = relative;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    if (rest.substr(0, slash) == "..") {
      return ErrorResponse(ValidationError("request.path", "请求路径无效"));
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos) {
    return ErrorResponse(ValidationError("request.path", "请求路径无效"));
  }
  std::filesystem::path file = root / relative;
  if (relative.empty() || relative.back() == '/') file /= "index.html";
  std::optional<std::string> content = ReadFile(file);
  if (!content) {
    const std::string last = relative.substr(relative.rfind('/') + 1);
    if (last.find('.') != std::string::npos) {
      return ErrorResponse(NotFoundError("static.not_found", "未找到该文件"));
    }
    file = root / "index.html";
    content = ReadFile(file);
    if (!content) return ErrorResponse(NotFoundError("static.not_found", "未找到该文件"));
  }
  Response response;
  response.content_type = ContentTypeFor(file);
  response.body = std::move(*content);
  response.headers.emplace_back("Cache-Control", StartsWith(path, "/assets/")
                                                     ? "public, max-age=31536000, immutable"
                                                     : "no-cache");
  return response;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions opts, const Router& r)
      : options(std::move(opts)),
        router(r),
        metrics(options.metrics != nullptr ? options.metrics : &DefaultMetrics()) {}

  restinio::request_handling_status_t Handle(const restinio::request_handle_t& handle);
  Response Process(const restinio::request_handle_t& handle, Request& request);
  static void Send(const restinio::request_handle_t& handle, Response& response);

  const ServerOptions options;
  const Router& router;
  Metrics* const metrics;
  std::atomic<int> port{0};

  std::mutex mutex;  // guards the members below
  restinio::running_server_handle_t<Traits> running;
  bool started = false;
  bool stopped = false;
  asio::io_context* wait_io = nullptr;  // the signal loop of a running Wait()
};

Response Server::Impl::Process(const restinio::request_handle_t& handle, Request& request) {
  const auto& header = handle->header();
  request.method = header.method().c_str();
  request.remote = handle->remote_endpoint().address().to_string();
  header.for_each_field([&](const restinio::http_header_field_t& field) {
    std::string name = field.name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = request.headers.emplace(std::move(name), field.value());
    if (!inserted) it->second += (it->first == "cookie" ? "; " : ", ") + field.value();
  });
  if (Status status = ParseTarget(header.request_target(), request); !status.ok()) {
    return ErrorResponse(status.error());
  }
  size_t body_limit = options.max_body_bytes;
  for (const std::string& prefix : options.upload_path_prefixes) {
    if (request.method == "POST" && StartsWith(request.path, prefix)) {
      body_limit = std::max(body_limit, options.max_upload_bytes);
    }
  }
  if (handle->body().size() > body_limit) {
    return ErrorResponse(ValidationError("request.too_large", "请求体过大"), 413);
  }
  request.body = handle->body();

  const bool is_get = request.method == "GET";
  if (is_get && !options.static_dir.empty() && request.path != "/api" &&
      !StartsWith(request.path, "/api/") && request.path != "/metrics") {
    request.route = "static";
    return ServeStatic(options.static_dir, request.path);
  }
  Response response = router.Dispatch(request);
  if (request.route.empty() && is_get && options.serve_metrics && request.path == "/metrics") {
    // The router has no /metrics route of its own: serve this server's registry.
    request.route = "/metrics";
    response = Response();
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics->RenderPrometheus();
  }
  return response;
}

void Server::Impl::Send(const restinio::request_handle_t& handle, Response& response) {
  auto builder = handle->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
      ReasonPhrase(response.status)});
  builder.append_header(restinio::http_field::content_type, response.content_type);
  builder.append_header("X-Content-Type-Options", "nosniff");
  builder.append_header_date_field();
  for (auto& [name, value] : response.headers) builder.append_header(name, value);
  builder.set_body(std::move(response.body));
  builder.done();
}

restinio::request_handling_status_t Server::Impl::Handle(const restinio::request_handle_t& handle) {
  const auto start = std::chrono::steady_clock::now();
  metrics->AddGauge(kRequestsInFlight, {}, 1);
  auto request = std::make_shared<Request>();
  auto response = std::make_shared<Response>();
  try {
    *response = Process(handle, *request);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: unhandled exception: {}", request->method, request->path, e.what());
    *response = ErrorResponse(InternalError("internal", "服务器内部错误"));
  } catch (...) {
    spdlog::error("http: {} {}: unhandled non-standard exception", request->method, request->path);
    *response = ErrorResponse(InternalError("internal", "服务器内部错误"));
  }
  // Finishes the request once nothing stands before the response (possibly on another thread).
  auto finished = std::make_shared<std::atomic<bool>>(false);
  // Captures no part of the server: a step may finish after the server has stopped.
  auto finish = [metrics = metrics, handle, start, request, response,
                 finished](const Status& step) {
    if (finished->exchange(true)) return;  // only the first outcome counts
    if (!step.ok()) *response = ErrorResponse(step.error());
    metrics->AddGauge(kRequestsInFlight, {}, -1);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    // Recorded before sending, so that a client that has its answer also finds it in /metrics.
    RecordRequest(*metrics, request->method, request->route, response->status, elapsed.count());
    try {
      Send(handle, *response);
    } catch (const std::exception& e) {
      // The connection may be gone already; nothing to answer.
      spdlog::warn("http: {} {}: response not sent: {}", request->method, request->path, e.what());
    }
  };
  if (!response->before_send) {
    finish(Status::Ok());
    return restinio::request_accepted();
  }
  std::function<void(Response::Continuation)> step = std::exchange(response->before_send, nullptr);
  try {
    step(finish);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: before_send failed: {}", request->method, request->path, e.what());
    finish(InternalError("internal", "服务器内部错误"));
  } catch (...) {
    spdlog::error("http: {} {}: before_send failed", request->method, request->path);
    finish(InternalError("internal", "服务器内部错误"));
  }
  return restinio::request_accepted();
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(new Impl(std::move(options), router)) {
  impl_->metrics->Describe(kRequestsTotal, "HTTP requests by method, route pattern and status.");
  impl_->metrics->Describe(kRequestDuration, "HTTP request handling time in seconds.");
  impl_->metrics->Describe(kRequestsInFlight, "HTTP requests being handled now.");
}

Server::~Server() {
  Stop();
  delete impl_;
}

Status Server::Start() {
  const ServerOptions& options = impl_->options;
  int threads = options.threads;
  // Reads of personal data hold no thread while their access-log entry is committed
  // (Response::before_send), but writes wait for their group commit and some handlers for
  // peers, so threads are plenty: bench/http_lookup.sh measured no difference between 4 and 32
  // threads on 2 cores once reads stopped blocking.
  if (threads <= 0) {
    threads = std::max(32, 8 * static_cast<int>(std::thread::hardware_concurrency()));
  }
  // RESTinio drops a connection whose body exceeds its limit without answering; a margin above
  // max_body_bytes lets moderately oversized requests get a proper 413.
  const size_t hard_limit = std::max({options.max_body_bytes * 4, options.max_body_bytes + 65536,
                                      options.max_upload_bytes + 65536});
  Impl* impl = impl_;
  std::lock_guard lock(impl->mutex);
  if (impl->started) return InternalError("http.started", "服务已经启动");
  impl->started = true;
  try {
    impl->running = restinio::run_async<Traits>(
        restinio::own_io_context(),
        restinio::server_settings_t<Traits>{}
            .address(options.address)
            .port(static_cast<std::uint16_t>(options.port))
            .request_handler(
                [impl](const restinio::request_handle_t& handle) { return impl->Handle(handle); })
            .incoming_http_msg_limits(
                restinio::incoming_http_msg_limits_t{}.max_body_size(hard_limit))
            .read_next_http_message_timelimit(std::chrono::seconds(60))
            .handle_request_timeout(std::chrono::minutes(5))
            .write_http_response_timelimit(std::chrono::minutes(1))
            .socket_options_setter([](restinio::socket_options_t& socket) {
              // Pipelined and back-to-back responses must not wait for delayed ACKs.
              asio::error_code ignored;
              socket.set_option(asio::ip::tcp::no_delay(true), ignored);
            })
            .acceptor_post_bind_hook([impl](asio::ip::tcp::acceptor& acceptor) {
              impl->port = acceptor.local_endpoint().port();
            }),
        static_cast<std::size_t>(threads));
  } catch (const std::exception& e) {
    impl->stopped = true;
    return UnavailableError("http.bind", "无法在 " + options.address + ":" +
                                             std::to_string(options.port) + " 上提供服务：" +
                                             e.what());
  }
  spdlog::info("http: serving on {}:{} with {} threads", options.address, impl->port.load(),
               threads);
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

void Server::Stop() {
  restinio::running_server_handle_t<Traits> running;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
    if (impl_->wait_io != nullptr) impl_->wait_io->stop();
    running = std::move(impl_->running);
  }
  if (running) {
    running->stop();
    running->wait();
  }
}

void Server::Wait() {
  asio::io_context signal_io;
  asio::signal_set signals(signal_io, SIGINT, SIGTERM);
  signals.async_wait([&signal_io](const asio::error_code& error, int signal) {
    if (!error) spdlog::info("http: signal {} received, stopping", signal);
    signal_io.stop();
  });
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->wait_io = &signal_io;
  }
  signal_io.run();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->wait_io = nullptr;
  }
  Stop();
}

}  // namespace hukou::http
