#include "archive/booklet.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "registry/person.h"
#include "trust/audit.h"

namespace hukou::archive {
namespace {

store::Value UserOrNull(const org::Actor& actor) {
  return actor.user_id == 0 ? store::Value{} : store::Value{actor.user_id};
}

// The China-time (UTC+8) date of an ISO UTC instant "YYYY-MM-DDTHH:…", or nullopt.
std::optional<Date> ChinaDate(std::string_view iso) {
  if (iso.size() < 13 || iso[10] != 'T') return std::nullopt;
  std::optional<Date> d = Date::Parse(iso.substr(0, 10));
  if (!d) return std::nullopt;
  const int hour = (iso[11] - '0') * 10 + (iso[12] - '0');
  if (hour < 0 || hour > 23) return std::nullopt;
  return hour + 8 >= 24 ? Date::FromDays(d->ToDays() + 1) : *d;
}

// The UTC instant at which China-time `date` starts (00:00 +08:00 = 16:00 UTC the day before).
std::string ChinaDayStartUtc(const Date& date) {
  return Date::FromDays(date.ToDays() - 1).ToString() + "T16:00:00";
}

constexpr char kBookletSelect[] =
    "SELECT b.id, b.archive_code, b.case_no, v.code, v.volume_type, v.year, b.sequence, "
    "b.station_code, b.receiving_station_code, b.item_code, b.item_version, b.item_name, "
    "b.applicant_name, b.applicant_id_number, b.outcome, b.received_at, b.closed_at, "
    "b.archived_at, (SELECT COUNT(*) FROM archive_materials m WHERE m.case_no = b.case_no AND "
    "m.superseded_by IS NULL), p.location, p.binding_batch, p.registered_at, "
    "COALESCE(bb.bound_at, '') FROM archive_booklets b JOIN archive_volumes v ON v.id = "
    "b.volume_id LEFT JOIN archive_paper_files p ON p.id = (SELECT MAX(id) FROM "
    "archive_paper_files q WHERE q.case_no = b.case_no) LEFT JOIN archive_binding_batches bb ON "
    "bb.station_code = b.station_code AND bb.batch = p.binding_batch ";

Booklet BookletAt(const store::Rows& r, size_t i) {
  Booklet b;
  b.id = r.Int(i, 0);
  b.archive_code = r.Text(i, 1);
  b.case_no = r.Text(i, 2);
  b.volume_code = r.Text(i, 3);
  b.volume_type = r.Text(i, 4);
  b.year = r.Int(i, 5);
  b.sequence = r.Int(i, 6);
  b.station_code = r.Text(i, 7);
  b.receiving_station_code = r.Text(i, 8);
  b.item_code = r.Text(i, 9);
  b.item_version = r.Int(i, 10);
  b.item_name = r.Text(i, 11);
  b.applicant_name = r.Text(i, 12);
  b.applicant_id_number = r.Text(i, 13);
  b.outcome = r.Text(i, 14);
  b.received_at = r.Text(i, 15);
  b.closed_at = r.Text(i, 16);
  b.archived_at = r.Text(i, 17);
  b.material_count = r.Int(i, 18);
  b.paper_location = r.Text(i, 19);
  b.paper_batch = r.Text(i, 20);
  b.paper_registered_at = r.Text(i, 21);
  b.bound_at = r.Text(i, 22);
  return b;
}

Result<std::optional<Booklet>> FindBooklet(store::Connection& conn, std::string_view key) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(std::string(kBookletSelect) + "WHERE b.case_no = $1 OR b.archive_code = $1",
                 {std::string(key)}));
  if (r.empty()) return std::optional<Booklet>();
  return std::optional<Booklet>(BookletAt(r, 0));
}

Status CheckPolice(const org::Actor& actor, std::string_view what) {
  return org::CheckRole(actor, actor.user_id == 0 || org::IsPolice(actor.role), what);
}

Status CheckText(std::string_view value, size_t max, const char* field, const char* label) {
  if (value.empty() || value.size() > max) {
    return ValidationError(std::string("archive.") + field,
                           std::string(label) + "不能为空且不超过" + std::to_string(max) + "字节",
                           field);
  }
  return Status::Ok();
}

}  // namespace

