// National check: peer settings, this instance's answer (SQLite and PostgreSQL), and the peer
// provider against small local HTTP responders standing in for other instances' answers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "services/national_check_peer.h"
#include "store/test_database.h"

namespace hukou::services {
namespace {

constexpr char kActive[] = "420704199001011231";
FixedClock& TestClock() {
  static FixedClock clock(std::chrono::system_clock::from_time_t(1795000000));
  return clock;
}

TEST(PeerSettingsTest, ParsePeerSplitsNameUrlAndToken) {
  auto p = ParsePeer("ordos=http://10.0.0.2:8080/=s3cret-token-abcdef");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "ordos");
  EXPECT_EQ(p->url, "http://10.0.0.2:8080/");
  EXPECT_EQ(p->token, "s3cret-token-abcdef");
  EXPECT_EQ(ParsePeer("ordos=http://x").error().code, "national_check.peer_spec");
  EXPECT_EQ(ParsePeer("ordos=ftp://x=t").error().code, "national_check.peer_spec");
  EXPECT_EQ(ParsePeer("=http://x=t").error().code, "national_check.peer_spec");
}

TEST(PeerSettingsTest, TokensAreFoundByValueWithTheirPeerName) {
  auto t = PeerTokens::Parse({"ezhou=0123456789abcdef", "fedcba9876543210"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Find("0123456789abcdef"), "ezhou");
  EXPECT_EQ(t->Find("fedcba9876543210"), "peer2");
  EXPECT_EQ(t->Find("0123456789abcdeX"), std::nullopt);
  EXPECT_EQ(t->Find(""), std::nullopt);
  EXPECT_EQ(PeerTokens::Parse({"ezhou=short"}).error().code, "national_check.peer_token");
  EXPECT_TRUE(PeerTokens::Parse({})->empty());
}

TEST(PeerSettingsTest, PeersFileReadsPeersAndTokensAndNamesABadLine) {
  std::string path = ::testing::TempDir() + "/hukou_peers_test.txt";
  {
    std::ofstream f(path);
    f << "# peers\n\npeer ordos=http://127.0.0.1:9=tok\r\n  peer-token ordos=0123456789abcdef\n";
  }
  PeerSettings s;
  ASSERT_TRUE(ReadPeersFile(path, s).ok());
  EXPECT_EQ(s.peers, std::vector<std::string>{"ordos=http://127.0.0.1:9=tok"});
  EXPECT_EQ(s.tokens, std::vector<std::string>{"ordos=0123456789abcdef"});
  {
    std::ofstream f(path);
    f << "peer a=http://x=t\npeers b=http://y=t\n";
  }
  Status bad = ReadPeersFile(path, s);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "national_check.peers_file");
  EXPECT_NE(bad.error().message.find("第2行"), std::string::npos) << bad.error().message;
  std::remove(path.c_str());
  EXPECT_EQ(ReadPeersFile(path, s).error().code, "national_check.peers_file");
}

class CheckLocalTest : public ::testing::TestWithParam<store::Backend> {};

TEST_P(CheckLocalTest, AnswersNoneActiveOrCancelledWithStationAndName) {
  auto t = store::TestDatabase::Create(GetParam());
  ASSERT_TRUE(t.ok()) << t.error().message;
  store::Database& db = (*t)->db();
  std::string now = TestClock().NowIso();
  Status seeded = db.Transact([&](store::Connection& c) -> Status {
    HUKOU_RETURN_IF_ERROR(
        c.Exec("INSERT INTO units (code, name, kind, scope_prefix, division_code, "
               "created_at) VALUES ('420704510000', '凤凰派出所', 'station', "
               "'420704510000', '420704', $1)",
               {now})
            .status());
    auto person = [&](std::string number, std::string name, std::string status, std::string reason,
                      std::string date) {
      return c
          .Exec(
              "INSERT INTO persons (id_number, name, name_simplified, "
              "name_pinyin, sex, ethnicity, birth_date, status, cancel_reason, "
              "cancel_date, station_code, registered_at, updated_at) VALUES "
              "($1, $2, $2, 'x', '1', '01', '1990-01-01', $3, $4, $5, "
              "'420704510000', $6, $6)",
              {number, name, status, reason, date, now})
          .status();
    };
    HUKOU_RETURN_IF_ERROR(person(kActive, "张伟", "active", "", ""));
    HUKOU_RETURN_IF_ERROR(person("420704199001012349", "李娜", "cancelled", "2", "2025-03-01"));
    HUKOU_ASSIGN_OR_RETURN(
        auto id, c.Query("SELECT id FROM persons WHERE id_number = $1", {std::string(kActive)}));
    return c
        .Exec(
            "INSERT INTO person_former_names (person_id, name, name_simplified) "
            "VALUES ($1, '张小伟', '张小伟')",
            {id.Int(0, 0)})
        .status();
  });
  ASSERT_TRUE(seeded.ok()) << seeded.error().code << " " << seeded.error().message;
  auto ask = [&](std::string number, std::string name) {
    LocalAnswer a;
    EXPECT_TRUE(db.Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(a, CheckLocal(c, number, name));
                    return Status::Ok();
                  }).ok());
    return a;
  };
  LocalAnswer active = ask(kActive, "张伟");
  EXPECT_EQ(active.outcome, "active");
  EXPECT_EQ(active.station, "凤凰派出所");
  EXPECT_EQ(active.station_code, "420704510000");
  EXPECT_TRUE(active.name_matches);
  EXPECT_TRUE(ask(kActive, "张小伟").name_matches);  // a former name
  EXPECT_FALSE(ask(kActive, "王五").name_matches);
  LocalAnswer cancelled = ask("420704199001012349", "李娜");
  EXPECT_EQ(cancelled.outcome, "cancelled");
  EXPECT_EQ(cancelled.cancel_reason, "2");
  EXPECT_EQ(cancelled.cancel_date, "2025-03-01");
  LocalAnswer none = ask("420704199001019997", "");
  EXPECT_EQ(none.outcome, "none");
  EXPECT_EQ(none.station, "");
  // A person without a number: asked by name (or a former name), sex and birth date.
  auto who = [&](std::string name, std::string sex, std::string birth) {
    LocalIdentityAnswer a;
    EXPECT_TRUE(db.Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(a, CheckLocalIdentity(c, {name, sex, birth}));
                    return Status::Ok();
                  }).ok());
    return a;
  };
  LocalIdentityAnswer found = who("张伟", "1", "1990-01-01");
  EXPECT_EQ(found.outcome, "active");
  ASSERT_EQ(found.matches.size(), 1u);
  EXPECT_EQ(found.matches[0].id_number, kActive);
  EXPECT_EQ(found.matches[0].answer.station, "凤凰派出所");
  EXPECT_EQ(who("张小伟", "1", "1990-01-01").outcome, "active") << "a former name";
  LocalIdentityAnswer gone = who("李娜", "1", "1990-01-01");
  EXPECT_EQ(gone.outcome, "cancelled");
  ASSERT_EQ(gone.matches.size(), 1u);
  EXPECT_EQ(gone.matches[0].answer.cancel_reason, "2");
  EXPECT_EQ(who("张伟", "2", "1990-01-01").outcome, "none") << "another sex";
  EXPECT_EQ(who("张伟", "1", "1990-01-02").outcome, "none") << "another birth date";
  EXPECT_TRUE(who("王五", "1", "1990-01-01").matches.empty());
}

