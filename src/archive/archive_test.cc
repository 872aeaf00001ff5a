// Archive tests: content checks and thumbnails without a database; capture, versions,
// completeness, late marking, booklets, paper track and the historical import on real databases
// (SQLite always, PostgreSQL when HUKOU_TEST_PG_URL is set).
#include <cairo-pdf.h>
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "archive/booklet.h"
#include "archive/content.h"
#include "archive/history.h"
#include "archive/material.h"
#include "codes/id_number.h"
#include "store/test_database.h"
#include "trust/sm3.h"

namespace hukou::archive {
namespace {

constexpr char kStation[] = "420704510000";
constexpr char kOther[] = "420704520000";

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void Draw(cairo_t* cr) {
  cairo_set_source_rgb(cr, 0.9, 0.9, 0.8);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.1, 0.2, 0.6);
  cairo_rectangle(cr, 20, 20, 200, 100);
  cairo_fill(cr);
}

std::string Png(int w = 400, int h = 300) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t* cr = cairo_create(s);
  Draw(cr);
  cairo_destroy(cr);
  std::string out;
  cairo_surface_write_to_png_stream(s, Append, &out);
  cairo_surface_destroy(s);
  return out;
}

std::string Pdf() {
  std::string out;
  cairo_surface_t* s = cairo_pdf_surface_create_for_stream(Append, &out, 595, 842);
  cairo_t* cr = cairo_create(s);
  Draw(cr);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(s);
  cairo_surface_destroy(s);
  return out;
}

std::string Jpeg() {
  const std::string png = Png();
  GdkPixbufLoader* loader = gdk_pixbuf_loader_new();
  gdk_pixbuf_loader_write(loader, reinterpret_cast<const guchar*>(png.data()), png.size(), nullptr);
  gdk_pixbuf_loader_close(loader, nullptr);
  gchar* buffer = nullptr;
  gsize size = 0;
  gdk_pixbuf_save_to_buffer(gdk_pixbuf_loader_get_pixbuf(loader), &buffer, &size, "jpeg", nullptr,
                            nullptr);
  std::string out(buffer, size);
  g_free(buffer);
  g_object_unref(loader);
  return out;
}

std::string CodeOf(const Status& s) { return s.ok() ? "ok" : s.error().code; }

TEST(ContentTest, TypesAreJudgedFromTheBytes) {
  EXPECT_EQ(*CheckMaterialBytes(Png(), "a.png"), "image/png");
  EXPECT_EQ(*CheckMaterialBytes(Jpeg(), "a.jpg"), "image/jpeg");
  EXPECT_EQ(*CheckMaterialBytes(Pdf(), "a.pdf"), "application/pdf");
  // A PNG named like a PDF is accepted as what it is.
  EXPECT_EQ(*CheckMaterialBytes(Png(), "scan.pdf"), "image/png");
  auto renamed = CheckMaterialBytes("MZ\x90\x00 this is a program", "证明.pdf");
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().code, "archive.type");
  EXPECT_NE(renamed.error().message.find("不是 PDF"), std::string::npos);
  EXPECT_EQ(CodeOf(CheckMaterialBytes("plain text, not a scan\n", "a.txt").status()),
            "archive.type");
  EXPECT_EQ(CodeOf(CheckMaterialBytes("", "a.png").status()), "archive.empty");
  std::string big = Png();
  big.resize(kMaxImageBytes + 1, '\0');
  EXPECT_EQ(CodeOf(CheckMaterialBytes(big, "a.png").status()), "archive.too_large");
}

