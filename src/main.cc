// The `hukou` command line: serve, migrate, demo, import, export, id check, user add, unit list,
// catalog list, archive import-history, verify, keys, bench-audit.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "archive/content.h"
#include "archive/history.h"
#include "base/clock.h"
#include "catalog/catalog.h"
#include "codes/id_number.h"
#include "demo/demo.h"
#include "documents/documents.h"
#include "exchange/csv.h"
#include "http/app.h"
#include "http/http.h"
#include "org/auth.h"
#include "org/units.h"
#include "org/users.h"
#include "registry/access_log.h"
#include "render/sample.h"
#include "services/delivery_loop.h"
#include "services/move_out.h"
#include "services/national_check_peer.h"
#include "services/notify.h"
#include "store/database.h"
#include "trust/bench_trail.h"
#include "trust/checkpoints.h"
#include "trust/keys.h"
#include "trust/server_key.h"
#include "trust/verify.h"

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
Result<std::unique_ptr<store::Database>> OpenMigrated(const std::string& url,
                                                      const store::Options& options = {}) {
  HUKOU_ASSIGN_OR_RETURN(auto db, store::Database::Open(url, options));
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

// The key store of a database, under the server key (key file or HUKOU_KEY_PASSPHRASE).
Result<std::unique_ptr<trust::KeyStore>> OpenKeys(store::Database& db, const std::string& url,
                                                  const std::string& key_file) {
  HUKOU_ASSIGN_OR_RETURN(trust::ServerKey key, trust::LoadServerKey(db, url, key_file));
  return trust::KeyStore::Open(db, key);
}

// `hukou verify`: prints each broken point, then a summary; 0 when everything holds.
int RunVerify(store::Database& db, int threads) {
  const auto start = std::chrono::steady_clock::now();
  auto report = trust::Verify(db, {threads, 50000});
  if (!report.ok()) return Fail(report.error());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const trust::VerifyProblem& p : report->problems) {
    std::cout << "损坏 BROKEN  table=" << p.table << " row=" << p.row_id << " [" << p.code << "] "
              << p.message << "\n";
  }
  std::cout << "审计链 " << report->chain_entries << " 条，检查点 " << report->checkpoints
            << "，签名 " << report->signatures << "（文书 " << report->documents << "，审批步骤 "
            << report->case_steps << "），文件 " << report->files << "，档案材料 "
            << report->materials << "（审批签名所及 " << report->signed_materials << "）；用时 "
            << seconds << " 秒（"
            << static_cast<int64_t>(report->chain_entries / std::max(seconds, 1e-9))
            << " entries/s, " << static_cast<int64_t>(report->signatures / std::max(seconds, 1e-9))
            << " signatures/s）\n";
  std::cout << (report->ok()
                    ? "全部完好 OK\n"
                    : "发现 " + std::to_string(report->problems.size()) + " 处损坏 BROKEN\n");
  return report->ok() ? 0 : 1;
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
          const std::string& peers_file, const std::string& key_file,
          const std::string& public_url) {
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
  services::PeerMoveOutTransport move_out_transport(peers);
  if (!peers.empty()) {
    national_check = std::make_unique<services::PeerNationalCheck>(peers, Clock::System());
  }
  auto db = OpenMigrated(url);
  if (!db.ok()) return Fail(db.error());
  auto keys = OpenKeys(**db, url, key_file);
  if (!keys.ok()) return Fail(keys.error());
  auto enrolled = org::EnrollSigningKeys(**db, **keys, Clock::System());
  if (!enrolled.ok()) return Fail(enrolled.error());
  trust::Housekeeper housekeeper(**db, **keys, Clock::System());
  registry::AccessLog access_log(**db, Clock::System());
  http::App app{db->get(), &Clock::System(), &access_log};
  org::SessionCache sessions;
  app.sessions = &sessions;
  app.national_check = national_check.get();
  app.peer_tokens = &*peer_tokens;
  app.move_outs = &move_out_transport;
  app.keys = keys->get();
  app.signer = keys->get();  // every case decision is SM2-signed by its officer
  app.public_url = public_url;
  http::Router router;
  http::RegisterAllRoutes(router, app);
  http::ServerOptions options;
  options.address = address;
  options.port = port;
  options.threads = threads;
  options.static_dir = std::move(static_dir);
  options.upload_path_prefixes = {"/api/v1/archive/cases/"};  // material capture (archive)
  options.max_upload_bytes = archive::kMaxMaterialBytes + (size_t{1} << 20);
  http::Server server(options, router);
  Status started = server.Start();
  if (!started.ok()) return Fail(started.error());
  services::OutboxSender sender;
  services::DeliveryLoop delivery(**db, sender, Clock::System());
  delivery.Start();
  // One-stop migration (B9): the origin's move-outs asked of peers, retried with back-off.
  services::DeliveryLoop move_outs(
      [&](int n) {
        return services::DeliverMoveOuts(**db, move_out_transport, Clock::System(), n);
      },
      "move_out");
  move_outs.Start();
  std::cout << "户政管理系统已启动 hukou serving on http://" << address << ":" << server.port()
            << "/  (" << (options.static_dir.empty() ? "no console" : options.static_dir) << ")"
            << std::endl;
  server.Wait();
  server.Stop();
  delivery.Stop();
  move_outs.Stop();
  access_log.Stop();
  housekeeper.Stop();
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
  std::string key_file;
  auto add_key = [&key_file](CLI::App* cmd) {
    cmd->add_option("--key-file", key_file,
                    "Server key file (default: hukou.key beside the SQLite database, or "
                    "./hukou.key); HUKOU_KEY_PASSPHRASE is used instead when set and no file is "
                    "given");
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
  add_key(serve);
  std::string public_url;
  serve->add_option("--public-url", public_url,
                    "Scheme and host of the public site for documents' verification QR codes, "
                    "e.g. https://hukou.example.gov.cn (default: the request's Host)");

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
  demo_cmd->add_option("--cases", demo_options.cases, "Business cases run through the case engine")
      ->default_val(0);
  // The city is generated as of a fixed day, so that the same seed gives the same city on any day.
  std::string demo_as_of = "2026-06-30";
  demo_cmd->add_option("--as-of", demo_as_of, "Date the city's registry is current to (YYYY-MM-DD)")
      ->default_val("2026-06-30");

  add_key(demo_cmd);

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
  add_key(user_add);

  auto* unit_cmd = cli.add_subcommand("unit", "Units");
  unit_cmd->require_subcommand(1);
  add_db(unit_cmd);
  auto* unit_list = unit_cmd->add_subcommand("list", "One unit a line, its code first");
  add_db(unit_list);
  auto* unit_seed = unit_cmd->add_subcommand("seed", "Create the units of a demo city");
  add_db(unit_seed);
  std::string seed_city = "ezhou";
  unit_seed->add_option("--city", seed_city)->check(CLI::IsMember({"ezhou", "ordos"}));
  add_key(unit_seed);

  auto* verify_cmd = cli.add_subcommand(
      "verify", "Check audit chains, signatures and file hashes: exit 0 intact, 1 broken");
  add_db(verify_cmd);
  int verify_threads = 2;
  verify_cmd->add_option("--threads", verify_threads, "Threads (default 2)");

  auto* keys_cmd = cli.add_subcommand("keys", "Signing keys and seals");
  keys_cmd->require_subcommand(1);
  add_db(keys_cmd);
  auto* keys_export = keys_cmd->add_subcommand("export", "Write every public key (JSON)");
  add_db(keys_export);
  std::string keys_out;
  keys_export->add_option("--out", keys_out, "Output file")->required();
  auto* keys_list = keys_cmd->add_subcommand("list", "One key a line");
  add_db(keys_list);
  auto* keys_rotate = keys_cmd->add_subcommand("rotate", "New key for a user or a unit seal");
  add_db(keys_rotate);
  add_key(keys_rotate);
  int64_t rotate_user = 0;
  std::string rotate_unit;
  keys_rotate->add_option("--user", rotate_user, "users.id");
  keys_rotate->add_option("--unit", rotate_unit, "Unit code (its seal)");
  auto* keys_revoke = keys_cmd->add_subcommand("revoke", "Revoke a key");
  add_db(keys_revoke);
  add_key(keys_revoke);
  int64_t revoke_id = 0;
  std::string revoke_reason;
  keys_revoke->add_option("--id", revoke_id, "signing_keys.id")->required();
  keys_revoke->add_option("--reason", revoke_reason, "Why")->required();

  auto* bench_audit = cli.add_subcommand(
      "bench-audit", "Append a large signed audit trail (benchmark data for verify)");
  add_db(bench_audit);
  add_key(bench_audit);
  trust::BenchTrailOptions bench_options;
  bench_audit->add_option("--entries", bench_options.entries, "Chained audit entries");
  bench_audit->add_option("--documents", bench_options.documents, "Signed documents (2 each)");

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
  auto* render_cmd = cli.add_subcommand("render", "Printed documents (PDF)");
  render_cmd->require_subcommand(1);
  auto* render_sample =
      render_cmd->add_subcommand("sample", "Write a sample of each document and the seal PNG");
  std::string render_out;
  render_sample->add_option("--out", render_out, "Output directory")->required();
  auto* archive_cmd = cli.add_subcommand("archive", "Electronic archives (电子档案)");
  archive_cmd->require_subcommand(1);
  auto* import_history = archive_cmd->add_subcommand(
      "import-history", "Import scanned historical files (扫描入网): a folder and a CSV index");
  add_db(import_history);
  std::string history_dir;
  std::string history_index;
  int64_t history_limit = 0;
  import_history->add_option("--dir", history_dir, "Folder of the scanned files")->required();
  import_history->add_option(
      "--index", history_index,
      "CSV index: file_name,id_number,doc_type,year,title (default DIR/index.csv)");
  import_history->add_option("--limit", history_limit,
                             "Stop after this many newly imported files (resume by re-running)");

  CLI11_PARSE(cli, argc, argv);
  const Clock& clock = Clock::System();

  if (*serve) {
    if (static_dir.empty()) static_dir = DefaultStaticDir(argv[0]);
    return Serve(db_url, address, port, threads, static_dir, peer_options, peers_file, key_file,
                 public_url);
  }
  if (*id_check) return codes::RunIdCheck(id_number, clock.Today(), std::cout);
  if (*render_sample) {
    Status written = render::WriteSamples(render_out, std::cout);
    return written.ok() ? 0 : Fail(written.error());
  }

  // A demo city is rebuilt, not recovered, after a crash: its commits need not wait for the disk
  // (about six per demo case; docs/performance.md).
  store::Options db_options;
  db_options.durable = !*demo_cmd;
  auto db = OpenMigrated(db_url, db_options);
  if (!db.ok()) return Fail(db.error());
  store::Database& database = **db;

  if (*import_history) {
    if (history_index.empty()) history_index = history_dir + "/index.csv";
    auto job = archive::RunImportHistory(database, history_dir, history_index, history_limit,
                                         std::cout, clock);
    if (!job.ok()) return Fail(job.error());
    return job->status == "done" && job->failed == 0 ? 0 : 1;
  }
  // Commands that sign or enrol need the key store; it is opened only for them.
  std::unique_ptr<trust::KeyStore> keys;
  if (*demo_cmd || *user_add || *unit_seed || *keys_rotate || *keys_revoke || *bench_audit) {
    auto opened = OpenKeys(database, db_url, key_file);
    if (!opened.ok()) return Fail(opened.error());
    keys = std::move(*opened);
  }
  if (*verify_cmd) return RunVerify(database, verify_threads);
  if (*keys_export || *keys_list) {
    nlohmann::json out = nlohmann::json::array();
    Status s = database.Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto list, trust::ListKeys(conn, "", ""));
      for (const trust::KeyInfo& k : list) {
        if (*keys_list) {
          std::cout << k.id << '\t' << k.owner_kind << '\t' << k.owner_id << '\t' << k.owner_name
                    << '\t' << k.status << '\t' << k.created_at << '\n';
        }
        out.push_back({{"id", k.id},
                       {"owner_kind", k.owner_kind},
                       {"owner_id", k.owner_id},
                       {"owner_name", k.owner_name},
                       {"algorithm", k.algorithm},
                       {"status", k.status},
                       {"created_at", k.created_at},
                       {"retired_at", k.retired_at},
                       {"revoked_at", k.revoked_at},
                       {"public_key_pem", k.public_key_pem}});
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s.error());
    if (*keys_export) {
      std::ofstream f(keys_out, std::ios::binary | std::ios::trunc);
      f << nlohmann::json({{"signer_id", std::string(trust::kSm2SignerId)}, {"keys", out}}).dump(2)
        << '\n';
      if (!f) return Fail(ValidationError("keys.out", "无法写入 " + keys_out, "out"));
      std::cout << "已导出 " << out.size() << " 个公钥到 " << keys_out << "\n";
    }
    return 0;
  }
  if (*keys_rotate) {
    if ((rotate_user == 0) == rotate_unit.empty()) {
      return Fail(ValidationError("keys.owner", "请指定 --user 或 --unit 之一", "user"));
    }
    auto id = rotate_user != 0
                  ? keys->Rotate(trust::kOwnerUser, std::to_string(rotate_user), 0, clock)
                  : keys->Rotate(trust::kOwnerUnit, rotate_unit, 0, clock);
    if (!id.ok()) return Fail(id.error());
    std::cout << "新密钥 " << *id << "\n";
    return 0;
  }
  if (*keys_revoke) {
    Status s = keys->Revoke(revoke_id, 0, revoke_reason, clock);
    if (!s.ok()) return Fail(s.error());
    std::cout << "已吊销密钥 " << revoke_id << "\n";
    return 0;
  }
  if (*bench_audit) {
    auto summary = trust::GenerateBenchTrail(database, *keys, bench_options, clock, std::cout);
    if (!summary.ok()) return Fail(summary.error());
    auto written = trust::WriteCheckpoints(database, *keys, clock);
    if (!written.ok()) return Fail(written.error());
    std::cout << "sign latency (SignAsOfficer, cached key): mean " << summary->sign_mean_ms
              << " ms, p99 " << summary->sign_p99_ms << " ms\n";
    return 0;
  }

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
    auto summary = demo::RunDemo(database, demo_options, demo_clock, std::cout, keys.get());
    if (!summary.ok()) return Fail(summary.error());
    auto enrolled = org::EnrollSigningKeys(database, *keys, clock);
    if (!enrolled.ok()) return Fail(enrolled.error());
    auto seals = documents::DrawMissingSealImages(database, clock);
    if (!seals.ok()) return Fail(seals.error());
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
      created = org::CreateUser(conn, new_user, org::Actor::System(), clock, keys.get());
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
    auto enrolled = org::EnrollSigningKeys(database, *keys, clock);
    if (!enrolled.ok()) return Fail(enrolled.error());
    auto seals = documents::DrawMissingSealImages(database, clock);
    if (!seals.ok()) return Fail(seals.error());
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
  return 0;
}
