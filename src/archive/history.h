// Historical archives (扫描入网, C4): batch import of scanned historical files from a folder and a
// CSV index (file_name, id_number, doc_type, year, title; UTF-8, header row), each linked to the
// registered person. Every file commits in its own transaction with the job's counters, so a run
// that stops (killed, or --limit) leaves a consistent job; re-running skips files already
// imported (same name and SM3); a killed run's job still marked running is then marked
// interrupted. Bad rows are recorded one by one and do not stop the run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "store/database.h"

namespace hukou::archive {

struct ImportJob {
  int64_t id = 0;
  std::string dir;
  std::string index_file;
  std::string status;  // running | done | interrupted | failed
  int64_t total = 0;
  int64_t imported = 0;
  int64_t skipped = 0;
  int64_t failed = 0;
  std::string started_at;
  std::string updated_at;
  std::string finished_at;
  int64_t processed() const { return imported + skipped + failed; }
};

struct ImportRowError {
  int64_t row_no = 0;  // CSV line
  std::string file_name;
  std::string code;
  std::string message;
};

struct ImportOptions {
  // Stop (status "interrupted") after this many newly imported files; 0 = no limit.
  int64_t limit = 0;
  // Called after every row with the job's counters (for a progress line).
  std::function<void(const ImportJob&)> progress;
};

// Imports the index. Errors (nothing imported): kValidation archive.index (unreadable index,
// missing columns) / archive.dir; kForbidden (police or admin only). Row problems —
// archive.file_missing, archive.id_number, archive.person_not_found, archive.year,
// archive.doc_type, and CheckMaterialBytes' errors — are recorded on the job.
Result<ImportJob> ImportHistory(store::Database& db, const std::string& dir,
                                const std::string& index_path, const ImportOptions& options,
                                const org::Actor& actor, const Clock& clock);

// The command `hukou archive import-history`: ImportHistory with a progress line on `out`
// ("\r已处理 n/total (p%) …" after every row), then one line per bad row and a summary.
// Returns the job; the command exits 0 only when it is done without bad rows.
Result<ImportJob> RunImportHistory(store::Database& db, const std::string& dir,
                                   const std::string& index_path, int64_t limit, std::ostream& out,
                                   const Clock& clock);

// Import jobs, newest first (at most `limit`).
Result<std::vector<ImportJob>> ListImportJobs(store::Connection& conn, int limit);
// One job's row errors, by row. Errors: kNotFound archive.job_not_found.
Result<std::vector<ImportRowError>> ListImportErrors(store::Connection& conn, int64_t job_id);

struct HistoryDoc {
  int64_t id = 0;
  std::string file_name;
  std::string sm3;
  int64_t file_id = 0;
  std::string doc_type;
  int64_t year = 0;
  std::string title;
  std::string imported_at;
};
// The historical files of a person (by person id), by year. Scope: the person's station.
Result<std::vector<HistoryDoc>> ListHistoryDocs(store::Connection& conn, int64_t person_id,
                                                const org::Actor& actor);

// One historical file with its bytes. Errors: kNotFound archive.not_found; kForbidden scope.
struct HistoryFile {
  HistoryDoc doc;
  std::string id_number;
  std::string mime;
  std::string bytes;
};
Result<HistoryFile> ReadHistoryFile(store::Connection& conn, int64_t doc_id,
                                    const org::Actor& actor);

}  // namespace hukou::archive
