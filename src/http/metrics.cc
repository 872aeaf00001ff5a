#include "http/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hukou::http {
namespace {

enum Type { kCounter = 0, kGauge = 1, kHistogram = 2 };
constexpr const char* kTypeNames[] = {"counter", "gauge", "histogram"};

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

void AppendEscaped(std::string& out, std::string_view value, bool quote) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="x",b="y"}` (with `extra` appended, e.g. le), or nothing when there are no labels.
std::string LabelText(const MetricLabels& labels, const char* extra_name = nullptr,
                      const std::string& extra_value = {}) {
  if (labels.empty() && extra_name == nullptr) return {};
  std::string out = "{";
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    AppendEscaped(out, value, true);
    out += '"';
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (extra_name != nullptr) add(extra_name, extra_value);
  out += '}';
  return out;
}

}  // namespace

struct Metrics::Family {
  int type = kCounter;
  std::string help;
  std::vector<double> buckets;  // histograms only
  struct Series {
    double value = 0;              // counters and gauges
    std::vector<uint64_t> counts;  // histograms: per bucket, not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  std::map<MetricLabels, Series> series;
};

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family& Metrics::FamilyFor(std::string_view name, int type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), std::make_unique<Family>()).first;
    it->second->type = type;
  } else if (type >= 0 && it->second->type != type && !it->second->series.empty()) {
    throw std::logic_error("metric " + std::string(name) + " used as two types");
  } else if (type >= 0) {
    it->second->type = type;
  }
  return *it->second;
}

void Metrics::Describe(std::string_view name, std::string_view help) {
  std::lock_guard lock(mutex_);
  FamilyFor(name, -1).help = help;
}

void Metrics::Increment(std::string_view name, const MetricLabels& labels, double by) {
  std::lock_guard lock(mutex_);
  FamilyFor(name, kCounter).series[labels].value += by;
}

void Metrics::AddGauge(std::string_view name, const MetricLabels& labels, double delta) {
  std::lock_guard lock(mutex_);
  FamilyFor(name, kGauge).series[labels].value += delta;
}

void Metrics::SetGauge(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mutex_);
  FamilyFor(name, kGauge).series[labels].value = value;
}

void Metrics::Observe(std::string_view name, const MetricLabels& labels, double value,
                      const std::vector<double>& buckets) {
  std::lock_guard lock(mutex_);
  Family& family = FamilyFor(name, kHistogram);
  if (family.buckets.empty()) family.buckets = buckets;
  Family::Series& series = family.series[labels];
  if (series.counts.empty()) series.counts.assign(family.buckets.size(), 0);
  const auto bucket = std::lower_bound(family.buckets.begin(), family.buckets.end(), value) -
                      family.buckets.begin();
  if (static_cast<size_t>(bucket) < series.counts.size()) ++series.counts[bucket];
  ++series.count;
  series.sum += value;
}

double Metrics::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  auto series = family->second->series.find(labels);
  return series == family->second->series.end() ? 0 : series->second.value;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family->series.empty()) continue;
    if (!family->help.empty()) {
      out += "# HELP " + name + ' ';
      AppendEscaped(out, family->help, false);
      out += '\n';
    }
    out += "# TYPE " + name + ' ' + kTypeNames[family->type] + '\n';
    for (const auto& [labels, series] : family->series) {
      if (family->type != kHistogram) {
        out += name + LabelText(labels) + ' ' + FormatNumber(series.value) + '\n';
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < family->buckets.size(); ++i) {
        cumulative += series.counts[i];
        out += name + "_bucket" + LabelText(labels, "le", FormatNumber(family->buckets[i])) + ' ' +
               std::to_string(cumulative) + '\n';
      }
      out += name + "_bucket" + LabelText(labels, "le", "+Inf") + ' ' +
             std::to_string(series.count) + '\n';
      out += name + "_sum" + LabelText(labels) + ' ' + FormatNumber(series.sum) + '\n';
      out += name + "_count" + LabelText(labels) + ' ' + std::to_string(series.count) + '\n';
    }
  }
  return out;
}

Metrics& DefaultMetrics() {
  static Metrics* metrics = new Metrics();  // never destroyed: used by threads until exit
  return *metrics;
}

std::string RenderPrometheus() { return DefaultMetrics().RenderPrometheus(); }

void RecordRequest(Metrics& metrics, std::string_view method, std::string_view route, int status,
                   double seconds) {
  const std::string route_label = route.empty() ? std::string("unmatched") : std::string(route);
  metrics.Increment(kRequestsTotal, {{"method", std::string(method)},
                                     {"route", route_label},
                                     {"status", std::to_string(status)}});
  metrics.Observe(kRequestDuration, {{"method", std::string(method)}, {"route", route_label}},
                  seconds);
}

}  // namespace hukou::http
