#include "render/document.h"

#include <cairo-pdf.h>
#include <poppler.h>
#include <qrencode.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>

#include "render/cairo_util.h"

namespace hukou::render {
namespace {

constexpr double kLeft = 68;
constexpr double kRight = kA4Width - 68;
constexpr double kWidth = kRight - kLeft;
constexpr double kTop = 62;
constexpr double kBottom = kA4Height - 64;
constexpr double kBody = 10.5;  // 五号
constexpr double kPad = 4;
constexpr double kLine = 0.8;
constexpr int64_t kMaxImagePixels = 120'000'000;  // an A3 scan at 600 dpi is 70 million

struct ReadCursor {
  std::string_view data;
  size_t offset = 0;
};

cairo_status_t ReadFromView(void* closure, unsigned char* out, unsigned int length) {
  auto* cursor = static_cast<ReadCursor*>(closure);
  if (cursor->data.size() - cursor->offset < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(out, cursor->data.data() + cursor->offset, length);
  cursor->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t Discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

Result<SurfacePtr> DecodePng(std::string_view png) {
  ReadCursor cursor{png};
  SurfacePtr surface(cairo_image_surface_create_from_png_stream(ReadFromView, &cursor));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return ValidationError("render.image", "图像无法读取（应为 PNG 或 JPEG）", "image");
  }
  return surface;
}

// Width and height from a JPEG's start-of-frame segment; false when there is none.
bool JpegSize(std::string_view jpeg, int* width, int* height) {
  size_t i = 2;
  while (i + 9 < jpeg.size()) {
    if (static_cast<unsigned char>(jpeg[i]) != 0xFF) return false;
    const auto marker = static_cast<unsigned char>(jpeg[i + 1]);
    const size_t length =
        (static_cast<unsigned char>(jpeg[i + 2]) << 8) | static_cast<unsigned char>(jpeg[i + 3]);
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      *height =
          (static_cast<unsigned char>(jpeg[i + 5]) << 8) | static_cast<unsigned char>(jpeg[i + 6]);
      *width =
          (static_cast<unsigned char>(jpeg[i + 7]) << 8) | static_cast<unsigned char>(jpeg[i + 8]);
      return *width > 0 && *height > 0;
    }
    i += 2 + length;
  }
  return false;
}

// An image surface for PNG or JPEG bytes; a JPEG is embedded in the PDF as it is.
Result<SurfacePtr> DecodeImage(std::string_view image) {
  if (image.starts_with("\x89PNG")) return DecodePng(image);
  int width = 0;
  int height = 0;
  if (!image.starts_with("\xFF\xD8\xFF") || !JpegSize(image, &width, &height)) {
    return ValidationError("render.image", "图像无法读取（应为 PNG 或 JPEG）", "image");
  }
  if (static_cast<int64_t>(width) * height > kMaxImagePixels) {
    return ValidationError("render.image", "图像尺寸过大", "image");
  }
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return ValidationError("render.image", "图像尺寸过大", "image");
  }
  auto* copy = static_cast<unsigned char*>(g_memdup2(image.data(), image.size()));
  cairo_surface_set_mime_data(surface.get(), CAIRO_MIME_TYPE_JPEG, copy, image.size(), g_free,
                              copy);
  return surface;
}

// Decoded seal images by their PNG bytes: decoded once, and embedded once in a PDF.
using SealCache = std::map<std::string, SurfacePtr, std::less<>>;

// Lays a document out; draws it unless dry. Pages are numbered within the document.
class Layout {
 public:
  Layout(cairo_t* cr, const Document& doc, bool dry, int total_pages, int first_global_page,
         std::vector<Mark>* marks, SealCache* seals)
      : cr_(cr),
        text_(MakeTextContext(cr)),
        doc_(doc),
        dry_(dry),
        total_pages_(total_pages),
        first_global_page_(first_global_page),
        marks_(marks),
        seals_(seals) {}

