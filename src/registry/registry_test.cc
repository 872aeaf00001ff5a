// Registry tests on a real database: SQLite always, PostgreSQL too when HUKOU_TEST_PG_URL is set
// (a fresh database per test, dropped afterwards).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "codes/id_number.h"
#include "registry/access_log.h"
#include "registry/history.h"
#include "registry/household.h"
#include "registry/person.h"
#include "registry/photo.h"
#include "registry/search.h"
#include "trust/sm3.h"

namespace hukou::registry {
namespace {

constexpr char kStation1[] = "420704510000";  // 凤凰派出所
constexpr char kStation2[] = "420704520000";  // 古楼派出所

std::chrono::system_clock::time_point At(int y, int m, int d) {
  return std::chrono::system_clock::time_point(std::chrono::hours(24 * Date{y, m, d}.ToDays() + 4));
}

std::string PgUrlWithDatabase(const std::string& url, const std::string& db) {
  size_t q = url.find('?');
  std::string base = url.substr(0, q);
  std::string rest = q == std::string::npos ? "" : url.substr(q);
  size_t slash = base.rfind('/');
  if (slash == std::string::npos || slash < base.find("//") + 2) return base + "/" + db + rest;
  return base.substr(0, slash + 1) + db + rest;
}

// Runs one statement outside a transaction (CREATE / DROP DATABASE) on the admin connection.
bool PgAdmin(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(conn, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) ADD_FAILURE() << PQerrorMessage(conn);
    PQclear(r);
  } else {
    ADD_FAILURE() << PQerrorMessage(conn);
  }
  PQfinish(conn);
  return ok;
}

std::vector<std::string> Backends() {
  std::vector<std::string> b = {"sqlite"};
  if (std::getenv("HUKOU_TEST_PG_URL")) b.push_back("postgres");
  return b;
}

org::Actor MakeActor(int64_t user_id, org::Role role, std::string scope) {
  org::Actor a;
  a.user_id = user_id;
  a.login = "u" + std::to_string(user_id);
  a.name = "民警" + std::to_string(user_id);
  a.role = role;
  a.unit_code = scope.size() == 12 ? scope : std::string(kStation1);
  a.scope_prefix = std::move(scope);
  return a;
}

class RegistryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    std::mt19937_64 rng(std::random_device{}());
    name_ = "hukou_reg_" + std::to_string(rng() % 1000000000) + "_" + std::to_string(counter++);
    std::string url;
    if (GetParam() == "sqlite") {
      path_ = (std::filesystem::temp_directory_path() / (name_ + ".db")).string();
      url = "sqlite:" + path_;
    } else {
      admin_url_ = std::getenv("HUKOU_TEST_PG_URL");
      ASSERT_TRUE(PgAdmin(admin_url_, "CREATE DATABASE " + name_ +
                                          " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' "
                                          "LC_CTYPE 'C'"));
      url = PgUrlWithDatabase(admin_url_, name_);
    }
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    auto migrated = db_->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    ASSERT_TRUE(Write([&](store::Connection& c) -> Status {
                  for (const char* st : {kStation1, kStation2}) {
                    HUKOU_RETURN_IF_ERROR(
                        c.Exec("INSERT INTO units (code, name, kind, scope_prefix, "
                               "division_code, created_at) VALUES ($1, $2, 'station', $1, "
                               "'420704', 'x')",
                               {std::string(st),
                                std::string(st) == kStation1 ? "凤凰派出所" : "古楼派出所"})
                            .status());
                  }
                  return c
                      .Exec(
                          "INSERT INTO users (id, login, password_hash, name, role, unit_code, "
                          "created_at) VALUES (7, 'li', 'x', '李警官', 'police', $1, 'x')",
                          {std::string(kStation1)})
                      .status();
                }).ok());
    h1_ = MakeHousehold("family", kStation1, "420704001", "420704001001",
                        "湖北省鄂州市鄂城区凤凰街道寒溪社区文星路12号");
    h2_ = MakeHousehold("family", kStation1, "420704001", "420704001002",
                        "湖北省鄂州市鄂城区凤凰街道文星社区滨湖南路8号");
    h3_ = MakeHousehold("family", kStation2, "420704002", "420704002001",
                        "湖北省鄂州市鄂城区古楼街道南浦路3号");
  }

  void TearDown() override {
    db_.reset();
    if (GetParam() == "sqlite") {
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    } else if (!admin_url_.empty()) {
      PgAdmin(admin_url_, "DROP DATABASE IF EXISTS " + name_);
    }
  }

  Status Write(const std::function<Status(store::Connection&)>& fn) { return db_->Transact(fn); }

  Household MakeHousehold(const std::string& kind, const std::string& station,
                          const std::string& township, const std::string& community,
                          const std::string& text) {
    Household out;
    Status s = Write([&](store::Connection& c) -> Status {
      Address a;
      a.division_code = "420704";
      a.township_code = township;
      a.community_code = community;
      a.full_text = text;
      a.station_code = station;
      HUKOU_ASSIGN_OR_RETURN(Address created, CreateAddress(c, a, city_, clock_));
      ChangeContext ctx;
      ctx.effective_date = "2000-01-01";
      HUKOU_ASSIGN_OR_RETURN(out, CreateHousehold(c, kind, created.id, city_, clock_, ctx));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().message;
    return out;
  }

  NewPerson Sample(const std::string& name, int seq, const Household& h,
                   Date birth = Date{1990, 5, 1}) {
    NewPerson p;
    p.id_number = codes::ComposeIdNumber("420704", birth, seq);
    p.name = name;
    p.sex = seq % 2 ? "1" : "2";
    p.ethnicity = "01";
    p.household_id = h.id;
    p.relation_to_head = "02";
    return p;
  }

  Result<Person> Register(const NewPerson& p, const std::string& effective = "2010-01-01",
                          const org::Actor* actor = nullptr) {
    Result<Person> out = InternalError("x", "x");
    Status s = Write([&](store::Connection& c) -> Status {
      ChangeContext ctx;
      ctx.effective_date = effective;
      out = RegisterPerson(c, p, actor ? *actor : police_, clock_, ctx);
      return out.status();
    });
    return out;
  }

  template <typename T>
  Result<T> ReadTx(const std::function<Result<T>(store::Connection&)>& fn) {
    Result<T> out = InternalError("x", "x");
    (void)db_->Read([&](store::Connection& c) {
      out = fn(c);
      return Status::Ok();
    });
    return out;
  }

  int64_t Count(const std::string& table) {
    auto r = ReadTx<int64_t>([&](store::Connection& c) -> Result<int64_t> {
      HUKOU_ASSIGN_OR_RETURN(store::Rows rows, c.Query("SELECT COUNT(*) FROM " + table));
      return rows.Int(0, 0);
    });
    return r.ok() ? *r : -1;
  }

  Result<PersonSearchResult> Search(const PersonQuery& q, const org::Actor& actor) {
    return ReadTx<PersonSearchResult>(
        [&](store::Connection& c) { return SearchPersons(c, q, actor, 20, 0); });
  }

  FixedClock clock_{At(2024, 6, 1)};
  org::Actor police_ = MakeActor(7, org::Role::kPolice, kStation1);
  org::Actor city_ = MakeActor(8, org::Role::kCityApprover, "4207");
  org::Actor other_station_ = MakeActor(9, org::Role::kPolice, kStation2);
  std::unique_ptr<store::Database> db_;
  std::string path_, name_, admin_url_;
  Household h1_, h2_, h3_;
};

TEST_P(RegistryTest, RegisterAndReadBackIncludingRareCharacter) {
  NewPerson in = Sample("王𠀾", 123, h1_);
  in.former_names = {"王小明", "王明"};
  in.phone = "13800138000";
  auto p = Register(in);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "王𠀾");
  EXPECT_EQ(p->former_names, "王小明、王明");
  EXPECT_EQ(p->household_number, h1_.household_number);
  EXPECT_EQ(p->station_name, "凤凰派出所");
  EXPECT_EQ(p->birth_date, "1990-05-01");

  auto by_number =
      ReadTx<Person>([&](store::Connection& c) { return ReadPerson(c, in.id_number, police_); });
  ASSERT_TRUE(by_number.ok());
  EXPECT_EQ(by_number->name, "王𠀾");
  EXPECT_EQ(by_number->phone, "13800138000");
  auto by_id = ReadTx<Person>(
      [&](store::Connection& c) { return ReadPerson(c, std::to_string(p->id), police_); });
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->id_number, in.id_number);

  auto household = ReadTx<Household>(
      [&](store::Connection& c) { return ReadHousehold(c, h1_.household_number, police_); });
  ASSERT_TRUE(household.ok());
  ASSERT_EQ(household->members.size(), 1u);
  EXPECT_EQ(household->members[0].name, "王𠀾");
  EXPECT_EQ(household->head_person_id, p->id);
  EXPECT_EQ(Count("person_former_names"), 2);
  EXPECT_GE(Count("audit_log"), 1);
}