// A PNG with transparency is flattened onto white (JPEG has no alpha); an opaque one keeps its
// colours.
TEST(ContentTest, ThumbnailFlattensTransparencyOntoWhite) {
  auto centre = [](const std::string& png) -> std::array<int, 3> {
    auto thumb = MakeThumbnail(png, "image/png");
    EXPECT_TRUE(thumb.ok());
    if (!thumb.ok()) return {-1, -1, -1};
    GdkPixbufLoader* loader = gdk_pixbuf_loader_new();
    gdk_pixbuf_loader_write(loader, reinterpret_cast<const guchar*>(thumb->data()), thumb->size(),
                            nullptr);
    gdk_pixbuf_loader_close(loader, nullptr);
    GdkPixbuf* p = gdk_pixbuf_loader_get_pixbuf(loader);
    const ptrdiff_t row = gdk_pixbuf_get_height(p) / 2;
    const ptrdiff_t column = gdk_pixbuf_get_width(p) / 2;
    const guchar* px = gdk_pixbuf_get_pixels(p) + row * gdk_pixbuf_get_rowstride(p) +
                       column * gdk_pixbuf_get_n_channels(p);
    std::array<int, 3> rgb{px[0], px[1], px[2]};
    g_object_unref(loader);
    return rgb;
  };
  auto png = [](cairo_format_t format, double r, double g, double b, double a) {
    cairo_surface_t* s = cairo_image_surface_create(format, 400, 300);
    cairo_t* cr = cairo_create(s);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_rgba(cr, r, g, b, a);
    cairo_paint(cr);
    cairo_destroy(cr);
    std::string out;
    cairo_surface_write_to_png_stream(s, Append, &out);
    cairo_surface_destroy(s);
    return out;
  };
  const auto clear = centre(png(CAIRO_FORMAT_ARGB32, 0, 0, 0, 0));
  for (int c : clear) EXPECT_GT(c, 245);
  const auto blue = centre(png(CAIRO_FORMAT_RGB24, 0.1, 0.2, 0.9, 1));
  EXPECT_LT(blue[0], 50);
  EXPECT_LT(blue[1], 80);
  EXPECT_GT(blue[2], 200);
}

TEST(ContentTest, ThumbnailsOfImagesAndPdfFirstPagesAreSmallJpegs) {
  for (const auto& [bytes, mime] : std::vector<std::pair<std::string, std::string>>{
           {Png(800, 600), "image/png"}, {Jpeg(), "image/jpeg"}, {Pdf(), "application/pdf"}}) {
    auto thumb = MakeThumbnail(bytes, mime);
    ASSERT_TRUE(thumb.ok()) << mime << ": " << thumb.error().message;
    EXPECT_EQ(SniffMime(*thumb), "image/jpeg") << mime;
    GdkPixbufLoader* loader = gdk_pixbuf_loader_new();
    gdk_pixbuf_loader_write(loader, reinterpret_cast<const guchar*>(thumb->data()), thumb->size(),
                            nullptr);
    gdk_pixbuf_loader_close(loader, nullptr);
    GdkPixbuf* p = gdk_pixbuf_loader_get_pixbuf(loader);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(std::max(gdk_pixbuf_get_width(p), gdk_pixbuf_get_height(p)), kThumbnailSide) << mime;
    g_object_unref(loader);
  }
  std::string broken = Png().substr(0, 8) + std::string(300, 'x');  // a PNG signature, then junk
  EXPECT_EQ(CodeOf(MakeThumbnail(broken, "image/png").status()), "archive.damaged");
  EXPECT_EQ(CodeOf(MakeThumbnail("%PDF-1.4\nnothing else", "application/pdf").status()),
            "archive.damaged");
}

TEST(LateTest, CapturedAfterTheBelongingStepCompleted) {
  EXPECT_FALSE(IsLate("2026-11-02T03:00:00Z", ""));
  EXPECT_FALSE(IsLate("2026-11-02T03:00:00Z", "2026-11-02T03:00:00Z"));
  EXPECT_TRUE(IsLate("2026-11-02T03:00:01Z", "2026-11-02T03:00:00Z"));
  EXPECT_FALSE(IsLate("2026-11-01T23:00:00Z", "2026-11-02T03:00:00Z"));
}

TEST(VolumeTypeTest, CityWideFirstThenByEffect) {
  EXPECT_EQ(VolumeTypeFor("birth", kStation, kOther), "city_wide");
  EXPECT_EQ(VolumeTypeFor("birth", kStation, kStation), "birth");
  EXPECT_EQ(VolumeTypeFor("death", kStation, ""), "death");
  EXPECT_EQ(VolumeTypeFor("migrate_out", kStation, ""), "migrate_out");
  EXPECT_EQ(VolumeTypeFor("change_main", kStation, ""), "change");
  EXPECT_EQ(VolumeTypeFor("household_split", kStation, ""), "household");
  EXPECT_EQ(VolumeTypeFor("document", kStation, ""), "booklet");
  EXPECT_EQ(VolumeTypeFor("something_new", kStation, ""), "other");
}

class ArchiveDbTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    test_db_ = std::move(*t);
    police_ = {7, "police1", "民警甲", org::Role::kPolice, kStation, kStation};
  }
  store::Database& db() { return test_db_->db(); }

  Result<Material> Capture(const std::string& case_no, const std::string& code,
                           const std::string& bytes, const std::string& file_name = "scan.png",
                           const std::string& completed = "") {
    archive::Capture c;
    c.case_no = case_no;
    c.station_code = kStation;
    c.item_code = "HK0101";
    c.item_version = 1;
    c.material_code = code;
    c.material_name = code == kPortraitSlot ? "现场人像" : "材料" + code;
    c.source = code == kPortraitSlot ? "portrait" : "scan";
    c.step = "receive";
    c.belongs_step_completed_at = completed;
    c.file_name = file_name;
    c.bytes = bytes;
    Result<Material> out = InternalError("test", "not run");
    Status s = db().Transact([&](store::Connection& conn) -> Status {
      auto m = CaptureMaterial(conn, c, police_, clock_);
      out = m;
      return m.status();
    });
    (void)s;
    return out;
  }

  int64_t Count(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                                             conn.Query("SELECT COUNT(*) FROM " + table));
                      n = r.Int(0, 0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  std::unique_ptr<store::TestDatabase> test_db_;
  org::Actor police_;
  FixedClock clock_{std::chrono::system_clock::time_point(std::chrono::hours(24 * 20759 + 2))};
};

TEST_P(ArchiveDbTest, WrongTypeOversizedAndRenamedFilesStoreNothing) {
  std::string big = Png();
  big.resize(kMaxImageBytes + 10, '\0');
  EXPECT_EQ(CodeOf(Capture("C1", "birth_certificate", big).status()), "archive.too_large");
  EXPECT_EQ(CodeOf(Capture("C1", "birth_certificate", "#!/bin/sh\necho hi\n", "x.pdf").status()),
            "archive.type");
  EXPECT_EQ(CodeOf(Capture("C1", "birth_certificate", "GIF89a......", "x.png").status()),
            "archive.type");
  EXPECT_EQ(Count("files"), 0);
  EXPECT_EQ(Count("archive_materials"), 0);
  EXPECT_EQ(Count("audit_log"), 0);
}

TEST_P(ArchiveDbTest, ScopeAndRoleAreChecked) {
  org::Actor outsider = police_;
  outsider.scope_prefix = kOther;
  archive::Capture c{"C9", kStation, "", 0, "form", "", "scan", "receive", "", "a.png", Png()};
  Status s = db().Transact([&](store::Connection& conn) -> Status {
    return CaptureMaterial(conn, c, outsider, clock_).status();
  });
  EXPECT_EQ(CodeOf(s), "scope.outside");
  org::Actor worker = police_;
  worker.role = org::Role::kCommunityWorker;
  s = db().Transact([&](store::Connection& conn) -> Status {
    return CaptureMaterial(conn, c, worker, clock_).status();
  });
  EXPECT_EQ(CodeOf(s), "role.forbidden");
  EXPECT_EQ(Count("files"), 0);
}

TEST_P(ArchiveDbTest, CorrectionsAreNewVersionsAndOldOnesStay) {
  auto v1 = Capture("C2", "birth_certificate", Png());
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->mime, "image/png");
  EXPECT_TRUE(v1->thumbnail_file_id.has_value());
  auto v2 = Capture("C2", "birth_certificate", Pdf(), "better.pdf");
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_EQ(v2->version, 2);
  std::vector<Material> all;
  MaterialFile old;
  ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(all, ListMaterials(conn, "C2", police_));
                    HUKOU_ASSIGN_OR_RETURN(old,
                                           ReadMaterialFile(conn, "C2", v1->id, false, police_));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].superseded_by, v2->id);
  EXPECT_TRUE(all[1].current());
  EXPECT_EQ(old.bytes, Png());  // the first version's bytes are still there
  EXPECT_EQ(old.mime, "image/png");
  EXPECT_EQ(Count("files"), 4);  // two originals, two thumbnails
  // Another station cannot file materials under the same case.
  archive::Capture c{"C2", kOther, "", 0, "form", "", "scan", "receive", "", "a.png", Png()};
  org::Actor city = police_;
  city.scope_prefix = "";
  Status s = db().Transact([&](store::Connection& conn) -> Status {
    return CaptureMaterial(conn, c, city, clock_).status();
  });
  EXPECT_EQ(CodeOf(s), "archive.station_mismatch");
  org::Actor outsider = police_;
  outsider.scope_prefix = kOther;
  s = db().Read([&](store::Connection& conn) -> Status {
    return ListMaterials(conn, "C2", outsider).status();
  });
  EXPECT_EQ(CodeOf(s), "scope.outside");
}

