// Sample documents for people to look at (`hukou render sample`) and for the tests: realistic
// data, a rare character outside the BMP in a name (吉 with 土 on top, U+20BB7; U+2A6A5).
#pragma once
#include <ostream>
#include <string>

#include "base/status.h"
#include "render/templates.h"

namespace hukou::render {

inline constexpr const char* kSampleUnit = "鄂州市公安局鄂城区分局古楼派出所";
inline constexpr const char* kSampleRareName = "𠮷𪚥";  // U+20BB7 U+2A6A5, printed in names

ReceiptData SampleReceipt(const std::string& seal_png);
ApprovalFormData SampleApprovalForm(const std::string& seal_png);
NoticeData SampleNotice(const std::string& seal_png);
CertificateData SampleCertificate(const std::string& seal_png);

// Writes seal.png, receipt.pdf, approval.pdf, notice.pdf, certificate.pdf and booklet.pdf (the
// three plus a scan) into dir, naming each on out. Errors: kValidation render.out_dir, and those of
// the renderers.
Status WriteSamples(const std::string& dir, std::ostream& out);

}  // namespace hukou::render
