// Captured materials of a case (C1, C2, C6, D1): every upload is a new immutable version of the
// case's material slot (case_no + material code) stored in `files` with its SM3 hash and a
// thumbnail; the completeness of a case against its item's capture catalogue (采集目录); late
// capture. Cases are named by case_no only: the case engine validates case numbers and passes
// the case's facts in, so nothing here reads the `cases` table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "org/actor.h"
#include "store/database.h"
#include "trust/step_payload.h"

namespace hukou::archive {

// The slot of the applicant's on-site portrait (现场人像), captured on every case.
inline constexpr char kPortraitSlot[] = "portrait";

// What capture needs to know of a file's bytes, worked out before its write transaction
// (decoding and scaling an image takes milliseconds, and the write transaction holds the
// database's single writer meanwhile).
struct PreparedContent {
  std::string mime;       // as CheckMaterialBytes judged it
  std::string sm3;        // of the bytes
  std::string thumbnail;  // MakeThumbnail's JPEG
};

// Checks the bytes and makes the thumbnail. Errors: those of CheckMaterialBytes and
// MakeThumbnail.
Result<PreparedContent> PrepareContent(std::string_view bytes, std::string_view file_name);

struct Capture {
  std::string case_no;
  std::string station_code;  // the handling station; the actor must have it in scope
  std::string item_code;     // optional, copied into the row
  int item_version = 0;
  std::string material_code;  // catalog Material.code or kPortraitSlot
  std::string material_name;  // shown in the booklet catalogue; defaults to the code
  std::string source;         // scan | photo | upload | portrait | data_sharing
  std::string step;           // the case's step now (receive, accept, review, approve …)
  // When the step the material belongs to was completed (ISO instant); capture after it is late.
  std::string belongs_step_completed_at;
  std::string file_name;  // as uploaded, informational only
  std::string bytes;
  // PrepareContent(bytes, file_name), when the caller has done it outside the transaction;
  // otherwise CaptureMaterial does it.
  std::optional<PreparedContent> prepared{};
};

struct Material {
  int64_t id = 0;
  std::string case_no;
  std::string item_code;
  int64_t item_version = 0;
  std::string station_code;
  std::string material_code;
  std::string material_name;
  int64_t version = 0;
  int64_t file_id = 0;
  std::optional<int64_t> thumbnail_file_id;
  std::string mime;
  std::string sm3;
  int64_t size = 0;
  std::string source;
  std::string original_name;
  std::string step;
  bool late = false;
  int64_t captured_by = 0;
  std::string captured_by_name;
  std::string captured_at;
  std::optional<int64_t> superseded_by;
  bool current() const { return !superseded_by.has_value(); }
};

// Who may capture: police (and other sworn officers) and window clerks, within scope.
bool CanCapture(org::Role role);

// Rule for late capture (D2): captured after the belonging step's completion instant. An empty
// completion instant (the step is still open) is never late. Instants are ISO-8601 UTC text.
bool IsLate(std::string_view captured_at, std::string_view belongs_step_completed_at);

// Stores a new version of the slot (the previous current version gets superseded_by), with its
// thumbnail and an audit entry. Nothing is stored when any check fails. Errors: kForbidden
// (role, scope); kValidation archive.case_no / archive.material_code / archive.source /
// archive.station_code and those of CheckMaterialBytes / MakeThumbnail; kConflict
// archive.station_mismatch when the case already has materials under another station.
Result<Material> CaptureMaterial(store::Connection& conn, const Capture& capture,
                                 const org::Actor& actor, const Clock& clock);

// Every version of every slot of a case (slot, then version), file bytes not loaded. Empty when
// nothing was captured. Errors: kForbidden scope.outside when the case's station is out of scope.
Result<std::vector<Material>> ListMaterials(store::Connection& conn, std::string_view case_no,
                                            const org::Actor& actor);

// One version (by material row id) with its file or thumbnail bytes in `bytes`.
// Errors: kNotFound archive.not_found / archive.no_thumbnail; kForbidden scope.outside.
struct MaterialFile {
  Material material;
  std::string mime;
  std::string sm3;
  std::string bytes;
};
Result<MaterialFile> ReadMaterialFile(store::Connection& conn, std::string_view case_no,
                                      int64_t material_id, bool thumbnail, const org::Actor& actor);

// What a case step's signature covers of the archive (cases::DecisionRecord): each current
// material of the case (one per slot) as its code, version and the SM3 stored with its file,
// ordered by code. Empty when nothing was captured. Reads only: no scope check (the engine has
// checked the case already).
using trust::MaterialHash;
Result<std::vector<MaterialHash>> CurrentMaterialHashes(store::Connection& conn,
                                                        std::string_view case_no);

// Completeness of a case against its item's capture catalogue (C2).
struct SlotStatus {
  std::string code;
  std::string name;
  std::string capture;  // catalog capture kind
  bool mandatory = false;
  bool system_verified = false;  // verified by data sharing: needs no file
  bool captured = false;
  int64_t versions = 0;
  std::optional<int64_t> current_id;  // current archive_materials row
  bool late = false;
};
struct Completeness {
  std::string case_no;
  bool complete = true;
  std::vector<SlotStatus> slots;
  std::vector<std::string> missing;  // names of mandatory materials not captured
};
Result<Completeness> GetCompleteness(store::Connection& conn, std::string_view case_no,
                                     const std::vector<catalog::Material>& materials);

// The case engine calls this before sending a case to approval. OK when every mandatory material
// of the item that is not system-verified has a captured version; kBusinessRule
// archive.incomplete otherwise, the message listing ALL missing material names (field
// "materials"). Reads only: no scope check (the engine has checked the case already).
Status CheckComplete(store::Connection& conn, std::string_view case_no, const catalog::Item& item);

// Marks late (D2) every current material of the case captured after `step_completed_at` in the
// slots listed (all slots when empty), e.g. when the receive step completes; with an audit entry
// when anything changed. Returns the rows newly marked.
Result<std::vector<int64_t>> MarkLateMaterials(store::Connection& conn, std::string_view case_no,
                                               std::string_view step_completed_at,
                                               const std::vector<std::string>& material_codes,
                                               const org::Actor& actor, const Clock& clock);

}  // namespace hukou::archive
