// CSV exchange of the registry: `hukou import --dir DIR` and `hukou export --out DIR` with two
// files, households.csv and persons.csv (UTF-8, header row, RFC 4180 quoting, CRLF).
//
// households.csv: household_number, kind, division_code, township_code, community_code, street,
//   house_number, building, unit_no, room, full_text
// persons.csv: id_number, name, sex, ethnicity, birth_date, former_names, native_place,
//   birthplace, religion, education, marital_status, military_service, workplace, occupation,
//   phone, father_name, father_id_number, mother_name, mother_id_number, guardian_name,
//   guardian_id_number, spouse_name, spouse_id_number, household_number, relation_to_head,
//   status, cancel_reason, cancel_date
// Codes are the national codes of codes::CodeTables; former names are joined by '、'.
// Export orders households by household_number and persons by id_number, so that
// export → import into an empty database → export gives byte-identical files.
//
// The reader and writer are written here by hand: Debian 12 ships no maintained C++ CSV library
// (and RFC 4180 is small).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "store/database.h"

namespace hukou::exchange {

// One CSV record and the (1-based) line it starts on.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// Parses RFC 4180 text: fields separated by ',', records by CRLF or LF, fields in double quotes
// may hold ',', '"' (doubled) and line breaks. A leading UTF-8 BOM is skipped; blank lines are
// skipped. Errors: kValidation csv.quote (unterminated quoted field, or text after a closing
// quote), with the line in the message.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

// Appends one record, quoting fields that contain ',', '"', CR or LF, ending with CRLF.
void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields);

// Column names of the two files, in order.
const std::vector<std::string>& HouseholdColumns();
const std::vector<std::string>& PersonColumns();

struct ImportSummary {
  int64_t households = 0;
  int64_t persons = 0;
};

// Validates every row of DIR/households.csv and DIR/persons.csv (ID numbers, codes, dates,
// household references, duplicates in the files and against the database), writing one line per
// problem to `report` ("persons.csv:12: id_number: 公民身份号码校验位错误"). When any row is bad,
// nothing is written and the result is kValidation import.invalid; otherwise everything is
// inserted in one transaction with change_log rows (action "import") and one audit entry
// ("registry.import"). Other errors: import.file (missing or unreadable file), import.header.
Result<ImportSummary> ImportCsv(store::Database& db, const std::string& dir,
                                const org::Actor& actor, const Clock& clock, std::ostream& report);

struct ExportSummary {
  int64_t households = 0;
  int64_t persons = 0;
  std::string households_path;
  std::string persons_path;
};

// Writes OUT_DIR/households.csv and OUT_DIR/persons.csv with every household and person in the
// actor's data scope (creating OUT_DIR), and records the export in access_log (action "export").
// Errors: export.file when a file cannot be written.
Result<ExportSummary> ExportCsv(store::Database& db, const std::string& out_dir,
                                const org::Actor& actor, const Clock& clock);

}  // namespace hukou::exchange