TEST_P(RegistryTest, BadIdNumberIsRejectedAndNothingWritten) {
  NewPerson in = Sample("李四", 125, h1_);
  in.id_number[17] = in.id_number[17] == '1' ? '2' : '1';
  const int64_t audit_before = Count("audit_log");
  auto p = Register(in);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, ErrorKind::kValidation);
  EXPECT_EQ(p.error().field, "id_number");
  EXPECT_EQ(Count("persons"), 0);
  EXPECT_EQ(Count("audit_log"), audit_before);

  NewPerson wrong_sex = Sample("李四", 125, h1_);
  wrong_sex.sex = "2";
  auto r = Register(wrong_sex);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "sex");
  EXPECT_EQ(Count("persons"), 0);
}

TEST_P(RegistryTest, AsOfReadsUndoLaterChanges) {
  NewPerson in = Sample("张三", 131, h1_);
  in.phone = "13000000001";
  auto p = Register(in, "2015-03-01");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(Write([&](store::Connection& c) -> Status {
                ChangeContext ctx;
                ctx.effective_date = "2022-01-01";
                return UpdatePerson(c, p->id, {{"phone", "13999999999"}, {"workplace", "鄂钢"}}, 0,
                                    police_, clock_, ctx)
                    .status();
              }).ok());
  auto read = [&](const char* date) {
    return ReadTx<Person>(
        [&](store::Connection& c) { return ReadPersonById(c, p->id, police_, Date::Parse(date)); });
  };
  auto before = read("2021-12-31");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->phone, "13000000001");
  EXPECT_EQ(before->workplace, "");
  EXPECT_EQ(before->as_of, "2021-12-31");
  auto after = read("2022-01-01");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->phone, "13999999999");
  EXPECT_EQ(after->workplace, "鄂钢");
  auto not_yet = read("2015-02-28");
  ASSERT_FALSE(not_yet.ok());
  EXPECT_EQ(not_yet.error().code, "person.not_found");
}

