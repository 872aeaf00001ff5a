// Photos of persons (A1; B10 later needs them for everyone aged 16+): stored as immutable files
// with their SM3 hash. A new photo is a new file; the old one stays, and the change is history.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "registry/person.h"
#include "store/database.h"

namespace hukou::registry {

inline constexpr size_t kMaxPhotoBytes = size_t{512} * 1024;

struct Photo {
  int64_t file_id = 0;
  std::string mime;  // image/jpeg | image/png
  std::string sm3;   // hex
  std::string bytes;
};

// "image/jpeg" or "image/png" judged from the bytes themselves (not a name or a header), or "".
std::string SniffImageType(std::string_view bytes);

// Stores `bytes` as the person's photo (police only, within scope), with a change_log row on
// photo_file_id and an audit entry. Errors: kValidation photo.empty, photo.type (not JPEG/PNG),
// photo.too_large (> kMaxPhotoBytes); kForbidden; kNotFound person.not_found;
// kBusinessRule person.cancelled.
Result<Person> SetPhoto(store::Connection& conn, int64_t person_id, std::string_view bytes,
                        const org::Actor& actor, const Clock& clock, const ChangeContext& ctx = {});

// The person's current photo. Errors: kNotFound photo.not_found when there is none.
Result<Photo> ReadPhoto(store::Connection& conn, int64_t person_id, const org::Actor& actor);

}  // namespace hukou::registry
