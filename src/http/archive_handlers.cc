// Electronic archive (docs/api.md "Archive"): capture of a case's materials (multipart or raw
// body), the materials and their files for approvers (every view is written to the access log),
// completeness against the item's capture catalogue, booklets and volumes, the paper track and
// the historical import jobs. Capture goes through the case engine
// (cases::Engine::CaptureMaterial): the case must exist and gives the station, item and step; a
// station_code field is ignored.
#include <charconv>
#include <string>

#include "archive/booklet.h"
#include "archive/content.h"
#include "archive/history.h"
#include "archive/material.h"
#include "cases/engine.h"
#include "catalog/catalog.h"
#include "codes/id_number.h"
#include "http/app.h"
#include "http/multipart.h"
#include "registry/access_log.h"
#include "registry/person.h"

namespace hukou::http {
namespace {

using nlohmann::json;

Status OnlyParams(const Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : req.query) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return ValidationError("request.parameter", "不支持的查询参数：" + name, name);
    }
  }
  return Status::Ok();
}

// The caller, who may read archives (every role but admin), with only `allowed` parameters.
Result<org::Actor> Reader(const App& app, const Request& req,
                          std::initializer_list<std::string_view> allowed) {
  HUKOU_ASSIGN_OR_RETURN(org::Actor actor, Authenticate(app, req));
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, org::CanReadPersons(actor.role), "查阅档案"));
  HUKOU_RETURN_IF_ERROR(OnlyParams(req, allowed));
  return actor;
}

// Who reads a case's materials: the archive checks the handling station's scope; the receiving
// window's station of a 全域通办 case captured them and sees the case (cases::Engine), so its
// officers read them as within that one handling station.
Result<org::Actor> MaterialReader(store::Connection& conn, std::string_view case_no,
                                  org::Actor actor) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                         conn.Query("SELECT station_code, receiving_station_code FROM cases WHERE "
                                    "case_no = $1",
                                    {std::string(case_no)}));
  if (!r.empty() && !actor.InScope(r.Text(0, 0)) && actor.InScope(r.Text(0, 1))) {
    actor.scope_prefix = r.Text(0, 0);
  }
  return actor;
}

// 查询留痕: the view of a case's archive (personal data) before the response leaves.
Status LogView(const App& app, const org::Actor& actor, const Request& req, std::string action,
               std::string subject, std::string kind = "case") {
  if (!app.access_log) return InternalError("access_log.missing", "查询留痕服务未启用");
  return app.access_log->Record(
      {actor.user_id, std::move(action), std::move(kind), std::move(subject), "", req.remote});
}

Result<int64_t> IdParam(std::string_view text, const char* field) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) {
    return ValidationError(std::string("request.") + field, std::string(field) + " 须为正整数",
                           field);
  }
  return v;
}

Result<std::optional<int64_t>> YearParam(const Request& req) {
  const std::string text = req.Query("year");
  if (text.empty()) return std::optional<int64_t>();
  HUKOU_ASSIGN_OR_RETURN(int64_t y, IdParam(text, "year"));
  if (y < 1949 || y > 2100) return ValidationError("request.year", "年份无效", "year");
  return std::optional<int64_t>(y);
}

