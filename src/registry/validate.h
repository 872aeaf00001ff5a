// Input checks shared by the registry writes. Each returns kValidation with a Chinese message and
// the given field, or OK.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/status.h"

namespace hukou::registry::validate {

// A code from a code table (codes::CodeTables); empty is allowed unless required.
Status Code(const std::string& table, const std::string& value, const std::string& field,
            bool required);
// A person's name: 1–50 characters, no digits or control characters, well-formed UTF-8.
Status Name(const std::string& value, const std::string& field, bool required);
// A date "YYYY-MM-DD" not after today.
Status PastDate(const std::string& value, const std::string& field, const Date& today,
                bool required);
// A citizen ID number (GB 11643).
Status IdNumber(const std::string& value, const std::string& field, const Date& today,
                bool required);
// A phone number: 5–20 of digits, '+', '-', ' '.
Status Phone(const std::string& value);
// Free text up to max_chars characters, well-formed UTF-8 without control characters.
Status FreeText(const std::string& value, const std::string& field, size_t max_chars);
// Well-formed UTF-8; sets *chars to the number of code points.
bool Utf8(const std::string& value, size_t* chars);

}  // namespace hukou::registry::validate
