#include "exchange/bulk_writer.h"

#include <algorithm>
#include <cstdio>

#include "codes/chinese_text.h"
#include "codes/divisions.h"
#include "registry/household.h"

namespace hukou::exchange {
namespace {

constexpr std::string_view kFormerNameSeparator = "、";

constexpr char kInsertAddress[] =
    "INSERT INTO addresses (division_code, township_code, community_code, street, house_number, "
    "building, unit_no, room, full_text, station_code, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";

constexpr char kInsertHousehold[] =
    "INSERT INTO households (household_number, kind, address_id, station_code, status, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

constexpr char kSetHead[] = "UPDATE households SET head_person_id = $1 WHERE id = $2";

constexpr char kInsertPerson[] =
    "INSERT INTO persons (id_number, name, name_simplified, name_pinyin, sex, ethnicity, "
    "birth_date, former_names, native_place, birthplace, religion, education, marital_status, "
    "military_service, workplace, occupation, phone, father_name, father_id_number, mother_name, "
    "mother_id_number, guardian_name, guardian_id_number, spouse_name, spouse_id_number, "
    "household_id, relation_to_head, status, cancel_reason, cancel_date, station_code, "
    "registered_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
    "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, "
    "$32, $33) RETURNING id";

constexpr char kInsertFormerName[] =
    "INSERT INTO person_former_names (person_id, name, name_simplified) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";

constexpr char kInsertChange[] =
    "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_at, "
    "effective_date, operator_id, case_id, action, station_code) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)";

constexpr char kUpsertIdSequence[] =
    "INSERT INTO id_sequences (division_code, birth_date, last_male, last_female) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (division_code, birth_date) DO UPDATE SET "
    "last_male = CASE WHEN excluded.last_male > id_sequences.last_male "
    "THEN excluded.last_male ELSE id_sequences.last_male END, "
    "last_female = CASE WHEN excluded.last_female > id_sequences.last_female "
    "THEN excluded.last_female ELSE id_sequences.last_female END";

constexpr char kUpsertHouseholdSequence[] =
    "INSERT INTO household_sequences (station_code, last_value) VALUES ($1, $2) "
    "ON CONFLICT (station_code) DO UPDATE SET last_value = CASE WHEN "
    "excluded.last_value > household_sequences.last_value THEN excluded.last_value "
    "ELSE household_sequences.last_value END";

store::Value IdOrNull(int64_t id) { return id == 0 ? store::Value{} : store::Value{id}; }

Result<int64_t> ReturnedId(Result<store::Rows> rows) {
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return InternalError("bulk.no_id", "插入后未返回编号");
  return rows->Int(0, 0);
}

}  // namespace

std::string JoinFormerNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (n.empty()) continue;
    if (!out.empty()) out += kFormerNameSeparator;
    out += n;
  }
  return out;
}

std::vector<std::string> SplitFormerNames(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    size_t pos = joined.find(kFormerNameSeparator);
    std::string_view part = joined.substr(0, pos);
    if (!part.empty()) out.emplace_back(part);
    if (pos == std::string_view::npos) break;
    joined.remove_prefix(pos + kFormerNameSeparator.size());
  }
  return out;
}

BulkWriter::BulkWriter(store::Connection& conn) : conn_(conn) { params_.reserve(33); }

Result<int64_t> BulkWriter::AddAddress(const AddressRow& r) {
  auto place = codes::Divisions::Get().FindPlace(r.community_code);
  if (!place || place->kind != "community") {
    return ValidationError("address.community", "社区（村）代码" + r.community_code + "不存在",
                           "community_code");
  }
  params_.assign({r.division_code, r.township_code, r.community_code, r.street, r.house_number,
                  r.building, r.unit_no, r.room, r.full_text, place->station_code, r.created_at});
  HUKOU_ASSIGN_OR_RETURN(int64_t id, ReturnedId(conn_.Query(kInsertAddress, params_)));
  address_station_.emplace(id, place->station_code);
  ++addresses_;
  return id;
}

std::string BulkWriter::StationOfAddress(int64_t address_id) const {
  auto it = address_station_.find(address_id);
  return it == address_station_.end() ? std::string() : it->second;
}

Result<int64_t> BulkWriter::AddHousehold(const HouseholdRow& r) {
  params_.assign({r.household_number, r.kind, r.address_id, r.station_code, r.status, r.created_at,
                  r.updated_at});
  HUKOU_ASSIGN_OR_RETURN(int64_t id, ReturnedId(conn_.Query(kInsertHousehold, params_)));
  if (auto seq = registry::HouseholdSequenceOf(r.household_number, r.station_code)) {
    int64_t& last = household_seq_[r.station_code];
    last = std::max(last, *seq);
  }
  ++households_;
  return id;
}

