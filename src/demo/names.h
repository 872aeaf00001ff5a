// Chinese personal names for the synthetic city: surnames by their real frequency in the
// population, given names in the style of the birth decade and sex, Mongolian names, and rare
// characters outside the BMP (生僻字).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace hukou::demo {

// Seeded generator plus exact, library-independent sampling (rejection sampling on mt19937_64).
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Uniform integer in [0, n). Precondition: n > 0.
  uint64_t Below(uint64_t n);
  // Uniform integer in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(hi - lo + 1)); }
  // True with probability per_million / 1e6.
  bool Chance(uint32_t per_million) { return Below(1000000) < per_million; }
  // Index drawn with the given integer weights. Precondition: some weight > 0.
  size_t Weighted(const std::vector<uint32_t>& weights, uint64_t total);

 private:
  std::mt19937_64 engine_;
};

// Splits UTF-8 text into its characters.
std::vector<std::string> Utf8Chars(std::string_view text);

class NameGenerator {
 public:
  NameGenerator();

  // A surname drawn by real frequency (compound surnames such as 欧阳 are rare).
  const std::string& Surname(Rng& rng) const;
  // A given name for sex "1"/"2" in the style of birth_year (one or two characters).
  std::string GivenName(Rng& rng, const std::string& sex, int birth_year) const;
  // A Mongolian name written in Chinese characters (no surname), e.g. 巴特尔, 其其格.
  const std::string& MongolianName(Rng& rng, const std::string& sex) const;
  // A rare character outside the BMP, e.g. 𠮷.
  const std::string& RareCharacter(Rng& rng) const;

 private:
  struct Style {
    int until_year;               // applies to birth years up to this one
    uint32_t single_per_million;  // share of one-character names
    std::vector<std::string> male_names, female_names;
    std::vector<std::string> male_first, male_second, female_first, female_second;
    std::vector<std::string> male_single, female_single;
  };
  const Style& StyleFor(int birth_year) const;

  std::vector<std::string> surnames_;
  std::vector<uint32_t> surname_weights_;
  uint64_t surname_total_ = 0;
  std::vector<Style> styles_;
  std::vector<std::string> mongolian_male_, mongolian_female_, rare_;
};

}  // namespace hukou::demo