TEST(IdentityQueryTest, NameSexAndBirthDateAreChecked) {
  const Date today{2026, 11, 20};
  EXPECT_TRUE(ValidateIdentityQuery({"张伟", "1", "1990-01-01"}, today).ok());
  EXPECT_EQ(ValidateIdentityQuery({"", "1", "1990-01-01"}, today).error().code,
            "national_check.name");
  EXPECT_EQ(ValidateIdentityQuery({"张伟", "3", "1990-01-01"}, today).error().code,
            "national_check.sex");
  EXPECT_EQ(ValidateIdentityQuery({"张伟", "1", "1990-13-01"}, today).error().field, "birth_date");
  EXPECT_EQ(ValidateIdentityQuery({"张伟", "1", "2026-11-21"}, today).error().code,
            "national_check.birth_date");
}

INSTANTIATE_TEST_SUITE_P(Backends, CheckLocalTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

// Answers every connection on a local port with one fixed HTTP response, and keeps the last
// request line and Authorization header it saw.
class Responder {
 public:
  Responder(int status, std::string body) : status_(status), body_(std::move(body)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Responder() {
    stopping_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string request() {
    std::lock_guard lock(mu_);
    return request_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        request_ = got;
      }
      std::string response = "HTTP/1.1 " + std::to_string(status_) +
                             " X\r\nContent-Type: application/json\r\nContent-Length: " +
                             std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
      send(c, response.data(), response.size(), MSG_NOSIGNAL);
      close(c);
    }
  }
  int status_;
  std::string body_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::string request_;
  std::thread thread_;
};

std::string AnswerJson(std::string outcome, std::string station = "",
                       std::string cancel_reason = "") {
  return nlohmann::json{{"outcome", outcome},
                        {"station", station},
                        {"station_code", station.empty() ? "" : "150602510000"},
                        {"cancel_reason", cancel_reason},
                        {"cancel_date", cancel_reason.empty() ? "" : "2024-05-06"},
                        {"name_matches", true}}
      .dump();
}

TEST(PeerNationalCheckTest, ActiveAnywhereBeatsCancelledBeatsNone) {
  Responder none(200, AnswerJson("none"));
  Responder cancelled(200, AnswerJson("cancelled", "东胜派出所", "2"));
  Responder active(200, AnswerJson("active", "康巴什派出所"));
  PeerNationalCheck check({{"a", none.url(), "token-a"},
                           {"b", cancelled.url(), "token-b"},
                           {"c", active.url(), "token-c"}},
                          TestClock());
  auto r = check.Check(kActive, "张 伟");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->outcome, "active");
  EXPECT_EQ(r->peer, "c");
  EXPECT_EQ(r->station, "康巴什派出所");
  EXPECT_EQ(r->cancel_reason, "");
  EXPECT_EQ(r->checked_at, TestClock().NowIso());
  auto detail = nlohmann::json::parse(r->detail);
  ASSERT_EQ(detail["peers"].size(), 3u);
  EXPECT_EQ(detail["peers"][1]["peer"], "b");
  EXPECT_EQ(detail["peers"][1]["outcome"], "cancelled");
  EXPECT_EQ(detail["peers"][1]["cancel_date"], "2024-05-06");
  // The question each peer got: the number, the name escaped, the peer's own token.
  std::string asked = cancelled.request();
  EXPECT_NE(asked.find("GET /api/v1/national-check/" + std::string(kActive) +
                       "?name=%E5%BC%A0%20%E4%BC%9F HTTP/1.1"),
            std::string::npos)
      << asked;
  EXPECT_NE(asked.find("Authorization: Bearer token-b\r\n"), std::string::npos) << asked;

  PeerNationalCheck without_active({{"a", none.url(), "t"}, {"b", cancelled.url(), "t"}},
                                   TestClock());
  auto r2 = without_active.Check(kActive, "张伟");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->outcome, "cancelled");
  EXPECT_EQ(r2->peer, "b");
  EXPECT_EQ(r2->cancel_reason, "2");
  EXPECT_EQ(r2->station, "东胜派出所");
}

