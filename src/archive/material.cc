#include "archive/material.h"

#include <map>
#include <nlohmann/json.hpp>

#include "archive/content.h"
#include "trust/audit.h"
#include "trust/sm3.h"

namespace hukou::archive {
namespace {

constexpr char kSelect[] =
    "SELECT m.id, m.case_no, m.item_code, m.item_version, m.station_code, m.material_code, "
    "m.material_name, m.version, m.file_id, m.thumbnail_file_id, f.mime, f.sm3, f.size, m.source, "
    "m.original_name, m.step, m.late, m.captured_by, COALESCE(u.name, ''), m.captured_at, "
    "m.superseded_by FROM archive_materials m JOIN files f ON f.id = m.file_id "
    "LEFT JOIN users u ON u.id = m.captured_by ";

Material MaterialAt(const store::Rows& r, size_t i) {
  Material m;
  m.id = r.Int(i, 0);
  m.case_no = r.Text(i, 1);
  m.item_code = r.Text(i, 2);
  m.item_version = r.Int(i, 3);
  m.station_code = r.Text(i, 4);
  m.material_code = r.Text(i, 5);
  m.material_name = r.Text(i, 6);
  m.version = r.Int(i, 7);
  m.file_id = r.Int(i, 8);
  if (!r.IsNull(i, 9)) m.thumbnail_file_id = r.Int(i, 9);
  m.mime = r.Text(i, 10);
  m.sm3 = r.Text(i, 11);
  m.size = r.Int(i, 12);
  m.source = r.Text(i, 13);
  m.original_name = r.Text(i, 14);
  m.step = r.Text(i, 15);
  m.late = r.Int(i, 16) != 0;
  m.captured_by = r.Int(i, 17);
  m.captured_by_name = r.Text(i, 18);
  m.captured_at = r.Text(i, 19);
  if (!r.IsNull(i, 20)) m.superseded_by = r.Int(i, 20);
  return m;
}

bool IsSlotCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

Status CheckCaseNo(std::string_view case_no) {
  if (case_no.empty() || case_no.size() > 40) {
    return ValidationError("archive.case_no", "业务编号不能为空且不超过40个字符", "case_no");
  }
  for (char c : case_no) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return ValidationError("archive.case_no", "业务编号只能包含字母、数字、- 和 _", "case_no");
    }
  }
  return Status::Ok();
}

store::Value UserOrNull(const org::Actor& actor) {
  return actor.user_id == 0 ? store::Value{} : store::Value{actor.user_id};
}

Result<int64_t> InsertFile(store::Connection& conn, std::string_view bytes, const std::string& sm3,
                           const std::string& mime, const std::string& now,
                           const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows row,
      conn.Query("INSERT INTO files (sm3, mime, size, data, created_at, created_by) "
                 "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                 {sm3, mime, static_cast<int64_t>(bytes.size()), store::Blob{std::string(bytes)},
                  now, UserOrNull(actor)}));
  return row.Int(0, 0);
}

// The station the case's materials are filed under, or "" when nothing is captured yet.
Result<std::string> CaseStation(store::Connection& conn, std::string_view case_no) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(
          "SELECT station_code FROM archive_materials WHERE case_no = $1 ORDER BY id LIMIT 1",
          {std::string(case_no)}));
  return r.empty() ? std::string() : r.Text(0, 0);
}

}  // namespace

Result<PreparedContent> PrepareContent(std::string_view bytes, std::string_view file_name) {
  PreparedContent out;
  HUKOU_ASSIGN_OR_RETURN(out.mime, CheckMaterialBytes(bytes, file_name));
  HUKOU_ASSIGN_OR_RETURN(out.thumbnail, MakeThumbnail(bytes, out.mime));
  out.sm3 = trust::Sm3Hex(bytes);
  return out;
}

bool CanCapture(org::Role role) { return org::IsPolice(role) || role == org::Role::kWindowClerk; }

bool IsLate(std::string_view captured_at, std::string_view belongs_step_completed_at) {
  return !belongs_step_completed_at.empty() && captured_at > belongs_step_completed_at;
}

