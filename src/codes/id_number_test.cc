#include "codes/id_number.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <vector>

#include "codes/divisions.h"

namespace hukou::codes {
namespace {

const Date kToday{2024, 6, 1};

std::string ErrorCode(std::string_view number) {
  Result<IdNumberInfo> r = ValidateIdNumber(number, kToday);
  return r.ok() ? "" : r.error().code;
}

TEST(IdNumberTest, StandardExampleIsValid) {
  Result<IdNumberInfo> r = ValidateIdNumber("11010519491231002X", kToday);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->number, "11010519491231002X");
  EXPECT_EQ(r->division_code, "110105");
  EXPECT_EQ(r->birth_date, (Date{1949, 12, 31}));
  EXPECT_EQ(r->sequence, 2);
  EXPECT_EQ(r->sex, "2");
  EXPECT_EQ(IdCheckCharacter("11010519491231002"), 'X');
}

TEST(IdNumberTest, LowerCaseXIsAcceptedAndNormalised) {
  Result<IdNumberInfo> r = ValidateIdNumber("11010519491231002x", kToday);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->number, "11010519491231002X");
}

TEST(IdNumberTest, ErrorsCarryCodeFieldAndChineseMessage) {
  Result<IdNumberInfo> r = ValidateIdNumber("110105194912310021", kToday);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "id_number.check_digit");
  EXPECT_EQ(r.error().field, "id_number");
  EXPECT_EQ(r.error().kind, ErrorKind::kValidation);
  EXPECT_EQ(r.error().message, "公民身份号码校验位错误");
}

TEST(IdNumberTest, StructuralErrors) {
  EXPECT_EQ(ErrorCode("11010519491231002"), "id_number.length");
  EXPECT_EQ(ErrorCode(""), "id_number.length");
  EXPECT_EQ(ErrorCode("1101051949123100AX"), "id_number.format");
  EXPECT_EQ(ErrorCode("11010519491231002Y"), "id_number.format");
  // Unknown division code 990101.
  std::string unknown = ComposeIdNumber("990101", Date{1980, 1, 1}, 11);
  EXPECT_EQ(ErrorCode(unknown), "id_number.division");
  // 30 February, 1849 and the future.
  std::string first17 = "42070419900230123";
  EXPECT_EQ(ErrorCode(first17 + IdCheckCharacter(first17)), "id_number.birth_date");
  first17 = "42070418490101123";
  EXPECT_EQ(ErrorCode(first17 + IdCheckCharacter(first17)), "id_number.birth_date");
  EXPECT_EQ(ErrorCode(ComposeIdNumber("420704", Date{2024, 6, 2}, 1)),
            "id_number.future_birth_date");
  EXPECT_EQ(ErrorCode(ComposeIdNumber("420704", Date{2024, 6, 1}, 1)), "");
}

TEST(IdNumberTest, HistoricalDivisionCodesAreAccepted) {
  // 152701 东胜市 (伊克昭盟) was abolished in 2001; 110103 崇文区 in 2010.
  EXPECT_TRUE(ValidateIdNumber(ComposeIdNumber("152701", Date{1975, 3, 4}, 37), kToday).ok());
  EXPECT_TRUE(ValidateIdNumber(ComposeIdNumber("110103", Date{1962, 8, 9}, 120), kToday).ok());
  // 150603 康巴什区 is missing from loc.dat and added by the project.
  EXPECT_TRUE(ValidateIdNumber(ComposeIdNumber("150603", Date{2016, 1, 1}, 5), kToday).ok());
}

TEST(IdNumberTest, ComposeRoundTrips) {
  std::string n = ComposeIdNumber("420704", Date{1990, 5, 1}, 7);
  EXPECT_EQ(n.substr(0, 17), "42070419900501007");
  Result<IdNumberInfo> r = ValidateIdNumber(n, kToday);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sequence, 7);
  EXPECT_EQ(r->sex, "1");
  EXPECT_EQ(r->birth_date, (Date{1990, 5, 1}));
}

// Valid numbers drawn from real divisions, dates and sequences.
std::vector<std::string> SampleNumbers(int count) {
  std::mt19937 rng(20240601);
  std::vector<Division> divisions = Divisions::Get().Under("", true);
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < count) {
    const Division& d = divisions[rng() % divisions.size()];
    Date birth = Date::FromDays(static_cast<int64_t>(rng() % 40000) - 30000);
    out.push_back(ComposeIdNumber(d.code, birth, static_cast<int>(rng() % 1000)));
  }
  return out;
}

TEST(IdNumberPropertyTest, EverySingleWrongCharacterIsCaught) {
  const std::string kChars = "0123456789X";
  for (const std::string& valid : SampleNumbers(300)) {
    ASSERT_TRUE(ValidateIdNumber(valid, kToday).ok()) << valid;
    for (size_t i = 0; i < valid.size(); ++i) {
      for (char c : kChars) {
        if (c == valid[i]) continue;
        std::string wrong = valid;
        wrong[i] = c;
        EXPECT_FALSE(ValidateIdNumber(wrong, kToday).ok()) << valid << " -> " << wrong;
      }
    }
  }
}

TEST(IdNumberPropertyTest, EveryAdjacentTranspositionIsCaught) {
  for (const std::string& valid : SampleNumbers(1000)) {
    for (size_t i = 0; i + 1 < valid.size(); ++i) {
      if (valid[i] == valid[i + 1]) continue;
      std::string wrong = valid;
      std::swap(wrong[i], wrong[i + 1]);
      EXPECT_FALSE(ValidateIdNumber(wrong, kToday).ok()) << valid << " -> " << wrong;
    }
  }
}

TEST(IdNumberTest, UpgradeFrom15Digits) {
  Result<std::string> r = UpgradeIdNumber15("110105491231002");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "11010519491231002X");
  EXPECT_EQ(UpgradeIdNumber15("11010549123100").error().code, "id_number.length");
  EXPECT_EQ(UpgradeIdNumber15("11010549123100A").error().code, "id_number.format");
  EXPECT_EQ(UpgradeIdNumber15("110105490230002").error().code, "id_number.birth_date");
  EXPECT_EQ(UpgradeIdNumber15("990105491231002").error().code, "id_number.division");
}

TEST(IdNumberTest, Mask) {
  EXPECT_EQ(MaskIdNumber("42070219900501123X"), "420702********123X");
  EXPECT_EQ(MaskIdNumber("1234"), "****");
}

TEST(IdNumberTest, RunIdCheckPrintsPlaceDateAndSex) {
  std::ostringstream out;
  EXPECT_EQ(RunIdCheck(ComposeIdNumber("420704", Date{1990, 5, 1}, 13), kToday, out), 0);
  EXPECT_EQ(out.str(), "有效：湖北省鄂州市鄂城区 1990-05-01 男\n");
  std::ostringstream bad;
  EXPECT_EQ(RunIdCheck("110105194912310021", kToday, bad), 1);
  EXPECT_EQ(bad.str(), "无效：公民身份号码校验位错误\n");
  std::ostringstream old;
  EXPECT_EQ(RunIdCheck("110105491231002", kToday, old), 0);
  EXPECT_EQ(old.str(), "有效：北京市朝阳区 1949-12-31 女（18位：11010519491231002X）\n");
}

}  // namespace
}  // namespace hukou::codes
