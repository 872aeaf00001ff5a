#include "archive/history.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "archive/content.h"
#include "codes/id_number.h"
#include "exchange/csv.h"
#include "trust/audit.h"
#include "trust/sm3.h"

namespace hukou::archive {
namespace {

const std::vector<std::string>& IndexColumns() {
  static const std::vector<std::string> columns = {"file_name", "id_number", "doc_type", "year",
                                                   "title"};
  return columns;
}

constexpr char kJobSelect[] =
    "SELECT id, dir, index_file, status, total, imported, skipped, failed, started_at, "
    "updated_at, finished_at FROM archive_import_jobs ";

ImportJob JobAt(const store::Rows& r, size_t i) {
  return {r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int(i, 4),  r.Int(i, 5),
          r.Int(i, 6), r.Int(i, 7),  r.Text(i, 8), r.Text(i, 9), r.Text(i, 10)};
}

Status SaveJob(store::Connection& conn, const ImportJob& job) {
  return conn
      .Exec(
          "UPDATE archive_import_jobs SET status = $1, total = $2, imported = $3, skipped = $4, "
          "failed = $5, updated_at = $6, finished_at = $7 WHERE id = $8",
          {job.status, job.total, job.imported, job.skipped, job.failed, job.updated_at,
           job.finished_at, job.id})
      .status();
}

Result<std::string> ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ValidationError("archive.file_missing", "找不到文件 " + path.filename().string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Row {
  int64_t line = 0;
  std::string file_name, id_number, doc_type, year, title;
};

// One row: OK with imported=true, OK with imported=false (already there), or the row's error.
Result<bool> ImportRow(store::Connection& conn, const std::filesystem::path& dir, const Row& row,
                       int64_t job_id, const org::Actor& actor, const Clock& clock) {
  if (row.file_name.empty() || row.file_name.find('/') != std::string::npos ||
      row.file_name.find("..") != std::string::npos) {
    return ValidationError("archive.file_name", "文件名无效（不能含路径）", "file_name");
  }
  if (!codes::ValidateIdNumber(row.id_number, clock.Today()).ok()) {
    return ValidationError("archive.id_number", "公民身份号码无效：" + row.id_number, "id_number");
  }
  if (row.doc_type.empty() || row.doc_type.size() > 60) {
    return ValidationError("archive.doc_type", "文件类型不能为空", "doc_type");
  }
  int year = 0;
  if (row.year.size() != 4 || std::sscanf(row.year.c_str(), "%d", &year) != 1 || year < 1949 ||
      year > 2100) {
    return ValidationError("archive.year", "年份应为 1949–2100 的四位数字", "year");
  }
  HUKOU_ASSIGN_OR_RETURN(std::string bytes, ReadWhole(dir / row.file_name));
  HUKOU_ASSIGN_OR_RETURN(std::string mime, CheckMaterialBytes(bytes, row.file_name));
  const std::string sm3 = trust::Sm3Hex(bytes);
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows seen,
      conn.Query("SELECT id FROM archive_history_docs WHERE file_name = $1 AND sm3 = $2",
                 {row.file_name, sm3}));
  if (!seen.empty()) return false;
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows person,
      conn.Query("SELECT id, station_code FROM persons WHERE id_number = $1", {row.id_number}));
  if (person.empty()) {
    return ValidationError("archive.person_not_found",
                           "人口库中没有该公民身份号码：" + row.id_number, "id_number");
  }
  const std::string now = clock.NowIso();
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows file,
      conn.Query("INSERT INTO files (sm3, mime, size, data, created_at, created_by) VALUES ($1, "
                 "$2, $3, $4, $5, $6) RETURNING id",
                 {sm3, mime, static_cast<int64_t>(bytes.size()), store::Blob{bytes}, now,
                  actor.user_id == 0 ? store::Value{} : store::Value{actor.user_id}}));
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("INSERT INTO archive_history_docs (file_name, sm3, file_id, person_id, id_number, "
                "station_code, doc_type, year, title, job_id, imported_at) VALUES ($1, $2, $3, "
                "$4, $5, $6, $7, $8, $9, $10, $11)",
                {row.file_name, sm3, file.Int(0, 0), person.Int(0, 0), row.id_number,
                 person.Text(0, 1), row.doc_type, int64_t{year}, row.title, job_id, now})
          .status());
  nlohmann::json detail = {{"file_name", row.file_name}, {"sm3", sm3}, {"job_id", job_id}};
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {actor.user_id, "archive.import_history", "person", row.id_number, detail.dump()},
      clock));
  return true;
}

}  // namespace

