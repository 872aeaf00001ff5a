// What a captured file is, judged from its bytes (libmagic), and its thumbnail (gdk-pixbuf for
// images, poppler for a PDF's first page). File names and declared types are never trusted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hukou::archive {

// Accepted types and their limits: JPEG and PNG photos/scans 10 MB, TIFF scans 20 MB, PDF 20 MB.
inline constexpr size_t kMaxImageBytes = size_t{10} << 20;
inline constexpr size_t kMaxScanBytes = size_t{20} << 20;
// The largest accepted file of any type (the HTTP body limit for uploads follows it).
inline constexpr size_t kMaxMaterialBytes = kMaxScanBytes;
// Longest side of a thumbnail in pixels.
inline constexpr int kThumbnailSide = 240;

// The MIME type libmagic reads from the bytes ("application/pdf", "image/jpeg", …), "" if unknown.
std::string SniffMime(std::string_view bytes);

// Checks a material's bytes and returns its MIME type: image/jpeg, image/png, image/tiff or
// application/pdf. Errors: kValidation archive.empty (空文件), archive.type (not one of the
// accepted types, naming what it is; a file named *.pdf that is not a PDF says so when
// `file_name` ends in .pdf), archive.too_large (over the type's limit; the HTTP layer answers 413).
Result<std::string> CheckMaterialBytes(std::string_view bytes, std::string_view file_name);

// A JPEG thumbnail (longest side kThumbnailSide) of an accepted file: images scaled, a PDF's first
// page rendered. Errors: kValidation archive.damaged (文件已损坏，无法解析) when it cannot be read.
Result<std::string> MakeThumbnail(std::string_view bytes, std::string_view mime);

}  // namespace hukou::archive
