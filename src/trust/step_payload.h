// The archive part of a signed case-step payload (issue #4, C7/D1): the case engine
// (cases::CanonicalPayload) writes one line per current material of the case,
//   material=<code> <version> <file SM3>
// and `hukou verify` reads them back from the stored payload to check that every material a
// decision was signed over still carries that hash. Payloads written before material hashes were
// signed (hukou-case-step=1) have no such lines and name nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hukou::trust {

struct MaterialHash {
  std::string code;  // archive slot: catalogue material code or "portrait"
  int64_t version = 0;
  std::string sm3;  // hex SM3 stored with the file
  bool operator==(const MaterialHash&) const = default;
};

// "material=<code> <version> <sm3>\n"; line breaks in the code become spaces (a code cannot
// forge a line).
std::string MaterialLine(const MaterialHash& m);

struct StepPayloadRefs {
  std::string case_no;                  // the "case_no=" line; empty when absent
  std::vector<MaterialHash> materials;  // the "material=" lines, in payload order
};
// Reads the case number and the material lines of a payload; a material line that does not
// parse (no version or hash) is returned with version 0 and the rest of the line as its code,
// so that the verifier reports it rather than skipping it.
StepPayloadRefs ParseStepPayload(std::string_view payload);

}  // namespace hukou::trust
