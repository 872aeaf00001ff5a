// Keys, signatures, the audit chain, documents and `verify` on a real database: SQLite always,
// PostgreSQL too when HUKOU_TEST_PG_URL is set.
#include "trust/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "store/test_database.h"
#include "trust/audit.h"
#include "trust/chain.h"
#include "trust/checkpoints.h"
#include "trust/documents.h"
#include "trust/sm2.h"
#include "trust/sm3.h"
#include "trust/step_payload.h"
#include "trust/verify.h"

namespace hukou::trust {
namespace {

constexpr char kUnit[] = "420704510000";

ServerKey TestKey() { return ServerKey::FromMaterial(std::string(32, '\x5a')); }

TEST(Sm2Test, SignsAndVerifiesWithThePublicKeyAlone) {
  const Sm2Key key = Sm2Key::Generate();
  const std::string der = key.Sign("决定：准予迁入");
  auto pub = Sm2Key::FromPublicPem(key.PublicPem());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->Verify("决定：准予迁入", der));
  EXPECT_FALSE(pub->Verify("决定：不予迁入", der));
  EXPECT_FALSE(Sm2Key::Generate().Verify("决定：准予迁入", der));
  Signature s{"user", "1", 1, "SM2-SM3", Sm3Hex("x"), Base64(key.Sign("x"))};
  EXPECT_TRUE(VerifySignature(key.PublicPem(), "x", s));
  EXPECT_FALSE(VerifySignature(key.PublicPem(), "y", s));
  EXPECT_FALSE(VerifySignature("not a key", "x", s));
  auto priv = Sm2Key::FromPrivatePem(key.PrivatePem());
  ASSERT_TRUE(priv.ok());
  EXPECT_TRUE(pub->Verify("x", priv->Sign("x")));
}

TEST(Sm2Test, Base64RoundTrips) {
  for (const std::string& s : {std::string(), std::string("a"), std::string("ab"),
                               std::string("abc"), std::string("\0\xff\x10", 3)}) {
    auto back = FromBase64(Base64(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(FromBase64("abc").ok());
}

TEST(ServerKeyTest, SealsBoundToContextAndKey) {
  const ServerKey key = TestKey();
  const std::string sealed = key.Seal("secret pem", "ctx");
  EXPECT_EQ(sealed.find("secret"), std::string::npos);
  auto opened = key.Open(sealed, "ctx");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "secret pem");
  EXPECT_FALSE(key.Open(sealed, "other").ok());
  EXPECT_FALSE(ServerKey::FromMaterial(std::string(32, 'b')).Open(sealed, "ctx").ok());
  EXPECT_NE(key.CheckValue(), ServerKey::FromMaterial(std::string(32, 'b')).CheckValue());
}

TEST(ServerKeyTest, KeyFileIsCreatedPrivateAndReread) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("hukou-key-" + std::to_string(getpid()))).string();
  std::filesystem::remove(path);
  EXPECT_FALSE(ServerKey::FromFile(path, false).ok());
  auto a = ServerKey::FromFile(path, true);
  ASSERT_TRUE(a.ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = ServerKey::FromFile(path, true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->CheckValue(), b->CheckValue());
  std::filesystem::remove(path);
  EXPECT_EQ(DefaultKeyFile("sqlite:/var/lib/hukou/hukou.db"), "/var/lib/hukou/hukou.key");
  EXPECT_EQ(DefaultKeyFile("postgresql://h/db"), "hukou.key");
}

class TrustDbTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    t_ = std::move(*t);
    ASSERT_TRUE(
        Exec("INSERT INTO units (code, name, kind, scope_prefix, division_code, "
             "created_at) VALUES ('420704510000', '凤凰派出所', 'station', '420704510', "
             "'420704', 'x')"));
    ASSERT_TRUE(
        Exec("INSERT INTO users (login, password_hash, name, role, unit_code, created_at) "
             "VALUES ('police1', 'x', '李明', 'police', '420704510000', 'x')"));
    auto ks = KeyStore::Open(db(), TestKey());
    ASSERT_TRUE(ks.ok()) << ks.error().message;
    keys_ = std::move(*ks);
    ASSERT_TRUE(db().Transact([&](store::Connection& c) -> Status {
                      HUKOU_RETURN_IF_ERROR(keys_->Enroll(c, kOwnerUser, "1", 0, clock_).status());
                      return keys_->Enroll(c, kOwnerUnit, kUnit, 0, clock_).status();
                    })
                    .ok());
  }
  store::Database& db() { return t_->db(); }
  bool Exec(const std::string& sql) {
    Status s = db().Transact([&](store::Connection& c) { return c.Exec(sql).status(); });
    if (!s.ok()) ADD_FAILURE() << s.error().message;
    return s.ok();
  }
  int64_t Int(const std::string& sql) {
    int64_t v = -1;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(auto r, c.Query(sql));
                      v = r.Int(0, 0);
                      return Status::Ok();
                    })
                    .ok());
    return v;
  }
  std::string PublicPem(int64_t key_id) {
    std::string pem;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(KeyInfo k, FindKey(c, key_id));
                      pem = k.public_key_pem;
                      return Status::Ok();
                    })
                    .ok());
    return pem;
  }
  // Codes of the problems verify reports, as "table:row:code".
  std::vector<std::string> Problems() {
    auto report = Verify(db(), {2, 7});
    EXPECT_TRUE(report.ok());
    std::vector<std::string> out;
    if (!report.ok()) return out;
    for (const VerifyProblem& p : report->problems) {
      out.push_back(p.table + ":" + std::to_string(p.row_id) + ":" + p.code);
    }
    return out;
  }
  SignedDocument Document(const std::string& doc_no, const std::string& pdf) {
    auto signed_doc = SignDocument(*keys_, {doc_no, "receipt", "2026-0001", 1, kUnit}, pdf, clock_);
    EXPECT_TRUE(signed_doc.ok());
    EXPECT_TRUE(db().Transact([&](store::Connection& c) {
                      return RegisterDocument(c, *signed_doc, 1, clock_);
                    })
                    .ok());
    return *signed_doc;
  }

  FixedClock clock_{std::chrono::system_clock::from_time_t(1795000000)};
  std::unique_ptr<store::TestDatabase> t_;
  std::unique_ptr<KeyStore> keys_;
};