const std::vector<VolumeType>& VolumeTypes() {
  static const std::vector<VolumeType> types = {
      {"birth", "CS", "出生"},         {"death", "SW", "死亡"},
      {"migrate_in", "QR", "迁入"},    {"migrate_out", "QC", "迁出"},
      {"change", "BG", "变更更正"},    {"booklet", "HKB", "户口簿"},
      {"household", "FH", "分户立户"}, {"other", "QT", "其他"},
      {"city_wide", "QY", "全域通办"},
  };
  return types;
}

std::optional<VolumeType> FindVolumeType(std::string_view name) {
  for (const VolumeType& t : VolumeTypes()) {
    if (t.name == name) return t;
  }
  return std::nullopt;
}

std::string_view VolumeTypeFor(std::string_view effect, std::string_view station_code,
                               std::string_view receiving_station_code) {
  if (!receiving_station_code.empty() && receiving_station_code != station_code) {
    return "city_wide";
  }
  if (effect == "birth" || effect == "register") return "birth";
  if (effect == "death" || effect == "cancel") return "death";
  if (effect == "migrate_in" || effect == "restore") return "migrate_in";
  if (effect == "migrate_out") return "migrate_out";
  if (effect == "change_main" || effect == "change_aux") return "change";
  if (effect == "document") return "booklet";
  if (effect.starts_with("household_")) return "household";
  return "other";
}

Result<Booklet> ArchiveCase(store::Connection& conn, const CaseFacts& f, const org::Actor& actor,
                            const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(CheckPolice(actor, "归档"));
  HUKOU_RETURN_IF_ERROR(CheckText(f.case_no, 40, "case_no", "业务编号"));
  HUKOU_RETURN_IF_ERROR(CheckText(f.station_code, 32, "station_code", "办理派出所"));
  HUKOU_RETURN_IF_ERROR(CheckText(f.item_code, 32, "item_code", "事项编码"));
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, f.station_code));
  std::optional<Date> closed = ChinaDate(f.closed_at);
  if (!closed) {
    return ValidationError("archive.closed_at", "办结时间应为 ISO-8601 UTC 时间", "closed_at");
  }
  HUKOU_ASSIGN_OR_RETURN(std::optional<Booklet> existing, FindBooklet(conn, f.case_no));
  if (existing) return *existing;
  const VolumeType type =
      *FindVolumeType(VolumeTypeFor(f.effect, f.station_code, f.receiving_station_code));
  const std::string volume_code =
      f.station_code + "-" + std::to_string(closed->year) + "-" + std::string(type.code);
  const std::string now = clock.NowIso();
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("INSERT INTO archive_volumes (station_code, year, volume_type, code, created_at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (station_code, year, volume_type) DO "
                "NOTHING",
                {f.station_code, int64_t{closed->year}, std::string(type.name), volume_code, now})
          .status());
  // The increment takes the volume row's lock, so concurrent closings get distinct sequences.
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows vol,
      conn.Query("UPDATE archive_volumes SET booklet_count = booklet_count + 1 WHERE code = $1 "
                 "RETURNING id, booklet_count",
                 {volume_code}));
  const int64_t sequence = vol.Int(0, 1);
  char seq[16];
  std::snprintf(seq, sizeof seq, "%04lld", static_cast<long long>(sequence));
  const std::string archive_code = volume_code + "-" + seq;
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("INSERT INTO archive_booklets (archive_code, case_no, volume_id, sequence, "
                "station_code, receiving_station_code, item_code, item_version, item_name, "
                "applicant_name, applicant_id_number, outcome, received_at, closed_at, "
                "archived_at, archived_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                "$12, $13, $14, $15, $16)",
                {archive_code, f.case_no, vol.Int(0, 0), sequence, f.station_code,
                 f.receiving_station_code, f.item_code, int64_t{f.item_version}, f.item_name,
                 f.applicant_name, f.applicant_id_number, f.outcome, f.received_at, f.closed_at,
                 now, UserOrNull(actor)})
          .status());
  nlohmann::json detail = {{"archive_code", archive_code}, {"volume", volume_code}};
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {actor.user_id, "archive.file", "case", f.case_no, detail.dump()}, clock));
  HUKOU_ASSIGN_OR_RETURN(std::optional<Booklet> created, FindBooklet(conn, f.case_no));
  return *created;
}

