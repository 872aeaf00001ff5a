// The case engine on real databases (SQLite always, PostgreSQL when HUKOU_TEST_PG_URL is set).
#include "cases/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "archive/material.h"
#include "cases/peer_move_out.h"
#include "cases/rules.h"
#include "catalog/catalog.h"
#include "org/units.h"
#include "registry/household.h"
#include "registry/person.h"
#include "store/test_database.h"
#include "trust/sm3.h"
#include "trust/verify.h"

namespace hukou::cases {
namespace {

using nlohmann::json;

constexpr char kStation1[] = "420704510000";  // 凤凰派出所
constexpr char kStation2[] = "420704520000";  // 古楼派出所

std::chrono::system_clock::time_point At(int y, int m, int d) {
  return std::chrono::system_clock::time_point(std::chrono::hours(24 * Date{y, m, d}.ToDays() + 2));
}

// A signer for the tests: SM3 over a per-officer secret and the payload (not SM2, but a real
// keyed digest the test can verify), counting its calls.
class DigestSigner : public trust::Signer {
 public:
  Result<trust::Signature> SignAsOfficer(int64_t user_id, std::string_view payload) override {
    ++calls;
    if (user_id == 0) return BusinessRuleError("trust.no_key", "无签名密钥");
    return trust::Signature{"user",     std::to_string(user_id), 100 + user_id,
                            "SM3-TEST", trust::Sm3Hex(payload),  Expected(user_id, payload)};
  }
  Result<trust::Signature> SignAsUnit(std::string_view, std::string_view) override {
    return BusinessRuleError("trust.no_seal", "无印章");
  }
  static std::string Expected(int64_t user_id, std::string_view payload) {
    return trust::Sm3Hex("key" + std::to_string(user_id) + "|" + std::string(payload));
  }
  std::atomic<int> calls{0};
};

// A DigestSigner that runs `during` once while it signs: between the engine's read of the case
// and its write transaction.
class InterludeSigner : public DigestSigner {
 public:
  Result<trust::Signature> SignAsOfficer(int64_t user_id, std::string_view payload) override {
    if (during) {
      std::function<void()> f = std::move(during);
      during = nullptr;
      f();
    }
    return DigestSigner::SignAsOfficer(user_id, payload);
  }
  std::function<void()> during;
};

// A national check that answers from a fixed outcome.
class FixedCheck : public services::NationalCheckProvider {
 public:
  explicit FixedCheck(std::string outcome = "none") : outcome_(std::move(outcome)) {}
  Result<services::NationalCheckResult> Check(std::string_view id_number,
                                              std::string_view) override {
    services::NationalCheckResult r;
    r.id_number = std::string(id_number);
    r.outcome = outcome_;
    r.peer = outcome_ == "none" ? "" : "ordos";
    r.checked_at = "2026-11-20T02:00:00.000000Z";
    return r;
  }
  // By identity: found under kFoundNumber unless the outcome is none; remembers the queries.
  Result<services::NationalCheckResult> CheckIdentity(
      const services::IdentityQuery& query) override {
    queries.push_back(query);
    services::NationalCheckResult r;
    r.outcome = outcome_;
    r.id_number = outcome_ == "none" ? "" : kFoundNumber;
    r.peer = outcome_ == "none" ? "" : "ordos";
    r.station = outcome_ == "none" ? "" : "东胜派出所";
    r.checked_at = "2026-11-20T02:00:00.000000Z";
    return r;
  }
  static constexpr char kFoundNumber[] = "150602201504010026";
  std::vector<services::IdentityQuery> queries;

 private:
  std::string outcome_;
};

org::Actor Officer(int64_t id, org::Role role, std::string unit, std::string scope) {
  org::Actor a;
  a.user_id = id;
  a.login = "u" + std::to_string(id);
  a.name = "干部" + std::to_string(id);
  a.role = role;
  a.unit_code = std::move(unit);
  a.scope_prefix = std::move(scope);
  return a;
}

class EngineTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto tdb = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(tdb.ok()) << tdb.error().message;
    tdb_ = std::move(*tdb);
    ASSERT_TRUE(db().Transact([&](store::Connection& c) -> Status {
                      HUKOU_RETURN_IF_ERROR(org::SeedUnits(c, "ezhou", clock_));
                      HUKOU_RETURN_IF_ERROR(catalog::LoadShippedCatalog(c, clock_).status());
                      // The key rows DigestSigner's key ids (100 + user) name, for key_usage.
                      for (int64_t user = 1; user <= 6; ++user) {
                        HUKOU_RETURN_IF_ERROR(
                            c.Exec("INSERT INTO signing_keys (id, owner_kind, owner_id, "
                                   "public_key_pem, private_key_enc, status, created_at) VALUES "
                                   "($1, 'user', $2, '', '', 'active', '2026-01-01T00:00:00Z')",
                                   {100 + user, std::to_string(user)})
                                .status());
                      }
                      return Status::Ok();
                    })
                    .ok());
    h1_ = MakeHousehold(kStation1, "420704001", "420704001001", "凤凰街道寒溪社区文星路12号");
    h2_ = MakeHousehold(kStation2, "420704002", "420704002001", "古楼街道南浦路3号");
    head_ = MakePerson("王大伟", "1", "1980-03-04", h1_, "02");
    wife_ = MakePerson("刘小红", "2", "1982-05-06", h1_, "10");
    son_ = MakePerson("王小明", "1", "2006-07-08", h1_, "20");
  }

  store::Database& db() { return tdb_->db(); }

