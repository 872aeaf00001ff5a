// Chinese text folding for search: traditional → simplified (OpenCC) and Han → toneless pinyin
// (ICU transliteration). Both are cached per character, so bulk use (1M names) stays fast.
// Characters outside the BMP (生僻字) pass through unchanged when no mapping exists.
#pragma once

#include <string>
#include <string_view>

namespace hukou::codes {

// "張三" → "张三". Thread-safe.
std::string ToSimplified(std::string_view utf8);

// "张三" → "zhangsan" (lower case, no tones, no separators); ASCII letters are lower-cased and
// kept; other characters without a reading are dropped. Thread-safe.
std::string ToPinyin(std::string_view utf8);

// True when the text is entirely ASCII letters (a pinyin query rather than Han characters).
bool LooksLikePinyin(std::string_view text);

}  // namespace hukou::codes
