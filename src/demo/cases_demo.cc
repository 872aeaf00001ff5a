#include "demo/cases_demo.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <queue>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "archive/material.h"
#include "cases/engine.h"
#include "cases/rules.h"
#include "catalog/catalog.h"
#include "demo/demo.h"
#include "demo/names.h"
#include "org/users.h"
#include "render/cairo_util.h"

namespace hukou::demo {
namespace {

using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::hours;
using std::chrono::minutes;

constexpr int kStations = 2;
constexpr int kHistoryDays = 180;

// What happens to a case by the demo date.
enum class Outcome { kIssue, kOpen, kOverdue, kReturnOpen, kReturnThenIssue, kReject, kWithdraw };

enum class Act { kReceive, kApprove, kReturn, kResubmit, kReject, kWithdraw, kIssue };

struct Event {
  TimePoint at;
  Act act;
};

struct Plan {
  std::string item_code;
  int station = 0;        // handling station (0: police1's, 1: police2's)
  int clerk_station = 0;  // the receiving window's station
  std::string subject_name;
  cases::ReceiveInput in;
  std::vector<Event> events;
  size_t next = 0;
  std::string case_no;
};

// A registered person the demo may pick as a subject.
struct Resident {
  std::string id_number, name, sex, birth_date, relation, ethnicity, marital, household_number;
  int age = 0;
};

// One demo item with its weight in the mix.
struct ItemMix {
  const char* code;
  uint32_t weight;
};
constexpr ItemMix kMix[] = {
    {"HK0101", 18},  // 出生登记
    {"HK0201", 9},   // 死亡注销
    {"HK0204", 1},   // 国（境）外死亡注销 (three levels)
    {"HK0301", 12},  // 市内迁移
    {"HK0801", 3},   // 未成年人变更姓名 (three levels)
    {"HK0802", 6},   // 成年人变更姓名 (three levels)
    {"HK0902", 5},   // 婚姻状况
    {"HK0903", 10},  // 服务处所和职业
    {"HK1003", 5},   // 变更户主
    {"HK1302", 6},   // 户口簿补领
    {"HK1303", 6},   // 户口簿换领
    {"HK1401", 8},   // 户籍证明
    {"HK0505", 1},   // 虚假户口注销 (four levels, city)
};

const char* const kWorkplaces[] = {"鄂州市中心医院",   "华丰机械有限公司", "长江物流有限公司",
                                   "鄂州市第一中学",   "农村商业银行",     "恒通建材有限公司",
                                   "东方电子科技公司", "顺发商贸有限公司"};
const char* const kOccupations[] = {"工人", "职员", "教师", "医生", "技术人员", "会计", "护士"};

std::string FirstChar(const std::string& s) {
  std::vector<std::string> chars = Utf8Chars(s);
  return chars.empty() ? std::string() : chars[0];
}

// Draws a scanned paper (A4 proportions, grey paper, a form outline, the material's name as the
// title and the person's name in the form) as JPEG bytes, as a document camera delivers them
// (PNG encoding and decoding had taken 40% of a demo case's CPU).
class ScanPainter {
 public:
  std::string Paint(const std::string& title, const std::string& person, const std::string& case_no,
                    uint64_t noise) {
    constexpr int kW = 300, kH = 424;
    render::SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, kW, kH));
    render::CairoPtr cr(cairo_create(surface.get()));
    const double shade = 0.93 + static_cast<double>(noise % 5) / 100.0;
    cairo_set_source_rgb(cr.get(), shade, shade, shade - 0.02);
    cairo_paint(cr.get());
    cairo_set_source_rgb(cr.get(), 0.15, 0.15, 0.15);
    cairo_set_line_width(cr.get(), 1.0);
    cairo_rectangle(cr.get(), 20, 60, kW - 40, kH - 90);
    cairo_stroke(cr.get());
    for (int y = 100; y < kH - 40; y += 28) {
      cairo_move_to(cr.get(), 20, y);
      cairo_line_to(cr.get(), kW - 20, y);
    }
    cairo_move_to(cr.get(), 100, 60);
    cairo_line_to(cr.get(), 100, kH - 30);
    cairo_stroke(cr.get());
    auto context = render::MakeTextContext(cr.get());
    auto text = [&](const std::string& s, double x, double y, double size, bool bold,
                    double width) {
      auto layout = render::MakeLayout(context.get(), s, render::kSerif, size, bold, width,
                                       width > 0 ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
      cairo_move_to(cr.get(), x, y);
      pango_cairo_show_layout(cr.get(), layout.get());
    };
    text(title, 20, 22, 14, true, kW - 40);
    text("姓名", 30, 68, 10, false, 0);
    text(person, 110, 68, 11, false, 0);
    text("办件编号", 30, 96, 10, false, 0);
    text(case_no, 110, 96, 9, false, 0);
    text("（扫描件）", 20, kH - 24, 8, false, kW - 40);
    cairo_surface_flush(surface.get());
    return render::EncodeJpeg(surface.get(), 85);
  }
};

class CaseDemo {
 public:
  CaseDemo(store::Database& db, const std::string& city, uint64_t seed, const Clock& as_of,
           trust::Signer* signer, std::ostream& progress)
      : db_(db),
        city_(city),
        rng_(seed * 0x9E3779B97F4A7C15ull + 0x5EED),
        as_of_(as_of.Now()),
        today_(as_of.Today()),
        clock_(as_of.Now()),
        engine_(db, clock_, signer),
        progress_(progress) {}

