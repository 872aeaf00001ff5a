// Households (户) and addresses (地址) of the registry (A2, A3), with "as of" reads.
//
// A consistent household row has: household_number (unique; CreateHousehold allocates
// station_code + 6-digit sequence from household_sequences), kind (household_kind code table),
// address_id, station_code (= the address's station_code), status 'active', created_at,
// updated_at, head_person_id (the member with relation '02', may be NULL), and a change_log row
// (entity 'household', field '*', old '', new household_number) with the creation date as
// effective_date. An address row needs division_code (6), township_code (9), community_code
// (12), full_text and station_code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "registry/person.h"
#include "store/database.h"

namespace hukou::registry {

// 户号: the 12-digit code of the registering station followed by a 6-digit sequence
// ("420704510000000123"). household_sequences keeps the last sequence per station.
std::string FormatHouseholdNumber(std::string_view station_code, int64_t seq);
// The sequence of a number of that shape registered by the station, or nullopt.
std::optional<int64_t> HouseholdSequenceOf(std::string_view number, std::string_view station_code);

struct Address {
  int64_t id = 0;
  std::string division_code;
  std::string township_code;
  std::string community_code;
  std::string street, house_number, building, unit_no, room;
  std::string full_text;     // composed from the place names and parts when left empty on create
  std::string station_code;  // empty on create: the community's station from the place tables
  std::string created_at;
};

struct Household {
  int64_t id = 0;
  std::string household_number;
  std::string kind;  // family | collective | community_public
  std::string status;
  std::optional<int64_t> head_person_id;
  std::string station_code;
  std::string station_name;
  std::string created_at;
  std::string updated_at;
  Address address;
  std::vector<PersonSummary> members;  // head first, then by relation and birth date
  std::string as_of;
};

// Creates an address. Role CanEditRegistry (or system); scope: its station.
// Errors: kValidation address.division / address.township / address.community /
// address.station / address.full_text.
Result<Address> CreateAddress(store::Connection& conn, const Address& address,
                              const org::Actor& actor, const Clock& clock);

// Creates a household at an address with a newly allocated household number. Only one
// community_public household per township (kBusinessRule household.community_public_exists).
// Errors: kValidation household.kind, kNotFound address.not_found, kForbidden.
Result<Household> CreateHousehold(store::Connection& conn, std::string_view kind,
                                  int64_t address_id, const org::Actor& actor, const Clock& clock,
                                  const ChangeContext& ctx = {});

// A household with its members, as of a date when given (membership from the person.household_id
// history). Errors: kNotFound household.not_found, kForbidden scope.outside.
Result<Household> ReadHousehold(store::Connection& conn, std::string_view household_number,
                                const org::Actor& actor,
                                const std::optional<Date>& as_of = std::nullopt);

struct HouseholdSummary {
  int64_t id = 0;
  std::string household_number;
  std::string kind;
  std::string status;
  std::string address;
  std::string station_code;
  std::string head_name;
  int64_t member_count = 0;  // active members
};

template <typename T>
struct PageOf {
  std::vector<T> items;
  int64_t total = 0;
};

// Households in scope by exact number and/or address substring, ordered by number.
// Errors: kValidation household.query when both are empty.
Result<PageOf<HouseholdSummary>> ListHouseholds(store::Connection& conn,
                                                std::string_view household_number,
                                                std::string_view address_text,
                                                const org::Actor& actor, int limit, int offset);

struct AddressListItem {
  int64_t id = 0;
  std::string full_text;
  std::string community_code;
  std::vector<std::string> household_numbers;
};

// Addresses in scope by community and/or substring of the text, ordered by id.
Result<PageOf<AddressListItem>> ListAddresses(store::Connection& conn,
                                              std::string_view community_code, std::string_view q,
                                              const org::Actor& actor, int limit, int offset);

struct PlaceNode {
  std::string code;
  std::string name;
  std::string kind;  // county | township | community
  bool has_children = false;
};

// The jurisdiction tree (A3): with an empty parent the counties with places in the actor's
// scope; a county's townships; a township's communities — only those in scope.
// Errors: kValidation address.parent (unknown code), kForbidden scope.outside.
Result<std::vector<PlaceNode>> AddressTree(std::string_view parent, const org::Actor& actor);

// Escapes % _ and \ for LIKE … ESCAPE '\'.
std::string LikeEscape(std::string_view text);

}  // namespace hukou::registry