  // Returns the number of pages.
  Result<int> Run() {
    y_ = kTop;
    TitleBlock();
    for (const Block& block : doc_.blocks) {
      std::visit([this](const auto& b) { Draw(b); }, block);
      if (!status_.ok()) return status_.error();
    }
    FinishPage();
    return page_ + 1;
  }

 private:
  // Text at (x, y) in a box of the given width; returns its height.
  double Text(double x, double y, double width, std::string_view text, double size,
              bool bold = false, PangoAlignment align = PANGO_ALIGN_LEFT) {
    auto layout = MakeLayout(text_.get(), text, kSerif, size, bold, width, align);
    double w = 0;
    double h = 0;
    LayoutSize(layout.get(), &w, &h);
    if (!dry_) {
      cairo_move_to(cr_, x, y);
      pango_cairo_show_layout(cr_, layout.get());
    }
    return h;
  }
  double TextHeight(double width, std::string_view text, double size, bool bold = false) {
    auto layout = MakeLayout(text_.get(), text, kSerif, size, bold, width);
    double w = 0;
    double h = 0;
    LayoutSize(layout.get(), &w, &h);
    return h;
  }

  void FinishPage() {
    if (dry_) return;
    cairo_save(cr_);
    cairo_set_source_rgb(cr_, 0.35, 0.35, 0.35);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kLeft, kBottom + 22);
    cairo_line_to(cr_, kRight, kBottom + 22);
    cairo_stroke(cr_);
    Text(kLeft, kBottom + 26, kWidth * 0.7, doc_.footer, 8, false, PANGO_ALIGN_LEFT);
    const std::string pages =
        "第 " + std::to_string(page_ + 1) + " 页 共 " + std::to_string(total_pages_) + " 页";
    Text(kLeft, kBottom + 26, kWidth, pages, 8, false, PANGO_ALIGN_RIGHT);
    cairo_restore(cr_);
    cairo_show_page(cr_);
  }
  void NewPage() {
    FinishPage();
    ++page_;
    y_ = kTop;
  }
  // Starts a new page unless h fits below the cursor (or the page is still empty).
  bool Ensure(double h) {
    if (y_ + h <= kBottom || y_ <= kTop + 1) return false;
    NewPage();
    return true;
  }

  void TitleBlock() {
    if (!doc_.title.empty()) {
      y_ += Text(kLeft, y_, kWidth, doc_.title, 20, true, PANGO_ALIGN_CENTER) + 4;
    }
    if (!doc_.subtitle.empty()) {
      y_ += Text(kLeft, y_, kWidth, doc_.subtitle, 11, false, PANGO_ALIGN_CENTER) + 2;
    }
    if (!doc_.number.empty()) {
      y_ += Text(kLeft, y_, kWidth, "编号：" + doc_.number, 10, false, PANGO_ALIGN_RIGHT) + 2;
    }
    y_ += 8;
  }