json OrNull(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

json MaterialJson(const archive::Material& m) {
  const std::string base =
      "/api/v1/archive/cases/" + m.case_no + "/materials/" + std::to_string(m.id);
  return {{"id", m.id},
          {"case_no", m.case_no},
          {"item_code", m.item_code},
          {"item_version", m.item_version},
          {"station_code", m.station_code},
          {"material_code", m.material_code},
          {"material_name", m.material_name},
          {"version", m.version},
          {"current", m.current()},
          {"superseded_by", OrNull(m.superseded_by)},
          {"mime", m.mime},
          {"sm3", m.sm3},
          {"size", m.size},
          {"source", m.source},
          {"original_name", m.original_name},
          {"step", m.step},
          {"late", m.late},
          {"captured_by", m.captured_by},
          {"captured_by_name", m.captured_by_name},
          {"captured_at", m.captured_at},
          {"file_url", base + "/file"},
          {"thumbnail_url", m.thumbnail_file_id ? json(base + "/thumbnail") : json(nullptr)}};
}

json BookletJson(const archive::Booklet& b) {
  const auto type = archive::FindVolumeType(b.volume_type);
  return {{"archive_code", b.archive_code},
          {"case_no", b.case_no},
          {"volume_code", b.volume_code},
          {"volume_type", b.volume_type},
          {"volume_title", type ? std::string(type->title) : ""},
          {"year", b.year},
          {"sequence", b.sequence},
          {"station_code", b.station_code},
          {"receiving_station_code", b.receiving_station_code},
          {"item_code", b.item_code},
          {"item_version", b.item_version},
          {"item_name", b.item_name},
          {"applicant_name", b.applicant_name},
          {"applicant_id_number_masked", codes::MaskIdNumber(b.applicant_id_number)},
          {"outcome", b.outcome},
          {"received_at", b.received_at},
          {"closed_at", b.closed_at},
          {"archived_at", b.archived_at},
          {"material_count", b.material_count},
          {"paper",
           {{"location", b.paper_location},
            {"binding_batch", b.paper_batch},
            {"registered_at", b.paper_registered_at},
            {"bound_at", b.bound_at},
            {"registered", !b.paper_location.empty()},
            {"bound", !b.bound_at.empty()}}}};
}

json JobJson(const archive::ImportJob& j) {
  const int64_t percent = j.total == 0 ? 100 : j.processed() * 100 / j.total;
  return {{"id", j.id},
          {"dir", j.dir},
          {"index_file", j.index_file},
          {"status", j.status},
          {"total", j.total},
          {"imported", j.imported},
          {"skipped", j.skipped},
          {"failed", j.failed},
          {"percent", percent},
          {"started_at", j.started_at},
          {"updated_at", j.updated_at},
          {"finished_at", j.finished_at}};
}

// The capture from a multipart body (fields + the "file" part) or a raw body with query fields.
Result<archive::Capture> ReadCapture(const Request& req) {
  archive::Capture c;
  c.case_no = req.Param("case_no");
  auto field = [&](const std::vector<FormPart>* parts, std::string_view name) -> std::string {
    if (parts) {
      const FormPart* p = FindPart(*parts, name);
      return p ? p->data : "";
    }
    return req.Query(name);
  };
  std::vector<FormPart> parts;
  const std::vector<FormPart>* form = nullptr;
  if (!MultipartBoundary(req.Header("content-type")).empty()) {
    HUKOU_RETURN_IF_ERROR(OnlyParams(req, {}));
    HUKOU_ASSIGN_OR_RETURN(parts, ParseMultipart(req.Header("content-type"), req.body));
    form = &parts;
    const FormPart* file = FindPart(parts, "file");
    if (!file) return ValidationError("archive.file", "请选择要上传的文件（file）", "file");
    c.file_name = file->filename;
    c.bytes = file->data;
  } else {
    HUKOU_RETURN_IF_ERROR(
        OnlyParams(req, {"station_code", "material_code", "material_name", "source", "step",
                         "item_code", "item_version", "belongs_step_completed_at", "file_name"}));
    c.file_name = req.Query("file_name");
    c.bytes = req.body;
  }
  c.station_code = field(form, "station_code");
  c.material_code = field(form, "material_code");
  c.material_name = field(form, "material_name");
  c.source = field(form, "source");
  if (c.source.empty())
    c.source = c.material_code == archive::kPortraitSlot ? "portrait" : "upload";
  c.step = field(form, "step");
  c.item_code = field(form, "item_code");
  c.belongs_step_completed_at = field(form, "belongs_step_completed_at");
  if (const std::string v = field(form, "item_version"); !v.empty()) {
    HUKOU_ASSIGN_OR_RETURN(int64_t version, IdParam(v, "item_version"));
    c.item_version = static_cast<int>(version);
  }
  return c;
}

Response CaptureError(const Error& e) {
  return e.code == "archive.too_large" ? ErrorResponse(e, 413) : ErrorResponse(e);
}

Response FileResponse(archive::MaterialFile file, const std::string& name) {
  Response r;
  r.content_type = file.mime;
  r.body = std::move(file.bytes);
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + name + "\"");
  r.headers.emplace_back("Cache-Control", "private, no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Content-SM3", file.sm3);
  return r;
}