TEST_P(ArchiveDbTest, CompletenessListsEveryMissingMandatoryMaterial) {
  catalog::Item item;
  item.code = "HK0101";
  item.materials = {{"id_card", "居民身份证", "data_sharing", true, true, ""},
                    {"birth_certificate", "《出生医学证明》", "scan", true, false, ""},
                    {"household_booklet", "户口簿", "scan", true, false, ""},
                    {"marriage", "结婚证", "scan", false, false, ""}};
  Status s = db().Read([&](store::Connection& conn) { return CheckComplete(conn, "C3", item); });
  ASSERT_EQ(CodeOf(s), "archive.incomplete");
  EXPECT_EQ(s.error().kind, ErrorKind::kBusinessRule);
  EXPECT_NE(s.error().message.find("《出生医学证明》、户口簿"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(s.error().message.find("居民身份证"), std::string::npos);  // system verified
  EXPECT_EQ(s.error().message.find("结婚证"), std::string::npos);      // optional
  ASSERT_TRUE(Capture("C3", "birth_certificate", Png()).ok());
  s = db().Read([&](store::Connection& conn) { return CheckComplete(conn, "C3", item); });
  EXPECT_EQ(s.error().message.find("出生医学证明"), std::string::npos);
  ASSERT_TRUE(Capture("C3", "household_booklet", Jpeg(), "b.jpg").ok());
  s = db().Read([&](store::Connection& conn) { return CheckComplete(conn, "C3", item); });
  EXPECT_TRUE(s.ok());
}

TEST_P(ArchiveDbTest, LateCaptureIsMarkedAtCaptureAndAfterwards) {
  auto on_time = Capture("C4", "form", Png());
  ASSERT_TRUE(on_time.ok());
  EXPECT_FALSE(on_time->late);
  auto late = Capture("C4", "birth_certificate", Png(), "x.png", "2026-11-01T00:00:00Z");
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->late);
  std::vector<int64_t> marked;
  ASSERT_TRUE(db().Transact([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(
                        marked, MarkLateMaterials(conn, "C4", "2026-01-01T00:00:00Z", {"form"},
                                                  police_, clock_));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(marked, std::vector<int64_t>{on_time->id});
}

TEST_P(ArchiveDbTest, ArchiveCodesPerStationYearAndType) {
  ASSERT_TRUE(Capture("C5", "form", Png()).ok());
  ASSERT_TRUE(Capture("C5", kPortraitSlot, Jpeg(), "p.jpg").ok());
  ASSERT_TRUE(Capture("C5", "birth_certificate", Png()).ok());
  auto file = [&](const std::string& case_no, const std::string& effect,
                  const std::string& receiving, const std::string& closed) {
    CaseFacts f{case_no,
                "HK0101",
                1,
                "出生登记",
                effect,
                kStation,
                receiving,
                "张三",
                "420704202601010011",
                "approved",
                "2026-11-01T01:00:00Z",
                closed};
    Result<Booklet> out = InternalError("test", "not run");
    Status s = db().Transact([&](store::Connection& conn) -> Status {
      out = ArchiveCase(conn, f, police_, clock_);
      return out.status();
    });
    (void)s;
    return out;
  };
  auto b1 = file("C5", "birth", kStation, "2026-11-03T02:00:00Z");
  ASSERT_TRUE(b1.ok()) << b1.error().message;
  EXPECT_EQ(b1->archive_code, std::string(kStation) + "-2026-CS-0001");
  EXPECT_EQ(b1->material_count, 3);
  EXPECT_EQ(file("C6", "birth", "", "2026-11-04T02:00:00Z")->archive_code,
            std::string(kStation) + "-2026-CS-0002");
  EXPECT_EQ(file("C7", "birth", kOther, "2026-11-04T02:00:00Z")->archive_code,
            std::string(kStation) + "-2026-QY-0001");
  // 2026-12-31T17:00Z is already 2027 in China.
  EXPECT_EQ(file("C8", "death", "", "2026-12-31T17:00:00Z")->archive_code,
            std::string(kStation) + "-2027-SW-0001");
  // Archiving again returns the same booklet.
  EXPECT_EQ(file("C5", "birth", kStation, "2026-11-09T02:00:00Z")->archive_code, b1->archive_code);
  std::vector<Volume> volumes;
  std::vector<CatalogueEntry> catalogue;
  ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(volumes, ListVolumes(conn, kStation, 2026, police_));
                    HUKOU_ASSIGN_OR_RETURN(catalogue, BookletCatalogue(conn, "C5", police_));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(volumes.size(), 2u);
  EXPECT_EQ(volumes[0].volume_title, "出生");
  EXPECT_EQ(volumes[0].booklet_count, 2);
  ASSERT_EQ(catalogue.size(), 3u);
  EXPECT_EQ(catalogue[0].material_code, "form");
  EXPECT_EQ(catalogue[1].material_code, "birth_certificate");
  EXPECT_EQ(catalogue[2].material_code, kPortraitSlot);  // the portrait comes last
  EXPECT_EQ(catalogue[2].sequence, 3);
}

TEST_P(ArchiveDbTest, PaperFilesAreRegisteredAndBatchesBoundMonthly) {
  for (const char* case_no : {"P1", "P2", "P3"}) {
    CaseFacts f{case_no,
                "HK0101",
                1,
                "出生登记",
                "birth",
                kStation,
                "",
                "",
                "",
                "approved",
                "2026-11-01T01:00:00Z",
                std::string(case_no) == "P3" ? "2026-12-02T02:00:00Z" : "2026-11-03T02:00:00Z"};
    ASSERT_TRUE(db().Transact([&](store::Connection& conn) {
                      return ArchiveCase(conn, f, police_, clock_).status();
                    })
                    .ok());
  }
  Status s = db().Transact([&](store::Connection& conn) -> Status {
    HUKOU_RETURN_IF_ERROR(
        RegisterPaperFile(conn, "P1", "档案室A柜3层", "2026-11", police_, clock_).status());
    HUKOU_RETURN_IF_ERROR(
        RegisterPaperFile(conn, "P2", "档案室A柜3层", "2026-11", police_, clock_).status());
    return BindBatch(conn, kStation, "2026-11", police_, clock_);
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  s = db().Transact([&](store::Connection& conn) {
    return RegisterPaperFile(conn, "P1", "别处", "2026-12", police_, clock_).status();
  });
  EXPECT_EQ(CodeOf(s), "archive.already_bound");
  s = db().Transact([&](store::Connection& conn) {
    return BindBatch(conn, kStation, "2026-11", police_, clock_);
  });
  EXPECT_EQ(CodeOf(s), "archive.batch_bound");
  std::vector<BindingMonth> months;
  ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(months, BindingStatus(conn, kStation, 2026, police_));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].month, "2026-11");
  EXPECT_EQ(months[0].closed, 2);
  EXPECT_EQ(months[0].paper_registered, 2);
  EXPECT_EQ(months[0].bound, 2);
  EXPECT_EQ(months[1].month, "2026-12");
  EXPECT_EQ(months[1].paper_registered, 0);
}

TEST_P(ArchiveDbTest, HistoryImportReportsBadRowsAndResumes) {
  const std::string id1 = codes::ComposeIdNumber("420704", {1960, 5, 1}, 11);
  const std::string id2 = codes::ComposeIdNumber("420704", {1962, 7, 9}, 22);
  ASSERT_TRUE(db().Transact([&](store::Connection& conn) -> Status {
                    for (const std::string& id : {id1, id2}) {
                      HUKOU_RETURN_IF_ERROR(
                          conn.Exec("INSERT INTO persons (id_number, name, name_simplified, "
                                    "name_pinyin, sex, ethnicity, birth_date, station_code, "
                                    "registered_at, updated_at) VALUES ($1, '李四', '李四', "
                                    "'lisi', '1', '01', '1960-05-01', $2, 'x', 'x')",
                                    {id, std::string(kStation)})
                              .status());
                    }
                    return Status::Ok();
                  })
                  .ok());
  const auto dir = std::filesystem::temp_directory_path() /
                   ("hukou-history-" + store::BackendName(GetParam()) + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  };
  write("a.png", Png(100, 80));
  write("b.pdf", Pdf());
  write("c.jpg", Jpeg());
  write("fake.pdf", "not a pdf at all");
  write("d.png", Png(120, 90));
  std::ofstream(dir / "index.csv") << "file_name,id_number,doc_type,year,title\n"
                                   << "a.png," << id1 << ",常住人口登记表,1985,李四常住人口登记表\n"
                                   << "b.pdf," << id1 << ",迁移证,1990,准迁证\n"
                                   << "c.jpg," << id2 << ",户口簿,1992,户口簿页\n"
                                   << "fake.pdf," << id2 << ",户口簿,1993,假文件\n"
                                   << "missing.png," << id2 << ",户口簿,1994,缺文件\n"
                                   << "d.png,110101199001011234,户口簿,1995,错号码\n"
                                   << "d.png," << id2 << ",户口簿,19x5,错年份\n";
  ImportOptions first;
  first.limit = 2;  // an interruption after two files
  auto job1 =
      ImportHistory(db(), dir.string(), (dir / "index.csv").string(), first, police_, clock_);
  ASSERT_TRUE(job1.ok()) << job1.error().message;
  EXPECT_EQ(job1->status, "interrupted");
  EXPECT_EQ(job1->imported, 2);
  int progress_calls = 0;
  ImportOptions second;
  second.progress = [&](const ImportJob&) { ++progress_calls; };
  auto job2 =
      ImportHistory(db(), dir.string(), (dir / "index.csv").string(), second, police_, clock_);
  ASSERT_TRUE(job2.ok());
  EXPECT_EQ(job2->status, "done");
  EXPECT_EQ(job2->total, 7);
  EXPECT_EQ(job2->skipped, 2);
  EXPECT_EQ(job2->imported, 1);
  EXPECT_EQ(job2->failed, 4);
  EXPECT_EQ(progress_calls, 7);
  EXPECT_EQ(Count("archive_history_docs"), 3);
  std::vector<ImportRowError> errors;
  std::vector<ImportJob> jobs;
  ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(errors, ListImportErrors(conn, job2->id));
                    HUKOU_ASSIGN_OR_RETURN(jobs, ListImportJobs(conn, 10));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].row_no, 5);
  EXPECT_EQ(errors[0].code, "archive.type");
  EXPECT_EQ(errors[1].code, "archive.file_missing");
  EXPECT_EQ(errors[2].code, "archive.id_number");
  EXPECT_EQ(errors[3].code, "archive.year");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id, job2->id);
  // The files are linked to their persons and readable within scope only.
  std::vector<HistoryDoc> docs;
  HistoryFile file;
  ASSERT_TRUE(db().Read([&](store::Connection& conn) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(
                        store::Rows p,
                        conn.Query("SELECT id FROM persons WHERE id_number = $1", {id1}));
                    HUKOU_ASSIGN_OR_RETURN(docs, ListHistoryDocs(conn, p.Int(0, 0), police_));
                    HUKOU_ASSIGN_OR_RETURN(file, ReadHistoryFile(conn, docs.at(1).id, police_));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].year, 1985);
  EXPECT_EQ(docs[1].title, "准迁证");
  EXPECT_EQ(file.mime, "application/pdf");
  EXPECT_EQ(file.bytes.substr(0, 5), "%PDF-");
  EXPECT_EQ(trust::Sm3Hex(file.bytes), docs[1].sm3);
  org::Actor outsider = police_;
  outsider.scope_prefix = kOther;
  Status s = db().Read([&](store::Connection& conn) {
    return ReadHistoryFile(conn, docs[0].id, outsider).status();
  });
  EXPECT_EQ(CodeOf(s), "scope.outside");
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, ArchiveDbTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::archive
