#include "trust/verify.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include "trust/chain.h"
#include "trust/documents.h"
#include "trust/keys.h"
#include "trust/sm2.h"
#include "trust/sm3.h"
#include "trust/step_payload.h"

namespace hukou::trust {
namespace {

struct PublicKey {
  std::string owner_kind;
  std::string owner_id;
  std::optional<Sm2Key> key;  // nullopt when the PEM does not parse
};
using KeyMap = std::map<int64_t, PublicKey>;

// What one task found; merged at the end.
struct Findings {
  VerifyReport counts;
  std::vector<VerifyProblem> problems;
  void Add(std::string_view table, int64_t id, std::string code, std::string message) {
    problems.push_back({std::string(table), id, std::move(code), std::move(message)});
  }
};
using Task = std::function<Status(store::Connection&, Findings&)>;

std::string Row(int64_t id) { return "第 " + std::to_string(id) + " 行"; }

// Checks a signature of `payload` by key `key_id`, which must belong to owner_kind/owner_id
// (owner_id empty: any). Adds a problem and returns false when it does not hold.
bool CheckSignature(const KeyMap& keys, Findings& f, std::string_view table, int64_t id,
                    int64_t key_id, std::string_view owner_kind, std::string_view owner_id,
                    std::string_view payload, std::string_view value, std::string_view what) {
  ++f.counts.signatures;
  auto it = keys.find(key_id);
  if (it == keys.end() || !it->second.key) {
    f.Add(table, id, "unknown_key",
          Row(id) + "：" + std::string(what) + "的签名密钥 " + std::to_string(key_id) +
              " 不存在或无效");
    return false;
  }
  if (it->second.owner_kind != owner_kind ||
      (!owner_id.empty() && it->second.owner_id != owner_id)) {
    f.Add(table, id, "wrong_signer",
          Row(id) + "：" + std::string(what) + "的签名密钥 " + std::to_string(key_id) +
              " 不属于签名人 " + std::string(owner_kind) + ":" + std::string(owner_id));
    return false;
  }
  auto der = FromBase64(value);
  if (!der.ok() || !it->second.key->Verify(payload, *der)) {
    f.Add(table, id, "bad_signature", Row(id) + "：" + std::string(what) + "的签名验证失败");
    return false;
  }
  return true;
}

Status VerifyChainRange(store::Connection& conn, const ChainSpec& chain, int64_t lo, int64_t hi,
                        Findings& f) {
  std::string cols;
  for (std::string_view c : chain.fields) cols += ", " + std::string(c);
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, seq, prev_hash, hash" + cols + " FROM " + std::string(chain.table) +
                     " WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
                 {lo - 1, hi}));
  const std::string_view table = chain.table;
  std::string prev = lo == 1 ? kGenesisHash : "";
  bool have_prev = lo == 1;
  int64_t expect = lo;
  std::vector<std::string> texts(chain.fields.size());
  std::vector<std::string_view> views(chain.fields.size());
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t id = r.Int(i, 0);
    const int64_t seq = r.Int(i, 1);
    std::string hash = r.Text(i, 3);
    if (seq == lo - 1) {
      prev = std::move(hash);
      have_prev = true;
      continue;
    }
    ++f.counts.chain_entries;
    if (seq != expect) {
      f.Add(table, 0, "missing_entries",
            "链序号 " + std::to_string(expect) + "–" + std::to_string(seq - 1) +
                " 的记录缺失（被删除）");
      have_prev = false;
    }
    const std::string prev_hash = r.Text(i, 2);
    if (have_prev && prev_hash != prev) {
      f.Add(table, id, "broken_link",
            Row(id) + "（链序号 " + std::to_string(seq) + "）：前一哈希与上一条记录不符");
    }
    for (size_t c = 0; c < chain.fields.size(); ++c) {
      texts[c] = r.Text(i, 4 + c);
      views[c] = texts[c];
    }
    if (ChainHash(prev_hash, seq, views) != hash) {
      f.Add(table, id, "content_altered",
            Row(id) + "（链序号 " + std::to_string(seq) + "）：内容被改动，SM3 哈希不符");
    }
    prev = std::move(hash);
    have_prev = true;
    expect = seq + 1;
  }
  if (expect <= hi) {
    f.Add(table, 0, "missing_entries",
          "链序号 " + std::to_string(expect) + "–" + std::to_string(hi) + " 的记录缺失（被删除）");
  }
  return Status::Ok();
}

