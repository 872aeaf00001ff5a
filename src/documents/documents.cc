#include "documents/documents.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "archive/booklet.h"
#include "cases/engine.h"
#include "cases/rules.h"
#include "catalog/catalog.h"
#include "codes/code_tables.h"
#include "codes/id_number.h"
#include "org/units.h"
#include "render/seal.h"
#include "render/templates.h"
#include "trust/audit.h"
#include "trust/documents.h"
#include "trust/keys.h"
#include "trust/sm3.h"

namespace hukou::documents {
namespace {

using nlohmann::json;

constexpr char kSealText[] = "户籍专用章";

std::string CellBytes(const store::Rows& rows, size_t row, size_t col) {
  if (const auto* blob = std::get_if<store::Blob>(&rows.At(row, col))) return blob->bytes;
  return rows.Text(row, col);
}

Result<std::string> FileBytes(store::Connection& conn, int64_t file_id) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                         conn.Query("SELECT data FROM files WHERE id = $1", {file_id}));
  if (r.empty()) return NotFoundError("file.not_found", "文件不存在", "file_id");
  return CellBytes(r, 0, 0);
}

Result<int64_t> StoreFile(store::Connection& conn, const std::string& bytes, const char* mime,
                          int64_t by_user, const Clock& clock) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("INSERT INTO files (sm3, mime, size, data, created_at, created_by) VALUES ($1, "
                 "$2, $3, $4, $5, $6) RETURNING id",
                 {trust::Sm3Hex(bytes), std::string(mime), static_cast<int64_t>(bytes.size()),
                  store::Blob{bytes}, clock.NowIso(), by_user}));
  return r.Int(0, 0);
}

// "2026-11-22T01:41:00Z" → China time "2026年11月22日 09:41" (with_time) or "2026年11月22日".
std::string ChinaTime(std::string_view iso, bool with_time) {
  std::optional<Date> d = Date::Parse(iso.substr(0, std::min<size_t>(10, iso.size())));
  if (!d || iso.size() < 16) return std::string(iso);
  int minutes = std::stoi(std::string(iso.substr(11, 2))) * 60 +
                std::stoi(std::string(iso.substr(14, 2))) + 8 * 60;
  if (minutes >= 24 * 60) {
    minutes -= 24 * 60;
    d = Date::FromDays(d->ToDays() + 1);
  }
  const std::string day = d->ToString();
  std::string out = day.substr(0, 4) + "年" + day.substr(5, 2) + "月" + day.substr(8, 2) + "日";
  if (!with_time) return out;
  const auto two = [](int n) { return std::string(n < 10 ? "0" : "") + std::to_string(n); };
  return out + " " + two(minutes / 60) + ":" + two(minutes % 60);
}

std::string UnitName(store::Connection& conn, std::string_view code) {
  auto u = org::FindUnit(conn, code);
  return u.ok() ? u->name : std::string(code);
}

std::string FieldTitle(const std::string& key) {
  static const std::map<std::string, std::string> kTitles = {{"name", "姓名"},
                                                             {"sex", "性别"},
                                                             {"ethnicity", "民族"},
                                                             {"birth_date", "出生日期"},
                                                             {"id_number", "公民身份号码"},
                                                             {"native_place", "籍贯"},
                                                             {"education", "文化程度"},
                                                             {"marital_status", "婚姻状况"},
                                                             {"occupation", "职业"},
                                                             {"workplace", "服务处所"},
                                                             {"religion", "宗教信仰"},
                                                             {"military_service", "兵役状况"},
                                                             {"phone", "联系电话"}};
  auto it = kTitles.find(key);
  return it == kTitles.end() ? key : it->second;
}

std::string DecisionTitle(const std::string& decision) {
  if (decision == "approve") return "同意";
  if (decision == "return") return "退回补正";
  if (decision == "reject") return "不予批准";
  return decision;
}

// The name of a code in a national code table (relation, sex, ethnicity, …), else the code.
std::string CodeName(std::string_view table, const std::string& code) {
  return codes::CodeTables::Get().Name(table, code).value_or(code);
}