Status BulkWriter::SetHead(int64_t household_id, int64_t person_id) {
  params_.assign({person_id, household_id});
  return conn_.Exec(kSetHead, params_).status();
}

Result<int64_t> BulkWriter::AddPerson(const PersonRow& r) {
  params_.clear();
  params_.emplace_back(r.id_number);
  params_.emplace_back(r.name);
  params_.emplace_back(codes::ToSimplified(r.name));
  params_.emplace_back(codes::ToPinyin(r.name));
  for (const std::string* s : {&r.sex, &r.ethnicity, &r.birth_date}) {
    params_.emplace_back(*s);
  }
  params_.emplace_back(JoinFormerNames(r.former_names));
  for (const std::string* s :
       {&r.native_place, &r.birthplace, &r.religion, &r.education, &r.marital_status,
        &r.military_service, &r.workplace, &r.occupation, &r.phone, &r.father_name,
        &r.father_id_number, &r.mother_name, &r.mother_id_number, &r.guardian_name,
        &r.guardian_id_number, &r.spouse_name, &r.spouse_id_number}) {
    params_.emplace_back(*s);
  }
  params_.emplace_back(IdOrNull(r.household_id));
  for (const std::string* s : {&r.relation_to_head, &r.status, &r.cancel_reason, &r.cancel_date,
                               &r.station_code, &r.registered_at, &r.updated_at}) {
    params_.emplace_back(*s);
  }
  HUKOU_ASSIGN_OR_RETURN(int64_t id, ReturnedId(conn_.Query(kInsertPerson, params_)));
  for (const std::string& former : r.former_names) {
    if (former.empty()) continue;
    params_.assign({id, former, codes::ToSimplified(former)});
    HUKOU_RETURN_IF_ERROR(conn_.Exec(kInsertFormerName, params_).status());
  }
  ++persons_;
  return id;
}

Status BulkWriter::AddChange(const ChangeRow& r) {
  params_.assign({r.entity, r.entity_id, r.field, r.old_value, r.new_value, r.changed_at,
                  r.effective_date, IdOrNull(r.operator_id), r.action, r.station_code});
  HUKOU_RETURN_IF_ERROR(conn_.Exec(kInsertChange, params_).status());
  ++changes_;
  return Status::Ok();
}

void BulkWriter::NoteIdSequence(std::string_view division_code, std::string_view birth_compact,
                                int sequence) {
  std::string key;
  key.reserve(14);
  key.append(division_code).append(birth_compact);
  SeqPair& p = id_seq_[key];
  if (sequence % 2 == 1) {
    p.last_male = std::max(p.last_male, sequence);
  } else {
    p.last_female = std::max(p.last_female, sequence);
  }
}

Status BulkWriter::DeferIndexes() {
  const bool sqlite = conn_.backend() == store::Backend::kSqlite;
  const char* sql =
      sqlite ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
               "AND tbl_name IN ('persons', 'households', 'addresses', 'change_log', "
               "'person_former_names') ORDER BY name"
             : "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
               "AND tablename IN ('persons', 'households', 'addresses', 'change_log', "
               "'person_former_names') ORDER BY indexname";
  HUKOU_ASSIGN_OR_RETURN(store::Rows rows, conn_.Query(sql));
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::string name = rows.Text(r, 0);
    const std::string create = rows.Text(r, 1);
    if (create.starts_with("CREATE UNIQUE") || !create.starts_with("CREATE INDEX")) continue;
    HUKOU_RETURN_IF_ERROR(conn_.ExecScript("DROP INDEX " + name));
    deferred_indexes_.push_back(create);
  }
  return Status::Ok();
}

Status BulkWriter::RestoreIndexes() {
  for (const std::string& create : deferred_indexes_) {
    HUKOU_RETURN_IF_ERROR(conn_.ExecScript(create));
  }
  deferred_indexes_.clear();
  return Status::Ok();
}

Status BulkWriter::Finish() {
  // Sorted, so that the same input writes the same rows in the same order.
  std::vector<std::pair<std::string, SeqPair>> seqs(id_seq_.begin(), id_seq_.end());
  std::sort(seqs.begin(), seqs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [key, p] : seqs) {
    params_.assign({key.substr(0, 6), key.substr(6), int64_t{p.last_male}, int64_t{p.last_female}});
    HUKOU_RETURN_IF_ERROR(conn_.Exec(kUpsertIdSequence, params_).status());
  }
  id_seq_.clear();
  std::vector<std::pair<std::string, int64_t>> hs(household_seq_.begin(), household_seq_.end());
  std::sort(hs.begin(), hs.end());
  for (const auto& [station, last] : hs) {
    params_.assign({station, last});
    HUKOU_RETURN_IF_ERROR(conn_.Exec(kUpsertHouseholdSequence, params_).status());
  }
  household_seq_.clear();
  return Status::Ok();
}

}  // namespace hukou::exchange