TEST_P(RegistryTest, HistoryHasOneRowPerChangedFieldWithOldAndNew) {
  auto p = Register(Sample("赵六", 141, h1_));
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(Write([&](store::Connection& c) -> Status {
                return UpdatePerson(
                           c, p->id,
                           {{"phone", "13512345678"}, {"marital_status", "20"}, {"occupation", ""}},
                           p->version, police_, clock_, ChangeContext{"", {}, "", "本人申请更正"})
                    .status();
              }).ok());
  auto history =
      ReadTx<std::vector<Change>>([&](store::Connection& c) { return PersonHistory(c, p->id); });
  ASSERT_TRUE(history.ok());
  std::map<std::string, Change> by_field;
  for (const Change& c : *history) by_field[c.field] = c;
  ASSERT_TRUE(by_field.count("phone"));
  EXPECT_EQ(by_field["phone"].field_name, "联系电话");
  EXPECT_EQ(by_field["phone"].old_value, "");
  EXPECT_EQ(by_field["phone"].new_value, "13512345678");
  EXPECT_EQ(by_field["phone"].operator_name, "李警官");
  EXPECT_EQ(by_field["phone"].action, "update");
  EXPECT_EQ(by_field["marital_status"].field_name, "婚姻状况");
  EXPECT_EQ(by_field["phone"].reason, "本人申请更正");
  EXPECT_EQ(by_field["marital_status"].new_value, "已婚（20）");
  EXPECT_FALSE(by_field.count("occupation"));  // unchanged values are not logged
  EXPECT_TRUE(by_field.count("*"));
  EXPECT_EQ(history->front().field == "*", false);  // newest first

  // A stale version is a conflict and writes nothing.
  const int64_t rows_before = Count("change_log");
  Status stale = Write([&](store::Connection& c) {
    return UpdatePerson(c, p->id, {{"phone", "13600000000"}}, p->version, police_, clock_).status();
  });
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "person.version_conflict");
  EXPECT_EQ(Count("change_log"), rows_before);
}

