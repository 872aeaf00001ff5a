#include "render/sample.h"

#include <filesystem>
#include <fstream>

#include "render/cairo_util.h"
#include "render/seal.h"

namespace hukou::render {
namespace {

const std::string kSubjectName = std::string("张") + kSampleRareName;
constexpr const char* kChangeCase = "HK4207022026112200018";
constexpr const char* kChangeItem = "变更姓名（未成年人）";
constexpr const char* kArticle18 = "《中华人民共和国户口登记条例》第十八条";

std::vector<Person> Child() { return {Person{kSubjectName, "420704201610030035", "子女"}}; }
std::vector<Change> NameChange() { return {Change{"姓名", "张𠮷", kSubjectName}}; }

Authenticity SampleMarks(const std::string& seal_png, const std::string& number) {
  Authenticity marks;
  marks.document_number = number;
  marks.verify_url = "https://hukou.example.gov.cn/v/" + number;
  marks.seal_png = seal_png;
  marks.unit_name = kSampleUnit;
  marks.date = "2026年11月22日";
  marks.issued_at = "2026-11-22T01:41:00Z";
  return marks;
}

// A grey "scan" of a paper certificate, as PNG.
Result<std::string> SampleScanPng() {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1240, 1754));
  CairoPtr cr(cairo_create(surface.get()));
  GPtr<PangoContext> text = MakeTextContext(cr.get());
  cairo_set_source_rgb(cr.get(), 0.93, 0.92, 0.88);
  cairo_paint(cr.get());
  cairo_set_source_rgb(cr.get(), 0.15, 0.15, 0.15);
  auto title =
      MakeLayout(text.get(), "出生医学证明（扫描件）", kSerif, 56, true, 1100, PANGO_ALIGN_CENTER);
  cairo_move_to(cr.get(), 70, 160);
  pango_cairo_show_layout(cr.get(), title.get());
  auto body = MakeLayout(
      text.get(),
      "新生儿姓名：" + kSubjectName + "\n性别：男\n出生时间：2026年10月3日\n出生地点：湖北省鄂州市",
      kSerif, 36, false, 1100);
  cairo_move_to(cr.get(), 120, 400);
  pango_cairo_show_layout(cr.get(), body.get());
  std::string png = EncodePng(surface.get());
  if (png.empty()) return InternalError("render.png", "图像生成失败");
  return png;
}

Status WriteFile(const std::filesystem::path& path, const std::string& bytes, std::ostream& out) {
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file) return ValidationError("render.out_dir", "无法写入 " + path.string(), "out");
  out << path.string() << '\n';
  return Status::Ok();
}

}  // namespace

ReceiptData SampleReceipt(const std::string& seal_png) {
  ReceiptData d;
  d.case_number = "HK4207022026112200017";
  d.item_code = "HJ-CS-01";
  d.item_name = "出生登记（按时申报）";
  d.applicant = Person{"张建国", "420704198803150017", "本人"};
  d.applicant_phone = "138****5621";
  d.subjects = {Person{kSubjectName, "（待分配）", "子女"}};
  d.materials_received = {"《出生医学证明》", "父母双方居民身份证", "父亲户口簿",
                          "父母结婚证（已通过数据共享核验）"};
  d.materials_missing = {"母亲户口簿（户籍地不在本市时提供）"};
  d.fees = {Fee{"户口登记", 0}};
  d.receiving_window = "古楼派出所户籍室 2 号窗口";
  d.officer = "李明";
  d.received_at = "2026-11-22 09:41";
  d.due_date = "2026-11-27";
  d.progress_url = "https://hukou.example.gov.cn/p/HK4207022026112200017";
  d.marks = SampleMarks(seal_png, "鄂公古收〔2026〕0017号");
  d.marks.verify_url = "https://hukou.example.gov.cn/v/R2026-0017";
  return d;
}

ApprovalFormData SampleApprovalForm(const std::string& seal_png) {
  ApprovalFormData d;
  d.case_number = kChangeCase;
  d.item_code = "HJ-BG-02";
  d.item_name = kChangeItem;
  d.legal_basis = kArticle18;
  d.applicant = Person{"张建国", "420704198803150017", "父亲"};
  d.subjects = Child();
  d.reason = "随父姓，原名用字生僻，申请变更姓名。";
  d.changes = NameChange();
  d.receiving_unit = "鄂州市公安局鄂城区分局古楼派出所";
  d.received_at = "2026-11-22 10:05";
  d.steps = {
      {"受理", "古楼派出所", "李明", "材料齐全，符合受理条件", "受理", "2026-11-22 10:05", true},
      {"派出所审核", "古楼派出所", "王芳", "情况属实，同意上报", "同意", "2026-11-22 15:12", true},
      {"分局审批", "鄂城区分局", "陈刚", "符合规定，准予变更", "批准", "2026-11-24 09:30", true},
  };
  d.marks = SampleMarks(seal_png, "鄂公鄂审〔2026〕0018号");
  d.marks.unit_name = "鄂州市公安局鄂城区分局";
  return d;
}