  void Cell(double x, double y, double w, double h, bool shade) {
    if (dry_) return;
    cairo_rectangle(cr_, x, y, w, h);
    if (shade) {
      cairo_set_source_rgb(cr_, 0.94, 0.94, 0.94);
      cairo_fill_preserve(cr_);
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_set_line_width(cr_, kLine);
    cairo_stroke(cr_);
  }

  // One table row: cells of the given widths; returns its height.
  double Row(const std::vector<double>& widths, const std::vector<std::string>& texts,
             const std::vector<bool>& shaded, const std::vector<PangoAlignment>& aligns, bool bold,
             bool repeat_header_on_break, const std::vector<std::string>* header,
             const std::vector<double>* header_widths) {
    double h = 20;
    for (size_t i = 0; i < texts.size(); ++i) {
      h = std::max(h, TextHeight(widths[i] - 2 * kPad, texts[i], kBody - 0.5, bold) + 2 * kPad);
    }
    if (Ensure(h) && repeat_header_on_break && header != nullptr) {
      HeaderRow(*header_widths, *header);
    }
    double x = kLeft;
    for (size_t i = 0; i < texts.size(); ++i) {
      Cell(x, y_, widths[i], h, shaded[i]);
      const double th = TextHeight(widths[i] - 2 * kPad, texts[i], kBody - 0.5, bold);
      Text(x + kPad, y_ + (h - th) / 2, widths[i] - 2 * kPad, texts[i], kBody - 0.5, bold,
           aligns[i]);
      x += widths[i];
    }
    y_ += h;
    return h;
  }
  void HeaderRow(const std::vector<double>& widths, const std::vector<std::string>& headers) {
    Row(widths, headers, std::vector<bool>(headers.size(), true),
        std::vector<PangoAlignment>(headers.size(), PANGO_ALIGN_CENTER), true, false, nullptr,
        nullptr);
  }

  void Draw(const Heading& h) {
    y_ += 6;
    Ensure(TextHeight(kWidth, h.text, 12, true) + 40);
    y_ += Text(kLeft, y_, kWidth, h.text, 12, true, PANGO_ALIGN_LEFT) + 4;
  }

  void Draw(const Paragraph& p) {
    auto layout = MakeLayout(text_.get(), p.text, kSerif, kBody, false, kWidth);
    if (p.indent) pango_layout_set_indent(layout.get(), static_cast<int>(2 * kBody * PANGO_SCALE));
    PangoLayoutIter* it = pango_layout_get_iter(layout.get());
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      const double top = static_cast<double>(logical.y) / PANGO_SCALE;
      const double h = static_cast<double>(logical.height) / PANGO_SCALE;
      const double baseline = static_cast<double>(pango_layout_iter_get_baseline(it)) / PANGO_SCALE;
      Ensure(h);
      if (!dry_) {
        cairo_move_to(cr_, kLeft + static_cast<double>(logical.x) / PANGO_SCALE,
                      y_ + baseline - top);
        pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
      }
      y_ += h * 1.45;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    y_ += 4;
  }

  void Draw(const FieldTable& t) {
    const double label = kWidth * 0.16;
    const double value = kWidth / 2 - label;
    for (size_t i = 0; i < t.fields.size();) {
      const Field& a = t.fields[i];
      const bool pair = !a.wide && i + 1 < t.fields.size() && !t.fields[i + 1].wide;
      if (pair) {
        const Field& b = t.fields[i + 1];
        Row({label, value, label, value}, {a.label, a.value, b.label, b.value},
            {true, false, true, false},
            {PANGO_ALIGN_CENTER, PANGO_ALIGN_LEFT, PANGO_ALIGN_CENTER, PANGO_ALIGN_LEFT}, false,
            false, nullptr, nullptr);
        i += 2;
      } else {
        Row({label, kWidth - label}, {a.label, a.value}, {true, false},
            {PANGO_ALIGN_CENTER, PANGO_ALIGN_LEFT}, false, false, nullptr, nullptr);
        i += 1;
      }
    }
    y_ += 8;
  }

  void Draw(const Table& t) {
    double sum = 0;
    for (size_t i = 0; i < t.headers.size(); ++i) sum += i < t.widths.size() ? t.widths[i] : 1;
    std::vector<double> widths;
    for (size_t i = 0; i < t.headers.size(); ++i) {
      widths.push_back(kWidth * (i < t.widths.size() ? t.widths[i] : 1) / sum);
    }
    Ensure(60);
    HeaderRow(widths, t.headers);
    for (const auto& row : t.rows) {
      std::vector<std::string> cells = row;
      cells.resize(t.headers.size());
      Row(widths, cells, std::vector<bool>(cells.size(), false),
          std::vector<PangoAlignment>(cells.size(), PANGO_ALIGN_CENTER), false, true, &t.headers,
          &widths);
    }
    y_ += 8;
  }

  static constexpr double kQr = 84;       // about 30 mm
  static constexpr double kQrCell = 116;  // room for the caption and URL beneath
  static constexpr double kSeal = 118;    // about 42 mm, the size of a unit seal
  static constexpr double kSignLine = 22;

  double QrHeight(const QrCode& code, double cell) {
    return kQr + 4 + TextHeight(cell - 8, code.caption, 9) + TextHeight(cell - 8, code.url, 7);
  }
  // One QR code drawn as vector squares (one rectangle per run of dark modules) in a cell of
  // the given width at (x, y), caption and URL beneath.
  void DrawQr(double x, double y, double cell, const QrCode& code) {
    QRcode* qr = QRcode_encodeString(code.url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (qr == nullptr) {
      status_ = ValidationError("render.qr", "二维码内容过长，无法生成", "url");
      return;
    }
    const double qx = x + (cell - kQr) / 2;
    const double module = kQr / (qr->width + 8);  // quiet zone of four modules each side
    if (!dry_) {
      cairo_set_source_rgb(cr_, 0, 0, 0);
      for (int r = 0; r < qr->width; ++r) {
        const unsigned char* row = qr->data + static_cast<ptrdiff_t>(r) * qr->width;
        for (int c = 0; c < qr->width;) {
          if ((row[c] & 1) == 0) {
            ++c;
            continue;
          }
          int end = c;
          while (end < qr->width && (row[end] & 1) != 0) ++end;
          cairo_rectangle(cr_, qx + (c + 4) * module, y + (r + 4) * module, (end - c) * module,
                          module);
          c = end;
        }
      }
      cairo_fill(cr_);
      marks_->push_back(Mark{"qr", first_global_page_ + page_, qx, y, kQr, kQr});
    }
    QRcode_free(qr);
    double ty = y + kQr + 2;
    ty += Text(x + 4, ty, cell - 8, code.caption, 9, false, PANGO_ALIGN_CENTER);
    Text(x + 4, ty, cell - 8, code.url, 7, false, PANGO_ALIGN_CENTER);
  }

  void DrawSeal(const std::string& png, double cx, double cy) {
    auto cached = seals_->find(png);
    if (cached == seals_->end()) {
      auto decoded = DecodePng(png);
      if (!decoded.ok()) {
        status_ = ValidationError("render.seal_image", "印章图像无法读取", "seal_png");
        return;
      }
      cached = seals_->emplace(png, std::move(decoded).value()).first;
    }
    if (dry_) return;
    cairo_surface_t* seal = cached->second.get();
    const Mark mark{"seal", first_global_page_ + page_, cx - kSeal / 2, cy - kSeal / 2, kSeal,
                    kSeal};
    const double scale = kSeal / cairo_image_surface_get_width(seal);
    cairo_save(cr_);
    cairo_translate(cr_, mark.x, mark.y);
    cairo_scale(cr_, scale, scale);
    cairo_set_source_surface(cr_, seal, 0, 0);
    cairo_set_operator(cr_, CAIRO_OPERATOR_MULTIPLY);  // ink over the text, as a stamp
    cairo_paint_with_alpha(cr_, 0.9);
    cairo_restore(cr_);
    marks_->push_back(mark);
  }

  // Without QR codes: left lines on the left, right lines on the right. With them: the codes on
  // the left, then left lines above right lines in the remaining column.
  void Draw(const SignatureBlock& s) {
    const auto n_left = static_cast<double>(s.left.size());
    const auto n_right = static_cast<double>(s.right.size());
    const bool side = s.codes.empty();
    const double qr_w = kQrCell * static_cast<double>(s.codes.size());
    double qr_h = 0;
    for (const QrCode& code : s.codes) qr_h = std::max(qr_h, QrHeight(code, kQrCell));
    const double text_h = (side ? std::max(n_left, n_right) : n_left + n_right) * kSignLine;
    const double band = std::max({text_h, qr_h, kSeal * 0.75});
    Ensure(band + 16);
    y_ += 12;
    double x = kLeft;
    for (const QrCode& code : s.codes) {
      DrawQr(x, y_, kQrCell, code);
      x += kQrCell;
    }
    const double col_x = side ? kLeft : kLeft + qr_w + 12;
    const double col_w = kRight - col_x;
    for (size_t i = 0; i < s.left.size(); ++i) {
      Text(col_x, y_ + kSignLine * static_cast<double>(i), side ? col_w * 0.45 : col_w, s.left[i],
           kBody);
    }
    const double rx = side ? kLeft + kWidth * 0.45 : col_x;
    const double rw = kRight - rx;
    const double ry =
        y_ + (side ? 0 : n_left * kSignLine) + (side ? 0 : std::max(0.0, band - text_h));
    for (size_t i = 0; i < s.right.size(); ++i) {
      Text(rx, ry + kSignLine * static_cast<double>(i), rw, s.right[i], kBody, false,
           PANGO_ALIGN_CENTER);
    }
    if (!s.seal_png.empty()) DrawSeal(s.seal_png, rx + rw / 2, ry + n_right * kSignLine / 2 - 2);
    y_ += band + 8;
  }

  void Draw(const QrRow& row) {
    if (row.codes.empty()) return;
    const double cell = std::min(kWidth / static_cast<double>(row.codes.size()), 200.0);
    double height = 0;
    for (const QrCode& code : row.codes) height = std::max(height, QrHeight(code, cell));
    Ensure(height + 10);
    y_ += 6;
    double x = kLeft + (kWidth - cell * static_cast<double>(row.codes.size())) / 2;
    for (const QrCode& code : row.codes) {
      DrawQr(x, y_, cell, code);
      x += cell;
    }
    y_ += height + 4;
  }

  cairo_t* cr_;
  GPtr<PangoContext> text_;
  const Document& doc_;
  bool dry_;
  int total_pages_;
  int first_global_page_;
  std::vector<Mark>* marks_;
  SealCache* seals_;
  int page_ = 0;
  double y_ = kTop;
  Status status_;
};

void CornerText(cairo_t* cr, std::string_view corner, int page_number) {
  if (corner.empty()) return;
  std::string text(corner);
  if (size_t at = text.find("{page}"); at != std::string::npos) {
    text.replace(at, 6, std::to_string(page_number));
  }
  GPtr<PangoContext> context = MakeTextContext(cr);
  auto layout = MakeLayout(context.get(), text, kSerif, 9, false, kWidth, PANGO_ALIGN_RIGHT);
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, kLeft, 18);
  pango_cairo_show_layout(cr, layout.get());
  cairo_restore(cr);
}

struct PopplerDoc {
  GPtr<PopplerDocument> doc;
};

Result<PopplerDoc> OpenPdf(std::string_view pdf) {
  GBytes* bytes = g_bytes_new(pdf.data(), pdf.size());
  GError* error = nullptr;
  PopplerDocument* doc = poppler_document_new_from_bytes(bytes, nullptr, &error);
  g_bytes_unref(bytes);
  if (doc == nullptr) {
    if (error != nullptr) g_error_free(error);
    return ValidationError("render.pdf", "PDF 文件无法读取", "pdf");
  }
  return PopplerDoc{GPtr<PopplerDocument>(doc)};
}

}  // namespace

