#include "codes/chinese_text.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace hukou::codes {
namespace {

TEST(ChineseTextTest, ToSimplified) {
  EXPECT_EQ(ToSimplified("張三"), "张三");
  EXPECT_EQ(ToSimplified("歐陽"), "欧阳");
  EXPECT_EQ(ToSimplified("张三"), "张三");
  EXPECT_EQ(ToSimplified("abc 123"), "abc 123");
  EXPECT_EQ(ToSimplified(""), "");
}

TEST(ChineseTextTest, CharactersOutsideTheBmpSurvive) {
  const std::string rare = "\xF0\xA0\x80\xBE";  // U+2003E
  EXPECT_EQ(ToSimplified(rare), rare);
  EXPECT_EQ(ToSimplified("張" + rare + "國"), "张" + rare + "国");
  // No reading for it: dropped from the pinyin, the rest is kept.
  EXPECT_EQ(ToPinyin("張" + rare + "國"), "zhangguo");
}

TEST(ChineseTextTest, InvalidUtf8BytesPassThroughToSimplified) {
  const std::string broken = "a\xFF\xFE張";
  EXPECT_EQ(ToSimplified(broken), "a\xFF\xFE张");
  EXPECT_EQ(ToPinyin(broken), "azhang");
}

TEST(ChineseTextTest, ToPinyin) {
  EXPECT_EQ(ToPinyin("张三"), "zhangsan");
  EXPECT_EQ(ToPinyin("欧阳娜娜"), "ouyangnana");
  EXPECT_EQ(ToPinyin("李Ming 2号"), "liminghao");
  EXPECT_EQ(ToPinyin("吕"), "lu");
  EXPECT_EQ(ToPinyin(""), "");
}

TEST(ChineseTextTest, LooksLikePinyin) {
  EXPECT_TRUE(LooksLikePinyin("zhangsan"));
  EXPECT_TRUE(LooksLikePinyin("ZhangSan"));
  EXPECT_FALSE(LooksLikePinyin("张三"));
  EXPECT_FALSE(LooksLikePinyin("zhang san"));
  EXPECT_FALSE(LooksLikePinyin(""));
}

TEST(ChineseTextTest, ConcurrentUseGivesSameResults) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 200; ++i) {
        if (ToPinyin("欧阳娜娜張國榮") != "ouyangnanazhangguorong") ++failures[t];
        if (ToSimplified("歐陽張國榮") != "欧阳张国荣") ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace hukou::codes
