// Working days (工作日, B7): weekends and statutory holidays are not working days, make-up
// workdays (调休上班) on a weekend are. Deadlines are N working days after receipt.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace hukou {

enum class DayKind {
  kOrdinary,       // Monday–Friday work, weekend rest
  kHoliday,        // statutory holiday (法定节假日): no work even on a weekday
  kMakeupWorkday,  // 调休上班: work even on a weekend
};
std::string_view DayKindName(DayKind kind);  // ordinary | holiday | workday
Result<DayKind> ParseDayKind(std::string_view name);

class WorkCalendar {
 public:
  // Parses lines "YYYY-MM-DD<TAB>holiday|workday<TAB>name" ('#' comments, blank lines allowed).
  // Errors: kValidation calendar.line with the line number in the message.
  static Result<WorkCalendar> Parse(std::string_view tsv);
  // The shipped calendar (data/holidays/*.tsv, embedded), 2024–2026.
  static const WorkCalendar& Shipped();

  void Set(const Date& date, DayKind kind, std::string name);
  DayKind KindOf(const Date& date) const;
  std::string NameOf(const Date& date) const;  // "春节", or "" for ordinary days
  bool IsWorkday(const Date& date) const;
  // The date `n` working days after `start` (start itself not counted); n == 0 → start.
  // Precondition: n >= 0.
  Date AddWorkdays(const Date& start, int n) const;
  // Working days in (from, to]: 0 when to <= from.
  int WorkdaysBetween(const Date& from, const Date& to) const;
  const std::map<int64_t, std::pair<DayKind, std::string>>& days() const { return days_; }

 private:
  bool IsWorkdayNumber(int64_t days) const;  // days = Date::ToDays()

  std::map<int64_t, std::pair<DayKind, std::string>> days_;  // Date::ToDays() → kind, name
};

}  // namespace hukou
