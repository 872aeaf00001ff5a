// A small document model for printed forms (B6, C5, G3) and its PDF writer: A4 pages, a title,
// bordered label–value tables in the look of Chinese government forms, tables that break across
// pages with their header repeated, paragraphs, a signature block with the unit's seal overlaid,
// QR codes drawn as vectors with their URL printed beneath, and page numbers in the footer.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace hukou::render {

inline constexpr double kA4Width = 595.276;  // points
inline constexpr double kA4Height = 841.89;

struct Heading {
  std::string text;  // a section title, bold, left
};
struct Paragraph {
  std::string text;    // wrapped; "\n" starts a new line
  bool indent = true;  // first-line indent of two characters
};
struct Field {
  std::string label;
  std::string value;
  bool wide = false;  // takes the whole line instead of half of it
};
// Bordered table of label–value pairs, two pairs a line (wide ones one a line).
struct FieldTable {
  std::vector<Field> fields;
};
// Bordered table with a header row (repeated after a page break); widths are relative.
struct Table {
  std::vector<std::string> headers;
  std::vector<double> widths;
  std::vector<std::vector<std::string>> rows;
};
struct QrCode {
  std::string url;      // encoded exactly, printed beneath
  std::string caption;  // e.g. 扫码查询办理进度
};
// Signature block: left lines (officer, …) and right lines (unit, date) with the seal (PNG bytes,
// may be empty) overlaid semi-transparently on the right lines; QR codes, if any, at its left.
struct SignatureBlock {
  std::vector<std::string> left;
  std::vector<std::string> right;
  std::string seal_png;
  std::vector<QrCode> codes;
};
// QR codes side by side.
struct QrRow {
  std::vector<QrCode> codes;
};
using Block = std::variant<Heading, Paragraph, FieldTable, Table, SignatureBlock, QrRow>;

struct Document {
  std::string title;     // large, centred, first page
  std::string subtitle;  // centred under the title, may be empty
  std::string number;  // document number (文书编号), right-aligned under the title, may be empty
  std::vector<Block> blocks;
  std::string footer;  // left of the footer (e.g. the issuing unit); 第 n 页 共 m 页 on the right
  std::string created;  // ISO 8601 instant for the PDF metadata (see PdfBuilder); may be empty
};

// Where a seal or QR code was placed: page (0-based) and rectangle in points from the top left.
struct Mark {
  std::string kind;  // seal | qr
  int page = 0;
  double x = 0, y = 0, width = 0, height = 0;
};

struct RenderedPdf {
  std::string bytes;
  int page_count = 0;
  std::vector<Mark> marks;
};

// Writes several documents and existing files into one PDF. Not thread-safe; one per thread.
// After an error the PDF may hold part of the failed item: discard the builder.
class PdfBuilder {
 public:
  // created: ISO 8601 instant for the PDF's creation date (e.g. 2026-11-22T01:41:00Z); given,
  // the same content gives byte-identical PDFs. Empty: the current time.
  explicit PdfBuilder(std::string_view created = {});
  ~PdfBuilder();
  PdfBuilder(const PdfBuilder&) = delete;
  PdfBuilder& operator=(const PdfBuilder&) = delete;

  // Appends a document (pages numbered within it). Errors: kValidation render.seal_image,
  // render.qr (URL too long to encode).
  Status AddDocument(const Document& doc);
  // Appends every page of a PDF as vector content scaled to fit A4; corner text (may be empty)
  // is printed at the top right of each page, with {page} replaced by first_page, first_page+1…
  // Returns the number of pages. Errors: kValidation render.pdf (not a readable PDF).
  Result<int> AddPdf(std::string_view pdf, std::string_view corner, int first_page);
  // Appends one page with a PNG or JPEG image (type taken from the content) scaled to fit; a
  // JPEG is embedded unchanged. Errors: kValidation render.image (unreadable, or over 120
  // million pixels).
  Status AddImage(std::string_view image, std::string_view corner, int page_number);
  int page_count() const;
  // Ends the PDF. Errors: kInternal render.pdf_write.
  Result<RenderedPdf> Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Renders one document to PDF.
Result<RenderedPdf> RenderPdf(const Document& doc);
// Number of pages the document takes (a dry run of the layout).
int CountPages(const Document& doc);
// Number of pages of a PDF. Errors: kValidation render.pdf.
Result<int> CountPdfPages(std::string_view pdf);

}  // namespace hukou::render
