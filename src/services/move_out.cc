#include "services/move_out.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "services/outbox.h"
#include "trust/audit.h"

namespace hukou::services {
namespace {

using nlohmann::json;

constexpr size_t kMaxAnswerBytes = size_t{64} * 1024;

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > kMaxAnswerBytes) return 0;
  body->append(data, size * n);
  return size * n;
}

Error PeerError(const std::string& peer, const std::string& why) {
  return UnavailableError("move_out.peer", "迁出地注销：对端 " + peer + " " + why);
}

struct Pending {
  int64_t id = 0;
  int64_t case_id = 0;
  int64_t attempts = 0;
  MoveOutRequest r;
};

constexpr char kColumns[] =
    "id, case_id, attempts, peer, case_no, item_name, id_number, name, destination_station_code, "
    "destination_station_name, destination_division_code, destination_division_name, move_date";

Result<std::vector<Pending>> ScanPending(store::Database& db, const Clock& clock, int limit,
                                         int64_t case_id) {
  std::vector<Pending> out;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& c) -> Status {
    std::vector<store::Value> params = {clock.NowIso(), int64_t{limit}};
    std::string sql = std::string("SELECT ") + kColumns +
                      " FROM move_out_requests WHERE status = 'pending' AND "
                      "(next_attempt_at IS NULL OR next_attempt_at <= $1)";
    if (case_id > 0) {
      sql += " AND case_id = $3";
      params.emplace_back(case_id);
    }
    HUKOU_ASSIGN_OR_RETURN(auto rows, c.Query(sql + " ORDER BY id LIMIT $2", params));
    for (size_t i = 0; i < rows.size(); ++i) {
      Pending p;
      p.id = rows.Int(i, 0);
      p.case_id = rows.Int(i, 1);
      p.attempts = rows.Int(i, 2);
      p.r = {rows.Text(i, 3),  rows.Text(i, 4), rows.Text(i, 5), rows.Text(i, 6),
             rows.Text(i, 7),  rows.Text(i, 8), rows.Text(i, 9), rows.Text(i, 10),
             rows.Text(i, 11), rows.Text(i, 12)};
      out.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  return out;
}

Status RecordAttempt(store::Database& db, const Clock& clock, const Pending& p,
                     const Result<MoveOutAnswer>& sent) {
  const int64_t attempts = p.attempts + 1;
  return db.Transact([&](store::Connection& c) -> Status {
    json detail = {{"peer", p.r.peer},
                   {"case_no", p.r.case_no},
                   {"id_number", p.r.id_number},
                   {"attempts", attempts}};
    std::string action;
    if (sent.ok()) {
      const MoveOutAnswer& a = *sent;
      HUKOU_RETURN_IF_ERROR(
          c.Exec("UPDATE move_out_requests SET status = $1, attempts = $2, answer_code = $3, "
                 "answer_message = $4, origin_station = $5, answered_at = $6, last_error = '', "
                 "next_attempt_at = NULL WHERE id = $7",
                 {std::string(a.done ? "done" : "refused"), attempts, a.code, a.message, a.station,
                  clock.NowIso(), p.id})
              .status());
      action = a.done ? "move_out.done" : "move_out.refused";
      if (!a.done) detail["answer"] = a.code;
    } else {
      HUKOU_RETURN_IF_ERROR(c.Exec("UPDATE move_out_requests SET attempts = $1, last_error = $2, "
                                   "next_attempt_at = $3 WHERE id = $4",
                                   {attempts, sent.error().message,
                                    InstantAfter(clock, MoveOutRetryDelay(attempts)), p.id})
                                .status());
      action = "move_out.send_failed";
      detail["error"] = sent.error().code;
    }
    return trust::AppendAudit(c, {0, action, "case", p.r.case_no, detail.dump()}, clock);
  });
}

}  // namespace

int64_t MoveOutRetryDelay(int64_t attempts) {
  int64_t wait = kMoveOutRetrySeconds;
  for (int64_t i = 1; i < attempts && wait < kMoveOutMaxWaitSeconds; ++i) wait *= 2;
  return std::min<int64_t>(wait, kMoveOutMaxWaitSeconds);
}

Status QueueMoveOut(store::Connection& conn, int64_t case_id, int person_seq,
                    const MoveOutRequest& r, const Clock& clock) {
  HUKOU_ASSIGN_OR_RETURN(auto existing,
                         conn.Query("SELECT 1 FROM move_out_requests WHERE case_id = $1 AND "
                                    "person_seq = $2",
                                    {case_id, int64_t{person_seq}}));
  if (!existing.empty()) {
    return ConflictError("move_out.exists", "该办理对象已有迁出地注销请求", "persons");
  }
  return conn
      .Exec(
          "INSERT INTO move_out_requests (case_id, case_no, person_seq, id_number, name, "
          "item_name, peer, destination_station_code, destination_station_name, "
          "destination_division_code, destination_division_name, move_date, created_at) VALUES "
          "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
          {case_id, r.case_no, int64_t{person_seq}, r.id_number, r.name, r.item_name, r.peer,
           r.destination_station_code, r.destination_station_name, r.destination_division_code,
           r.destination_division_name, r.move_date, clock.NowIso()})
      .status();
}