struct PdfBuilder::State {
  std::string bytes;
  SurfacePtr surface;
  CairoPtr cr;
  int pages = 0;
  std::vector<Mark> marks;
  SealCache seals;
};

PdfBuilder::PdfBuilder(std::string_view created) : state_(std::make_unique<State>()) {
  state_->surface.reset(
      cairo_pdf_surface_create_for_stream(AppendToString, &state_->bytes, kA4Width, kA4Height));
  cairo_pdf_surface_set_metadata(state_->surface.get(), CAIRO_PDF_METADATA_CREATOR,
                                 "hukou 户政管理系统");
  if (!created.empty()) {
    const std::string date(created);
    cairo_pdf_surface_set_metadata(state_->surface.get(), CAIRO_PDF_METADATA_CREATE_DATE,
                                   date.c_str());
  }
  state_->cr.reset(cairo_create(state_->surface.get()));
}

PdfBuilder::~PdfBuilder() = default;

int PdfBuilder::page_count() const { return state_->pages; }

Status PdfBuilder::AddDocument(const Document& doc) {
  HUKOU_ASSIGN_OR_RETURN(
      int pages,
      Layout(state_->cr.get(), doc, true, 0, state_->pages, nullptr, &state_->seals).Run());
  HUKOU_ASSIGN_OR_RETURN(int drawn, Layout(state_->cr.get(), doc, false, pages, state_->pages,
                                           &state_->marks, &state_->seals)
                                        .Run());
  state_->pages += drawn;
  return Status::Ok();
}

