// The `hukou` command line: serve, migrate, demo, import, export, id check, user add, unit list,
// catalog list.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/clock.h"
#include "catalog/catalog.h"
#include "codes/id_number.h"
#include "demo/demo.h"
#include "exchange/csv.h"
#include "http/app.h"
#include "http/http.h"
#include "org/units.h"
#include "org/users.h"
#include "registry/access_log.h"
#include "services/delivery_loop.h"
#include "services/national_check_peer.h"
#include "services/notify.h"
#include "store/database.h"

namespace hukou {
namespace {

// Prints an error the way every command does: code, Chinese message, field.
int Fail(const Error& e) {
  std::cerr << "错误 [" << e.code << "]：" << e.message;
  if (!e.field.empty()) std::cerr << "（字段：" << e.field << "）";
  std::cerr << "\n";
  return 1;
}

// Opens the database and brings its schema up to date.
Result<std::unique_ptr<store::Database>> OpenMigrated(const std::string& url) {
  HUKOU_ASSIGN_OR_RETURN(auto db, store::Database::Open(url));
  HUKOU_ASSIGN_OR_RETURN(int applied, db->Migrate());
  if (applied > 0) spdlog::info("applied {} migration(s)", applied);
  // The shipped catalogue of business items and holiday calendar (items edited since are kept).
  int loaded = 0;
  HUKOU_RETURN_IF_ERROR(db->Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(loaded, catalog::LoadShippedCatalog(conn, Clock::System()));
    return Status::Ok();
  }));
  if (loaded > 0) spdlog::info("loaded {} catalogue item(s)", loaded);
  return db;
}

std::string DefaultStaticDir(const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const fs::path& p : {fs::current_path(ec) / "web" / "dist",
                            fs::absolute(argv0, ec).parent_path().parent_path() / "web" / "dist"}) {
    if (fs::exists(p / "index.html", ec)) return p.string();
  }
  return "";
}

int Serve(const std::string& url, const std::string& address, int port, int threads,
          std::string static_dir, services::PeerSettings peer_options,
          const std::string& peers_file) {
  if (!peers_file.empty()) {
    Status read = services::ReadPeersFile(peers_file, peer_options);
    if (!read.ok()) return Fail(read.error());
  }
  std::vector<services::Peer> peers;
  for (const std::string& spec : peer_options.peers) {
    auto peer = services::ParsePeer(spec);
    if (!peer.ok()) return Fail(peer.error());
    peers.push_back(std::move(peer).value());
  }
  auto peer_tokens = services::PeerTokens::Parse(peer_options.tokens);
  if (!peer_tokens.ok()) return Fail(peer_tokens.error());
  std::unique_ptr<services::PeerNationalCheck> national_check;
  if (!peers.empty()) {
    national_check = std::make_unique<services::PeerNationalCheck>(peers, Clock::System());
  }
  auto db = OpenMigrated(url);
  if (!db.ok()) return Fail(db.error());
  registry::AccessLog access_log(**db, Clock::System());
  http::App app{db->get(), &Clock::System(), &access_log};
  app.national_check = national_check.get();
  app.peer_tokens = &*peer_tokens;
  http::Router router;
  http::RegisterAllRoutes(router, app);
  http::ServerOptions options;
  options.address = address;
  options.port = port;
  options.threads = threads;
  options.static_dir = std::move(static_dir);
  http::Server server(options, router);
  Status started = server.Start();
  if (!started.ok()) return Fail(started.error());
  services::OutboxSender sender;
  services::DeliveryLoop delivery(**db, sender, Clock::System());
  delivery.Start();
  std::cout << "户政管理系统已启动 hukou serving on http://" << address << ":" << server.port()
            << "/  (" << (options.static_dir.empty() ? "no console" : options.static_dir) << ")"
            << std::endl;
  server.Wait();
  server.Stop();
  delivery.Stop();
  access_log.Stop();
  return 0;
}

}  // namespace
}  // namespace hukou

