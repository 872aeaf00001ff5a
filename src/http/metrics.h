// A small thread-safe registry of Prometheus metrics (counters, gauges, histograms) and its text
// exposition format (version 0.0.4) for GET /metrics.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hukou::http {

// Label name/value pairs of one series, e.g. {{"method","GET"},{"status","200"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Upper bounds (seconds) of the default histogram buckets: 1 ms … 10 s.
const std::vector<double>& DefaultLatencyBuckets();

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Sets the HELP text of a family (optional). A family's type is fixed by its first use;
  // using one name as two types throws std::logic_error (a programmer error).
  void Describe(std::string_view name, std::string_view help);
  // Adds `by` (≥ 0) to the counter series `name{labels}`, created at 0 on first use.
  void Increment(std::string_view name, const MetricLabels& labels = {}, double by = 1);
  // Adds `delta` (may be negative) to, or sets, the gauge series `name{labels}`.
  void AddGauge(std::string_view name, const MetricLabels& labels, double delta);
  void SetGauge(std::string_view name, const MetricLabels& labels, double value);
  // Records `value` in the histogram series `name{labels}`; `buckets` (ascending upper bounds)
  // are fixed by the family's first observation.
  void Observe(std::string_view name, const MetricLabels& labels, double value,
               const std::vector<double>& buckets = DefaultLatencyBuckets());
  // Current value of a counter or gauge series (0 when absent); for tests and health checks.
  double Value(std::string_view name, const MetricLabels& labels = {}) const;
  // Every family in name order, in the Prometheus text format 0.0.4.
  std::string RenderPrometheus() const;

 private:
  struct Family;
  Family& FamilyFor(std::string_view name, int type);
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

// The process-wide registry the server records into by default.
Metrics& DefaultMetrics();
// DefaultMetrics().RenderPrometheus(): the body of GET /metrics.
std::string RenderPrometheus();

// Names of the series the server records for every request.
inline constexpr std::string_view kRequestsTotal = "hukou_http_requests_total";
inline constexpr std::string_view kRequestDuration = "hukou_http_request_duration_seconds";
inline constexpr std::string_view kRequestsInFlight = "hukou_http_requests_in_flight";

// Records one finished request: kRequestsTotal{method,route,status} and
// kRequestDuration{method,route}. `route` is the route pattern (never the raw path).
void RecordRequest(Metrics& metrics, std::string_view method, std::string_view route, int status,
                   double seconds);

}  // namespace hukou::http