  registry::Household MakeHousehold(const std::string& station, const std::string& township,
                                    const std::string& community, const std::string& text) {
    registry::Household out;
    EXPECT_TRUE(
        db().Transact([&](store::Connection& c) -> Status {
              registry::Address a;
              a.division_code = "420704";
              a.township_code = township;
              a.community_code = community;
              a.full_text = text;
              a.station_code = station;
              HUKOU_ASSIGN_OR_RETURN(registry::Address addr,
                                     registry::CreateAddress(c, a, org::Actor::System(), clock_));
              HUKOU_ASSIGN_OR_RETURN(out, registry::CreateHousehold(c, "family", addr.id,
                                                                    org::Actor::System(), clock_));
              return Status::Ok();
            })
            .ok());
    return out;
  }

  std::string MakePerson(const std::string& name, const std::string& sex, const std::string& birth,
                         const registry::Household& h, const std::string& relation) {
    std::string id;
    Status s = db().Transact([&](store::Connection& c) -> Status {
      registry::NewPerson p;
      HUKOU_ASSIGN_OR_RETURN(p.id_number,
                             registry::AllocateIdNumber(c, "420704", *Date::Parse(birth), sex));
      p.name = name;
      p.sex = sex;
      p.ethnicity = "01";
      p.birth_date = birth;
      p.household_id = h.id;
      p.relation_to_head = relation;
      HUKOU_ASSIGN_OR_RETURN(registry::Person done,
                             registry::RegisterPerson(c, p, org::Actor::System(), clock_));
      id = done.id_number;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().message;
    return id;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(store::Rows r, c.Query(sql));
                      n = r.Int(0, 0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  registry::Person Read(const std::string& id_number) {
    registry::Person p;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(
                          p, registry::ReadPerson(c, id_number, org::Actor::System()));
                      return Status::Ok();
                    })
                    .ok());
    return p;
  }

  ReceiveInput Input(const std::string& item, const std::string& subject) {
    ReceiveInput in;
    in.item_code = item;
    in.applicant_name = "王大伟";
    in.applicant_id_number = head_;
    in.applicant_phone = "13800000000";
    if (!subject.empty()) in.subjects.push_back({subject, nullptr, ""});
    in.materials = {"application_form"};
    return in;
  }

  // Captures every mandatory material of the case's item the resident hands in (not verified
  // by data sharing) into the archive, as a window clerk of the receiving station would.
  void CaptureAll(Engine& engine, const std::string& case_no, const org::Actor& who) {
    catalog::Item item;
    ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(Case c, LoadCase(conn, case_no));
                      HUKOU_ASSIGN_OR_RETURN(item,
                                             catalog::GetItem(conn, c.item_code, c.item_version));
                      return Status::Ok();
                    })
                    .ok());
    for (const catalog::Material& m : item.materials) {
      if (!m.mandatory || m.system_verified) continue;
      archive::Capture cap;
      cap.material_code = m.code;
      cap.source = "scan";
      cap.file_name = m.code + ".png";
      cap.bytes = Png();
      auto stored = engine.CaptureMaterial(case_no, cap, who);
      ASSERT_TRUE(stored.ok()) << stored.error().message;
    }
  }
  static std::string Png() {
    return FromHex(
        "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001149444154789c"
        "63f8cfc0004460e23f03001df003fda03309890000000049454e44ae426082");
  }
  // Another valid 2×2 PNG (red), for a second version of a material.
  static std::string RedPng() {
    return FromHex(
        "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001049444154789c"
        "6338212707440c100a001f260411a28f22af0000000049454e44ae426082");
  }
  static std::string FromHex(const char* kHex) {
    std::string out;
    for (size_t i = 0; kHex[i] && kHex[i + 1]; i += 2) {
      out += static_cast<char>(std::stoi(std::string(kHex + i, 2), nullptr, 16));
    }
    return out;
  }

  // The person leaves for military service (注销, reason 40).
  Status CancelForService(const std::string& id_number) {
    const int64_t id = Read(id_number).id;
    return db().Transact([&](store::Connection& c) -> Status {
      return registry::CancelPerson(c, id, "40", "2024-09-01", org::Actor::System(), clock_)
          .status();
    });
  }

  // 退出现役恢复户口 with every material handed in.
  ReceiveInput RestoreInput(const std::string& id_number) {
    ReceiveInput in = Input("HK0602", id_number);
    in.materials = {"application_form", "discharge_certificate", "placement_letter"};
    return in;
  }

  FixedClock clock_{At(2026, 11, 20)};
  std::unique_ptr<store::TestDatabase> tdb_;
  registry::Household h1_, h2_;
  std::string head_, wife_, son_;
  org::Actor clerk_ = Officer(1, org::Role::kWindowClerk, kStation2, kStation2);
  org::Actor police_ = Officer(2, org::Role::kPolice, kStation1, kStation1);
  org::Actor chief_ = Officer(3, org::Role::kStationChief, kStation1, kStation1);
  org::Actor branch_ = Officer(4, org::Role::kBranchApprover, "420704000000", "420704");
  org::Actor city_ = Officer(5, org::Role::kCityApprover, "420700000000", "4207");
  org::Actor aux_ = Officer(6, org::Role::kAuxiliary, kStation1, kStation1);
};