TEST_P(TrustDbTest, OfficerAndUnitSignWithTheirEnrolledKeys) {
  auto s = keys_->SignAsOfficer(1, "payload");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->signer_kind, "user");
  EXPECT_EQ(s->signer_id, "1");
  EXPECT_EQ(s->payload_sm3, Sm3Hex("payload"));
  EXPECT_TRUE(VerifySignature(PublicPem(s->key_id), "payload", *s));
  auto seal = keys_->SignAsUnit(kUnit, "payload");
  ASSERT_TRUE(seal.ok());
  EXPECT_NE(seal->key_id, s->key_id);
  EXPECT_FALSE(VerifySignature(PublicPem(seal->key_id), "payload", *s));
  auto none = keys_->SignAsOfficer(99, "payload");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "trust.no_key");
  EXPECT_EQ(keys_->SignAsUnit("999999999999", "x").error().code, "trust.no_seal");
  // Private keys are stored sealed, never as PEM.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM signing_keys WHERE private_key_enc LIKE '%PRIVATE%'"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM signing_keys WHERE private_key_enc LIKE 'v1:%'"), 3);
}

TEST_P(TrustDbTest, RotationAndRevocationKeepHistory) {
  auto before = keys_->SignAsOfficer(1, "a");
  ASSERT_TRUE(before.ok());
  auto rotated = keys_->Rotate(kOwnerUser, "1", 0, clock_);
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(*rotated, before->key_id);
  auto after = keys_->SignAsOfficer(1, "a");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->key_id, *rotated);
  // The old signature still verifies with the retired key's public key.
  EXPECT_TRUE(VerifySignature(PublicPem(before->key_id), "a", *before));
  ASSERT_TRUE(keys_->Revoke(*rotated, 0, "离职", clock_).ok());
  EXPECT_EQ(keys_->SignAsOfficer(1, "a").error().code, "trust.no_key");
  EXPECT_EQ(keys_->Revoke(*rotated, 0, "again", clock_).error().code, "trust.key_revoked");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM signing_keys WHERE owner_kind = 'user'"), 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM key_events WHERE event = 'retired'"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM key_events WHERE event = 'revoked'"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM audit_log WHERE action = 'key.revoke'"), 1);
}

