// Loading a table whose rules each bring their own range (issue #17, H3): the compile time of
// the pack, the words its masks hold, and a record's evaluation over the whole table.
//
//   table_load_bench [google benchmark flags]
// Peak memory is measured on the CLI (benchmarks/RESULTS.md, "Tables of rules with distinct
// ranges"), from packs written by benchmarks/support/make_range_table.py: the same table.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/decision_table.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace {

using namespace aiguillage;

bool smoke() {
  return std::getenv("AIG_BENCH_SMOKE") != nullptr;
}

// As make_range_table.py: odd rules ">= 10(n - i)", even rules "[10i..10i+5]", FIRST.
std::string range_pack(std::size_t n) {
  std::string s =
      R"({"schema":"aiguillage.ruleset","schema_version":"1.0","id":"bench/ranges",)"
      R"("version":"1.0.0","valid_from":"2000-01-01","title":"Distinct ranges",)"
      R"("purpose":"Load cost","sources":[{"id":"S","title":"Synthetic"}],)"
      R"("inputs":[{"name":"x","type":"integer"}],"variables":[],"decisions":[{"id":"t",)"
      R"("kind":"table","hit_policy":"FIRST","inputs":[{"expression":"x"}],)"
      R"("outputs":[{"name":"rule","type":"integer"}],"rules":[)";
  for (std::size_t i = 0; i < n; ++i) {
    const std::string cell =
        i % 2 ? ">= " + std::to_string(10 * (n - i))
              : "[" + std::to_string(10 * i) + ".." + std::to_string(10 * i + 5) + "]";
    s += std::string(i ? "," : "") + R"({"id":"R)" + std::to_string(i) + R"(","when":[")" + cell +
         R"("],"then":[")" + std::to_string(i) + R"("],"source":"S","status":"verified"})";
  }
  return s + "]}]}";
}

std::size_t rules_of(const benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  return smoke() ? std::min<std::size_t>(n, 2000) : n;
}

void BM_LoadDistinctRanges(benchmark::State& state) {
  const std::string text = range_pack(rules_of(state));
  std::size_t words = 0;
  for (auto _ : state) {
    Pack p = Pack::load(text);
    words = p.decisions()[0].compiled->footprint_words();
    benchmark::DoNotOptimize(words);
  }
  state.counters["mask_MiB"] = static_cast<double>(words) * 8 / (1 << 20);
}
BENCHMARK(BM_LoadDistinctRanges)
    ->Arg(10000)
    ->Arg(40000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Records spread over the whole table: each rebuilds its region's mask (sparse layout).
void BM_EvaluateDistinctRanges(benchmark::State& state) {
  const std::size_t n = rules_of(state);
  const Pack p = Pack::load(range_pack(n));
  const Evaluator ev(p);
  constexpr std::size_t kRows = 4096;
  Batch batch(p.inputs(), kRows);
  std::uint64_t x = 17;
  for (std::size_t row = 0; row < kRows; ++row) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    batch.set_int(0, row, static_cast<std::int64_t>((x >> 33) % (10 * n + 20)) - 10);
  }
  BatchResult out;
  for (auto _ : state) {
    ev.evaluate_batch(batch, out);
    benchmark::DoNotOptimize(out.first_hit.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_EvaluateDistinctRanges)
    ->Arg(10000)
    ->Arg(40000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