Result<Material> CaptureMaterial(store::Connection& conn, const Capture& c, const org::Actor& actor,
                                 const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(
      org::CheckRole(actor, actor.user_id == 0 || CanCapture(actor.role), "采集材料"));
  HUKOU_RETURN_IF_ERROR(CheckCaseNo(c.case_no));
  if (c.station_code.empty()) {
    return ValidationError("archive.station_code", "请指定办理派出所", "station_code");
  }
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, c.station_code));
  if (!IsSlotCode(c.material_code)) {
    return ValidationError("archive.material_code", "材料编码无效（小写字母、数字和下划线）",
                           "material_code");
  }
  static const std::vector<std::string> kSources = {"scan", "photo", "upload", "portrait",
                                                    "data_sharing"};
  if (std::find(kSources.begin(), kSources.end(), c.source) == kSources.end()) {
    return ValidationError("archive.source",
                           "采集方式须为 scan、photo、upload、portrait 或 data_sharing", "source");
  }
  if ((c.material_code == kPortraitSlot) != (c.source == "portrait")) {
    return ValidationError("archive.source", "现场人像须以 portrait 方式采集到 portrait 材料项",
                           "source");
  }
  PreparedContent content;
  if (c.prepared) {
    content = *c.prepared;
  } else {
    HUKOU_ASSIGN_OR_RETURN(content, PrepareContent(c.bytes, c.file_name));
  }
  const std::string& mime = content.mime;
  if (c.source == "portrait" && mime != "image/jpeg" && mime != "image/png") {
    return ValidationError("archive.type", "现场人像须为 JPEG 或 PNG 图像", "file");
  }
  HUKOU_ASSIGN_OR_RETURN(std::string station, CaseStation(conn, c.case_no));
  if (!station.empty() && station != c.station_code) {
    return ConflictError("archive.station_mismatch",
                         "该业务的材料已登记在派出所 " + station + " 名下", "station_code");
  }
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows prev,
      conn.Query("SELECT id, version FROM archive_materials WHERE case_no = $1 AND "
                 "material_code = $2 AND superseded_by IS NULL",
                 {c.case_no, c.material_code}));
  const std::string now = clock.NowIso();
  HUKOU_ASSIGN_OR_RETURN(int64_t file_id, InsertFile(conn, c.bytes, content.sm3, mime, now, actor));
  HUKOU_ASSIGN_OR_RETURN(int64_t thumb_id,
                         InsertFile(conn, content.thumbnail, trust::Sm3Hex(content.thumbnail),
                                    "image/jpeg", now, actor));
  const int64_t version = prev.empty() ? 1 : prev.Int(0, 1) + 1;
  const bool late = IsLate(now, c.belongs_step_completed_at);
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows row,
      conn.Query("INSERT INTO archive_materials (case_no, item_code, item_version, station_code, "
                 "material_code, material_name, version, file_id, thumbnail_file_id, source, "
                 "original_name, step, late, captured_by, captured_at) VALUES ($1, $2, $3, $4, "
                 "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
                 {c.case_no, c.item_code, int64_t{c.item_version}, c.station_code, c.material_code,
                  c.material_name.empty() ? c.material_code : c.material_name, version, file_id,
                  thumb_id, c.source, c.file_name.substr(0, 255), c.step, int64_t{late ? 1 : 0},
                  UserOrNull(actor), now}));
  const int64_t id = row.Int(0, 0);
  if (!prev.empty()) {
    HUKOU_ASSIGN_OR_RETURN(
        int64_t updated,
        conn.Exec("UPDATE archive_materials SET superseded_by = $1 WHERE id = $2 AND "
                  "superseded_by IS NULL",
                  {id, prev.Int(0, 0)}));
    if (updated != 1) {
      return ConflictError("archive.version_conflict", "该材料已被他人更新，请刷新后重试",
                           "material_code");
    }
  }
  nlohmann::json detail = {{"material_code", c.material_code},
                           {"version", version},
                           {"file_id", file_id},
                           {"sm3", content.sm3},
                           {"mime", mime},
                           {"source", c.source},
                           {"step", c.step},
                           {"late", late}};
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {actor.user_id, "archive.capture", "case", c.case_no, detail.dump()}, clock));
  HUKOU_ASSIGN_OR_RETURN(store::Rows out,
                         conn.Query(std::string(kSelect) + "WHERE m.id = $1", {id}));
  return MaterialAt(out, 0);
}

Result<std::vector<Material>> ListMaterials(store::Connection& conn, std::string_view case_no,
                                            const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(std::string(kSelect) + "WHERE m.case_no = $1 ORDER BY m.material_code, m.version",
                 {std::string(case_no)}));
  std::vector<Material> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(MaterialAt(r, i));
  if (!out.empty()) HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, out.front().station_code));
  return out;
}

