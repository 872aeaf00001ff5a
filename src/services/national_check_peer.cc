#include "services/national_check_peer.h"

#include <curl/curl.h>

#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>

#include "codes/code_tables.h"
#include "codes/id_number.h"

namespace hukou::services {
namespace {

using nlohmann::json;

constexpr size_t kMinTokenLength = 16;
constexpr size_t kMaxAnswerBytes = size_t{64} * 1024;

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

Error PeerError(const Peer& peer, const std::string& why) {
  return UnavailableError("national_check.peer", "全国户籍信息核查：对端 " + peer.name + " " + why);
}

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > kMaxAnswerBytes) return 0;  // aborts the transfer
  body->append(data, size * n);
  return size * n;
}

struct CurlHandle {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlHandle() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }
};

std::string Escape(CURL* curl, std::string_view text) {
  char* escaped = curl_easy_escape(curl, text.data(), static_cast<int>(text.size()));
  std::string out = escaped ? escaped : "";
  curl_free(escaped);
  return out;
}

bool IsOutcome(const json& v) {
  return v.is_string() && (v == "none" || v == "active" || v == "cancelled");
}

// One peer's answer as JSON {"outcome","station","station_code","cancel_reason","cancel_date",
// "name_matches"}, for a query by identity also {"id_number","matches":[…]}. `target` is the
// path and query after /api/v1/national-check, its values escaped by `escape`.
Result<json> AskPeer(const Peer& peer, const std::function<std::string(CURL*)>& target,
                     bool identity, std::chrono::milliseconds timeout) {
  CurlHandle h;
  if (!h.curl) return PeerError(peer, "无法建立连接（curl）");
  std::string url = peer.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v1/national-check" + target(h.curl);
  std::string auth = "Authorization: Bearer " + peer.token;
  h.headers = curl_slist_append(h.headers, auth.c_str());
  h.headers = curl_slist_append(h.headers, "Accept: application/json");
  std::string body;
  curl_easy_setopt(h.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.headers);
  curl_easy_setopt(h.curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(timeout.count(), 3000)));
  curl_easy_setopt(h.curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(h.curl);
  if (rc != CURLE_OK) {
    return PeerError(peer, std::string("无法访问（") + curl_easy_strerror(rc) + "）");
  }
  long status = 0;
  curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &status);
  json answer = json::parse(body, nullptr, false);
  if (status != 200) {
    std::string code = answer.is_object() && answer.contains("error") && answer["error"].is_object()
                           ? answer["error"].value("code", "")
                           : "";
    return PeerError(peer, "拒绝了核查请求（HTTP " + std::to_string(status) +
                               (code.empty() ? "" : " " + code) + "）");
  }
  if (!answer.is_object() || !answer.contains("outcome") || !answer["outcome"].is_string()) {
    return PeerError(peer, "的答复无法识别");
  }
  if (!IsOutcome(answer["outcome"])) return PeerError(peer, "的答复无法识别（outcome）");
  const std::string outcome = answer["outcome"];
  json out = {{"peer", peer.name}, {"outcome", outcome}};
  auto text = [](const json& from, const char* key) {
    return from.contains(key) && from[key].is_string() ? from[key].get<std::string>() : "";
  };
  for (const char* key : {"station", "station_code", "cancel_reason", "cancel_date"}) {
    out[key] = text(answer, key);
  }
  out["name_matches"] = answer.value("name_matches", false);
  if (identity) {
    out["id_number"] = text(answer, "id_number");
    if (outcome != "none" && out["id_number"] == "") {
      return PeerError(peer, "的答复无法识别（id_number）");
    }
    json matches = json::array();
    if (answer.contains("matches") && answer["matches"].is_array()) {
      for (const json& m : answer["matches"]) {
        if (!m.is_object() || !IsOutcome(m.value("outcome", json()))) continue;
        json one = {{"outcome", m["outcome"]}};
        for (const char* key :
             {"id_number", "station", "station_code", "cancel_reason", "cancel_date"}) {
          one[key] = text(m, key);
        }
        matches.push_back(std::move(one));
        if (matches.size() >= static_cast<size_t>(kMaxIdentityMatches)) break;
      }
    }
    out["matches"] = std::move(matches);
  }
  return out;
}

// Asks every peer in parallel; the first failure wins, else every answer.
Result<std::vector<json>> AskAll(const std::vector<Peer>& peers,
                                 const std::function<std::string(CURL*)>& target, bool identity,
                                 std::chrono::milliseconds timeout) {
  std::vector<std::future<Result<json>>> asked;
  asked.reserve(peers.size());
  for (const Peer& peer : peers) {
    asked.push_back(std::async(std::launch::async, [&, identity, timeout] {
      return AskPeer(peer, target, identity, timeout);
    }));
  }
  std::vector<json> answers;
  std::optional<Error> failed;
  for (auto& f : asked) {
    Result<json> a = f.get();
    if (!a.ok()) {
      if (!failed) failed = a.error();
      continue;
    }
    answers.push_back(std::move(a).value());
  }
  if (failed) return *failed;
  return answers;
}

