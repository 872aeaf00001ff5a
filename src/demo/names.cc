#include "demo/names.h"

#include <limits>
#include <sstream>

namespace hukou::demo {
namespace {

// Surnames with their approximate share of the population in units of 0.001 % (national
// statistics of the 2020s: 王 7.1 %, 李 7.0 %, 张 6.7 % …); the tail stands for all others.
constexpr std::pair<const char*, uint32_t> kSurnames[] = {
    {"王", 7120}, {"李", 7000}, {"张", 6740}, {"刘", 5380}, {"陈", 4530}, {"杨", 3080},
    {"黄", 2230}, {"赵", 2290}, {"吴", 2050}, {"周", 1950}, {"徐", 1670}, {"孙", 1540},
    {"马", 1440}, {"朱", 1260}, {"胡", 1320}, {"郭", 1130}, {"何", 1170}, {"林", 1050},
    {"高", 1050}, {"罗", 910},  {"郑", 870},  {"梁", 860},  {"谢", 760},  {"宋", 730},
    {"唐", 730},  {"许", 680},  {"韩", 660},  {"冯", 650},  {"邓", 670},  {"曹", 610},
    {"彭", 580},  {"曾", 590},  {"肖", 570},  {"田", 530},  {"董", 510},  {"袁", 490},
    {"潘", 480},  {"于", 480},  {"蒋", 480},  {"蔡", 460},  {"余", 450},  {"杜", 430},
    {"叶", 430},  {"程", 430},  {"苏", 410},  {"魏", 410},  {"吕", 400},  {"丁", 400},
    {"任", 390},  {"沈", 380},  {"姚", 360},  {"卢", 360},  {"姜", 340},  {"崔", 340},
    {"钟", 330},  {"谭", 330},  {"陆", 320},  {"汪", 310},  {"范", 310},  {"金", 310},
    {"石", 300},  {"廖", 300},  {"贾", 290},  {"夏", 290},  {"韦", 280},  {"付", 280},
    {"方", 270},  {"白", 270},  {"邹", 260},  {"孟", 260},  {"熊", 260},  {"秦", 250},
    {"邱", 250},  {"江", 250},  {"尹", 250},  {"薛", 240},  {"闫", 240},  {"段", 230},
    {"雷", 230},  {"侯", 230},  {"龙", 230},  {"史", 220},  {"陶", 220},  {"黎", 210},
    {"贺", 210},  {"顾", 210},  {"毛", 210},  {"郝", 200},  {"龚", 200},  {"邵", 200},
    {"万", 190},  {"钱", 190},  {"严", 190},  {"覃", 180},  {"武", 180},  {"戴", 180},
    {"莫", 170},  {"孔", 170},  {"向", 170},  {"汤", 160},  {"常", 160},  {"温", 150},
    {"康", 150},  {"施", 140},  {"文", 140},  {"牛", 140},  {"樊", 140},  {"葛", 130},
    {"邢", 130},  {"安", 120},  {"齐", 120},  {"易", 120},  {"乔", 120},  {"伍", 110},
    {"庞", 110},  {"颜", 110},  {"倪", 110},  {"庄", 100},  {"聂", 100},  {"章", 100},
    {"鲁", 100},  {"岳", 90},   {"翟", 90},   {"殷", 90},   {"詹", 90},   {"申", 90},
    {"欧", 90},   {"耿", 90},   {"关", 90},   {"兰", 80},   {"焦", 80},   {"俞", 80},
    {"左", 80},   {"柳", 80},   {"甘", 80},   {"祝", 80},   {"包", 80},   {"宁", 70},
    {"尚", 70},   {"符", 70},   {"舒", 70},   {"阮", 70},   {"柯", 70},   {"纪", 70},
    {"梅", 70},   {"童", 60},   {"凌", 60},   {"毕", 60},   {"单", 60},   {"季", 60},
    {"裴", 60},   {"霍", 60},   {"涂", 60},   {"成", 60},   {"苗", 60},   {"谷", 60},
    {"盛", 50},   {"曲", 50},   {"翁", 50},   {"冉", 50},   {"骆", 50},   {"蓝", 50},
    {"路", 50},   {"游", 50},   {"辛", 50},   {"靳", 50},   {"欧阳", 20}, {"上官", 4},
    {"司马", 5},  {"诸葛", 3},  {"东方", 3},  {"皇甫", 2},  {"令狐", 2},  {"慕容", 2},
};

struct StyleText {
  int until_year;
  uint32_t single_per_million;
  const char* male_names;  // two-character given names, space separated
  const char* female_names;
  const char* male_single;  // one-character given names
  const char* female_single;
};

// Popular given names by birth decade.
constexpr StyleText kStyles[] = {
    {1949, 250000,
     "德明 国华 福生 金生 长发 庆华 玉山 振华 宝山 永福 志成 家福 桂林 树林 春生 炳南 文才 德胜 "
     "富贵 有才 长青 万春 子清 荣华",
     "秀英 桂英 玉兰 秀兰 凤英 桂兰 玉珍 淑珍 桂芳 翠兰 金花 玉梅 素珍 兰英 凤兰 秀珍 春花 "
     "玉凤 金凤 翠英",
     "福 贵 山 财 生 才 海 林 发 全", "兰 英 珍 梅 凤 花 娥 芝"},
    {1959, 250000,
     "建国 建华 国强 建平 卫国 援朝 志刚 国庆 和平 建军 国平 新民 跃进 胜利 解放 自力 "
     "建设 振国 德华 光明 国栋 洪涛",
     "秀珍 桂兰 淑英 秀华 玉英 凤珍 建英 美华 桂珍 秀芳 新华 丽华 淑华 玉华 凤英 秀云 "
     "素英 美英 爱珍",
     "军 兵 平 明 华 忠 强 林 刚 斌", "英 华 珍 兰 芳 萍 玲 琴 霞"},
    {1969, 300000,
     "卫东 红军 建军 向东 卫红 志强 国华 永红 建新 学军 建设 爱国 立新 红兵 文革 卫兵 "
     "向阳 海军 建林 国明 小平",
     "红梅 红霞 丽华 卫红 红英 秀梅 春梅 小红 艳华 爱华 建红 海燕 向红 红艳 丽萍 桂香 "
     "小英 永红 亚萍",
     "军 兵 勇 强 红 伟 斌 东 华 平 刚 明", "红 霞 梅 芳 萍 英 燕 玲 华 琴 莉"},
    {1979, 350000,
     "志强 海涛 建华 振华 永强 立军 海波 晓东 小军 文斌 志勇 建波 红兵 晓峰 国栋 立新 "
     "春雷 海龙 剑锋 志刚 小兵 建伟",
     "丽娟 晓燕 春燕 海燕 丽华 玉霞 秀丽 艳红 丽萍 小芳 红霞 晓红 美玲 春霞 晓丽 丽君 "
     "亚楠 秀娟 晓梅",
     "伟 勇 军 强 斌 刚 涛 明 辉 杰 峰 波 华 东 亮", "丽 敏 燕 艳 娟 霞 静 芳 萍 红 英 玲 琴"},
    {1989, 450000,
     "晓明 志伟 建伟 俊杰 海洋 文杰 小龙 家豪 晓东 振宇 志鹏 建锋 永刚 晓峰 鹏飞 海峰 "
     "文龙 小磊 成龙",
     "晓丽 丽娜 婷婷 晓燕 玲玲 佳慧 丽丽 晓静 静静 雪梅 晓娟 春燕 小燕 倩倩 晓琳 丹丹 "
     "美玲 亚男",
     "伟 磊 涛 鹏 超 强 军 杰 浩 斌 亮 俊 明 帅 刚 勇 峰 龙 辉 飞",
     "静 丽 娟 婷 敏 燕 丹 莉 倩 琳 颖 艳 芳 洁 琴 慧 晶"},
    {1999, 300000,
     "子豪 家乐 俊杰 文博 浩然 鹏飞 宇航 思远 天宇 佳明 志豪 俊豪 明轩 博文 一帆 浩楠 "
     "嘉豪 子健 宏宇 振宇",
     "欣怡 佳怡 思琪 雨婷 梦瑶 晓雪 佳欣 雨欣 婷婷 诗雨 雅琪 佳琪 梦婷 思雨 慧敏 晨曦 "
     "雪莹 心怡 雅婷",
     "浩 杰 鑫 宇 磊 鹏 帅 博 凯 超 阳 龙 旭", "婷 雪 颖 倩 洁 琪 璐 瑶 欣 蕾 萌 悦"},
    {2009, 150000,
     "浩然 子轩 宇轩 浩宇 俊熙 梓豪 博文 宇航 浩轩 一鸣 皓轩 子墨 俊杰 子豪 明哲 睿哲 "
     "嘉懿 文轩 思源 锦程",
     "欣怡 梓涵 诗涵 雨涵 可馨 子涵 思涵 梦琪 佳怡 紫涵 雨桐 欣妍 语嫣 雨萱 佳琪 梓萱 "
     "诗琪 若曦 心怡",
     "浩 宇 轩 博 睿 航 鑫 豪", "涵 琪 萱 妍 怡 瑶 悦 彤"},
    {2019, 80000,
     "梓轩 浩宇 子墨 宇泽 一诺 奕辰 沐阳 梓睿 俊宇 子睿 铭轩 宇辰 浩然 宸宇 梓晨 睿泽 "
     "皓宇 思辰 锦轩 明轩",
     "一诺 梓涵 欣怡 若汐 语桐 子涵 诗琪 依诺 可欣 雨萱 梓萱 芷若 欣妍 思涵 梦瑶 语嫣 "
     "诗涵 可馨 佳琪",
     "宸 睿 泽 轩 辰 昊 航", "萱 涵 妍 汐 诺 琪 悦"},
    {9999, 80000,
     "沐宸 浩宇 沐辰 宥辰 一鸣 奕辰 梓睿 承泽 知远 言诚 睿渊 景行 煜祺 亦辰 铭泽 若宸 "
     "泽宇 瑾瑜 清扬 安澜",
     "若汐 一诺 语桐 芊芊 梓萱 安然 知夏 沐夕 星妍 语汐 芷晴 清欢 书瑶 梦琪 可馨 初夏 "
     "诗琪 沐瑶 念安",
     "宸 睿 泽 铮 骁 屹 澈", "汐 诺 冉 玥 瑶 妍 苒"},
};

constexpr const char* kMongolianMale =
    "巴特尔 额尔敦 那日苏 朝鲁 孟和 宝音 苏和 阿拉坦 巴图 布和 特木尔 格日勒图 斯琴巴图 "
    "乌力吉 毕力格 达来 哈斯 敖其尔 图门 吉日木图";
constexpr const char* kMongolianFemale =
    "其其格 乌日娜 斯琴 萨仁 塔娜 高娃 乌兰 托娅 娜仁 苏日娜 格日乐 图雅 阿拉坦其其格 "
    "萨日娜 乌云 敖敦 额尔德尼 琪琪格";
// Characters outside the BMP seen in real names (CJK Extension B and later).
constexpr const char* kRare = "𠀾 𪚥 𠮷 𡈼 𬘭 𬊤 𬍤 𫖮 𬀩 𫭟 𬱖 𬌗";

std::vector<std::string> Words(const char* text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

}  // namespace

uint64_t Rng::Below(uint64_t n) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = max - (max % n);
  uint64_t r;
  do {
    r = engine_();
  } while (r >= limit);
  return r % n;
}

size_t Rng::Weighted(const std::vector<uint32_t>& weights, uint64_t total) {
  uint64_t x = Below(total);
  for (size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return weights.size() - 1;
}

std::vector<std::string> Utf8Chars(std::string_view text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > text.size()) len = text.size() - i;
    out.emplace_back(text.substr(i, len));
    i += len;
  }
  return out;
}

