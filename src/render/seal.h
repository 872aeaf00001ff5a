// Electronic seal images (B5, G3): the round red seal of a public-security unit, drawn with cairo
// and pango so that any unit name prints, rare characters included.
#pragma once
#include <string>
#include <string_view>

#include "base/status.h"

namespace hukou::render {

// PNG bytes (transparent background, size_px square) of a round red seal: ring, unit_name along
// the upper arc, a five-pointed star, centre_text (e.g. 户籍专用章) under the star.
// Errors: kValidation render.seal_name (empty name or more than 40 characters).
Result<std::string> DrawSealPng(std::string_view unit_name, std::string_view centre_text,
                                int size_px = 360);

}  // namespace hukou::render