  Result<CaseDemoSummary> Run(int64_t count);

 private:
  Status LoadActors();
  Status LoadResidents();
  Result<const catalog::Item*> Item(const std::string& code);
  std::optional<Resident> Take(int station, const std::function<bool(const Resident&)>& pred,
                               bool exclusive = true);
  Result<bool> MakePlan(Plan& p);
  void Schedule(Plan& p, const catalog::Item& item);
  Status Execute(Plan& p, const Event& e);
  Status CaptureScans(const Plan& p, const cases::Case& c, const catalog::Item& item);
  const org::Actor& Officer(const std::string& role, int station) const;
  TimePoint WorkTime(int64_t days_before) {
    // 08:30–16:30 Beijing = 00:30–08:30 UTC.
    const int64_t day = today_.ToDays() - days_before;
    return TimePoint(std::chrono::seconds(day * 86400 + 1800 + rng_.Between(0, int64_t{8} * 3600)));
  }
  int Age(const std::string& birth_date) const {
    auto d = Date::Parse(birth_date);
    return d ? d->AgeOn(today_) : 0;
  }

  store::Database& db_;
  const std::string city_;
  Rng rng_;
  NameGenerator names_;
  const TimePoint as_of_;
  const Date today_;
  FixedClock clock_;
  cases::Engine engine_;
  std::ostream& progress_;
  ScanPainter painter_;