void AddMaterialRoutes(Router& router, App& app) {
  router.Add("POST", "/api/v1/archive/cases/{case_no}/materials",
             [&app](const Request& req) -> Response {
               auto actor = Authenticate(app, req);
               if (!actor.ok()) return ErrorResponse(actor.error());
               auto capture = ReadCapture(req);
               if (!capture.ok()) return ErrorResponse(capture.error());
               auto stored = cases::Engine(*app.db, *app.clock, app.signer)
                                 .CaptureMaterial(req.Param("case_no"), *capture, *actor);
               if (!stored.ok()) return CaptureError(stored.error());
               return Json(MaterialJson(*stored), 201);
             });

  router.Add(
      "GET", "/api/v1/archive/cases/{case_no}/materials", [&app](const Request& req) -> Response {
        auto actor = Reader(app, req, {});
        if (!actor.ok()) return ErrorResponse(actor.error());
        std::vector<archive::Material> all;
        Status read = app.db->Read([&](store::Connection& conn) -> Status {
          HUKOU_ASSIGN_OR_RETURN(org::Actor reader,
                                 MaterialReader(conn, req.Param("case_no"), *actor));
          HUKOU_ASSIGN_OR_RETURN(all, archive::ListMaterials(conn, req.Param("case_no"), reader));
          return Status::Ok();
        });
        if (!read.ok()) return ErrorResponse(read.error());
        Status logged = LogView(app, *actor, req, "read_materials", req.Param("case_no"));
        if (!logged.ok()) return ErrorResponse(logged.error());
        json items = json::array();
        for (const auto& m : all) items.push_back(MaterialJson(m));
        return Json({{"case_no", req.Param("case_no")}, {"items", items}});
      });

  for (const bool thumbnail : {false, true}) {
    router.Add(
        "GET",
        std::string("/api/v1/archive/cases/{case_no}/materials/{id}/") +
            (thumbnail ? "thumbnail" : "file"),
        [&app, thumbnail](const Request& req) -> Response {
          auto actor = Reader(app, req, {});
          if (!actor.ok()) return ErrorResponse(actor.error());
          auto id = IdParam(req.Param("id"), "id");
          if (!id.ok()) return ErrorResponse(id.error());
          archive::MaterialFile file;
          Status read = app.db->Read([&](store::Connection& conn) -> Status {
            HUKOU_ASSIGN_OR_RETURN(org::Actor reader,
                                   MaterialReader(conn, req.Param("case_no"), *actor));
            HUKOU_ASSIGN_OR_RETURN(file, archive::ReadMaterialFile(conn, req.Param("case_no"), *id,
                                                                   thumbnail, reader));
            return Status::Ok();
          });
          if (!read.ok()) return ErrorResponse(read.error());
          Status logged =
              LogView(app, *actor, req, thumbnail ? "view_material_thumbnail" : "view_material",
                      req.Param("case_no") + "/" + file.material.material_code + "/v" +
                          std::to_string(file.material.version));
          if (!logged.ok()) return ErrorResponse(logged.error());
          const std::string name = file.material.material_code + "-v" +
                                   std::to_string(file.material.version) +
                                   (thumbnail ? "-thumbnail" : "");
          return FileResponse(std::move(file), name);
        });
  }

  router.Add("GET", "/api/v1/archive/cases/{case_no}/completeness",
             [&app](const Request& req) -> Response {
               auto actor = Reader(app, req, {"item_code", "item_version"});
               if (!actor.ok()) return ErrorResponse(actor.error());
               std::optional<int> version;
               if (!req.Query("item_version").empty()) {
                 auto v = IdParam(req.Query("item_version"), "item_version");
                 if (!v.ok()) return ErrorResponse(v.error());
                 version = static_cast<int>(*v);
               }
               archive::Completeness c;
               Status read = app.db->Read([&](store::Connection& conn) -> Status {
                 HUKOU_ASSIGN_OR_RETURN(catalog::Item item,
                                        catalog::GetItem(conn, req.Query("item_code"), version));
                 // Scope: the case's materials (if any) must be in scope.
                 HUKOU_ASSIGN_OR_RETURN(org::Actor reader,
                                        MaterialReader(conn, req.Param("case_no"), *actor));
                 HUKOU_RETURN_IF_ERROR(
                     archive::ListMaterials(conn, req.Param("case_no"), reader).status());
                 HUKOU_ASSIGN_OR_RETURN(
                     c, archive::GetCompleteness(conn, req.Param("case_no"), item.materials));
                 return Status::Ok();
               });
               if (!read.ok()) return ErrorResponse(read.error());
               json slots = json::array();
               for (const auto& s : c.slots) {
                 slots.push_back({{"code", s.code},
                                  {"name", s.name},
                                  {"capture", s.capture},
                                  {"mandatory", s.mandatory},
                                  {"system_verified", s.system_verified},
                                  {"captured", s.captured},
                                  {"versions", s.versions},
                                  {"current_id", OrNull(s.current_id)},
                                  {"late", s.late}});
               }
               return Json({{"case_no", c.case_no},
                            {"complete", c.complete},
                            {"missing", c.missing},
                            {"slots", slots}});
             });
}

