#include "trust/chain.h"

#include <algorithm>

#include "trust/sm3.h"

namespace hukou::trust {
namespace {

constexpr size_t kRowsPerStatement = 64;
constexpr int kLinkBatch = 5000;

std::string ColumnList(const ChainSpec& c) {
  std::string s;
  for (std::string_view f : c.fields) {
    if (!s.empty()) s += ", ";
    s += f;
  }
  return s;
}

}  // namespace

const ChainSpec& AuditChain() {
  static const ChainSpec spec{
      "audit", "audit_log", {"at", "user_id", "action", "object_kind", "object_id", "detail"}};
  return spec;
}

const ChainSpec& AccessChain() {
  static const ChainSpec spec{
      "access",
      "access_log",
      {"at", "user_id", "action", "subject_kind", "subject", "purpose", "client"}};
  return spec;
}

std::vector<const ChainSpec*> AllChains() { return {&AuditChain(), &AccessChain()}; }

std::string ChainHash(std::string_view prev_hash, int64_t seq,
                      const std::vector<std::string_view>& fields) {
  std::string text;
  size_t size = prev_hash.size() + 24;
  for (std::string_view f : fields) size += f.size() + 12;
  text.reserve(size);
  text.append(prev_hash);
  text += '\n';
  text += std::to_string(seq);
  text += '\n';
  for (std::string_view f : fields) {
    text += std::to_string(f.size());
    text += ':';
    text.append(f);
    text += ';';
  }
  return Sm3Hex(text);
}

Result<ChainWriter> ChainWriter::Open(store::Connection& conn, const ChainSpec& chain) {
  // An UPDATE takes the row lock on PostgreSQL (held to commit); SQLite's write transaction
  // already excludes every other writer.
  HUKOU_ASSIGN_OR_RETURN(store::Rows head,
                         conn.Query("UPDATE audit_chains SET last_seq = last_seq WHERE name = $1 "
                                    "RETURNING last_seq, last_hash",
                                    {std::string(chain.name)}));
  if (head.empty()) {
    return InternalError("trust.chain_missing", "审计链头缺失：" + std::string(chain.name));
  }
  ChainWriter w(conn, chain);
  w.seq_ = head.Int(0, 0);
  w.hash_ = head.Text(0, 1);
  return w;
}

ChainLink ChainWriter::Next(const std::vector<std::string_view>& fields) {
  ChainLink link;
  link.seq = ++seq_;
  link.prev_hash = hash_;
  link.hash = ChainHash(hash_, link.seq, fields);
  hash_ = link.hash;
  return link;
}

Status ChainWriter::Close() {
  return conn_
      ->Exec("UPDATE audit_chains SET last_seq = $2, last_hash = $3 WHERE name = $1",
             {std::string(chain_->name), seq_, hash_})
      .status();
}

Status AppendAccessRows(store::Connection& conn, const std::vector<AccessLogRow>& rows) {
  HUKOU_ASSIGN_OR_RETURN(ChainWriter chain, ChainWriter::Open(conn, AccessChain()));
  constexpr int kColumns = 10;
  for (size_t start = 0; start < rows.size(); start += kRowsPerStatement) {
    const size_t n = std::min(kRowsPerStatement, rows.size() - start);
    std::string sql =
        "INSERT INTO access_log (at, user_id, action, subject_kind, subject, purpose, client, "
        "seq, prev_hash, hash) VALUES ";
    std::vector<store::Value> params;
    params.reserve(n * kColumns);
    int p = 0;
    for (size_t i = start; i < start + n; ++i) {
      const AccessLogRow& r = rows[i];
      sql += i == start ? "(" : ", (";
      for (int c = 0; c < kColumns; ++c) sql += (c ? ", $" : "$") + std::to_string(++p);
      sql += ")";
      const std::string user = r.user_id == 0 ? std::string() : std::to_string(r.user_id);
      ChainLink link =
          chain.Next({r.at, user, r.action, r.subject_kind, r.subject, r.purpose, r.client});
      params.emplace_back(r.at);
      params.push_back(r.user_id == 0 ? store::Value{} : store::Value{r.user_id});
      params.emplace_back(r.action);
      params.emplace_back(r.subject_kind);
      params.emplace_back(r.subject);
      params.emplace_back(r.purpose);
      params.emplace_back(r.client);
      params.emplace_back(link.seq);
      params.emplace_back(std::move(link.prev_hash));
      params.emplace_back(std::move(link.hash));
    }
    HUKOU_RETURN_IF_ERROR(conn.Exec(sql, params).status());
  }
  return chain.Close();
}

Result<int64_t> LinkPending(store::Database& db) {
  int64_t linked = 0;
  for (const ChainSpec* spec : AllChains()) {
    const std::string select = "SELECT id, " + ColumnList(*spec) + " FROM " +
                               std::string(spec->table) + " WHERE seq IS NULL ORDER BY id LIMIT " +
                               std::to_string(kLinkBatch);
    const std::string update = "UPDATE " + std::string(spec->table) +
                               " SET seq = $2, prev_hash = $3, hash = $4 "
                               "WHERE id = $1";
    while (true) {
      int64_t batch = 0;
      HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
        batch = 0;
        HUKOU_ASSIGN_OR_RETURN(ChainWriter chain, ChainWriter::Open(conn, *spec));
        HUKOU_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(select));
        for (size_t i = 0; i < rows.size(); ++i) {
          std::vector<std::string> texts;
          for (size_t c = 1; c < rows.columns().size(); ++c) texts.push_back(rows.Text(i, c));
          ChainLink link = chain.Next({texts.begin(), texts.end()});
          HUKOU_RETURN_IF_ERROR(
              conn.Exec(update, {rows.Int(i, 0), link.seq, link.prev_hash, link.hash}).status());
        }
        batch = static_cast<int64_t>(rows.size());
        return chain.Close();
      }));
      linked += batch;
      if (batch < kLinkBatch) break;
    }
  }
  return linked;
}

std::string CheckpointPayload(std::string_view chain, int64_t seq, std::string_view hash,
                              std::string_view at) {
  return "hukou-audit-checkpoint\nchain=" + std::string(chain) + "\nseq=" + std::to_string(seq) +
         "\nhash=" + std::string(hash) + "\nat=" + std::string(at) + "\n";
}

}  // namespace hukou::trust
