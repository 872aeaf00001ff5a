#include "trust/bench_trail.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "trust/chain.h"
#include "trust/documents.h"

namespace hukou::trust {

Result<BenchTrailSummary> GenerateBenchTrail(store::Database& db, KeyStore& keys,
                                             const BenchTrailOptions& options, const Clock& clock,
                                             std::ostream& progress) {
  BenchTrailSummary summary;
  int64_t officer = 0;
  std::string unit;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows r,
        conn.Query("SELECT u.id, u.unit_code FROM users u JOIN signing_keys k ON k.owner_kind = "
                   "'user' AND k.owner_id = CAST(u.id AS TEXT) AND k.status = 'active' "
                   "JOIN signing_keys s ON s.owner_kind = 'unit' AND s.owner_id = u.unit_code "
                   "AND s.status = 'active' ORDER BY u.id LIMIT 1"));
    if (!r.empty()) {
      officer = r.Int(0, 0);
      unit = r.Text(0, 1);
    }
    return Status::Ok();
  }));
  if (officer == 0) {
    return BusinessRuleError("bench.no_officer", "没有持有签名密钥的民警（先运行 hukou demo）");
  }

  constexpr int64_t kBatch = 20000;
  const std::string at = clock.NowIso();
  for (int64_t done = 0; done < options.entries;) {
    const int64_t n = std::min(kBatch, options.entries - done);
    std::vector<AccessLogRow> rows;
    rows.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = done + i;
      rows.push_back({at, officer, k % 3 == 0 ? "search_persons" : "read_person",
                      k % 3 == 0 ? "query" : "person", "42070419800101" + std::to_string(k % 10000),
                      "业务核查", "10.0.0." + std::to_string(k % 250)});
    }
    HUKOU_RETURN_IF_ERROR(
        db.Transact([&](store::Connection& conn) { return AppendAccessRows(conn, rows); }));
    done += n;
    summary.entries = done;
    if (done % 200000 == 0 || done == options.entries) {
      progress << "audit entries: " << done << "\n" << std::flush;
    }
  }

  std::vector<double> latencies;
  for (int i = 0; i < 1000; ++i) {
    const auto start = std::chrono::steady_clock::now();
    HUKOU_RETURN_IF_ERROR(
        keys.SignAsOfficer(officer, "case=" + std::to_string(i) + ";decision=approve").status());
    latencies.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(latencies.begin(), latencies.end());
  double sum = 0;
  for (double l : latencies) sum += l;
  summary.sign_mean_ms = sum / static_cast<double>(latencies.size());
  summary.sign_p99_ms = latencies[latencies.size() * 99 / 100];

  constexpr int64_t kDocBatch = 500;
  const std::string prefix = NewDocumentNumber(clock) + "-";
  for (int64_t done = 0; done < options.documents;) {
    const int64_t n = std::min(kDocBatch, options.documents - done);
    std::vector<SignedDocument> docs;
    for (int64_t i = 0; i < n; ++i) {
      const std::string no = prefix + std::to_string(done + i);
      HUKOU_ASSIGN_OR_RETURN(SignedDocument d,
                             SignDocument(keys, {no, "receipt", "BENCH-" + no, officer, unit},
                                          "%PDF-1.7 bench " + no, clock));
      docs.push_back(std::move(d));
    }
    HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
      for (const SignedDocument& d : docs) {
        HUKOU_RETURN_IF_ERROR(RegisterDocument(conn, d, 0, clock));
      }
      return Status::Ok();
    }));
    done += n;
    summary.documents = done;
  }
  progress << "documents: " << summary.documents << "\n";
  return summary;
}

}  // namespace hukou::trust
