// Rules of the case lifecycle, without a database.
#include "cases/rules.h"

#include <gtest/gtest.h>

namespace hukou::cases {
namespace {

constexpr char kStation[] = "420704510000";
constexpr char kOtherStation[] = "420703510000";

catalog::Item ThreeLevelItem() {
  catalog::Item item;
  item.code = "HK9901";
  item.name = "测试事项";
  item.chain = {{"accept", "station", "police", 1},
                {"review", "station", "station_chief", 2},
                {"approve", "branch", "branch_approver", 3}};
  item.time_limit_days = 6;
  item.police_only = true;
  return item;
}

org::Actor Officer(int64_t id, org::Role role, std::string scope) {
  org::Actor a;
  a.user_id = id;
  a.name = "民警" + std::to_string(id);
  a.role = role;
  a.unit_code = scope.size() == 12 ? scope : scope + std::string(12 - scope.size(), '0');
  a.scope_prefix = std::move(scope);
  return a;
}

TEST(ChainTest, NextAndFinalSteps) {
  catalog::Item item = ThreeLevelItem();
  EXPECT_EQ(NextStep(item, 0), 1);
  EXPECT_EQ(NextStep(item, 1), 2);
  EXPECT_EQ(NextStep(item, 2), std::nullopt);
  EXPECT_FALSE(IsFinalStep(item, 1));
  EXPECT_TRUE(IsFinalStep(item, 2));
}

TEST(MayDecideTest, RoleScopeAuxiliaryAndReceiver) {
  catalog::Item item = ThreeLevelItem();
  CaseFacts c{kReceived, 0, kStation, 99};
  EXPECT_TRUE(CheckMayDecide(item, c, Officer(1, org::Role::kPolice, kStation)).ok());
  EXPECT_TRUE(CheckMayDecide(item, c, Officer(2, org::Role::kStationChief, kStation)).ok())
      << "a station chief may take a police step of his station";
  Status aux = CheckMayDecide(item, c, Officer(3, org::Role::kAuxiliary, kStation));
  ASSERT_FALSE(aux.ok());
  EXPECT_EQ(aux.error().code, "case.auxiliary");
  EXPECT_EQ(aux.error().kind, ErrorKind::kForbidden);
  Status clerk = CheckMayDecide(item, c, Officer(4, org::Role::kWindowClerk, kStation));
  ASSERT_FALSE(clerk.ok());
  EXPECT_EQ(clerk.error().code, "case.auxiliary");
  Status scope = CheckMayDecide(item, c, Officer(5, org::Role::kPolice, kOtherStation));
  ASSERT_FALSE(scope.ok());
  EXPECT_EQ(scope.error().code, "scope.outside");

  c.current_step = 2;
  c.status = kAccepted;
  EXPECT_TRUE(CheckMayDecide(item, c, Officer(6, org::Role::kBranchApprover, "420704")).ok());
  Status other_branch = CheckMayDecide(item, c, Officer(7, org::Role::kBranchApprover, "420703"));
  ASSERT_FALSE(other_branch.ok());
  EXPECT_EQ(other_branch.error().code, "scope.outside");
  Status police = CheckMayDecide(item, c, Officer(1, org::Role::kPolice, kStation));
  ASSERT_FALSE(police.ok());
  EXPECT_EQ(police.error().code, "role.forbidden");
  c.receiving_user_id = 6;
  Status receiver = CheckMayDecide(item, c, Officer(6, org::Role::kBranchApprover, "420704"));
  ASSERT_FALSE(receiver.ok());
  EXPECT_EQ(receiver.error().code, "case.receiver_cannot_approve");

  c.status = kReturned;
  EXPECT_EQ(CheckMayDecide(item, c, Officer(6, org::Role::kBranchApprover, "420704")).error().code,
            "case.returned");
  c.status = kIssued;
  EXPECT_EQ(CheckMayDecide(item, c, Officer(6, org::Role::kBranchApprover, "420704")).error().code,
            "case.closed");
}

TEST(MayReceiveTest, RegistrationPlaceItemsAreRefusedElsewhere) {
  catalog::Item item = ThreeLevelItem();
  org::Actor clerk = Officer(1, org::Role::kWindowClerk, kOtherStation);
  EXPECT_TRUE(CheckMayReceive(item, clerk, kOtherStation, kStation, "凤凰派出所").ok());
  item.handling_mode = catalog::HandlingMode::kRegistrationPlace;
  Status refused = CheckMayReceive(item, clerk, kOtherStation, kStation, "凤凰派出所");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "case.registration_place_only");
  EXPECT_NE(refused.error().message.find("凤凰派出所"), std::string::npos);
  EXPECT_TRUE(CheckMayReceive(item, clerk, kStation, kStation, "凤凰派出所").ok());
  Status aux = CheckMayReceive(item, Officer(2, org::Role::kAuxiliary, kStation), kStation,
                               kStation, "凤凰派出所");
  ASSERT_FALSE(aux.ok());
  EXPECT_EQ(aux.error().code, "role.forbidden");
}

TEST(DueDateTest, WorkingDaysHolidaysAndTheTwentyDayCap) {
  // 2026-09-30 is a Wednesday; 10-01..10-07 a holiday; Saturday 10-10 a make-up workday.
  auto cal = WorkCalendar::Parse(
      "2026-10-01\tholiday\t国庆节\n2026-10-02\tholiday\t国庆节\n2026-10-05\tholiday\t国庆节\n"
      "2026-10-06\tholiday\t国庆节\n2026-10-07\tholiday\t国庆节\n2026-10-"
      "10\tworkday\t国庆节调休\n");
  ASSERT_TRUE(cal.ok());
  catalog::Item item = ThreeLevelItem();
  const Date received{2026, 9, 30};
  // Working days after 09-30: 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, make-up), 10-12, 10-13, 10-14.
  EXPECT_EQ(CaseDueDate(*cal, item, received), (Date{2026, 10, 14}));
  EXPECT_EQ(StepDueDate(*cal, item.chain[0], received, Date{2026, 10, 14}), (Date{2026, 10, 8}));
  EXPECT_EQ(StepDueDate(*cal, item.chain[2], Date{2026, 10, 13}, Date{2026, 10, 14}),
            (Date{2026, 10, 14}))
      << "a step never runs past the case";
  item.time_limit_days = 45;
  EXPECT_EQ(CaseDueDate(*cal, item, received), cal->AddWorkdays(received, 20));
  EXPECT_EQ(NoHukouDueDate(*cal, received), cal->AddWorkdays(received, 20));
  EXPECT_GT(NoHukouDueDate(*cal, received), (Date{2026, 10, 27}));
}

TEST(DueDateTest, OverdueOnlyWhileOpen) {
  const Date today{2026, 11, 20};
  EXPECT_TRUE(IsOverdue("2026-11-19", kAccepted, today));
  EXPECT_FALSE(IsOverdue("2026-11-20", kAccepted, today));
  EXPECT_FALSE(IsOverdue("2026-11-19", kIssued, today));
  EXPECT_TRUE(IsOverdue("2026-11-01", kReturned, today));
}

TEST(BiometricsTest, SixteenAndOverNeedPhotoTenFingersAndPortrait) {
  catalog::Item item = ThreeLevelItem();
  item.biometrics = true;
  const Date today{2026, 11, 20};
  BiometricState none;
  EXPECT_EQ(MissingBiometrics(item, "2000-01-01", none, today).size(), 3u);
  EXPECT_TRUE(MissingBiometrics(item, "2011-11-21", none, today).empty()) << "still 14";
  EXPECT_EQ(MissingBiometrics(item, "2010-11-20", none, today).size(), 3u) << "16 today";
  BiometricState nine{true, 9, true};
  auto missing = MissingBiometrics(item, "2000-01-01", nine, today);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].find('9'), std::string::npos);
  EXPECT_TRUE(MissingBiometrics(item, "2000-01-01", {true, 10, true}, today).empty());
  item.biometrics = false;
  EXPECT_TRUE(MissingBiometrics(item, "2000-01-01", none, today).empty());
}

