// Time as the system sees it: UTC instants as ISO-8601 text, local calendar dates as YYYY-MM-DD.
// Stored text sorts in time order in both SQLite and PostgreSQL.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hukou {

// A calendar date (proleptic Gregorian).
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;

  // Parses "YYYY-MM-DD" or "YYYYMMDD"; nullopt if malformed or not a real day.
  static std::optional<Date> Parse(std::string_view text);
  // Days since 1970-01-01 (may be negative) and back.
  int64_t ToDays() const;
  static Date FromDays(int64_t days);
  bool IsValid() const;
  std::string ToString() const;  // "YYYY-MM-DD"
  std::string Compact() const;   // "YYYYMMDD"
  // Whole years of age on `on`.
  int AgeOn(const Date& on) const;
  auto operator<=>(const Date&) const = default;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// Source of "now"; tests substitute a fixed clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Today's date in China Standard Time (UTC+8, no daylight saving).
  Date Today() const;
  // Now as "YYYY-MM-DDTHH:MM:SS.ffffffZ".
  std::string NowIso() const;

  static const Clock& System();
};

class FixedClock : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t) : t_(t) {}
  std::chrono::system_clock::time_point Now() const override { return t_; }
  void Set(std::chrono::system_clock::time_point t) { t_ = t; }

 private:
  std::chrono::system_clock::time_point t_;
};

// Formats an instant as "YYYY-MM-DDTHH:MM:SS.ffffffZ".
std::string FormatIso(std::chrono::system_clock::time_point t);

}  // namespace hukou
