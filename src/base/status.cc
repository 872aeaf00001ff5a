#include "base/status.h"

namespace hukou {
namespace {
Error Make(ErrorKind kind, std::string code, std::string message, std::string field) {
  return Error{kind, std::move(code), std::move(message), std::move(field)};
}
}  // namespace

Error ValidationError(std::string code, std::string message, std::string field) {
  return Make(ErrorKind::kValidation, std::move(code), std::move(message), std::move(field));
}
Error NotFoundError(std::string code, std::string message, std::string field) {
  return Make(ErrorKind::kNotFound, std::move(code), std::move(message), std::move(field));
}
Error ConflictError(std::string code, std::string message, std::string field) {
  return Make(ErrorKind::kConflict, std::move(code), std::move(message), std::move(field));
}
Error ForbiddenError(std::string code, std::string message, std::string field) {
  return Make(ErrorKind::kForbidden, std::move(code), std::move(message), std::move(field));
}
Error UnauthenticatedError(std::string code, std::string message) {
  return Make(ErrorKind::kUnauthenticated, std::move(code), std::move(message), {});
}
Error BusinessRuleError(std::string code, std::string message, std::string field) {
  return Make(ErrorKind::kBusinessRule, std::move(code), std::move(message), std::move(field));
}
Error UnavailableError(std::string code, std::string message) {
  return Make(ErrorKind::kUnavailable, std::move(code), std::move(message), {});
}
Error InternalError(std::string code, std::string message) {
  return Make(ErrorKind::kInternal, std::move(code), std::move(message), {});
}

int HttpStatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kValidation:
      return 400;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kBusinessRule:
      return 422;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace hukou