TEST(PeerNationalCheckTest, APersonWithoutANumberIsAskedByNameSexAndBirthDate) {
  Responder none(200, AnswerJson("none"));
  nlohmann::json found = nlohmann::json::parse(AnswerJson("active", "康巴什派出所"));
  found["id_number"] = kActive;
  found["matches"] = {{{"id_number", kActive}, {"outcome", "active"}, {"station", "康巴什派出所"}}};
  Responder active(200, found.dump());
  PeerNationalCheck check({{"a", none.url(), "token-a"}, {"c", active.url(), "token-c"}},
                          TestClock());
  auto r = check.CheckIdentity({"张 伟", "1", "1990-01-01"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->outcome, "active");
  EXPECT_EQ(r->id_number, kActive) << "the number found";
  EXPECT_EQ(r->peer, "c");
  EXPECT_EQ(r->station, "康巴什派出所");
  auto detail = nlohmann::json::parse(r->detail);
  EXPECT_EQ(detail["query"]["birth_date"], "1990-01-01");
  EXPECT_EQ(detail["peers"][1]["matches"][0]["id_number"], kActive);
  std::string asked = active.request();
  EXPECT_NE(asked.find("GET /api/v1/national-check?name=%E5%BC%A0%20%E4%BC%9F&sex=1&birth_date="
                       "1990-01-01 HTTP/1.1"),
            std::string::npos)
      << asked;
  EXPECT_NE(asked.find("Authorization: Bearer token-c\r\n"), std::string::npos) << asked;
  PeerNationalCheck quiet({{"a", none.url(), "t"}}, TestClock());
  auto nobody = quiet.CheckIdentity({"张伟", "1", "1990-01-01"});
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(nobody->outcome, "none");
  EXPECT_EQ(nobody->id_number, "");
  // A bad query is refused before asking; an answer "found" without a number is not trusted.
  EXPECT_EQ(check.CheckIdentity({"张伟", "1", "1990-02-30"}).error().code,
            "national_check.birth_date");
  Responder numberless(200, AnswerJson("active", "康巴什派出所"));
  PeerNationalCheck odd({{"odd", numberless.url(), "t"}}, TestClock());
  auto garbled = odd.CheckIdentity({"张伟", "1", "1990-01-01"});
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.error().code, "national_check.peer");
}

