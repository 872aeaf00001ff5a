// Organisation of the electronic archive (C5) and the paper track (C3). One case, one booklet
// (一件一册): when a case closes the case engine calls ArchiveCase, which files the booklet in the
// volume (卷) of its station, year and volume type and gives it its archive code (档号)
// "<station>-<year>-<type code>-<sequence, 4 digits>", e.g. 420704510000-2026-CS-0001. Cases
// received at another station's window (全域通办) go to that station's separate volume QY.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/material.h"
#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "store/database.h"

namespace hukou::archive {

struct VolumeType {
  std::string_view name;   // birth
  std::string_view code;   // CS (in archive codes)
  std::string_view title;  // 出生
};
// All volume types in display order: birth 出生, death 死亡, migrate_in 迁入, migrate_out 迁出,
// change 变更更正, booklet 户口簿, household 分户立户, other 其他, city_wide 全域通办.
const std::vector<VolumeType>& VolumeTypes();
// The type by name, or nullopt.
std::optional<VolumeType> FindVolumeType(std::string_view name);
// The volume type of a case: city_wide when received at another station's window, otherwise by
// the item's effect (catalog Item.effect): birth/register → birth; death/cancel → death;
// migrate_in/restore → migrate_in; migrate_out; change_main/change_aux → change; document →
// booklet; household_* → household; anything else → other.
std::string_view VolumeTypeFor(std::string_view effect, std::string_view station_code,
                               std::string_view receiving_station_code);

// The facts of a closed case the booklet needs (given by the case engine).
struct CaseFacts {
  std::string case_no;
  std::string item_code;
  int item_version = 0;
  std::string item_name;
  std::string effect;                  // catalog Item.effect
  std::string station_code;            // handling station (owns the archive)
  std::string receiving_station_code;  // window that received it; "" = the same station
  std::string applicant_name;
  std::string applicant_id_number;
  std::string outcome;      // approved | rejected | cancelled …
  std::string received_at;  // ISO instant
  std::string closed_at;    // ISO instant; its year (China time) is the volume year
};

struct Booklet {
  int64_t id = 0;
  std::string archive_code;
  std::string case_no;
  std::string volume_code;
  std::string volume_type;
  int64_t year = 0;
  int64_t sequence = 0;
  std::string station_code;
  std::string receiving_station_code;
  std::string item_code;
  int64_t item_version = 0;
  std::string item_name;
  std::string applicant_name;
  std::string applicant_id_number;
  std::string outcome;
  std::string received_at;
  std::string closed_at;
  std::string archived_at;
  int64_t material_count = 0;  // current versions
  // The paper track: current registration, empty when none.
  std::string paper_location;
  std::string paper_batch;
  std::string paper_registered_at;
  std::string bound_at;
};

// Files the case as a booklet with its archive code, in one transaction with an audit entry.
// Idempotent: a case already archived returns its booklet unchanged. Errors: kValidation
// archive.case_no / archive.station_code / archive.closed_at / archive.item_code; kForbidden.
Result<Booklet> ArchiveCase(store::Connection& conn, const CaseFacts& facts,
                            const org::Actor& actor, const Clock& clock);

// A booklet by case number or archive code. Errors: kNotFound archive.booklet_not_found; scope.
Result<Booklet> GetBooklet(store::Connection& conn, std::string_view case_no_or_code,
                           const org::Actor& actor);

struct Volume {
  int64_t id = 0;
  std::string code;
  std::string station_code;
  std::string station_name;
  int64_t year = 0;
  std::string volume_type;
  std::string volume_title;
  int64_t booklet_count = 0;
};
// Volumes in the actor's scope, optionally of one station and/or year, by station, year, type.
Result<std::vector<Volume>> ListVolumes(store::Connection& conn, std::string_view station_code,
                                        std::optional<int64_t> year, const org::Actor& actor);
// Booklets of a volume by sequence (paged). Errors: kNotFound archive.volume_not_found; scope.
Result<std::vector<Booklet>> ListBooklets(store::Connection& conn, std::string_view volume_code,
                                          int limit, int offset, const org::Actor& actor);

// 卷内目录: the booklet's documents in order — each current captured material, ordered as the
// capture catalogue was captured (portrait last). What a booklet PDF (src/render) needs.
struct CatalogueEntry {
  int sequence = 0;  // 1-based
  std::string title;
  std::string material_code;
  int64_t material_id = 0;
  int64_t version = 0;
  int64_t file_id = 0;
  std::string mime;
  std::string sm3;
  std::string source;
  std::string captured_at;
  std::string captured_by_name;
  bool late = false;
};
Result<std::vector<CatalogueEntry>> BookletCatalogue(store::Connection& conn,
                                                     std::string_view case_no,
                                                     const org::Actor& actor);

// Registers (or re-registers, as a new row) the case's paper file at its location in a binding
// batch, with an audit entry. The case must be archived. Police within scope. Errors: kValidation
// archive.location / archive.binding_batch; kNotFound archive.booklet_not_found; kForbidden;
// kBusinessRule archive.already_bound when its current batch is bound.
Result<Booklet> RegisterPaperFile(store::Connection& conn, std::string_view case_no,
                                  std::string_view location, std::string_view binding_batch,
                                  const org::Actor& actor, const Clock& clock);
// Marks a station's binding batch bound (装订). Errors: kConflict archive.batch_bound; kNotFound
// archive.batch_not_found (no paper file in it); kForbidden.
Status BindBatch(store::Connection& conn, std::string_view station_code, std::string_view batch,
                 const org::Actor& actor, const Clock& clock);

// Monthly binding status of a station (C3): cases archived (closed) in the month, with a paper
// file registered, and bound. month is "YYYY-MM" (China time of closed_at).
struct BindingMonth {
  std::string station_code;
  std::string month;
  int64_t closed = 0;
  int64_t paper_registered = 0;
  int64_t bound = 0;
};
Result<std::vector<BindingMonth>> BindingStatus(store::Connection& conn,
                                                std::string_view station_code,
                                                std::optional<int64_t> year,
                                                const org::Actor& actor);

}  // namespace hukou::archive