Result<int> PdfBuilder::AddPdf(std::string_view pdf, std::string_view corner, int first_page) {
  HUKOU_ASSIGN_OR_RETURN(PopplerDoc source, OpenPdf(pdf));
  const int n = poppler_document_get_n_pages(source.doc.get());
  cairo_t* cr = state_->cr.get();
  for (int i = 0; i < n; ++i) {
    GPtr<PopplerPage> page(poppler_document_get_page(source.doc.get(), i));
    double w = 0;
    double h = 0;
    poppler_page_get_size(page.get(), &w, &h);
    if (!(w > 0 && h > 0)) return ValidationError("render.pdf", "PDF 页面尺寸无效", "pdf");
    const double scale = std::min(kA4Width / w, kA4Height / h);
    cairo_save(cr);
    cairo_translate(cr, (kA4Width - w * scale) / 2, (kA4Height - h * scale) / 2);
    cairo_scale(cr, scale, scale);
    poppler_page_render_for_printing(page.get(), cr);
    cairo_restore(cr);
    CornerText(cr, corner, first_page + i);
    cairo_show_page(cr);
    ++state_->pages;
  }
  return n;
}

Status PdfBuilder::AddImage(std::string_view image, std::string_view corner, int page_number) {
  HUKOU_ASSIGN_OR_RETURN(SurfacePtr surface, DecodeImage(image));
  cairo_t* cr = state_->cr.get();
  const double iw = cairo_image_surface_get_width(surface.get());
  const double ih = cairo_image_surface_get_height(surface.get());
  constexpr double kMargin = 36;
  const double scale = std::min((kA4Width - 2 * kMargin) / iw, (kA4Height - 2 * kMargin - 12) / ih);
  cairo_save(cr);
  cairo_translate(cr, (kA4Width - iw * scale) / 2,
                  kMargin + 12 + (kA4Height - 2 * kMargin - 12 - ih * scale) / 2);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, surface.get(), 0, 0);
  cairo_paint(cr);
  cairo_restore(cr);
  CornerText(cr, corner, page_number);
  cairo_show_page(cr);
  ++state_->pages;
  return Status::Ok();
}

