#include "registry/validate.h"

#include "codes/code_tables.h"
#include "codes/id_number.h"

namespace hukou::registry::validate {

bool Utf8(const std::string& s, size_t* chars) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
    ++n;
  }
  if (chars) *chars = n;
  return true;
}

Status Code(const std::string& table, const std::string& value, const std::string& field,
            bool required) {
  const codes::CodeTables& tables = codes::CodeTables::Get();
  const codes::CodeTable* t = tables.Find(table);
  std::string title = t ? t->title : table;
  if (auto pos = title.find(" ("); pos != std::string::npos) title.resize(pos);
  if (value.empty()) {
    if (!required) return Status::Ok();
    return ValidationError("person." + field, title + "不能为空", field);
  }
  if (!tables.Contains(table, value)) {
    return ValidationError("person." + field, title + "代码无效：" + value, field);
  }
  return Status::Ok();
}

Status Name(const std::string& value, const std::string& field, bool required) {
  if (value.empty()) {
    if (!required) return Status::Ok();
    return ValidationError("person." + field, "姓名不能为空", field);
  }
  size_t chars = 0;
  if (!Utf8(value, &chars)) {
    return ValidationError("person." + field, "姓名含有无效字符", field);
  }
  if (chars > 50) return ValidationError("person." + field, "姓名过长（最多50个字）", field);
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F || (c >= '0' && c <= '9')) {
      return ValidationError("person." + field, "姓名不能含有数字或控制字符", field);
    }
  }
  return Status::Ok();
}

Status PastDate(const std::string& value, const std::string& field, const Date& today,
                bool required) {
  if (value.empty()) {
    if (!required) return Status::Ok();
    return ValidationError("person." + field, "日期不能为空", field);
  }
  std::optional<Date> d = Date::Parse(value);
  if (!d || value.size() != 10) {
    return ValidationError("person." + field, "日期格式应为 YYYY-MM-DD", field);
  }
  if (*d > today) return ValidationError("person." + field, "日期不能晚于今天", field);
  return Status::Ok();
}

Status IdNumber(const std::string& value, const std::string& field, const Date& today,
                bool required) {
  if (value.empty()) {
    if (!required) return Status::Ok();
    return ValidationError("id_number.length", "公民身份号码不能为空", field);
  }
  auto r = codes::ValidateIdNumber(value, today);
  if (!r.ok()) {
    Error e = r.error();
    e.field = field;
    return e;
  }
  return Status::Ok();
}

Status Phone(const std::string& value) {
  if (value.empty()) return Status::Ok();
  if (value.size() < 5 || value.size() > 20) {
    return ValidationError("person.phone", "联系电话应为5到20位", "phone");
  }
  for (char c : value) {
    if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' ')) {
      return ValidationError("person.phone", "联系电话只能含有数字、+、-", "phone");
    }
  }
  return Status::Ok();
}

Status FreeText(const std::string& value, const std::string& field, size_t max_chars) {
  size_t chars = 0;
  if (!Utf8(value, &chars)) return ValidationError("person." + field, "含有无效字符", field);
  if (chars > max_chars) {
    return ValidationError("person." + field, "内容过长（最多" + std::to_string(max_chars) + "字）",
                           field);
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F) return ValidationError("person." + field, "含有控制字符", field);
  }
  return Status::Ok();
}

}  // namespace hukou::registry::validate
