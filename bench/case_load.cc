// Load driver for complete cases through HTTP (issue #3): each worker thread, on its own
// keep-alive connection, receives an adult name change (HK0802) at clerk1's window, has police1
// accept it, chief1 review it, branch1 approve it (the registry change applied) and clerk1 issue
// it — five requests, one complete case. Prints complete cases per second. Run by bench/cases.sh.
//   build/bench/case_load BASE_URL PERSONS_FILE SECONDS THREADS [SCAN_PNG]
// With SCAN_PNG, clerk1 also captures the item's two mandatory materials (application form and
// reason) from that file before acceptance, as the archive's completeness check requires (C2):
// seven requests per case.
// PERSONS_FILE: "id_number|name" lines of adult persons of police1's station, each used by one
// worker only (case after case on the same person is allowed: each is a new name).
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One keep-alive connection.
class Client {
 public:
  explicit Client(std::string base) : base_(std::move(base)), curl_(curl_easy_init()) {}
  ~Client() { curl_easy_cleanup(curl_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // POSTs JSON; returns the HTTP status (0 on a transport error) and the body in *out.
  long Post(const std::string& path, const std::string& body, const std::string& cookie,
            std::string* out, std::string* set_cookie = nullptr,
            const char* content_type = "Content-Type: application/json") {
    out->clear();
    headers_text_.clear();
    curl_slist* headers = curl_slist_append(nullptr, content_type);
    curl_easy_setopt(curl_, CURLOPT_URL, (base_ + path).c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_COOKIE, cookie.empty() ? nullptr : cookie.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, Append);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &headers_text_);
    long code = 0;
    if (curl_easy_perform(curl_) == CURLE_OK) {
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    }
    curl_slist_free_all(headers);
    if (set_cookie) {
      const size_t at = headers_text_.find("hukou_session=");
      if (at != std::string::npos) {
        const size_t end = headers_text_.find(';', at);
        *set_cookie = headers_text_.substr(at, end - at);
      }
    }
    return code;
  }

 private:
  std::string base_;
  CURL* curl_;
  std::string headers_text_;
};

struct Person {
  std::string id_number, name;
};

const char* const kGiven[] = {"明", "华", "强", "伟", "芳", "丽", "军", "静", "磊", "敏",
                              "杰", "涛", "超", "燕", "勇", "娟", "平", "刚", "艳", "辉"};

std::string FirstChar(const std::string& s) {
  if (s.empty()) return s;
  const auto c = static_cast<unsigned char>(s[0]);
  const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return s.substr(0, len);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: case_load BASE_URL PERSONS_FILE SECONDS THREADS [SCAN_PNG]\n";
    return 2;
  }
  const std::string base = argv[1];
  const int seconds = std::atoi(argv[3]);
  const int threads = std::max(1, std::atoi(argv[4]));
  std::vector<Person> persons;
  {
    std::ifstream in(argv[2]);
    std::string line;
    while (std::getline(in, line)) {
      const size_t bar = line.find('|');
      if (bar != std::string::npos) persons.push_back({line.substr(0, bar), line.substr(bar + 1)});
    }
  }
  if (persons.size() < static_cast<size_t>(threads)) {
    std::cerr << "too few persons\n";
    return 2;
  }
  std::string scan;
  if (argc > 5) {
    std::ifstream in(argv[5], std::ios::binary);
    scan.assign(std::istreambuf_iterator<char>(in), {});
    if (scan.empty()) {
      std::cerr << "cannot read " << argv[5] << "\n";
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::string cookies[4];
  const char* const logins[4] = {"clerk1", "police1", "chief1", "branch1"};
  {
    Client c(base);
    for (int i = 0; i < 4; ++i) {
      std::string body;
      const long code = c.Post("/api/v1/auth/login",
                               json({{"login", logins[i]}, {"password", "hukou123"}}).dump(), "",
                               &body, &cookies[i]);
      if (code != 200 || cookies[i].empty()) {
        std::cerr << "login " << logins[i] << " failed: " << code << " " << body << "\n";
        return 1;
      }
    }
  }
  std::atomic<int64_t> done{0}, failed{0};
  std::mutex err_mu;
  std::string first_error;
  std::vector<double> latencies_ms;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Client c(base);
      std::string body;
      std::vector<double> mine;
      for (size_t k = t; Clock::now() < deadline; k += threads) {
        const Person& p = persons[k % persons.size()];
        const auto began = Clock::now();
        const std::string renamed =
            FirstChar(p.name) + kGiven[(k / 7) % 20] + kGiven[(k / 3 + t) % 20];
        json receive = {{"item_code", "HK0802"},
                        {"applicant", {{"name", p.name}, {"id_number", p.id_number}}},
                        {"subjects", {{{"id_number", p.id_number}}}},
                        {"materials", {"application_form", "reason"}},
                        {"form", {{"changes", {{"name", renamed}}}}},
                        {"fee", {{"paid", true}}}};
        auto fail = [&](const std::string& what, long code) {
          ++failed;
          std::lock_guard<std::mutex> lock(err_mu);
          if (first_error.empty()) first_error = what + " " + std::to_string(code) + " " + body;
        };
        long code = c.Post("/api/v1/cases", receive.dump(), cookies[0], &body);
        if (code != 201) {
          fail("receive", code);
          continue;
        }
        const json received = json::parse(body);
        const std::string case_no = received.value("case_no", "");
        const std::string path = "/api/v1/cases/" + case_no;
        bool ok = true;
        for (const char* material : {"application_form", "reason"}) {
          if (scan.empty() || !ok) break;
          code = c.Post("/api/v1/archive/cases/" + case_no + "/materials?source=scan&step=receive" +
                            "&item_code=HK0802&material_code=" + material + "&station_code=" +
                            received.value("station_code", "") + "&file_name=" + material + ".png",
                        scan, cookies[0], &body, nullptr, "Content-Type: image/png");
          if (code != 201) {
            fail(std::string("capture ") + material, code);
            ok = false;
          }
        }
        for (int officer = 1; officer <= 3 && ok; ++officer) {
          code = c.Post(path + "/decisions", R"({"decision":"approve","opinion":"同意"})",
                        cookies[officer], &body);
          if (code != 200) {
            fail(std::string("decide ") + logins[officer], code);
            ok = false;
          }
        }
        if (!ok) continue;
        code = c.Post(path + "/issue", "{}", cookies[0], &body);
        if (code != 200) {
          fail("issue", code);
          continue;
        }
        ++done;
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
      }
      std::lock_guard<std::mutex> lock(err_mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double q) {
    return latencies_ms.empty() ? 0.0
                                : latencies_ms[static_cast<size_t>(q * (latencies_ms.size() - 1))];
  };
  std::printf(
      "complete cases: %lld in %.1f s = %.1f cases/s (%d connections), failed %lld; per case "
      "(%d requests) p50 %.1f ms, p99 %.1f ms\n",
      static_cast<long long>(done.load()), elapsed, static_cast<double>(done.load()) / elapsed,
      threads, static_cast<long long>(failed.load()), scan.empty() ? 5 : 7, pct(0.5), pct(0.99));
  if (!first_error.empty()) std::printf("first error: %s\n", first_error.c_str());
  curl_global_cleanup();
  return failed.load() == 0 && done.load() > 0 ? 0 : 1;
}
