#include "codes/chinese_text.h"

#include <opencc/opencc.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace hukou::codes {
namespace {

// One decoded UTF-8 character: its code point (or -1 for an invalid byte) and its bytes.
struct Utf8Char {
  int32_t cp;
  std::string_view bytes;
};

// Decodes the character starting at text[pos]; advances pos.
Utf8Char NextChar(std::string_view text, size_t& pos) {
  unsigned char c = static_cast<unsigned char>(text[pos]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || pos + len > text.size()) return {-1, text.substr(pos++, 1)};
  int32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (int i = 1; i < len; ++i) {
    unsigned char cc = static_cast<unsigned char>(text[pos + i]);
    if ((cc & 0xC0) != 0x80) return {-1, text.substr(pos++, 1)};
    cp = (cp << 6) | (cc & 0x3F);
  }
  Utf8Char out{cp, text.substr(pos, len)};
  pos += len;
  return out;
}

// A process-wide per-code-point cache filled on demand by a non-thread-safe converter; each
// thread keeps its own lock-free copy of the entries it has used in front of it.
class CharCache {
 public:
  template <typename Convert>
  std::string Lookup(int32_t cp, std::string_view bytes, Convert&& convert) {
    {
      std::shared_lock lock(mu_);
      auto it = map_.find(cp);
      if (it != map_.end()) return it->second;
    }
    std::unique_lock lock(mu_);
    auto it = map_.find(cp);
    if (it != map_.end()) return it->second;
    std::string value = convert(bytes);
    map_.emplace(cp, value);
    return value;
  }

 private:
  std::shared_mutex mu_;
  std::unordered_map<int32_t, std::string> map_;
};

// OpenCC traditional → simplified. Debian installs configs in /usr/share/opencc; opencc_open
// also searches its compiled-in data directory for a bare name.
class SimplifiedConverter {
 public:
  SimplifiedConverter() {
    for (const char* path :
         {"/usr/share/opencc/t2s.json", "/usr/local/share/opencc/t2s.json", "t2s.json"}) {
      if (path[0] == '/' && !std::filesystem::exists(path)) continue;
      opencc_t handle = opencc_open(path);
      // OpenCC reports failure as (opencc_t)-1.
      if (handle != reinterpret_cast<opencc_t>(-1)) {  // NOLINT(performance-no-int-to-ptr)
        handle_ = handle;
        break;
      }
    }
  }
  ~SimplifiedConverter() {
    if (handle_ != nullptr) opencc_close(handle_);
  }
  // Called under the cache's exclusive lock.
  std::string Convert(std::string_view bytes) {
    if (handle_ == nullptr) return std::string(bytes);
    char* out = opencc_convert_utf8(handle_, bytes.data(), bytes.size());
    if (out == nullptr) return std::string(bytes);
    std::string result(out);
    opencc_convert_utf8_free(out);
    return result;
  }

 private:
  opencc_t handle_ = nullptr;
};

// ICU Han → toneless lower-case ASCII.
class PinyinConverter {
 public:
  PinyinConverter() {
    UErrorCode status = U_ZERO_ERROR;
    translit_.reset(icu::Transliterator::createInstance("Han-Latin; Latin-ASCII; Lower",
                                                        UTRANS_FORWARD, status));
    if (U_FAILURE(status)) translit_.reset();
  }
  // Called under the cache's exclusive lock (ICU transliterators are not thread-safe).
  std::string Convert(std::string_view bytes) {
    if (!translit_) return {};
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(bytes.data(), static_cast<int32_t>(bytes.size())));
    translit_->transliterate(text);
    std::string utf8;
    text.toUTF8String(utf8);
    std::string letters;
    for (char c : utf8) {
      if (c >= 'a' && c <= 'z') letters.push_back(c);
    }
    return letters;
  }

 private:
  std::unique_ptr<icu::Transliterator> translit_;
};

}  // namespace

std::string ToSimplified(std::string_view utf8) {
  static SimplifiedConverter* converter = new SimplifiedConverter();
  static CharCache* cache = new CharCache();
  thread_local std::unordered_map<int32_t, std::string> local;  // lock-free front of `cache`
  std::string out;
  out.reserve(utf8.size());
  size_t pos = 0;
  while (pos < utf8.size()) {
    Utf8Char ch = NextChar(utf8, pos);
    if (ch.cp < 0x80) {
      out += ch.bytes;
      continue;
    }
    auto it = local.find(ch.cp);
    if (it == local.end()) {
      it = local
               .emplace(ch.cp, cache->Lookup(ch.cp, ch.bytes,
                                             [](std::string_view bytes) {
                                               return converter->Convert(bytes);
                                             }))
               .first;
    }
    out += it->second;
  }
  return out;
}

std::string ToPinyin(std::string_view utf8) {
  static PinyinConverter* converter = new PinyinConverter();
  static CharCache* cache = new CharCache();
  thread_local std::unordered_map<int32_t, std::string> local;  // lock-free front of `cache`
  std::string out;
  out.reserve(utf8.size() * 2);
  size_t pos = 0;
  while (pos < utf8.size()) {
    Utf8Char ch = NextChar(utf8, pos);
    if (ch.cp < 0) continue;
    if (ch.cp < 0x80) {
      char c = static_cast<char>(ch.cp);
      if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
      if (c >= 'a' && c <= 'z') out.push_back(c);
      continue;
    }
    auto it = local.find(ch.cp);
    if (it == local.end()) {
      it = local
               .emplace(ch.cp, cache->Lookup(ch.cp, ch.bytes,
                                             [](std::string_view bytes) {
                                               return converter->Convert(bytes);
                                             }))
               .first;
    }
    out += it->second;
  }
  return out;
}

bool LooksLikePinyin(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

}  // namespace hukou::codes