Status VerifyChainHead(store::Connection& conn, const ChainSpec& chain, Findings& f) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows head,
                         conn.Query("SELECT last_seq, last_hash FROM audit_chains WHERE name = $1",
                                    {std::string(chain.name)}));
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows last,
      conn.Query("SELECT seq, hash FROM " + std::string(chain.table) +
                 " WHERE seq = (SELECT MAX(seq) FROM " + std::string(chain.table) + ")"));
  const int64_t max_seq = last.empty() ? 0 : last.Int(0, 0);
  const std::string last_hash = last.empty() ? kGenesisHash : last.Text(0, 1);
  if (head.empty() || head.Int(0, 0) != max_seq || head.Text(0, 1) != last_hash) {
    f.Add("audit_chains", 0, "head_mismatch",
          "链 " + std::string(chain.name) + " 的链头（序号 " +
              (head.empty() ? std::string("无") : head.Text(0, 0)) + "）与最后一条记录（序号 " +
              std::to_string(max_seq) + "）不符：记录被截断或追加时绕过了链");
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows unchained,
                         conn.Query("SELECT id FROM " + std::string(chain.table) +
                                    " WHERE seq IS NULL ORDER BY id LIMIT 100"));
  for (size_t i = 0; i < unchained.size(); ++i) {
    f.Add(chain.table, unchained.Int(i, 0), "unchained",
          Row(unchained.Int(i, 0)) + "：未链入审计链（绕过了 trust 写入）");
  }
  return Status::Ok();
}

Status VerifyCheckpoints(store::Connection& conn, const KeyMap& keys, Findings& f) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT c.id, c.chain, c.seq, c.hash, c.at, c.key_id, c.signature, "
                 "COALESCE(a.hash, l.hash, '') FROM audit_checkpoints c "
                 "LEFT JOIN audit_log a ON c.chain = 'audit' AND a.seq = c.seq "
                 "LEFT JOIN access_log l ON c.chain = 'access' AND l.seq = c.seq ORDER BY c.id"));
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t id = r.Int(i, 0);
    ++f.counts.checkpoints;
    const std::string payload =
        CheckpointPayload(r.Text(i, 1), r.Int(i, 2), r.Text(i, 3), r.Text(i, 4));
    CheckSignature(keys, f, "audit_checkpoints", id, r.Int(i, 5), kOwnerServer, kServerOwnerId,
                   payload, r.Text(i, 6), "检查点");
    if (r.Text(i, 7) != r.Text(i, 3)) {
      f.Add("audit_checkpoints", id, "checkpoint_mismatch",
            Row(id) + "：已签名的检查点哈希与链 " + r.Text(i, 1) + " 序号 " + r.Text(i, 2) +
                " 的记录不符（链被改写）");
    }
  }
  return Status::Ok();
}

Status VerifyDocuments(store::Connection& conn, const KeyMap& keys, int64_t lo, int64_t hi,
                       Findings& f) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, doc_no, kind, case_ref, pdf_sm3, signed_at, officer_id, unit_code, "
                 "seal_key_id, seal_signature, officer_key_id, officer_signature FROM documents "
                 "WHERE id >= $1 AND id <= $2 ORDER BY id",
                 {lo, hi}));
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t id = r.Int(i, 0);
    ++f.counts.documents;
    NewDocument d{r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int(i, 6), r.Text(i, 7)};
    const std::string payload = DocumentPayload(d, r.Text(i, 4), r.Text(i, 5));
    CheckSignature(keys, f, "documents", id, r.Int(i, 8), kOwnerUnit, d.unit_code, payload,
                   r.Text(i, 9), "单位印章");
    CheckSignature(keys, f, "documents", id, r.Int(i, 10), kOwnerUser, std::to_string(d.officer_id),
                   payload, r.Text(i, 11), "民警");
  }
  return Status::Ok();
}

std::string Short(std::string_view sm3) {
  return sm3.empty() ? std::string("（无文件）") : std::string(sm3.substr(0, 16)) + "…";
}

std::string MaterialName(std::string_view case_no, std::string_view code, int64_t version) {
  return "办件 " + std::string(case_no) + " 材料 " + std::string(code) + " 第 " +
         std::to_string(version) + " 版";
}