TEST(PhotoTest, TypeComesFromTheBytes) {
  EXPECT_EQ(SniffImageType("\xFF\xD8\xFF\xE0rest"), "image/jpeg");
  EXPECT_EQ(SniffImageType(std::string("\x89PNG\r\n\x1A\n\0\0", 10)), "image/png");
  EXPECT_EQ(SniffImageType("%PDF-1.7 renamed.jpg"), "");
  EXPECT_EQ(SniffImageType(""), "");
}

TEST_P(RegistryTest, PhotoIsStoredHashedAndKeptInHistory) {
  auto p = Register(Sample("周八", 161, h1_));
  ASSERT_TRUE(p.ok());
  auto set = [&](const std::string& bytes, const org::Actor& who) {
    Result<Person> out = InternalError("x", "");
    Status s = Write([&](store::Connection& c) -> Status {
      out = SetPhoto(c, p->id, bytes, who, clock_);
      return out.status();
    });
    return s.ok() ? out : Result<Person>(s.error());
  };
  const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(100, '\0');
  const int64_t files_before = Count("files");
  auto not_image = set("%PDF-1.4 pretending", police_);
  ASSERT_FALSE(not_image.ok());
  EXPECT_EQ(not_image.error().code, "photo.type");
  auto too_big = set(std::string("\xFF\xD8\xFF") + std::string(kMaxPhotoBytes, 'x'), police_);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, "photo.too_large");
  auto by_aux = set(png, MakeActor(11, org::Role::kAuxiliary, kStation1));
  ASSERT_FALSE(by_aux.ok());
  EXPECT_EQ(by_aux.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(Count("files"), files_before) << "refused photos store nothing";

  auto ok = set(png, police_);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_TRUE(ok->photo_file_id.has_value());
  auto missing = MissingItems(*ok, clock_.Today());
  EXPECT_EQ(std::count(missing.begin(), missing.end(), "照片"), 0);
  auto photo = ReadTx<Photo>([&](store::Connection& c) { return ReadPhoto(c, p->id, police_); });
  ASSERT_TRUE(photo.ok());
  EXPECT_EQ(photo->bytes, png);
  EXPECT_EQ(photo->mime, "image/png");
  EXPECT_EQ(photo->sm3, trust::Sm3Hex(png));
  auto history =
      ReadTx<std::vector<Change>>([&](store::Connection& c) { return PersonHistory(c, p->id); });
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->front().field, "photo_file_id");
  EXPECT_EQ(history->front().field_name, "照片");
}

