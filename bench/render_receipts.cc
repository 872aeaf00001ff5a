// Receipts (收件单 with seal and two QR codes) rendered to PDF per second, on N threads.
// Usage: render_receipts [COUNT_PER_THREAD] [THREADS]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "render/sample.h"
#include "render/seal.h"

int main(int argc, char** argv) {
  using namespace hukou::render;
  const int count = argc > 1 ? std::atoi(argv[1]) : 200;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  auto seal = DrawSealPng(kSampleUnit, "户籍专用章");
  if (!seal.ok()) return 1;
  const ReceiptData data = SampleReceipt(*seal);
  std::atomic<size_t> bytes{0};
  std::atomic<int> failures{0};
  // One warm-up receipt per thread loads its fonts (pango's font map is per thread).
  auto work = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto pdf = RenderReceipt(data);
      if (!pdf.ok()) {
        ++failures;
        continue;
      }
      bytes += pdf->bytes.size();
    }
  };
  std::vector<std::thread> pool;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      work(1);
      ++ready;
      while (!go) std::this_thread::yield();
      work(count);
    });
  }
  while (ready < threads) std::this_thread::yield();
  start = std::chrono::steady_clock::now();
  go = true;
  for (auto& t : pool) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int total = count * threads;
  std::printf("%d receipts on %d thread(s) in %.2f s: %.0f receipts/s, %.1f ms each, %zu KiB avg\n",
              total, threads, seconds, total / seconds, seconds * 1000 * threads / total,
              bytes.load() / static_cast<size_t>(total + threads) / 1024);
  return failures > 0 ? 1 : 0;
}
