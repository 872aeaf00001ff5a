// Person search (A8), always restricted to the actor's data scope (H2) and paginated. Every path
// except the address substring is served by an index.
#pragma once

#include <string>

#include "base/status.h"
#include "org/actor.h"
#include "registry/household.h"
#include "registry/person.h"
#include "store/database.h"

namespace hukou::registry {

struct PersonQuery {
  std::string id_number;            // 18 characters; one '?' for an unknown digit
  std::string name;                 // Han characters (traditional or simplified) or pinyin letters
  std::string name_mode = "exact";  // exact | prefix (also former_name) | homophone (同音)
  std::string former_name;
  std::string address;           // substring of addresses.full_text
  std::string household_number;  // exact
  std::string status;            // active | cancelled | empty
};

struct PersonSearchResult {
  std::vector<PersonSummary> items;
  int64_t total = 0;
  // How the ID number matched: "exact", "unknown_digit" ('?' expanded) or "one_wrong_digit"
  // (nothing matched exactly; numbers differing in one digit that have a valid check character).
  std::string id_match;
};

// Checks the query. Errors (kValidation, field = parameter): search.empty, search.id_number,
// search.name_mode, search.status, search.name.
Status ValidateQuery(const PersonQuery& query);

// Runs the search. Results ordered by record id; summaries carry masked ID numbers.
Result<PersonSearchResult> SearchPersons(store::Connection& conn, const PersonQuery& query,
                                         const org::Actor& actor, int limit, int offset);

// Candidate numbers for an ID number with one '?': each digit 0–9 (or the check character) that
// yields a valid check character. Precondition: 18 characters, exactly one '?'.
std::vector<std::string> ExpandUnknownDigit(std::string_view number);
// Numbers that differ from `number` in exactly one position and have a valid check character.
std::vector<std::string> OneDigitVariants(std::string_view number);

}  // namespace hukou::registry
