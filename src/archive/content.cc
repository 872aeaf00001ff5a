#include "archive/content.h"

#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <magic.h>
#include <poppler.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace hukou::archive {
namespace {

bool EndsWithPdf(std::string_view name) {
  if (name.size() < 4) return false;
  std::string ext(name.substr(name.size() - 4));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".pdf";
}

// A pixbuf scaled so that its longest side is kThumbnailSide, encoded as JPEG.
Result<std::string> EncodeScaled(GdkPixbuf* pixbuf) {
  const int w = gdk_pixbuf_get_width(pixbuf);
  const int h = gdk_pixbuf_get_height(pixbuf);
  const double scale = std::min(1.0, double{kThumbnailSide} / std::max(w, h));
  const int tw = std::max(1, static_cast<int>(w * scale));
  const int th = std::max(1, static_cast<int>(h * scale));
  GdkPixbuf* rgb = nullptr;
  if (!gdk_pixbuf_get_has_alpha(pixbuf)) {
    // Scans and photos (JPEG, most PNGs) have no alpha: scaled straight to the thumbnail.
    rgb = gdk_pixbuf_scale_simple(pixbuf, tw, th, GDK_INTERP_BILINEAR);
    if (!rgb) return InternalError("archive.thumbnail", "缩略图生成失败");
  } else {
    GdkPixbuf* scaled = gdk_pixbuf_scale_simple(pixbuf, tw, th, GDK_INTERP_BILINEAR);
    if (!scaled) return InternalError("archive.thumbnail", "缩略图生成失败");
    // JPEG has no alpha: flatten onto white.
    GdkPixbuf* flat = gdk_pixbuf_composite_color_simple(scaled, tw, th, GDK_INTERP_NEAREST, 255, 8,
                                                        0xFFFFFF, 0xFFFFFF);
    g_object_unref(scaled);
    if (!flat) return InternalError("archive.thumbnail", "缩略图生成失败");
    // Drops the (now opaque) alpha channel; gdk_pixbuf_copy_area refuses alpha → no alpha.
    rgb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, tw, th);
    const guchar* src = gdk_pixbuf_read_pixels(flat);
    guchar* dst = gdk_pixbuf_get_pixels(rgb);
    const int src_stride = gdk_pixbuf_get_rowstride(flat);
    const int dst_stride = gdk_pixbuf_get_rowstride(rgb);
    for (int y = 0; y < th; ++y) {
      const guchar* from = src + static_cast<ptrdiff_t>(y) * src_stride;
      guchar* to = dst + static_cast<ptrdiff_t>(y) * dst_stride;
      for (ptrdiff_t x = 0; x < tw; ++x) {
        to[x * 3] = from[x * 4];
        to[x * 3 + 1] = from[x * 4 + 1];
        to[x * 3 + 2] = from[x * 4 + 2];
      }
    }
    g_object_unref(flat);
  }
  gchar* buffer = nullptr;
  gsize size = 0;
  GError* error = nullptr;
  const gboolean saved =
      gdk_pixbuf_save_to_buffer(rgb, &buffer, &size, "jpeg", &error, "quality", "80", nullptr);
  g_object_unref(rgb);
  if (!saved) {
    if (error) g_error_free(error);
    return InternalError("archive.thumbnail", "缩略图生成失败");
  }
  std::string out(buffer, size);
  g_free(buffer);
  return out;
}

Error Damaged() { return ValidationError("archive.damaged", "文件已损坏，无法解析", "file"); }

Result<std::string> ImageThumbnail(std::string_view bytes) {
  GdkPixbufLoader* loader = gdk_pixbuf_loader_new();
  GError* error = nullptr;
  bool ok = gdk_pixbuf_loader_write(loader, reinterpret_cast<const guchar*>(bytes.data()),
                                    bytes.size(), &error) != FALSE;
  if (error) g_clear_error(&error);
  ok = (gdk_pixbuf_loader_close(loader, &error) != FALSE) && ok;
  if (error) g_clear_error(&error);
  GdkPixbuf* pixbuf = ok ? gdk_pixbuf_loader_get_pixbuf(loader) : nullptr;
  Result<std::string> out = pixbuf ? EncodeScaled(pixbuf) : Result<std::string>(Damaged());
  g_object_unref(loader);
  return out;
}

