// Expected failures as values: Error, Status and Result<T>.
//
// Every error carries a stable machine code (e.g. "id_number.check_digit"), a Chinese message
// for the person at the window, and the offending field when there is one. The HTTP layer maps
// ErrorKind to a status code; nothing else should depend on the kind.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hukou {

enum class ErrorKind {
  kValidation,       // 400: malformed or invalid input
  kUnauthenticated,  // 401: no or expired session
  kForbidden,        // 403: role or data scope forbids it
  kNotFound,         // 404
  kConflict,         // 409: duplicate, concurrent change
  kBusinessRule,     // 422: well-formed but not allowed by a domain rule
  kUnavailable,      // 503: database busy beyond retries, peer down
  kInternal,         // 500: a bug or broken invariant surfaced as a value
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // stable, dotted, English: "person.not_found"
  std::string message;  // Chinese, for people
  std::string field;    // offending input field, may be empty
};

Error ValidationError(std::string code, std::string message, std::string field = {});
Error NotFoundError(std::string code, std::string message, std::string field = {});
Error ConflictError(std::string code, std::string message, std::string field = {});
Error ForbiddenError(std::string code, std::string message, std::string field = {});
Error UnauthenticatedError(std::string code, std::string message);
Error BusinessRuleError(std::string code, std::string message, std::string field = {});
Error UnavailableError(std::string code, std::string message);
Error InternalError(std::string code, std::string message);

// Returns the HTTP status code for an error kind (400, 401, 403, 404, 409, 422, 503, 500).
int HttpStatusFor(ErrorKind kind);

// Outcome of an operation without a value. Default-constructed Status is OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  static Status Ok() { return Status(); }
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  // Precondition: !ok().
  const Error& error() const& {
    assert(error_.has_value());
    return *error_;
  }
  Error&& error() && {
    assert(error_.has_value());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

// A value of T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}             // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status).error()) {}  // Precondition: !status.ok().

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // Preconditions: ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // Preconditions: !ok().
  const Error& error() const& { return std::get<Error>(v_); }
  Error&& error() && { return std::get<Error>(std::move(v_)); }

  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace hukou

#define HUKOU_CONCAT_INNER_(a, b) a##b
#define HUKOU_CONCAT_(a, b) HUKOU_CONCAT_INNER_(a, b)

// Evaluates a Status-returning expression; returns its error from the enclosing function.
#define HUKOU_RETURN_IF_ERROR(expr)                                   \
  do {                                                                \
    ::hukou::Status hukou_status_ = (expr);                           \
    if (!hukou_status_.ok()) return std::move(hukou_status_).error(); \
  } while (0)

// `HUKOU_ASSIGN_OR_RETURN(auto x, ResultExpr())`: binds the value or returns the error.
#define HUKOU_ASSIGN_OR_RETURN(lhs, expr) \
  HUKOU_ASSIGN_OR_RETURN_IMPL_(HUKOU_CONCAT_(hukou_result_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration and tmp a name, not expressions.
#define HUKOU_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).error();      \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