int main(int argc, char** argv) {
  using namespace hukou;
  CLI::App cli{"hukou — 户政管理系统 household registration system"};
  cli.require_subcommand(1);
  std::string db_url = "sqlite:hukou.db";
  auto add_db = [&db_url](CLI::App* cmd) {
    cmd->add_option("--db", db_url, "sqlite:PATH (default ./hukou.db) or postgresql://…");
  };

  auto* serve = cli.add_subcommand("serve", "Run the HTTP server (API, console, portal)");
  add_db(serve);
  std::string address = "0.0.0.0";
  int port = 8080;
  int threads = 0;
  std::string static_dir;
  serve->add_option("--address", address, "Address to listen on");
  serve->add_option("--port", port, "Port (0 picks a free one)");
  serve->add_option("--threads", threads, "Worker threads (0: 32, or 8 per core if more)");
  serve->add_option("--static", static_dir, "Directory of the built web console (web/dist)");
  services::PeerSettings peer_options;
  std::string peers_file;
  serve->add_option("--peer", peer_options.peers,
                    "National check: NAME=URL=TOKEN of an instance to ask (repeatable)");
  serve->add_option("--peer-token", peer_options.tokens,
                    "National check: [NAME=]TOKEN an instance may ask this one with (repeatable)");
  serve->add_option(
      "--peers-file", peers_file,
      "National check: file of 'peer NAME=URL=TOKEN' / 'peer-token [NAME=]TOKEN' lines");

  auto* migrate = cli.add_subcommand("migrate", "Create or upgrade the database schema");
  add_db(migrate);

  auto* demo_cmd = cli.add_subcommand("demo", "Build a synthetic demo city");
  add_db(demo_cmd);
  demo::DemoOptions demo_options;
  demo_cmd->add_option("--persons", demo_options.persons, "Number of persons")->default_val(20000);
  demo_cmd->add_option("--seed", demo_options.seed, "Random seed (same seed, same city)")
      ->default_val(1);
  demo_cmd->add_option("--city", demo_options.city, "ezhou | ordos")
      ->default_val("ezhou")
      ->check(CLI::IsMember({"ezhou", "ordos"}));
  demo_cmd->add_option("--truth", demo_options.truth_path, "Write the truth file (JSON) here");
  // The city is generated as of a fixed day, so that the same seed gives the same city on any day.
  std::string demo_as_of = "2026-06-30";
  demo_cmd->add_option("--as-of", demo_as_of, "Date the city's registry is current to (YYYY-MM-DD)")
      ->default_val("2026-06-30");

  auto* import_cmd = cli.add_subcommand("import", "Import persons.csv and households.csv");
  add_db(import_cmd);
  std::string import_dir;
  import_cmd->add_option("--dir", import_dir, "Directory holding the CSV files")->required();

  auto* export_cmd = cli.add_subcommand("export", "Export persons.csv and households.csv");
  add_db(export_cmd);
  std::string export_dir;
  export_cmd->add_option("--out", export_dir, "Output directory")->required();

  auto* id_cmd = cli.add_subcommand("id", "Citizen ID numbers (GB 11643)");
  id_cmd->require_subcommand(1);
  auto* id_check = id_cmd->add_subcommand("check", "Check an ID number: exit 0 valid, 1 invalid");
  std::string id_number;
  id_check->add_option("NUMBER", id_number, "18-digit number")->required();

  auto* user_cmd = cli.add_subcommand("user", "Users");
  user_cmd->require_subcommand(1);
  add_db(user_cmd);
  auto* user_add = user_cmd->add_subcommand("add", "Create a user");
  add_db(user_add);
  org::NewUser new_user;
  user_add->add_option("--login", new_user.login)->required();
  user_add->add_option("--password", new_user.password)->required();
  user_add->add_option("--role", new_user.role)->required();
  user_add->add_option("--unit", new_user.unit_code, "Unit code")->required();
  user_add->add_option("--name", new_user.name, "Full name (default: the login)");
  user_add->add_option("--police-number", new_user.police_number);

  auto* unit_cmd = cli.add_subcommand("unit", "Units");
  unit_cmd->require_subcommand(1);
  add_db(unit_cmd);
  auto* unit_list = unit_cmd->add_subcommand("list", "One unit a line, its code first");
  add_db(unit_list);
  auto* unit_seed = unit_cmd->add_subcommand("seed", "Create the units of a demo city");
  add_db(unit_seed);
  std::string seed_city = "ezhou";
  unit_seed->add_option("--city", seed_city)->check(CLI::IsMember({"ezhou", "ordos"}));

  auto* catalog_cmd = cli.add_subcommand("catalog", "Catalogue of business items (事项清单)");
  catalog_cmd->require_subcommand(1);
  add_db(catalog_cmd);
  auto* catalog_list =
      catalog_cmd->add_subcommand("list", "One item a line: code, version, category, name");
  add_db(catalog_list);

  auto* notify_cmd = cli.add_subcommand("notify", "Notifications (outbox)");
  notify_cmd->require_subcommand(1);
  add_db(notify_cmd);
  auto* notify_deliver =
      notify_cmd->add_subcommand("deliver", "Deliver pending notifications once and exit");
  add_db(notify_deliver);
  int deliver_limit = 1000;
  notify_deliver->add_option("--limit", deliver_limit, "At most this many")->default_val(1000);

  CLI11_PARSE(cli, argc, argv);
  const Clock& clock = Clock::System();

  if (*serve) {
    if (static_dir.empty()) static_dir = DefaultStaticDir(argv[0]);
    return Serve(db_url, address, port, threads, static_dir, peer_options, peers_file);
  }
  if (*id_check) return codes::RunIdCheck(id_number, clock.Today(), std::cout);

  auto db = OpenMigrated(db_url);
  if (!db.ok()) return Fail(db.error());
  store::Database& database = **db;

  if (*migrate) {
    std::cout << "数据库结构已是最新 schema up to date\n";
    return 0;
  }
  if (*demo_cmd) {
    std::optional<Date> as_of = Date::Parse(demo_as_of);
    if (!as_of) return Fail(ValidationError("demo.as_of", "日期格式应为 YYYY-MM-DD", "as_of"));
    // Noon in Beijing (04:00 UTC) of that day.
    FixedClock demo_clock(std::chrono::system_clock::time_point(
        std::chrono::seconds(as_of->ToDays() * 86400 + int64_t{4} * 3600)));
    auto summary = demo::RunDemo(database, demo_options, demo_clock, std::cout);
    if (!summary.ok()) return Fail(summary.error());
    return 0;
  }
  if (*import_cmd) {
    auto summary =
        exchange::ImportCsv(database, import_dir, org::Actor::System(), clock, std::cerr);
    if (!summary.ok()) return Fail(summary.error());
    return 0;
  }
  if (*export_cmd) {
    auto summary = exchange::ExportCsv(database, export_dir, org::Actor::System(), clock);
    if (!summary.ok()) return Fail(summary.error());
    return 0;
  }
  if (*user_add) {
    if (new_user.name.empty()) new_user.name = new_user.login;
    Result<org::User> created = InternalError("internal", "");
    Status s = database.Transact([&](store::Connection& conn) -> Status {
      created = org::CreateUser(conn, new_user, org::Actor::System(), clock);
      return created.status();
    });
    if (!s.ok()) return Fail(s.error());
    std::cout << "已创建用户 " << created->login << "（" << org::RoleTitle(created->role) << "，"
              << created->unit_name << "）\n";
    return 0;
  }
  if (*unit_seed) {
    Status s = database.Transact(
        [&](store::Connection& conn) { return org::SeedUnits(conn, seed_city, clock); });
    if (!s.ok()) return Fail(s.error());
    return 0;
  }
  if (*notify_deliver) {
    services::OutboxSender sender;
    auto sent = services::DeliverPending(database, sender, clock, deliver_limit);
    if (!sent.ok()) return Fail(sent.error());
    std::cout << "已发送通知 " << *sent << " 条\n";
    return 0;
  }
  if (*unit_list) {
    Status s = database.Read([](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto units, org::ListUnits(conn));
      for (const org::Unit& u : units) {
        std::cout << u.code << '\t' << u.name << '\t' << u.kind << '\t' << u.parent_code << '\n';
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s.error());
    return 0;
  }
  if (*catalog_list) {
    Status s = database.Read([](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto items, catalog::ListItems(conn));
      for (const catalog::Item& item : items) {
        std::cout << item.code << '\t' << item.version << '\t' << item.major_category << '\t'
                  << item.name << '\t' << item.time_limit_days << "个工作日\n";
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s.error());
    return 0;
  }
  if (*catalog_list) {
    Status s = database.Read([](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto items, catalog::ListItems(conn));
      for (const catalog::Item& item : items) {
        std::cout << item.code << '\t' << item.version << '\t' << item.major_category << '\t'
                  << item.name << '\t' << item.time_limit_days << "个工作日\n";
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s.error());
    return 0;
  }
  return 0;
}