  std::unordered_map<std::string, org::Actor> actors_;  // by login
  std::string station_code_[kStations];
  std::vector<Resident> residents_[kStations];
  std::vector<std::string> households_[kStations];
  std::unordered_map<std::string, std::pair<std::string, std::string>> head_spouse_;
  std::unordered_set<std::string> used_, shared_, mothers_;
  std::unordered_map<std::string, catalog::Item> items_;
  CaseDemoSummary summary_;
  std::vector<Outcome> deck_;
  int decks_ = 0;
};

Status CaseDemo::LoadActors() {
  const std::vector<DemoUser> users = DemoUsers(city_);
  return db_.Read([&](store::Connection& conn) -> Status {
    for (const DemoUser& u : users) {
      auto user = org::FindUserByLogin(conn, u.login);
      if (!user.ok()) {
        return ValidationError("demo.users", "缺少演示用户 " + u.login + "，请先生成演示城市",
                               "cases");
      }
      HUKOU_ASSIGN_OR_RETURN(org::Actor a, org::ActorForUser(conn, user->id));
      actors_[u.login] = a;
      if (u.login == "police1") station_code_[0] = u.unit_code;
      if (u.login == "police2") station_code_[1] = u.unit_code;
    }
    return Status::Ok();
  });
}

Status CaseDemo::LoadResidents() {
  return db_.Read([&](store::Connection& conn) -> Status {
    for (int s = 0; s < kStations; ++s) {
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows rows,
          conn.Query("SELECT p.id_number, p.name, p.sex, p.birth_date, p.relation_to_head, "
                     "p.ethnicity, p.marital_status, h.household_number FROM persons p "
                     "JOIN households h ON h.id = p.household_id WHERE p.status = 'active' AND "
                     "h.kind = 'family' AND h.status = 'active' AND p.station_code = $1 "
                     "ORDER BY p.id",
                     {station_code_[s]}));
      std::set<std::string> numbers;
      for (size_t i = 0; i < rows.size(); ++i) {
        Resident r{rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3),
                   rows.Text(i, 4), rows.Text(i, 5), rows.Text(i, 6), rows.Text(i, 7)};
        r.age = Age(r.birth_date);
        auto& hs = head_spouse_[r.household_number];
        if (r.relation == "02") hs.first = r.id_number;
        if (r.relation == "10") hs.second = r.id_number;
        if (numbers.insert(r.household_number).second) households_[s].push_back(r.household_number);
        residents_[s].push_back(std::move(r));
      }
      // A fixed shuffle (Fisher–Yates on the demo's generator) so that picks spread over the city.
      for (size_t i = residents_[s].size(); i > 1; --i) {
        std::swap(residents_[s][i - 1], residents_[s][rng_.Below(i)]);
      }
    }
    if (residents_[0].empty() || residents_[1].empty()) {
      return ValidationError("demo.cases", "演示派出所辖区内没有可办理业务的人口", "cases");
    }
    return Status::Ok();
  });
}

Result<const catalog::Item*> CaseDemo::Item(const std::string& code) {
  auto it = items_.find(code);
  if (it != items_.end()) return &it->second;
  catalog::Item item;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(item, catalog::GetItem(conn, code));
    return Status::Ok();
  }));
  return &items_.emplace(code, std::move(item)).first->second;
}

// A resident of the station matching pred, probed at random (a bounded number of tries).
// Exclusive picks (deaths, moves, changes) are never picked again, nor are residents already
// picked for anything else; shared picks (documents, births' mothers) only avoid exclusive ones.
std::optional<Resident> CaseDemo::Take(int station,
                                       const std::function<bool(const Resident&)>& pred,
                                       bool exclusive) {
  std::vector<Resident>& pool = residents_[station];
  for (int tries = 0; tries < 400; ++tries) {
    const Resident& r = pool[rng_.Below(pool.size())];
    if (used_.count(r.id_number) || (exclusive && shared_.count(r.id_number)) || !pred(r)) {
      continue;
    }
    (exclusive ? used_ : shared_).insert(r.id_number);
    return r;
  }
  return std::nullopt;
}

const org::Actor& CaseDemo::Officer(const std::string& role, int station) const {
  const char* const logins[][kStations] = {{"police1", "police2"},
                                           {"chief1", "chief2"},
                                           {"branch1", "branch2"},
                                           {"city1", "city1"},
                                           {"clerk1", "clerk2"}};
  int row = role == "police"            ? 0
            : role == "station_chief"   ? 1
            : role == "branch_approver" ? 2
            : role == "city_approver"   ? 3
                                        : 4;
  return actors_.at(logins[row][station]);
}