TEST(BiometricsTest, AnUnknownBirthDateCannotProveUnderSixteen) {
  catalog::Item item = ThreeLevelItem();
  item.biometrics = true;
  const Date today{2026, 11, 20};
  EXPECT_EQ(MissingBiometrics(item, "", {}, today).size(), 3u);
  EXPECT_EQ(MissingBiometrics(item, "2010-13-40", {}, today).size(), 3u) << "unreadable";
  EXPECT_TRUE(MissingBiometrics(item, "", {true, 10, true}, today).empty());
  item.biometrics = false;
  EXPECT_TRUE(MissingBiometrics(item, "", {}, today).empty());
}

TEST(MaterialsTest, OneCompleteListOfWhatIsMissing) {
  catalog::Item item = ThreeLevelItem();
  item.materials = {{"form", "申请表", "form", true, false, ""},
                    {"birth", "出生医学证明", "data_sharing", true, true, ""},
                    {"proof", "证明", "scan", true, false, ""},
                    {"extra", "补充材料", "scan", false, false, ""}};
  EXPECT_EQ(MissingMaterials(item, {}), (std::vector<std::string>{"申请表", "证明"}));
  EXPECT_EQ(MissingMaterials(item, {"proof"}), (std::vector<std::string>{"申请表"}));
  EXPECT_TRUE(MissingMaterials(item, {"form", "proof"}).empty());
}