std::vector<render::Change> Changes(const cases::Case& c) {
  std::vector<render::Change> out;
  const json form = json::parse(c.form, nullptr, false);
  if (!form.is_object() || !form.contains("changes") || !form["changes"].is_object()) return out;
  for (const auto& [k, v] : form["changes"].items()) {
    const std::string value = v.is_string() ? v.get<std::string>() : v.dump();
    out.push_back({FieldTitle(k), "",
                   codes::CodeTables::Get().Contains(k, value) ? CodeName(k, value) : value});
  }
  return out;
}

std::vector<render::Person> Subjects(const cases::Case& c, bool full_ids) {
  std::vector<render::Person> out;
  for (const cases::CasePerson& p : c.persons) {
    std::string id = p.id_number;
    if (!full_ids && !id.empty()) id = codes::MaskIdNumber(id);
    out.push_back(
        {p.name, id,
         p.relation_to_head.empty() ? "办理对象" : CodeName("relation", p.relation_to_head)});
  }
  return out;
}

const cases::CaseStep* LastDecision(const cases::Case& c) {
  const cases::CaseStep* last = nullptr;
  for (const cases::CaseStep& s : c.steps) {
    if (s.chain_index >= 0) last = &s;
  }
  return last;
}

// What a document is issued from: the signing officer and unit, and what it shows (basis).
struct Plan {
  std::string kind;
  std::string case_no;
  std::string basis;
  int64_t officer_id = 0;
  std::string unit_code;
};

struct Stored {
  std::string doc_no;
  int64_t file_id = 0;
  std::string unit_name, signed_at;
};

Result<std::optional<Stored>> FindStored(store::Connection& conn, const Plan& plan) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT c.doc_no, c.file_id, d.unit_name, d.signed_at FROM case_documents c "
                 "JOIN documents d ON d.id = c.document_id "
                 "WHERE c.case_no = $1 AND c.kind = $2 AND c.basis = $3",
                 {plan.case_no, plan.kind, plan.basis}));
  if (r.empty()) return std::optional<Stored>();
  return std::optional<Stored>(Stored{r.Text(0, 0), r.Int(0, 1), r.Text(0, 2), r.Text(0, 3)});
}

Result<std::optional<IssuedDocument>> ReadStored(store::Database& db, const Plan& plan) {
  std::optional<IssuedDocument> out;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    out.reset();
    HUKOU_ASSIGN_OR_RETURN(std::optional<Stored> s, FindStored(conn, plan));
    if (!s) return Status::Ok();
    HUKOU_ASSIGN_OR_RETURN(std::string pdf, FileBytes(conn, s->file_id));
    out = IssuedDocument{s->doc_no,    plan.kind,    plan.case_no, std::move(pdf),
                         s->unit_name, s->signed_at, true};
    return Status::Ok();
  }));
  return out;
}

using RenderFn = std::function<Result<render::RenderedPdf>(const render::Authenticity&)>;

// The registered document of the plan, or a new one: rendered and signed outside any
// transaction, then stored and registered in one write transaction. Of two concurrent first
// requests one registers; the other returns the winner's document.
Result<IssuedDocument> Produce(store::Database& db, const Clock& clock, trust::Signer& signer,
                               const Plan& plan, std::string_view base_url, const org::Actor& actor,
                               const RenderFn& render_fn) {
  HUKOU_ASSIGN_OR_RETURN(std::optional<IssuedDocument> stored, ReadStored(db, plan));
  if (stored) return std::move(*stored);
  render::Authenticity marks;
  HUKOU_ASSIGN_OR_RETURN(marks.seal_png, SealImage(db, plan.unit_code, clock));
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    marks.unit_name = UnitName(conn, plan.unit_code);
    return Status::Ok();
  }));
  marks.document_number = trust::NewDocumentNumber(clock);
  marks.verify_url = VerifyUrl(base_url, marks.document_number);
  marks.issued_at = clock.NowIso();
  marks.date = ChinaTime(marks.issued_at, false);
  HUKOU_ASSIGN_OR_RETURN(render::RenderedPdf pdf, render_fn(marks));
  const trust::NewDocument doc{marks.document_number, plan.kind, plan.case_no, plan.officer_id,
                               plan.unit_code};
  HUKOU_ASSIGN_OR_RETURN(trust::SignedDocument signed_doc,
                         trust::SignDocument(signer, doc, pdf.bytes, clock));
  Status written = db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(int64_t file_id,
                           StoreFile(conn, pdf.bytes, "application/pdf", actor.user_id, clock));
    HUKOU_RETURN_IF_ERROR(trust::RegisterDocument(conn, signed_doc, actor.user_id, clock));
    HUKOU_ASSIGN_OR_RETURN(trust::DocumentRecord rec, trust::FindDocument(conn, doc.doc_no));
    return conn
        .Exec(
            "INSERT INTO case_documents (case_no, kind, basis, document_id, doc_no, file_id, "
            "created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            {plan.case_no, plan.kind, plan.basis, rec.id, doc.doc_no, file_id, clock.NowIso(),
             actor.user_id})
        .status();
  });
  if (!written.ok()) {
    if (written.error().code != "db.unique_violation") return written.error();
    HUKOU_ASSIGN_OR_RETURN(stored, ReadStored(db, plan));
    if (!stored) return written.error();
    return std::move(*stored);
  }
  return IssuedDocument{
      doc.doc_no,           plan.kind, plan.case_no, std::move(pdf.bytes), marks.unit_name,
      signed_doc.signed_at, false};
}

