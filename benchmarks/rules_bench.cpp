// Decision-table evaluation: columnar batches, JSON Lines end to end, and ZEN's 8k-row table.
//
//   rules_bench [google benchmark flags]
//   rules_bench --write-peer-data=DIR [--peer-records=N]
// The second form writes the synthetic table (pack and JDM graph), N records as JSON Lines and
// this engine's outputs for them into DIR, for the ZEN peer (benchmarks/peers/zen).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/interop/jdm_import.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/json_lines.hpp"
#include "aiguillage/rules/pack.hpp"
#include "support/synthetic_table.hpp"

namespace {

using namespace aiguillage;
using namespace aiguillage::bench;

constexpr std::uint64_t kTableSeed = 20250601;
constexpr std::uint64_t kRecordSeed = 7;
// AIG_BENCH_SMOKE (set by scripts/bench-smoke.sh) shrinks every input: CI proves the
// benchmarks run, it does not measure.
bool smoke() {
  return std::getenv("AIG_BENCH_SMOKE") != nullptr;
}
std::size_t batch_rows() {
  return smoke() ? 10'000 : 1'000'000;
}
std::size_t json_line_count() {
  return smoke() ? 2'000 : 100'000;
}
std::size_t zen_rows() {
  return smoke() ? 2'000 : 100'000;
}

EvalOptions options(bool trace) {
  EvalOptions o;
  o.reference_date = Date::from_ymd(2025, 6, 1);
  o.trace = trace;
  return o;
}

// Seconds per record (the inverted rate): the console shows it as "245ns", JSON in seconds.
benchmark::Counter per_record(std::size_t rows) {
  return benchmark::Counter(
      static_cast<double>(rows),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

struct Synthetic {
  SyntheticTable table = make_synthetic_table(kTableSeed);
  Pack pack = Pack::load(table.pack_json());
  Evaluator evaluator{pack};
};

const Synthetic& synthetic() {
  static const Synthetic s;
  return s;
}

const Batch& synthetic_batch() {
  static const std::unique_ptr<Batch> batch = [] {
    const Synthetic& s = synthetic();
    auto b = std::make_unique<Batch>(s.pack.inputs(), batch_rows());
    fill_batch(s.table, make_records(s.table, batch_rows(), kRecordSeed), *b);
    return b;
  }();
  return *batch;
}

void BM_BatchFirstTable(benchmark::State& state) {
  const Synthetic& s = synthetic();
  const Batch& batch = synthetic_batch();
  const EvalOptions o = options(state.range(0) != 0);
  BatchResult out;
  s.evaluator.evaluate_batch(batch, out, o);  // sizes the result outside the timing
  for (std::size_t row = 0; row < batch.rows(); ++row)
    if (out.first_hit[0][row] < 0) {
      state.SkipWithError("a record hit no rule: the catch-all must always fire");
      return;
    }
  for (auto _ : state) {
    s.evaluator.evaluate_batch(batch, out, o);
    benchmark::DoNotOptimize(out.first_hit[0].data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch.rows()));
  state.counters["per_record"] = per_record(batch.rows());
}
BENCHMARK(BM_BatchFirstTable)->ArgName("trace")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// JSON Lines end to end: parse, validate, evaluate, write the result line (no trace).
// `blocks`: through JsonLinesEvaluator (lines read straight into a batch, as `aiguillage eval`
// does); otherwise one record at a time through evaluate_json() and evaluation_to_json().
void json_lines_end_to_end(benchmark::State& state, bool blocks) {
  const Synthetic& s = synthetic();
  static const std::vector<std::string> lines =
      json_lines(s.table, make_records(s.table, json_line_count(), kRecordSeed));
  const std::vector<std::string_view> views(lines.begin(), lines.end());
  const EvalOptions o = options(false);
  JsonLinesEvaluator runner(s.evaluator, o);
  Evaluation e;
  std::string out;
  std::size_t bytes = 0, rejected = 0;
  for (auto _ : state) {
    if (blocks) {
      runner.run(views, [&](const RowResult& r) {
        rejected += r.rejected;
        out.clear();
        s.evaluator.append_result_json(out, r);
        bytes += out.size();
      });
    } else {
      for (const std::string& line : lines) {
        if (!s.evaluator.evaluate_json(line, e, o)) ++rejected;
        std::string result = evaluation_to_json(s.pack, e, false);
        bytes += result.size();
        benchmark::DoNotOptimize(result.data());
      }
    }
  }
  if (rejected) state.SkipWithError("generated records were rejected");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
  state.counters["per_record"] = per_record(lines.size());
  state.counters["output_bytes_per_record"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations() * lines.size());
  if (blocks)  // the share of lines read straight into blocks (never 0: no NaN in aggregates)
    state.counters["block_share"] =
        static_cast<double>(runner.block_lines()) /
        static_cast<double>(runner.record_lines() + runner.block_lines());
}
void BM_JsonLinesEndToEnd(benchmark::State& state) {
  json_lines_end_to_end(state, true);
}
void BM_JsonLinesPerRecord(benchmark::State& state) {
  json_lines_end_to_end(state, false);
}
BENCHMARK(BM_JsonLinesEndToEnd)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonLinesPerRecord)->Unit(benchmark::kMillisecond);

std::string zen_data_dir() {
  const char* env = std::getenv("AIG_SHARED_DATA");
  std::string root = env ? env : std::string(AIG_SOURCE_DIR "/../shared/data");
  return root + "/zen-test-data";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ZEN's 8k-row table (GoRules test data): 7,990 copies of one rule, then a catch-all.
struct Zen8k {
  std::unique_ptr<Pack> pack;
  std::unique_ptr<Evaluator> evaluator;
  std::unique_ptr<Batch> batch;
  std::vector<char> expect_first;  // per row: rule 0 fires (else the catch-all)
  std::string error;
};

const Zen8k& zen8k() {
  static const Zen8k z = [] {
    Zen8k built;
    std::string jdm = read_file(zen_data_dir() + "/8k.json");
    if (jdm.empty()) {
      built.error = zen_data_dir() + "/8k.json is absent";
      return built;
    }
    built.pack = std::make_unique<Pack>(Pack::load(import_jdm(jdm)));
    built.evaluator = std::make_unique<Evaluator>(*built.pack);
    const InputSchema& schema = built.pack->inputs();
    built.batch = std::make_unique<Batch>(schema, zen_rows());
    auto col = [&](const char* name) { return static_cast<std::size_t>(schema.index_of(name)); };
    const std::size_t country = col("customer.country"), spend = col("customer.totalSpend"),
                      email = col("customer.email"), category = col("product.category"),
                      currency = col("product.currency"), price = col("product.price");
    const char* countries[] = {"GB", "GB", "US", "FR", "DE", "IE"};
    const char* domains[] = {"@gmail.com", "@gmail.com", "@yahoo.com", "@outlook.com"};
    const char* categories[] = {"books", "toys", "food", "tech"};
    const char* currencies[] = {"GBP", "GBP", "USD", "EUR"};
    Rng rng(kRecordSeed);
    built.expect_first.resize(zen_rows());
    for (std::size_t row = 0; row < zen_rows(); ++row) {
      std::string c = countries[rng.below(6)];
      std::int64_t s = rng.between(0, 200 * 100), p = rng.between(0, 200 * 100);  // cents
      std::string m = "user" + std::to_string(rng.below(100000)) + domains[rng.below(4)];
      std::string cur = currencies[rng.below(4)];
      built.batch->set_string(country, row, c);
      built.batch->set_decimal(spend, row, Decimal::from_units(s * (Decimal::kOne / 100)));
      built.batch->set_string(email, row, m);
      built.batch->set_string(category, row, categories[rng.below(4)]);
      built.batch->set_string(currency, row, cur);
      built.batch->set_decimal(price, row, Decimal::from_units(p * (Decimal::kOne / 100)));
      built.expect_first[row] =
          c == "GB" && s < 100 * 100 && m.ends_with("@gmail.com") && cur == "GBP" && p < 100 * 100;
    }
    return built;
  }();
  return z;
}

void BM_Zen8kTable(benchmark::State& state) {
  const Zen8k& z = zen8k();
  if (!z.error.empty()) {
    state.SkipWithError(("skipped: " + z.error).c_str());
    return;
  }
  const EvalOptions o = options(state.range(0) != 0);
  BatchResult out;
  z.evaluator->evaluate_batch(*z.batch, out, o);
  const int last = static_cast<int>(z.pack->decisions()[0].rules.size()) - 1;
  for (std::size_t row = 0; row < z.batch->rows(); ++row)
    if (out.first_hit[0][row] != (z.expect_first[row] ? 0 : last)) {
      state.SkipWithError("the imported 8k table disagrees with ZEN's semantics");
      return;
    }
  for (auto _ : state) {
    z.evaluator->evaluate_batch(*z.batch, out, o);
    benchmark::DoNotOptimize(out.first_hit[0].data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * z.batch->rows()));
  state.counters["per_record"] = per_record(z.batch->rows());
}
BENCHMARK(BM_Zen8kTable)->ArgName("trace")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// The JSON lines of BM_JsonLinesEndToEnd read straight into a Batch of 256 rows, cleared every
// 256 lines, as a block runner does: reading only, no evaluation.
const std::vector<std::string>& synthetic_lines() {
  static const std::vector<std::string> lines = json_lines(
      synthetic().table, make_records(synthetic().table, json_line_count(), kRecordSeed));
  return lines;
}

void BM_ReadJsonIntoBatch(benchmark::State& state) {
  const Synthetic& s = synthetic();
  const std::vector<std::string>& lines = synthetic_lines();
  constexpr std::size_t kRows = 256;
  Batch batch(s.pack.inputs(), kRows);
  std::size_t fallbacks = 0;
  for (auto _ : state) {
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const std::size_t row = k % kRows;
      if (row == 0) batch.clear();
      if (!batch.read_json(row, lines[k], UnknownFields::reject)) ++fallbacks;
    }
    benchmark::DoNotOptimize(batch.data(0));
    benchmark::ClobberMemory();
  }
  if (fallbacks) state.SkipWithError("generated records fell back to parse_record");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
  state.counters["per_record"] = per_record(lines.size());
}
BENCHMARK(BM_ReadJsonIntoBatch)->Unit(benchmark::kMillisecond);

// The same lines through InputSchema::parse_record (one reused Record), for the ratio.
void BM_ParseRecord(benchmark::State& state) {
  const Synthetic& s = synthetic();
  const std::vector<std::string>& lines = synthetic_lines();
  Record r;
  std::size_t rejected = 0;
  for (auto _ : state) {
    for (const std::string& line : lines)
      if (!s.pack.inputs().parse_record(line, r).empty()) ++rejected;
    benchmark::DoNotOptimize(r.values.data());
    benchmark::ClobberMemory();
  }
  if (rejected) state.SkipWithError("generated records were rejected");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
  state.counters["per_record"] = per_record(lines.size());
}
BENCHMARK(BM_ParseRecord)->Unit(benchmark::kMillisecond);

// Writes what the ZEN peer needs; returns the process exit code.
int write_peer_data(const std::string& dir, std::size_t n) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const Synthetic& s = synthetic();
  auto records = make_records(s.table, n, kRecordSeed);
  Batch batch(s.pack.inputs(), n);
  fill_batch(s.table, records, batch);
  BatchResult out;
  s.evaluator.evaluate_batch(batch, out, options(false));
  std::ofstream(dir + "/synthetic.pack.json") << s.table.pack_json() << "\n";
  std::ofstream(dir + "/synthetic.jdm.json") << s.table.jdm_json() << "\n";
  std::ofstream lines(dir + "/records.jsonl");
  std::ofstream expected(dir + "/expected.jsonl");
  for (std::size_t row = 0; row < n; ++row) {
    lines << json_line(s.table, records[row]) << "\n";
    int r = out.first_hit[0][row];
    if (r < 0) {
      expected << "null\n";
      continue;
    }
    const SyntheticRule& rule = s.table.rules[static_cast<std::size_t>(r)];
    expected << "{\"rule\":\"" << rule.id << "\",\"orientation\":\""
             << orientations()[static_cast<std::size_t>(rule.orientation)]
             << "\",\"intensity\":" << rule.intensity << "}\n";
  }
  if (!lines || !expected) {
    std::cerr << "cannot write into " << dir << "\n";
    return 4;
  }
  std::cout << "wrote " << n << " records, the table (pack and JDM) and our outputs to " << dir
            << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string peer_dir;
  std::size_t peer_records = 20'000;
  std::vector<char*> rest;
  for (int k = 0; k < argc; ++k) {
    std::string_view a = argv[k];
    if (a.starts_with("--write-peer-data="))
      peer_dir = std::string(a.substr(18));
    else if (a.starts_with("--peer-records="))
      peer_records = std::stoul(std::string(a.substr(15)));
    else
      rest.push_back(argv[k]);
  }
  if (!peer_dir.empty()) return write_peer_data(peer_dir, peer_records);
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
