#include "render/cairo_util.h"

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

}  // namespace hukou::render
