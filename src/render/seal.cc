#include "render/seal.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "render/cairo_util.h"

namespace hukou::render {
namespace {

constexpr double kRed[3] = {0.85, 0.05, 0.08};

// Draws a layout centred on the origin, squeezed horizontally to at most max_width.
void ShowCentred(cairo_t* cr, PangoLayout* layout, double max_width) {
  double w = 0;
  double h = 0;
  LayoutSize(layout, &w, &h);
  cairo_save(cr);
  if (w > max_width) cairo_scale(cr, max_width / w, 1);
  cairo_move_to(cr, -w / 2, -h / 2);
  pango_cairo_update_layout(cr, layout);
  pango_cairo_show_layout(cr, layout);
  cairo_restore(cr);
}

void Star(cairo_t* cr, double cx, double cy, double outer) {
  const double inner = outer * 0.382;
  for (int k = 0; k < 10; ++k) {
    const double angle = -std::numbers::pi / 2 + k * std::numbers::pi / 5;
    const double r = k % 2 == 0 ? outer : inner;
    const double x = cx + r * std::cos(angle);
    const double y = cy + r * std::sin(angle);
    if (k == 0) {
      cairo_move_to(cr, x, y);
    } else {
      cairo_line_to(cr, x, y);
    }
  }
  cairo_close_path(cr);
  cairo_fill(cr);
}

}  // namespace

Result<std::string> DrawSealPng(std::string_view unit_name, std::string_view centre_text,
                                int size_px) {
  std::vector<std::string> chars = SplitCharacters(unit_name);
  if (chars.empty() || chars.size() > 40) {
    return ValidationError("render.seal_name", "印章单位名称应为 1 至 40 个字", "unit_name");
  }
  size_px = std::clamp(size_px, 64, 4096);
  const double s = size_px;
  const double c = s / 2;
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size_px, size_px));
  CairoPtr cr(cairo_create(surface.get()));
  GPtr<PangoContext> text = MakeTextContext(cr.get());
  cairo_set_source_rgb(cr.get(), kRed[0], kRed[1], kRed[2]);

  // Ring.
  const double ring = 0.035 * s;
  const double outer = 0.48 * s;
  cairo_set_line_width(cr.get(), ring);
  cairo_arc(cr.get(), c, c, outer - ring / 2, 0, 2 * std::numbers::pi);
  cairo_stroke(cr.get());

  // Unit name along the upper arc, one character at a time, each rotated to face outwards.
  const size_t n = chars.size();
  const double font = 0.12 * s * std::min(1.0, 13.0 / static_cast<double>(n));
  const double radius = outer - ring - 0.025 * s - font * 0.62;
  const double span = n == 1 ? 0
                             : std::clamp(static_cast<double>(n) * font * 1.05 / radius,
                                          std::numbers::pi * 0.75, std::numbers::pi * 1.4);
  const double step = n == 1 ? 0 : span / static_cast<double>(n - 1);
  const double glyph_room = n == 1 ? font * 2 : step * radius * 0.92;
  for (size_t i = 0; i < n; ++i) {
    const double angle = -std::numbers::pi / 2 - span / 2 + step * static_cast<double>(i);
    auto layout = MakeLayout(text.get(), chars[i], kSerif, font, true);
    cairo_save(cr.get());
    cairo_translate(cr.get(), c + radius * std::cos(angle), c + radius * std::sin(angle));
    cairo_rotate(cr.get(), angle + std::numbers::pi / 2);
    ShowCentred(cr.get(), layout.get(), glyph_room);
    cairo_restore(cr.get());
  }

  // Star and centre text.
  Star(cr.get(), c, c, 0.15 * s);
  if (!centre_text.empty()) {
    auto layout = MakeLayout(text.get(), centre_text, kSerif, 0.085 * s, true);
    cairo_save(cr.get());
    cairo_translate(cr.get(), c, c + 0.255 * s);
    ShowCentred(cr.get(), layout.get(), 0.56 * s);
    cairo_restore(cr.get());
  }

  std::string png = EncodePng(surface.get());
  if (png.empty()) return InternalError("render.png", "印章图像生成失败");
  return png;
}

}  // namespace hukou::render