int Rank(const std::string& outcome) {
  if (outcome == "active") return 2;
  if (outcome == "cancelled") return 1;
  return 0;
}

}  // namespace

Result<Peer> ParsePeer(std::string_view spec) {
  size_t first = spec.find('=');
  size_t last = spec.rfind('=');
  Peer p;
  if (first != std::string_view::npos && last != first) {
    p = {std::string(spec.substr(0, first)), std::string(spec.substr(first + 1, last - first - 1)),
         std::string(spec.substr(last + 1))};
  }
  if (p.name.empty() || p.token.empty() ||
      !(p.url.starts_with("http://") || p.url.starts_with("https://"))) {
    return ValidationError("national_check.peer_spec",
                           "核查对端的格式应为 名称=http://主机:端口=令牌", "peer");
  }
  return p;
}

Status ReadPeersFile(const std::string& path, PeerSettings& settings) {
  std::ifstream in(path);
  if (!in) {
    return ValidationError("national_check.peers_file", "无法读取核查对端配置文件：" + path,
                           "peers-file");
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line[start] == '#') continue;
    std::string_view rest = std::string_view(line).substr(start);
    size_t space = rest.find(' ');
    std::string_view key = rest.substr(0, space);
    std::string value = space == std::string_view::npos
                            ? ""
                            : std::string(rest.substr(rest.find_first_not_of(' ', space)));
    if (key == "peer" && !value.empty()) {
      settings.peers.push_back(std::move(value));
    } else if (key == "peer-token" && !value.empty()) {
      settings.tokens.push_back(std::move(value));
    } else {
      return ValidationError("national_check.peers_file",
                             path + " 第" + std::to_string(number) +
                                 "行：应为 peer 名称=地址=令牌 或 peer-token 名称=令牌",
                             "peers-file");
    }
  }
  return Status::Ok();
}

Result<PeerTokens> PeerTokens::Parse(const std::vector<std::string>& specs) {
  PeerTokens t;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    std::string name = eq == std::string::npos ? "peer" + std::to_string(t.tokens_.size() + 1)
                                               : spec.substr(0, eq);
    std::string token = eq == std::string::npos ? spec : spec.substr(eq + 1);
    if (name.empty() || token.size() < kMinTokenLength) {
      return ValidationError("national_check.peer_token",
                             "对端令牌的格式应为 名称=令牌 或 令牌，令牌至少16个字符",
                             "peer-token");
    }
    t.tokens_.emplace_back(std::move(name), std::move(token));
  }
  return t;
}

std::optional<std::string> PeerTokens::Find(std::string_view token) const {
  std::optional<std::string> found;
  for (const auto& [name, t] : tokens_) {
    if (ConstantTimeEqual(token, t) && !found) found = name;
  }
  return found;
}

Result<LocalAnswer> CheckLocal(store::Connection& conn, std::string_view id_number,
                               std::string_view name) {
  HUKOU_ASSIGN_OR_RETURN(
      auto rows,
      conn.Query("SELECT p.id, p.name, p.status, p.cancel_reason, p.cancel_date, p.station_code, "
                 "COALESCE(u.name, '') AS station FROM persons p "
                 "LEFT JOIN units u ON u.code = p.station_code WHERE p.id_number = $1",
                 {std::string(id_number)}));
  LocalAnswer a;
  if (rows.empty()) {
    a.outcome = "none";
    return a;
  }
  a.outcome = rows.Text(0, "status") == "cancelled" ? "cancelled" : "active";
  a.station_code = rows.Text(0, "station_code");
  a.station = rows.Text(0, "station");
  if (a.outcome == "cancelled") {
    a.cancel_reason = rows.Text(0, "cancel_reason");
    a.cancel_date = rows.Text(0, "cancel_date");
  }
  a.name_matches = rows.Text(0, "name") == name;
  if (!a.name_matches) {
    HUKOU_ASSIGN_OR_RETURN(auto former,
                           conn.Query("SELECT 1 FROM person_former_names WHERE person_id = $1 "
                                      "AND name = $2",
                                      {rows.Int(0, "id"), std::string(name)}));
    a.name_matches = !former.empty();
  }
  return a;
}