NameGenerator::NameGenerator() {
  for (const auto& [name, weight] : kSurnames) {
    surnames_.emplace_back(name);
    surname_weights_.push_back(weight);
    surname_total_ += weight;
  }
  for (const StyleText& t : kStyles) {
    Style s;
    s.until_year = t.until_year;
    s.single_per_million = t.single_per_million;
    s.male_names = Words(t.male_names);
    s.female_names = Words(t.female_names);
    s.male_single = Words(t.male_single);
    s.female_single = Words(t.female_single);
    for (const auto& n : s.male_names) {
      auto chars = Utf8Chars(n);
      s.male_first.push_back(chars[0]);
      s.male_second.push_back(chars[1]);
    }
    for (const auto& n : s.female_names) {
      auto chars = Utf8Chars(n);
      s.female_first.push_back(chars[0]);
      s.female_second.push_back(chars[1]);
    }
    styles_.push_back(std::move(s));
  }
  mongolian_male_ = Words(kMongolianMale);
  mongolian_female_ = Words(kMongolianFemale);
  rare_ = Words(kRare);
}

const std::string& NameGenerator::Surname(Rng& rng) const {
  return surnames_[rng.Weighted(surname_weights_, surname_total_)];
}

const NameGenerator::Style& NameGenerator::StyleFor(int birth_year) const {
  for (const Style& s : styles_) {
    if (birth_year <= s.until_year) return s;
  }
  return styles_.back();
}

std::string NameGenerator::GivenName(Rng& rng, const std::string& sex, int birth_year) const {
  const Style& s = StyleFor(birth_year);
  const bool male = sex == "1";
  if (rng.Chance(s.single_per_million)) {
    const auto& pool = male ? s.male_single : s.female_single;
    return pool[rng.Below(pool.size())];
  }
  if (rng.Chance(500000)) {
    const auto& pool = male ? s.male_names : s.female_names;
    return pool[rng.Below(pool.size())];
  }
  const auto& first = male ? s.male_first : s.female_first;
  const auto& second = male ? s.male_second : s.female_second;
  return first[rng.Below(first.size())] + second[rng.Below(second.size())];
}

const std::string& NameGenerator::MongolianName(Rng& rng, const std::string& sex) const {
  const auto& pool = sex == "1" ? mongolian_male_ : mongolian_female_;
  return pool[rng.Below(pool.size())];
}

const std::string& NameGenerator::RareCharacter(Rng& rng) const {
  return rare_[rng.Below(rare_.size())];
}

}  // namespace hukou::demo
