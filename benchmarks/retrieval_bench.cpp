// Retrieval on offers and profiles drawn from the ROME referential (support/rome_synthetic.hpp).
//
// BM_BuildOfferIndex: 1M offers of ~20 items; counters give the resident memory the index adds
//   (VmRSS after - before, from /proc/self/status) and the peak.
// BM_TopKOneProfile: one profile against the 1M-offer index, top-10, per-query median in
//   median_ms; arg 0 no filter, 1 within 30 km, 2 one département and CDI/CDD.
// BM_BatchTopK: 100k profiles x 100k offers top-10, args = threads; scipy_ms is the scipy peer
//   (sparse product + argpartition, benchmarks/peers/scipy/topk.py, median of 3 runs) on the
//   same data in the same run, ratio = scipy_ms / ours, same_top10 = 1 when every query's 10
//   best scores agree.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "aiguillage/matching/retrieval.hpp"
#include "support/python_peer.hpp"
#include "support/rome_synthetic.hpp"

namespace {

using aiguillage::BatchOptions;
using aiguillage::BatchQuery;
using aiguillage::CompetenceIndex;
using aiguillage::Hit;
using aiguillage::RetrievalFilters;
using aiguillage::RetrievalQuery;
using aiguillage::bench::memory_now;
using aiguillage::bench::RomeSampler;
using aiguillage::bench::smoke;
using aiguillage::bench::SyntheticRecords;

const RomeSampler& sampler() {
  static const RomeSampler s;
  return s;
}

struct Large {
  SyntheticRecords offers, profiles;
  std::optional<CompetenceIndex> index;
  double build_ms = 0, rss_before = 0, rss_after = 0, hwm_after = 0;
};

// The 1M-offer index, built once and shared by the benchmarks that need it.
Large& large() {
  static Large l = [] {
    Large x;
    const std::size_t n = smoke() ? 20000 : 1000000;
    x.offers = sampler().draw(n, 1, 0.3);
    x.profiles = sampler().draw(1000, 2, 0.2);
    const auto entries = aiguillage::bench::offer_entries(x.offers);
    x.rss_before = memory_now().rss_mib;
    const auto t = std::chrono::steady_clock::now();
    x.index.emplace(CompetenceIndex::build(entries));
    x.build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    const auto m = memory_now();
    x.rss_after = m.rss_mib;
    x.hwm_after = m.hwm_mib;
    return x;
  }();
  return l;
}

void BM_BuildOfferIndex(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(large().index->size());
  const Large& l = large();
  state.counters["offers"] = static_cast<double>(l.index->size());
  state.counters["nonzeros"] = static_cast<double>(l.index->nonzeros());
  state.counters["items"] = static_cast<double>(l.index->item_count());
  state.counters["build_ms"] = l.build_ms;
  state.counters["index_rss_mib"] = l.rss_after - l.rss_before;
  state.counters["process_hwm_mib"] = l.hwm_after;
  state.SetLabel(sampler().from_rome() ? "ROME items" : "uniform items (ROME data absent)");
}
BENCHMARK(BM_BuildOfferIndex)->Iterations(1)->Unit(benchmark::kMillisecond);

RetrievalFilters filters_for(int kind, const SyntheticRecords& p, std::size_t i) {
  RetrievalFilters f;
  if (kind == 1) {
    f.origin = p.location[i];
    f.max_km = 30.0;
  } else if (kind == 2) {
    f.departements = {p.departement[i]};
    f.contract_mask = 0b11;  // CDI or CDD
  }
  return f;
}

// CPU time of the calling thread: on a shared machine, wall time also counts other processes.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

void BM_TopKOneProfile(benchmark::State& state) {
  const Large& l = large();
  const int kind = static_cast<int>(state.range(0));
  std::vector<double> times, cpu;
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    const std::size_t p = i++ % l.profiles.size();
    const RetrievalQuery q{l.profiles.items_of(p), l.profiles.weights_of(p)};
    const RetrievalFilters f = filters_for(kind, l.profiles, p);
    const double c0 = thread_cpu_ms();
    const auto t = std::chrono::steady_clock::now();
    const std::vector<Hit> top = l.index->top_k(q, 10, f);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    cpu.push_back(thread_cpu_ms() - c0);
    hits += top.size();
    benchmark::DoNotOptimize(top.data());
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu.begin(), cpu.end());
  state.counters["median_ms"] = times[times.size() / 2];
  state.counters["median_cpu_ms"] = cpu[cpu.size() / 2];
  state.counters["p90_ms"] = times[times.size() * 9 / 10];
  state.counters["mean_hits"] = static_cast<double>(hits) / static_cast<double>(times.size());
}
BENCHMARK(BM_TopKOneProfile)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1000)
    ->Unit(benchmark::kMillisecond);

