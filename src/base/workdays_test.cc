#include "base/workdays.h"

#include <gtest/gtest.h>

namespace hukou {
namespace {

Date D(const char* text) { return *Date::Parse(text); }

TEST(WorkCalendarTest, ShippedCalendarKnowsTheOfficialSchedules) {
  const WorkCalendar& cal = WorkCalendar::Shipped();
  EXPECT_EQ(cal.KindOf(D("2026-02-17")), DayKind::kHoliday);
  EXPECT_EQ(cal.NameOf(D("2026-02-17")), "春节");
  EXPECT_EQ(cal.KindOf(D("2026-02-14")), DayKind::kMakeupWorkday);
  EXPECT_EQ(cal.KindOf(D("2026-02-28")), DayKind::kMakeupWorkday);
  EXPECT_EQ(cal.KindOf(D("2025-10-08")), DayKind::kHoliday);
  EXPECT_EQ(cal.KindOf(D("2025-09-28")), DayKind::kMakeupWorkday);
  EXPECT_EQ(cal.KindOf(D("2024-02-18")), DayKind::kMakeupWorkday);
  EXPECT_EQ(cal.KindOf(D("2026-03-03")), DayKind::kOrdinary);
  EXPECT_EQ(cal.NameOf(D("2026-03-03")), "");
  // 2026-02-14 is a Saturday worked, 2026-02-16 a Monday off, 2026-03-07 an ordinary Saturday.
  EXPECT_TRUE(cal.IsWorkday(D("2026-02-14")));
  EXPECT_FALSE(cal.IsWorkday(D("2026-02-16")));
  EXPECT_FALSE(cal.IsWorkday(D("2026-03-07")));
  EXPECT_TRUE(cal.IsWorkday(D("2026-03-06")));
}

TEST(WorkCalendarTest, AddWorkdaysCrossesSpringFestival2026) {
  const WorkCalendar& cal = WorkCalendar::Shipped();
  const Date eve = D("2026-02-13");  // Friday before the break 2/15–2/23
  EXPECT_EQ(cal.AddWorkdays(eve, 0), eve);
  EXPECT_EQ(cal.AddWorkdays(eve, 1), D("2026-02-14"));  // make-up Saturday
  EXPECT_EQ(cal.AddWorkdays(eve, 2), D("2026-02-24"));  // first day back
  EXPECT_EQ(cal.AddWorkdays(eve, 6), D("2026-02-28"));  // second make-up Saturday
  EXPECT_EQ(cal.AddWorkdays(eve, 7), D("2026-03-02"));
  EXPECT_EQ(cal.AddWorkdays(eve, 20), D("2026-03-19"));
  EXPECT_EQ(cal.WorkdaysBetween(eve, D("2026-03-19")), 20);
}

TEST(WorkCalendarTest, AddWorkdaysCrossesNationalDay2025) {
  const WorkCalendar& cal = WorkCalendar::Shipped();
  const Date eve = D("2025-09-30");  // Tuesday before the break 10/1–10/8
  EXPECT_EQ(cal.AddWorkdays(eve, 1), D("2025-10-09"));
  EXPECT_EQ(cal.AddWorkdays(eve, 2), D("2025-10-10"));
  EXPECT_EQ(cal.AddWorkdays(eve, 3), D("2025-10-11"));  // make-up Saturday
  EXPECT_EQ(cal.AddWorkdays(eve, 4), D("2025-10-13"));
  EXPECT_EQ(cal.AddWorkdays(eve, 20), D("2025-11-04"));
  EXPECT_EQ(cal.AddWorkdays(D("2025-09-26"), 1), D("2025-09-28"));  // make-up Sunday
  EXPECT_EQ(cal.AddWorkdays(D("2025-12-31"), 1), D("2026-01-04"));  // across the year
}

TEST(WorkCalendarTest, WorkdaysBetweenCountsWholeYears) {
  const WorkCalendar& cal = WorkCalendar::Shipped();
  EXPECT_EQ(cal.WorkdaysBetween(D("2023-12-31"), D("2024-12-31")), 251);
  EXPECT_EQ(cal.WorkdaysBetween(D("2024-12-31"), D("2025-12-31")), 248);
  EXPECT_EQ(cal.WorkdaysBetween(D("2025-12-31"), D("2026-12-31")), 248);
  EXPECT_EQ(cal.WorkdaysBetween(D("2026-03-02"), D("2026-03-02")), 0);
  EXPECT_EQ(cal.WorkdaysBetween(D("2026-03-05"), D("2026-03-02")), 0);
}

TEST(WorkCalendarTest, ParseAndSetEditTheCalendar) {
  auto cal = WorkCalendar::Parse(
      "# comment\n\n2030-01-01\tholiday\t元旦\r\n2030-01-05\tworkday\t元旦调休上班\n");
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  EXPECT_EQ(cal->days().size(), 2u);
  EXPECT_FALSE(cal->IsWorkday(D("2030-01-01")));  // a Tuesday
  EXPECT_TRUE(cal->IsWorkday(D("2030-01-05")));   // a Saturday
  EXPECT_EQ(cal->NameOf(D("2030-01-05")), "元旦调休上班");
  cal->Set(D("2030-01-01"), DayKind::kOrdinary, "");
  EXPECT_TRUE(cal->IsWorkday(D("2030-01-01")));
  EXPECT_EQ(cal->days().size(), 1u);
}

TEST(WorkCalendarTest, ParseRejectsBadLinesWithTheLineNumber) {
  auto bad_date = WorkCalendar::Parse("2030-01-01\tholiday\tA\n2030-02-30\tholiday\tB\n");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.error().code, "calendar.line");
  EXPECT_NE(bad_date.error().message.find("第 2 行"), std::string::npos);
  EXPECT_FALSE(WorkCalendar::Parse("2030-01-01\tfestival\tA\n").ok());
  EXPECT_FALSE(WorkCalendar::Parse("2030-01-01\n").ok());
  EXPECT_EQ(DayKindName(DayKind::kMakeupWorkday), "workday");
  EXPECT_EQ(*ParseDayKind("holiday"), DayKind::kHoliday);
  EXPECT_EQ(ParseDayKind("x").error().code, "calendar.kind");
}

}  // namespace
}  // namespace hukou
