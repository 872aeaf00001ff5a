#include "http/http.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <string>
#include <utility>

namespace hukou::http {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

namespace {

template <typename Map>
std::string Lookup(const Map& map, std::string_view key) {
  auto it = map.find(std::string(key));
  return it == map.end() ? std::string() : it->second;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error JsonError(std::string message) { return ValidationError("request.json", std::move(message)); }

}  // namespace

std::string Request::Header(std::string_view name) const { return Lookup(headers, Lower(name)); }

std::string Request::Query(std::string_view name) const { return Lookup(query, name); }

std::string Request::Param(std::string_view name) const { return Lookup(path_params, name); }

std::optional<std::string> Request::Cookie(std::string_view name) const {
  auto it = headers.find("cookie");
  if (it == headers.end()) return std::nullopt;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view pair = Trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

Response Json(const nlohmann::json& body, int status) {
  Response response;
  response.status = status;
  // Invalid UTF-8 in a string (e.g. bytes from an old database row) becomes U+FFFD instead of
  // throwing.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response ErrorResponse(const Error& error, int status) {
  nlohmann::json detail = {{"code", error.code}, {"message", error.message}};
  detail["field"] = error.field.empty() ? nlohmann::json(nullptr) : nlohmann::json(error.field);
  return Json({{"error", std::move(detail)}}, status);
}

Response Settle(Response response) {
  if (!response.before_send) return response;
  std::promise<Status> outcome;
  std::future<Status> settled = outcome.get_future();
  std::exchange(response.before_send,
                nullptr)([&outcome](Status status) { outcome.set_value(std::move(status)); });
  Status status = settled.get();
  if (!status.ok()) return ErrorResponse(status.error());
  return response;
}

Response ErrorResponse(const Error& error) {
  return ErrorResponse(error, HttpStatusFor(error.kind));
}

Result<nlohmann::json> ParseJsonBody(const Request& request) {
  if (!IsValidUtf8(request.body)) return JsonError("请求体不是合法的 JSON");
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return JsonError("请求体不是合法的 JSON");
  if (!body.is_object()) return JsonError("请求体必须是 JSON 对象");
  return body;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int length;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // no overlongs
      if (c == 0xED) high = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;   // no overlongs
      if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (i + length > n) return false;
    const unsigned char second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (int k = 2; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status ParseTarget(std::string_view target, Request& request) {
  const Error bad = ValidationError("request.target", "请求地址编码无效");
  target = target.substr(0, target.find('#'));
  const size_t question = target.find('?');
  std::optional<std::string> path = PercentDecode(target.substr(0, question), false);
  if (!path || !IsValidUtf8(*path)) return bad;
  request.path = std::move(*path);
  request.query.clear();
  if (question == std::string_view::npos) return Status::Ok();
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> key = PercentDecode(pair.substr(0, eq), true);
    std::optional<std::string> value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    if (!key || !value || !IsValidUtf8(*key) || !IsValidUtf8(*value)) return bad;
    request.query.emplace(std::move(*key), std::move(*value));
  }
  return Status::Ok();
}

}  // namespace hukou::http