TEST_P(RegistryTest, CancelKeepsTheRecord) {
  auto p = Register(Sample("孙七", 151, h1_));
  ASSERT_TRUE(p.ok());
  Status bad = Write([&](store::Connection& c) {
    return CancelPerson(c, p->id, "77", "2024-05-01", police_, clock_).status();
  });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "cancel_reason");
  ASSERT_TRUE(Write([&](store::Connection& c) {
                return CancelPerson(c, p->id, "10", "2024-05-01", police_, clock_).status();
              }).ok());
  auto read =
      ReadTx<Person>([&](store::Connection& c) { return ReadPersonById(c, p->id, police_); });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, "cancelled");
  EXPECT_EQ(read->cancel_reason, "10");
  EXPECT_EQ(read->cancel_date, "2024-05-01");
  EXPECT_EQ(Count("persons"), 1);
  auto before = ReadTx<Person>([&](store::Connection& c) {
    return ReadPersonById(c, p->id, police_, Date{2024, 4, 30});
  });
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->status, "active");
  PersonQuery q;
  q.name = "孙七";
  q.status = "cancelled";
  auto found = Search(q, police_);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 1);
}

TEST_P(RegistryTest, RestoreReactivatesIntoAHousehold) {
  auto p = Register(Sample("周八", 171, h1_));
  ASSERT_TRUE(p.ok());
  Status active = Write([&](store::Connection& c) {
    return RestorePerson(c, p->id, h2_.id, "20", police_, clock_).status();
  });
  ASSERT_FALSE(active.ok());
  EXPECT_EQ(active.error().code, "person.active");
  ASSERT_TRUE(Write([&](store::Connection& c) {
                return CancelPerson(c, p->id, "40", "2024-05-01", police_, clock_).status();
              }).ok());
  ChangeContext ctx;
  ctx.case_id = 7;
  ctx.reason = "退役恢复户口";
  ASSERT_TRUE(Write([&](store::Connection& c) {
                return RestorePerson(c, p->id, h2_.id, "20", police_, clock_, ctx).status();
              }).ok());
  auto read =
      ReadTx<Person>([&](store::Connection& c) { return ReadPersonById(c, p->id, police_); });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, "active");
  EXPECT_EQ(read->cancel_reason, "");
  EXPECT_EQ(read->household_id, h2_.id);
  auto history =
      ReadTx<std::vector<Change>>([&](store::Connection& c) { return PersonHistory(c, p->id); });
  ASSERT_TRUE(history.ok());
  ASSERT_FALSE(history->empty());
  EXPECT_EQ(history->front().action, "restore");
  EXPECT_EQ(history->front().case_id, std::optional<int64_t>(7));
}

TEST_P(RegistryTest, SearchPaths) {
  NewPerson zhang = Sample("张伟", 161, h1_);
  zhang.former_names = {"张小伟"};
  auto p1 = Register(zhang);
  NewPerson zhang2 = Sample("张伟东", 163, h2_);
  zhang2.relation_to_head = "02";
  auto p2 = Register(zhang2);
  auto p3 = Register(Sample("李娜", 162, h1_));
  auto p4 = Register(Sample("章维", 165, h1_));  // reads zhangwei like 张伟
  ASSERT_TRUE(p1.ok() && p2.ok() && p3.ok() && p4.ok());
  auto names = [&](const PersonQuery& q) {
    std::set<std::string> out;
    auto r = Search(q, police_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (r.ok()) {
      EXPECT_EQ(static_cast<size_t>(r->total), r->items.size());
      for (auto& s : r->items) out.insert(s.name);
    }
    return out;
  };
  PersonQuery q;
  q.name = "张伟";
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟"}));
  q.name_mode = "prefix";
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟", "张伟东"}));
  q = {};
  q.name = "張偉";  // traditional
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟"}));
  q.name = "zhangwei";
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟", "章维"}));
  q.name = "张伟";
  q.name_mode = "homophone";
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟", "章维"}));
  q.name = "ZhangWei";
  q.name_mode = "prefix";
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟", "张伟东", "章维"}));
  q = {};
  q.former_name = "张小伟";
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟"}));
  q = {};
  q.address = "滨湖南路";
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟东"}));
  q = {};
  q.household_number = h1_.household_number;
  EXPECT_EQ(names(q), (std::set<std::string>{"张伟", "李娜", "章维"}));
  q = {};
  q.id_number = p3->id_number;
  auto exact = Search(q, police_);
  ASSERT_TRUE(exact.ok());
  ASSERT_EQ(exact->items.size(), 1u);
  EXPECT_EQ(exact->items[0].id_number_masked, codes::MaskIdNumber(p3->id_number));
  EXPECT_EQ(exact->id_match, "exact");
  // One unknown digit.
  q.id_number = p1->id_number;
  q.id_number[10] = '?';
  auto unknown = Search(q, police_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->id_match, "unknown_digit");
  std::set<int64_t> ids;
  for (auto& s : unknown->items) ids.insert(s.id);
  EXPECT_TRUE(ids.count(p1->id));
  // One wrong digit (the check character no longer fits).
  q.id_number = p1->id_number;
  q.id_number[8] = q.id_number[8] == '0' ? '1' : '0';
  auto wrong = Search(q, police_);
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->id_match, "one_wrong_digit");
  ASSERT_EQ(wrong->total, 1);
  EXPECT_EQ(wrong->items[0].id, p1->id);
  // Validation.
  q = {};
  auto empty = Search(q, police_);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::kValidation);
  q.id_number = "42070419900501";
  EXPECT_EQ(Search(q, police_).error().field, "id_number");
}

