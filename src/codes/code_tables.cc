#include "codes/code_tables.h"

#include "codes/embedded_data.h"

namespace hukou::codes {
namespace {

constexpr std::string_view kTableIds[] = {
    "sex",           "ethnicity",        "marital_status",
    "relation",      "education",        "military_service",
    "cancel_reason", "migration_reason", "household_kind",
    "religion",
};

// The title from a leading "# title" line, or the table id when there is none.
std::string Title(std::string_view text, std::string_view id) {
  if (!text.starts_with("#")) return std::string(id);
  size_t end = text.find('\n');
  std::string_view line = text.substr(1, end == std::string_view::npos ? text.size() - 1 : end - 1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  return std::string(line);
}

}  // namespace

const CodeTables& CodeTables::Get() {
  static const CodeTables* tables = new CodeTables();
  return *tables;
}

CodeTables::CodeTables() {
  for (std::string_view id : kTableIds) {
    std::string_view text = data::Embedded(std::string(id) + ".tsv");
    CodeTable table;
    table.id = std::string(id);
    table.title = Title(text, id);
    for (auto& row : internal::ParseTsv(text)) {
      if (row.size() < 2 || row[0].empty()) continue;
      table.entries.push_back(CodeEntry{std::move(row[0]), std::move(row[1])});
    }
    tables_.push_back(std::move(table));
  }
}

const std::vector<CodeTable>& CodeTables::All() const { return tables_; }

const CodeTable* CodeTables::Find(std::string_view table_id) const {
  for (const CodeTable& t : tables_) {
    if (t.id == table_id) return &t;
  }
  return nullptr;
}

std::optional<std::string> CodeTables::Name(std::string_view table_id,
                                            std::string_view code) const {
  const CodeTable* table = Find(table_id);
  if (table == nullptr) return std::nullopt;
  for (const CodeEntry& e : table->entries) {
    if (e.code == code) return e.name;
  }
  return std::nullopt;
}

bool CodeTables::Contains(std::string_view table_id, std::string_view code) const {
  return Name(table_id, code).has_value();
}

}  // namespace hukou::codes