TEST_P(EngineTest, BirthRunsTheChainSignedAndRegistersTheChild) {
  DigestSigner signer;
  Engine engine(db(), clock_, &signer);
  ReceiveInput in = Input("HK0101", "");
  in.subjects.push_back({"",
                         {{"name", "王小宝"},
                          {"sex", "2"},
                          {"ethnicity", "01"},
                          {"birth_date", "2026-11-02"},
                          {"father_name", "王大伟"},
                          {"father_id_number", head_}},
                         "20"});
  in.form = {{"household_number", h1_.household_number}};
  auto c = engine.Receive(in, clerk_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->station_code, kStation1) << "routed to the household's station";
  EXPECT_EQ(c->receiving_station_code, kStation2);
  EXPECT_EQ(c->status, kReceived);
  ASSERT_EQ(c->steps.size(), 1u);
  EXPECT_TRUE(c->steps[0].signed_);
  EXPECT_FALSE(engine.Decide(c->case_no, {"approve", "", {}}, aux_).ok());
  auto incomplete = engine.Decide(c->case_no, {"approve", "同意受理", {}}, police_);
  ASSERT_FALSE(incomplete.ok());
  EXPECT_EQ(incomplete.error().code, "archive.incomplete");
  EXPECT_NE(incomplete.error().message.find("申请表"), std::string::npos)
      << incomplete.error().message;
  auto unknown = engine.CaptureMaterial("20261120999999", {}, clerk_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "case.not_found");
  CaptureAll(engine, c->case_no, clerk_);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM archive_materials WHERE station_code = '" +
                  std::string(kStation1) + "'"),
            1)
      << "the station comes from the case, not from the capturing window";
  auto accepted = engine.Decide(c->case_no, {"approve", "同意受理", {}}, police_);
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(accepted->status, kAccepted);
  // D2: a material captured after acceptance is late.
  archive::Capture extra;
  extra.material_code = "marriage_certificate";
  extra.source = "scan";
  extra.bytes = Png();
  clock_.Set(clock_.Now() + std::chrono::seconds(60));
  auto late = engine.CaptureMaterial(c->case_no, extra, police_);
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_TRUE(late->late);
  auto approved = engine.Decide(c->case_no, {"approve", "同意", {}}, chief_);
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ(approved->status, kApproved);
  ASSERT_EQ(approved->persons.size(), 1u);
  ASSERT_TRUE(approved->persons[0].person_id.has_value());
  const std::string baby = approved->persons[0].id_number;
  ASSERT_EQ(baby.size(), 18u);
  EXPECT_EQ(baby.substr(6, 8), "20261102");
  registry::Person p = Read(baby);
  EXPECT_EQ(p.name, "王小宝");
  EXPECT_EQ(p.household_id, h1_.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_log WHERE case_id = " + std::to_string(c->id)),
            Count("SELECT COUNT(*) FROM change_log WHERE case_id IS NOT NULL"));
  EXPECT_GE(Count("SELECT COUNT(*) FROM change_log WHERE case_id = " + std::to_string(c->id)), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notification_outbox WHERE subject_id = '" + c->case_no +
                  "' AND channel = 'sms' AND recipient = '13800000000'"),
            1);
  EXPECT_FALSE(approved->notice.empty());
  auto issued = engine.Issue(c->case_no, clerk_);
  ASSERT_TRUE(issued.ok()) << issued.error().message;
  EXPECT_EQ(issued->status, kIssued);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM archive_booklets WHERE case_no = '" + c->case_no + "'"), 1)
      << "one case, one booklet, filed when the case closes";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_materials WHERE state = 'provided' AND code = "
                  "'marriage_certificate'"),
            1)
      << "a capture marks the case's slot provided";
  EXPECT_EQ(signer.calls.load(), 4) << "receive, accept, approve, issue; the auxiliary's refused "
                                       "try is never signed";
  // Every stored step carries a verifiable signature over its payload.
  ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(
                        store::Rows r,
                        conn.Query("SELECT payload, payload_sm3, signature, signature_key_id, "
                                   "signer_id FROM case_steps ORDER BY step_no"));
                    EXPECT_EQ(r.size(), 4u);
                    for (size_t i = 0; i < r.size(); ++i) {
                      EXPECT_EQ(trust::Sm3Hex(r.Text(i, 0)), r.Text(i, 1));
                      EXPECT_EQ(r.Text(i, 2), DigestSigner::Expected(r.Int(i, 4), r.Text(i, 0)));
                      EXPECT_EQ(r.Int(i, 3), 100 + r.Int(i, 4));
                    }
                    // Each signature registered as one use of the officer's certificate.
                    HUKOU_ASSIGN_OR_RETURN(
                        store::Rows uses,
                        conn.Query("SELECT key_id, object_id, payload_sm3 FROM key_usage WHERE "
                                   "purpose = 'case_step' ORDER BY id"));
                    EXPECT_EQ(uses.size(), 4u);
                    for (size_t i = 0; i < uses.size() && i < r.size(); ++i) {
                      EXPECT_EQ(uses.Int(i, 0), r.Int(i, 3));
                      EXPECT_EQ(uses.Text(i, 1), c->case_no + "/" + std::to_string(i + 1));
                      EXPECT_EQ(uses.Text(i, 2), r.Text(i, 1));
                    }
                    return Status::Ok();
                  })
                  .ok());
}