// The materials a step's payload names (trust/step_payload.h) must still carry the hashes signed.
Status VerifyStepMaterials(store::Connection& conn, bool has_archive, int64_t lo, int64_t hi,
                           const std::vector<std::pair<int64_t, StepPayloadRefs>>& steps,
                           Findings& f) {
  struct Current {
    int64_t id = 0;
    std::string sm3;
  };
  std::map<std::tuple<std::string, std::string, int64_t>, Current> archive;
  if (has_archive) {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows m,
        conn.Query("SELECT m.id, m.case_no, m.material_code, m.version, COALESCE(f.sm3, '') "
                   "FROM archive_materials m LEFT JOIN files f ON f.id = m.file_id "
                   "WHERE m.case_no IN (SELECT c.case_no FROM cases c JOIN case_steps st "
                   "ON st.case_id = c.id WHERE st.id >= $1 AND st.id <= $2)",
                   {lo, hi}));
    for (size_t i = 0; i < m.size(); ++i) {
      archive[{m.Text(i, 1), m.Text(i, 2), m.Int(i, 3)}] = {m.Int(i, 0), m.Text(i, 4)};
    }
  }
  for (const auto& [step_id, refs] : steps) {
    for (const MaterialHash& signed_hash : refs.materials) {
      auto it = archive.find({refs.case_no, signed_hash.code, signed_hash.version});
      if (it == archive.end()) {
        f.Add("case_steps", step_id, "material_missing",
              Row(step_id) + "：签名时的" +
                  MaterialName(refs.case_no, signed_hash.code, signed_hash.version) +
                  "在档案中不存在（被删除或改号）");
        continue;
      }
      ++f.counts.signed_materials;
      if (it->second.sm3 != signed_hash.sm3) {
        f.Add("archive_materials", it->second.id, "material_replaced",
              Row(it->second.id) + "（" +
                  MaterialName(refs.case_no, signed_hash.code, signed_hash.version) +
                  "）：文件 SM3 现为 " + Short(it->second.sm3) + "，与审批步骤（case_steps " +
                  Row(step_id) + "）签名时的 " + Short(signed_hash.sm3) +
                  " 不符（材料文件被替换）");
      }
    }
  }
  return Status::Ok();
}

Status VerifyCaseSteps(store::Connection& conn, const KeyMap& keys, bool has_archive, int64_t lo,
                       int64_t hi, Findings& f) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, payload, payload_sm3, signature, signature_key_id, signer_id "
                 "FROM case_steps WHERE id >= $1 AND id <= $2 ORDER BY id",
                 {lo, hi}));
  std::vector<std::pair<int64_t, StepPayloadRefs>> named;
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t id = r.Int(i, 0);
    ++f.counts.case_steps;
    const std::string payload = r.Text(i, 1);
    if (Sm3Hex(payload) != r.Text(i, 2)) {
      f.Add("case_steps", id, "payload_altered", Row(id) + "：决定内容与其 SM3 不符（被改动）");
    }
    StepPayloadRefs refs = ParseStepPayload(payload);
    if (!refs.materials.empty()) named.emplace_back(id, std::move(refs));
    if (r.IsNull(i, 3)) continue;  // stored unsigned (no signer configured)
    CheckSignature(keys, f, "case_steps", id, r.Int(i, 4), kOwnerUser, r.Text(i, 5), payload,
                   r.Text(i, 3), "审批决定");
  }
  if (named.empty()) return Status::Ok();  // payloads before material hashes (version 1)
  return VerifyStepMaterials(conn, has_archive, lo, hi, named, f);
}

// Every archive material row points at a stored file (its content is checked with the files).
Status VerifyArchiveMaterials(store::Connection& conn, int64_t lo, int64_t hi, Findings& f) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT m.id, m.case_no, m.material_code, m.version, m.file_id, "
                 "COALESCE(f.id, 0) FROM archive_materials m LEFT JOIN files f ON f.id = m.file_id "
                 "WHERE m.id >= $1 AND m.id <= $2 ORDER BY m.id",
                 {lo, hi}));
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t id = r.Int(i, 0);
    ++f.counts.materials;
    if (r.Int(i, 5) == 0) {
      f.Add("archive_materials", id, "material_file_missing",
            Row(id) + "（" + MaterialName(r.Text(i, 1), r.Text(i, 2), r.Int(i, 3)) + "）：文件 " +
                r.Text(i, 4) + " 不存在");
    }
  }
  return Status::Ok();
}

