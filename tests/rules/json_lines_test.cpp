#include "aiguillage/rules/json_lines.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "support/pack_builder.hpp"
#include "support/random_record.hpp"

namespace aiguillage {
namespace {

using test::pack_json;
using test::random_record;
using test::table_json;
using test::TableSpec;

// What the per-record path writes for a line: the reference every block result must equal.
std::string record_line(const Evaluator& ev, std::string_view line, const EvalOptions& o,
                        bool& rejected) {
  Evaluation e;
  rejected = !JsonLinesEvaluator::evaluate_line(ev, line, e, o);
  return evaluation_to_json(ev.pack(), e, false);
}

// Lines a service receives: mostly valid records, some with a bad value, an unknown field, a
// syntax error, a bare scalar, escapes (valid, but not plain), or no reference date.
std::vector<std::string> mixed_lines(std::mt19937& rng, const Pack& pack, Date reference,
                                     std::size_t n) {
  std::vector<std::string> lines;
  for (std::size_t k = 0; k < n; ++k) {
    std::string line = random_record(rng, pack.inputs(), reference);
    switch (rng() % 40) {
      case 0:
        line.insert(1, "\"no_such_input\":1,");
        break;
      case 1:
        line.pop_back();  // truncated
        break;
      case 2:
        line = "42";
        break;
      case 3:
        if (line.size() > 2) line.insert(1, "\"reference_date\":\"1990-01-01\",");
        break;  // the pack is not valid then
      case 4: {
        const FieldSpec& f = pack.inputs().field(rng() % pack.inputs().size());
        line.insert(1, test::quote(f.name) + ":{\"x\":1},");  // wrong type (or a duplicate key)
        break;
      }
      case 5: {
        const auto p = line.find("\":\"");  // a string value with an escape: read, not plain
        if (p != std::string::npos) line.insert(p + 3, "\\u0041");
        break;
      }
      case 6:
        line += "  ";
        break;
      default:
        break;
    }
    lines.push_back(line);
  }
  return lines;
}

void expect_same_as_record_path(const Evaluator& ev, const std::vector<std::string>& lines,
                                const EvalOptions& o, std::size_t& block_lines) {
  std::vector<std::string_view> views(lines.begin(), lines.end());
  JsonLinesEvaluator runner(ev, o);
  std::size_t next = 0;
  // Two calls: the runner keeps no state from one call to the next but its memory.
  const std::size_t half = views.size() / 2;
  for (auto part : {std::span<const std::string_view>(views).first(half),
                    std::span<const std::string_view>(views).subspan(half)}) {
    const std::size_t offset = next;
    runner.run(part, [&](const RowResult& r) {
      ASSERT_EQ(offset + r.row, next) << "results out of order";
      const std::string_view line = views[next];
      bool rejected = false;
      const std::string expected = record_line(ev, line, o, rejected);
      std::string got;
      ev.append_result_json(got, r);
      ASSERT_EQ(got, expected) << line;
      ASSERT_EQ(r.rejected, rejected) << line;
      ++next;
    });
  }
  EXPECT_EQ(next, lines.size());
  EXPECT_EQ(runner.block_lines() + runner.record_lines(), lines.size());
  block_lines = runner.block_lines();
}

// Every shipped pack: each line's result is the per-record path's, byte for byte, whichever
// way the line went; and most valid lines went through the batch path.
TEST(JsonLinesEvaluatorTest, ShippedPacksGiveTheRecordPathsResults) {
  const std::filesystem::path rules = std::filesystem::path(AIG_SOURCE_DIR) / "rules";
  for (const char* name : {"orientation/fr-2025", "eligibility/iae", "examples/youth-guidance"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(std::filesystem::exists(rules / name)) << "shipped pack missing";
    const Pack pack = Pack::load_file((rules / name).string());
    const Evaluator ev(pack);
    std::mt19937 rng(23);
    const Date reference{pack.valid_from().days + 45};
    const auto lines = mixed_lines(rng, pack, reference, 3000);
    EvalOptions o;
    o.reference_date = reference;
    std::size_t block_lines = 0;
    expect_same_as_record_path(ev, lines, o, block_lines);
    EXPECT_GT(block_lines, lines.size() / 2);
    // Without a reference date in the options, records without one are errors.
    EvalOptions no_date;
    expect_same_as_record_path(ev, lines, no_date, block_lines);
  }
}

// Tables with more than 64 rules and general cells, under FIRST, COLLECT and a COLLECT
// aggregate, and records with missing values: fired lists, outputs and missing inputs agree.
TEST(JsonLinesEvaluatorTest, LargeTablesWithGeneralCellsAgree) {
  std::mt19937 rng(29);
  for (const std::string policy : {"FIRST", "COLLECT", "COLLECT SUM", "RULE ORDER"}) {
    SCOPED_TRACE(policy);
    TableSpec t;
    t.hit_policy = policy;
    t.columns = {"n", "d", "e", "s"};
    t.outputs = {{"o", "integer"}};
    const char* cells[] = {"-", "< 5", "[2..9]", "$ > 3 and $ <= 7", "null"};
    const char* enum_cells[] = {"-", "\"a\"", "\"b\",\"c\"", "not(\"d\")"};
    const char* string_cells[] = {"-", "starts_with($, \"x\")", "\"75\""};
    for (int r = 0; r < 130; ++r) {
      t.rules.push_back(
          {{cells[rng() % 5], cells[rng() % 4], enum_cells[rng() % 4], string_cells[rng() % 3]},
           {std::to_string(r)}});
    }
    const Pack pack = Pack::load(
        pack_json({R"({"name":"n","type":"integer"})", R"({"name":"d","type":"decimal"})",
                   R"({"name":"e","type":"enum","values":["a","b","c","d"]})",
                   R"({"name":"s","type":"string"})"},
                  {table_json(t)}));
    const Evaluator ev(pack);
    const auto lines = mixed_lines(rng, pack, *Date::parse("2025-06-01"), 2000);
    EvalOptions o;
    o.reference_date = Date::parse("2025-06-01");
    std::size_t block_lines = 0;
    expect_same_as_record_path(ev, lines, o, block_lines);
    EXPECT_GT(block_lines, lines.size() / 2);
  }
}

// evaluate_line answers every line, whatever it holds, with an error rather than an exception.
TEST(JsonLinesEvaluatorTest, BadLinesAreErrorsWithCodesAndPointers) {
  TableSpec t;
  t.columns = {"n"};
  t.outputs = {{"o", "integer"}};
  t.rules = {{{"< 5"}, {"1"}}, {{"-"}, {"2"}}};
  const Pack pack =
      Pack::load(pack_json({R"({"name":"n","type":"integer","min":0,"max":9})"}, {table_json(t)}));
  const Evaluator ev(pack);
  EvalOptions o;
  o.reference_date = Date::parse("2025-06-01");
  struct Case {
    const char* line;
    ErrorCode code;
    const char* pointer;
  };
  const Case cases[] = {{"tru", ErrorCode::json_syntax, ""},
                        {"42", ErrorCode::type_mismatch, ""},
                        {"{\"n\":", ErrorCode::json_syntax, ""},
                        {"{\"n\":10}", ErrorCode::out_of_bounds, "/n"},
                        {"{\"n\":\"3\"}", ErrorCode::type_mismatch, "/n"},
                        {"{\"m\":3}", ErrorCode::unknown_field, "/m"}};
  JsonLinesEvaluator runner(ev, o);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    const std::string_view line = c.line;
    std::size_t calls = 0;
    runner.run(std::span<const std::string_view>(&line, 1), [&](const RowResult& r) {
      ++calls;
      EXPECT_TRUE(r.rejected);
      EXPECT_EQ(r.status, Status::error);
      ASSERT_FALSE(r.errors.empty());
      EXPECT_EQ(r.errors[0].code(), c.code);
      EXPECT_EQ(r.errors[0].pointer(), c.pointer);
    });
    EXPECT_EQ(calls, 1u);
  }
}

// A sink that throws stops the run; the next run starts clean and never hands back rows of the
// block that was under way.
// The shipped sample of persons (many incomplete, with questions): the block path works out
// each incomplete row's questions itself, and each line is still the per-record path's, byte for
// byte, missing inputs and their order included.
TEST(JsonLinesEvaluatorTest, IncompleteRowsGetTheRecordPathsQuestions) {
  const std::filesystem::path root(AIG_SOURCE_DIR);
  const Evaluator ev(Pack::load_file((root / "rules/orientation/fr-2025").string()));
  std::ifstream in(root / "examples/data/persons-1000.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    // person_id is not an input: take it off, as `aiguillage orient` does.
    const auto at = line.find("\"person_id\"");
    if (at != std::string::npos) line.erase(at, line.find(',', at) + 1 - at);
    lines.push_back(line);
  }
  ASSERT_GE(lines.size(), 1000u);
  EvalOptions o;
  o.reference_date = Date::parse("2025-03-01");
  o.trace = false;
  std::vector<std::string_view> views(lines.begin(), lines.end());
  JsonLinesEvaluator runner(ev, o);
  std::size_t with_questions = 0, k = 0;
  runner.run(views, [&](const RowResult& r) {
    ASSERT_EQ(r.row, k);
    std::string block;
    ev.append_result_json(block, r);
    bool rejected = false;
    EXPECT_EQ(block, record_line(ev, lines[k], o, rejected)) << lines[k];
    with_questions += !r.missing.empty();
    ++k;
  });
  EXPECT_EQ(k, lines.size());
  EXPECT_EQ(runner.record_lines(), 0u);
  EXPECT_GT(with_questions, lines.size() / 10);
}

// A birth date is bounded by the pack, not by the calendar: fr-2025 refuses one after the
// reference date (naissance-avant-reference) or giving an age outside 14..100 (age-plausible),
// with input_constraint (-216) and the pointer /birth_date, on the block path as on the record
// path. 9999-12-31 is the last date the calendar holds: accepted as a date, refused as a birth.
TEST(JsonLinesEvaluatorTest, ImplausibleBirthDatesAreRefusedWithAPinnedCode) {
  const std::filesystem::path dir =
      std::filesystem::path(AIG_SOURCE_DIR) / "rules/orientation/fr-2025";
  const Evaluator ev(Pack::load_file(dir.string()));
  const std::string person = R"("rsa_beneficiary":false,"boe_status":"none","in_employment":false,)"
                             R"("months_since_last_activity":6,"qualification_level":"bac",)"
                             R"("has_certified_qualification":true,"aspiration":"rapid_return")";
  EvalOptions o;
  o.reference_date = Date::parse("2025-03-01");
  o.trace = false;
  const std::vector<std::string> lines = {
      "{\"birth_date\":\"9999-12-31\"," + person + "}",
      "{\"birth_date\":\"2025-03-02\"," + person + "}",
      "{\"birth_date\":\"0001-01-01\"," + person + "}",
      "{\"birth_date\":\"2015-01-01\"," + person + "}",  // 10 years old
      "{\"birth_date\":\"9999-12-31\",\"reference_date\":\"9999-12-31\"," + person + "}",
      "{\"birth_date\":\"1987-03-17\"," + person + "}",  // plausible: evaluated
  };
  std::vector<std::string_view> views(lines.begin(), lines.end());
  JsonLinesEvaluator runner(ev, o);
  std::vector<std::string> codes;
  runner.run(views, [&](const RowResult& r) {
    std::string text;
    for (const Error& e : r.errors)
      text += std::to_string(static_cast<int>(e.code())) + e.pointer() + " ";
    codes.push_back(text);
  });
  ASSERT_EQ(codes.size(), lines.size());
  for (std::size_t k = 0; k + 1 < lines.size(); ++k) {
    EXPECT_NE(codes[k].find("-216/birth_date"), std::string::npos) << lines[k] << ": " << codes[k];
    bool rejected = false;
    const std::string record = record_line(ev, lines[k], o, rejected);
    EXPECT_TRUE(rejected) << record;
    EXPECT_NE(record.find("\"name\":\"input_constraint\""), std::string::npos) << record;
  }
  EXPECT_EQ(codes.back(), "");
  EXPECT_EQ(static_cast<int>(ErrorCode::input_constraint), -216);
}

TEST(JsonLinesEvaluatorTest, ASinkThatThrowsLeavesNothingBehind) {
  TableSpec t;
  t.columns = {"n"};
  t.outputs = {{"o", "integer"}};
  t.rules = {{{"< 5"}, {"1"}}, {{"-"}, {"2"}}};
  const Pack pack =
      Pack::load(pack_json({R"({"name":"n","type":"integer","min":0,"max":9})"}, {table_json(t)}));
  const Evaluator ev(pack);
  EvalOptions o;
  o.reference_date = Date::parse("2025-06-01");
  JsonLinesEvaluator runner(ev, o);
  const std::vector<std::string_view> first(10, "{\"n\":1}");
  std::size_t seen = 0;
  EXPECT_THROW(runner.run(first,
                          [&](const RowResult&) {
                            if (++seen == 3) throw std::runtime_error("stop");
                          }),
               std::runtime_error);
  const std::vector<std::string_view> second = {"{\"n\":7}", "{\"n\":2}"};
  std::vector<std::string> got;
  runner.run(second, [&](const RowResult& r) {
    got.emplace_back();
    ev.append_result_json(got.back(), r);
    EXPECT_EQ(r.row, got.size() - 1);
  });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].find("\"o\":2"), std::string::npos) << got[0];
  EXPECT_NE(got[1].find("\"o\":1"), std::string::npos) << got[1];
}

}  // namespace
}  // namespace aiguillage