struct CaseView {
  cases::Case c;
  catalog::Item item;
  std::map<std::string, std::string> unit_names;
};

Result<CaseView> ReadCase(store::Database& db, const Clock& clock, std::string_view case_no,
                          const org::Actor& actor) {
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, org::CanReadPersons(actor.role), "查阅办件文书"));
  CaseView v;
  HUKOU_ASSIGN_OR_RETURN(v.c, cases::Engine(db, clock).Get(case_no, actor));
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(v.item, catalog::GetItem(conn, v.c.item_code, v.c.item_version));
    for (const cases::CaseStep& s : v.c.steps)
      v.unit_names[s.unit_code] = UnitName(conn, s.unit_code);
    return Status::Ok();
  }));
  return v;
}

Result<render::RenderedPdf> RenderReceipt(const CaseView& v, std::string_view base_url,
                                          const render::Authenticity& marks) {
  const cases::Case& c = v.c;
  render::ReceiptData d;
  d.case_number = c.case_no;
  d.item_code = c.item_code;
  d.item_name = c.item_name;
  d.applicant = {c.applicant_name, codes::MaskIdNumber(c.applicant_id_number), "申请人"};
  d.applicant_phone = c.applicant_phone;
  d.subjects = Subjects(c, false);
  for (const cases::CaseMaterial& m : c.materials) {
    if (m.state == "missing") {
      if (m.mandatory) d.materials_missing.push_back(m.name);
    } else {
      d.materials_received.push_back(m.state == "system_verified" ? m.name + "（部门核验）"
                                                                  : m.name);
    }
  }
  for (const cases::CaseFee& f : c.fees) {
    d.fees.push_back({f.amount_fen > 0 ? c.item_name : f.free_reason, f.amount_fen});
  }
  d.receiving_window = c.receiving_unit_name;
  d.officer = c.receiving_user_name;
  d.received_at = ChinaTime(c.received_at, true);
  d.due_date = c.due_date;
  // With a 查询码 the short form /p/<case_no>-<code> (the console turns it into the portal's
  // progress page): the printed link under the QR code stays short enough for the closing block.
  d.progress_url = c.query_code.empty()
                       ? std::string(base_url) + "/portal/progress?case_no=" + c.case_no
                       : std::string(base_url) + "/p/" + c.case_no + "-" + c.query_code;
  d.marks = marks;
  return render::RenderReceipt(d);
}

