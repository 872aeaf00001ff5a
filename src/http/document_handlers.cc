// Documents of a case as PDF (docs/api.md "Documents"): GET /api/v1/cases/{case_no}/receipt.pdf,
// …/approval-form.pdf, …/notice.pdf and GET /api/v1/archive/cases/{case_no}/booklet.pdf. Each is
// signed by the officer and sealed by the unit, registered for public verification and returned
// again (same number, same bytes) when requested again. Every download is written to the access
// log: the PDFs hold personal data.
#include <string>

#include "documents/documents.h"
#include "http/app.h"
#include "registry/access_log.h"

namespace hukou::http {
namespace {

// The public site's scheme and host: --public-url, else the request's Host header.
std::string BaseUrl(const App& app, const Request& req) {
  if (!app.public_url.empty()) return app.public_url;
  std::string scheme = Lower(req.Header("x-forwarded-proto"));
  if (scheme != "https") scheme = "http";
  std::string host = req.Header("host");
  if (host.empty()) host = "localhost";
  return scheme + "://" + host;
}

Response PdfResponse(const App& app, const Request& req, const org::Actor& actor,
                     const Result<documents::IssuedDocument>& doc) {
  if (!doc.ok()) return ErrorResponse(doc.error());
  if (!app.access_log) {
    return ErrorResponse(InternalError("access_log.missing", "查询留痕服务未启用"));
  }
  Status logged = app.access_log->Record({actor.user_id, "download_" + doc->kind, "case",
                                          doc->case_no, req.Query("purpose"), req.remote});
  if (!logged.ok()) return ErrorResponse(logged.error());
  Response r;
  r.content_type = "application/pdf";
  r.body = doc->pdf;
  r.headers.emplace_back("Content-Disposition",
                         "inline; filename=\"" + doc->case_no + "-" + doc->kind + ".pdf\"");
  r.headers.emplace_back("X-Document-Number", doc->doc_no);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// The authenticated actor, or the error; 503 when no signer is configured.
Result<org::Actor> Requester(const App& app, const Request& req) {
  HUKOU_ASSIGN_OR_RETURN(org::Actor actor, Authenticate(app, req));
  if (app.signer == nullptr) {
    return UnavailableError("document.unavailable", "签名服务未启用，不能生成文书");
  }
  return actor;
}

}  // namespace

void RegisterDocumentRoutes(Router& router, App& app) {
  const std::pair<const char*, const char*> kinds[] = {
      {"receipt.pdf", documents::kReceipt},
      {"approval-form.pdf", documents::kApprovalForm},
      {"notice.pdf", documents::kNotice},
  };
  for (const auto& [file, kind_name] : kinds) {
    const std::string kind = kind_name;
    router.Add("GET", std::string("/api/v1/cases/{case_no}/") + file,
               [&app, kind](const Request& req) {
                 auto actor = Requester(app, req);
                 if (!actor.ok()) return ErrorResponse(actor.error());
                 documents::Issuer issuer(*app.db, *app.clock, *app.signer);
                 return PdfResponse(
                     app, req, *actor,
                     issuer.CaseDocument(req.Param("case_no"), kind, BaseUrl(app, req), *actor));
               });
  }
  router.Add("GET", "/api/v1/archive/cases/{case_no}/booklet.pdf", [&app](const Request& req) {
    auto actor = Requester(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    documents::Issuer issuer(*app.db, *app.clock, *app.signer);
    return PdfResponse(app, req, *actor,
                       issuer.Booklet(req.Param("case_no"), BaseUrl(app, req), *actor));
  });
}

}  // namespace hukou::http
