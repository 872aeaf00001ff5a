#include "org/units.h"

#include "codes/divisions.h"

namespace hukou::org {
namespace {
constexpr char kUnitColumns[] =
    "SELECT code, name, kind, COALESCE(parent_code, '') AS parent_code, scope_prefix, "
    "division_code FROM units";

Unit UnitAt(const store::Rows& rows, size_t i) {
  return Unit{rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2),
              rows.Text(i, 3), rows.Text(i, 4), rows.Text(i, 5)};
}
}  // namespace

Status SeedUnits(store::Connection& conn, std::string_view city, const Clock& clock) {
  if (codes::Divisions::CityPrefix(city).empty()) {
    return ValidationError("unit.city", "未知的示范城市：" + std::string(city), "city");
  }
  const std::string now = clock.NowIso();
  // Parents precede children in the seed data, so the foreign key holds row by row.
  for (const codes::UnitSeed& u : codes::Divisions::Get().Units(city)) {
    auto r = conn.Exec(
        "INSERT INTO units (code, name, kind, parent_code, scope_prefix, division_code, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
        {u.code, u.name, u.kind, store::TextOrNull(u.parent_code), u.scope_prefix, u.division_code,
         now});
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Result<std::vector<Unit>> ListUnits(store::Connection& conn) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query(std::string(kUnitColumns) + " ORDER BY code"));
  std::vector<Unit> units;
  units.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) units.push_back(UnitAt(rows, i));
  return units;
}

Result<Unit> FindUnit(store::Connection& conn, std::string_view code) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query(std::string(kUnitColumns) + " WHERE code = $1", {std::string(code)}));
  if (rows.empty()) {
    return NotFoundError("unit.not_found", "未找到该单位：" + std::string(code), "unit_code");
  }
  return UnitAt(rows, 0);
}

}  // namespace hukou::org