struct Pairs {
  SyntheticRecords offers, profiles;
  std::optional<CompetenceIndex> index;
  std::vector<BatchQuery> queries;
  std::map<std::string, std::string> peer;  // scipy's answer, empty when unavailable
  std::vector<double> peer_top;             // n_queries x 10 scores, NaN-padded
};

constexpr std::size_t kTop = 10;

Pairs& pairs() {
  static Pairs p = [] {
    Pairs x;
    const std::size_t n = smoke() ? 2000 : 100000;
    x.offers = sampler().draw(n, 3, 0.3);
    x.profiles = sampler().draw(n, 4, 0.2);
    x.index.emplace(CompetenceIndex::build(aiguillage::bench::offer_entries(x.offers)));
    for (std::size_t i = 0; i < x.profiles.size(); ++i)
      x.queries.push_back({{x.profiles.items_of(i), x.profiles.weights_of(i)}, {}});
    aiguillage::bench::TempDir dir("topk");
    using aiguillage::bench::write_raw;
    write_raw(dir.path() / "q_indptr.i64", x.profiles.indptr);
    write_raw(dir.path() / "q_items.u32", x.profiles.items);
    write_raw(dir.path() / "q_weights.f64", x.profiles.weights);
    write_raw(dir.path() / "o_indptr.i64", x.offers.indptr);
    write_raw(dir.path() / "o_items.u32", x.offers.items);
    write_raw(dir.path() / "o_weights.f64", x.offers.weights);
    // scipy's time is the median of 3 runs, like ours (1 run in smoke mode).
    const std::string repeats = smoke() ? "1" : "3";
    if (auto kv =
            aiguillage::bench::run_peer("topk.py", dir.path().string() + " 10 2000 " + repeats)) {
      x.peer = *kv;
      x.peer_top.resize(n * kTop);
      std::ifstream in(dir.path() / "scipy_top.f64", std::ios::binary);
      in.read(reinterpret_cast<char*>(x.peer_top.data()),
              static_cast<std::streamsize>(x.peer_top.size() * sizeof(double)));
      if (!in) x.peer.clear();
    }
    return x;
  }();
  return p;
}

void BM_BatchTopK(benchmark::State& state) {
  Pairs& p = pairs();
  BatchOptions opt;
  opt.k = kTop;
  opt.threads = static_cast<std::size_t>(state.range(0));
  opt.block_size = 512;
  std::vector<std::vector<Hit>> result;
  double ms = 0;
  for (auto _ : state) {
    const auto t = std::chrono::steady_clock::now();
    result = aiguillage::batch_top_k(*p.index, p.queries, opt);
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  }
  state.counters["queries"] = static_cast<double>(p.queries.size());
  if (p.peer.count("median_ms")) {
    const double scipy_ms = std::stod(p.peer.at("median_ms"));
    state.counters["scipy_ms"] = scipy_ms;
    state.counters["ratio"] = scipy_ms / ms;
    std::size_t mismatched = 0;
    for (std::size_t i = 0; i < result.size(); ++i) {
      for (std::size_t r = 0; r < kTop; ++r) {
        const double theirs = p.peer_top[i * kTop + r];
        const bool ours_has = r < result[i].size();
        if (std::isnan(theirs) != !ours_has ||
            (ours_has && std::abs(result[i][r].score - theirs) > 1e-9 * (1 + std::abs(theirs)))) {
          ++mismatched;
          break;
        }
      }
    }
    state.counters["same_top10"] = mismatched == 0;
    state.counters["mismatched_queries"] = static_cast<double>(mismatched);
  } else {
    state.SetLabel("scipy peer unavailable");
  }
}
BENCHMARK(BM_BatchTopK)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Repetitions(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