// C7/D1: each decision signs the hashes of the case's materials at that moment, so a captured
// file swapped after the decision is found by `hukou verify`.
TEST_P(EngineTest, StepSignaturesCoverTheMaterialsAndASwappedFileIsFound) {
  InterludeSigner signer;
  Engine engine(db(), clock_, &signer);
  ReceiveInput in = Input("HK0101", "");
  in.subjects.push_back({"",
                         {{"name", "王小宝"},
                          {"sex", "2"},
                          {"ethnicity", "01"},
                          {"birth_date", "2026-11-02"},
                          {"father_name", "王大伟"},
                          {"father_id_number", head_}},
                         "20"});
  in.form = {{"household_number", h1_.household_number}};
  auto c = engine.Receive(in, clerk_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaptureAll(engine, c->case_no, clerk_);
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "同意受理", {}}, police_).ok());
  auto payload = [&](int step_no) {
    std::string out;
    EXPECT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(
                          store::Rows r, conn.Query("SELECT payload FROM case_steps WHERE case_id "
                                                    "= $1 AND step_no = $2",
                                                    {c->id, int64_t{step_no}}));
                      if (!r.empty()) out = r.Text(0, 0);
                      return Status::Ok();
                    })
                    .ok());
    return out;
  };
  const std::string v1 = "material=application_form 1 " + trust::Sm3Hex(Png()) + "\n";
  const std::string v2 = "material=application_form 2 " + trust::Sm3Hex(RedPng()) + "\n";
  EXPECT_EQ(payload(1).find("material="), std::string::npos) << "nothing captured at receipt";
  EXPECT_NE(payload(2).find(v1), std::string::npos) << payload(2);

  // A new version captured while the approval is being signed: what was signed is no longer
  // current, so the decision is refused rather than stored over a stale material list.
  signer.during = [&] {
    archive::Capture cap;
    cap.material_code = "application_form";
    cap.source = "scan";
    cap.bytes = RedPng();
    auto stored = engine.CaptureMaterial(c->case_no, cap, police_);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
  };
  auto raced = engine.Decide(c->case_no, {"approve", "同意", {}}, chief_);
  ASSERT_FALSE(raced.ok());
  EXPECT_EQ(raced.error().code, "case.conflict");
  EXPECT_EQ(raced.error().field, "materials");
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "同意", {}}, chief_).ok());
  EXPECT_NE(payload(3).find(v2), std::string::npos) << payload(3);
  EXPECT_EQ(payload(3).find(v1), std::string::npos) << "only current versions are signed";

  // What verify says about the materials (the test signer's keys are not SM2 keys, so its
  // signature findings are left aside).
  auto material_problems = [&] {
    std::vector<std::string> out;
    auto report = trust::Verify(db());
    EXPECT_TRUE(report.ok());
    if (!report.ok()) return out;
    for (const trust::VerifyProblem& p : report->problems) {
      if (p.table == "archive_materials" || p.code.starts_with("material")) {
        out.push_back(p.table + ":" + std::to_string(p.row_id) + ":" + p.code);
      }
    }
    return out;
  };
  EXPECT_TRUE(material_problems().empty());
  // Version 1 of the slot repointed at another stored file (whose own hash is intact).
  const int64_t v1_row = Count(
      "SELECT id FROM archive_materials WHERE material_code = 'application_form' AND version = 1");
  ASSERT_TRUE(db().Transact([&](store::Connection& conn) {
                    return conn
                        .Exec(
                            "UPDATE archive_materials SET file_id = (SELECT file_id FROM "
                            "archive_materials WHERE material_code = 'application_form' AND "
                            "version = 2) WHERE id = $1",
                            {v1_row})
                        .status();
                  })
                  .ok());
  EXPECT_EQ(material_problems(),
            (std::vector<std::string>{"archive_materials:" + std::to_string(v1_row) +
                                      ":material_replaced"}));
}

TEST_P(EngineTest, MissingMaterialsAreListedAtOnceAndNothingIsWritten) {
  Engine engine(db(), clock_);
  ReceiveInput in = Input("HK0502", head_);
  in.materials = {};
  auto c = engine.Receive(in, clerk_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "case.materials_missing");
  EXPECT_NE(c.error().message.find("户口登记申请表"), std::string::npos);
  EXPECT_NE(c.error().message.find("外国护照"), std::string::npos) << c.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_sequences"), 0);
}

TEST_P(EngineTest, RegistrationPlaceItemsAreRefusedAtOtherWindows) {
  Engine engine(db(), clock_);
  ReceiveInput in = Input("HK1001", head_);
  in.form = {{"address_id", h1_.address.id}};
  auto refused = engine.Receive(in, clerk_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "case.registration_place_only");
}

TEST_P(EngineTest, TwoApproversAtOnceExactlyOneSucceeds) {
  Engine engine(db(), clock_);
  ReceiveInput in = Input("HK0201", head_);
  auto c = engine.Receive(in, clerk_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaptureAll(engine, c->case_no, police_);
  auto accepted = engine.Decide(c->case_no, {"approve", "", {}}, police_);
  ASSERT_TRUE(accepted.ok());
  const int64_t seen = accepted->version;  // both approvers look at the same page
  org::Actor chief2 = chief_;
  chief2.user_id = 9;
  std::atomic<int> ok{0}, conflict{0};
  std::vector<std::thread> threads;
  for (const org::Actor* a : {&chief_, &chief2}) {
    threads.emplace_back([&, a] {
      auto r = engine.Decide(c->case_no, {"approve", "同意", {}, seen}, *a);
      if (r.ok()) ++ok;
      if (!r.ok() && r.error().code == "case.conflict") ++conflict;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), 1);
  EXPECT_EQ(Read(head_).status, "cancelled");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_log WHERE field = 'status' AND action = 'cancel'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_steps"), 3);
}

TEST_P(EngineTest, RestoreNeedsTheNationalCheckAndBiometrics) {
  Engine engine(db(), clock_);
  ASSERT_TRUE(CancelForService(son_).ok());
  ReceiveInput in = RestoreInput(son_);
  in.form = {{"household_number", h1_.household_number}, {"relation_to_head", "20"}};
  in.trafficked = true;
  org::Actor window = Officer(7, org::Role::kWindowClerk, kStation1, kStation1);
  auto c = engine.Receive(in, window);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM dna_notices"), 1);
  CaptureAll(engine, c->case_no, police_);
  auto unchecked = engine.Decide(c->case_no, {"approve", "", {}}, police_);
  ASSERT_FALSE(unchecked.ok());
  EXPECT_EQ(unchecked.error().code, "case.national_check_required");
  FixedCheck check;
  auto checked = engine.NationalCheck(c->case_no, check, police_);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  ASSERT_EQ(checked->checks.size(), 1u);
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, police_).ok());
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, chief_).ok());
  auto early = engine.Decide(c->case_no, {"approve", "", {}}, branch_);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "case.biometrics_required");
  BiometricInput photo{1, "photo", 0, "\xff\xd8\xff jpeg", "image/jpeg", "", 0};
  ASSERT_TRUE(engine.CaptureBiometric(c->case_no, photo, police_).ok());
  for (int f = 1; f <= 10; ++f) {
    BiometricInput fp{1, "fingerprint", f, "wsq" + std::to_string(f), "image/x-wsq", "", 0};
    ASSERT_TRUE(engine.CaptureBiometric(c->case_no, fp, aux_).status().error().code ==
                "case.auxiliary");
    ASSERT_TRUE(engine.CaptureBiometric(c->case_no, fp, police_).ok());
  }
  ASSERT_TRUE(
      engine
          .CaptureBiometric(c->case_no, {1, "portrait_comparison", 0, "", "", "match", 93}, police_)
          .ok());
  auto approved = engine.Decide(c->case_no, {"approve", "同意恢复", {}}, branch_);
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  registry::Person p = Read(son_);
  EXPECT_EQ(p.status, "active");
  EXPECT_EQ(p.household_id, h1_.id);
}