Result<RenderedPdf> PdfBuilder::Finish() {
  state_->cr.reset();
  cairo_surface_finish(state_->surface.get());
  if (cairo_surface_status(state_->surface.get()) != CAIRO_STATUS_SUCCESS) {
    return InternalError("render.pdf_write", "PDF 生成失败");
  }
  state_->surface.reset();
  return RenderedPdf{std::move(state_->bytes), state_->pages, std::move(state_->marks)};
}

Result<RenderedPdf> RenderPdf(const Document& doc) {
  PdfBuilder builder(doc.created);
  HUKOU_RETURN_IF_ERROR(builder.AddDocument(doc));
  return builder.Finish();
}

int CountPages(const Document& doc) {
  SurfacePtr surface(cairo_pdf_surface_create_for_stream(Discard, nullptr, kA4Width, kA4Height));
  CairoPtr cr(cairo_create(surface.get()));
  SealCache seals;
  auto pages = Layout(cr.get(), doc, true, 0, 0, nullptr, &seals).Run();
  return pages.ok() ? *pages : 0;
}

Result<int> CountPdfPages(std::string_view pdf) {
  HUKOU_ASSIGN_OR_RETURN(PopplerDoc source, OpenPdf(pdf));
  return poppler_document_get_n_pages(source.doc.get());
}

}  // namespace hukou::render
