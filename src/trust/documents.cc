#include "trust/documents.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "trust/audit.h"
#include "trust/keys.h"
#include "trust/sm3.h"

namespace hukou::trust {
namespace {

Signature StoredSignature(std::string kind, std::string id, int64_t key_id, std::string sm3,
                          std::string value) {
  return {std::move(kind), std::move(id), key_id, "SM2-SM3", std::move(sm3), std::move(value)};
}

bool RevokedBefore(const std::string& status, const std::string& revoked_at,
                   const std::string& signed_at) {
  return status == "revoked" && revoked_at <= signed_at;
}

}  // namespace

std::string NewDocumentNumber(const Clock& clock) {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  uint64_t n = 0;
  for (unsigned char b : bytes) n = (n << 8) | b;
  std::string digits = std::to_string(n % 10000000000ULL);
  digits.insert(0, 10 - digits.size(), '0');
  return "HK" + clock.Today().Compact() + digits;
}

std::string DocumentPayload(const NewDocument& doc, std::string_view pdf_sm3,
                            std::string_view signed_at) {
  return "hukou-document\ndoc_no=" + doc.doc_no + "\nkind=" + doc.kind +
         "\ncase_ref=" + doc.case_ref + "\npdf_sm3=" + std::string(pdf_sm3) +
         "\nsigned_at=" + std::string(signed_at) +
         "\nofficer_id=" + std::to_string(doc.officer_id) + "\nunit_code=" + doc.unit_code + "\n";
}

Result<SignedDocument> SignDocument(Signer& signer, const NewDocument& doc,
                                    std::string_view pdf_bytes, const Clock& clock) {
  auto printable = [](const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (unsigned char c : s) {
      if (c < 0x21 || c > 0x7e || c == '/') return false;
    }
    return true;
  };
  if (!printable(doc.doc_no)) {
    return ValidationError("document.doc_no", "文书编号须为 1–64 位可打印字符（不含 /）", "doc_no");
  }
  if (!printable(doc.kind)) return ValidationError("document.kind", "文书类型无效", "kind");
  SignedDocument s;
  s.doc = doc;
  s.pdf_sm3 = Sm3Hex(pdf_bytes);
  s.signed_at = clock.NowIso();
  const std::string payload = DocumentPayload(doc, s.pdf_sm3, s.signed_at);
  HUKOU_ASSIGN_OR_RETURN(s.seal, signer.SignAsUnit(doc.unit_code, payload));
  HUKOU_ASSIGN_OR_RETURN(s.officer, signer.SignAsOfficer(doc.officer_id, payload));
  return s;
}

Status RegisterDocument(store::Connection& conn, const SignedDocument& s, int64_t by_user,
                        const Clock& clock) {
  const NewDocument& d = s.doc;
  HUKOU_ASSIGN_OR_RETURN(store::Rows officer,
                         conn.Query("SELECT name FROM users WHERE id = $1", {d.officer_id}));
  if (officer.empty()) return ValidationError("document.officer", "签发民警不存在", "officer_id");
  HUKOU_ASSIGN_OR_RETURN(store::Rows unit,
                         conn.Query("SELECT name FROM units WHERE code = $1", {d.unit_code}));
  if (unit.empty()) return ValidationError("document.unit", "盖章单位不存在", "unit_code");
  auto inserted = conn.Query(
      "INSERT INTO documents (doc_no, kind, case_ref, pdf_sm3, signed_at, officer_id, "
      "officer_name, unit_code, unit_name, seal_key_id, seal_signature, officer_key_id, "
      "officer_signature, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
      "$13, $14) RETURNING id",
      {d.doc_no, d.kind, d.case_ref, s.pdf_sm3, s.signed_at, d.officer_id, officer.Text(0, 0),
       d.unit_code, unit.Text(0, 0), s.seal.key_id, s.seal.value, s.officer.key_id, s.officer.value,
       clock.NowIso()});
  if (!inserted.ok()) {
    if (inserted.error().code == "db.unique_violation") {
      return ConflictError("document.duplicate", "文书编号已存在：" + d.doc_no, "doc_no");
    }
    return inserted.status();
  }
  const std::string id = inserted->Text(0, 0);
  HUKOU_RETURN_IF_ERROR(
      RecordKeyUse(conn, s.seal, "document_seal", "document", id, by_user, clock));
  HUKOU_RETURN_IF_ERROR(
      RecordKeyUse(conn, s.officer, "document_signature", "document", id, by_user, clock));
  nlohmann::json detail = {
      {"doc_no", d.doc_no}, {"kind", d.kind}, {"case_ref", d.case_ref}, {"pdf_sm3", s.pdf_sm3}};
  return AppendAudit(conn, {by_user, "document.register", "document", id, detail.dump()}, clock);
}

Result<DocumentRecord> FindDocument(store::Connection& conn, std::string_view doc_no) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT d.id, d.doc_no, d.kind, d.case_ref, d.pdf_sm3, d.signed_at, d.officer_id, "
                 "d.officer_name, d.unit_code, d.unit_name, d.seal_key_id, d.seal_signature, "
                 "d.officer_key_id, d.officer_signature, s.public_key_pem, s.status, "
                 "COALESCE(s.revoked_at, ''), o.public_key_pem, o.status, "
                 "COALESCE(o.revoked_at, '') FROM documents d "
                 "JOIN signing_keys s ON s.id = d.seal_key_id "
                 "JOIN signing_keys o ON o.id = d.officer_key_id WHERE d.doc_no = $1",
                 {std::string(doc_no)}));
  if (r.empty()) return NotFoundError("document.not_found", "查无此文书编号", "doc_no");
  DocumentRecord rec;
  rec.id = r.Int(0, 0);
  SignedDocument& s = rec.signed_doc;
  s.doc = {r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Int(0, 6), r.Text(0, 8)};
  s.pdf_sm3 = r.Text(0, 4);
  s.signed_at = r.Text(0, 5);
  rec.officer_name = r.Text(0, 7);
  rec.unit_name = r.Text(0, 9);
  s.seal = StoredSignature(kOwnerUnit, s.doc.unit_code, r.Int(0, 10), "", r.Text(0, 11));
  s.officer = StoredSignature(kOwnerUser, std::to_string(s.doc.officer_id), r.Int(0, 12), "",
                              r.Text(0, 13));
  rec.seal_key_pem = r.Text(0, 14);
  rec.seal_key_status = r.Text(0, 15);
  rec.seal_key_revoked_at = r.Text(0, 16);
  rec.officer_key_pem = r.Text(0, 17);
  rec.officer_key_status = r.Text(0, 18);
  rec.officer_key_revoked_at = r.Text(0, 19);
  return rec;
}

DocumentVerdict CheckDocument(const DocumentRecord& rec, const std::string* pdf_bytes) {
  const SignedDocument& s = rec.signed_doc;
  const std::string payload = DocumentPayload(s.doc, s.pdf_sm3, s.signed_at);
  if (!VerifySignature(rec.seal_key_pem, payload, s.seal) ||
      !VerifySignature(rec.officer_key_pem, payload, s.officer)) {
    return {false, "signature_invalid"};
  }
  if (RevokedBefore(rec.seal_key_status, rec.seal_key_revoked_at, s.signed_at) ||
      RevokedBefore(rec.officer_key_status, rec.officer_key_revoked_at, s.signed_at)) {
    return {false, "key_revoked"};
  }
  if (pdf_bytes != nullptr && Sm3Hex(*pdf_bytes) != s.pdf_sm3) return {false, "altered"};
  return {true, ""};
}

}  // namespace hukou::trust
