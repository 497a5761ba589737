// Loading the competence referentials: ROME 4.0 in full from its CSV files, ESCO v1.1.1 from its
// zips, the shipped ROME subset; and partial-credit queries on the loaded graph.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include <fstream>
#include <sstream>

#include "aiguillage/matching/referential.hpp"
#include "aiguillage/matching/scoring.hpp"

namespace {

using namespace aiguillage;
namespace fs = std::filesystem;

fs::path shared_data() {
  if (const char* env = std::getenv("AIG_SHARED_DATA")) return env;
  return fs::path(AIG_SOURCE_DIR) / "../shared/data";
}

const fs::path kSubset = fs::path(AIG_SOURCE_DIR) / "data/rome-subset";

void BM_LoadRomeSubset(benchmark::State& state) {
  if (!fs::exists(kSubset)) {
    state.SkipWithError("data/rome-subset is missing");
    return;
  }
  for (auto _ : state) {
    Referential r = Referential::load(kSubset.string());
    benchmark::DoNotOptimize(r.item_count());
  }
}
BENCHMARK(BM_LoadRomeSubset)->Unit(benchmark::kMillisecond);

// The full ROME is real data beside the source tree; in smoke runs the subset stands in, so CI
// proves the code path without the 20 MB of files.
void BM_LoadRomeFull(benchmark::State& state) {
  fs::path dir = shared_data() / "rome-v460";
  if (std::getenv("AIG_BENCH_SMOKE") || !fs::exists(dir)) dir = kSubset;
  if (!fs::exists(dir)) {
    state.SkipWithError("no ROME data");
    return;
  }
  std::size_t fiches = 0;
  for (auto _ : state) {
    Referential r = Referential::load(dir.string());
    fiches = r.statistics().fiches;
    benchmark::DoNotOptimize(r.item_count());
  }
  state.counters["fiches"] = static_cast<double>(fiches);
}
BENCHMARK(BM_LoadRomeFull)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_LoadRomeAndEsco(benchmark::State& state) {
  fs::path rome = shared_data() / "rome-v460", esco = shared_data() / "esco-v1.1.1";
  // Smoke runs and machines without the data read the subset and the small ESCO fixture.
  if (std::getenv("AIG_BENCH_SMOKE") || !fs::exists(rome) || !fs::exists(esco)) {
    rome = kSubset;
    esco = fs::path(AIG_SOURCE_DIR) / "tests/matching/data/esco-mini";
  }
  if (!fs::exists(rome) || !fs::exists(esco)) {
    state.SkipWithError("no ROME or ESCO data");
    return;
  }
  for (auto _ : state) {
    Referential r = Referential::load(rome.string(), esco.string());
    benchmark::DoNotOptimize(r.item_count());
  }
}
BENCHMARK(BM_LoadRomeAndEsco)->Unit(benchmark::kMillisecond)->UseRealTime();

// Partial credit between every core item of one fiche and the core items of the fiches it lists
// as mobility targets, depth 3 (the deepest path the defaults make useful).
void BM_ItemCredit(benchmark::State& state) {
  fs::path dir = shared_data() / "rome-v460";
  if (std::getenv("AIG_BENCH_SMOKE") || !fs::exists(dir)) dir = kSubset;
  if (!fs::exists(dir)) {
    state.SkipWithError("no ROME data");
    return;
  }
  Referential r = Referential::load(dir.string());
  std::vector<std::pair<ItemId, ItemId>> pairs;
  for (OccupationId o = 0; o < r.occupation_count() && pairs.size() < 2000; ++o)
    for (OccupationId t : r.mobility_targets(o))
      for (const auto& a : r.occupation(o).items)
        for (const auto& b : r.occupation(t).items)
          if (is_core(a.role) && is_core(b.role) && pairs.size() < 2000)
            pairs.emplace_back(a.item, b.item);
  std::size_t k = 0;
  for (auto _ : state) {
    auto c = r.item_credit(pairs[k].first, pairs[k].second, 3);
    benchmark::DoNotOptimize(c.value);
    k = (k + 1) % pairs.size();
  }
}
BENCHMARK(BM_ItemCredit)->Unit(benchmark::kMicrosecond);

// Every example profile against every example offer (6 x 50 pairs) on the subset, default
// configuration: the cost of one explained score, partial-credit searches included.
void BM_ScoreExamplePairs(benchmark::State& state) {
  const fs::path ex = fs::path(AIG_SOURCE_DIR) / "examples/data";
  if (!fs::exists(kSubset) || !fs::exists(ex / "offers-subset.jsonl")) {
    state.SkipWithError("subset or examples missing");
    return;
  }
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  Referential r = Referential::load(kSubset.string());
  auto profiles = load_profiles_jsonl(slurp(ex / "profiles-subset.jsonl"), r).profiles;
  auto offers = load_offers_jsonl(slurp(ex / "offers-subset.jsonl"), r).offers;
  for (auto _ : state)
    for (const auto& p : profiles)
      for (const auto& o : offers) benchmark::DoNotOptimize(score(p, o, r).score);
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(profiles.size() * offers.size()));
}
BENCHMARK(BM_ScoreExamplePairs)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
