#include "exchange/csv.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "codes/code_tables.h"
#include "codes/divisions.h"
#include "codes/id_number.h"
#include "exchange/bulk_writer.h"
#include "trust/audit.h"
#include "trust/chain.h"

namespace hukou::exchange {
namespace {

constexpr char kHouseholdsFile[] = "households.csv";
constexpr char kPersonsFile[] = "persons.csv";
constexpr int kExportPage = 5000;
constexpr size_t kMaxNameBytes = 120;

// Column positions in households.csv.
enum HouseholdCol {
  kHhNumber,
  kHhKind,
  kHhDivision,
  kHhTownship,
  kHhCommunity,
  kHhStreet,
  kHhHouseNumber,
  kHhBuilding,
  kHhUnitNo,
  kHhRoom,
  kHhFullText,
  kHhColumnCount
};

// Column positions in persons.csv.
enum PersonCol {
  kPIdNumber,
  kPName,
  kPSex,
  kPEthnicity,
  kPBirthDate,
  kPFormerNames,
  kPNativePlace,
  kPBirthplace,
  kPReligion,
  kPEducation,
  kPMaritalStatus,
  kPMilitaryService,
  kPWorkplace,
  kPOccupation,
  kPPhone,
  kPFatherName,
  kPFatherId,
  kPMotherName,
  kPMotherId,
  kPGuardianName,
  kPGuardianId,
  kPSpouseName,
  kPSpouseId,
  kPHouseholdNumber,
  kPRelation,
  kPStatus,
  kPCancelReason,
  kPCancelDate,
  kPColumnCount
};

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return ValidationError("import.file", "无法读取文件 " + path.string(), path.filename());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Collects problems as "file:line: field: message".
class Problems {
 public:
  void Add(const std::string& file, int line, const std::string& field, const std::string& msg) {
    lines_.push_back(file + ":" + std::to_string(line) + ": " + field + ": " + msg);
  }
  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }
  void WriteTo(std::ostream& out) const {
    for (const std::string& l : lines_) out << l << '\n';
  }

 private:
  std::vector<std::string> lines_;
};

// A date written exactly as YYYY-MM-DD.
std::optional<Date> ParseIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto d = Date::Parse(s);
  if (!d || !d->IsValid()) return std::nullopt;
  return d;
}

struct HouseholdInFile {
  int line = 0;
  const CsvRecord* record = nullptr;
};

// A household that already exists in the database.
struct HouseholdInDb {
  int64_t id = 0;
  std::string station_code;
  bool has_head = false;
};

