// Orientation throughput on the real fr-2025 pack: a typed batch with the full trace kept,
// and JSON Lines end to end (parse, validate, evaluate, write the result).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/json_lines.hpp"

namespace {

using namespace aiguillage;
namespace fs = std::filesystem;

const fs::path kPack = fs::path(AIG_SOURCE_DIR) / "rules/orientation/fr-2025";

// Seconds per person, printed with its SI prefix (1.2us).
benchmark::Counter per_person(std::size_t rows) {
  return benchmark::Counter(
      static_cast<double>(rows),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

std::size_t rows_wanted() {
  return std::getenv("AIG_BENCH_SMOKE") ? 2000 : 1'000'000;
}

// The inputs of the pack's own test cases, replicated: a realistic mix of complete, incomplete
// and review cases.
std::vector<std::string> person_lines(const Pack& pack) {
  std::vector<std::string> lines;
  for (const auto& entry : fs::directory_iterator(kPack / "tests")) {
    std::ifstream in(entry.path());
    nlohmann::json doc = nlohmann::json::parse(in);
    for (const auto& c : doc["cases"]) {
      if (c["expected"].contains("error")) continue;
      nlohmann::json input = c["input"];
      input["reference_date"] = c["reference_date"];
      Record r;
      if (pack.inputs().parse_record(input.dump(), r).empty()) lines.push_back(input.dump());
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

void BM_OrientationBatchWithTrace(benchmark::State& state) {
  if (!fs::exists(kPack)) {
    state.SkipWithError("rules/orientation/fr-2025 is missing");
    return;
  }
  Pack pack = Pack::load_file(kPack.string());
  Evaluator evaluator(pack);
  auto lines = person_lines(pack);
  const std::size_t rows = rows_wanted();
  Batch batch(pack.inputs(), rows);
  std::vector<Record> records(lines.size());
  for (std::size_t k = 0; k < lines.size(); ++k) pack.inputs().parse_record(lines[k], records[k]);
  for (std::size_t row = 0; row < rows; ++row) batch.set_row(row, records[row % records.size()]);
  EvalOptions options;
  options.trace = true;
  BatchResult result;
  for (auto _ : state) {
    evaluator.evaluate_batch(batch, result, options);
    benchmark::DoNotOptimize(result.status.data());
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["per_person"] = per_person(rows);
}
BENCHMARK(BM_OrientationBatchWithTrace)->Unit(benchmark::kMillisecond)->UseRealTime();

// The persons of examples/data/persons-1000.jsonl (the Python benchmark's population) at
// 2025-03-01, without the trace, each row handed to a sink as the C API and Python do.
void BM_OrientationPersonsToSink(benchmark::State& state) {
  const fs::path persons = fs::path(AIG_SOURCE_DIR) / "examples/data/persons-1000.jsonl";
  if (!fs::exists(kPack) || !fs::exists(persons)) {
    state.SkipWithError("rules/orientation/fr-2025 or examples/data/persons-1000.jsonl is missing");
    return;
  }
  Pack pack = Pack::load_file(kPack.string());
  Evaluator evaluator(pack);
  std::vector<Record> records;
  std::ifstream in(persons);
  for (std::string line; std::getline(in, line);) {
    Record r;
    if (pack.inputs().parse_record(line, r, UnknownFields::ignore).empty())
      records.push_back(std::move(r));
  }
  const std::size_t rows = rows_wanted();
  Batch batch(pack.inputs(), rows);
  for (std::size_t row = 0; row < rows; ++row) batch.set_row(row, records[row % records.size()]);
  EvalOptions options;
  options.trace = false;
  options.reference_date = Date::parse("2025-03-01");
  BatchResult result;
  std::size_t incomplete = 0;
  const Evaluator::RowSink sink = [&](std::size_t, Status status, const Value*,
                                      const std::vector<Error>&) {
    incomplete += status == Status::incomplete;
  };
  for (auto _ : state) {
    evaluator.evaluate_batch(batch, result, options, 0, rows, sink);
    benchmark::DoNotOptimize(incomplete);
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["per_person"] = per_person(rows);
}
BENCHMARK(BM_OrientationPersonsToSink)->Unit(benchmark::kMillisecond)->UseRealTime();

// JSON Lines in, one proposal per line out (what `aiguillage orient` writes without --trace).
// `blocks`: through BulkProposer (persons read straight into a batch); otherwise one person at
// a time through propose() and proposal_to_json().
void orientation_json_lines(benchmark::State& state, bool blocks) {
  if (!fs::exists(kPack)) {
    state.SkipWithError("rules/orientation/fr-2025 is missing");
    return;
  }
  const Orienter orienter(Pack::load_file(kPack.string()));
  const auto persons = person_lines(orienter.pack());
  const std::size_t n = std::getenv("AIG_BENCH_SMOKE") ? 1000 : 100'000;
  std::vector<std::string_view> lines;
  for (std::size_t k = 0; k < n; ++k) lines.emplace_back(persons[k % persons.size()]);
  const Date date = *Date::parse("2025-03-01");
  BulkProposer bulk(orienter, date);
  std::size_t bytes = 0;
  for (auto _ : state) {
    if (blocks) {
      bulk.run(lines,
               [&](std::size_t, std::string_view proposal, bool) { bytes += proposal.size(); });
    } else {
      for (std::string_view line : lines)
        bytes += proposal_to_json(orienter.propose(line, date, false), false).size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["per_person"] = per_person(n);
  if (blocks)  // the share of persons read straight into blocks
    state.counters["block_share"] =
        static_cast<double>(bulk.lines().block_lines()) /
        static_cast<double>(bulk.lines().record_lines() + bulk.lines().block_lines());
}
void BM_OrientationJsonLines(benchmark::State& state) {
  orientation_json_lines(state, true);
}
void BM_OrientationJsonLinesPerRecord(benchmark::State& state) {
  orientation_json_lines(state, false);
}
BENCHMARK(BM_OrientationJsonLines)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OrientationJsonLinesPerRecord)->Unit(benchmark::kMillisecond)->UseRealTime();

// The realistic mix: the shipped sample (examples/data/persons-1000.jsonl, about 39 % of its
// proposals go to review, many with questions to ask) replicated to 100,000 lines, JSON Lines in
// at 2025-03-01. `proposals`: one proposal per line through BulkProposer (`aiguillage orient`);
// otherwise one evaluation result per line through JsonLinesEvaluator (`aiguillage eval`).
void persons_json_lines(benchmark::State& state, bool proposals) {
  const fs::path path = fs::path(AIG_SOURCE_DIR) / "examples/data/persons-1000.jsonl";
  if (!fs::exists(kPack) || !fs::exists(path)) {
    state.SkipWithError("rules/orientation/fr-2025 or examples/data/persons-1000.jsonl is missing");
    return;
  }
  const Orienter orienter(Pack::load_file(kPack.string()));
  std::vector<std::string> persons;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    // `aiguillage orient` takes person_id off the line before the pack reads it.
    nlohmann::json person = nlohmann::json::parse(line);
    person.erase("person_id");
    persons.push_back(person.dump());
  }
  const std::size_t n = std::getenv("AIG_BENCH_SMOKE") ? 1000 : 100'000;
  std::vector<std::string_view> lines;
  for (std::size_t k = 0; k < n; ++k) lines.emplace_back(persons[k % persons.size()]);
  const Date date = *Date::parse("2025-03-01");
  BulkProposer bulk(orienter, date);
  EvalOptions options;
  options.reference_date = date;
  options.trace = false;
  JsonLinesEvaluator results(orienter.evaluator(), options);
  std::string text;
  std::size_t bytes = 0;
  for (auto _ : state) {
    if (proposals) {
      bulk.run(lines,
               [&](std::size_t, std::string_view proposal, bool) { bytes += proposal.size(); });
    } else {
      results.run(lines, [&](const RowResult& r) {
        text.clear();
        orienter.evaluator().append_result_json(text, r);
        bytes += text.size();
      });
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["per_person"] = per_person(n);
  const JsonLinesEvaluator& used = proposals ? bulk.lines() : results;
  state.counters["block_share"] = static_cast<double>(used.block_lines()) /
                                  static_cast<double>(used.record_lines() + used.block_lines());
}
void BM_PersonsJsonLinesProposals(benchmark::State& state) {
  persons_json_lines(state, true);
}
void BM_PersonsJsonLinesResults(benchmark::State& state) {
  persons_json_lines(state, false);
}
BENCHMARK(BM_PersonsJsonLinesProposals)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PersonsJsonLinesResults)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