TEST_P(TrustDbTest, SealImageFollowsTheUnitsSealAcrossRotation) {
  EXPECT_EQ(Int("SELECT COUNT(*) FROM signing_keys WHERE seal_image_file_id IS NOT NULL"), 0);
  ASSERT_TRUE(Exec("INSERT INTO files (sm3, mime, size, data, created_at) VALUES ('" +
                   Sm3Hex("png") + "', 'image/png', 3, 'png', 'x')"));
  const int64_t file = Int("SELECT id FROM files");
  ASSERT_TRUE(
      db().Transact([&](store::Connection& c) { return SetSealImage(c, kUnit, file, 0, clock_); })
          .ok());
  ASSERT_TRUE(keys_->Rotate(kOwnerUnit, kUnit, 0, clock_).ok());
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(int64_t image, SealImage(c, kUnit));
                    EXPECT_EQ(image, file);
                    EXPECT_EQ(SealImage(c, "999999999999").error().code, "trust.no_seal");
                    return Status::Ok();
                  })
                  .ok());
}

TEST_P(TrustDbTest, ARewrittenChainNoLongerMatchesItsSignedCheckpoint) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(db().Transact([&](store::Connection& c) {
                      return AppendAudit(c, {1, "a", "t", std::to_string(i), ""}, clock_);
                    })
                    .ok());
  }
  ASSERT_TRUE(WriteCheckpoints(db(), *keys_, clock_).ok());
  // Rewrite the last entry consistently (new content, recomputed hash and head): only the
  // signed checkpoint still knows the old hash.
  const int64_t last = Int("SELECT MAX(seq) FROM audit_log");
  std::string prev;
  std::vector<std::string> fields;
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(
                        auto r, c.Query("SELECT prev_hash, at, user_id, action, object_kind, "
                                        "object_id, detail FROM audit_log WHERE seq = $1",
                                        {last}));
                    prev = r.Text(0, 0);
                    for (size_t i = 1; i < 7; ++i) fields.push_back(r.Text(0, i));
                    return Status::Ok();
                  })
                  .ok());
  fields[3] = "forged";
  const std::string hash = ChainHash(prev, last, {fields.begin(), fields.end()});
  ASSERT_TRUE(Exec("UPDATE audit_log SET object_kind = 'forged', hash = '" + hash +
                   "' WHERE seq = " + std::to_string(last)));
  ASSERT_TRUE(Exec("UPDATE audit_chains SET last_hash = '" + hash + "' WHERE name = 'audit'"));
  const int64_t checkpoint = Int("SELECT id FROM audit_checkpoints WHERE chain = 'audit'");
  EXPECT_EQ(Problems(), std::vector<std::string>{"audit_checkpoints:" + std::to_string(checkpoint) +
                                                 ":checkpoint_mismatch"});
}

TEST_P(TrustDbTest, AnotherProcessSeesARevocationAfterRefresh) {
  auto other_db = store::Database::Open(t_->url());
  ASSERT_TRUE(other_db.ok());
  auto other = KeyStore::Open(**other_db, TestKey());
  ASSERT_TRUE(other.ok());
  auto s = (*other)->SignAsOfficer(1, "x");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(keys_->Revoke(s->key_id, 0, "丢失", clock_).ok());
  EXPECT_TRUE((*other)->SignAsOfficer(1, "x").ok());  // cached until the next refresh
  ASSERT_TRUE((*other)->Refresh().ok());
  EXPECT_EQ((*other)->SignAsOfficer(1, "x").error().code, "trust.no_key");
}

TEST_P(TrustDbTest, AWrongServerKeyCannotOpenPrivateKeys) {
  auto wrong = KeyStore::Open(db(), ServerKey::FromMaterial(std::string(32, 'q')));
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ((*wrong)->SignAsOfficer(1, "x").error().code, "trust.unseal");
}

