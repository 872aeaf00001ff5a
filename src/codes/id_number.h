// Citizen identity number (公民身份号码), GB 11643-1999.
//
// 18 characters: 6-digit division code (GB/T 2260, historical codes accepted), 8-digit birth date,
// 3-digit sequence (odd male, even female), check character (ISO 7064 MOD 11-2, '0'-'9' or 'X').
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace hukou::codes {

struct IdNumberInfo {
  std::string number;         // normalised: 18 characters, upper-case X
  std::string division_code;  // first 6 digits
  Date birth_date;
  int sequence = 0;  // 0..999
  std::string sex;   // GB/T 2261.1: "1" male, "2" female
};

// The check character for the first 17 digits. Precondition: 17 ASCII digits.
char IdCheckCharacter(std::string_view first17);

// Validates an 18-character number against `today` (birth date may not be in the future).
// Errors (kValidation, field "id_number"): id_number.length, id_number.format,
// id_number.division, id_number.birth_date, id_number.future_birth_date, id_number.check_digit.
// A lower-case 'x' is accepted and normalised.
Result<IdNumberInfo> ValidateIdNumber(std::string_view number, const Date& today);

// Upgrades a 15-digit number (YYMMDD birth date, assumed 19YY) to 18 digits.
// Errors: id_number.length, id_number.format, id_number.birth_date, id_number.division.
Result<std::string> UpgradeIdNumber15(std::string_view number15);

// Builds the 18-character number from its parts. Preconditions: 6-digit division, valid date,
// 0 <= sequence <= 999.
std::string ComposeIdNumber(std::string_view division_code, const Date& birth_date, int sequence);

// Masks a number for lists: first 6 and last 4 characters kept, "420702********123X".
// Numbers of 10 characters or fewer are masked entirely.
std::string MaskIdNumber(std::string_view number);

// Runs "hukou id check": prints a line and returns the exit code (0 valid, 1 invalid).
// Valid: "有效：湖北省鄂州市鄂城区 1990-05-01 男"; invalid: "无效：" and the Chinese reason.
// A 15-digit number is upgraded first and the 18-digit form is printed too.
int RunIdCheck(std::string_view number, const Date& today, std::ostream& out);

}  // namespace hukou::codes