// Chooses item, station, subjects and form; false when no subject fits (the draw is skipped).
Result<bool> CaseDemo::MakePlan(Plan& p) {
  std::vector<uint32_t> weights;
  uint64_t total = 0;
  for (const ItemMix& m : kMix) {
    weights.push_back(m.weight);
    total += m.weight;
  }
  p.item_code = kMix[rng_.Weighted(weights, total)].code;
  HUKOU_ASSIGN_OR_RETURN(const catalog::Item* item, Item(p.item_code));
  p.station = static_cast<int>(rng_.Below(kStations));
  const bool any_window = item->handling_mode == catalog::HandlingMode::kAnyWindow;
  p.clerk_station = any_window && rng_.Chance(300000) ? 1 - p.station : p.station;
  cases::ReceiveInput& in = p.in;
  in.item_code = p.item_code;
  in.fee_paid = true;
  for (const catalog::Material& m : item->materials) {
    if (m.mandatory && !m.system_verified) in.materials.push_back(m.code);
  }
  auto applicant = [&](const Resident& r) {
    in.applicant_name = r.name;
    in.applicant_id_number = r.id_number;
    in.applicant_phone = "139" + std::to_string(10000000 + rng_.Below(89999999));
  };
  auto subject = [&](const Resident& r, std::string relation = "") {
    in.subjects.push_back({r.id_number, nullptr, std::move(relation)});
    p.subject_name = r.name;
  };
  const std::string& e = item->effect;
  if (e == "birth") {
    auto mother = Take(
        p.station,
        [&](const Resident& r) {
          return r.sex == "2" && r.age >= 22 && r.age <= 40 &&
                 (r.relation == "02" || r.relation == "10") && !mothers_.count(r.id_number);
        },
        false);
    if (!mother) return false;
    mothers_.insert(mother->id_number);
    const std::string sex = rng_.Chance(510000) ? "1" : "2";
    const std::string name = FirstChar(mother->name) + names_.GivenName(rng_, sex, today_.year);
    in.form = {{"household_number", mother->household_number}};
    in.subjects.push_back(
        {"",
         {{"name", name},
          {"sex", sex},
          {"ethnicity", mother->ethnicity.empty() ? "01" : mother->ethnicity},
          {"birth_date", today_.ToString()},  // set with the receipt's day (Schedule)
          {"mother_name", mother->name},
          {"mother_id_number", mother->id_number}},
         sex == "1" ? "20" : "30"});
    p.subject_name = name;
    applicant(*mother);
    return true;
  }
  std::optional<Resident> r;
  if (e == "death" || p.item_code == "HK0505") {
    const int min_age = e == "death" ? 70 : 25;
    r = Take(p.station, [&](const Resident& x) { return x.age >= min_age && x.relation != "02"; });
    if (!r) return false;
    in.form = {{"cancel_date", ""}};  // set with the receipt's day (Schedule)
    subject(*r);
    applicant(*r);
    return true;
  }
  if (e == "migrate_in") {
    r = Take(1 - p.station, [](const Resident& x) { return x.age >= 18 && x.relation != "02"; });
    if (!r) return false;
    const auto& hs = households_[p.station];
    in.form = {{"household_number", hs[rng_.Below(hs.size())]}, {"relation_to_head", "99"}};
    subject(*r, "99");
    applicant(*r);
    return true;
  }
  if (e == "change_main") {
    const bool minor = p.item_code == "HK0801";
    r = Take(p.station, [&](const Resident& x) {
      return minor ? (x.age >= 1 && x.age < 18) : (x.age >= 18 && x.age < 60);
    });
    if (!r) return false;
    const int year = Date::Parse(r->birth_date) ? Date::Parse(r->birth_date)->year : 1990;
    std::string renamed = FirstChar(r->name) + names_.GivenName(rng_, r->sex, year);
    if (renamed == r->name) renamed += "文";
    in.form = {{"changes", {{"name", renamed}}}};
    subject(*r);
    applicant(*r);
    return true;
  }
  if (p.item_code == "HK0902") {
    r = Take(p.station,
             [](const Resident& x) { return x.age >= 22 && x.age < 40 && x.marital != "20"; });
    if (!r) return false;
    in.form = {{"changes", {{"marital_status", "20"}}}};
    subject(*r);
    applicant(*r);
    return true;
  }
  if (p.item_code == "HK0903") {
    r = Take(
        p.station, [](const Resident& x) { return x.age >= 18 && x.age < 60; }, false);
    if (!r) return false;
    in.form = {{"changes",
                {{"workplace", kWorkplaces[rng_.Below(std::size(kWorkplaces))]},
                 {"occupation", kOccupations[rng_.Below(std::size(kOccupations))]}}}};
    subject(*r);
    applicant(*r);
    return true;
  }
  if (e == "household_head") {
    r = Take(p.station, [&](const Resident& x) {
      if (x.relation != "10") return false;
      auto it = head_spouse_.find(x.household_number);
      return it != head_spouse_.end() && !it->second.first.empty() &&
             !used_.count(it->second.first) && !shared_.count(it->second.first);
    });
    if (!r) return false;
    const std::string old_head = head_spouse_[r->household_number].first;
    used_.insert(old_head);
    in.form = {{"household_number", r->household_number}};
    in.subjects.push_back({r->id_number, nullptr, "02"});
    in.subjects.push_back({old_head, nullptr, "10"});
    p.subject_name = r->name;
    applicant(*r);
    return true;
  }
  // Documents: a booklet for the head, a certificate for anyone.
  const bool booklet = p.item_code != "HK1401";
  r = Take(
      p.station, [&](const Resident& x) { return booklet ? x.relation == "02" : x.age >= 18; },
      false);
  if (!r) return false;
  in.form = {{"household_number", r->household_number}};
  subject(*r);
  applicant(*r);
  return true;
}