Result<std::string> PdfThumbnail(std::string_view bytes) {
  GBytes* data = g_bytes_new(bytes.data(), bytes.size());
  GError* error = nullptr;
  PopplerDocument* doc = poppler_document_new_from_bytes(data, nullptr, &error);
  g_bytes_unref(data);
  if (!doc) {
    if (error) g_error_free(error);
    return Damaged();
  }
  PopplerPage* page =
      poppler_document_get_n_pages(doc) > 0 ? poppler_document_get_page(doc, 0) : nullptr;
  if (!page) {
    g_object_unref(doc);
    return Damaged();
  }
  double pw = 0;
  double ph = 0;
  poppler_page_get_size(page, &pw, &ph);
  const double scale = pw > 0 && ph > 0 ? kThumbnailSide / std::max(pw, ph) : 1.0;
  const int w = std::max(1, static_cast<int>(pw * scale));
  const int h = std::max(1, static_cast<int>(ph * scale));
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_scale(cr, scale, scale);
  poppler_page_render_for_printing(page, cr);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  g_object_unref(page);
  g_object_unref(doc);
  // RGB24 is 0x00RRGGBB per native-endian word; gdk-pixbuf wants R, G, B bytes.
  GdkPixbuf* pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* src = cairo_image_surface_get_data(surface);
  guchar* dst = gdk_pixbuf_get_pixels(pixbuf);
  const int dst_stride = gdk_pixbuf_get_rowstride(pixbuf);
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(src + static_cast<ptrdiff_t>(y) * stride);
    guchar* out = dst + static_cast<ptrdiff_t>(y) * dst_stride;
    for (ptrdiff_t x = 0; x < w; ++x) {
      guchar* pixel = out + 3 * x;
      pixel[0] = static_cast<guchar>((row[x] >> 16) & 0xFF);
      pixel[1] = static_cast<guchar>((row[x] >> 8) & 0xFF);
      pixel[2] = static_cast<guchar>(row[x] & 0xFF);
    }
  }
  cairo_surface_destroy(surface);
  Result<std::string> out = EncodeScaled(pixbuf);
  g_object_unref(pixbuf);
  return out;
}

}  // namespace

std::string SniffMime(std::string_view bytes) {
  // A magic cookie is not thread-safe; one shared cookie behind a mutex is enough for uploads.
  static std::mutex mu;
  static magic_t cookie = [] {
    magic_t c = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (c && magic_load(c, nullptr) != 0) {
      magic_close(c);
      c = nullptr;
    }
    return c;
  }();
  if (!cookie || bytes.empty()) return "";
  std::lock_guard<std::mutex> lock(mu);
  const char* type = magic_buffer(cookie, bytes.data(), bytes.size());
  return type ? type : "";
}

Result<std::string> CheckMaterialBytes(std::string_view bytes, std::string_view file_name) {
  if (bytes.empty()) return ValidationError("archive.empty", "上传的文件为空", "file");
  const std::string mime = SniffMime(bytes);
  size_t limit = 0;
  if (mime == "image/jpeg" || mime == "image/png") limit = kMaxImageBytes;
  if (mime == "image/tiff" || mime == "application/pdf") limit = kMaxScanBytes;
  if (limit == 0) {
    const std::string what = mime.empty() ? "无法识别的内容" : mime;
    if (EndsWithPdf(file_name)) {
      return ValidationError("archive.type",
                             "文件扩展名为 .pdf，但内容不是 PDF（实际为 " + what + "），未保存",
                             "file");
    }
    return ValidationError(
        "archive.type",
        "只接受 JPEG、PNG、TIFF 图像或 PDF 文件（按文件内容判断，实际为 " + what + "），未保存",
        "file");
  }
  if (bytes.size() > limit) {
    return ValidationError("archive.too_large",
                           std::string(limit == kMaxImageBytes ? "图像" : "扫描件/PDF") +
                               "不能超过 " + std::to_string(limit >> 20) + " MB，未保存",
                           "file");
  }
  return mime;
}

Result<std::string> MakeThumbnail(std::string_view bytes, std::string_view mime) {
  if (mime == "application/pdf") return PdfThumbnail(bytes);
  return ImageThumbnail(bytes);
}

}  // namespace hukou::archive
