// National code tables served to forms and used for validation: GB/T 2261.1 sex, GB/T 3304
// ethnic groups, GB/T 2261.2 marital status, GB/T 4761 family relations, education, military
// service, cancellation reasons, migration reasons, household kinds, religion.
// Shipped as data/codes/<table>.tsv (code<TAB>name), compiled into the binary.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hukou::codes {

struct CodeEntry {
  std::string code;
  std::string name;
};

struct CodeTable {
  std::string id;     // "ethnicity", "sex", "marital_status", "relation", "education",
                      // "military_service", "cancel_reason", "migration_reason",
                      // "household_kind", "religion"
  std::string title;  // Chinese title, e.g. 民族 (GB/T 3304)
  std::vector<CodeEntry> entries;
};

class CodeTables {
 public:
  // Process-wide tables, loaded on first use. Thread-safe.
  static const CodeTables& Get();

  const std::vector<CodeTable>& All() const;
  const CodeTable* Find(std::string_view table_id) const;
  // Chinese name of a code, or nullopt when the table or the code is unknown.
  std::optional<std::string> Name(std::string_view table_id, std::string_view code) const;
  bool Contains(std::string_view table_id, std::string_view code) const;

 private:
  CodeTables();
  std::vector<CodeTable> tables_;
};

}  // namespace hukou::codes