// Picks the outcome and the instants of every act; acts after the demo date are left out.
void CaseDemo::Schedule(Plan& p, const catalog::Item& item) {
  // Outcomes are dealt from a shuffled deck of 20 (70 % issued, 10 % open, 5 % each overdue,
  // returned and still at the window, returned then issued, rejected or withdrawn), so that
  // every 20 cases hold every outcome.
  if (deck_.empty()) {
    deck_.assign(14, Outcome::kIssue);
    deck_.insert(deck_.end(),
                 {Outcome::kOpen, Outcome::kOpen, Outcome::kOverdue, Outcome::kReturnOpen,
                  Outcome::kReturnThenIssue, ++decks_ % 2 ? Outcome::kReject : Outcome::kWithdraw});
    for (size_t i = deck_.size(); i > 1; --i) std::swap(deck_[i - 1], deck_[rng_.Below(i)]);
  }
  const Outcome o = deck_.back();
  deck_.pop_back();
  const int steps = static_cast<int>(item.chain.size());
  int64_t days_before = o == Outcome::kOpen         ? rng_.Between(1, 2)
                        : o == Outcome::kReturnOpen ? rng_.Between(1, 4)
                        : o == Outcome::kOverdue    ? rng_.Between(40, kHistoryDays)
                                                    : rng_.Between(12, kHistoryDays);
  TimePoint t = WorkTime(days_before);
  p.events.push_back({t, Act::kReceive});
  if (item.effect == "birth") {
    // Declared within the month after the birth (出生一个月内申报).
    const int64_t born = today_.ToDays() - days_before - rng_.Between(1, 25);
    p.in.subjects[0].new_person["birth_date"] = Date::FromDays(born).ToString();
  }
  if (p.in.form.contains("cancel_date")) {
    const int64_t died = today_.ToDays() - days_before - rng_.Between(1, 20);
    p.in.form["cancel_date"] = Date::FromDays(died).ToString();
  }
  auto later = [&](int max_hours) {
    t += minutes(rng_.Between(20, std::max(30, max_hours * 60)));
    return t;
  };
  // How many approvals happen (the rest stay open).
  int approvals = steps;
  if (o == Outcome::kOpen) approvals = static_cast<int>(rng_.Below(steps + 1));
  if (o == Outcome::kOverdue) approvals = static_cast<int>(rng_.Below(steps));
  if (o == Outcome::kReject) approvals = static_cast<int>(rng_.Below(steps));
  if (o == Outcome::kWithdraw) approvals = static_cast<int>(rng_.Below(std::min(steps, 2)));
  if (o == Outcome::kReturnOpen || o == Outcome::kReturnThenIssue) {
    const int before = static_cast<int>(rng_.Below(std::min(steps, 2)));
    for (int k = 0; k < before; ++k) p.events.push_back({later(20), Act::kApprove});
    p.events.push_back({later(20), Act::kReturn});
    if (o == Outcome::kReturnOpen) return;
    t += hours(rng_.Between(20, 72));
    p.events.push_back({t, Act::kResubmit});
  }
  for (int k = 0; k < approvals; ++k) {
    const int limit = item.chain[k].time_limit_days;
    p.events.push_back({later(std::min(limit * 8, 30)), Act::kApprove});
  }
  if (o == Outcome::kReject) p.events.push_back({later(24), Act::kReject});
  if (o == Outcome::kWithdraw) p.events.push_back({later(24), Act::kWithdraw});
  if (o == Outcome::kIssue || o == Outcome::kReturnThenIssue) {
    p.events.push_back({later(30), Act::kIssue});
  }
  auto past =
      std::find_if(p.events.begin(), p.events.end(), [&](const Event& e) { return e.at > as_of_; });
  p.events.erase(past, p.events.end());
}