Result<MaterialFile> ReadMaterialFile(store::Connection& conn, std::string_view case_no,
                                      int64_t material_id, bool thumbnail,
                                      const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                         conn.Query(std::string(kSelect) + "WHERE m.id = $1 AND m.case_no = $2",
                                    {material_id, std::string(case_no)}));
  if (r.empty()) return NotFoundError("archive.not_found", "未找到该材料", "material_id");
  MaterialFile out{MaterialAt(r, 0), {}, {}, {}};
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, out.material.station_code));
  int64_t file_id = out.material.file_id;
  if (thumbnail) {
    if (!out.material.thumbnail_file_id) {
      return NotFoundError("archive.no_thumbnail", "该材料没有缩略图", "material_id");
    }
    file_id = *out.material.thumbnail_file_id;
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows f,
                         conn.Query("SELECT mime, sm3, data FROM files WHERE id = $1", {file_id}));
  if (f.empty()) return NotFoundError("archive.not_found", "材料文件不存在", "material_id");
  out.mime = f.Text(0, 0);
  out.sm3 = f.Text(0, 1);
  if (const auto* blob = std::get_if<store::Blob>(&f.At(0, 2))) out.bytes = blob->bytes;
  return out;
}

Result<std::vector<MaterialHash>> CurrentMaterialHashes(store::Connection& conn,
                                                        std::string_view case_no) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT m.material_code, m.version, COALESCE(f.sm3, '') FROM archive_materials m "
                 "LEFT JOIN files f ON f.id = m.file_id WHERE m.case_no = $1 AND "
                 "m.superseded_by IS NULL ORDER BY m.material_code, m.version",
                 {std::string(case_no)}));
  std::vector<MaterialHash> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back({r.Text(i, 0), r.Int(i, 1), r.Text(i, 2)});
  return out;
}

Result<Completeness> GetCompleteness(store::Connection& conn, std::string_view case_no,
                                     const std::vector<catalog::Material>& materials) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(
          "SELECT material_code, COUNT(*), MAX(CASE WHEN superseded_by IS NULL THEN id END), "
          "MAX(CASE WHEN superseded_by IS NULL THEN late END) FROM archive_materials "
          "WHERE case_no = $1 GROUP BY material_code",
          {std::string(case_no)}));
  std::map<std::string, size_t> by_code;
  for (size_t i = 0; i < r.size(); ++i) by_code[r.Text(i, 0)] = i;
  Completeness out;
  out.case_no = std::string(case_no);
  for (const catalog::Material& m : materials) {
    SlotStatus s{m.code, m.name, m.capture, m.mandatory, m.system_verified, false, 0, {}, false};
    if (auto it = by_code.find(m.code); it != by_code.end()) {
      s.captured = true;
      s.versions = r.Int(it->second, 1);
      s.current_id = r.Int(it->second, 2);
      s.late = r.Int(it->second, 3) != 0;
    }
    if (m.mandatory && !m.system_verified && !s.captured) {
      out.complete = false;
      out.missing.push_back(m.name);
    }
    out.slots.push_back(std::move(s));
  }
  return out;
}

Status CheckComplete(store::Connection& conn, std::string_view case_no, const catalog::Item& item) {
  HUKOU_ASSIGN_OR_RETURN(Completeness c, GetCompleteness(conn, case_no, item.materials));
  if (c.complete) return Status::Ok();
  std::string names;
  for (const std::string& n : c.missing) names += (names.empty() ? "" : "、") + n;
  return BusinessRuleError("archive.incomplete", "材料不齐全，缺少：" + names, "materials");
}

Result<std::vector<int64_t>> MarkLateMaterials(store::Connection& conn, std::string_view case_no,
                                               std::string_view step_completed_at,
                                               const std::vector<std::string>& material_codes,
                                               const org::Actor& actor, const Clock& clock) {
  std::vector<int64_t> marked;
  if (step_completed_at.empty()) return marked;
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, material_code, captured_at FROM archive_materials WHERE case_no = $1 "
                 "AND superseded_by IS NULL AND late = 0 ORDER BY id",
                 {std::string(case_no)}));
  for (size_t i = 0; i < r.size(); ++i) {
    const std::string code = r.Text(i, 1);
    if (!material_codes.empty() &&
        std::find(material_codes.begin(), material_codes.end(), code) == material_codes.end()) {
      continue;
    }
    if (!IsLate(r.Text(i, 2), step_completed_at)) continue;
    HUKOU_RETURN_IF_ERROR(
        conn.Exec("UPDATE archive_materials SET late = 1 WHERE id = $1", {r.Int(i, 0)}).status());
    marked.push_back(r.Int(i, 0));
  }
  if (!marked.empty()) {
    nlohmann::json detail = {{"step_completed_at", step_completed_at}, {"material_ids", marked}};
    HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
        conn, {actor.user_id, "archive.mark_late", "case", std::string(case_no), detail.dump()},
        clock));
  }
  return marked;
}

}  // namespace hukou::archive
