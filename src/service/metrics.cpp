#include "service/metrics.hpp"

#include <cstdio>

namespace aiguillage::service {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void Metrics::request(const std::string& route, int status, double seconds) {
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  ++histogram_[bucket];
  latency_sum_ += seconds;
  ++latency_count_;
}

void Metrics::error(const std::string& code_name) {
  std::lock_guard lock(mutex_);
  ++errors_[code_name];
}

std::string Metrics::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  out += "# HELP aiguillage_requests_total HTTP requests by route and status.\n";
  out += "# TYPE aiguillage_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += "aiguillage_requests_total{route=\"" + key.first + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  out += "# HELP aiguillage_request_duration_seconds Time to answer a request.\n";
  out += "# TYPE aiguillage_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += histogram_[b];
    out += "aiguillage_request_duration_seconds_bucket{le=\"" + number(kBuckets[b]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += histogram_[kBuckets.size()];
  out += "aiguillage_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) +
         "\n";
  out += "aiguillage_request_duration_seconds_sum " + number(latency_sum_) + "\n";
  out += "aiguillage_request_duration_seconds_count " + std::to_string(latency_count_) + "\n";
  out += "# HELP aiguillage_decisions_written_total Decisions committed to the log.\n";
  out += "# TYPE aiguillage_decisions_written_total counter\n";
  out += "aiguillage_decisions_written_total " +
         std::to_string(decisions_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP aiguillage_errors_total Error documents answered, by error code.\n";
  out += "# TYPE aiguillage_errors_total counter\n";
  for (const auto& [code, n] : errors_)
    out += "aiguillage_errors_total{code=\"" + code + "\"} " + std::to_string(n) + "\n";
  return out;
}

}  // namespace aiguillage::service