Result<Booklet> GetBooklet(store::Connection& conn, std::string_view key, const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(std::optional<Booklet> b, FindBooklet(conn, key));
  if (!b) return NotFoundError("archive.booklet_not_found", "该业务尚未归档", "case_no");
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, b->station_code));
  return *b;
}

Result<std::vector<Volume>> ListVolumes(store::Connection& conn, std::string_view station_code,
                                        std::optional<int64_t> year, const org::Actor& actor) {
  std::vector<store::Value> params;
  std::string sql =
      "SELECT v.id, v.code, v.station_code, COALESCE(u.name, ''), v.year, v.volume_type, "
      "v.booklet_count FROM archive_volumes v LEFT JOIN units u ON u.code = v.station_code "
      "WHERE 1 = 1" +
      registry::internal::ScopeFilter("v.station_code", actor, params);
  if (!station_code.empty()) {
    params.emplace_back(std::string(station_code));
    sql += " AND v.station_code = $" + std::to_string(params.size());
  }
  if (year) {
    params.emplace_back(*year);
    sql += " AND v.year = $" + std::to_string(params.size());
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                         conn.Query(sql + " ORDER BY v.station_code, v.year DESC, v.id", params));
  std::vector<Volume> out;
  for (size_t i = 0; i < r.size(); ++i) {
    Volume v{r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
             r.Int(i, 4), r.Text(i, 5), "",           r.Int(i, 6)};
    if (auto t = FindVolumeType(v.volume_type)) v.volume_title = std::string(t->title);
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<Booklet>> ListBooklets(store::Connection& conn, std::string_view volume_code,
                                          int limit, int offset, const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows v,
                         conn.Query("SELECT station_code FROM archive_volumes WHERE code = $1",
                                    {std::string(volume_code)}));
  if (v.empty()) return NotFoundError("archive.volume_not_found", "未找到该卷", "volume");
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, v.Text(0, 0)));
  HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                         conn.Query(std::string(kBookletSelect) +
                                        "WHERE v.code = $1 ORDER BY b.sequence LIMIT $2 OFFSET $3",
                                    {std::string(volume_code), int64_t{limit}, int64_t{offset}}));
  std::vector<Booklet> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(BookletAt(r, i));
  return out;
}

Result<std::vector<CatalogueEntry>> BookletCatalogue(store::Connection& conn,
                                                     std::string_view case_no,
                                                     const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(std::vector<Material> all, ListMaterials(conn, case_no, actor));
  std::vector<const Material*> current;
  for (const Material& m : all) {
    if (m.current()) current.push_back(&m);
  }
  // Slots in the order they were first captured, the portrait last.
  auto first_capture = [&all](const Material* m) {
    for (const Material& a : all) {
      if (a.material_code == m->material_code && a.version == 1) return a.id;
    }
    return m->id;
  };
  std::stable_sort(current.begin(), current.end(), [&](const Material* a, const Material* b) {
    const bool pa = a->material_code == kPortraitSlot;
    const bool pb = b->material_code == kPortraitSlot;
    if (pa != pb) return pb;
    return first_capture(a) < first_capture(b);
  });
  std::vector<CatalogueEntry> out;
  for (const Material* m : current) {
    out.push_back({static_cast<int>(out.size()) + 1, m->material_name, m->material_code, m->id,
                   m->version, m->file_id, m->mime, m->sm3, m->source, m->captured_at,
                   m->captured_by_name, m->late});
  }
  return out;
}