// Names the archive materials whose file (or thumbnail) failed its SM3 check.
Status NameAlteredMaterials(store::Connection& conn, const std::vector<int64_t>& file_ids,
                            Findings& f) {
  for (size_t at = 0; at < file_ids.size(); at += 500) {
    std::string list;
    std::vector<store::Value> params;
    for (size_t k = at; k < std::min(file_ids.size(), at + 500); ++k) {
      params.emplace_back(file_ids[k]);
      list += (list.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows r,
        conn.Query("SELECT id, case_no, material_code, version, file_id, "
                   "COALESCE(thumbnail_file_id, 0) FROM archive_materials WHERE file_id IN (" +
                       list + ") OR thumbnail_file_id IN (" + list + ") ORDER BY id",
                   params));
    for (size_t i = 0; i < r.size(); ++i) {
      const int64_t id = r.Int(i, 0);
      const bool own = std::binary_search(file_ids.begin(), file_ids.end(), r.Int(i, 4));
      const int64_t file = own ? r.Int(i, 4) : r.Int(i, 5);
      f.Add("archive_materials", id, own ? "material_file_altered" : "thumbnail_altered",
            Row(id) + "（" + MaterialName(r.Text(i, 1), r.Text(i, 2), r.Int(i, 3)) + "）：" +
                (own ? "文件 " : "缩略图文件 ") + std::to_string(file) +
                " 的内容与登记的 SM3 哈希不符（被改动）");
    }
  }
  return Status::Ok();
}

Status VerifyFiles(store::Connection& conn, int64_t lo, int64_t hi, Findings& f) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, sm3, size, data FROM files WHERE id >= $1 AND id <= $2 ORDER BY id",
                 {lo, hi}));
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t id = r.Int(i, 0);
    ++f.counts.files;
    const store::Value& v = r.At(i, 3);
    std::string_view bytes;
    if (const auto* blob = std::get_if<store::Blob>(&v)) bytes = blob->bytes;
    if (const auto* text = std::get_if<std::string>(&v)) bytes = *text;
    if (static_cast<int64_t>(bytes.size()) != r.Int(i, 2) || Sm3Hex(bytes) != r.Text(i, 1)) {
      f.Add("files", id, "file_altered", Row(id) + "：文件内容与登记的 SM3 哈希不符（被改动）");
    }
  }
  return Status::Ok();
}

// [lo, hi] ranges of `chunk` ids covering min..max of the column.
std::vector<std::pair<int64_t, int64_t>> Ranges(int64_t min, int64_t max, int64_t chunk) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t lo = min; lo <= max; lo += chunk)
    out.emplace_back(lo, std::min(max, lo + chunk - 1));
  return out;
}

Result<std::pair<int64_t, int64_t>> MinMax(store::Connection& conn, const std::string& table,
                                           const std::string& column) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r, conn.Query("SELECT COALESCE(MIN(" + column + "), 1), COALESCE(MAX(" + column +
                                "), 0) FROM " + table));
  return std::make_pair(r.Int(0, 0), r.Int(0, 1));
}

}  // namespace

