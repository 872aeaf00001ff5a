#include <gtest/gtest.h>

#include "store/test_database.h"
#include "trust/audit.h"
#include "trust/sm3.h"
#include "trust/step_payload.h"

namespace hukou::trust {
namespace {

TEST(Sm3Test, StandardExampleAbc) {
  // GM/T 0004-2012, example 1: SM3("abc").
  EXPECT_EQ(Sm3Hex("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  EXPECT_EQ(Sm3Hex(std::string(64, 'a')).size(), 64u);
  EXPECT_NE(Sm3Hex("abd"), Sm3Hex("abc"));
}

TEST(HexTest, EncodesEveryByte) {
  EXPECT_EQ(Hex(std::string("\x00\x7f\xff", 3)), "007fff");
  EXPECT_EQ(Hex(""), "");
}

TEST(StepPayloadTest, MaterialLinesRoundTripAndMalformedOnesAreKept) {
  const std::string payload = "hukou-case-step=2\ncase_no=20261120000001\nform_sm3=ab\n" +
                              MaterialLine({"application_form", 3, "aa11"}) +
                              MaterialLine({"odd code\nmaterial=x 1 ff", 1, "bb22"}) +
                              "material=broken\n";
  const StepPayloadRefs refs = ParseStepPayload(payload);
  EXPECT_EQ(refs.case_no, "20261120000001");
  ASSERT_EQ(refs.materials.size(), 3u);
  EXPECT_EQ(refs.materials[0], (MaterialHash{"application_form", 3, "aa11"}));
  EXPECT_EQ(refs.materials[1], (MaterialHash{"odd code material=x 1 ff", 1, "bb22"}))
      << "a line break in a code cannot forge a line";
  EXPECT_EQ(refs.materials[2], (MaterialHash{"broken", 0, ""}));
  EXPECT_TRUE(ParseStepPayload("hukou-case-step=1\ncase_no=1\n").materials.empty());
}

class AuditTest : public ::testing::TestWithParam<store::Backend> {};

TEST_P(AuditTest, EntryCommitsOrRollsBackWithTheWrite) {
  auto t = store::TestDatabase::Create(GetParam());
  ASSERT_TRUE(t.ok()) << t.error().message;
  store::Database& db = (*t)->db();
  FixedClock clock(std::chrono::system_clock::from_time_t(1795000000));
  ASSERT_TRUE(db.Transact([&](store::Connection& c) {
                  return AppendAudit(c, {7, "x.kept", "thing", "1", "{}"}, clock);
                }).ok());
  Status failed = db.Transact([&](store::Connection& c) -> Status {
    HUKOU_RETURN_IF_ERROR(AppendAudit(c, {7, "x.lost", "thing", "2", ""}, clock));
    return ValidationError("x", "后续步骤失败");
  });
  EXPECT_FALSE(failed.ok());
  ASSERT_TRUE(db.Read([&](store::Connection& c) -> Status {
                  HUKOU_ASSIGN_OR_RETURN(auto rows,
                                         c.Query("SELECT action, user_id, at FROM audit_log"));
                  EXPECT_EQ(rows.size(), 1u);
                  EXPECT_EQ(rows.Text(0, 0), "x.kept");
                  EXPECT_EQ(rows.Int(0, 1), 7);
                  EXPECT_EQ(rows.Text(0, 2), FormatIso(clock.Now()));
                  return Status::Ok();
                }).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::trust