std::string NumberOrEmpty(const store::Rows& rows, size_t r, size_t c) {
  return rows.IsNull(r, c) ? std::string() : rows.Text(r, c);
}

}  // namespace

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRecord> out;
  size_t i = 0;
  int line = 1;
  const size_t n = text.size();
  while (i < n) {
    // Skip blank lines between records.
    if (text[i] == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') {
      ++line;
      i += 2;
      continue;
    }
    CsvRecord rec;
    rec.line = line;
    bool end_of_record = false;
    while (!end_of_record) {
      std::string field;
      if (i < n && text[i] == '"') {
        const int start_line = line;
        ++i;
        bool closed = false;
        while (i < n) {
          char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        if (!closed) {
          return ValidationError("csv.quote",
                                 "第" + std::to_string(start_line) + "行的引号字段没有结束");
        }
        if (i < n && text[i] != ',' && text[i] != '\n' &&
            !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
          return ValidationError("csv.quote",
                                 "第" + std::to_string(line) + "行引号字段后有多余字符");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' &&
               !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
          field += text[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (i >= n) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        i += text[i] == '\r' ? 2 : 1;
        ++line;
        end_of_record = true;
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

void AppendCsvRecord(std::string& out, const std::vector<std::string>& fields) {
  for (size_t f = 0; f < fields.size(); ++f) {
    if (f > 0) out += ',';
    const std::string& v = fields[f];
    if (v.find_first_of(",\"\r\n") == std::string::npos) {
      out += v;
      continue;
    }
    out += '"';
    for (char c : v) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
}

const std::vector<std::string>& HouseholdColumns() {
  static const std::vector<std::string> kColumns = {
      "household_number", "kind",     "division_code", "township_code", "community_code", "street",
      "house_number",     "building", "unit_no",       "room",          "full_text"};
  return kColumns;
}

const std::vector<std::string>& PersonColumns() {
  static const std::vector<std::string> kColumns = {"id_number",
                                                    "name",
                                                    "sex",
                                                    "ethnicity",
                                                    "birth_date",
                                                    "former_names",
                                                    "native_place",
                                                    "birthplace",
                                                    "religion",
                                                    "education",
                                                    "marital_status",
                                                    "military_service",
                                                    "workplace",
                                                    "occupation",
                                                    "phone",
                                                    "father_name",
                                                    "father_id_number",
                                                    "mother_name",
                                                    "mother_id_number",
                                                    "guardian_name",
                                                    "guardian_id_number",
                                                    "spouse_name",
                                                    "spouse_id_number",
                                                    "household_number",
                                                    "relation_to_head",
                                                    "status",
                                                    "cancel_reason",
                                                    "cancel_date"};
  return kColumns;
}

namespace {

// Parses a file and checks its header. Records after the header are returned.
Result<std::vector<CsvRecord>> LoadTable(const std::filesystem::path& path,
                                         const std::vector<std::string>& columns) {
  HUKOU_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto parsed = ParseCsv(text);
  if (!parsed.ok()) {
    Error e = parsed.error();
    e.message = path.filename().string() + "：" + e.message;
    return e;
  }
  std::vector<CsvRecord> records = std::move(parsed).value();
  if (records.empty() || records.front().fields != columns) {
    std::string expected;
    for (const auto& c : columns) expected += (expected.empty() ? "" : ",") + c;
    return ValidationError("import.header", path.filename().string() + " 的表头应为：" + expected,
                           "header");
  }
  records.erase(records.begin());
  return records;
}

class Validator {
 public:
  Validator(store::Connection& conn, const Date& today, Problems& problems)
      : conn_(conn), today_(today), problems_(problems), tables_(codes::CodeTables::Get()) {}

  Status CheckHouseholds(const std::vector<CsvRecord>& rows) {
    const auto& divisions = codes::Divisions::Get();
    for (const CsvRecord& rec : rows) {
      auto bad = [&](const char* field, const std::string& msg) {
        problems_.Add(kHouseholdsFile, rec.line, field, msg);
      };
      if (rec.fields.size() != kHhColumnCount) {
        bad("*", "应有" + std::to_string(kHhColumnCount) + "列，实际为" +
                     std::to_string(rec.fields.size()) + "列");
        continue;
      }
      const auto& f = rec.fields;
      const std::string& number = f[kHhNumber];
      if (number.empty() || number.size() > 32) {
        bad("household_number", "户号不能为空且不超过32个字符");
      } else if (!households_.emplace(number, HouseholdInFile{rec.line, &rec}).second) {
        bad("household_number", "户号" + number + "在文件中重复（第" +
                                    std::to_string(households_[number].line) + "行已有）");
      } else {
        HUKOU_ASSIGN_OR_RETURN(auto in_db, FindHouseholdInDb(number));
        if (in_db) bad("household_number", "户号" + number + "已存在于系统中");
      }
      if (!tables_.Contains("household_kind", f[kHhKind])) {
        bad("kind", "户别代码“" + f[kHhKind] + "”无效");
      }
      if (f[kHhDivision].size() != 6 || !AllDigits(f[kHhDivision]) ||
          !divisions.IsKnown(f[kHhDivision])) {
        bad("division_code", "行政区划代码“" + f[kHhDivision] + "”无效");
      }
      if (f[kHhTownship].size() != 9 || !AllDigits(f[kHhTownship]) ||
          !f[kHhTownship].starts_with(f[kHhDivision])) {
        bad("township_code", "乡镇（街道）代码“" + f[kHhTownship] + "”应为本区县下的9位代码");
      }
      auto place = divisions.FindPlace(f[kHhCommunity]);
      if (f[kHhCommunity].size() != 12 || !f[kHhCommunity].starts_with(f[kHhTownship])) {
        bad("community_code", "社区（村）代码“" + f[kHhCommunity] + "”应为本乡镇下的12位代码");
      } else if (!place || place->kind != "community") {
        bad("community_code", "社区（村）代码“" + f[kHhCommunity] + "”不在本市地点表中");
      }
      if (f[kHhFullText].empty()) bad("full_text", "完整地址不能为空");
    }
    return Status::Ok();
  }

  Status CheckPersons(const std::vector<CsvRecord>& rows) {
    std::unordered_map<std::string, int> id_lines;
    std::unordered_map<std::string, int> head_lines;  // household → line of its active head
    for (const CsvRecord& rec : rows) {
      auto bad = [&](const std::string& field, const std::string& msg) {
        problems_.Add(kPersonsFile, rec.line, field, msg);
      };
      if (rec.fields.size() != kPColumnCount) {
        bad("*", "应有" + std::to_string(kPColumnCount) + "列，实际为" +
                     std::to_string(rec.fields.size()) + "列");
        continue;
      }
      const auto& f = rec.fields;
      std::optional<codes::IdNumberInfo> info;
      auto id = codes::ValidateIdNumber(f[kPIdNumber], today_);
      if (!id.ok()) {
        bad("id_number", id.error().message);
      } else {
        info = *id;
        if (f[kPIdNumber] != info->number) {
          bad("id_number", "公民身份号码末位应为大写X");
        } else if (auto [it, inserted] = id_lines.emplace(info->number, rec.line); !inserted) {
          bad("id_number", "公民身份号码" + info->number + "在文件中重复（第" +
                               std::to_string(it->second) + "行已有）");
        } else {
          HUKOU_ASSIGN_OR_RETURN(
              store::Rows existing,
              conn_.Query("SELECT id FROM persons WHERE id_number = $1", {info->number}));
          if (!existing.empty()) bad("id_number", "公民身份号码" + info->number + "已存在于系统中");
        }
      }
      if (f[kPName].empty() || f[kPName].size() > kMaxNameBytes) {
        bad("name", "姓名不能为空且不超过40个汉字");
      }
      if (!tables_.Contains("sex", f[kPSex])) {
        bad("sex", "性别代码“" + f[kPSex] + "”无效");
      } else if (info && info->sex != f[kPSex]) {
        bad("sex", "性别与公民身份号码不一致");
      }
      if (!tables_.Contains("ethnicity", f[kPEthnicity])) {
        bad("ethnicity", "民族代码“" + f[kPEthnicity] + "”无效");
      }
      auto birth = ParseIsoDate(f[kPBirthDate]);
      if (!birth) {
        bad("birth_date", "出生日期“" + f[kPBirthDate] + "”应为有效的YYYY-MM-DD日期");
      } else if (info && info->birth_date != *birth) {
        bad("birth_date", "出生日期与公民身份号码不一致");
      }
      OptionalCode(f[kPReligion], "religion", "宗教信仰", bad);
      OptionalCode(f[kPEducation], "education", "文化程度", bad);
      OptionalCode(f[kPMaritalStatus], "marital_status", "婚姻状况", bad);
      OptionalCode(f[kPMilitaryService], "military_service", "兵役状况", bad);
      OptionalCode(f[kPRelation], "relation", "与户主关系", bad, "relation_to_head");
      for (auto [col, field] : {std::pair{kPFatherId, "father_id_number"},
                                {kPMotherId, "mother_id_number"},
                                {kPGuardianId, "guardian_id_number"},
                                {kPSpouseId, "spouse_id_number"}}) {
        if (f[col].empty()) continue;
        auto other = codes::ValidateIdNumber(f[col], today_);
        if (!other.ok()) bad(field, other.error().message);
      }
      const std::string& phone = f[kPPhone];
      if (phone.size() > 20 || !std::all_of(phone.begin(), phone.end(), [](char c) {
            return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == ' ';
          })) {
        bad("phone", "联系电话只能包含数字、空格、+ 和 -，且不超过20个字符");
      }
      const std::string& hh = f[kPHouseholdNumber];
      bool household_known = false;
      bool household_has_head = false;
      if (hh.empty()) {
        bad("household_number", "户号不能为空");
      } else if (households_.contains(hh)) {
        household_known = true;
      } else {
        HUKOU_ASSIGN_OR_RETURN(auto in_db, FindHouseholdInDb(hh));
        if (!in_db) {
          bad("household_number", "户号" + hh + "既不在households.csv中，也不在系统中");
        } else {
          household_known = true;
          household_has_head = in_db->has_head;
        }
      }
      const std::string& status = f[kPStatus];
      if (status == "active") {
        if (!f[kPCancelReason].empty()) bad("cancel_reason", "正常状态的人员不应有注销原因");
        if (!f[kPCancelDate].empty()) bad("cancel_date", "正常状态的人员不应有注销日期");
        if (f[kPRelation] == "02" && household_known) {
          if (household_has_head) {
            bad("relation_to_head", "户号" + hh + "在系统中已有户主");
          } else if (auto [it, inserted] = head_lines.emplace(hh, rec.line); !inserted) {
            bad("relation_to_head",
                "户号" + hh + "已有户主（第" + std::to_string(it->second) + "行）");
          }
        }
      } else if (status == "cancelled") {
        if (!tables_.Contains("cancel_reason", f[kPCancelReason])) {
          bad("cancel_reason", "注销原因代码“" + f[kPCancelReason] + "”无效");
        }
        auto cancel = ParseIsoDate(f[kPCancelDate]);
        if (!cancel) {
          bad("cancel_date", "注销日期“" + f[kPCancelDate] + "”应为有效的YYYY-MM-DD日期");
        } else if (*cancel > today_ || (birth && *cancel < *birth)) {
          bad("cancel_date", "注销日期应在出生日期之后且不晚于今天");
        }
      } else {
        bad("status", "人员状态应为 active 或 cancelled");
      }
    }
    return Status::Ok();
  }

  const std::unordered_map<std::string, HouseholdInFile>& households() const { return households_; }

  Result<std::optional<HouseholdInDb>> FindHouseholdInDb(const std::string& number) {
    if (auto it = db_households_.find(number); it != db_households_.end()) return it->second;
    HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                           conn_.Query("SELECT id, station_code, head_person_id FROM households "
                                       "WHERE household_number = $1",
                                       {number}));
    std::optional<HouseholdInDb> found;
    if (!rows.empty()) found = HouseholdInDb{rows.Int(0, 0), rows.Text(0, 1), !rows.IsNull(0, 2)};
    db_households_.emplace(number, found);
    return found;
  }

 private:
  template <typename Bad>
  void OptionalCode(const std::string& value, const char* table, const char* title, Bad& bad,
                    const char* field = nullptr) {
    if (value.empty() || tables_.Contains(table, value)) return;
    bad(field ? field : table, std::string(title) + "代码“" + value + "”无效");
  }

  store::Connection& conn_;
  Date today_;
  Problems& problems_;
  const codes::CodeTables& tables_;
  std::unordered_map<std::string, HouseholdInFile> households_;
  std::unordered_map<std::string, std::optional<HouseholdInDb>> db_households_;
};

Status WriteImport(store::Connection& conn, const std::vector<CsvRecord>& households,
                   const std::vector<CsvRecord>& persons, Validator& validator,
                   const org::Actor& actor, const Clock& clock, const std::string& dir,
                   ImportSummary& summary) {
  BulkWriter writer(conn);
  const std::string now = clock.NowIso();
  const std::string today = clock.Today().ToString();
  struct Known {
    int64_t id;
    std::string station;
  };
  std::unordered_map<std::string, Known> ids;
  auto change = [&](const char* entity, int64_t id, const std::string& station) {
    ChangeRow c;
    c.entity = entity;
    c.entity_id = id;
    c.field = "*";
    c.changed_at = now;
    c.effective_date = today;
    c.operator_id = actor.user_id;
    c.action = "import";
    c.station_code = station;
    return writer.AddChange(c);
  };
  for (const CsvRecord& rec : households) {
    const auto& f = rec.fields;
    HUKOU_ASSIGN_OR_RETURN(int64_t address_id, writer.AddAddress(AddressRow{
                                                   f[kHhDivision], f[kHhTownship], f[kHhCommunity],
                                                   f[kHhStreet], f[kHhHouseNumber], f[kHhBuilding],
                                                   f[kHhUnitNo], f[kHhRoom], f[kHhFullText], now}));
    std::string station = writer.StationOfAddress(address_id);
    HUKOU_ASSIGN_OR_RETURN(int64_t hid,
                           writer.AddHousehold(HouseholdRow{.household_number = f[kHhNumber],
                                                            .kind = f[kHhKind],
                                                            .address_id = address_id,
                                                            .station_code = station,
                                                            .status = "active",
                                                            .created_at = now,
                                                            .updated_at = now}));
    HUKOU_RETURN_IF_ERROR(change("household", hid, station));
    ids.emplace(f[kHhNumber], Known{hid, station});
    ++summary.households;
  }
  for (const CsvRecord& rec : persons) {
    const auto& f = rec.fields;
    auto it = ids.find(f[kPHouseholdNumber]);
    if (it == ids.end()) {
      HUKOU_ASSIGN_OR_RETURN(auto in_db, validator.FindHouseholdInDb(f[kPHouseholdNumber]));
      if (!in_db) return InternalError("import.household", "户号在校验后消失");
      it = ids.emplace(f[kPHouseholdNumber], Known{in_db->id, in_db->station_code}).first;
    }
    PersonRow p;
    p.id_number = f[kPIdNumber];
    p.name = f[kPName];
    p.sex = f[kPSex];
    p.ethnicity = f[kPEthnicity];
    p.birth_date = f[kPBirthDate];
    p.former_names = SplitFormerNames(f[kPFormerNames]);
    p.native_place = f[kPNativePlace];
    p.birthplace = f[kPBirthplace];
    p.religion = f[kPReligion];
    p.education = f[kPEducation];
    p.marital_status = f[kPMaritalStatus];
    p.military_service = f[kPMilitaryService];
    p.workplace = f[kPWorkplace];
    p.occupation = f[kPOccupation];
    p.phone = f[kPPhone];
    p.father_name = f[kPFatherName];
    p.father_id_number = f[kPFatherId];
    p.mother_name = f[kPMotherName];
    p.mother_id_number = f[kPMotherId];
    p.guardian_name = f[kPGuardianName];
    p.guardian_id_number = f[kPGuardianId];
    p.spouse_name = f[kPSpouseName];
    p.spouse_id_number = f[kPSpouseId];
    p.household_id = it->second.id;
    p.relation_to_head = f[kPRelation];
    p.status = f[kPStatus];
    p.cancel_reason = f[kPCancelReason];
    p.cancel_date = f[kPCancelDate];
    p.station_code = it->second.station;
    p.registered_at = now;
    p.updated_at = now;
    HUKOU_ASSIGN_OR_RETURN(int64_t pid, writer.AddPerson(p));
    HUKOU_RETURN_IF_ERROR(change("person", pid, p.station_code));
    if (p.status == "active" && p.relation_to_head == "02") {
      HUKOU_RETURN_IF_ERROR(writer.SetHead(p.household_id, pid));
    }
    writer.NoteIdSequence(std::string_view(p.id_number).substr(0, 6),
                          std::string_view(p.id_number).substr(6, 8),
                          std::stoi(p.id_number.substr(14, 3)));
    ++summary.persons;
  }
  HUKOU_RETURN_IF_ERROR(writer.Finish());
  std::string detail = "{\"dir\":\"" + std::filesystem::path(dir).filename().string() +
                       "\",\"households\":" + std::to_string(summary.households) +
                       ",\"persons\":" + std::to_string(summary.persons) + "}";
  return trust::AppendAudit(conn,
                            trust::AuditEntry{actor.user_id, "registry.import", "import",
                                              std::to_string(summary.persons), detail},
                            clock);
}

}  // namespace

Result<ImportSummary> ImportCsv(store::Database& db, const std::string& dir,
                                const org::Actor& actor, const Clock& clock, std::ostream& report) {
  const std::filesystem::path base(dir);
  HUKOU_ASSIGN_OR_RETURN(auto households, LoadTable(base / kHouseholdsFile, HouseholdColumns()));
  HUKOU_ASSIGN_OR_RETURN(auto persons, LoadTable(base / kPersonsFile, PersonColumns()));
  ImportSummary summary;
  Problems problems;  // outside the transaction: a retried attempt starts afresh
  Status s = db.Transact([&](store::Connection& conn) -> Status {
    summary = ImportSummary{};
    problems = Problems{};
    Validator validator(conn, clock.Today(), problems);
    HUKOU_RETURN_IF_ERROR(validator.CheckHouseholds(households));
    HUKOU_RETURN_IF_ERROR(validator.CheckPersons(persons));
    if (!problems.empty()) {
      return ValidationError("import.invalid", "导入文件有" + std::to_string(problems.size()) +
                                                   "处错误，未导入任何数据");
    }
    return WriteImport(conn, households, persons, validator, actor, clock, dir, summary);
  });
  problems.WriteTo(report);
  if (!s.ok()) return std::move(s).error();
  return summary;
}

Result<ExportSummary> ExportCsv(store::Database& db, const std::string& out_dir,
                                const org::Actor& actor, const Clock& clock) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  ExportSummary summary;
  summary.households_path = (fs::path(out_dir) / kHouseholdsFile).string();
  summary.persons_path = (fs::path(out_dir) / kPersonsFile).string();
  std::ofstream hh_out(summary.households_path, std::ios::binary | std::ios::trunc);
  std::ofstream p_out(summary.persons_path, std::ios::binary | std::ios::trunc);
  if (!hh_out || !p_out) {
    return ValidationError("export.file", "无法写入目录 " + out_dir, "out");
  }
  const std::string scope = actor.scope_prefix + "%";
  Status s = db.Read([&](store::Connection& conn) -> Status {
    summary.households = 0;
    summary.persons = 0;
    std::string buf;
    AppendCsvRecord(buf, HouseholdColumns());
    std::string after;
    std::vector<std::string> fields;
    for (;;) {
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows rows,
          conn.Query("SELECT h.household_number, h.kind, a.division_code, a.township_code, "
                     "a.community_code, a.street, a.house_number, a.building, a.unit_no, a.room, "
                     "a.full_text FROM households h JOIN addresses a ON a.id = h.address_id "
                     "WHERE h.station_code LIKE $1 AND h.household_number > $2 "
                     "ORDER BY h.household_number LIMIT $3",
                     {scope, after, int64_t{kExportPage}}));
      for (size_t r = 0; r < rows.size(); ++r) {
        fields.clear();
        for (size_t c = 0; c < kHhColumnCount; ++c) fields.push_back(rows.Text(r, c));
        AppendCsvRecord(buf, fields);
      }
      summary.households += static_cast<int64_t>(rows.size());
      hh_out << buf;
      buf.clear();
      if (rows.size() < static_cast<size_t>(kExportPage)) break;
      after = rows.Text(rows.size() - 1, 0);
    }
    AppendCsvRecord(buf, PersonColumns());
    after.clear();
    for (;;) {
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows rows,
          conn.Query("SELECT p.id_number, p.name, p.sex, p.ethnicity, p.birth_date, "
                     "p.former_names, p.native_place, p.birthplace, p.religion, p.education, "
                     "p.marital_status, p.military_service, p.workplace, p.occupation, p.phone, "
                     "p.father_name, p.father_id_number, p.mother_name, p.mother_id_number, "
                     "p.guardian_name, p.guardian_id_number, p.spouse_name, p.spouse_id_number, "
                     "h.household_number, p.relation_to_head, p.status, p.cancel_reason, "
                     "p.cancel_date FROM persons p LEFT JOIN households h ON h.id = p.household_id "
                     "WHERE p.station_code LIKE $1 AND p.id_number > $2 "
                     "ORDER BY p.id_number LIMIT $3",
                     {scope, after, int64_t{kExportPage}}));
      for (size_t r = 0; r < rows.size(); ++r) {
        fields.clear();
        for (size_t c = 0; c < kPColumnCount; ++c) fields.push_back(NumberOrEmpty(rows, r, c));
        AppendCsvRecord(buf, fields);
      }
      summary.persons += static_cast<int64_t>(rows.size());
      p_out << buf;
      buf.clear();
      if (rows.size() < static_cast<size_t>(kExportPage)) break;
      after = rows.Text(rows.size() - 1, 0);
    }
    return Status::Ok();
  });
  if (!s.ok()) return std::move(s).error();
  hh_out.close();
  p_out.close();
  if (!hh_out || !p_out) return ValidationError("export.file", "写入导出文件失败", "out");
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    return trust::AppendAccessRows(conn, {{clock.NowIso(), actor.user_id, "export", "query",
                                           "scope=" + actor.scope_prefix +
                                               " households=" + std::to_string(summary.households) +
                                               " persons=" + std::to_string(summary.persons),
                                           "导出 CSV", ""}});
  }));
  return summary;
}

}  // namespace hukou::exchange