TEST_P(TrustDbTest, ChainStaysWholeWithSeveralWritersAndVerifies) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<store::Database>> dbs;
  for (int t = 0; t < kThreads; ++t) {
    auto d = store::Database::Open(t_->url());  // one pool per thread: like separate processes
    ASSERT_TRUE(d.ok());
    dbs.push_back(std::move(*d));
  }
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status s = dbs[t]->Transact([&](store::Connection& c) -> Status {
          HUKOU_RETURN_IF_ERROR(
              AppendAudit(c, {1, "x.write", "thing", std::to_string(i), ""}, Clock::System()));
          return AppendAccessRows(
              c, {{"2026-01-01T00:00:00Z", 1, "read_person", "person", "42", "核查", "127.0.0.1"}});
        });
        EXPECT_TRUE(s.ok()) << s.error().message;
      }
    });
  }
  for (auto& th : threads) th.join();
  const int64_t n = Int("SELECT COUNT(*) FROM audit_log WHERE action = 'x.write'");
  EXPECT_EQ(n, kThreads * kEach);
  EXPECT_EQ(Int("SELECT MAX(seq) FROM audit_log"), Int("SELECT COUNT(*) FROM audit_log"));
  EXPECT_EQ(Int("SELECT MAX(seq) FROM access_log"), kThreads * kEach);
  auto written = WriteCheckpoints(db(), *keys_, clock_);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, 2);
  EXPECT_EQ(*WriteCheckpoints(db(), *keys_, clock_), 0);  // nothing new to checkpoint
  auto report = Verify(db(), {2, 7});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems[0].message;
  EXPECT_EQ(report->checkpoints, 2);
  EXPECT_EQ(report->chain_entries,
            Int("SELECT COUNT(*) FROM audit_log") + int64_t{kThreads} * kEach);
}

TEST_P(TrustDbTest, StrayRowsAreLinkedInIdOrder) {
  ASSERT_TRUE(db().Transact([&](store::Connection& c) {
                    return AppendAudit(c, {0, "a", "t", "1", ""}, clock_);
                  })
                  .ok());
  ASSERT_TRUE(
      Exec("INSERT INTO access_log (at, action, subject_kind, subject) VALUES "
           "('2026-01-01T00:00:00Z', 'export', 'query', 'all')"));
  EXPECT_EQ(Problems().size(), 1u);  // unchained
  auto linked = LinkPending(db());
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(*linked, 1);
  EXPECT_TRUE(Problems().empty());
}

