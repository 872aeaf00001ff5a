#include "store/sqlite/sql_rewrite.h"

#include <gtest/gtest.h>

namespace hukou::store::sqlite {
namespace {

TEST(RewritePlaceholdersTest, RewritesDollarNumbers) {
  EXPECT_EQ(RewritePlaceholders("SELECT * FROM t WHERE a = $1 AND b = $12"),
            "SELECT * FROM t WHERE a = ?1 AND b = ?12");
  EXPECT_EQ(RewritePlaceholders("VALUES($1,$2)"), "VALUES(?1,?2)");
}

TEST(RewritePlaceholdersTest, LeavesLiteralsIdentifiersAndCommentsAlone) {
  EXPECT_EQ(RewritePlaceholders("SELECT '$1', 'it''s $2', $3"), "SELECT '$1', 'it''s $2', ?3");
  EXPECT_EQ(RewritePlaceholders("SELECT \"col$1\" FROM t"), "SELECT \"col$1\" FROM t");
  EXPECT_EQ(RewritePlaceholders("SELECT $1 -- $2\n, $3"), "SELECT ?1 -- $2\n, ?3");
  EXPECT_EQ(RewritePlaceholders("SELECT /* $1 */ $2"), "SELECT /* $1 */ ?2");
  EXPECT_EQ(RewritePlaceholders("SELECT $$ || $a"), "SELECT $$ || $a");
}

TEST(RewritePlaceholdersTest, ToleratesUnterminatedTokens) {
  EXPECT_EQ(RewritePlaceholders("SELECT 'open $1"), "SELECT 'open $1");
  EXPECT_EQ(RewritePlaceholders("SELECT 1 /* open $1"), "SELECT 1 /* open $1");
  EXPECT_EQ(RewritePlaceholders("SELECT $"), "SELECT $");
}

}  // namespace
}  // namespace hukou::store::sqlite