Status CaseDemo::CaptureScans(const Plan& p, const cases::Case& c, const catalog::Item& item) {
  const org::Actor& police = Officer("police", p.station);
  std::vector<archive::Capture> captures;
  for (const catalog::Material& m : item.materials) {
    if (!m.mandatory || m.system_verified) continue;
    archive::Capture cap;
    cap.case_no = c.case_no;
    cap.station_code = c.station_code;
    cap.item_code = c.item_code;
    cap.item_version = c.item_version;
    cap.material_code = m.code;
    cap.material_name = m.name;
    cap.source = "scan";
    cap.step = "receive";
    cap.file_name = m.code + ".jpg";
    cap.bytes = painter_.Paint(m.name, p.subject_name, c.case_no, rng_.Below(1000));
    captures.push_back(std::move(cap));
  }
  if (captures.empty()) return Status::Ok();
  summary_.materials += static_cast<int64_t>(captures.size());
  return db_.Transact([&](store::Connection& conn) -> Status {
    for (const archive::Capture& cap : captures) {
      HUKOU_RETURN_IF_ERROR(archive::CaptureMaterial(conn, cap, police, clock_).status());
    }
    return Status::Ok();
  });
}

Status CaseDemo::Execute(Plan& p, const Event& e) {
  clock_.Set(e.at);
  HUKOU_ASSIGN_OR_RETURN(const catalog::Item* item, Item(p.item_code));
  const org::Actor& clerk = Officer("window_clerk", p.clerk_station);
  auto fail = [&](const Error& err) {
    return Status(Error{err.kind, err.code,
                        "演示办件 " + p.item_code + " " + p.case_no + "：" + err.message,
                        err.field});
  };
  Result<cases::Case> done = InternalError("demo.case", "");
  switch (e.act) {
    case Act::kReceive:
      done = engine_.Receive(p.in, clerk);
      if (done.ok()) {
        p.case_no = done->case_no;
        clock_.Set(e.at + minutes(3));
        Status captured = CaptureScans(p, *done, *item);
        if (!captured.ok()) return fail(captured.error());
      }
      break;
    case Act::kApprove:
    case Act::kReturn:
    case Act::kReject: {
      HUKOU_ASSIGN_OR_RETURN(cases::Case c, engine_.Get(p.case_no, Officer("police", p.station)));
      const catalog::ApprovalStep* step = cases::Engine::AwaitedStep(*item, c);
      if (step == nullptr) return InternalError("demo.case", "演示办件无待办步骤：" + p.case_no);
      cases::DecisionInput d;
      if (e.act == Act::kApprove) {
        d.decision = "approve";
        d.opinion = step->action == "accept" ? "材料齐全，同意受理" : "经审核，符合规定，同意";
      } else if (e.act == Act::kReturn) {
        d.decision = "return";
        d.opinion = "材料需补正";
        d.missing = {item->materials.empty() ? std::string("申请人签字")
                                             : item->materials[0].name + "（申请人未签字）"};
        ++summary_.returned_once;
      } else {
        d.decision = "reject";
        d.opinion = "经核查，不符合办理条件，不予办理";
      }
      done = engine_.Decide(p.case_no, d, Officer(step->role, p.station));
      break;
    }
    case Act::kResubmit: {
      cases::ResubmitInput r;
      r.materials = p.in.materials;
      r.opinion = "已按一次告知补正材料";
      done = engine_.Resubmit(p.case_no, r, clerk);
      break;
    }
    case Act::kWithdraw:
      done = engine_.Withdraw(p.case_no, "申请人申请撤回", Officer("police", p.station));
      break;
    case Act::kIssue:
      done = engine_.Issue(p.case_no, clerk);
      break;
  }
  if (!done.ok()) return fail(done.error());
  return Status::Ok();
}

