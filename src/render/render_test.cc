// Document rendering checked the way a person would: each PDF is rendered to PNG with pdftoppm,
// its text read back with pdftotext and its QR codes read with zbarimg (poppler-utils, zbar-tools;
// a test skips, naming the tool, only when one is not installed).
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "render/cairo_util.h"
#include "render/sample.h"
#include "render/seal.h"
#include "render/templates.h"

namespace hukou::render {
namespace {

namespace fs = std::filesystem;

bool HaveTool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

#define REQUIRE_TOOLS()                                                                       \
  do {                                                                                        \
    for (const char* tool : {"pdftoppm", "pdftotext", "zbarimg"}) {                           \
      if (!HaveTool(tool)) GTEST_SKIP() << tool << " is not installed (see scripts/deps.sh)"; \
    }                                                                                         \
  } while (0)

// Standard output of a shell command.
std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  pclose(pipe);
  return out;
}

// Text without whitespace: pdftotext breaks wrapped cells and drops narrow spaces.
std::string Squash(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\f') out += c;
  }
  return out;
}

struct RedCount {
  long red = 0;
  long total = 0;
};

// Seal-red pixels (strong red, little green and blue) in a rectangle of a PNG file, in pixels.
RedCount CountRed(const std::string& png_path, double x, double y, double w, double h) {
  SurfacePtr image(cairo_image_surface_create_from_png(png_path.c_str()));
  RedCount count;
  if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS) return count;
  const int width = cairo_image_surface_get_width(image.get());
  const int height = cairo_image_surface_get_height(image.get());
  const int stride = cairo_image_surface_get_stride(image.get());
  const unsigned char* data = cairo_image_surface_get_data(image.get());
  for (int py = std::max(0, static_cast<int>(y)); py < std::min(height, static_cast<int>(y + h));
       ++py) {
    for (int px = std::max(0, static_cast<int>(x)); px < std::min(width, static_cast<int>(x + w));
         ++px) {
      uint32_t pixel = 0;
      std::memcpy(&pixel,
                  data + static_cast<ptrdiff_t>(py) * stride + static_cast<ptrdiff_t>(px) * 4, 4);
      const int r = static_cast<int>((pixel >> 16) & 0xFF);
      const int g = static_cast<int>((pixel >> 8) & 0xFF);
      const int b = static_cast<int>(pixel & 0xFF);
      const int a = static_cast<int>(pixel >> 24);
      ++count.total;
      if (a > 128 && r > 150 && g < 110 && b < 110) ++count.red;
    }
  }
  return count;
}

// A booklet of one document.
BookletData OneItem(const std::string& content) {
  BookletData data;
  data.archive_code = "4207.HJ.2026-CS-0001";
  data.items.push_back(BookletItem{"材料", "", "", "", content, ""});
  return data;
}

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("hukou_render_" + std::to_string(rd()));
    fs::create_directories(dir_);
    auto seal = DrawSealPng(kSampleUnit, "户籍专用章");
    ASSERT_TRUE(seal.ok());
    seal_ = *seal;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  // Text of one page (1-based), or of all pages when page is 0.
  static std::string Text(const std::string& pdf, int page = 0) {
    const std::string range =
        page > 0 ? " -f " + std::to_string(page) + " -l " + std::to_string(page) : "";
    return Shell("pdftotext -enc UTF-8" + range + " '" + pdf + "' -");
  }
  // Renders one page (1-based) to PNG (100 dpi unless told) and returns its path.
  std::string Raster(const std::string& pdf, int page, int dpi = 100) {
    const std::string prefix = (dir_ / ("page" + std::to_string(page))).string();
    Shell("pdftoppm -png -r " + std::to_string(dpi) + " -singlefile -f " + std::to_string(page) +
          " -l " + std::to_string(page) + " '" + pdf + "' '" + prefix + "'");
    return prefix + ".png";
  }
  static int Pages(const std::string& pdf) {
    const std::string info = Shell("pdfinfo '" + pdf + "'");
    const size_t at = info.find("Pages:");
    return at == std::string::npos ? -1 : std::stoi(info.substr(at + 6));
  }
  // Every QR code zbarimg finds in a PNG, one a line.
  static std::string Qr(const std::string& png) { return Shell("zbarimg --raw -q '" + png + "'"); }

  // The seal mark of a rendered PDF has seal-red pixels where it says.
  void ExpectSealAt(const RenderedPdf& pdf, const std::string& path) {
    const Mark* seal = nullptr;
    for (const Mark& m : pdf.marks) {
      if (m.kind == "seal") seal = &m;
    }
    ASSERT_NE(seal, nullptr);
    const std::string png = Raster(path, seal->page + 1);
    constexpr double kPx = 100.0 / 72.0;
    RedCount inside =
        CountRed(png, seal->x * kPx, seal->y * kPx, seal->width * kPx, seal->height * kPx);
    EXPECT_GT(inside.red, inside.total / 20) << "seal red " << inside.red << " of " << inside.total;
    RedCount top = CountRed(png, 0, 0, kA4Width * kPx, 200);
    EXPECT_EQ(top.red, 0);
  }

  // Writes a rendered document, checks its page count, its text, its seal and (when qr is given)
  // that the last page's only QR code reads qr exactly; returns its path.
  std::string CheckDocument(const Result<RenderedPdf>& pdf, const std::string& name,
                            const std::vector<std::string>& expected, const std::string& qr = "") {
    EXPECT_TRUE(pdf.ok()) << (pdf.ok() ? "" : pdf.error().code);
    if (!pdf.ok()) return "";
    std::string path = Write(name, pdf->bytes);
    EXPECT_EQ(Pages(path), pdf->page_count);
    const std::string text = Squash(Text(path));
    for (const std::string& s : expected) {
      EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
    }
    ExpectSealAt(*pdf, path);
    if (!qr.empty()) {
      EXPECT_EQ(Qr(Raster(path, pdf->page_count)), qr + "\n");
    }
    return path;
  }

  fs::path dir_;
  std::string seal_;
};