NoticeData SampleNotice(const std::string& seal_png) {
  NoticeData d;
  d.case_number = kChangeCase;
  d.item_name = kChangeItem;
  d.applicant_name = "张建国";
  d.received_date = "2026年11月22日";
  d.legal_basis = kArticle18;
  d.subjects = Child();
  d.changes = NameChange();
  d.pickup_place = "古楼派出所户籍室 2 号窗口";
  d.pickup_note = "携带本人居民身份证、户口簿及本通知书";
  d.marks = SampleMarks(seal_png, "鄂公古通〔2026〕0018号");
  return d;
}

CertificateData SampleCertificate(const std::string& seal_png) {
  CertificateData d;
  d.title = "户籍证明";
  d.addressee = "鄂州市教育局";
  d.fields = {{"姓名", kSubjectName},
              {"性别", "男"},
              {"公民身份号码", "420704201610030035"},
              {"民族", "汉族"},
              {"户籍地址", "湖北省鄂州市鄂城区古楼街道滨湖南路 18 号", true}};
  d.paragraphs = {"兹证明 " + kSubjectName +
                  " 同志的常住户口登记在我所辖区，户籍地址如上，现户口状态为正常。"};
  d.validity = "本证明自开具之日起三个月内有效";
  d.officer = "李明";
  d.marks = SampleMarks(seal_png, "鄂公古证〔2026〕0031号");
  return d;
}

Status WriteSamples(const std::string& dir, std::ostream& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ValidationError("render.out_dir", "无法创建目录 " + dir, "out");
  HUKOU_ASSIGN_OR_RETURN(std::string seal, DrawSealPng(kSampleUnit, "户籍专用章"));
  HUKOU_ASSIGN_OR_RETURN(std::string branch_seal,
                         DrawSealPng("鄂州市公安局鄂城区分局", "户籍专用章"));
  HUKOU_ASSIGN_OR_RETURN(RenderedPdf receipt, RenderReceipt(SampleReceipt(seal)));
  HUKOU_ASSIGN_OR_RETURN(RenderedPdf approval, RenderApprovalForm(SampleApprovalForm(branch_seal)));
  HUKOU_ASSIGN_OR_RETURN(RenderedPdf notice, RenderNotice(SampleNotice(seal)));
  HUKOU_ASSIGN_OR_RETURN(RenderedPdf certificate, RenderCertificate(SampleCertificate(seal)));
  HUKOU_ASSIGN_OR_RETURN(std::string scan, SampleScanPng());
  BookletData booklet{"4207.HJ.2026-BG-0018",
                      "HK4207022026112200018",
                      "2026年 变更更正 卷",
                      kSampleUnit,
                      {
                          BookletItem{"户口业务收件单", "鄂公古收〔2026〕0017号", "古楼派出所",
                                      "2026-11-22", receipt.bytes, ""},
                          BookletItem{"出生医学证明（扫描件）", "", "鄂州市妇幼保健院",
                                      "2026-10-03", scan, "复印件"},
                          BookletItem{"户口业务审批表", "鄂公鄂审〔2026〕0018号", "鄂城区分局",
                                      "2026-11-24", approval.bytes, ""},
                      },
                      "https://hukou.example.gov.cn/v/A4207-0018",
                      "2026-11-24T01:30:00Z",
                      {},
                      ""};
  HUKOU_ASSIGN_OR_RETURN(RenderedPdf book, RenderBooklet(booklet));
  const fs::path base(dir);
  HUKOU_RETURN_IF_ERROR(WriteFile(base / "seal.png", seal, out));
  HUKOU_RETURN_IF_ERROR(WriteFile(base / "receipt.pdf", receipt.bytes, out));
  HUKOU_RETURN_IF_ERROR(WriteFile(base / "approval.pdf", approval.bytes, out));
  HUKOU_RETURN_IF_ERROR(WriteFile(base / "notice.pdf", notice.bytes, out));
  HUKOU_RETURN_IF_ERROR(WriteFile(base / "certificate.pdf", certificate.bytes, out));
  HUKOU_RETURN_IF_ERROR(WriteFile(base / "booklet.pdf", book.bytes, out));
  return Status::Ok();
}

}  // namespace hukou::render
