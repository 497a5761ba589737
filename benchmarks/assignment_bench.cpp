// One-to-one assignment against scipy in the same run: dense n x n uniform costs and sparse
// n x n with 1 % of the pairs allowed. The counters scipy_ms and ratio (scipy time / ours) come
// from benchmarks/peers/scipy/lsa.py on the same matrix; same_cost says both optima agree.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include "aiguillage/matching/assignment.hpp"
#include "support/python_peer.hpp"

namespace {

using aiguillage::CsrView;
using aiguillage::bench::smoke;

double unit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

std::vector<double> dense_costs(std::size_t n) {
  std::mt19937_64 rng(2016);
  std::vector<double> c(n * n);
  for (double& x : c) x = unit(rng);
  return c;
}

struct Sparse {
  std::size_t n;
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;
};

// Each row gets 1 % random columns plus the column of a random permutation, so that a full
// matching exists; costs are uniform in [1, 2) so that none is zero for scipy.
Sparse sparse_costs(std::size_t n) {
  std::mt19937_64 rng(2017);
  std::vector<std::int32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (std::size_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[rng() % i]);
  Sparse s{n, {0}, {}, {}};
  const std::size_t per_row = std::max<std::size_t>(1, n / 100);
  std::vector<std::int32_t> row;
  for (std::size_t r = 0; r < n; ++r) {
    row.assign(1, perm[r]);
    while (row.size() < per_row + 1) row.push_back(static_cast<std::int32_t>(rng() % n));
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    for (std::int32_t c : row) {
      s.indices.push_back(c);
      s.values.push_back(1.0 + unit(rng));
    }
    s.indptr.push_back(static_cast<std::int64_t>(s.indices.size()));
  }
  return s;
}

void report_peer(benchmark::State& state, const std::string& key, const std::string& args,
                 double our_cost, const std::string& files_note) {
  static std::map<std::string, std::map<std::string, std::string>> cache;
  if (!cache.count(key)) {
    auto kv = aiguillage::bench::run_peer("lsa.py", args);
    cache[key] = kv ? *kv : std::map<std::string, std::string>{};
  }
  const auto& kv = cache[key];
  if (!kv.count("median_ms")) {
    state.SetLabel("scipy peer unavailable" + files_note);
    return;
  }
  const double scipy_ms = std::stod(kv.at("median_ms"));
  const double theirs = std::stod(kv.at("total_cost"));
  state.counters["scipy_ms"] = scipy_ms;
  state.counters["same_cost"] = std::abs(theirs - our_cost) <= 1e-9 * (1 + std::abs(theirs));
}

void BM_DenseAssignment(benchmark::State& state) {
  const std::size_t n = smoke() ? 100 : static_cast<std::size_t>(state.range(0));
  const std::vector<double> c = dense_costs(n);
  double cost = 0, our_ms = 0;
  for (auto _ : state) {
    const auto t = std::chrono::steady_clock::now();
    cost = aiguillage::solve_dense_assignment(c, n, n).total_cost;
    our_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    benchmark::DoNotOptimize(cost);
  }
  state.counters["total_cost"] = cost;
  aiguillage::bench::TempDir dir("lsa_dense");
  const auto file = dir.path() / "costs.f64";
  aiguillage::bench::write_raw(file, c);
  report_peer(state, "dense" + std::to_string(n),
              "dense " + file.string() + " " + std::to_string(n) + " " + std::to_string(n) + " 3",
              cost, "");
  if (state.counters.count("scipy_ms"))
    state.counters["ratio"] = state.counters["scipy_ms"] / our_ms;
}
BENCHMARK(BM_DenseAssignment)
    ->Arg(2000)
    ->Arg(5000)
    ->Iterations(1)
    ->Repetitions(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_SparseAssignment(benchmark::State& state) {
  const std::size_t n = smoke() ? 200 : static_cast<std::size_t>(state.range(0));
  const Sparse s = sparse_costs(n);
  const CsrView view{n, n, s.indptr, s.indices, s.values};
  double cost = 0, our_ms = 0;
  for (auto _ : state) {
    const auto t = std::chrono::steady_clock::now();
    cost = aiguillage::solve_sparse_assignment(view).total_cost;
    our_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    benchmark::DoNotOptimize(cost);
  }
  state.counters["total_cost"] = cost;
  state.counters["edges"] = static_cast<double>(s.indices.size());
  aiguillage::bench::TempDir dir("lsa_sparse");
  aiguillage::bench::write_raw(dir.path() / "indptr.i64", s.indptr);
  aiguillage::bench::write_raw(dir.path() / "indices.i32", s.indices);
  aiguillage::bench::write_raw(dir.path() / "values.f64", s.values);
  report_peer(
      state, "sparse" + std::to_string(n),
      "sparse " + dir.path().string() + " " + std::to_string(n) + " " + std::to_string(n) + " 3",
      cost, "");
  if (state.counters.count("scipy_ms"))
    state.counters["ratio"] = state.counters["scipy_ms"] / our_ms;
}
BENCHMARK(BM_SparseAssignment)
    ->Arg(5000)
    ->Iterations(1)
    ->Repetitions(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
