#include "base/clock.h"

#include <gtest/gtest.h>

#include "base/status.h"

namespace hukou {
namespace {

TEST(DateTest, ParsesBothFormsAndRejectsImpossibleDays) {
  auto d = Date::Parse("2024-02-29");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->year, 2024);
  EXPECT_EQ(d->month, 2);
  EXPECT_EQ(d->day, 29);
  EXPECT_EQ(Date::Parse("20240229"), d);
  EXPECT_FALSE(Date::Parse("2023-02-29").has_value());
  EXPECT_FALSE(Date::Parse("1900-02-29").has_value());
  EXPECT_TRUE(Date::Parse("2000-02-29").has_value());
  EXPECT_FALSE(Date::Parse("2024-13-01").has_value());
  EXPECT_FALSE(Date::Parse("2024-1-01").has_value());
  EXPECT_FALSE(Date::Parse("2024-01-0x").has_value());
  EXPECT_FALSE(Date::Parse("").has_value());
}

TEST(DateTest, DayNumbersRoundTripOverCenturies) {
  EXPECT_EQ((Date{1970, 1, 1}.ToDays()), 0);
  EXPECT_EQ((Date{2000, 3, 1}.ToDays()), 11017);
  for (int64_t days = -80000; days <= 80000; days += 37) {
    const Date d = Date::FromDays(days);
    ASSERT_TRUE(d.IsValid());
    ASSERT_EQ(d.ToDays(), days);
  }
}

TEST(DateTest, AgeCountsBirthdays) {
  const Date born{1990, 6, 15};
  EXPECT_EQ(born.AgeOn({2006, 6, 14}), 15);
  EXPECT_EQ(born.AgeOn({2006, 6, 15}), 16);
  EXPECT_EQ(born.ToString(), "1990-06-15");
  EXPECT_EQ(born.Compact(), "19900615");
}

TEST(ClockTest, TodayIsChinaStandardTime) {
  // 2026-11-22T17:30:00Z is already 2026-11-23 01:30 in Beijing.
  FixedClock c(std::chrono::system_clock::from_time_t(1795368600));
  EXPECT_EQ(FormatIso(c.Now()), "2026-11-22T17:30:00.000000Z");
  EXPECT_EQ(c.Today().ToString(), "2026-11-23");
}

TEST(StatusTest, ResultCarriesValueOrError) {
  Result<int> ok = 7;
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 7);
  Result<int> bad = ValidationError("x.y", "错误", "f");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "f");
  EXPECT_EQ(HttpStatusFor(bad.error().kind), 400);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kBusinessRule), 422);
  auto chain = [&]() -> Result<int> {
    HUKOU_ASSIGN_OR_RETURN(int v, bad);
    return v + 1;
  };
  EXPECT_EQ(chain().error().code, "x.y");
}

}  // namespace
}  // namespace hukou
