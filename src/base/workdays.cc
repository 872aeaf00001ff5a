#include "base/workdays.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string_view>
#include <vector>

namespace hukou {

namespace base::data {
// Defined by the file cmake/embed.cmake generates from data/holidays/*.tsv (src/base/CMakeLists).
std::string_view Embedded(std::string_view name);
std::vector<std::string_view> EmbeddedNames();
}  // namespace base::data

namespace {

// 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 for Monday … 6 for Sunday.
bool IsWeekend(int64_t days) {
  const int64_t weekday = ((days + 3) % 7 + 7) % 7;
  return weekday >= 5;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string_view DayKindName(DayKind kind) {
  switch (kind) {
    case DayKind::kOrdinary:
      return "ordinary";
    case DayKind::kHoliday:
      return "holiday";
    case DayKind::kMakeupWorkday:
      return "workday";
  }
  return "ordinary";
}

Result<DayKind> ParseDayKind(std::string_view name) {
  if (name == "ordinary") return DayKind::kOrdinary;
  if (name == "holiday") return DayKind::kHoliday;
  if (name == "workday") return DayKind::kMakeupWorkday;
  return ValidationError("calendar.kind", "日期类别应为 holiday、workday 或 ordinary", "kind");
}

Result<WorkCalendar> WorkCalendar::Parse(std::string_view tsv) {
  WorkCalendar calendar;
  int line_no = 0;
  while (!tsv.empty()) {
    const size_t end = tsv.find('\n');
    std::string_view line = tsv.substr(0, end);
    tsv.remove_prefix(end == std::string_view::npos ? tsv.size() : end + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> fields;
    for (size_t tab = line.find('\t'); tab != std::string_view::npos; tab = line.find('\t')) {
      fields.push_back(Trim(line.substr(0, tab)));
      line.remove_prefix(tab + 1);
    }
    fields.push_back(Trim(line));
    auto bad = [&](std::string_view what) {
      return ValidationError("calendar.line", fmt::format("节假日表第 {} 行{}", line_no, what),
                             "line");
    };
    if (fields.size() < 2 || fields.size() > 3) return bad("应为“日期<TAB>类别<TAB>名称”");
    const std::optional<Date> date = Date::Parse(fields[0]);
    if (!date) return bad("日期无效");
    Result<DayKind> kind = ParseDayKind(fields[1]);
    if (!kind.ok() || *kind == DayKind::kOrdinary) return bad("类别应为 holiday 或 workday");
    calendar.Set(*date, *kind, std::string(fields.size() == 3 ? fields[2] : ""));
  }
  return calendar;
}

const WorkCalendar& WorkCalendar::Shipped() {
  static const WorkCalendar* const shipped = [] {
    auto* calendar = new WorkCalendar();
    for (std::string_view name : base::data::EmbeddedNames()) {
      Result<WorkCalendar> year = Parse(base::data::Embedded(name));
      if (!year.ok()) {
        throw std::logic_error(fmt::format("shipped holidays {}: {}", name, year.error().message));
      }
      for (const auto& [days, entry] : year->days()) {
        calendar->Set(Date::FromDays(days), entry.first, entry.second);
      }
    }
    return calendar;
  }();
  return *shipped;
}

void WorkCalendar::Set(const Date& date, DayKind kind, std::string name) {
  if (kind == DayKind::kOrdinary) {
    days_.erase(date.ToDays());
    return;
  }
  days_[date.ToDays()] = {kind, std::move(name)};
}

DayKind WorkCalendar::KindOf(const Date& date) const {
  auto it = days_.find(date.ToDays());
  return it == days_.end() ? DayKind::kOrdinary : it->second.first;
}

std::string WorkCalendar::NameOf(const Date& date) const {
  auto it = days_.find(date.ToDays());
  return it == days_.end() ? std::string() : it->second.second;
}

bool WorkCalendar::IsWorkday(const Date& date) const { return IsWorkdayNumber(date.ToDays()); }

bool WorkCalendar::IsWorkdayNumber(int64_t days) const {
  auto it = days_.find(days);
  if (it != days_.end()) return it->second.first == DayKind::kMakeupWorkday;
  return !IsWeekend(days);
}

Date WorkCalendar::AddWorkdays(const Date& start, int n) const {
  int64_t days = start.ToDays();
  while (n > 0) {
    ++days;
    if (IsWorkdayNumber(days)) --n;
  }
  return Date::FromDays(days);
}

int WorkCalendar::WorkdaysBetween(const Date& from, const Date& to) const {
  int count = 0;
  for (int64_t days = from.ToDays() + 1; days <= to.ToDays(); ++days) {
    if (IsWorkdayNumber(days)) ++count;
  }
  return count;
}

}  // namespace hukou