TEST_P(TrustDbTest, VerifyNamesEveryTamperedRowFileAndSignature) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(db().Transact([&](store::Connection& c) -> Status {
                      HUKOU_RETURN_IF_ERROR(AppendAudit(
                          c, {1, "person.update", "person", std::to_string(i), "{}"}, clock_));
                      return AppendAccessRows(c, {{"2026-01-01T00:00:00Z", 1, "read_person",
                                                   "person", std::to_string(i), "", ""}});
                    })
                    .ok());
  }
  Document("HK-1", "%PDF-1.7 one");
  Document("HK-2", "%PDF-1.7 two");
  ASSERT_TRUE(Exec("INSERT INTO files (sm3, mime, size, data, created_at) VALUES ('" +
                   Sm3Hex("photo") + "', 'image/png', 5, 'photo', 'x')"));
  // Two signed steps of a case, as the case engine stores them.
  ASSERT_TRUE(
      Exec("INSERT INTO cases (id, case_no, item_code, item_version, item_name, effect, status, "
           "receiving_unit_code, receiving_station_code, receiving_user_id, station_code, "
           "applicant_name, applicant_id_number, received_at, received_date, due_date, "
           "step_due_date, step_started_at) VALUES (7, '20260101000007', 'HK0101', 1, '出生登记', "
           "'birth', 'accepted', 'U', 'S', 1, 'S', '张三', '11010519491231002X', "
           "'2026-01-01T00:00:00Z', '2026-01-01', '2026-01-20', '2026-01-20', "
           "'2026-01-01T00:00:00Z')"));
  auto step = keys_->SignAsOfficer(1, "case=7;step=approve");
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(db().Transact([&](store::Connection& c) {
                    return c
                        .Exec(
                            "INSERT INTO case_steps (id, case_id, step_no, chain_index, action, "
                            "officer_id, officer_name, unit_code, acted_at, payload, payload_sm3, "
                            "signature, signature_key_id, signer_id) VALUES "
                            "(1, 7, 1, 0, 'accept', 1, '民警', 'S', 'x', $1, $2, $3, $4, 1), "
                            "(2, 7, 2, 1, 'approve', 1, '民警', 'S', 'x', $1, $2, $3, $4, 1)",
                            {std::string("case=7;step=approve"), step->payload_sm3, step->value,
                             step->key_id})
                        .status();
                  })
                  .ok());
  ASSERT_TRUE(WriteCheckpoints(db(), *keys_, clock_).ok());
  ASSERT_TRUE(Problems().empty());

  const int64_t audit_row = Int("SELECT id FROM audit_log WHERE seq = 5");
  ASSERT_TRUE(Exec("UPDATE audit_log SET user_id = 2 WHERE seq = 5"));
  ASSERT_TRUE(Exec("DELETE FROM access_log WHERE seq = 9"));
  ASSERT_TRUE(Exec("UPDATE files SET data = 'phot0'"));
  const int64_t doc2 = Int("SELECT id FROM documents WHERE doc_no = 'HK-2'");
  ASSERT_TRUE(Exec("UPDATE documents SET case_ref = '2026-9999' WHERE doc_no = 'HK-2'"));
  ASSERT_TRUE(Exec("UPDATE case_steps SET payload = 'case=7;step=reject', payload_sm3 = '" +
                   Sm3Hex("case=7;step=reject") + "' WHERE id = 2"));
  const std::vector<std::string> problems = Problems();
  const std::vector<std::string> expected = {
      "access_log:0:missing_entries",
      "audit_log:" + std::to_string(audit_row) + ":content_altered",
      "case_steps:2:bad_signature",
      "documents:" + std::to_string(doc2) + ":bad_signature",
      "files:" + std::to_string(Int("SELECT id FROM files")) + ":file_altered",
  };
  for (const std::string& e : expected) {
    EXPECT_NE(std::find(problems.begin(), problems.end(), e), problems.end()) << e;
  }
  // Both signatures of the altered document fail; nothing else is reported.
  EXPECT_EQ(problems.size(), expected.size() + 1);
}

