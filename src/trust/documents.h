// The register of documents the system issues (receipts, approval forms, notices, certificates):
// the SM3 of the exact PDF bytes, sealed by the unit and signed by the officer (B5, B6, C7). The
// public verification page looks a document up by its number (printed on it and in its QR code)
// and compares uploaded bytes with the registered hash.
//
// Use: render the PDF with a number from NewDocumentNumber, SignDocument (outside any
// transaction, no database access), then RegisterDocument inside the write transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"
#include "trust/signer.h"

namespace hukou::trust {

struct NewDocument {
  std::string doc_no;    // unique; printed on the document and in its QR code
  std::string kind;      // receipt | approval_form | notice | certificate | booklet …
  std::string case_ref;  // the case number as text, may be empty
  int64_t officer_id = 0;
  std::string unit_code;  // the sealing unit
};

struct SignedDocument {
  NewDocument doc;
  std::string pdf_sm3;    // hex SM3 of the PDF bytes
  std::string signed_at;  // ISO instant
  Signature seal;         // the unit's seal over DocumentPayload
  Signature officer;      // the officer's signature over DocumentPayload
};

struct DocumentRecord {
  int64_t id = 0;
  SignedDocument signed_doc;
  std::string officer_name;
  std::string unit_name;
  std::string seal_key_pem;
  std::string seal_key_status;  // active | retired | revoked
  std::string seal_key_revoked_at;
  std::string officer_key_pem;
  std::string officer_key_status;
  std::string officer_key_revoked_at;
};

// A fresh document number: kind letter prefix, the date and 10 random digits
// ("HK20261122" + "0123456789"); unique with overwhelming probability, and checked on insert.
std::string NewDocumentNumber(const Clock& clock);

// The canonical text both signatures cover.
std::string DocumentPayload(const NewDocument& doc, std::string_view pdf_sm3,
                            std::string_view signed_at);

// Hashes the PDF and signs with the unit seal and the officer key (no database access).
// Errors: kValidation document.doc_no / document.kind; those of the signer (trust.no_key,
// trust.no_seal).
Result<SignedDocument> SignDocument(Signer& signer, const NewDocument& doc,
                                    std::string_view pdf_bytes, const Clock& clock);

// Inside the caller's write transaction: the register row, a key_usage row for each signature
// and an audit entry. Errors: kConflict document.duplicate (doc_no taken); kValidation
// document.officer / document.unit (unknown).
Status RegisterDocument(store::Connection& conn, const SignedDocument& doc, int64_t by_user,
                        const Clock& clock);

// Errors: kNotFound document.not_found.
Result<DocumentRecord> FindDocument(store::Connection& conn, std::string_view doc_no);

struct DocumentVerdict {
  bool authentic = false;
  std::string reason;  // "" | "altered" | "signature_invalid" | "key_revoked"
};
// Whether the register row holds (both signatures valid over its payload, neither key revoked
// before signing) and, when pdf_bytes is given, whether the bytes are the registered ones.
DocumentVerdict CheckDocument(const DocumentRecord& record, const std::string* pdf_bytes);

}  // namespace hukou::trust
