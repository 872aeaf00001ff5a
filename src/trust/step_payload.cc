#include "trust/step_payload.h"

#include <charconv>

namespace hukou::trust {

std::string MaterialLine(const MaterialHash& m) {
  std::string code;
  for (char ch : m.code) code += (ch == '\n' || ch == '\r') ? ' ' : ch;
  return "material=" + code + " " + std::to_string(m.version) + " " + m.sm3 + "\n";
}

StepPayloadRefs ParseStepPayload(std::string_view payload) {
  StepPayloadRefs out;
  while (!payload.empty()) {
    const size_t end = payload.find('\n');
    std::string_view line = payload.substr(0, end);
    payload = end == std::string_view::npos ? std::string_view() : payload.substr(end + 1);
    if (line.starts_with("case_no=")) {
      out.case_no = std::string(line.substr(8));
      continue;
    }
    if (!line.starts_with("material=")) continue;
    line.remove_prefix(9);
    // From the right: the hash, then the version; the code is what remains.
    MaterialHash m;
    const size_t hash_at = line.rfind(' ');
    const size_t version_at = hash_at == std::string_view::npos || hash_at == 0
                                  ? std::string_view::npos
                                  : line.rfind(' ', hash_at - 1);
    int64_t version = 0;
    if (version_at != std::string_view::npos) {
      std::string_view v = line.substr(version_at + 1, hash_at - version_at - 1);
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
      if (ec != std::errc() || ptr != v.data() + v.size()) version = 0;
    }
    if (version > 0) {
      m.code = std::string(line.substr(0, version_at));
      m.version = version;
      m.sm3 = std::string(line.substr(hash_at + 1));
    } else {
      m.code = std::string(line);
    }
    out.materials.push_back(std::move(m));
  }
  return out;
}

}  // namespace hukou::trust
