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

// Font families: Noto CJK first, then HanaMin for characters beyond it (CJK Extension B and on).
inline constexpr const char* kSerif = "Noto Serif CJK SC,HanaMinA,HanaMinB";
inline constexpr const char* kSans = "Noto Sans CJK SC,HanaMinA,HanaMinB";

// A pango layout on cr at 72 dpi (font sizes in points = user units), metrics unhinted so that
// measuring and drawing agree on every surface. width <= 0: no wrapping.
GPtr<PangoLayout> MakeLayout(cairo_t* cr, std::string_view text, const char* family, double size,
                             bool bold = false, double width = 0,
                             PangoAlignment align = PANGO_ALIGN_LEFT);

// Logical size of a layout in user units.
void LayoutSize(PangoLayout* layout, double* width, double* height);

// The characters of a UTF-8 string, one string each.
std::vector<std::string> SplitCharacters(std::string_view text);

// PNG bytes of an image surface; empty on failure.
std::string EncodePng(cairo_surface_t* surface);

// Appends cairo stream output to a std::string (closure).
cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length);

}  // namespace hukou::render