TEST(PeerNationalCheckTest, UnreachableRefusingOrGarbledPeerMakesTheCheckUnavailable) {
  Responder ok(200, AnswerJson("none"));
  Responder refusing(401, R"({"error":{"code":"national_check.token","message":"x"}})");
  Responder garbled(200, R"({"outcome":"maybe"})");
  int closed_port = 0;
  {
    Responder gone(200, "{}");
    closed_port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
  }
  struct Case {
    Peer peer;
    std::string message_part;
  };
  for (const Case& c :
       {Case{{"down", "http://127.0.0.1:" + std::to_string(closed_port), "t"}, "无法访问"},
        Case{{"refusing", refusing.url(), "t"}, "HTTP 401 national_check.token"},
        Case{{"garbled", garbled.url(), "t"}, "无法识别"}}) {
    PeerNationalCheck check({{"ok", ok.url(), "t"}, c.peer}, TestClock(),
                            std::chrono::milliseconds(2000));
    auto r = check.Check(kActive, "张伟");
    ASSERT_FALSE(r.ok()) << c.peer.name;
    EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
    EXPECT_EQ(r.error().code, "national_check.peer");
    EXPECT_NE(r.error().message.find(c.peer.name), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
  }
}

TEST(PeerNationalCheckTest, ABadNumberIsRefusedBeforeAsking) {
  PeerNationalCheck check({{"x", "http://127.0.0.1:1", "t"}}, TestClock());
  auto r = check.Check("420704199001011232", "张伟");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kValidation);
  EXPECT_EQ(r.error().code, "id_number.check_digit");
}

}  // namespace
}  // namespace hukou::services
