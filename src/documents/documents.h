// The documents of a case as PDF (issue #3 B6, issue #4 §1): receipt (收件单), approval form
// (审批表), notice (准予办理通知书) and the booklet (一件一册). Generated on request, never inside
// a write transaction: the case is read, the PDF rendered with a fresh document number, the unit's
// seal image and a QR code to the public verification page, signed (unit seal + officer) and
// then, in one write transaction, stored as a file and registered (trust::RegisterDocument, with
// its audit entry). The same case, kind and basis returns the registered bytes again (same number,
// identical bytes); a changed basis (e.g. a further approval step) issues a new document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "store/database.h"
#include "trust/signer.h"

namespace hukou::documents {

inline constexpr char kReceipt[] = "receipt";
inline constexpr char kApprovalForm[] = "approval_form";
inline constexpr char kNotice[] = "notice";
inline constexpr char kBooklet[] = "booklet";

struct IssuedDocument {
  std::string doc_no;
  std::string kind;
  std::string case_no;
  std::string pdf;        // the registered bytes
  std::string unit_name;  // the sealing unit
  std::string signed_at;  // ISO instant
  bool reused = false;    // true when an earlier request registered it
};

// The public verification page of a document: <base_url>/verify/<doc_no> (no trailing slash).
std::string VerifyUrl(std::string_view base_url, std::string_view doc_no);

// The seal image (PNG) of the unit's active seal: drawn (render::DrawSealPng(name, 户籍专用章))
// and stored with trust::SetSealImage on first use. Errors: kBusinessRule trust.no_seal.
Result<std::string> SealImage(store::Database& db, std::string_view unit_code, const Clock& clock);
// Draws and stores the seal image of every unit whose active seal key has none. Returns how many.
Result<int> DrawMissingSealImages(store::Database& db, const Clock& clock);

class Issuer {
 public:
  // base_url: scheme and host of the public site, e.g. https://hukou.example.gov.cn.
  Issuer(store::Database& db, const Clock& clock, trust::Signer& signer)
      : db_(db), clock_(clock), signer_(signer) {}

  // A case document (kReceipt, kApprovalForm, kNotice) for an officer in scope of the case.
  // Errors: kNotFound case.not_found, document.no_step (approval form before a decision step),
  // document.not_approved (notice before approval); kForbidden (scope, admin); kValidation
  // document.kind; those of render and the signer (trust.no_key, trust.no_seal).
  Result<IssuedDocument> CaseDocument(std::string_view case_no, std::string_view kind,
                                      std::string_view base_url, const org::Actor& actor);
  // The archived case's booklet: catalogue page, the case's documents (issued first when
  // missing) and the captured materials. Signed by the actor and the handling station's seal.
  // Errors: kNotFound archive.booklet_not_found; kForbidden; as CaseDocument.
  Result<IssuedDocument> Booklet(std::string_view case_no, std::string_view base_url,
                                 const org::Actor& actor);

 private:
  store::Database& db_;
  const Clock& clock_;
  trust::Signer& signer_;
};

}  // namespace hukou::documents