TEST_P(RegistryTest, ScopeHidesOtherStations) {
  auto mine = Register(Sample("周八", 171, h1_));
  auto theirs = Register(Sample("周八", 173, h3_), "2010-01-01", &city_);
  ASSERT_TRUE(mine.ok());
  ASSERT_TRUE(theirs.ok()) << theirs.error().message;
  PersonQuery q;
  q.name = "周八";
  auto station = Search(q, police_);
  ASSERT_TRUE(station.ok());
  ASSERT_EQ(station->total, 1);
  EXPECT_EQ(station->items[0].id, mine->id);
  auto city = Search(q, city_);
  ASSERT_TRUE(city.ok());
  EXPECT_EQ(city->total, 2);
  auto read =
      ReadTx<Person>([&](store::Connection& c) { return ReadPersonById(c, theirs->id, police_); });
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "scope.outside");
  auto household = ReadTx<Household>(
      [&](store::Connection& c) { return ReadHousehold(c, h3_.household_number, police_); });
  ASSERT_FALSE(household.ok());
  EXPECT_EQ(household.error().kind, ErrorKind::kForbidden);
  // Registering into another station's household is refused too.
  auto outside = Register(Sample("吴九", 175, h3_));
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, "scope.outside");
}

TEST_P(RegistryTest, AuxiliaryMayNotWrite) {
  auto p = Register(Sample("郑十", 181, h1_));
  ASSERT_TRUE(p.ok());
  org::Actor aux = MakeActor(11, org::Role::kAuxiliary, kStation1);
  const int64_t before = Count("change_log");
  Status s = Write([&](store::Connection& c) {
    return UpdatePerson(c, p->id, {{"phone", "13100000000"}}, 0, aux, clock_).status();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(Count("change_log"), before);
  auto reg = Register(Sample("郑十一", 183, h1_), "2010-01-01", &aux);
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.error().kind, ErrorKind::kForbidden);
  Status cancel = Write(
      [&](store::Connection& c) { return CancelPerson(c, p->id, "10", "", aux, clock_).status(); });
  EXPECT_EQ(cancel.error().kind, ErrorKind::kForbidden);
}

TEST_P(RegistryTest, HouseholdMembershipAsOf) {
  auto p = Register(Sample("钱一", 191, h1_), "2010-01-01");
  auto q = Register(Sample("钱二", 193, h2_), "2010-01-01");
  ASSERT_TRUE(p.ok() && q.ok());
  ASSERT_TRUE(Write([&](store::Connection& c) {
                ChangeContext ctx;
                ctx.effective_date = "2023-01-01";
                return MovePerson(c, p->id, h2_.id, "20", police_, clock_, ctx).status();
              }).ok());
  auto names = [&](const Household& h, std::optional<Date> as_of) {
    std::set<std::string> out;
    auto r = ReadTx<Household>(
        [&](store::Connection& c) { return ReadHousehold(c, h.household_number, police_, as_of); });
    EXPECT_TRUE(r.ok());
    if (r.ok()) {
      for (auto& m : r->members) out.insert(m.name);
    }
    return out;
  };
  EXPECT_EQ(names(h1_, std::nullopt), std::set<std::string>{});
  EXPECT_EQ(names(h2_, std::nullopt), (std::set<std::string>{"钱一", "钱二"}));
  EXPECT_EQ(names(h1_, Date{2022, 12, 31}), std::set<std::string>{"钱一"});
  EXPECT_EQ(names(h2_, Date{2022, 12, 31}), std::set<std::string>{"钱二"});
  EXPECT_EQ(names(h2_, Date{2009, 12, 31}), std::set<std::string>{});
  auto history = ReadTx<std::vector<Change>>(
      [&](store::Connection& c) { return HouseholdHistory(c, h2_.id); });
  ASSERT_TRUE(history.ok());
  bool found = false;
  for (const Change& c : *history) {
    if (c.field == "household_id") {
      found = true;
      EXPECT_EQ(c.old_value, h1_.household_number);
      EXPECT_EQ(c.new_value, h2_.household_number);
    }
  }
  EXPECT_TRUE(found);
}

TEST_P(RegistryTest, OneCommunityPublicHouseholdPerTownship) {
  MakeHousehold("community_public", kStation1, "420704001", "420704001001", "凤凰街道社区公共户");
  Status s = Write([&](store::Connection& c) -> Status {
    Address a;
    a.division_code = "420704";
    a.township_code = "420704001";
    a.community_code = "420704001002";
    a.full_text = "凤凰街道另一处";
    a.station_code = kStation1;
    HUKOU_ASSIGN_OR_RETURN(Address created, CreateAddress(c, a, police_, clock_));
    return CreateHousehold(c, "community_public", created.id, police_, clock_).status();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "household.community_public_exists");
  EXPECT_NE(h1_.household_number, h2_.household_number);
  EXPECT_TRUE(h1_.household_number.starts_with(kStation1));
}

TEST_P(RegistryTest, AccessLogIsDurableUnderConcurrency) {
  AccessLog log(*db_, clock_);
  constexpr int kThreads = 8, kPerThread = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = log.Record({t + 1, "read_person", "person", "S" + std::to_string(t), "核查",
                               "10.0.0." + std::to_string(t)});
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("access_log"), kThreads * kPerThread);
  auto records = ReadTx<std::vector<AccessRecord>>(
      [&](store::Connection& c) { return ListAccess(c, "person", "S3", 1000); });
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), static_cast<size_t>(kPerThread));
  EXPECT_EQ((*records)[0].purpose, "核查");
  EXPECT_EQ((*records)[0].client, "10.0.0.3");
  log.Stop();
  EXPECT_EQ(log.Record({1, "read_person", "person", "x", "", ""}).error().code,
            "access_log.stopped");
}