TEST_P(EngineTest, NoRestorationOfSomeoneRegisteredElsewhere) {
  Engine engine(db(), clock_);
  ASSERT_TRUE(CancelForService(son_).ok());
  ReceiveInput in = RestoreInput(son_);
  in.form = {{"household_number", h1_.household_number}};
  auto c = engine.Receive(in, Officer(7, org::Role::kWindowClerk, kStation1, kStation1));
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaptureAll(engine, c->case_no, police_);
  FixedCheck active("active");
  ASSERT_TRUE(engine.NationalCheck(c->case_no, active, police_).ok());
  auto refused = engine.Decide(c->case_no, {"approve", "", {}}, police_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "case.registered_elsewhere");
  EXPECT_TRUE(engine.Decide(c->case_no, {"reject", "在鄂尔多斯仍有户口", {}}, police_).ok());
}

TEST_P(EngineTest, NoHukouRegistrationAllocatesANumber) {
  Engine engine(db(), clock_);
  ReceiveInput in = Input("HK1201", "");
  in.subjects.push_back(
      {"",
       {{"name", "王小芳"}, {"sex", "2"}, {"ethnicity", "01"}, {"birth_date", "2015-04-01"}},
       "20"});
  in.materials = {"application_form", "photo"};
  in.form = {{"household_number", h1_.household_number}, {"discovery_date", "2026-11-02"}};
  org::Actor window = Officer(7, org::Role::kWindowClerk, kStation1, kStation1);
  auto c = engine.Receive(in, window);
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaptureAll(engine, c->case_no, police_);
  EXPECT_EQ(c->due_date, WorkCalendar::Shipped().AddWorkdays(Date{2026, 11, 2}, 20).ToString())
      << "B11: 20 working days from the discovery, not from the receipt";
  auto unchecked = engine.Decide(c->case_no, {"approve", "", {}}, police_);
  ASSERT_FALSE(unchecked.ok());
  EXPECT_EQ(unchecked.error().code, "case.national_check_required")
      << "A9: a person without a number is checked too";
  EXPECT_NE(unchecked.error().message.find("王小芳"), std::string::npos);
  FixedCheck check;
  auto checked = engine.NationalCheck(c->case_no, check, police_);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  ASSERT_EQ(checked->checks.size(), 1u) << "asked by name, sex and birth date";
  EXPECT_EQ(checked->checks[0].person_seq, 1);
  EXPECT_EQ(checked->checks[0].query, "identity");
  EXPECT_EQ(checked->checks[0].outcome, "none");
  EXPECT_EQ(checked->checks[0].found_id_number, "");
  ASSERT_EQ(check.queries.size(), 1u);
  EXPECT_EQ(check.queries[0].name, "王小芳");
  EXPECT_EQ(check.queries[0].sex, "2");
  EXPECT_EQ(check.queries[0].birth_date, "2015-04-01");
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, police_).ok());
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, chief_).ok());
  auto done = engine.Decide(c->case_no, {"approve", "", {}}, branch_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(Read(done->persons[0].id_number).name, "王小芳");
}

TEST_P(EngineTest, NoSupplementaryRegistrationOfSomeoneFoundRegisteredElsewhere) {
  Engine engine(db(), clock_);
  ReceiveInput in = Input("HK0704", "");
  in.subjects.push_back(
      {"",
       {{"name", "王小雨"}, {"sex", "1"}, {"ethnicity", "01"}, {"birth_date", "2015-04-01"}},
       "20"});
  in.materials = {"application_form", "hukou_booklet", "photo", "investigation_report"};
  in.form = {{"household_number", h1_.household_number}};
  auto c = engine.Receive(in, Officer(7, org::Role::kWindowClerk, kStation1, kStation1));
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaptureAll(engine, c->case_no, police_);
  FixedCheck active("active");
  auto checked = engine.NationalCheck(c->case_no, active, police_);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  ASSERT_EQ(checked->checks.size(), 1u);
  EXPECT_EQ(checked->checks[0].found_id_number, FixedCheck::kFoundNumber);
  auto refused = engine.Decide(c->case_no, {"approve", "", {}}, police_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "case.registered_elsewhere");
  EXPECT_NE(refused.error().message.find(FixedCheck::kFoundNumber), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("姓名、性别、出生日期"), std::string::npos);
}