TEST_F(RenderTest, SealIsRoundRedAndTransparentOutside) {
  const std::string path = Write("seal.png", seal_);
  RedCount all = CountRed(path, 0, 0, 360, 360);
  EXPECT_EQ(all.total, 360 * 360);
  EXPECT_GT(all.red, all.total / 12);                            // ring, star and text
  EXPECT_EQ(CountRed(path, 0, 0, 40, 40).red, 0);                // corners outside the ring
  EXPECT_GT(CountRed(path, 150, 150, 60, 60).red, 60 * 60 / 4);  // the star
  EXPECT_GT(CountRed(path, 0, 170, 15, 15).red, 0);              // the ring at the left

  auto empty = DrawSealPng("", "户籍专用章");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "render.seal_name");
}

TEST_F(RenderTest, ReceiptPrintsChineseRareNamesSealAndQr) {
  REQUIRE_TOOLS();
  const ReceiptData data = SampleReceipt(seal_);
  const std::string path = CheckDocument(
      RenderReceipt(data), "receipt.pdf",
      {"户口业务收件单", data.case_number, std::string("张") + kSampleRareName, "母亲户口簿",
       "一次告知", data.marks.document_number, "第1页共1页", data.progress_url});
  const std::string codes = Qr(Raster(path, 1));
  EXPECT_NE(codes.find(data.progress_url + "\n"), std::string::npos) << codes;
  EXPECT_NE(codes.find(data.marks.verify_url + "\n"), std::string::npos) << codes;
}

TEST_F(RenderTest, SameContentGivesIdenticalBytes) {
  ReceiptData data = SampleReceipt(seal_);
  auto first = RenderReceipt(data);
  auto second = RenderReceipt(data);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->bytes, second->bytes);
  EXPECT_NE(first->bytes.find("20261122014100Z"), std::string::npos);
  data.officer = "王芳";
  auto changed = RenderReceipt(data);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->bytes, first->bytes);
}

TEST_F(RenderTest, ApprovalFormListsEveryStepWithSignerAndSeal) {
  REQUIRE_TOOLS();
  const ApprovalFormData data = SampleApprovalForm(seal_);
  CheckDocument(RenderApprovalForm(data), "approval.pdf",
                {"户口业务审批表", "分局审批", "陈刚", "准予变更", "张𠮷",
                 std::string("张") + kSampleRareName, "第十八条"},
                data.marks.verify_url);
}

TEST_F(RenderTest, NoticeSaysApprovedWithSealAndQr) {
  REQUIRE_TOOLS();
  const NoticeData data = SampleNotice(seal_);
  CheckDocument(RenderNotice(data), "notice.pdf",
                {"准予办理通知书", "决定准予办理", std::string("张") + kSampleRareName},
                data.marks.verify_url);
}