void AddBookletRoutes(Router& router, App& app) {
  // Manual filing (补归档) with the case's facts; the case engine calls archive::ArchiveCase.
  router.Add("POST", "/api/v1/archive/booklets", [&app](const Request& req) -> Response {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    archive::CaseFacts f;
    auto text = [&](const char* k) {
      return body->value(k, json("")).is_string() ? body->value(k, "") : "";
    };
    f.case_no = text("case_no");
    f.item_code = text("item_code");
    f.item_version = body->value("item_version", json(0)).is_number_integer()
                         ? body->value("item_version", 0)
                         : 0;
    f.item_name = text("item_name");
    f.effect = text("effect");
    f.station_code = text("station_code");
    f.receiving_station_code = text("receiving_station_code");
    f.applicant_name = text("applicant_name");
    f.applicant_id_number = text("applicant_id_number");
    f.outcome = text("outcome");
    f.received_at = text("received_at");
    f.closed_at = text("closed_at");
    archive::Booklet b;
    Status write = app.db->Transact([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(b, archive::ArchiveCase(conn, f, *actor, *app.clock));
      return Status::Ok();
    });
    if (!write.ok()) return ErrorResponse(write.error());
    return Json(BookletJson(b), 201);
  });

  router.Add(
      "GET", "/api/v1/archive/cases/{case_no}/booklet", [&app](const Request& req) -> Response {
        auto actor = Reader(app, req, {});
        if (!actor.ok()) return ErrorResponse(actor.error());
        archive::Booklet b;
        std::vector<archive::CatalogueEntry> entries;
        Status read = app.db->Read([&](store::Connection& conn) -> Status {
          HUKOU_ASSIGN_OR_RETURN(b, archive::GetBooklet(conn, req.Param("case_no"), *actor));
          HUKOU_ASSIGN_OR_RETURN(entries, archive::BookletCatalogue(conn, b.case_no, *actor));
          return Status::Ok();
        });
        if (!read.ok()) return ErrorResponse(read.error());
        Status logged = LogView(app, *actor, req, "read_booklet", b.case_no);
        if (!logged.ok()) return ErrorResponse(logged.error());
        json catalogue = json::array();
        for (const auto& e : entries) {
          catalogue.push_back({{"sequence", e.sequence},
                               {"title", e.title},
                               {"material_code", e.material_code},
                               {"material_id", e.material_id},
                               {"version", e.version},
                               {"mime", e.mime},
                               {"sm3", e.sm3},
                               {"source", e.source},
                               {"captured_at", e.captured_at},
                               {"captured_by_name", e.captured_by_name},
                               {"late", e.late},
                               {"file_url", "/api/v1/archive/cases/" + b.case_no + "/materials/" +
                                                std::to_string(e.material_id) + "/file"}});
        }
        json out = BookletJson(b);
        out["catalogue"] = catalogue;
        return Json(out);
      });

  router.Add("GET", "/api/v1/archive/volumes", [&app](const Request& req) -> Response {
    auto actor = Reader(app, req, {"station_code", "year"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto year = YearParam(req);
    if (!year.ok()) return ErrorResponse(year.error());
    std::vector<archive::Volume> volumes;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(volumes,
                             archive::ListVolumes(conn, req.Query("station_code"), *year, *actor));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json items = json::array();
    for (const auto& v : volumes) {
      items.push_back({{"code", v.code},
                       {"station_code", v.station_code},
                       {"station_name", v.station_name},
                       {"year", v.year},
                       {"volume_type", v.volume_type},
                       {"volume_title", v.volume_title},
                       {"booklet_count", v.booklet_count}});
    }
    json types = json::array();
    for (const auto& t : archive::VolumeTypes()) {
      types.push_back({{"name", t.name}, {"code", t.code}, {"title", t.title}});
    }
    return Json({{"items", items}, {"volume_types", types}});
  });

  router.Add("GET", "/api/v1/archive/volumes/{code}/booklets",
             [&app](const Request& req) -> Response {
               auto actor = Reader(app, req, {"page", "page_size"});
               if (!actor.ok()) return ErrorResponse(actor.error());
               auto page = ParsePage(req);
               if (!page.ok()) return ErrorResponse(page.error());
               std::vector<archive::Booklet> booklets;
               Status read = app.db->Read([&](store::Connection& conn) -> Status {
                 HUKOU_ASSIGN_OR_RETURN(
                     booklets, archive::ListBooklets(conn, req.Param("code"), page->page_size,
                                                     page->Offset(), *actor));
                 return Status::Ok();
               });
               if (!read.ok()) return ErrorResponse(read.error());
               Status logged = LogView(app, *actor, req, "list_booklets", req.Param("code"));
               if (!logged.ok()) return ErrorResponse(logged.error());
               json items = json::array();
               for (const auto& b : booklets) items.push_back(BookletJson(b));
               return Json({{"volume_code", req.Param("code")},
                            {"page", page->page},
                            {"page_size", page->page_size},
                            {"items", items}});
             });
}

void AddPaperRoutes(Router& router, App& app) {
  router.Add(
      "PUT", "/api/v1/archive/cases/{case_no}/paper", [&app](const Request& req) -> Response {
        auto actor = Authenticate(app, req);
        if (!actor.ok()) return ErrorResponse(actor.error());
        auto body = ParseJsonBody(req);
        if (!body.ok()) return ErrorResponse(body.error());
        const json location = body->value("location", json(""));
        const json batch = body->value("binding_batch", json(""));
        archive::Booklet b;
        Status write = app.db->Transact([&](store::Connection& conn) -> Status {
          HUKOU_ASSIGN_OR_RETURN(
              b, archive::RegisterPaperFile(conn, req.Param("case_no"),
                                            location.is_string() ? location.get<std::string>() : "",
                                            batch.is_string() ? batch.get<std::string>() : "",
                                            *actor, *app.clock));
          return Status::Ok();
        });
        if (!write.ok()) return ErrorResponse(write.error());
        return Json(BookletJson(b));
      });

  router.Add("POST", "/api/v1/archive/binding-batches", [&app](const Request& req) -> Response {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    const json station = body->value("station_code", json(""));
    const json batch = body->value("binding_batch", json(""));
    const std::string s = station.is_string() ? station.get<std::string>() : "";
    const std::string b = batch.is_string() ? batch.get<std::string>() : "";
    if (s.empty()) {
      return ErrorResponse(ValidationError("archive.station_code", "请指定派出所", "station_code"));
    }
    Status write = app.db->Transact([&](store::Connection& conn) {
      return archive::BindBatch(conn, s, b, *actor, *app.clock);
    });
    if (!write.ok()) return ErrorResponse(write.error());
    return Json({{"station_code", s}, {"binding_batch", b}, {"bound", true}}, 201);
  });

  router.Add("GET", "/api/v1/archive/binding-status", [&app](const Request& req) -> Response {
    auto actor = Reader(app, req, {"station_code", "year"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto year = YearParam(req);
    if (!year.ok()) return ErrorResponse(year.error());
    const std::string station = req.Query("station_code");
    if (station.empty()) {
      return ErrorResponse(ValidationError("archive.station_code", "请指定派出所", "station_code"));
    }
    std::vector<archive::BindingMonth> months;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(months, archive::BindingStatus(conn, station, *year, *actor));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json items = json::array();
    for (const auto& m : months) {
      items.push_back({{"month", m.month},
                       {"closed", m.closed},
                       {"paper_registered", m.paper_registered},
                       {"bound", m.bound}});
    }
    return Json({{"station_code", station}, {"items", items}});
  });
}

void AddImportRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/archive/imports", [&app](const Request& req) -> Response {
    auto actor = Reader(app, req, {});
    if (!actor.ok()) return ErrorResponse(actor.error());
    std::vector<archive::ImportJob> jobs;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(jobs, archive::ListImportJobs(conn, 50));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json items = json::array();
    for (const auto& j : jobs) items.push_back(JobJson(j));
    return Json({{"items", items}});
  });

  router.Add("GET", "/api/v1/archive/imports/{id}/errors", [&app](const Request& req) -> Response {
    auto actor = Reader(app, req, {});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto id = IdParam(req.Param("id"), "id");
    if (!id.ok()) return ErrorResponse(id.error());
    std::vector<archive::ImportRowError> errors;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(errors, archive::ListImportErrors(conn, *id));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json items = json::array();
    for (const auto& e : errors) {
      items.push_back({{"row_no", e.row_no},
                       {"file_name", e.file_name},
                       {"code", e.code},
                       {"message", e.message}});
    }
    return Json({{"job_id", *id}, {"items", items}});
  });
}

// Historical files (扫描入网) of a person, and one file; both are logged reads of the person.
void AddHistoryDocRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/archive/history-docs", [&app](const Request& req) -> Response {
    auto actor = Reader(app, req, {"id_number"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    registry::Person person;
    std::vector<archive::HistoryDoc> docs;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(person, registry::ReadPerson(conn, req.Query("id_number"), *actor));
      HUKOU_ASSIGN_OR_RETURN(docs, archive::ListHistoryDocs(conn, person.id, *actor));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    Status logged = LogView(app, *actor, req, "read_history_docs", person.id_number, "person");
    if (!logged.ok()) return ErrorResponse(logged.error());
    json items = json::array();
    for (const auto& d : docs) {
      items.push_back(
          {{"id", d.id},
           {"file_name", d.file_name},
           {"sm3", d.sm3},
           {"doc_type", d.doc_type},
           {"year", d.year},
           {"title", d.title},
           {"imported_at", d.imported_at},
           {"file_url", "/api/v1/archive/history-docs/" + std::to_string(d.id) + "/file"}});
    }
    return Json({{"id_number", person.id_number}, {"name", person.name}, {"items", items}});
  });

  router.Add(
      "GET", "/api/v1/archive/history-docs/{id}/file", [&app](const Request& req) -> Response {
        auto actor = Reader(app, req, {});
        if (!actor.ok()) return ErrorResponse(actor.error());
        auto id = IdParam(req.Param("id"), "id");
        if (!id.ok()) return ErrorResponse(id.error());
        archive::HistoryFile file;
        Status read = app.db->Read([&](store::Connection& conn) -> Status {
          HUKOU_ASSIGN_OR_RETURN(file, archive::ReadHistoryFile(conn, *id, *actor));
          return Status::Ok();
        });
        if (!read.ok()) return ErrorResponse(read.error());
        Status logged = LogView(app, *actor, req, "view_history_doc", file.id_number, "person");
        if (!logged.ok()) return ErrorResponse(logged.error());
        return FileResponse({{}, file.mime, file.doc.sm3, std::move(file.bytes)},
                            "history-" + std::to_string(file.doc.id));
      });
}

}  // namespace

void RegisterArchiveRoutes(Router& router, App& app) {
  AddMaterialRoutes(router, app);
  AddBookletRoutes(router, app);
  AddPaperRoutes(router, app);
  AddImportRoutes(router, app);
  AddHistoryDocRoutes(router, app);
}

}  // namespace hukou::http