TEST_P(EngineTest, NoHukouRegistrationNeedsTheDiscoveryDate) {
  Engine engine(db(), clock_);
  org::Actor window = Officer(7, org::Role::kWindowClerk, kStation1, kStation1);
  for (const char* item : {"HK1201", "HK1204", "HK1205"}) {
    ReceiveInput in = Input(item, "");
    in.subjects.push_back(
        {"",
         {{"name", "王小芳"}, {"sex", "2"}, {"ethnicity", "01"}, {"birth_date", "2015-04-01"}},
         "20"});
    in.materials = {"application_form",     "photo",          "birth_certificate",
                    "parent_booklet",       "identity_proof", "investigation_report",
                    "marriage_certificate", "spouse_booklet"};
    for (const json& form :
         {json{{"household_number", h1_.household_number}},
          json{{"household_number", h1_.household_number}, {"discovery_date", ""}},
          json{{"household_number", h1_.household_number}, {"discovery_date", "2026-13-01"}},
          json{{"household_number", h1_.household_number}, {"discovery_date", 20261102}},
          json{{"household_number", h1_.household_number}, {"discovery_date", "2026-11-21"}}}) {
      in.form = form;
      auto refused = engine.Receive(in, window);
      ASSERT_FALSE(refused.ok()) << item << " " << form.dump();
      EXPECT_EQ(refused.error().code, "case.discovery_date") << item << " " << form.dump();
      EXPECT_EQ(refused.error().field, "form.discovery_date");
      EXPECT_NE(refused.error().message.find("发现日期"), std::string::npos);
    }
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_sequences"), 0) << "refused before a number is taken";
  // Supplementary registration (补录) is not a no-hukou registration: no discovery date needed.
  ReceiveInput supp = Input("HK0704", "");
  supp.subjects.push_back(
      {"",
       {{"name", "王小芳"}, {"sex", "2"}, {"ethnicity", "01"}, {"birth_date", "2015-04-01"}},
       "20"});
  supp.materials = {"application_form", "hukou_booklet", "photo", "investigation_report"};
  supp.form = {{"household_number", h1_.household_number}};
  auto received = engine.Receive(supp, window);
  ASSERT_TRUE(received.ok()) << received.error().message;
}

TEST_P(EngineTest, AChangeCaseChangesOnlyWhatItsItemCovers) {
  Engine engine(db(), clock_);
  org::Actor window = Officer(7, org::Role::kWindowClerk, kStation1, kStation1);
  struct Refused {
    const char* item;
    std::vector<std::string> materials;
    json changes;
    const char* field;
    const char* title;
  };
  const std::vector<std::string> name_docs = {"application_form", "reason"};
  for (const Refused& r : std::vector<Refused>{
           {"HK0802", name_docs, {{"name", "王大卫"}, {"sex", "2"}}, "sex", "性别"},
           {"HK0802", name_docs, {{"birth_date", "1980-03-05"}}, "birth_date", "出生日期"},
           {"HK0802",
            name_docs,
            {{"id_number", "420704198003040011"}},
            "id_number",
            "公民身份号码"},
           {"HK0805", {"application_form", "ethnicity_application"}, {{"sex", "2"}}, "sex", "性别"},
           {"HK0805",
            {"application_form", "ethnicity_application"},
            {{"ethnicity", "02"}, {"id_number", "420704198003040011"}},
            "id_number",
            "公民身份号码"},
           {"HK0807", {"application_form", "reason_proof"}, {{"sex", "2"}}, "sex", "性别"},
           {"HK0804",
            {"application_form", "hospital_proof", "forensic_opinion"},
            {{"name", "王大卫"}},
            "name",
            "姓名"},
           {"HK0903", {"application_form"}, {{"former_names", "王伟"}}, "former_names", "曾用名"},
       }) {
    ReceiveInput in = Input(r.item, head_);
    in.materials = r.materials;
    in.form = {{"changes", r.changes}};
    auto refused = engine.Receive(in, window);
    ASSERT_FALSE(refused.ok()) << r.item << " " << r.changes.dump();
    EXPECT_EQ(refused.error().code, "case.change_field") << r.item << " " << r.changes.dump();
    EXPECT_EQ(refused.error().field, std::string("form.changes.") + r.field);
    EXPECT_NE(refused.error().message.find(r.title), std::string::npos) << refused.error().message;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 0) << "refused at receipt, nothing written";
  // A sex change may bring the new number the changed sex needs; a name change the former name.
  ReceiveInput sex = Input("HK0804", head_);
  sex.materials = {"application_form", "hospital_proof", "forensic_opinion"};
  sex.form = {{"changes", {{"sex", "2"}, {"id_number", "420704198003040021"}}}};
  auto sex_case = engine.Receive(sex, window);
  ASSERT_TRUE(sex_case.ok()) << sex_case.error().message;
  ReceiveInput rename = Input("HK0802", head_);
  rename.materials = name_docs;
  rename.form = {{"changes", {{"name", "王大卫"}, {"former_names", "王大伟"}}}};
  auto c = engine.Receive(rename, window);
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaptureAll(engine, c->case_no, police_);
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, police_).ok());
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, chief_).ok());
  auto done = engine.Decide(c->case_no, {"approve", "", {}}, branch_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  registry::Person p = Read(head_);
  EXPECT_EQ(p.name, "王大卫");
  EXPECT_EQ(p.former_names, "王大伟");
  EXPECT_EQ(p.sex, "1");
  // A resubmission cannot slip in a field the item does not cover.
  ReceiveInput aux = Input("HK0903", wife_);
  aux.form = {{"changes", {{"workplace", "鄂州市政务服务中心"}}}};
  auto a = engine.Receive(aux, window);
  ASSERT_TRUE(a.ok()) << a.error().message;
  CaptureAll(engine, a->case_no, police_);
  ASSERT_TRUE(engine.Decide(a->case_no, {"return", "请补正", {"单位证明"}}, police_).ok());
  auto sneaked = engine.Resubmit(a->case_no, {{}, {{"changes", {{"sex", "1"}}}}, "已补正"}, window);
  ASSERT_FALSE(sneaked.ok());
  EXPECT_EQ(sneaked.error().code, "case.change_field");
}