TEST_F(RenderTest, CertificateIsNumberedSealedAndVerifiable) {
  REQUIRE_TOOLS();
  const CertificateData data = SampleCertificate(seal_);
  CheckDocument(RenderCertificate(data), "certificate.pdf",
                {"户籍证明", "鄂州市教育局", "特此证明", data.marks.document_number, "三个月内有效",
                 std::string("兹证明张") + kSampleRareName},
                data.marks.verify_url);
}

TEST_F(RenderTest, LongTablesBreakAcrossPagesWithHeaderRepeated) {
  REQUIRE_TOOLS();
  ReceiptData data = SampleReceipt(seal_);
  data.materials_received.clear();
  for (int i = 1; i <= 90; ++i)
    data.materials_received.push_back("证明材料第" + std::to_string(i) + "份");
  auto pdf = RenderReceipt(data);
  ASSERT_TRUE(pdf.ok());
  ASSERT_GE(pdf->page_count, 3);
  const std::string path = Write("long.pdf", pdf->bytes);
  EXPECT_EQ(Pages(path), pdf->page_count);
  const std::string total = "共" + std::to_string(pdf->page_count) + "页";
  for (int page = 1; page <= pdf->page_count; ++page) {
    const std::string text = Squash(Text(path, page));
    EXPECT_NE(text.find("第" + std::to_string(page) + "页" + total), std::string::npos) << text;
  }
  const std::string second = Text(path, 2);
  EXPECT_NE(second.find("材料名称"), std::string::npos) << second;
  EXPECT_NE(Text(path).find("证明材料第90份"), std::string::npos);
  ExpectSealAt(*pdf, path);
}

TEST_F(RenderTest, BookletHasCatalogueThenEveryDocument) {
  REQUIRE_TOOLS();
  auto receipt = RenderReceipt(SampleReceipt(seal_));
  auto approval = RenderApprovalForm(SampleApprovalForm(seal_));
  ASSERT_TRUE(receipt.ok() && approval.ok());
  auto scan = DrawSealPng("扫描件", "");
  ASSERT_TRUE(scan.ok());
  BookletData data{
      "4207.HJ.2026-BG-0018",
      "HK4207022026112200018",
      "2026年 变更更正 卷",
      kSampleUnit,
      {BookletItem{"户口业务收件单", "收-0017", "古楼派出所", "2026-11-22", receipt->bytes, ""},
       BookletItem{"户口业务审批表", "审-0018", "鄂城区分局", "2026-11-24", approval->bytes, ""},
       BookletItem{"出生医学证明扫描件", "", "市妇幼保健院", "2026-10-03", *scan, "复印件"}},
      "https://hukou.example.gov.cn/v/A4207-0018",
      "",
      {},
      ""};
  auto book = RenderBooklet(data);
  ASSERT_TRUE(book.ok()) << book.error().code;
  const int expected = 1 + receipt->page_count + approval->page_count + 1;
  EXPECT_EQ(book->page_count, expected);
  const std::string path = Write("booklet.pdf", book->bytes);
  EXPECT_EQ(Pages(path), expected);

  const std::string catalogue = Text(path, 1);
  for (const char* s : {"卷内目录", "4207.HJ.2026-BG-0018", "户口业务收件单", "户口业务审批表",
                        "出生医学证明扫描件", "复印件"}) {
    EXPECT_NE(catalogue.find(s), std::string::npos) << s << "\n" << catalogue;
  }
  // The scan is the last page: its page number stands in the catalogue and in its corner.
  const std::string last = std::to_string(expected - 1);
  EXPECT_NE(catalogue.find("\n" + last + "\n"), std::string::npos) << catalogue;
  EXPECT_NE(Text(path, expected).find("页号：" + last), std::string::npos);
  // Included PDFs stay vector pages: their text is still text.
  EXPECT_NE(Text(path, 2).find("户口业务收件单"), std::string::npos);
  // The scan's red seal shows on the last page.
  const std::string png = Raster(path, expected);
  EXPECT_GT(CountRed(png, 0, 0, 827, 1170).red, 1000);
  EXPECT_EQ(Qr(Raster(path, 1)), data.verify_url + "\n");
}

