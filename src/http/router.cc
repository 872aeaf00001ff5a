#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "http/http.h"

namespace hukou::http {
namespace {

// "/a/b/{c}" → {"a", "b", "{c}"}; "/" → {""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `segments` (of a pattern) match the path; literal segments compare exactly, {param}
// segments match any non-empty segment.
bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (IsParam(pattern[i])) {
      if (path[i].empty()) return false;
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// True when `a` is more specific than `b`: at the first position where one has a literal and
// the other a parameter, the literal wins.
bool MoreSpecific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool a_param = IsParam(a[i]);
    const bool b_param = IsParam(b[i]);
    if (a_param != b_param) return !a_param;
  }
  return false;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Entry entry;
  for (std::string_view segment : SplitPath(pattern)) entry.segments.emplace_back(segment);
  entry.route = Route{std::move(method), std::move(pattern)};
  entry.handler = std::move(handler);
  entries_.push_back(std::move(entry));
}

Response Router::Dispatch(Request& request) const {
  const std::vector<std::string_view> path = SplitPath(request.path);
  const Entry* best = nullptr;
  const Entry* best_any_method = nullptr;
  for (const Entry& entry : entries_) {
    if (!Matches(entry.segments, path)) continue;
    if (best_any_method == nullptr || MoreSpecific(entry.segments, best_any_method->segments)) {
      best_any_method = &entry;
    }
    if (entry.route.method == request.method) {
      if (best == nullptr || MoreSpecific(entry.segments, best->segments)) best = &entry;
    }
  }
  if (best == nullptr && best_any_method != nullptr) {
    // Methods allowed on the most specific pattern that matches the path.
    std::vector<std::string_view> methods;
    std::string allow;
    for (const Entry& entry : entries_) {
      if (entry.route.pattern != best_any_method->route.pattern) continue;
      if (std::find(methods.begin(), methods.end(), entry.route.method) != methods.end()) continue;
      methods.push_back(entry.route.method);
      if (!allow.empty()) allow += ", ";
      allow += entry.route.method;
    }
    request.route = best_any_method->route.pattern;
    Response response =
        ErrorResponse(ValidationError("route.method_not_allowed", "不支持该请求方法"), 405);
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  if (best == nullptr) {
    request.route.clear();
    return ErrorResponse(NotFoundError("route.not_found", "未找到该接口"));
  }
  request.path_params.clear();
  for (size_t i = 0; i < best->segments.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (IsParam(segment)) {
      request.path_params[segment.substr(1, segment.size() - 2)] = std::string(path[i]);
    }
  }
  request.route = best->route.pattern;
  return best->handler(request);
}

std::vector<Route> Router::Routes() const {
  std::vector<Route> routes;
  routes.reserve(entries_.size());
  for (const Entry& entry : entries_) routes.push_back(entry.route);
  return routes;
}

}  // namespace hukou::http
