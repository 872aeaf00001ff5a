#include "http/multipart.h"

#include <cctype>

#include "http/http.h"

namespace hukou::http {
namespace {

constexpr size_t kMaxParts = 32;
constexpr size_t kMaxHeaderBytes = 4096;

Error Bad(const std::string& what) {
  return ValidationError("request.multipart", "请求体不是合法的 multipart/form-data：" + what,
                         "body");
}

// Parameters of a header value "type; a=b; c=\"d\"" (names lower-cased); false when malformed.
bool ParseParams(std::string_view value, std::string& type,
                 std::vector<std::pair<std::string, std::string>>& params) {
  size_t semi = value.find(';');
  type = Lower(Trim(value.substr(0, semi)));
  while (semi != std::string_view::npos) {
    value.remove_prefix(semi + 1);
    value = Trim(value);
    if (value.empty()) return true;
    size_t eq = value.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    std::string name = Lower(Trim(value.substr(0, eq)));
    value.remove_prefix(eq + 1);
    std::string v;
    if (!value.empty() && value.front() == '"') {
      size_t i = 1;
      for (; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        v += value[i];
      }
      if (i >= value.size()) return false;
      value.remove_prefix(i + 1);
      semi = value.find(';');
      if (!Trim(value.substr(0, semi)).empty()) return false;
    } else {
      semi = value.find(';');
      v = std::string(Trim(value.substr(0, semi)));
    }
    params.emplace_back(std::move(name), std::move(v));
  }
  return true;
}

std::string Param(const std::vector<std::pair<std::string, std::string>>& params,
                  std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return "";
}

}  // namespace

std::string MultipartBoundary(std::string_view content_type) {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;
  if (!ParseParams(content_type, type, params) || type != "multipart/form-data") return "";
  std::string boundary = Param(params, "boundary");
  if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return "";
  for (char c : boundary) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos)) {
      return "";
    }
  }
  return boundary;
}

Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body) {
  const std::string boundary = MultipartBoundary(content_type);
  if (boundary.empty()) return Bad("缺少或无效的 boundary");
  const std::string dash = "--" + boundary;
  const std::string delimiter = "\r\n" + dash;
  // The body starts with the first boundary line (a preamble is not accepted).
  if (body.substr(0, dash.size()) != dash) return Bad("未以 boundary 开头");
  size_t pos = dash.size();
  std::vector<FormPart> parts;
  while (true) {
    if (body.substr(pos, 2) == "--") {
      std::string_view rest = body.substr(pos + 2);
      if (!rest.empty() && rest != "\r\n") return Bad("结束 boundary 之后还有内容");
      break;
    }
    if (body.substr(pos, 2) != "\r\n") return Bad("boundary 行未以 CRLF 结束");
    pos += 2;
    if (parts.size() == kMaxParts) return Bad("部分过多");
    const size_t header_end = body.find("\r\n\r\n", pos);
    if (header_end == std::string_view::npos || header_end - pos > kMaxHeaderBytes) {
      return Bad("部分的头部不完整或过长");
    }
    FormPart part;
    bool has_disposition = false;
    std::string_view headers = body.substr(pos, header_end - pos);
    while (!headers.empty()) {
      size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return Bad("部分的头部格式错误");
      const std::string name = Lower(Trim(line.substr(0, colon)));
      const std::string_view value = Trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        std::string type;
        std::vector<std::pair<std::string, std::string>> params;
        if (!ParseParams(value, type, params) || type != "form-data") {
          return Bad("Content-Disposition 须为 form-data");
        }
        part.name = Param(params, "name");
        part.filename = Param(params, "filename");
        has_disposition = true;
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      } else if (name == "content-transfer-encoding") {
        return Bad("不支持 Content-Transfer-Encoding");
      }
    }
    if (!has_disposition || part.name.empty()) return Bad("部分缺少 Content-Disposition 的 name");
    pos = header_end + 4;
    const size_t next = body.find(delimiter, pos);
    if (next == std::string_view::npos) return Bad("缺少结束 boundary");
    part.data = std::string(body.substr(pos, next - pos));
    parts.push_back(std::move(part));
    pos = next + delimiter.size();
  }
  return parts;
}

const FormPart* FindPart(const std::vector<FormPart>& parts, std::string_view name) {
  for (const FormPart& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace hukou::http