TEST_P(EngineTest, AnArrivalKeepsTheNumberItWasCheckedUnder) {
  Engine engine(db(), clock_);
  const std::string arrival = "150602201504010018";  // registered in another city
  ReceiveInput in = Input("HK0303", "");
  in.subjects.push_back(
      {arrival,
       {{"name", "王小雨"}, {"sex", "1"}, {"ethnicity", "01"}, {"birth_date", "2015-04-01"}},
       "20"});
  in.materials = {"application_form", "residence_proof", "settle_condition"};
  in.form = {{"household_number", h1_.household_number}};
  auto c = engine.Receive(in, Officer(7, org::Role::kWindowClerk, kStation1, kStation1));
  ASSERT_TRUE(c.ok()) << c.error().message;
  FixedCheck check("active");
  auto checked = engine.NationalCheck(c->case_no, check, police_);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  ASSERT_EQ(checked->checks.size(), 1u);
  EXPECT_EQ(checked->checks[0].id_number, arrival);
  CaptureAll(engine, c->case_no, police_);
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, police_).ok());
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, chief_).ok());
  auto done = engine.Decide(c->case_no, {"approve", "", {}}, branch_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(done->persons.size(), 1u);
  EXPECT_EQ(done->persons[0].id_number, arrival) << "no new number for someone who has one";
  registry::Person p = Read(arrival);
  EXPECT_EQ(p.name, "王小雨");
  EXPECT_EQ(p.household_id, h1_.id);
}

// B9 one-stop migration: the final approval of HK0302 queues the origin's move-out at the peer
// that the national check found the arrival active at, in the approval's transaction.
TEST_P(EngineTest, AnArrivalActiveAtAPeerIsMovedOutThereByTheSameCase) {
  Engine engine(db(), clock_);
  const std::string arrival = "150602201504010018";
  ReceiveInput in = Input("HK0302", "");
  in.subjects.push_back(
      {arrival,
       {{"name", "王小雨"}, {"sex", "1"}, {"ethnicity", "01"}, {"birth_date", "2015-04-01"}},
       "20"});
  in.materials = {"application_form", "id_card", "origin_hukou", "residence_proof",
                  "settle_condition"};
  in.form = {{"household_number", h1_.household_number}};
  auto c = engine.Receive(in, Officer(7, org::Role::kWindowClerk, kStation1, kStation1));
  ASSERT_TRUE(c.ok()) << c.error().message;
  FixedCheck check("active");
  ASSERT_TRUE(engine.NationalCheck(c->case_no, check, police_).ok());
  CaptureAll(engine, c->case_no, police_);
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, police_).ok());
  auto reviewed = engine.Decide(c->case_no, {"approve", "", {}}, chief_);
  ASSERT_TRUE(reviewed.ok()) << reviewed.error().message;
  EXPECT_TRUE(reviewed->move_outs.empty()) << "only the final approval asks the origin";
  auto done = engine.Decide(c->case_no, {"approve", "", {}}, branch_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(done->move_outs.size(), 1u);
  const services::MoveOutState& m = done->move_outs[0];
  EXPECT_EQ(m.person_seq, 1);
  EXPECT_EQ(m.id_number, arrival);
  EXPECT_EQ(m.peer, "ordos");
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.move_date, "2026-11-20");
  EXPECT_EQ(m.destination_division_name, "湖北省鄂州市鄂城区");
  EXPECT_FALSE(m.destination_station_name.empty());
  EXPECT_NE(done->effect_result.find("origin_move_outs"), std::string::npos);
  EXPECT_EQ(Read(arrival).household_id, h1_.id);
}

