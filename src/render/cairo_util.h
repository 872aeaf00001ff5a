// Small RAII and text helpers over cairo and pango shared by the seal and the PDF writer.
#pragma once
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hukou::render {

struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoDeleter>;

struct GObjectDeleter {
  void operator()(void* object) const { g_object_unref(object); }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectDeleter>;

// One font family (regular and bold): Noto Serif CJK (宋体 style), then HanaMin for characters
// beyond it (CJK Extension B and on). Every further face adds its subset to each PDF (~50 KB) and
// cairo's subsetting time.
inline constexpr const char* kSerif = "Noto Serif CJK SC,HanaMinA,HanaMinB";

// A pango context for cr at 72 dpi (font sizes in points = user units), metrics unhinted so that
// measuring and drawing agree on every surface. Share it between the layouts drawn on cr: it
// caches the fonts it has looked up.
GPtr<PangoContext> MakeTextContext(cairo_t* cr);

// A layout of text in the given font. width <= 0: no wrapping.
GPtr<PangoLayout> MakeLayout(PangoContext* context, std::string_view text, const char* family,
                             double size, bool bold = false, double width = 0,
                             PangoAlignment align = PANGO_ALIGN_LEFT);

// Logical size of a layout in user units.
void LayoutSize(PangoLayout* layout, double* width, double* height);

// The characters of a UTF-8 string, one string each.
std::vector<std::string> SplitCharacters(std::string_view text);

// PNG bytes of an image surface; empty on failure.
std::string EncodePng(cairo_surface_t* surface);
// JPEG bytes (quality 1–100) of a CAIRO_FORMAT_RGB24 or ARGB32 image surface (alpha ignored);
// empty on failure or another format. What a high-speed document camera delivers, and several
// times cheaper to encode and decode than PNG for a scanned page.
std::string EncodeJpeg(cairo_surface_t* surface, int quality);

// Appends cairo stream output to a std::string (closure).
cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length);

}  // namespace hukou::render
