// What the handlers share: the database, the clock, the access log; authentication of a request;
// and one Register*Routes function per context (one file of handlers per context).
#pragma once

#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "http/http.h"
#include "org/actor.h"
#include "org/auth.h"
#include "store/database.h"

namespace hukou::registry {
class AccessLog;
}
namespace hukou::services {
class MoveOutTransport;
class NationalCheckProvider;
class PeerTokens;
}  // namespace hukou::services
namespace hukou::trust {
class KeyStore;
class Signer;
}  // namespace hukou::trust

namespace hukou::http {

struct App {
  store::Database* db = nullptr;
  const Clock* clock = nullptr;
  registry::AccessLog* access_log = nullptr;
  // Sessions just checked (org/auth.h); nullptr: every request looks its session up.
  org::SessionCache* sessions = nullptr;
  services::NationalCheckProvider* national_check = nullptr;  // A9; nullptr: not configured
  const services::PeerTokens* peer_tokens = nullptr;  // instances allowed to ask this one (A9)
  // One-stop migration (B9): sends the origin's move-out requests to the peers; the decision
  // handler delivers a just-approved case's requests at once (the background loop retries).
  // nullptr: no peers, requests wait for a deliverer.
  services::MoveOutTransport* move_outs = nullptr;
  trust::Signer* signer = nullptr;  // signs case steps; nullptr: steps are stored unsigned
  trust::KeyStore* keys = nullptr;  // signing keys; null: users are created without keys
  // Scheme and host of the public site for the verification QR of documents, e.g.
  // https://hukou.example.gov.cn; empty: taken from the request (X-Forwarded-Proto, Host).
  std::string public_url{};
};

inline constexpr char kSessionCookie[] = "hukou_session";

// The actor behind the request's session cookie. Errors: kUnauthenticated auth.required.
Result<org::Actor> Authenticate(const App& app, const Request& request);

// Parses ?page= and ?page_size= (defaults 1 and 20, page_size at most 100).
// Errors: kValidation request.page / request.page_size.
struct Page {
  int page = 1;
  int page_size = 20;
  int Offset() const { return (page - 1) * page_size; }
};
Result<Page> ParsePage(const Request& request);

void RegisterAuthRoutes(Router& router, App& app);  // auth_handlers.cc
void RegisterOrgRoutes(Router& router, App& app);   // org_handlers.cc: units, users
void RegisterCodeRoutes(Router& router, App& app);  // code_handlers.cc: codes, id-numbers, health
void RegisterRegistryRoutes(Router& router,
                            App& app);  // registry_handlers.cc: persons, households, addresses
void RegisterTrustRoutes(Router& router, App& app);  // trust_handlers.cc: keys, public documents

void RegisterCatalogRoutes(Router& router, App& app);        // catalog_handlers.cc: items, calendar
void RegisterNotificationRoutes(Router& router, App& app);   // notification_handlers.cc
void RegisterNationalCheckRoutes(Router& router, App& app);  // national_check_handlers.cc
void RegisterPeerRoutes(Router& router, App& app);  // peer_handlers.cc: peers' move-outs (B9)

void RegisterCaseRoutes(Router& router, App& app);     // cases_handlers.cc: case lifecycle (办件)
void RegisterCatalogRoutes(Router& router, App& app);  // catalog_handlers.cc: items, calendar
// archive_handlers.cc: materials, completeness, booklets, volumes, paper track, imports
void RegisterArchiveRoutes(Router& router, App& app);
// audit_handlers.cc: the audit-trail search and the chains' checkpoint status (supervisors)
void RegisterAuditRoutes(Router& router, App& app);
// document_handlers.cc: a case's receipt, approval form, notice and booklet as signed PDFs
void RegisterDocumentRoutes(Router& router, App& app);

// All of the above, in that order.
void RegisterAllRoutes(Router& router, App& app);

}  // namespace hukou::http