Result<CaseDemoSummary> CaseDemo::Run(int64_t count) {
  HUKOU_RETURN_IF_ERROR(LoadActors());
  HUKOU_RETURN_IF_ERROR(LoadResidents());
  std::vector<Plan> plans;
  plans.reserve(static_cast<size_t>(count));
  int misses = 0;
  while (static_cast<int64_t>(plans.size()) < count) {
    Plan p;
    HUKOU_ASSIGN_OR_RETURN(bool made, MakePlan(p));
    if (!made) {
      if (++misses > 2000) {
        return ValidationError(
            "demo.cases", "人口不足以生成这么多办件，请增加 --persons 或减少 --cases", "cases");
      }
      continue;
    }
    misses = 0;
    HUKOU_ASSIGN_OR_RETURN(const catalog::Item* item, Item(p.item_code));
    Schedule(p, *item);
    plans.push_back(std::move(p));
  }
  // Every act of every case in time order, as the windows and officers would have done them.
  using Key = std::pair<TimePoint, size_t>;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> queue;
  for (size_t i = 0; i < plans.size(); ++i) {
    if (!plans[i].events.empty()) queue.push({plans[i].events[0].at, i});
  }
  int64_t received = 0;
  int64_t next_report = std::max<int64_t>(1, count / 10);
  while (!queue.empty()) {
    const size_t i = queue.top().second;
    queue.pop();
    Plan& p = plans[i];
    const Event e = p.events[p.next++];
    HUKOU_RETURN_IF_ERROR(Execute(p, e));
    if (e.act == Act::kReceive && ++received % next_report == 0) {
      progress_ << "办件 cases: " << received << " / " << count << "\n" << std::flush;
    }
    if (p.next < p.events.size()) queue.push({p.events[p.next].at, i});
  }
  summary_.cases = static_cast<int64_t>(plans.size());
  for (const Plan& p : plans) ++summary_.by_item[p.item_code];
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(store::Rows rows, conn.Query("SELECT status, due_date FROM cases"));
    for (size_t k = 0; k < rows.size(); ++k) {
      ++summary_.by_status[rows.Text(k, 0)];
      if (cases::IsOverdue(rows.Text(k, 1), rows.Text(k, 0), today_)) ++summary_.overdue;
    }
    return Status::Ok();
  }));
  return summary_;
}

}  // namespace

json CaseDemoSummary::ToJson() const {
  return {{"cases", cases},     {"materials", materials}, {"by_status", by_status},
          {"by_item", by_item}, {"overdue", overdue},     {"returned_once", returned_once}};
}

Result<CaseDemoSummary> RunCaseDemo(store::Database& db, const std::string& city, int64_t cases,
                                    uint64_t seed, const Clock& as_of, trust::Signer* signer,
                                    std::ostream& progress) {
  if (cases < 0) return ValidationError("demo.cases", "办件数不能为负", "cases");
  CaseDemo demo(db, city, seed, as_of, signer, progress);
  return demo.Run(cases);
}

}  // namespace hukou::demo