TEST_P(RegistryTest, AccessLogRecordAsyncCallsBackOnceCommitted) {
  AccessLog log(*db_, clock_);
  constexpr int kEntries = 300;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, failed = 0, committed_at_callback = 0;
  for (int i = 0; i < kEntries; ++i) {
    const std::string subject = "A" + std::to_string(i);
    log.RecordAsync(
        {1, "read_person", "person", subject, "核查", "10.0.0.1"}, [&, subject](const Status& s) {
          // The entry is in the database by the time its callback runs.
          auto rows = ReadTx<std::vector<AccessRecord>>(
              [&](store::Connection& c) { return ListAccess(c, "person", subject, 10); });
          std::lock_guard lock(mu);
          ++done;
          if (!s.ok()) ++failed;
          if (rows.ok() && rows->size() == 1) ++committed_at_callback;
          cv.notify_all();
        });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return done == kEntries; }));
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(committed_at_callback, kEntries);
  EXPECT_EQ(Count("access_log"), kEntries);

  log.Stop();
  std::optional<Status> after;
  log.RecordAsync({1, "read_person", "person", "late", "", ""},
                  [&](const Status& s) { after = s; });
  ASSERT_TRUE(after.has_value()) << "called at once after Stop()";
  EXPECT_EQ(after->error().code, "access_log.stopped");
  EXPECT_EQ(Count("access_log"), kEntries);
}

