// PostgreSQL-style placeholders for SQLite.
#pragma once

#include <string>
#include <string_view>

namespace hukou::store::sqlite {

// Rewrites $N placeholders to SQLite's ?N, leaving string literals, quoted identifiers and
// comments untouched.
std::string RewritePlaceholders(std::string_view sql);

}  // namespace hukou::store::sqlite