Result<ImportJob> ImportHistory(store::Database& db, const std::string& dir,
                                const std::string& index_path, const ImportOptions& options,
                                const org::Actor& actor, const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(org::CheckRole(
      actor, actor.user_id == 0 || org::IsPolice(actor.role) || actor.role == org::Role::kAdmin,
      "导入历史档案"));
  if (!std::filesystem::is_directory(dir)) {
    return ValidationError("archive.dir", "目录不存在：" + dir, "dir");
  }
  auto text = ReadWhole(index_path);
  if (!text.ok())
    return ValidationError("archive.index", "无法读取索引文件：" + index_path, "index");
  HUKOU_ASSIGN_OR_RETURN(std::vector<exchange::CsvRecord> records, exchange::ParseCsv(*text));
  if (records.empty() || records[0].fields != IndexColumns()) {
    return ValidationError("archive.index",
                           "索引文件首行应为 file_name,id_number,doc_type,year,title", "index");
  }
  std::vector<Row> rows;
  for (size_t i = 1; i < records.size(); ++i) {
    const auto& f = records[i].fields;
    Row row{records[i].line, "", "", "", "", ""};
    if (f.size() == 5) row = {records[i].line, f[0], f[1], f[2], f[3], f[4]};
    rows.push_back(std::move(row));
  }
  ImportJob job;
  job.dir = dir;
  job.index_file = index_path;
  job.status = "running";
  job.total = static_cast<int64_t>(rows.size());
  job.started_at = job.updated_at = clock.NowIso();
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    // A run of the same index that was killed left its job "running": it was interrupted.
    HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE archive_import_jobs SET status = 'interrupted' WHERE "
                                    "status = 'running' AND dir = $1 AND index_file = $2",
                                    {job.dir, job.index_file})
                              .status());
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows r,
        conn.Query("INSERT INTO archive_import_jobs (dir, index_file, status, total, started_at, "
                   "updated_at, started_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                   {job.dir, job.index_file, job.status, job.total, job.started_at, job.updated_at,
                    actor.user_id == 0 ? store::Value{} : store::Value{actor.user_id}}));
    job.id = r.Int(0, 0);
    return trust::AppendAudit(
        conn, {actor.user_id, "archive.import_start", "import_job", std::to_string(job.id), ""},
        clock);
  }));
  const std::filesystem::path base(dir);
  for (const Row& row : rows) {
    if (options.limit > 0 && job.imported >= options.limit) {
      job.status = "interrupted";
      break;
    }
    Status s = db.Transact([&](store::Connection& conn) -> Status {
      ImportJob next = job;
      next.updated_at = clock.NowIso();
      Result<bool> done = row.file_name.empty() && row.id_number.empty()
                              ? Result<bool>(ValidationError("archive.row", "该行应有 5 列"))
                              : ImportRow(conn, base, row, job.id, actor, clock);
      if (done.ok()) {
        (*done ? next.imported : next.skipped)++;
      } else {
        if (done.error().kind != ErrorKind::kValidation) return done.status();
        next.failed++;
        HUKOU_RETURN_IF_ERROR(
            conn.Exec("INSERT INTO archive_import_errors (job_id, row_no, file_name, code, "
                      "message) VALUES ($1, $2, $3, $4, $5)",
                      {job.id, row.line, row.file_name, done.error().code, done.error().message})
                .status());
      }
      HUKOU_RETURN_IF_ERROR(SaveJob(conn, next));
      job = next;
      return Status::Ok();
    });
    if (!s.ok()) {
      job.status = "failed";
      break;
    }
    if (options.progress) options.progress(job);
  }
  if (job.status == "running") job.status = "done";
  job.updated_at = job.finished_at = clock.NowIso();
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_RETURN_IF_ERROR(SaveJob(conn, job));
    nlohmann::json detail = {{"status", job.status},
                             {"imported", job.imported},
                             {"skipped", job.skipped},
                             {"failed", job.failed}};
    return trust::AppendAudit(
        conn,
        {actor.user_id, "archive.import_end", "import_job", std::to_string(job.id), detail.dump()},
        clock);
  }));
  return job;
}

