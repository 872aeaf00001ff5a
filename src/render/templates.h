// The printed documents of a case (B6, C5, G3) built from plain structs, so that the case engine,
// the archive and the certificate code can all call them without this module knowing theirs.
// Text fields are printed as given (dates and times already formatted by the caller).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "render/document.h"

namespace hukou::render {

struct Person {
  std::string name;
  std::string id_number;  // printed as given (mask it before if the document is public)
  std::string relation;   // to the applicant or role in the case, e.g. 本人, 子女; may be empty
};

struct Fee {
  std::string item;
  int64_t cents = 0;  // 0 prints 免费
};

// What every generated document may carry: its number, a verification QR and the seal.
struct Authenticity {
  std::string document_number;  // 文书编号, may be empty
  std::string verify_url;       // public verification page; empty: no QR
  std::string seal_png;         // the unit's seal image (DrawSealPng or trust); empty: none
  std::string unit_name;        // the unit that issues the document
  std::string date;             // date of issue, e.g. 2026年11月22日
  std::string issued_at;        // ISO 8601 instant: PDF creation date; set it for identical bytes
};

// 收件单.
struct ReceiptData {
  std::string case_number;
  std::string item_code;
  std::string item_name;
  Person applicant;
  std::string applicant_phone;
  std::vector<Person> subjects;
  std::vector<std::string> materials_received;
  std::vector<std::string> materials_missing;  // 一次告知: everything still missing
  std::vector<Fee> fees;
  std::string receiving_window;  // e.g. 古楼派出所 2 号窗口
  std::string officer;
  std::string received_at;
  std::string due_date;
  std::string progress_url;  // QR for progress queries; empty: none
  Authenticity marks;
};

struct Change {
  std::string field;  // e.g. 姓名
  std::string old_value;
  std::string new_value;
};

struct ApprovalStep {
  std::string level;  // e.g. 派出所审核, 分局审批
  std::string unit;
  std::string officer;
  std::string opinion;
  std::string decision;  // e.g. 同意, 退回补正, 不予批准
  std::string time;
  bool signed_digitally = false;  // printed as ✓
};

// 审批表.
struct ApprovalFormData {
  std::string case_number;
  std::string item_code;
  std::string item_name;
  std::string legal_basis;
  Person applicant;
  std::vector<Person> subjects;
  std::string reason;  // 申请事由
  std::vector<Change> changes;
  std::vector<ApprovalStep> steps;
  std::string receiving_unit;
  std::string received_at;
  Authenticity marks;  // unit_name and seal_png: the approving unit
};

// 准予办理通知书 (the electronic notice after approval).
struct NoticeData {
  std::string case_number;
  std::string item_name;
  std::string applicant_name;
  std::string received_date;
  std::string legal_basis;
  std::vector<Person> subjects;
  std::vector<Change> changes;
  std::string pickup_place;  // where the result is issued
  std::string pickup_note;   // e.g. 请携带本人居民身份证及户口簿
  Authenticity marks;
};

// 证明 issued by a station (G3), e.g. 户籍证明, 亲属关系证明: numbered, sealed, verifiable by QR.
struct CertificateData {
  std::string title;                    // e.g. 户籍证明
  std::string addressee;                // 致：…; empty: none
  std::vector<Field> fields;            // the person's data as a bordered table
  std::vector<std::string> paragraphs;  // the certified facts; 特此证明。 is added
  std::string validity;  // e.g. 本证明自开具之日起三个月内有效; may be empty
  std::string officer;   // 经办人
  Authenticity marks;
};

// One document of a booklet: a generated PDF or a scan (PNG or JPEG), type taken from the bytes.
struct BookletItem {
  std::string title;            // 文件题名
  std::string document_number;  // 文件编号
  std::string responsible;      // 责任者
  std::string date;
  std::string content;
  std::string remark;  // 备注
};

// 一件一册: catalogue page (卷内目录) then every document, each page numbered in the corner.
struct BookletData {
  std::string archive_code;  // 档号
  std::string case_number;
  std::string volume;  // e.g. 2026年 出生 卷
  std::string station;
  std::vector<BookletItem> items;
  std::string verify_url;  // may be empty
  std::string created;     // ISO 8601 instant for the PDF metadata; may be empty
  // When marks.seal_png is set, the catalogue page closes with the signature block (立卷人
  // `officer`, the unit, its seal and the QR of marks.verify_url) and prints marks.document_number.
  Authenticity marks;
  std::string officer;
};

// Errors of all five: those of PdfBuilder (render.seal_image, render.qr, render.pdf,
// render.image with the field naming the item).
Result<RenderedPdf> RenderReceipt(const ReceiptData& data);
Result<RenderedPdf> RenderApprovalForm(const ApprovalFormData& data);
Result<RenderedPdf> RenderNotice(const NoticeData& data);
Result<RenderedPdf> RenderBooklet(const BookletData& data);
Result<RenderedPdf> RenderCertificate(const CertificateData& data);

// "¥20.00" style amount, 免费 for zero.
std::string FormatFee(int64_t cents);

}  // namespace hukou::render
