#include "codes/id_number.h"

#include <cstdio>
#include <string>

#include "codes/divisions.h"

namespace hukou::codes {
namespace {

constexpr char kField[] = "id_number";
constexpr int kEarliestBirthYear = 1850;

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Error IdError(const char* code, std::string message) {
  return ValidationError(code, std::move(message), kField);
}

Status CheckDivision(std::string_view code6) {
  if (!Divisions::Get().IsKnown(code6)) {
    return IdError("id_number.division",
                   "公民身份号码的行政区划代码" + std::string(code6) + "不存在");
  }
  return Status::Ok();
}

// Parses 8 digits YYYYMMDD into a real date not before 1850.
Result<Date> ParseBirthDate(std::string_view yyyymmdd) {
  std::optional<Date> date = Date::Parse(yyyymmdd);
  if (!date || !date->IsValid()) {
    return IdError("id_number.birth_date",
                   "公民身份号码中的出生日期" + std::string(yyyymmdd) + "不是有效日期");
  }
  if (date->year < kEarliestBirthYear) {
    return IdError("id_number.birth_date", "公民身份号码中的出生日期早于1850年");
  }
  return *date;
}

}  // namespace

char IdCheckCharacter(std::string_view first17) {
  // ISO 7064 MOD 11-2: weight of position i (from the left, 0-based) is 2^(17-i) mod 11.
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

Result<IdNumberInfo> ValidateIdNumber(std::string_view number, const Date& today) {
  if (number.size() != 18) {
    return IdError("id_number.length",
                   "公民身份号码应为18位，实际为" + std::to_string(number.size()) + "位");
  }
  std::string normalised(number);
  if (normalised[17] == 'x') normalised[17] = 'X';
  std::string_view body = std::string_view(normalised).substr(0, 17);
  char last = normalised[17];
  if (!AllDigits(body) || !((last >= '0' && last <= '9') || last == 'X')) {
    return IdError("id_number.format", "公民身份号码格式错误：前17位应为数字，末位应为数字或X");
  }
  HUKOU_RETURN_IF_ERROR(CheckDivision(body.substr(0, 6)));
  HUKOU_ASSIGN_OR_RETURN(Date birth, ParseBirthDate(body.substr(6, 8)));
  if (birth > today) {
    return IdError("id_number.future_birth_date",
                   "公民身份号码中的出生日期" + birth.ToString() + "晚于当前日期");
  }
  if (IdCheckCharacter(body) != last) {
    return IdError("id_number.check_digit", "公民身份号码校验位错误");
  }
  IdNumberInfo info;
  info.number = normalised;
  info.division_code = std::string(body.substr(0, 6));
  info.birth_date = birth;
  info.sequence = std::stoi(std::string(body.substr(14, 3)));
  info.sex = info.sequence % 2 == 1 ? "1" : "2";
  return info;
}

Result<std::string> UpgradeIdNumber15(std::string_view number15) {
  if (number15.size() != 15) {
    return IdError("id_number.length",
                   "15位公民身份号码应为15位，实际为" + std::to_string(number15.size()) + "位");
  }
  if (!AllDigits(number15)) {
    return IdError("id_number.format", "15位公民身份号码应全部为数字");
  }
  HUKOU_RETURN_IF_ERROR(CheckDivision(number15.substr(0, 6)));
  std::string first17 = std::string(number15.substr(0, 6)) + "19" +
                        std::string(number15.substr(6, 6)) + std::string(number15.substr(12, 3));
  HUKOU_RETURN_IF_ERROR(ParseBirthDate(std::string_view(first17).substr(6, 8)).status());
  first17.push_back(IdCheckCharacter(first17));
  return first17;
}

std::string ComposeIdNumber(std::string_view division_code, const Date& birth_date, int sequence) {
  char seq[4];
  std::snprintf(seq, sizeof seq, "%03d", sequence);
  std::string number = std::string(division_code) + birth_date.Compact() + seq;
  number.push_back(IdCheckCharacter(number));
  return number;
}

std::string MaskIdNumber(std::string_view number) {
  if (number.size() <= 10) return std::string(number.size(), '*');
  return std::string(number.substr(0, 6)) + std::string(number.size() - 10, '*') +
         std::string(number.substr(number.size() - 4));
}

int RunIdCheck(std::string_view number, const Date& today, std::ostream& out) {
  std::string candidate(number);
  std::string upgraded_note;
  if (candidate.size() == 15) {
    Result<std::string> upgraded = UpgradeIdNumber15(candidate);
    if (!upgraded.ok()) {
      out << "无效：" << upgraded.error().message << "\n";
      return 1;
    }
    candidate = *upgraded;
    upgraded_note = "（18位：" + candidate + "）";
  }
  Result<IdNumberInfo> info = ValidateIdNumber(candidate, today);
  if (!info.ok()) {
    out << "无效：" << info.error().message << "\n";
    return 1;
  }
  std::optional<Division> division = Divisions::Get().Find(info->division_code);
  std::string place = division ? division->FullName() : info->division_code;
  if (division && !division->current) place += "（已撤销区划）";
  out << "有效：" << place << " " << info->birth_date.ToString() << " "
      << (info->sex == "1" ? "男" : "女") << upgraded_note << "\n";
  return 0;
}

}  // namespace hukou::codes