Result<VerifyReport> Verify(store::Database& db, const VerifyOptions& options) {
  KeyMap keys;
  std::vector<Task> tasks;
  Findings setup;
  const int64_t chunk = std::max<int64_t>(options.chunk, 1);
  bool has_case_steps = db.Read([](store::Connection& conn) {
                            return conn
                                .Query(
                                    "SELECT id, payload, payload_sm3, signature, "
                                    "signature_key_id, signer_id FROM case_steps LIMIT 0")
                                .status();
                          }).ok();
  bool has_archive = db.Read([](store::Connection& conn) {
                         return conn
                             .Query(
                                 "SELECT id, case_no, material_code, version, file_id, "
                                 "thumbnail_file_id FROM archive_materials LIMIT 0")
                             .status();
                       }).ok();
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows k,
        conn.Query("SELECT id, owner_kind, owner_id, public_key_pem FROM signing_keys"));
    for (size_t i = 0; i < k.size(); ++i) {
      PublicKey pk{k.Text(i, 1), k.Text(i, 2), std::nullopt};
      auto parsed = Sm2Key::FromPublicPem(k.Text(i, 3));
      if (parsed.ok()) {
        pk.key = *parsed;
      } else {
        setup.Add("signing_keys", k.Int(i, 0), "bad_public_key",
                  Row(k.Int(i, 0)) + "：公钥无法解析（被改动）");
      }
      keys.emplace(k.Int(i, 0), std::move(pk));
    }
    for (const ChainSpec* chain : AllChains()) {
      HUKOU_ASSIGN_OR_RETURN(auto mm, MinMax(conn, std::string(chain->table), "seq"));
      for (const auto& range : Ranges(1, mm.second, chunk)) {
        const int64_t lo = range.first;
        const int64_t hi = range.second;
        tasks.push_back([chain, lo, hi](store::Connection& c, Findings& f) {
          return VerifyChainRange(c, *chain, lo, hi, f);
        });
      }
      tasks.push_back(
          [chain](store::Connection& c, Findings& f) { return VerifyChainHead(c, *chain, f); });
    }
    // Signature checks are smaller units (SM2 verification costs ~0.5 ms each).
    const int64_t sig_chunk = std::max<int64_t>(chunk / 25, 1);
    HUKOU_ASSIGN_OR_RETURN(auto docs, MinMax(conn, "documents", "id"));
    for (const auto& range : Ranges(docs.first, docs.second, sig_chunk)) {
      const int64_t lo = range.first;
      const int64_t hi = range.second;
      tasks.push_back([&keys, lo, hi](store::Connection& c, Findings& f) {
        return VerifyDocuments(c, keys, lo, hi, f);
      });
    }
    if (has_case_steps) {
      HUKOU_ASSIGN_OR_RETURN(auto steps, MinMax(conn, "case_steps", "id"));
      for (const auto& range : Ranges(steps.first, steps.second, sig_chunk)) {
        const int64_t lo = range.first;
        const int64_t hi = range.second;
        tasks.push_back([&keys, has_archive, lo, hi](store::Connection& c, Findings& f) {
          return VerifyCaseSteps(c, keys, has_archive, lo, hi, f);
        });
      }
    }
    if (has_archive) {
      HUKOU_ASSIGN_OR_RETURN(auto materials, MinMax(conn, "archive_materials", "id"));
      for (const auto& range : Ranges(materials.first, materials.second, chunk)) {
        const int64_t lo = range.first;
        const int64_t hi = range.second;
        tasks.push_back([lo, hi](store::Connection& c, Findings& f) {
          return VerifyArchiveMaterials(c, lo, hi, f);
        });
      }
    }
    tasks.push_back(
        [&keys](store::Connection& c, Findings& f) { return VerifyCheckpoints(c, keys, f); });
    HUKOU_ASSIGN_OR_RETURN(auto files, MinMax(conn, "files", "id"));
    for (const auto& range : Ranges(files.first, files.second, std::max<int64_t>(chunk / 50, 1))) {
      const int64_t lo = range.first;
      const int64_t hi = range.second;
      tasks.push_back(
          [lo, hi](store::Connection& c, Findings& f) { return VerifyFiles(c, lo, hi, f); });
    }
    return Status::Ok();
  }));

  std::atomic<size_t> next{0};
  std::mutex mu;
  std::optional<Error> failure;
  std::vector<Findings> found(static_cast<size_t>(std::max(options.threads, 1)));
  auto worker = [&](Findings& f) {
    for (size_t i = next++; i < tasks.size(); i = next++) {
      Status s = db.Read([&](store::Connection& conn) { return tasks[i](conn, f); });
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (!failure) failure = s.error();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < found.size(); ++t) threads.emplace_back(worker, std::ref(found[t]));
  worker(found[0]);
  for (std::thread& t : threads) t.join();
  if (failure) return *failure;

  // A captured file that fails its hash is named as the case material it is.
  if (has_archive) {
    std::vector<int64_t> altered;
    for (const Findings& f : found) {
      for (const VerifyProblem& p : f.problems) {
        if (p.table == "files" && p.code == "file_altered") altered.push_back(p.row_id);
      }
    }
    std::sort(altered.begin(), altered.end());
    if (!altered.empty()) {
      HUKOU_RETURN_IF_ERROR(db.Read(
          [&](store::Connection& conn) { return NameAlteredMaterials(conn, altered, setup); }));
    }
  }

  VerifyReport report;
  found.push_back(std::move(setup));
  for (Findings& f : found) {
    report.chain_entries += f.counts.chain_entries;
    report.checkpoints += f.counts.checkpoints;
    report.signatures += f.counts.signatures;
    report.files += f.counts.files;
    report.documents += f.counts.documents;
    report.case_steps += f.counts.case_steps;
    report.materials += f.counts.materials;
    report.signed_materials += f.counts.signed_materials;
    for (VerifyProblem& p : f.problems) report.problems.push_back(std::move(p));
  }
  std::sort(report.problems.begin(), report.problems.end(),
            [](const VerifyProblem& a, const VerifyProblem& b) {
              return std::tie(a.table, a.row_id, a.code) < std::tie(b.table, b.row_id, b.code);
            });
  return report;
}

}  // namespace hukou::trust