Result<render::RenderedPdf> RenderForm(const CaseView& v, const render::Authenticity& marks) {
  const cases::Case& c = v.c;
  render::ApprovalFormData d;
  d.case_number = c.case_no;
  d.item_code = c.item_code;
  d.item_name = c.item_name;
  d.legal_basis = v.item.legal_basis;
  d.applicant = {c.applicant_name, c.applicant_id_number, "申请人"};
  d.subjects = Subjects(c, true);
  const json form = json::parse(c.form, nullptr, false);
  d.reason = form.is_object() && form.contains("reason") && form["reason"].is_string()
                 ? form["reason"].get<std::string>()
                 : "申请办理" + c.item_name;
  d.changes = Changes(c);
  for (const cases::CaseStep& s : c.steps) {
    if (s.chain_index < 0) continue;
    d.steps.push_back(
        {std::string(cases::LevelTitle(s.level)) + std::string(cases::ActionTitle(s.action)),
         v.unit_names.at(s.unit_code), s.officer_name, s.opinion, DecisionTitle(s.decision),
         ChinaTime(s.acted_at, true), s.signed_});
  }
  d.receiving_unit = c.receiving_unit_name;
  d.received_at = ChinaTime(c.received_at, true);
  d.marks = marks;
  return render::RenderApprovalForm(d);
}

Result<render::RenderedPdf> RenderNoticeOf(const CaseView& v, const render::Authenticity& marks) {
  const cases::Case& c = v.c;
  render::NoticeData d;
  d.case_number = c.case_no;
  d.item_name = c.item_name;
  d.applicant_name = c.applicant_name;
  d.received_date = ChinaTime(c.received_at, false);
  d.legal_basis = v.item.legal_basis;
  d.subjects = Subjects(c, false);
  d.changes = Changes(c);
  d.pickup_place = c.receiving_unit_name;
  d.pickup_note = "请携带本人居民身份证及户口簿，到上述地点领取办理结果。";
  d.marks = marks;
  return render::RenderNotice(d);
}

// The plan of a case document, or the reason it cannot exist yet.
Result<Plan> PlanFor(const cases::Case& c, std::string_view kind) {
  Plan p;
  p.kind = std::string(kind);
  p.case_no = c.case_no;
  if (kind == kReceipt) {
    int n = 0;
    for (const cases::CaseStep& s : c.steps) {
      if (s.action != "receive" && s.action != "resubmit") continue;
      ++n;
      p.officer_id = s.officer_id;
    }
    if (n == 0) p.officer_id = c.receiving_user_id;
    p.unit_code = c.receiving_station_code;
    p.basis = "received:" + std::to_string(n);
    return p;
  }
  const cases::CaseStep* last = LastDecision(c);
  if (kind == kApprovalForm) {
    if (!last) {
      return NotFoundError("document.no_step", "该件尚无审批步骤，还不能生成审批表", "case_no");
    }
    p.officer_id = last->officer_id;
    p.unit_code = last->unit_code;
    p.basis = "steps:" + std::to_string(last->step_no);
    return p;
  }
  if (kind == kNotice) {
    if (c.status != cases::kApproved && c.status != cases::kIssued) {
      return NotFoundError("document.not_approved", "该件尚未审批通过，没有办理通知书", "case_no");
    }
    p.officer_id = last->officer_id;
    p.unit_code = last->unit_code;
    p.basis = "approved";
    return p;
  }
  return ValidationError("document.kind", "文书类型须为 receipt、approval_form 或 notice", "kind");
}

}  // namespace

std::string VerifyUrl(std::string_view base_url, std::string_view doc_no) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/verify/" + std::string(doc_no);
}

Result<std::string> SealImage(store::Database& db, std::string_view unit_code, const Clock& clock) {
  std::string png, name;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(int64_t file_id, trust::SealImage(conn, unit_code));
    name = UnitName(conn, unit_code);
    if (file_id == 0) return Status::Ok();
    HUKOU_ASSIGN_OR_RETURN(png, FileBytes(conn, file_id));
    return Status::Ok();
  }));
  if (!png.empty()) return png;
  HUKOU_ASSIGN_OR_RETURN(png, render::DrawSealPng(name, kSealText));
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(int64_t file_id, StoreFile(conn, png, "image/png", 0, clock));
    return trust::SetSealImage(conn, unit_code, file_id, 0, clock);
  }));
  return png;
}

