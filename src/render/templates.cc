#include "render/templates.h"

#include <fmt/format.h>

namespace hukou::render {
namespace {

Table SubjectsTable(const std::vector<Person>& subjects) {
  Table t{{"序号", "姓名", "公民身份号码", "与申请人关系"}, {0.6, 1.4, 2.4, 1.4}, {}};
  for (size_t i = 0; i < subjects.size(); ++i) {
    t.rows.push_back(
        {std::to_string(i + 1), subjects[i].name, subjects[i].id_number, subjects[i].relation});
  }
  return t;
}

Table ChangesTable(const std::vector<Change>& changes) {
  Table t{{"变更项目", "变更前", "", "变更后"}, {1.2, 2.2, 0.4, 2.2}, {}};
  for (const Change& c : changes) t.rows.push_back({c.field, c.old_value, "→", c.new_value});
  return t;
}

Table ListTable(const std::string& header, const std::vector<std::string>& items,
                const std::string& state) {
  Table t{{"序号", header, "状态"}, {0.6, 4.4, 1.0}, {}};
  for (size_t i = 0; i < items.size(); ++i) {
    t.rows.push_back({std::to_string(i + 1), items[i], state});
  }
  return t;
}

// The closing band every document shares: QR codes, signature lines, the seal.
void AddClosing(Document& doc, const Authenticity& marks, std::vector<std::string> left,
                const std::string& unit_suffix, std::vector<QrCode> codes) {
  if (!marks.verify_url.empty()) codes.push_back(QrCode{marks.verify_url, "扫码核验文书真伪"});
  doc.blocks.push_back(SignatureBlock{std::move(left),
                                      {marks.unit_name + unit_suffix, marks.date},
                                      marks.seal_png,
                                      std::move(codes)});
  doc.number = marks.document_number;
  doc.footer = marks.unit_name;
  doc.created = marks.issued_at;
}

}  // namespace

std::string FormatFee(int64_t cents) {
  if (cents == 0) return "免费";
  return fmt::format("¥{}.{:02}", cents / 100, cents % 100);
}

Result<RenderedPdf> RenderReceipt(const ReceiptData& d) {
  Document doc;
  doc.title = "户口业务收件单";
  doc.subtitle = "（申请人留存）";
  int64_t total = 0;
  for (const Fee& f : d.fees) total += f.cents;
  doc.blocks.push_back(FieldTable{{
      {"受理编号", d.case_number},
      {"事项编码", d.item_code},
      {"办理事项", d.item_name, true},
      {"申请人", d.applicant.name},
      {"公民身份号码", d.applicant.id_number},
      {"联系电话", d.applicant_phone},
      {"收件窗口", d.receiving_window},
      {"收件人", d.officer},
      {"收件时间", d.received_at},
      {"承诺办结", d.due_date},
      {"收费合计", FormatFee(total)},
  }});
  if (!d.subjects.empty()) {
    doc.blocks.push_back(Heading{"当事人"});
    doc.blocks.push_back(SubjectsTable(d.subjects));
  }
  doc.blocks.push_back(Heading{"已收材料"});
  doc.blocks.push_back(ListTable("材料名称", d.materials_received, "已收"));
  doc.blocks.push_back(Heading{"需补正材料（一次告知）"});
  if (d.materials_missing.empty()) {
    doc.blocks.push_back(Paragraph{"材料齐全，无需补正。", false});
  } else {
    doc.blocks.push_back(ListTable("材料名称", d.materials_missing, "待补"));
  }
  if (total > 0) {
    doc.blocks.push_back(Heading{"收费"});
    Table fees{{"收费项目", "金额"}, {4, 2}, {}};
    for (const Fee& f : d.fees) fees.rows.push_back({f.item, FormatFee(f.cents)});
    doc.blocks.push_back(std::move(fees));
  }
  doc.blocks.push_back(Paragraph{
      fmt::format("本事项承诺于 {} 前办结（遇法定节假日顺延）。请凭本收件单或扫描下方二维码查询办理"
                  "进度，办结后到收件窗口领取办理结果。",
                  d.due_date)});
  std::vector<QrCode> codes;
  if (!d.progress_url.empty()) codes.push_back(QrCode{d.progress_url, "扫码查询办理进度"});
  AddClosing(doc, d.marks, {"收件人：" + d.officer, "申请人（签字）："}, "", std::move(codes));
  return RenderPdf(doc);
}

Result<RenderedPdf> RenderApprovalForm(const ApprovalFormData& d) {
  Document doc;
  doc.title = "户口业务审批表";
  doc.subtitle = d.item_name;
  doc.blocks.push_back(FieldTable{{
      {"受理编号", d.case_number},
      {"事项编码", d.item_code},
      {"办理事项", d.item_name, true},
      {"法律依据", d.legal_basis, true},
      {"申请人", d.applicant.name},
      {"公民身份号码", d.applicant.id_number},
      {"受理单位", d.receiving_unit},
      {"受理时间", d.received_at},
      {"申请事由", d.reason, true},
  }});
  if (!d.subjects.empty()) {
    doc.blocks.push_back(Heading{"当事人"});
    doc.blocks.push_back(SubjectsTable(d.subjects));
  }
  if (!d.changes.empty()) {
    doc.blocks.push_back(Heading{"申请变更内容"});
    doc.blocks.push_back(ChangesTable(d.changes));
  }
  doc.blocks.push_back(Heading{"审批流程"});
  Table steps{{"环节", "单位", "承办人", "意见", "结论", "时间", "签名"},
              {1.1, 1.6, 0.9, 2.2, 0.9, 1.3, 0.6},
              {}};
  for (const ApprovalStep& s : d.steps) {
    steps.rows.push_back(
        {s.level, s.unit, s.officer, s.opinion, s.decision, s.time, s.signed_digitally ? "✓" : ""});
  }
  doc.blocks.push_back(std::move(steps));
  AddClosing(doc, d.marks, {"（本表依据电子审批记录生成，签名栏 ✓ 为数字签名）"}, "（盖章）", {});
  return RenderPdf(doc);
}

Result<RenderedPdf> RenderNotice(const NoticeData& d) {
  Document doc;
  doc.title = "准予办理通知书";
  doc.subtitle = "（电子通知）";
  doc.blocks.push_back(Paragraph{d.applicant_name + "：", false});
  doc.blocks.push_back(Paragraph{
      fmt::format("你于 {} 申请办理的{}（受理编号：{}），经审查，符合{}的有关规定，决定准予办理。",
                  d.received_date, d.item_name, d.case_number, d.legal_basis)});
  if (!d.subjects.empty()) doc.blocks.push_back(SubjectsTable(d.subjects));
  if (!d.changes.empty()) doc.blocks.push_back(ChangesTable(d.changes));
  doc.blocks.push_back(
      Paragraph{fmt::format("请{}，到{}领取办理结果。", d.pickup_note, d.pickup_place)});
  doc.blocks.push_back(Paragraph{"特此通知。"});
  AddClosing(doc, d.marks, {}, "", {});
  return RenderPdf(doc);
}

Result<RenderedPdf> RenderCertificate(const CertificateData& d) {
  Document doc;
  doc.title = d.title;
  if (!d.addressee.empty()) doc.blocks.push_back(Paragraph{d.addressee + "：", false});
  if (!d.fields.empty()) doc.blocks.push_back(FieldTable{d.fields});
  for (const std::string& p : d.paragraphs) doc.blocks.push_back(Paragraph{p});
  doc.blocks.push_back(Paragraph{"特此证明。"});
  if (!d.validity.empty()) doc.blocks.push_back(Paragraph{"（" + d.validity + "）", false});
  AddClosing(doc, d.marks, {"经办人：" + d.officer}, "", {});
  return RenderPdf(doc);
}

Result<RenderedPdf> RenderBooklet(const BookletData& d) {
  // Pages of every document first: the catalogue lists where each one starts.
  std::vector<int> pages;
  for (size_t i = 0; i < d.items.size(); ++i) {
    const std::string& content = d.items[i].content;
    if (content.starts_with("%PDF")) {
      auto n = CountPdfPages(content);
      if (!n.ok()) {
        Error e = n.error();
        e.field = fmt::format("items[{}]", i);
        return e;
      }
      pages.push_back(*n);
    } else {
      pages.push_back(1);
    }
  }
  Document catalogue;
  catalogue.title = "卷内目录";
  catalogue.subtitle = d.volume;
  catalogue.footer = d.station;
  catalogue.blocks.push_back(FieldTable{{
      {"档号", d.archive_code},
      {"受理编号", d.case_number},
      {"立卷单位", d.station, true},
  }});
  Table list{{"序号", "文件编号", "责任者", "文件题名", "日期", "页号", "备注"},
             {0.5, 1.6, 1.3, 2.2, 1.1, 0.7, 0.7},
             {}};
  int next = 1;
  for (size_t i = 0; i < d.items.size(); ++i) {
    const BookletItem& item = d.items[i];
    const int last = next + pages[i] - 1;
    list.rows.push_back(
        {std::to_string(i + 1), item.document_number, item.responsible, item.title, item.date,
         last == next ? std::to_string(next) : fmt::format("{}-{}", next, last), item.remark});
    next = last + 1;
  }
  catalogue.blocks.push_back(std::move(list));
  catalogue.blocks.push_back(
      Paragraph{fmt::format("本册共 {} 件，{} 页（不含目录）。", d.items.size(), next - 1), false});
  if (!d.marks.seal_png.empty()) {
    AddClosing(catalogue, d.marks, {"立卷人：" + d.officer}, "", {});
    catalogue.footer = d.station;
  } else if (!d.verify_url.empty()) {
    catalogue.blocks.push_back(QrRow{{QrCode{d.verify_url, "扫码核验案卷"}}});
  }

  PdfBuilder builder(d.created);
  HUKOU_RETURN_IF_ERROR(builder.AddDocument(catalogue));
  const std::string corner = "档号：" + d.archive_code + "　页号：{page}";
  int page = 1;
  for (size_t i = 0; i < d.items.size(); ++i) {
    const std::string& content = d.items[i].content;
    Status added = content.starts_with("%PDF") ? builder.AddPdf(content, corner, page).status()
                                               : builder.AddImage(content, corner, page);
    if (!added.ok()) {
      Error e = added.error();
      e.field = fmt::format("items[{}]", i);
      return e;
    }
    page += pages[i];
  }
  return builder.Finish();
}

}  // namespace hukou::render
