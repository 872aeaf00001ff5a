#include "http/app.h"

#include <charconv>

#include "org/auth.h"

namespace hukou::http {
namespace {
// Parses a positive integer query parameter; nullopt if absent, error if malformed.
Result<int> PositiveParam(const Request& request, std::string_view name, int fallback, int max) {
  const std::string text = request.Query(name);
  if (text.empty()) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return ValidationError("request." + std::string(name),
                           std::string(name) + " 须为 1 到 " + std::to_string(max) + " 之间的整数",
                           std::string(name));
  }
  return value;
}
}  // namespace

Result<org::Actor> Authenticate(const App& app, const Request& request) {
  const std::string token = request.Cookie(kSessionCookie).value_or("");
  if (app.sessions != nullptr) return app.sessions->Authenticate(*app.db, token, *app.clock);
  return org::Authenticate(*app.db, token, *app.clock);
}

Result<Page> ParsePage(const Request& request) {
  Page p;
  HUKOU_ASSIGN_OR_RETURN(p.page, PositiveParam(request, "page", 1, 1000000));
  HUKOU_ASSIGN_OR_RETURN(p.page_size, PositiveParam(request, "page_size", 20, 100));
  return p;
}

void RegisterAllRoutes(Router& router, App& app) {
  RegisterAuthRoutes(router, app);
  RegisterOrgRoutes(router, app);
  RegisterCodeRoutes(router, app);
  RegisterRegistryRoutes(router, app);
  RegisterCatalogRoutes(router, app);
  RegisterNotificationRoutes(router, app);
  RegisterCaseRoutes(router, app);
  RegisterNationalCheckRoutes(router, app);
  RegisterPeerRoutes(router, app);
  RegisterArchiveRoutes(router, app);
  RegisterTrustRoutes(router, app);
  RegisterAuditRoutes(router, app);
  RegisterDocumentRoutes(router, app);
}

}  // namespace hukou::http