// C7/D1: a signed case step names the hashes of the case's materials (trust/step_payload.h);
// verify finds a material whose file was replaced, altered or removed after the decision.
TEST_P(TrustDbTest, VerifyNamesMaterialsThatNoLongerCarryTheSignedHash) {
  auto file = [&](const std::string& bytes) {
    EXPECT_TRUE(Exec("INSERT INTO files (sm3, mime, size, data, created_at) VALUES ('" +
                     Sm3Hex(bytes) + "', 'image/png', " + std::to_string(bytes.size()) + ", '" +
                     bytes + "', 'x')"));
    return Int("SELECT MAX(id) FROM files");
  };
  const int64_t form = file("form scan");
  const int64_t proof = file("proof scan");
  const int64_t other = file("another scan");
  ASSERT_TRUE(
      Exec("INSERT INTO archive_materials (id, case_no, station_code, material_code, version, "
           "file_id, source, captured_at) VALUES (1, '20260101000007', 'S', 'application_form', "
           "1, " +
           std::to_string(form) + ", 'scan', 'x'), (2, '20260101000007', 'S', 'proof', 1, " +
           std::to_string(proof) + ", 'scan', 'x'), (3, '20260101000007', 'S', 'photo', 1, " +
           std::to_string(other) + ", 'scan', 'x')"));
  ASSERT_TRUE(
      Exec("INSERT INTO cases (id, case_no, item_code, item_version, item_name, effect, status, "
           "receiving_unit_code, receiving_station_code, receiving_user_id, station_code, "
           "applicant_name, applicant_id_number, received_at, received_date, due_date, "
           "step_due_date, step_started_at) VALUES (7, '20260101000007', 'HK0101', 1, '出生登记', "
           "'birth', 'accepted', 'U', 'S', 1, 'S', '张三', '11010519491231002X', "
           "'2026-01-01T00:00:00Z', '2026-01-01', '2026-01-20', '2026-01-20', "
           "'2026-01-01T00:00:00Z')"));
  // Step 1 in the old format (no material lines), step 2 naming the three materials.
  const std::string old_payload = "hukou-case-step=1\ncase_no=20260101000007\nstep_no=1\n";
  const std::string payload = "hukou-case-step=2\ncase_no=20260101000007\nstep_no=2\n" +
                              MaterialLine({"application_form", 1, Sm3Hex("form scan")}) +
                              MaterialLine({"photo", 1, Sm3Hex("another scan")}) +
                              MaterialLine({"proof", 1, Sm3Hex("proof scan")});
  auto step = [&](int64_t id, const std::string& p) {
    auto sig = keys_->SignAsOfficer(1, p);
    ASSERT_TRUE(sig.ok());
    ASSERT_TRUE(db().Transact([&](store::Connection& c) {
                      return c
                          .Exec(
                              "INSERT INTO case_steps (id, case_id, step_no, chain_index, action, "
                              "officer_id, officer_name, unit_code, acted_at, payload, "
                              "payload_sm3, signature, signature_key_id, signer_id) VALUES "
                              "($1, 7, $6, 0, 'accept', 1, '民警', 'S', 'x', $2, $3, $4, $5, 1)",
                              {id, p, sig->payload_sm3, sig->value, sig->key_id, id})
                          .status();
                    })
                    .ok());
  };
  step(1, old_payload);
  step(2, payload);
  auto report = Verify(db(), {2, 7});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(report->materials, 3);
  EXPECT_EQ(report->signed_materials, 3);

  // The form's bytes swapped together with their stored hash (the file row stays consistent),
  // the proof's bytes altered alone, the photo's row removed.
  ASSERT_TRUE(Exec("UPDATE files SET data = 'forged scan', sm3 = '" + Sm3Hex("forged scan") +
                   "', size = 11 WHERE id = " + std::to_string(form)));
  ASSERT_TRUE(Exec("UPDATE files SET data = 'proof sc4n' WHERE id = " + std::to_string(proof)));
  ASSERT_TRUE(Exec("DELETE FROM archive_materials WHERE id = 3"));
  EXPECT_EQ(Problems(), (std::vector<std::string>{
                            "archive_materials:1:material_replaced",
                            "archive_materials:2:material_file_altered",
                            "case_steps:2:material_missing",
                            "files:" + std::to_string(proof) + ":file_altered",
                        }));
}

TEST_P(TrustDbTest, DocumentsVerifyPubliclyAndDetectAlteredBytes) {
  const std::string pdf = "%PDF-1.7 收件单";
  SignedDocument signed_doc = Document("HK202611220000000001", pdf);
  Result<DocumentRecord> rec = NotFoundError("x", "x");
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    rec = FindDocument(c, "HK202611220000000001");
                    return rec.status();
                  })
                  .ok());
  EXPECT_EQ(rec->officer_name, "李明");
  EXPECT_EQ(rec->unit_name, "凤凰派出所");
  EXPECT_EQ(rec->signed_doc.pdf_sm3, Sm3Hex(pdf));
  EXPECT_TRUE(CheckDocument(*rec, &pdf).authentic);
  const std::string altered = pdf + " ";
  EXPECT_EQ(CheckDocument(*rec, &altered).reason, "altered");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM key_usage WHERE object_kind = 'document'"), 2);
  auto dup = SignDocument(*keys_, {"HK202611220000000001", "receipt", "", 1, kUnit}, pdf, clock_);
  ASSERT_TRUE(dup.ok());
  Status s =
      db().Transact([&](store::Connection& c) { return RegisterDocument(c, *dup, 1, clock_); });
  EXPECT_EQ(s.error().code, "document.duplicate");
  // A later revocation does not void what was signed before it.
  clock_.Set(clock_.Now() + std::chrono::hours(1));
  ASSERT_TRUE(keys_->Revoke(signed_doc.officer.key_id, 0, "调离", clock_).ok());
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    rec = FindDocument(c, "HK202611220000000001");
                    return rec.status();
                  })
                  .ok());
  EXPECT_EQ(rec->officer_key_status, "revoked");
  EXPECT_TRUE(CheckDocument(*rec, &pdf).authentic);
}

INSTANTIATE_TEST_SUITE_P(Backends, TrustDbTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::trust