TEST_F(RenderTest, BookletEmbedsJpegScans) {
  REQUIRE_TOOLS();
  auto receipt = RenderReceipt(SampleReceipt(seal_));
  ASSERT_TRUE(receipt.ok());
  const std::string pdf = Write("r.pdf", receipt->bytes);
  Shell("pdftoppm -jpeg -r 150 -singlefile '" + pdf + "' '" + (dir_ / "scan").string() + "'");
  std::ifstream in(dir_ / "scan.jpg", std::ios::binary);
  const std::string jpeg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(jpeg.size(), 1000u);
  auto book = RenderBooklet(OneItem(jpeg));
  ASSERT_TRUE(book.ok()) << book.error().code;
  EXPECT_EQ(book->page_count, 2);
  const std::string path = Write("jpeg.pdf", book->bytes);
  EXPECT_NE(Shell("pdfimages -list '" + path + "'").find("jpeg"), std::string::npos);
  // The receipt's QR code survives the scan.
  EXPECT_NE(Qr(Raster(path, 2, 200)).find(SampleReceipt(seal_).progress_url), std::string::npos);
}

TEST_F(RenderTest, BadInputsAreNamedErrors) {
  auto image = RenderBooklet(OneItem("not an image"));
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, "render.image");
  EXPECT_EQ(image.error().field, "items[0]");

  const std::string huge_jpeg("\xFF\xD8\xFF\xC0\x00\x11\x08\xFF\xF0\xFF\xF0\x03\x01\x22\x00", 15);
  auto huge = RenderBooklet(OneItem(huge_jpeg));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, "render.image");

  auto pdf = RenderBooklet(OneItem("%PDF-1.5 broken"));
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, "render.pdf");

  ReceiptData receipt = SampleReceipt(seal_);
  receipt.progress_url = std::string(5000, 'x');
  auto qr = RenderReceipt(receipt);
  ASSERT_FALSE(qr.ok());
  EXPECT_EQ(qr.error().code, "render.qr");

  NoticeData notice = SampleNotice("not a png");
  auto seal = RenderNotice(notice);
  ASSERT_FALSE(seal.ok());
  EXPECT_EQ(seal.error().code, "render.seal_image");
}

// A scanned page as JPEG: the bytes are a JPEG of the surface's size whose pixels keep the colours
// drawn (red stays red, white stays white), and a surface without pixels gives nothing.
TEST(EncodeJpegTest, KeepsSizeAndColours) {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 120, 80));
  CairoPtr cr(cairo_create(surface.get()));
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  cairo_set_source_rgb(cr.get(), 0.9, 0.1, 0.1);
  cairo_rectangle(cr.get(), 0, 0, 60, 80);
  cairo_fill(cr.get());
  const std::string jpeg = EncodeJpeg(surface.get(), 90);
  ASSERT_GT(jpeg.size(), 4u);
  EXPECT_EQ(jpeg.substr(0, 3), std::string("\xFF\xD8\xFF"));
  GdkPixbufLoader* loader = gdk_pixbuf_loader_new();
  ASSERT_TRUE(gdk_pixbuf_loader_write(loader, reinterpret_cast<const guchar*>(jpeg.data()),
                                      jpeg.size(), nullptr));
  ASSERT_TRUE(gdk_pixbuf_loader_close(loader, nullptr));
  GdkPixbuf* decoded = gdk_pixbuf_loader_get_pixbuf(loader);
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(gdk_pixbuf_get_width(decoded), 120);
  EXPECT_EQ(gdk_pixbuf_get_height(decoded), 80);
  const guchar* px = gdk_pixbuf_get_pixels(decoded);
  const ptrdiff_t stride = gdk_pixbuf_get_rowstride(decoded);
  const ptrdiff_t channels = gdk_pixbuf_get_n_channels(decoded);
  const guchar* red = px + 40 * stride + 30 * channels;
  const guchar* white = px + 40 * stride + 90 * channels;
  EXPECT_GT(red[0], 200);
  EXPECT_LT(red[1], 60);
  EXPECT_LT(red[2], 60);
  EXPECT_GT(white[0], 240);
  EXPECT_GT(white[1], 240);
  EXPECT_GT(white[2], 240);
  g_object_unref(loader);

  SurfacePtr a8(cairo_image_surface_create(CAIRO_FORMAT_A8, 10, 10));
  EXPECT_TRUE(EncodeJpeg(a8.get(), 90).empty());
}

TEST(RenderFee, FormatsYuanAndFree) {
  EXPECT_EQ(FormatFee(0), "免费");
  EXPECT_EQ(FormatFee(2000), "¥20.00");
  EXPECT_EQ(FormatFee(1205), "¥12.05");
}

}  // namespace
}  // namespace hukou::render