TEST_P(EngineTest, NoMoveOutWhenTheCheckFoundNoRegistrationElsewhere) {
  Engine engine(db(), clock_);
  const std::string arrival = "150602201504010018";
  ReceiveInput in = Input("HK0302", "");
  in.subjects.push_back(
      {arrival,
       {{"name", "王小雨"}, {"sex", "1"}, {"ethnicity", "01"}, {"birth_date", "2015-04-01"}},
       "20"});
  in.materials = {"application_form", "id_card", "origin_hukou", "residence_proof",
                  "settle_condition"};
  in.form = {{"household_number", h1_.household_number}};
  auto c = engine.Receive(in, Officer(7, org::Role::kWindowClerk, kStation1, kStation1));
  ASSERT_TRUE(c.ok()) << c.error().message;
  FixedCheck none("none");
  ASSERT_TRUE(engine.NationalCheck(c->case_no, none, police_).ok());
  CaptureAll(engine, c->case_no, police_);
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, police_).ok());
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, chief_).ok());
  auto done = engine.Decide(c->case_no, {"approve", "", {}}, branch_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_TRUE(done->move_outs.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM move_out_requests"), 0);
}

// The origin's half: a peer's move-out cancels the person here (迁出, with the destination and
// the peer's case in the history), once per (peer, case, person).
TEST_P(EngineTest, APeersMoveOutCancelsHereOnceAndRefusesTheRest) {
  PeerMoveOutInput in;
  in.peer = "ordos";
  in.case_no = "20261120000007";
  in.item_name = "省内跨市户口迁移（一站式办理）";
  in.id_number = son_;
  in.name = "王小明";
  in.destination_station_code = "150603510000";
  in.destination_station_name = "康巴什派出所";
  in.destination_division_code = "150603";
  in.destination_division_name = "内蒙古自治区鄂尔多斯市康巴什区";
  in.move_date = "2026-11-20";
  auto done = ApplyPeerMoveOut(db(), in, clock_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_FALSE(done->repeated);
  EXPECT_EQ(done->station_code, kStation1);
  EXPECT_EQ(done->cancel_reason, "20");
  EXPECT_EQ(done->cancel_date, "2026-11-20");
  registry::Person p = Read(son_);
  EXPECT_EQ(p.status, "cancelled");
  EXPECT_EQ(p.cancel_reason, "20");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_log WHERE action = 'move_out' AND field = "
                  "'status' AND reason LIKE '%ordos 办件 20261120000007%' AND reason LIKE "
                  "'%迁往内蒙古自治区鄂尔多斯市康巴什区康巴什派出所%'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'move_out.peer'"), 1);

  auto again = ApplyPeerMoveOut(db(), in, clock_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_log WHERE action = 'move_out'"), 3)
      << "no second change";

  PeerMoveOutInput other = in;
  other.case_no = "20261120000008";
  auto cancelled = ApplyPeerMoveOut(db(), other, clock_);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code, "move_out.already_cancelled");
  EXPECT_NE(cancelled.error().message.find("迁出"), std::string::npos);
  PeerMoveOutInput other_peer = in;
  other_peer.peer = "wuhan";
  EXPECT_EQ(ApplyPeerMoveOut(db(), other_peer, clock_).status().error().code,
            "move_out.already_cancelled");

  PeerMoveOutInput unknown = in;
  unknown.id_number = "150602201504010018";
  auto missing = ApplyPeerMoveOut(db(), unknown, clock_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "move_out.not_registered");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'move_out.peer_refused'"), 3);

  PeerMoveOutInput bad = in;
  bad.case_no = "";
  EXPECT_EQ(ApplyPeerMoveOut(db(), bad, clock_).status().error().code, "move_out.case_no");
  bad = in;
  bad.id_number = "123";
  EXPECT_EQ(ApplyPeerMoveOut(db(), bad, clock_).status().error().code, "move_out.id_number");
  bad = in;
  bad.destination_station_name = "";
  EXPECT_EQ(ApplyPeerMoveOut(db(), bad, clock_).status().error().code, "move_out.destination");
}

TEST_P(EngineTest, HouseholdSplitMovesTheMembersIntoANewHousehold) {
  Engine engine(db(), clock_);
  ReceiveInput in = Input("HK1001", "");
  in.subjects = {{son_, nullptr, "02"}};
  in.form = {{"address_id", h1_.address.id}};
  org::Actor window = Officer(7, org::Role::kWindowClerk, kStation1, kStation1);
  auto c = engine.Receive(in, window);
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaptureAll(engine, c->case_no, police_);
  ASSERT_TRUE(engine.Decide(c->case_no, {"approve", "", {}}, police_).ok());
  auto done = engine.Decide(c->case_no, {"approve", "", {}}, chief_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  registry::Person p = Read(son_);
  EXPECT_NE(p.household_id, h1_.id);
  EXPECT_EQ(p.relation_to_head, "02");
}

TEST_P(EngineTest, ListsTasksByRoleAndOverdueCases) {
  Engine engine(db(), clock_);
  auto workplace = [&](const std::string& who) {
    ReceiveInput in = Input("HK0903", who);
    in.form = {{"changes", {{"workplace", "鄂州市政务服务中心"}}}};
    return in;
  };
  auto c = engine.Receive(workplace(wife_), clerk_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  CaseFilter todo;
  todo.todo = true;
  auto police_tasks = engine.List(todo, police_);
  ASSERT_TRUE(police_tasks.ok()) << police_tasks.error().message;
  EXPECT_EQ(police_tasks->second, 1);
  auto chief_tasks = engine.List(todo, branch_);
  ASSERT_TRUE(chief_tasks.ok());
  EXPECT_EQ(chief_tasks->second, 0) << "the branch approver has no step here";
  auto clerk_tasks = engine.List(todo, clerk_);
  ASSERT_TRUE(clerk_tasks.ok());
  EXPECT_EQ(clerk_tasks->second, 0) << "nothing returned or approved at the window yet";
  // Two more cases, accepted: the station chief's step (approve), paged in SQL.
  for (int i = 0; i < 2; ++i) {
    auto more = engine.Receive(workplace(i ? son_ : head_), clerk_);
    ASSERT_TRUE(more.ok()) << more.error().message;
    CaptureAll(engine, more->case_no, police_);
    ASSERT_TRUE(engine.Decide(more->case_no, {"approve", "", {}}, police_).ok());
  }
  CaseFilter page = todo;
  page.limit = 1;
  auto chief_page = engine.List(page, chief_);
  ASSERT_TRUE(chief_page.ok()) << chief_page.error().message;
  EXPECT_EQ(chief_page->second, 3) << "the chief takes the police step too, and both approvals";
  EXPECT_EQ(chief_page->first.size(), 1u);
  org::Actor receiver = chief_;
  receiver.user_id = clerk_.user_id;
  EXPECT_EQ(engine.List(todo, receiver)->second, 1) << "H3: whoever received never approves";
  CaseFilter overdue;
  overdue.overdue_only = true;
  EXPECT_EQ(engine.List(overdue, city_)->second, 0);
  FixedClock later(At(2026, 12, 31));
  Engine late(db(), later);
  EXPECT_EQ(late.List(overdue, city_)->second, 3);
  auto stats = late.Stats(city_);
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].overdue, 3);
  EXPECT_EQ((*stats)[0].open, 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest, ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::cases