Result<int> DrawMissingSealImages(store::Database& db, const Clock& clock) {
  std::vector<std::string> units;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows r, conn.Query("SELECT owner_id FROM signing_keys WHERE owner_kind = 'unit' AND "
                                  "status = 'active' AND seal_image_file_id IS NULL "
                                  "ORDER BY owner_id"));
    units.clear();
    for (size_t i = 0; i < r.size(); ++i) units.push_back(r.Text(i, 0));
    return Status::Ok();
  }));
  for (const std::string& unit : units) {
    HUKOU_RETURN_IF_ERROR(SealImage(db, unit, clock).status());
  }
  return static_cast<int>(units.size());
}

Result<IssuedDocument> Issuer::CaseDocument(std::string_view case_no, std::string_view kind,
                                            std::string_view base_url, const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(CaseView v, ReadCase(db_, clock_, case_no, actor));
  HUKOU_ASSIGN_OR_RETURN(Plan plan, PlanFor(v.c, kind));
  const std::string base(base_url);
  return Produce(db_, clock_, signer_, plan, base_url, actor,
                 [&](const render::Authenticity& marks) -> Result<render::RenderedPdf> {
                   if (kind == kReceipt) return RenderReceipt(v, base, marks);
                   if (kind == kApprovalForm) return RenderForm(v, marks);
                   return RenderNoticeOf(v, marks);
                 });
}

Result<IssuedDocument> Issuer::Booklet(std::string_view case_no, std::string_view base_url,
                                       const org::Actor& actor) {
  archive::Booklet b;
  std::vector<archive::CatalogueEntry> entries;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(b, archive::GetBooklet(conn, case_no, actor));
    HUKOU_ASSIGN_OR_RETURN(entries, archive::BookletCatalogue(conn, b.case_no, actor));
    return Status::Ok();
  }));
  HUKOU_ASSIGN_OR_RETURN(CaseView v, ReadCase(db_, clock_, b.case_no, actor));
  std::vector<IssuedDocument> docs;
  for (const char* kind : {kReceipt, kApprovalForm, kNotice}) {
    if (!PlanFor(v.c, kind).ok()) continue;
    HUKOU_ASSIGN_OR_RETURN(IssuedDocument d, CaseDocument(b.case_no, kind, base_url, actor));
    docs.push_back(std::move(d));
  }
  std::string basis_text;
  for (const IssuedDocument& d : docs) basis_text += d.doc_no + "\n";
  for (const archive::CatalogueEntry& e : entries) basis_text += e.sm3 + "\n";
  Plan plan{kBooklet, b.case_no, "content:" + trust::Sm3Hex(basis_text), actor.user_id,
            b.station_code};
  return Produce(
      db_, clock_, signer_, plan, base_url, actor,
      [&](const render::Authenticity& marks) -> Result<render::RenderedPdf> {
        render::BookletData d;
        d.archive_code = b.archive_code;
        d.case_number = b.case_no;
        std::string title = b.volume_type;
        if (auto t = archive::FindVolumeType(b.volume_type)) title = std::string(t->title);
        d.volume = std::to_string(b.year) + "年 " + title + " 卷";
        d.station = marks.unit_name;
        d.verify_url = marks.verify_url;
        d.created = marks.issued_at;
        d.marks = marks;
        d.officer = actor.name;
        for (const IssuedDocument& doc : docs) {
          const char* t = doc.kind == kReceipt        ? "受理收件单"
                          : doc.kind == kApprovalForm ? "户口业务审批表"
                                                      : "准予办理通知书";
          d.items.push_back(
              {t, doc.doc_no, doc.unit_name, ChinaTime(doc.signed_at, false), doc.pdf, ""});
        }
        Status files = db_.Read([&](store::Connection& conn) -> Status {
          for (const archive::CatalogueEntry& e : entries) {
            if (e.mime != "application/pdf" && e.mime != "image/png" && e.mime != "image/jpeg") {
              continue;
            }
            HUKOU_ASSIGN_OR_RETURN(std::string bytes, FileBytes(conn, e.file_id));
            d.items.push_back({e.title, "", e.captured_by_name, ChinaTime(e.captured_at, false),
                               std::move(bytes), e.late ? "补采" : ""});
          }
          return Status::Ok();
        });
        HUKOU_RETURN_IF_ERROR(files);
        return render::RenderBooklet(d);
      });
}

}  // namespace hukou::documents
