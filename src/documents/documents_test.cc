// Case documents on real databases (SQLite always, PostgreSQL when HUKOU_TEST_PG_URL is set), with
// the real key store: a birth case received and accepted through the engine, its receipt and
// approval form issued, signed, registered and returned again unchanged.
#include "documents/documents.h"

#include <gtest/gtest.h>

#include "cases/engine.h"
#include "catalog/catalog.h"
#include "org/units.h"
#include "org/users.h"
#include "registry/household.h"
#include "registry/person.h"
#include "render/seal.h"
#include "store/test_database.h"
#include "trust/documents.h"
#include "trust/keys.h"

namespace hukou::documents {
namespace {

constexpr char kStation1[] = "420704510000";  // 凤凰派出所
constexpr char kStation2[] = "420704520000";  // 古楼派出所

class DocumentsTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto tdb = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(tdb.ok()) << tdb.error().message;
    tdb_ = std::move(*tdb);
    auto keys = trust::KeyStore::Open(db(), trust::ServerKey::FromMaterial(std::string(32, 'k')));
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    keys_ = std::move(*keys);
    Status s = db().Transact([&](store::Connection& c) -> Status {
      HUKOU_RETURN_IF_ERROR(org::SeedUnits(c, "ezhou", clock_));
      HUKOU_RETURN_IF_ERROR(catalog::LoadShippedCatalog(c, clock_).status());
      HUKOU_ASSIGN_OR_RETURN(store::Rows w,
                             c.Query("SELECT code FROM units WHERE kind = 'window' AND "
                                     "parent_code = $1 ORDER BY code",
                                     {std::string(kStation1)}));
      const std::string window = w.Text(0, 0);
      registry::Address a;
      a.division_code = "420704";
      a.township_code = "420704001";
      a.community_code = "420704001001";
      a.full_text = "凤凰街道寒溪社区文星路12号";
      a.station_code = kStation1;
      HUKOU_ASSIGN_OR_RETURN(registry::Address addr,
                             registry::CreateAddress(c, a, org::Actor::System(), clock_));
      HUKOU_ASSIGN_OR_RETURN(household_, registry::CreateHousehold(c, "family", addr.id,
                                                                   org::Actor::System(), clock_));
      registry::NewPerson p;
      HUKOU_ASSIGN_OR_RETURN(
          p.id_number, registry::AllocateIdNumber(c, "420704", *Date::Parse("1980-03-04"), "1"));
      p.name = "王大伟";
      p.sex = "1";
      p.ethnicity = "01";
      p.birth_date = "1980-03-04";
      p.household_id = household_.id;
      p.relation_to_head = "02";
      HUKOU_ASSIGN_OR_RETURN(registry::Person done,
                             registry::RegisterPerson(c, p, org::Actor::System(), clock_));
      father_ = done.id_number;
      for (const org::NewUser& u :
           {org::NewUser{"clerk", "pw-123456", "王芳", "window_clerk", window, ""},
            org::NewUser{"police", "pw-123456", "李明", "police", kStation1, "300002"},
            org::NewUser{"other", "pw-123456", "陈刚", "police", kStation2, "310001"}}) {
        HUKOU_ASSIGN_OR_RETURN(org::User created,
                               org::CreateUser(c, u, org::Actor::System(), clock_, keys_.get()));
        HUKOU_ASSIGN_OR_RETURN(org::Actor actor, org::ActorForUser(c, created.id));
        actors_.push_back(actor);
      }
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE(org::EnrollSigningKeys(db(), *keys_, clock_).ok());
  }

  store::Database& db() { return tdb_->db(); }
  const org::Actor& clerk() const { return actors_[0]; }
  const org::Actor& police() const { return actors_[1]; }
  const org::Actor& other() const { return actors_[2]; }

  cases::Case ReceiveBirth() {
    cases::Engine engine(db(), clock_, keys_.get());
    cases::ReceiveInput in;
    in.item_code = "HK0101";
    in.applicant_name = "王大伟";
    in.applicant_id_number = father_;
    in.subjects.push_back({"",
                           {{"name", "王小宝"},
                            {"sex", "2"},
                            {"ethnicity", "01"},
                            {"birth_date", "2026-11-02"},
                            {"father_name", "王大伟"},
                            {"father_id_number", father_}},
                           "20"});
    in.materials = {"application_form"};
    in.form = {{"household_number", household_.household_number}};
    auto c = engine.Receive(in, clerk());
    EXPECT_TRUE(c.ok()) << c.error().message;
    if (!c.ok()) return cases::Case{};
    // The application form is the one mandatory material the system does not verify itself;
    // acceptance needs it captured. Any real PNG does as its scan.
    auto scan = render::DrawSealPng("户口登记申请表", "扫描件");
    EXPECT_TRUE(scan.ok());
    archive::Capture cap;
    cap.material_code = "application_form";
    cap.source = "scan";
    cap.file_name = "application_form.png";
    cap.bytes = scan.ok() ? *scan : std::string();
    auto stored = engine.CaptureMaterial(c->case_no, cap, clerk());
    EXPECT_TRUE(stored.ok()) << stored.error().message;
    return *c;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(store::Rows r, c.Query(sql));
                      n = r.Int(0, 0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  FixedClock clock_{std::chrono::system_clock::time_point(
      std::chrono::hours(24 * Date{2026, 11, 20}.ToDays() + 2))};
  std::unique_ptr<store::TestDatabase> tdb_;
  std::unique_ptr<trust::KeyStore> keys_;
  registry::Household household_;
  std::string father_;
  std::vector<org::Actor> actors_;
};

TEST_P(DocumentsTest, ReceiptIsSignedRegisteredAndReturnedAgainUnchanged) {
  const cases::Case c = ReceiveBirth();
  Issuer issuer(db(), clock_, *keys_);
  auto first = issuer.CaseDocument(c.case_no, kReceipt, "https://hukou.example.cn", clerk());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->pdf.starts_with("%PDF-"));
  EXPECT_FALSE(first->reused);
  EXPECT_EQ(first->kind, kReceipt);

  auto again = issuer.CaseDocument(c.case_no, kReceipt, "https://other.example.cn", police());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->doc_no, first->doc_no);
  EXPECT_EQ(again->pdf, first->pdf) << "the registered bytes, not a new rendering";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM documents"), 1);

  ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(trust::DocumentRecord rec,
                                           trust::FindDocument(conn, first->doc_no));
                    EXPECT_EQ(rec.signed_doc.doc.case_ref, c.case_no);
                    EXPECT_EQ(rec.signed_doc.doc.officer_id, clerk().user_id)
                        << "signed by the receiving officer";
                    EXPECT_EQ(rec.signed_doc.doc.unit_code, kStation1) << "the station's seal";
                    EXPECT_TRUE(trust::CheckDocument(rec, &first->pdf).authentic);
                    std::string altered = first->pdf;
                    altered[altered.size() / 2] ^= 1;
                    EXPECT_EQ(trust::CheckDocument(rec, &altered).reason, "altered");
                    HUKOU_ASSIGN_OR_RETURN(int64_t seal, trust::SealImage(conn, kStation1));
                    EXPECT_GT(seal, 0) << "the seal image was drawn on first use";
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM key_usage WHERE purpose = 'case_step'"), 1)
      << "the receive step's signature is registered";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM key_usage WHERE purpose LIKE 'document_%'"), 2);
}

TEST_P(DocumentsTest, ApprovalFormNeedsAStepNoticeAnApprovalAndScopeHolds) {
  const cases::Case c = ReceiveBirth();
  Issuer issuer(db(), clock_, *keys_);
  auto none = issuer.CaseDocument(c.case_no, kApprovalForm, "http://h", police());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "document.no_step");
  auto notice = issuer.CaseDocument(c.case_no, kNotice, "http://h", police());
  ASSERT_FALSE(notice.ok());
  EXPECT_EQ(notice.error().code, "document.not_approved");
  auto outside = issuer.CaseDocument(c.case_no, kReceipt, "http://h", other());
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM documents"), 0) << "nothing registered on refusal";

  cases::Engine engine(db(), clock_, keys_.get());
  ASSERT_TRUE(engine.Decide(c.case_no, {"approve", "同意受理", {}}, police()).ok());
  auto form = issuer.CaseDocument(c.case_no, kApprovalForm, "http://h", police());
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_TRUE(form->pdf.starts_with("%PDF-"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_documents WHERE kind = 'approval_form' AND basis = "
                  "'steps:2'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM key_usage WHERE purpose = 'case_step'"), 2);
  EXPECT_EQ(VerifyUrl("https://h.cn/", form->doc_no), "https://h.cn/verify/" + form->doc_no);
}

INSTANTIATE_TEST_SUITE_P(Backends, DocumentsTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::documents