TEST(PayloadTest, DeterministicAndCoversEveryField) {
  DecisionRecord r{"20261120000001",
                   3,
                   "approve",
                   "approve",
                   "同意\n办理",
                   7,
                   "李明",
                   kStation,
                   "2026-11-20T01:02:03.000000Z",
                   "abc",
                   {}};
  const std::string p = CanonicalPayload(r);
  EXPECT_EQ(p, CanonicalPayload(r));
  EXPECT_NE(p.find("case_no=20261120000001\n"), std::string::npos);
  EXPECT_NE(p.find("opinion=同意 办理\n"), std::string::npos) << "newlines cannot forge lines";
  DecisionRecord other = r;
  other.form_sm3 = "abd";
  EXPECT_NE(p, CanonicalPayload(other));
  other = r;
  other.officer_id = 8;
  EXPECT_NE(p, CanonicalPayload(other));
}

TEST(PayloadTest, CoversEachMaterialsCodeVersionAndHash) {
  DecisionRecord r;
  r.case_no = "20261120000001";
  r.step_no = 2;
  r.materials = {{"application_form", 2, std::string(64, 'a')},
                 {"birth_certificate", 1, std::string(64, 'b')}};
  const std::string p = CanonicalPayload(r);
  EXPECT_TRUE(p.starts_with("hukou-case-step=2\n")) << p;
  EXPECT_NE(p.find("material=application_form 2 " + std::string(64, 'a') + "\n"), std::string::npos)
      << p;
  const trust::StepPayloadRefs refs = trust::ParseStepPayload(p);
  EXPECT_EQ(refs.case_no, r.case_no);
  EXPECT_EQ(refs.materials, r.materials) << "the verifier reads back what was signed";
  for (auto change : {+[](DecisionRecord& d) { d.materials[0].sm3[0] = 'c'; },
                      +[](DecisionRecord& d) { d.materials[1].version = 2; },
                      +[](DecisionRecord& d) { d.materials[1].code = "parent_id"; },
                      +[](DecisionRecord& d) { d.materials.pop_back(); }}) {
    DecisionRecord other = r;
    change(other);
    EXPECT_NE(CanonicalPayload(other), p);
  }
}

TEST(FormatTest, CaseNumbersAndDurations) {
  EXPECT_EQ(FormatCaseNo(Date{2026, 11, 20}, 42), "20261120000042");
  EXPECT_EQ(SecondsBetween("2026-11-20T01:00:00.000000Z", "2026-11-21T01:00:30.5Z"), 86430);
  EXPECT_EQ(SecondsBetween("bad", "2026-11-21T01:00:30Z"), 0);
  EXPECT_NE(DnaNoticeText("1", "张三", "凤凰派出所").find("DNA"), std::string::npos);
}

TEST(OriginMoveOutTest, InMigrationsFoundActiveAtAPeerAreMovedOutThere) {
  catalog::Item item = ThreeLevelItem();
  item.effect = "migrate_in";
  item.national_check = true;
  const std::vector<MoveOutSubject> subjects = {
      {1, "150602199001011234", "张三"}, {2, "150602201504010018", "张小雨"}, {3, "", "无号"}};
  // Subject 1: first none, then active at ordos (the latest counts); subject 2: cancelled.
  const std::vector<SubjectCheck> checks = {{"150602199001011234", "none", ""},
                                            {"150602199001011234", "active", "ordos"},
                                            {"150602201504010018", "cancelled", "ordos"}};
  auto moves = OriginMoveOuts(item, subjects, checks);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].person_seq, 1);
  EXPECT_EQ(moves[0].peer, "ordos");
  EXPECT_EQ(moves[0].name, "张三");
  // The latest check decides: found cancelled after all → nothing to ask.
  std::vector<SubjectCheck> later = checks;
  later.push_back({"150602199001011234", "cancelled", "ordos"});
  EXPECT_TRUE(OriginMoveOuts(item, subjects, later).empty());
  // Active without a peer (not from another instance) → nothing to ask.
  EXPECT_TRUE(OriginMoveOuts(item, subjects, {{"150602199001011234", "active", ""}}).empty());
  // Items without the check (HK0301 市内: moved by the effect itself) and other effects: never.
  catalog::Item within_city = item;
  within_city.national_check = false;
  EXPECT_FALSE(MovesOutAtOrigin(within_city));
  EXPECT_TRUE(OriginMoveOuts(within_city, subjects, checks).empty());
  catalog::Item restore = item;
  restore.effect = "restore";
  EXPECT_TRUE(OriginMoveOuts(restore, subjects, checks).empty());
  EXPECT_TRUE(MovesOutAtOrigin(item));
}

}  // namespace
}  // namespace hukou::cases
