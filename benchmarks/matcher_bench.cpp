// Matching documents at scale (matcher.hpp): exact top-k by the full score.
//
// Offers and persons are drawn from the real ROME 4.0 referential when ../shared/data is
// present (else from the bundled subset): each picks a fiche métier, then competences among the
// fiche's items (core ones more often), a town, a contract type; persons target their fiche.
//
// BM_OfferBankBuild: 1M offers; counters: build_ms, bank_rss_mib (resident memory the bank adds).
// BM_TopOffers: one person against the 1M-offer bank, top-10 by the full score; per-query
//   median in median_ms, mean documents scored in full, share of queries that fell back to
//   scoring everything. Arg 0: no filter; 1: within 30 km; 2: CDI only.
// BM_TopProfiles: one offer against a bank of 100k persons (AIG_BENCH_PERSONS), top-10, same
//   counters; median_cpu_ms is the CPU time of the querying thread.
// BM_BatchTopProfiles, BM_BatchTopOffers: batches of AIG_BENCH_BATCH queries (1,000) on 2
//   threads, both ways; wall and process CPU time, and wall_s_per_10k, the day's batch of
//   10,000 queries extrapolated at the batch's rate.
// BM_ExplainPair: the explanation of one pair an offer's top-10 lists (the 10th), in the same
//   person bank; median_cpu_ms per explained pair. Arg 0: explain_listed (from the bank's
//   answer); 1: explain_match, which scores every person of the cohort.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

#include "aiguillage/matching/explain_listed.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "support/matching_drawer.hpp"
#include "support/python_peer.hpp"
#include "support/rome_synthetic.hpp"

namespace {

using namespace aiguillage;
using aiguillage::bench::memory_now;
using aiguillage::bench::smoke;

// CPU time of the calling thread, in ms: the figure that does not depend on the machine's load.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// Persons in the person bank: AIG_BENCH_PERSONS, else 100,000 (5,000 in smoke runs).
std::size_t person_count() {
  if (const char* v = std::getenv("AIG_BENCH_PERSONS")) return std::strtoull(v, nullptr, 10);
  return smoke() ? 5000 : 100000;
}

using bench::config;
using bench::Drawer;
using bench::referential;

struct Offers {
  std::optional<OfferBank> bank;
  std::vector<Profile> queries;
  double build_ms = 0, rss_mib = 0;
};

Offers& offers() {
  static Offers o = [] {
    Offers x;
    Drawer d(1);
    const std::size_t n = smoke() ? 20000 : 1000000;
    std::vector<Offer> docs;
    docs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) docs.push_back(d.offer(i));
    for (std::size_t i = 0; i < (smoke() ? 20 : 200); ++i) x.queries.push_back(d.profile(i));
    const double before = memory_now().rss_mib;
    const auto t = std::chrono::steady_clock::now();
    x.bank.emplace(std::move(docs), referential(), config());
    x.build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    x.rss_mib = memory_now().rss_mib - before;
    return x;
  }();
  return o;
}

struct Persons {
  std::optional<ProfileBank> bank;
  std::vector<Offer> queries;
  double build_ms = 0, rss_mib = 0;
};

Persons& persons() {
  static Persons p = [] {
    Persons x;
    Drawer d(2);
    const std::size_t n = person_count();
    std::vector<Profile> docs;
    docs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) docs.push_back(d.profile(i));
    for (std::size_t i = 0; i < (smoke() ? 10 : 100); ++i) x.queries.push_back(d.offer(i));
    const double before = memory_now().rss_mib;
    const auto t = std::chrono::steady_clock::now();
    x.bank.emplace(std::move(docs), referential(), config());
    x.build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    x.rss_mib = memory_now().rss_mib - before;
    return x;
  }();
  return p;
}

MatchFilters filters_for(std::int64_t arg) {
  MatchFilters f;
  if (arg == 1) f.max_km = 30;
  if (arg == 2) f.contract_types = {"CDI"};
  return f;
}

template <class Query>
void report(benchmark::State& state, std::vector<double>& ms, std::vector<double>& cpu,
            std::size_t scored, std::size_t scans, std::size_t queries) {
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  state.counters["median_ms"] = ms.empty() ? 0 : ms[ms.size() / 2];
  state.counters["median_cpu_ms"] = cpu.empty() ? 0 : cpu[cpu.size() / 2];
  state.counters["mean_scored"] = static_cast<double>(scored) / static_cast<double>(queries);
  state.counters["full_scan_share"] = static_cast<double>(scans) / static_cast<double>(queries);
  state.SetLabel(std::filesystem::is_directory(aiguillage::bench::shared_data_dir() + "/rome-v460")
                     ? "ROME 4.0"
                     : "bundled subset (ROME data absent)");
}

void BM_OfferBankBuild(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(offers().bank->size());
  state.counters["offers"] = static_cast<double>(offers().bank->size());
  state.counters["build_ms"] = offers().build_ms;
  state.counters["bank_rss_mib"] = offers().rss_mib;
}
BENCHMARK(BM_OfferBankBuild)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_TopOffers(benchmark::State& state) {
  Offers& o = offers();
  const MatchFilters f = filters_for(state.range(0));
  std::vector<double> ms, cpu;
  std::size_t scored = 0, scans = 0, queries = 0, q = 0;
  for (auto _ : state) {
    const Profile& p = o.queries[q++ % o.queries.size()];
    MatchSearchStatistics stats;
    const auto t = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_ms();
    benchmark::DoNotOptimize(o.bank->top_offers(p, 10, f, &stats));
    cpu.push_back(thread_cpu_ms() - c0);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    scored += stats.scored;
    scans += stats.full_scan;
    ++queries;
  }
  report<Profile>(state, ms, cpu, scored, scans, queries);
}
BENCHMARK(BM_TopOffers)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(smoke() ? 5 : 200)
    ->Unit(benchmark::kMillisecond);

