// Counters of the service in the Prometheus text format: requests by route and status, a latency
// histogram, decisions written, errors by code. Lock-free on the request path except for the
// first sighting of a new (route, status) or error code.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace aiguillage::service {

class Metrics {
 public:
  void request(const std::string& route, int status, double seconds);
  void error(const std::string& code_name);
  void decision_written() { decisions_.fetch_add(1, std::memory_order_relaxed); }
  std::string render() const;

  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> errors_;
  std::array<std::uint64_t, kBuckets.size() + 1> histogram_{};
  double latency_sum_ = 0;
  std::uint64_t latency_count_ = 0;
  std::atomic<std::uint64_t> decisions_{0};
};

}  // namespace aiguillage::service
