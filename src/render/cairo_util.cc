#include "render/cairo_util.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace hukou::render {

GPtr<PangoContext> MakeTextContext(cairo_t* cr) {
  GPtr<PangoContext> context(pango_cairo_create_context(cr));
  pango_cairo_context_set_resolution(context.get(), 72);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), options);
  cairo_font_options_destroy(options);
  return context;
}

GPtr<PangoLayout> MakeLayout(PangoContext* context, std::string_view text, const char* family,
                             double size, bool bold, double width, PangoAlignment align) {
  GPtr<PangoLayout> layout(pango_layout_new(context));
  PangoFontDescription* font = pango_font_description_from_string(family);
  pango_font_description_set_size(font, static_cast<int>(size * PANGO_SCALE));
  if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  if (width > 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(layout.get(), align);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

void LayoutSize(PangoLayout* layout, double* width, double* height) {
  int w = 0;
  int h = 0;
  pango_layout_get_size(layout, &w, &h);
  *width = static_cast<double>(w) / PANGO_SCALE;
  *height = static_cast<double>(h) / PANGO_SCALE;
}

std::vector<std::string> SplitCharacters(std::string_view text) {
  std::vector<std::string> out;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (p < end) {
    const char* next = g_utf8_find_next_char(p, end);
    if (next == nullptr) next = end;
    out.emplace_back(p, next);
    p = next;
  }
  return out;
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string EncodePng(cairo_surface_t* surface) {
  cairo_surface_flush(surface);
  std::string png;
  if (cairo_surface_write_to_png_stream(surface, AppendToString, &png) != CAIRO_STATUS_SUCCESS) {
    png.clear();
  }
  return png;
}

std::string EncodeJpeg(cairo_surface_t* surface, int quality) {
  cairo_surface_flush(surface);
  const cairo_format_t format = cairo_image_surface_get_format(surface);
  if (format != CAIRO_FORMAT_RGB24 && format != CAIRO_FORMAT_ARGB32) return {};
  const int w = cairo_image_surface_get_width(surface);
  const int h = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  GdkPixbuf* pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  if (pixbuf == nullptr || data == nullptr) {
    if (pixbuf) g_object_unref(pixbuf);
    return {};
  }
  const int out_stride = gdk_pixbuf_get_rowstride(pixbuf);
  guchar* out = gdk_pixbuf_get_pixels(pixbuf);
  for (int y = 0; y < h; ++y) {
    const unsigned char* row = data + static_cast<ptrdiff_t>(y) * stride;
    guchar* dst = out + static_cast<ptrdiff_t>(y) * out_stride;
    for (ptrdiff_t x = 0; x < w; ++x) {
      uint32_t pixel;  // cairo: native-endian 0xAARRGGBB
      std::memcpy(&pixel, row + x * 4, 4);
      dst[x * 3] = static_cast<guchar>(pixel >> 16);
      dst[x * 3 + 1] = static_cast<guchar>(pixel >> 8);
      dst[x * 3 + 2] = static_cast<guchar>(pixel);
    }
  }
  gchar* buffer = nullptr;
  gsize size = 0;
  const std::string q = std::to_string(std::clamp(quality, 1, 100));
  const gboolean saved = gdk_pixbuf_save_to_buffer(pixbuf, &buffer, &size, "jpeg", nullptr,
                                                   "quality", q.c_str(), nullptr);
  g_object_unref(pixbuf);
  if (!saved) return {};
  std::string jpeg(buffer, size);
  g_free(buffer);
  return jpeg;
}

}  // namespace hukou::render
