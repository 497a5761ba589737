// Building, saving and loading banks (matcher.hpp), on documents drawn from ROME 4.0
// (support/matching_drawer.hpp, the documents of matcher_bench).
//
// BM_BuildOfferBank/<documents>/<threads>, BM_BuildProfileBank/<documents>/<threads>: one build
// each; counters: cpu_ms (CPU time of the whole process during the build, every thread),
// wall_ms, bank_rss_mib (resident memory the bank adds beyond its documents, measured after the
// build: freed memory reused hides part of it when several cases run in one process, so run one
// case per process), bank_heap_mib (heap in use the bank adds, by malloc's count); then the bank is
// saved to a file and loaded back: save_ms, file_mib, load_ms (wall), load_cpu_ms, and load_rss_mib
// (resident memory of the loaded bank, documents included). Compiled with -DAIG_BANK_BENCH_BEFORE
// against a library without bank files (an earlier matcher.cpp), the build alone is measured: the
// same-run "before" of benchmarks/RESULTS.md.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "support/matching_drawer.hpp"
#include "support/python_peer.hpp"

namespace {

using namespace aiguillage;
using aiguillage::bench::memory_now;
using aiguillage::bench::smoke;
#ifdef AIG_BANK_BENCH_BEFORE
struct BankBuildOptions {
  std::size_t threads = 1;
};
#endif

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// Heap in use (malloc's own count): unlike the resident size, not hidden by memory freed
// earlier in the process and reused.
double heap_mib() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<double>(m.uordblks + m.hblkhd) / (1024.0 * 1024.0);
}

double since_ms(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::size_t documents(const benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  return smoke() ? std::min<std::size_t>(n, 20000) : n;
}

template <class Doc, class Draw>
std::vector<Doc> draw(std::size_t n, std::uint64_t seed, const Draw& one) {
  bench::Drawer d(seed);
  std::vector<Doc> docs;
  docs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) docs.push_back(one(d, i));
  return docs;
}

template <class Bank, class Doc>
void build_save_load(benchmark::State& state, std::vector<Doc> (*make)(std::size_t)) {
  const std::size_t n = documents(state);
  const BankBuildOptions options{static_cast<std::size_t>(state.range(1))};
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("aig-bank-bench-" + std::to_string(::getpid()) + ".aigbank"))
                               .string();
  for (auto _ : state) {
    std::vector<Doc> docs = make(n);
    const double before = memory_now().rss_mib, heap_before = heap_mib();
    const double c0 = process_cpu_ms();
    const auto t0 = std::chrono::steady_clock::now();
    std::optional<Bank> bank;
#ifdef AIG_BANK_BENCH_BEFORE
    (void)options;
    bank.emplace(std::move(docs), bench::referential(), bench::config());
#else
    bank.emplace(std::move(docs), bench::referential(), bench::config(), options);
#endif
    state.counters["wall_ms"] = since_ms(t0);
    state.counters["cpu_ms"] = process_cpu_ms() - c0;
    state.counters["bank_rss_mib"] = memory_now().rss_mib - before;
    state.counters["bank_heap_mib"] = heap_mib() - heap_before;
#ifndef AIG_BANK_BENCH_BEFORE
    const auto t1 = std::chrono::steady_clock::now();
    bank->save(path);
    state.counters["save_ms"] = since_ms(t1);
    state.counters["file_mib"] =
        static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0);
    bank.reset();
    const double before_load = memory_now().rss_mib;
    const double c1 = process_cpu_ms();
    const auto t2 = std::chrono::steady_clock::now();
    std::optional<Bank> loaded;
    loaded.emplace(Bank::load(path, bench::referential(), options));
    state.counters["load_ms"] = since_ms(t2);
    state.counters["load_cpu_ms"] = process_cpu_ms() - c1;
    state.counters["load_rss_mib"] = memory_now().rss_mib - before_load;
    benchmark::DoNotOptimize(loaded->size());
#endif
  }
  std::remove(path.c_str());
  state.counters["documents"] = static_cast<double>(n);
}

std::vector<Offer> offers(std::size_t n) {
  return draw<Offer>(n, 1, [](bench::Drawer& d, std::size_t i) { return d.offer(i); });
}
std::vector<Profile> profiles(std::size_t n) {
  return draw<Profile>(n, 2, [](bench::Drawer& d, std::size_t i) { return d.profile(i); });
}

void BM_BuildOfferBank(benchmark::State& state) {
  build_save_load<OfferBank, Offer>(state, offers);
}
void BM_BuildProfileBank(benchmark::State& state) {
  build_save_load<ProfileBank, Profile>(state, profiles);
}
BENCHMARK(BM_BuildOfferBank)
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Args({1000000, 1})
    ->Args({1000000, 2})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildProfileBank)
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Args({1000000, 1})
    ->Args({1000000, 2})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