PeerNationalCheck::PeerNationalCheck(std::vector<Peer> peers, const Clock& clock,
                                     std::chrono::milliseconds timeout)
    : peers_(std::move(peers)), clock_(clock), timeout_(timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<NationalCheckResult> PeerNationalCheck::Check(std::string_view id_number,
                                                     std::string_view name) {
  HUKOU_ASSIGN_OR_RETURN(auto info, codes::ValidateIdNumber(id_number, clock_.Today()));
  const std::string number = info.number;
  HUKOU_ASSIGN_OR_RETURN(
      std::vector<json> answers,
      AskAll(
          peers_, [&](CURL* curl) { return "/" + number + "?name=" + Escape(curl, name); }, false,
          timeout_));
  NationalCheckResult r;
  r.id_number = info.number;
  r.outcome = "none";
  r.checked_at = clock_.NowIso();
  for (const json& a : answers) {
    if (Rank(a["outcome"]) <= Rank(r.outcome)) continue;
    r.outcome = a["outcome"];
    r.peer = a["peer"];
    r.station = a["station"];
    r.cancel_reason = a["cancel_reason"];
    r.cancel_date = a["cancel_date"];
  }
  r.detail = json{{"peers", answers}}.dump();
  return r;
}

Result<NationalCheckResult> PeerNationalCheck::CheckIdentity(const IdentityQuery& query) {
  HUKOU_RETURN_IF_ERROR(ValidateIdentityQuery(query, clock_.Today()));
  HUKOU_ASSIGN_OR_RETURN(std::vector<json> answers,
                         AskAll(
                             peers_,
                             [&](CURL* curl) {
                               return "?name=" + Escape(curl, query.name) +
                                      "&sex=" + Escape(curl, query.sex) +
                                      "&birth_date=" + Escape(curl, query.birth_date);
                             },
                             true, timeout_));
  NationalCheckResult r;
  r.outcome = "none";
  r.checked_at = clock_.NowIso();
  for (const json& a : answers) {
    if (Rank(a["outcome"]) <= Rank(r.outcome)) continue;
    r.outcome = a["outcome"];
    r.id_number = a["id_number"];
    r.peer = a["peer"];
    r.station = a["station"];
    r.cancel_reason = a["cancel_reason"];
    r.cancel_date = a["cancel_date"];
  }
  r.detail = json{
      {"query", {{"name", query.name}, {"sex", query.sex}, {"birth_date", query.birth_date}}},
      {"peers",
       answers}}.dump();
  return r;
}

Status ValidateIdentityQuery(const IdentityQuery& query, const Date& today) {
  if (query.name.empty() || query.name.size() > 150) {
    return ValidationError("national_check.name", "请填写姓名（不超过150字节）", "name");
  }
  if (!codes::CodeTables::Get().Contains("sex", query.sex)) {
    return ValidationError("national_check.sex", "性别代码无效", "sex");
  }
  std::optional<Date> born = Date::Parse(query.birth_date);
  if (!born || *born > today) {
    return ValidationError("national_check.birth_date", "出生日期无效，须为不晚于今天的 YYYY-MM-DD",
                           "birth_date");
  }
  return Status::Ok();
}

Result<LocalIdentityAnswer> CheckLocalIdentity(store::Connection& conn,
                                               const IdentityQuery& query) {
  HUKOU_ASSIGN_OR_RETURN(
      auto rows,
      conn.Query("SELECT p.id_number, p.status, p.cancel_reason, p.cancel_date, p.station_code, "
                 "COALESCE(u.name, '') AS station FROM persons p "
                 "LEFT JOIN units u ON u.code = p.station_code "
                 "WHERE p.birth_date = $1 AND p.sex = $2 AND (p.name = $3 OR EXISTS (SELECT 1 "
                 "FROM person_former_names f WHERE f.person_id = p.id AND f.name = $3)) "
                 "ORDER BY CASE WHEN p.status = 'cancelled' THEN 1 ELSE 0 END, p.id LIMIT $4",
                 {query.birth_date, query.sex, query.name, int64_t{kMaxIdentityMatches}}));
  LocalIdentityAnswer out;
  out.outcome = "none";
  for (size_t i = 0; i < rows.size(); ++i) {
    IdentityMatch m;
    m.id_number = rows.Text(i, "id_number");
    m.answer.outcome = rows.Text(i, "status") == "cancelled" ? "cancelled" : "active";
    m.answer.station_code = rows.Text(i, "station_code");
    m.answer.station = rows.Text(i, "station");
    if (m.answer.outcome == "cancelled") {
      m.answer.cancel_reason = rows.Text(i, "cancel_reason");
      m.answer.cancel_date = rows.Text(i, "cancel_date");
    }
    m.answer.name_matches = true;
    if (i == 0) out.outcome = m.answer.outcome;
    out.matches.push_back(std::move(m));
  }
  return out;
}

}  // namespace hukou::services