void BM_TopProfiles(benchmark::State& state) {
  Persons& p = persons();
  const MatchFilters f = filters_for(state.range(0));
  std::vector<double> ms, cpu;
  std::size_t bounded = 0, rounds = 0;
  std::size_t scored = 0, scans = 0, queries = 0, q = 0;
  for (auto _ : state) {
    const Offer& o = p.queries[q++ % p.queries.size()];
    MatchSearchStatistics stats;
    const auto t = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_ms();
    benchmark::DoNotOptimize(p.bank->top_profiles(o, 10, f, &stats));
    cpu.push_back(thread_cpu_ms() - c0);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    scored += stats.scored;
    scans += stats.full_scan;
    bounded += stats.bounded;
    rounds += stats.rounds;
    ++queries;
  }
  state.counters["persons"] = static_cast<double>(p.bank->size());
  state.counters["build_ms"] = p.build_ms;
  state.counters["bank_rss_mib"] = p.rss_mib;
  state.counters["mean_bounded"] = static_cast<double>(bounded) / static_cast<double>(queries);
  state.counters["mean_rounds"] = static_cast<double>(rounds) / static_cast<double>(queries);
  report<Offer>(state, ms, cpu, scored, scans, queries);
}
BENCHMARK(BM_TopProfiles)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(smoke() ? 5 : 100)
    ->Unit(benchmark::kMillisecond);

void BM_ExplainPair(benchmark::State& state) {
  Persons& p = persons();
  const bool cohort = state.range(0) == 1;
  std::vector<double> ms, cpu;
  std::size_t queries = 0, q = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const Offer& o = p.queries[q++ % p.queries.size()];
    const std::vector<RankedMatch> listed = p.bank->top_profiles(o, 10);
    state.ResumeTiming();
    if (listed.empty()) continue;
    const std::size_t r = listed.size() - 1;
    const auto t = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_ms();
    if (cohort)
      benchmark::DoNotOptimize(explain_match(p.bank->profiles()[listed[r].index], o, referential(),
                                             config(),
                                             std::span<const Profile>(p.bank->profiles())));
    else
      benchmark::DoNotOptimize(explain_listed(*p.bank, o, listed, r));
    cpu.push_back(thread_cpu_ms() - c0);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    ++queries;
  }
  state.counters["persons"] = static_cast<double>(p.bank->size());
  report<Offer>(state, ms, cpu, 0, 0, std::max<std::size_t>(queries, 1));
}
BENCHMARK(BM_ExplainPair)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(smoke() ? 2 : 10)
    ->Unit(benchmark::kMillisecond);

// CPU time of the whole process, in ms (every thread of a batch).
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// Queries of a batch: AIG_BENCH_BATCH, else 1,000 (20 in smoke runs).
std::size_t batch_count() {
  if (const char* v = std::getenv("AIG_BENCH_BATCH")) return std::strtoull(v, nullptr, 10);
  return smoke() ? 20 : 1000;
}

template <class Run>
void batch_counters(benchmark::State& state, std::size_t queries, const Run& run) {
  double wall = 0, cpu = 0;
  for (auto _ : state) {
    const auto t = std::chrono::steady_clock::now();
    const double c0 = process_cpu_ms();
    run();
    cpu = process_cpu_ms() - c0;
    wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  }
  state.counters["queries"] = static_cast<double>(queries);
  state.counters["wall_ms"] = wall;
  state.counters["cpu_ms"] = cpu;
  state.counters["cpu_ms_per_query"] = cpu / static_cast<double>(queries);
  // The day's batch of 10,000 queries at this batch's rate.
  state.counters["wall_s_per_10k"] = wall / static_cast<double>(queries) * 10.0;
}

// BM_BatchTopProfiles: AIG_BENCH_BATCH offers (drawn after the bank's persons) against the
// person bank, top-10 each, on 2 threads (MatchBatchOptions), with a progress callback; wall
// and process CPU time of the whole batch, and the 10,000-offer batch extrapolated from it.
void BM_BatchTopProfiles(benchmark::State& state) {
  Persons& p = persons();
  Drawer d(3);
  std::vector<Offer> queries;
  for (std::size_t i = 0; i < batch_count(); ++i) queries.push_back(d.offer(i));
  MatchBatchOptions options;
  options.threads = 2;
  std::size_t last = 0;
  options.progress = [&](std::size_t done, std::size_t) { last = done; };
  batch_counters(state, queries.size(),
                 [&] { benchmark::DoNotOptimize(p.bank->top_profiles(queries, 10, {}, options)); });
  state.counters["persons"] = static_cast<double>(p.bank->size());
  state.counters["progress_last"] = static_cast<double>(last);
}
BENCHMARK(BM_BatchTopProfiles)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// BM_BatchTopOffers: AIG_BENCH_BATCH persons against the bank of 1M offers, top-10 each, on 2
// threads; the same counters.
void BM_BatchTopOffers(benchmark::State& state) {
  Offers& o = offers();
  Drawer d(4);
  std::vector<Profile> queries;
  for (std::size_t i = 0; i < batch_count(); ++i) queries.push_back(d.profile(i));
  MatchBatchOptions options;
  options.threads = 2;
  batch_counters(state, queries.size(),
                 [&] { benchmark::DoNotOptimize(o.bank->top_offers(queries, 10, {}, options)); });
  state.counters["offers"] = static_cast<double>(o.bank->size());
}
BENCHMARK(BM_BatchTopOffers)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