TEST_P(RegistryTest, AllocateIdNumberConcurrently) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::mutex mu;
  std::vector<std::string> numbers;
  std::vector<std::thread> threads;
  const Date birth{2024, 5, 20};
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string sex = (t + i) % 2 ? "1" : "2";
        std::string number;
        Status s = db_->Transact([&](store::Connection& c) -> Status {
          HUKOU_ASSIGN_OR_RETURN(number, AllocateIdNumber(c, "420704", birth, sex));
          return Status::Ok();
        });
        if (!s.ok()) {
          ++failures;
          continue;
        }
        auto info = codes::ValidateIdNumber(number, Date{2024, 6, 1});
        if (!info.ok() || info->sex != sex) ++failures;
        std::lock_guard lock(mu);
        numbers.push_back(number);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(numbers.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::set<std::string>(numbers.begin(), numbers.end()).size(), numbers.size());
}

TEST_P(RegistryTest, AllocateIdNumberSkipsUsedAndExhausts) {
  // A person already holds the first male number of that day: allocation skips it.
  NewPerson in = Sample("新生儿", 1, h1_, Date{2024, 5, 21});
  in.relation_to_head = "20";
  ASSERT_TRUE(Register(in).ok());
  std::string number;
  ASSERT_TRUE(
      db_->Transact([&](store::Connection& c) -> Status {
           HUKOU_ASSIGN_OR_RETURN(number, AllocateIdNumber(c, "420704", Date{2024, 5, 21}, "1"));
           return Status::Ok();
         })
          .ok());
  EXPECT_EQ(number.substr(14, 3), "003");
  ASSERT_TRUE(Write([&](store::Connection& c) {
                return c.Exec("UPDATE id_sequences SET last_female = 998").status();
              }).ok());
  Status s = db_->Transact([&](store::Connection& c) {
    return AllocateIdNumber(c, "420704", Date{2024, 5, 21}, "2").status();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "id_number.exhausted");
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryTest, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

TEST(MissingItems, ListsAuxiliaryItems) {
  Person p;
  p.birth_date = "1980-01-01";
  p.marital_status = "20";
  auto missing = MissingItems(p, Date{2024, 6, 1});
  std::set<std::string> set(missing.begin(), missing.end());
  for (const char* item :
       {"服务处所", "兵役状况", "宗教信仰", "联系电话", "父亲", "母亲", "配偶", "照片"}) {
    EXPECT_TRUE(set.count(item)) << item;
  }
  EXPECT_FALSE(set.count("婚姻状况"));
  Person child;
  child.birth_date = "2020-01-01";
  child.religion = "0";
  child.phone = "13000000000";
  auto c = MissingItems(child, Date{2024, 6, 1});
  EXPECT_EQ(c, (std::vector<std::string>{"监护人"}));
  child.mother_name = "某某";
  EXPECT_TRUE(MissingItems(child, Date{2024, 6, 1}).empty());
}

TEST(IdVariants, OneWrongDigitIncludesTheTrueNumber) {
  std::string good = codes::ComposeIdNumber("420704", Date{1985, 3, 7}, 211);
  std::string typo = good;
  typo[12] = typo[12] == '9' ? '8' : '9';
  auto variants = OneDigitVariants(typo);
  EXPECT_NE(std::find(variants.begin(), variants.end(), good), variants.end());
  EXPECT_LT(variants.size(), 40u);
  for (const auto& v : variants) {
    EXPECT_EQ(v[17], codes::IdCheckCharacter(v.substr(0, 17)));
  }
  std::string unknown = good;
  unknown[15] = '?';
  auto expanded = ExpandUnknownDigit(unknown);
  EXPECT_NE(std::find(expanded.begin(), expanded.end(), good), expanded.end());
  EXPECT_LE(expanded.size(), 10u);
}

}  // namespace
}  // namespace hukou::registry
