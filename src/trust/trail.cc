#include "trust/trail.h"

#include <algorithm>
#include <map>

#include "trust/chain.h"
#include "trust/sm2.h"

namespace hukou::trust {
namespace {

// Collects positional parameters for one statement.
class Params {
 public:
  std::string Add(store::Value v) {
    values_.push_back(std::move(v));
    return "$" + std::to_string(values_.size());
  }
  const std::vector<store::Value>& values() const { return values_; }

 private:
  std::vector<store::Value> values_;
};

// One side of the union: its table alias and the names of its object columns.
struct Side {
  const char* source;
  const char* table;
  const char* kind;     // object_kind | subject_kind
  const char* object;   // object_id | subject
  const char* detail;   // detail | ''
  const char* purpose;  // '' | purpose
  const char* client;   // '' | client
};
constexpr Side kAudit{"audit", "audit_log", "object_kind", "object_id", "x.detail", "''", "''"};
constexpr Side kAccess{"access", "access_log", "subject_kind", "subject",
                       "''",     "x.purpose",  "x.client"};

// The station (or the acting officer's unit scope) an entry belongs to, for the data scope.
std::string StationExpr(const Side& s) {
  const std::string kind = std::string("x.") + s.kind;
  const std::string object = std::string("x.") + s.object;
  return "COALESCE(CASE WHEN " + kind +
         " = 'person' THEN (SELECT p.station_code FROM persons p WHERE p.id_number = " + object +
         ") END, CASE WHEN " + kind +
         " = 'case' THEN (SELECT c.station_code FROM cases c WHERE c.case_no = " + object +
         ") END, CASE WHEN " + kind +
         " = 'household' THEN (SELECT h.station_code FROM households h WHERE h.household_number "
         "= " +
         object +
         ") END, (SELECT un.scope_prefix FROM users u JOIN units un ON un.code = u.unit_code "
         "WHERE u.id = x.user_id))";
}

std::string SideSelect(const Side& s, const TrailFilter& f, Params& p) {
  const std::string kind = std::string("x.") + s.kind;
  const std::string object = std::string("x.") + s.object;
  std::vector<std::string> where;
  if (!f.person.empty()) {
    where.push_back(kind + " = 'person' AND " + object + " = " + p.Add(f.person));
  }
  if (!f.case_no.empty()) {
    std::string c = "(" + kind + " = 'case' AND " + object + " = " + p.Add(f.case_no) + ")";
    if (std::string_view(s.source) == "audit") {
      c +=
          " OR (" + kind + " = 'document' AND " + object +
          " IN (SELECT CAST(d.id AS TEXT) FROM documents d WHERE d.case_ref = " + p.Add(f.case_no) +
          "))";
    }
    where.push_back("(" + c + ")");
  }
  if (f.user_id != 0) where.push_back("x.user_id = " + p.Add(f.user_id));
  if (!f.from.empty()) where.push_back("x.at >= " + p.Add(f.from));
  if (!f.before.empty()) where.push_back("x.at < " + p.Add(f.before));
  if (!f.action.empty()) where.push_back("x.action = " + p.Add(f.action));
  if (!f.scope_prefix.empty()) {
    where.push_back("SUBSTR(" + StationExpr(s) + ", 1, " + std::to_string(f.scope_prefix.size()) +
                    ") = " + p.Add(f.scope_prefix));
  }
  std::string sql = std::string("SELECT '") + s.source + "' AS source, x.id, x.at, x.user_id, " +
                    "x.action, " + kind + " AS object_kind, " + object + " AS object_id, " +
                    s.detail + " AS detail, " + s.purpose + " AS purpose, " + s.client +
                    " AS client, x.seq, x.hash FROM " + s.table + " x";
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  // Each side is cut to the page's end on its own, so the union stays small.
  return sql + " ORDER BY x.at DESC, x.id DESC LIMIT " + std::to_string(f.offset + f.limit + 1);
}

constexpr char kCheckpointColumns[] =
    "SELECT c.id, c.chain, c.seq, c.hash, c.at, c.key_id, c.signature, k.owner_kind, k.owner_id, "
    "k.public_key_pem, COALESCE(a.hash, l.hash, '') FROM audit_checkpoints c "
    "JOIN signing_keys k ON k.id = c.key_id "
    "LEFT JOIN audit_log a ON c.chain = 'audit' AND a.seq = c.seq "
    "LEFT JOIN access_log l ON c.chain = 'access' AND l.seq = c.seq ";

// The checkpoint at row i of a kCheckpointColumns result, its signature verified.
CheckpointInfo CheckpointAt(const store::Rows& r, size_t i) {
  CheckpointInfo c;
  c.id = r.Int(i, 0);
  c.chain = r.Text(i, 1);
  c.seq = r.Int(i, 2);
  c.hash = r.Text(i, 3);
  c.at = r.Text(i, 4);
  c.key_id = r.Int(i, 5);
  c.signed_by = r.Text(i, 7) == "server" ? r.Text(i, 8) : r.Text(i, 7) + ":" + r.Text(i, 8);
  Result<Sm2Key> key = Sm2Key::FromPublicPem(r.Text(i, 9));
  Result<std::string> der = FromBase64(r.Text(i, 6));
  c.signature_valid =
      key.ok() && der.ok() && key->Verify(CheckpointPayload(c.chain, c.seq, c.hash, c.at), *der);
  c.hash_matches = r.Text(i, 10) == c.hash;
  return c;
}

}  // namespace

Result<TrailPage> SearchTrail(store::Connection& conn, const TrailFilter& f) {
  Params p;
  std::vector<std::string> sides;
  if (f.source.empty() || f.source == "audit") sides.push_back(SideSelect(kAudit, f, p));
  if (f.source.empty() || f.source == "access") sides.push_back(SideSelect(kAccess, f, p));
  std::string sql =
      "SELECT t.source, t.id, t.at, t.user_id, u.name, u.login, u.police_number, u.unit_code, "
      "un.name, t.action, t.object_kind, t.object_id, t.detail, t.purpose, t.client, t.seq, "
      "t.hash FROM (";
  for (size_t i = 0; i < sides.size(); ++i) {
    sql += (i == 0 ? "SELECT * FROM (" : " UNION ALL SELECT * FROM (") + sides[i] + ") s" +
           std::to_string(i);
  }
  sql +=
      ") t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN units un ON un.code = u.unit_code "
      "ORDER BY t.at DESC, t.source DESC, t.id DESC LIMIT " +
      std::to_string(f.limit + 1) + " OFFSET " + std::to_string(f.offset);
  HUKOU_ASSIGN_OR_RETURN(store::Rows r, conn.Query(sql, p.values()));
  TrailPage page;
  page.has_more = r.size() > static_cast<size_t>(f.limit);
  std::map<std::pair<std::string, int64_t>, std::optional<CheckpointInfo>> sealed;
  for (size_t i = 0; i < std::min(r.size(), static_cast<size_t>(f.limit)); ++i) {
    TrailEntry e;
    e.source = r.Text(i, 0);
    e.id = r.Int(i, 1);
    e.at = r.Text(i, 2);
    e.user_id = r.IsNull(i, 3) ? 0 : r.Int(i, 3);
    e.user_name = r.Text(i, 4);
    e.user_login = r.Text(i, 5);
    e.police_number = r.Text(i, 6);
    e.unit_code = r.Text(i, 7);
    e.unit_name = r.Text(i, 8);
    e.action = r.Text(i, 9);
    e.object_kind = r.Text(i, 10);
    e.object_id = r.Text(i, 11);
    e.detail = r.Text(i, 12);
    e.purpose = r.Text(i, 13);
    e.client = r.Text(i, 14);
    e.seq = r.IsNull(i, 15) ? 0 : r.Int(i, 15);
    e.hash = r.Text(i, 16);
    if (e.seq != 0) {
      auto key = std::make_pair(e.source, e.seq);
      auto it = sealed.find(key);
      if (it == sealed.end()) {
        HUKOU_ASSIGN_OR_RETURN(
            store::Rows c,
            conn.Query(std::string(kCheckpointColumns) +
                           "WHERE c.chain = $1 AND c.seq >= $2 ORDER BY c.seq LIMIT 1",
                       {e.source, e.seq}));
        it =
            sealed.emplace(key, c.empty() ? std::nullopt : std::optional(CheckpointAt(c, 0))).first;
      }
      e.checkpoint = it->second;
    }
    page.entries.push_back(std::move(e));
  }
  return page;
}

Result<std::vector<ChainHealth>> ChainsHealth(store::Connection& conn, int per_chain) {
  std::vector<ChainHealth> out;
  for (const ChainSpec* spec : AllChains()) {
    ChainHealth h;
    h.chain = std::string(spec->name);
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows head,
        conn.Query("SELECT c.last_seq, COALESCE(x.at, '') FROM audit_chains c LEFT JOIN " +
                       std::string(spec->table) +
                       " x ON x.seq = c.last_seq AND c.last_seq > 0 WHERE c.name = $1",
                   {h.chain}));
    if (!head.empty()) {
      h.head_seq = head.Int(0, 0);
      h.head_at = head.Text(0, 1);
    }
    HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                           conn.Query(std::string(kCheckpointColumns) +
                                          "WHERE c.chain = $1 ORDER BY c.seq DESC LIMIT " +
                                          std::to_string(std::max(per_chain, 1)),
                                      {h.chain}));
    for (size_t i = 0; i < r.size(); ++i) h.checkpoints.push_back(CheckpointAt(r, i));
    h.unsealed = h.head_seq - (h.checkpoints.empty() ? 0 : h.checkpoints.front().seq);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace hukou::trust