Result<Booklet> RegisterPaperFile(store::Connection& conn, std::string_view case_no,
                                  std::string_view location, std::string_view binding_batch,
                                  const org::Actor& actor, const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(CheckPolice(actor, "登记纸质档案"));
  HUKOU_RETURN_IF_ERROR(CheckText(location, 200, "location", "存放位置"));
  HUKOU_RETURN_IF_ERROR(CheckText(binding_batch, 40, "binding_batch", "装订批次"));
  HUKOU_ASSIGN_OR_RETURN(Booklet b, GetBooklet(conn, case_no, actor));
  if (!b.bound_at.empty()) {
    return BusinessRuleError("archive.already_bound", "该纸质档案所在批次已装订，不能再登记",
                             "binding_batch");
  }
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows bound,
      conn.Query("SELECT bound_at FROM archive_binding_batches WHERE station_code = $1 AND "
                 "batch = $2",
                 {b.station_code, std::string(binding_batch)}));
  if (!bound.empty()) {
    return BusinessRuleError("archive.batch_bound", "该装订批次已装订，请选择新批次",
                             "binding_batch");
  }
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("INSERT INTO archive_paper_files (case_no, station_code, location, binding_batch, "
                "registered_at, registered_by) VALUES ($1, $2, $3, $4, $5, $6)",
                {b.case_no, b.station_code, std::string(location), std::string(binding_batch),
                 clock.NowIso(), UserOrNull(actor)})
          .status());
  nlohmann::json detail = {{"location", location}, {"binding_batch", binding_batch}};
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {actor.user_id, "archive.paper", "case", b.case_no, detail.dump()}, clock));
  return GetBooklet(conn, b.case_no, actor);
}

Status BindBatch(store::Connection& conn, std::string_view station_code, std::string_view batch,
                 const org::Actor& actor, const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(CheckPolice(actor, "装订纸质档案"));
  HUKOU_RETURN_IF_ERROR(CheckText(batch, 40, "binding_batch", "装订批次"));
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, station_code));
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows n,
      conn.Query("SELECT COUNT(*) FROM archive_paper_files WHERE station_code = $1 AND "
                 "binding_batch = $2",
                 {std::string(station_code), std::string(batch)}));
  if (n.Int(0, 0) == 0) {
    return NotFoundError("archive.batch_not_found", "该批次没有登记的纸质档案", "binding_batch");
  }
  auto inserted = conn.Exec(
      "INSERT INTO archive_binding_batches (station_code, batch, bound_at, bound_by) VALUES ($1, "
      "$2, $3, $4) ON CONFLICT (station_code, batch) DO NOTHING",
      {std::string(station_code), std::string(batch), clock.NowIso(), UserOrNull(actor)});
  if (!inserted.ok()) return inserted.status();
  if (*inserted == 0) return ConflictError("archive.batch_bound", "该批次已装订", "binding_batch");
  nlohmann::json detail = {
      {"station_code", station_code}, {"batch", batch}, {"files", n.Int(0, 0)}};
  return trust::AppendAudit(
      conn, {actor.user_id, "archive.bind", "binding_batch", std::string(batch), detail.dump()},
      clock);
}

Result<std::vector<BindingMonth>> BindingStatus(store::Connection& conn,
                                                std::string_view station_code,
                                                std::optional<int64_t> year,
                                                const org::Actor& actor) {
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, station_code));
  const int y = static_cast<int>(year.value_or(0));
  std::vector<store::Value> params = {std::string(station_code)};
  std::string sql = std::string(kBookletSelect) + "WHERE b.station_code = $1";
  if (year) {
    params.emplace_back(ChinaDayStartUtc({y, 1, 1}));
    params.emplace_back(ChinaDayStartUtc({y + 1, 1, 1}));
    sql += " AND b.closed_at >= $2 AND b.closed_at < $3";
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows r, conn.Query(sql + " ORDER BY b.closed_at", params));
  std::vector<BindingMonth> out;
  for (size_t i = 0; i < r.size(); ++i) {
    const Booklet b = BookletAt(r, i);
    std::optional<Date> d = ChinaDate(b.closed_at);
    if (!d) continue;
    char month[16];
    std::snprintf(month, sizeof month, "%04d-%02d", d->year % 10000, d->month % 100);
    if (out.empty() || out.back().month != month) {
      out.push_back({std::string(station_code), month, 0, 0, 0});
    }
    out.back().closed++;
    if (!b.paper_location.empty()) out.back().paper_registered++;
    if (!b.bound_at.empty()) out.back().bound++;
  }
  return out;
}

}  // namespace hukou::archive