PeerMoveOutTransport::PeerMoveOutTransport(std::vector<Peer> peers,
                                           std::chrono::milliseconds timeout)
    : peers_(std::move(peers)), timeout_(timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<MoveOutAnswer> PeerMoveOutTransport::Send(const MoveOutRequest& r) {
  const Peer* peer = nullptr;
  for (const Peer& p : peers_) {
    if (p.name == r.peer) peer = &p;
  }
  if (!peer) return PeerError(r.peer, "未配置（hukou serve --peer）");
  CURL* curl = curl_easy_init();
  if (!curl) return PeerError(r.peer, "无法建立连接（curl）");
  curl_slist* headers = nullptr;
  std::string url = peer->url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v1/peer/move-outs";
  const std::string auth = "Authorization: Bearer " + peer->token;
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  const std::string body = json{
      {"id_number", r.id_number},
      {"name", r.name},
      {"case_no", r.case_no},
      {"item_name", r.item_name},
      {"destination",
       {{"station_code", r.destination_station_code},
        {"station_name", r.destination_station_name},
        {"division_code", r.destination_division_code},
        {"division_name", r.destination_division_name}}},
      {"move_date",
       r.move_date}}.dump();
  std::string answer_text;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(timeout_.count(), 3000)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer_text);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return PeerError(r.peer, std::string("无法访问（") + curl_easy_strerror(rc) + "）");
  }
  const json answer = json::parse(answer_text, nullptr, false);
  auto text = [](const json& from, const char* key) {
    return from.is_object() && from.contains(key) && from[key].is_string()
               ? from[key].get<std::string>()
               : std::string();
  };
  if (status == 200 && answer.is_object() && text(answer, "outcome") == "done") {
    MoveOutAnswer a;
    a.done = true;
    a.message = text(answer, "message");
    a.station = text(answer, "station");
    return a;
  }
  const json error = answer.is_object() && answer.contains("error") ? answer["error"] : json();
  if ((status == 400 || status == 422) && error.is_object() && !text(error, "code").empty()) {
    return MoveOutAnswer{false, text(error, "code"), text(error, "message"), ""};
  }
  const std::string code = text(error, "code");
  return PeerError(r.peer, "未受理迁出请求（HTTP " + std::to_string(status) +
                               (code.empty() ? "" : " " + code) + "）");
}

Result<int> DeliverMoveOuts(store::Database& db, MoveOutTransport& transport, const Clock& clock,
                            int limit, int64_t case_id) {
  if (limit <= 0) return 0;
  HUKOU_ASSIGN_OR_RETURN(auto pending, ScanPending(db, clock, limit, case_id));
  int answered = 0;
  for (const Pending& p : pending) {
    HUKOU_ASSIGN_OR_RETURN(
        bool mine, ClaimOutboxRow(db, clock, "move_out_requests", p.id, kMoveOutLeaseSeconds));
    if (!mine) continue;
    Result<MoveOutAnswer> a = transport.Send(p.r);
    if (!a.ok()) {
      spdlog::warn("move_out: {} {} to {}: {}", p.r.case_no, p.r.id_number.substr(0, 6), p.r.peer,
                   a.error().message);
    }
    HUKOU_RETURN_IF_ERROR(RecordAttempt(db, clock, p, a));
    if (a.ok()) ++answered;
  }
  return answered;
}

Result<std::vector<MoveOutState>> MoveOutsOfCase(store::Connection& conn, int64_t case_id) {
  HUKOU_ASSIGN_OR_RETURN(
      auto rows,
      conn.Query("SELECT person_seq, id_number, name, peer, status, attempts, last_error, "
                 "answer_code, answer_message, origin_station, move_date, created_at, "
                 "COALESCE(answered_at, ''), destination_station_name, destination_division_name "
                 "FROM move_out_requests WHERE case_id = $1 ORDER BY person_seq",
                 {case_id}));
  std::vector<MoveOutState> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    MoveOutState s;
    s.person_seq = static_cast<int>(rows.Int(i, 0));
    s.id_number = rows.Text(i, 1);
    s.name = rows.Text(i, 2);
    s.peer = rows.Text(i, 3);
    s.status = rows.Text(i, 4);
    s.attempts = rows.Int(i, 5);
    s.last_error = rows.Text(i, 6);
    s.answer_code = rows.Text(i, 7);
    s.answer_message = rows.Text(i, 8);
    s.origin_station = rows.Text(i, 9);
    s.move_date = rows.Text(i, 10);
    s.created_at = rows.Text(i, 11);
    s.answered_at = rows.Text(i, 12);
    s.destination_station_name = rows.Text(i, 13);
    s.destination_division_name = rows.Text(i, 14);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hukou::services