Result<ImportJob> RunImportHistory(store::Database& db, const std::string& dir,
                                   const std::string& index_path, int64_t limit, std::ostream& out,
                                   const Clock& clock) {
  ImportOptions options;
  options.limit = limit;
  options.progress = [&out](const ImportJob& j) {
    const int64_t percent = j.total == 0 ? 100 : j.processed() * 100 / j.total;
    out << "\r已处理 " << j.processed() << "/" << j.total << " (" << percent << "%)  新导入 "
        << j.imported << "  已存在跳过 " << j.skipped << "  有误 " << j.failed << std::flush;
  };
  HUKOU_ASSIGN_OR_RETURN(ImportJob job,
                         ImportHistory(db, dir, index_path, options, org::Actor::System(), clock));
  out << "\n";
  std::vector<ImportRowError> errors;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(errors, ListImportErrors(conn, job.id));
    return Status::Ok();
  }));
  for (const ImportRowError& e : errors) {
    out << index_path << ":" << e.row_no << ": " << e.file_name << ": " << e.code << ": "
        << e.message << "\n";
  }
  const char* status = job.status == "done"          ? "完成"
                       : job.status == "interrupted" ? "已中断（再次运行将从中断处继续）"
                                                     : "失败";
  out << "导入任务 " << job.id << " " << status << "：共 " << job.total << " 行，新导入 "
      << job.imported << "，已存在跳过 " << job.skipped << "，有误 " << job.failed << "\n";
  return job;
}

Result<std::vector<ImportJob>> ListImportJobs(store::Connection& conn, int limit) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(std::string(kJobSelect) + "ORDER BY id DESC LIMIT $1", {int64_t{limit}}));
  std::vector<ImportJob> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(JobAt(r, i));
  return out;
}

Result<std::vector<ImportRowError>> ListImportErrors(store::Connection& conn, int64_t job_id) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows j,
                         conn.Query(std::string(kJobSelect) + "WHERE id = $1", {job_id}));
  if (j.empty()) return NotFoundError("archive.job_not_found", "未找到该导入任务", "job_id");
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT row_no, file_name, code, message FROM archive_import_errors WHERE "
                 "job_id = $1 ORDER BY row_no, id",
                 {job_id}));
  std::vector<ImportRowError> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3)});
  }
  return out;
}

Result<std::vector<HistoryDoc>> ListHistoryDocs(store::Connection& conn, int64_t person_id,
                                                const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, file_name, sm3, file_id, doc_type, year, title, imported_at, "
                 "station_code FROM archive_history_docs WHERE person_id = $1 ORDER BY year, id",
                 {person_id}));
  std::vector<HistoryDoc> out;
  for (size_t i = 0; i < r.size(); ++i) {
    HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, r.Text(i, 8)));
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), r.Text(i, 4), r.Int(i, 5),
                   r.Text(i, 6), r.Text(i, 7)});
  }
  return out;
}

Result<HistoryFile> ReadHistoryFile(store::Connection& conn, int64_t doc_id,
                                    const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT d.id, d.file_name, d.sm3, d.file_id, d.doc_type, d.year, d.title, "
                 "d.imported_at, d.station_code, d.id_number, f.mime, f.data FROM "
                 "archive_history_docs d JOIN files f ON f.id = d.file_id WHERE d.id = $1",
                 {doc_id}));
  if (r.empty()) return NotFoundError("archive.not_found", "未找到该历史档案", "id");
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, r.Text(0, 8)));
  HistoryFile out{{r.Int(0, 0), r.Text(0, 1), r.Text(0, 2), r.Int(0, 3), r.Text(0, 4), r.Int(0, 5),
                   r.Text(0, 6), r.Text(0, 7)},
                  r.Text(0, 9),
                  r.Text(0, 10),
                  {}};
  if (const auto* blob = std::get_if<store::Blob>(&r.At(0, 11))) out.bytes = blob->bytes;
  return out;
}

}  // namespace hukou::archive
