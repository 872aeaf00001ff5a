// A small, strict multipart/form-data parser (RFC 7578) for uploads: the whole body is in memory
// (the server has already bounded its size). Strict: CRLF line endings, a boundary from the
// Content-Type, every part with Content-Disposition: form-data and a name, the closing boundary
// present; part headers limited in number and size. No nested multipart, no transfer encodings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace hukou::http {

struct FormPart {
  std::string name;          // the form field name
  std::string filename;      // empty for plain fields
  std::string content_type;  // as declared (never trusted for files), may be empty
  std::string data;
};

// The boundary parameter of a "multipart/form-data; boundary=…" Content-Type, or "" when the
// type is not multipart/form-data or has no valid boundary (1–70 characters, RFC 2046).
std::string MultipartBoundary(std::string_view content_type);

// Parses the body. Errors: kValidation request.multipart (请求体不是合法的 multipart/form-data)
// naming what is wrong in the message.
Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body);

// The first part with `name`, or nullptr.
const FormPart* FindPart(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace hukou::http
