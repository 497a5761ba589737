// Import times: the largest DMN TCK model of compliance level 2 and ZEN's 8k-row JDM table,
// each read from memory into a pack document, and that document loaded (compiled) as a pack.
// Skips when ../shared/data is absent.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/interop/jdm_import.hpp"
#include "aiguillage/rules/pack.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path kData = fs::path(AIG_SOURCE_DIR) / ".." / "shared" / "data";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// 0105-feel-math is the largest model (13 KB, 33 decisions); 7 decisions use '**' and are
// left out as the TCK runner does.
void BM_ImportDmnLargestTckModel(benchmark::State& state) {
  fs::path p = kData / "dmn-tck/compliance-level-2/0105-feel-math/0105-feel-math.dmn";
  if (!fs::exists(p)) return state.SkipWithError("no TCK data");
  std::string xml = slurp(p);
  aiguillage::DmnImportOptions options;
  options.skip_unmappable_decisions = true;
  for (auto _ : state) benchmark::DoNotOptimize(aiguillage::import_dmn_model(xml, options));
}
BENCHMARK(BM_ImportDmnLargestTckModel)->Unit(benchmark::kMillisecond);

// The largest model that imports whole, then loaded as a pack.
void BM_ImportDmnAndLoad0117(benchmark::State& state) {
  fs::path p =
      kData / "dmn-tck/compliance-level-2/0117-multi-any-hitpolicy/0117-multi-any-hitpolicy.dmn";
  if (!fs::exists(p)) return state.SkipWithError("no TCK data");
  std::string xml = slurp(p);
  for (auto _ : state)
    benchmark::DoNotOptimize(aiguillage::Pack::load(aiguillage::import_dmn(xml)));
}
BENCHMARK(BM_ImportDmnAndLoad0117)->Unit(benchmark::kMillisecond);

void BM_ImportJdm8k(benchmark::State& state) {
  fs::path p = kData / "zen-test-data/8k.json";
  if (!fs::exists(p)) return state.SkipWithError("no ZEN data");
  std::string json = slurp(p);
  for (auto _ : state) benchmark::DoNotOptimize(aiguillage::import_jdm(json));
}
BENCHMARK(BM_ImportJdm8k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
