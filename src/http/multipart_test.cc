// The multipart/form-data parser: well-formed bodies, and every kind of malformed one refused.
#include "http/multipart.h"

#include <gtest/gtest.h>

namespace hukou::http {
namespace {

constexpr char kType[] = "multipart/form-data; boundary=XyZ";

std::string Body(std::string_view file_bytes) {
  return "--XyZ\r\n"
         "Content-Disposition: form-data; name=\"material_code\"\r\n\r\n"
         "birth_certificate\r\n"
         "--XyZ\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"出生证明.pdf\"\r\n"
         "Content-Type: application/pdf\r\n\r\n" +
         std::string(file_bytes) + "\r\n--XyZ--\r\n";
}

TEST(MultipartTest, BoundaryFromContentType) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""), "a b");
  EXPECT_EQ(MultipartBoundary("multipart/mixed; boundary=abc"), "");
  EXPECT_EQ(MultipartBoundary("multipart/form-data"), "");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')), "");
  EXPECT_EQ(MultipartBoundary("application/json"), "");
}

TEST(MultipartTest, ParsesFieldsAndFilesWithBinaryContent) {
  const std::string bytes("%PDF\r\n--Xy\0\xff\r\n", 14);  // CRLF, a near-boundary and NUL inside
  auto parts = ParseMultipart(kType, Body(bytes));
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "material_code");
  EXPECT_EQ((*parts)[0].data, "birth_certificate");
  EXPECT_TRUE((*parts)[0].filename.empty());
  const FormPart* file = FindPart(*parts, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename, "出生证明.pdf");
  EXPECT_EQ(file->content_type, "application/pdf");
  EXPECT_EQ(file->data, bytes);
  EXPECT_EQ(FindPart(*parts, "nothing"), nullptr);
  // Without the final CRLF after the closing boundary, too.
  std::string body = Body("x");
  body.resize(body.size() - 2);
  EXPECT_TRUE(ParseMultipart(kType, body).ok());
}

TEST(MultipartTest, RefusesMalformedBodies) {
  auto bad = [](std::string_view type, std::string_view body) {
    auto r = ParseMultipart(type, body);
    return !r.ok() && r.error().code == "request.multipart";
  };
  const std::string good = Body("x");
  EXPECT_TRUE(bad("application/octet-stream", good));
  EXPECT_TRUE(bad(kType, "preamble\r\n" + good));
  EXPECT_TRUE(bad(kType, good.substr(0, good.size() - 9)));  // no closing boundary
  EXPECT_TRUE(bad(kType, good + "trailing"));
  EXPECT_TRUE(bad(kType, "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--"));  // no name
  EXPECT_TRUE(
      bad(kType, "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--"));
  EXPECT_TRUE(bad(kType, "--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx\n--XyZ--"));  // LF
  EXPECT_TRUE(bad(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--"));
  EXPECT_TRUE(bad(kType, "--XyZ\r\nbroken header line\r\n\r\nx\r\n--XyZ--"));
  EXPECT_TRUE(bad(kType,
                  "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\neA==\r\n--XyZ--"));
  std::string many;
  for (int i = 0; i < 40; ++i)
    many += "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n";
  EXPECT_TRUE(bad(kType, many + "--XyZ--"));
  EXPECT_TRUE(bad(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n" +
                             std::string(5000, 'h') + "\r\n\r\nx\r\n--XyZ--"));
}

}  // namespace
}  // namespace hukou::http
