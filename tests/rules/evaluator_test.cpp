#include "aiguillage/rules/evaluator.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "support/pack_builder.hpp"
#include "support/random_record.hpp"

namespace aiguillage {
namespace {

using test::pack_json;
using test::quote;
using test::random_record;
using test::table_json;
using test::TableSpec;

// Random tables over every column kind, with structured and general cells, compared with a
// naive reference that evaluates every cell of every rule on its own (three-valued).
struct ColumnKind {
  std::string input;  // declaration
  std::string name;
};

const std::vector<ColumnKind> kKinds = {
    {R"({"name":"w","type":"integer"})", "w"},                    // unbounded: batch keys by search
    {R"({"name":"n","type":"integer","min":-5,"max":20})", "n"},  // bounded: batch keys by table
    {R"({"name":"d","type":"decimal"})", "d"},
    {R"({"name":"e","type":"enum","values":["a","b","c","d"]})", "e"},
    {R"({"name":"s","type":"string"})", "s"},
    {R"({"name":"b","type":"bool"})", "b"},
    {R"({"name":"t","type":"date"})", "t"},
};

std::string random_cell(std::mt19937& rng, const std::string& kind) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto num = [&]() { return std::to_string(pick(12) - 2); };
  auto dec = [&]() { return std::to_string(pick(12) - 2) + (pick(2) ? ".5" : ""); };
  auto day = [&]() {
    return "date(\"2025-01-" + std::string(pick(2) ? "1" : "0") + std::to_string(1 + pick(9)) +
           "\")";
  };
  int r = pick(14);
  if (r == 0) return "-";
  if (r == 1) return "";
  if (r == 2) return "null";
  if (kind == "n" || kind == "w" || kind == "d" || kind == "t") {
    auto v = [&]() { return kind == "n" || kind == "w" ? num() : (kind == "d" ? dec() : day()); };
    switch (r % 10) {
      case 3:
        return "< " + v();
      case 4:
        return ">= " + v();
      case 5:
        return "[" + v() + ".." + v() + "]";
      case 6:
        return "(" + v() + ".." + v() + "]";
      case 7:
        return "]" + v() + ".." + v() + "[";
      case 8:
        return v() + ", " + v();
      case 9:
        return "not(" + v() + ")";
      case 0:
        return "!= " + v();
      case 1:
        return "$ > " + v() + " and $ <= " + v();  // general expression
      default:
        return "<= " + v();
    }
  }
  if (kind == "e") {
    const char* vals[] = {"\"a\"", "\"b\"", "\"c\"", "\"d\""};
    switch (r % 5) {
      case 0:
        return vals[pick(4)];
      case 1:
        return std::string(vals[pick(4)]) + "," + vals[pick(4)];
      case 2:
        return std::string("not(") + vals[pick(4)] + ")";
      case 3:
        return std::string("$ = ") + vals[pick(4)] + " or $ = " + vals[pick(4)];
      default:
        return std::string("not(") + vals[pick(4)] + "," + vals[pick(4)] + ")";
    }
  }
  if (kind == "s") {
    const char* vals[] = {"\"x\"", "\"y\"", "\"xz\"", "\"\""};
    switch (r % 4) {
      case 0:
        return vals[pick(4)];
      case 1:
        return std::string(vals[pick(4)]) + "," + vals[pick(4)];
      case 2:
        return std::string("not(") + vals[pick(4)] + ")";
      default:
        return "starts_with($, \"x\")";
    }
  }
  switch (r % 3) {  // bool
    case 0:
      return "true";
    case 1:
      return "false";
    default:
      return "not(true)";
  }
}

std::string random_value(std::mt19937& rng, const std::string& kind) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  if (pick(8) == 0) return "null";
  if (kind == "n") return std::to_string(pick(14) - 3);
  if (kind == "w")
    return std::to_string(pick(3) ? pick(14) - 3 : static_cast<int>(rng() % 2000000) - 1000000);
  if (kind == "d") return std::to_string(pick(14) - 3) + (pick(2) ? ".5" : "");
  if (kind == "e") return std::string("\"") + "abcd"[pick(4)] + "\"";
  if (kind == "s") {
    const char* vals[] = {"\"x\"", "\"y\"", "\"xz\"", "\"\"", "\"w\""};
    return vals[pick(5)];
  }
  if (kind == "t")
    return "\"2025-01-" + std::string(pick(2) ? "1" : "0") + std::to_string(1 + pick(9)) + "\"";
  return pick(2) ? "true" : "false";
}

TEST(EvaluatorPropertyTest, CompiledMasksEqualNaiveCellByCellEvaluation) {
  std::mt19937 rng(20251127);
  std::size_t cases = 0;
  for (int table = 0; table < 250; ++table) {
    std::size_t n_cols = 1 + rng() % 4;
    std::vector<std::string> inputs, kinds;
    TableSpec t;
    t.outputs = {{"o", "integer"}};
    std::vector<int> used(kKinds.size(), 0);
    for (std::size_t c = 0; c < n_cols; ++c) {
      std::size_t k = rng() % kKinds.size();
      kinds.push_back(kKinds[k].name);
      t.columns.push_back(kKinds[k].name);
      if (!used[k]++) inputs.push_back(kKinds[k].input);
    }
    std::size_t n_rules = 1 + rng() % 70;  // up to two mask words
    for (std::size_t r = 0; r < n_rules; ++r) {
      std::vector<std::string> cells;
      for (std::size_t c = 0; c < n_cols; ++c) cells.push_back(random_cell(rng, kinds[c]));
      t.rules.push_back({cells, {std::to_string(r)}});
    }
    Pack pack;
    try {
      pack = Pack::load(pack_json(inputs, {table_json(t)}));
    } catch (const Error& e) {
      FAIL() << e.describe() << "\n" << table_json(t);
    }
    Evaluator ev(pack);
    const Decision& d = pack.decisions()[0];
    for (int rec = 0; rec < 400; ++rec) {
      std::string json = "{";
      std::vector<int> seen(kKinds.size(), 0);
      for (std::size_t c = 0; c < n_cols; ++c) {
        if (seen[static_cast<std::size_t>(
                std::find_if(kKinds.begin(), kKinds.end(),
                             [&](auto& k) { return k.name == kinds[c]; }) -
                kKinds.begin())]++)
          continue;
        json += std::string(json.size() > 1 ? "," : "") + quote(kinds[c]) + ":" +
                random_value(rng, kinds[c]);
      }
      json += "}";
      Evaluation e;
      EvalOptions o;
      o.reference_date = Date::parse("2025-06-01");
      ASSERT_TRUE(ev.evaluate_json(json, e, o)) << json << " " << e.errors[0].describe();
      // Naive reference: every cell evaluated with $ bound to its column value.
      EvalContext ctx{e.frame.data(), Value::null(), &e.arena};
      std::vector<int> matched, undecided;
      for (std::size_t r = 0; r < n_rules; ++r) {
        bool all_true = true, any_false = false;
        for (std::size_t c = 0; c < n_cols; ++c) {
          ctx.dollar = e.frame[static_cast<std::size_t>(pack.slot_of(kinds[c]))];
          Value v = d.rules[r].when[c].evaluate(ctx);
          bool is_true = v.type() == Type::boolean && v.as_bool();
          bool is_false = v.type() == Type::boolean && !v.as_bool();
          all_true = all_true && is_true;
          any_false = any_false || is_false;
        }
        if (all_true)
          matched.push_back(static_cast<int>(r));
        else if (!any_false)
          undecided.push_back(static_cast<int>(r));
      }
      auto verdicts = rule_verdicts(pack, e, 0);
      std::vector<int> got_matched, got_undecided;
      for (std::size_t r = 0; r < n_rules; ++r) {
        if (verdicts[r].state == RuleVerdict::State::fired ||
            verdicts[r].state == RuleVerdict::State::matched)
          got_matched.push_back(static_cast<int>(r));
        if (verdicts[r].state == RuleVerdict::State::undecided)
          got_undecided.push_back(static_cast<int>(r));
      }
      ASSERT_EQ(got_matched, matched) << table_json(t) << "\n" << json;
      ASSERT_EQ(got_undecided, undecided) << table_json(t) << "\n" << json;
      // FIRST: the first match fires; undecided rules before it leave the result open.
      int first = matched.empty() ? -1 : matched[0];
      EXPECT_EQ(e.decisions[0].fired.empty() ? -1 : e.decisions[0].fired[0], first);
      bool open = !undecided.empty() && (first < 0 || undecided[0] < first);
      EXPECT_EQ(e.status, open ? Status::incomplete : Status::complete) << json;
      ++cases;
    }
  }
  EXPECT_GE(cases, 100000u);
}

TEST(EvaluatorTest, BatchFastPathAgreesWithRecordEvaluation) {
  std::mt19937 rng(7);
  TableSpec t;
  t.columns = {"n", "w", "d", "e", "b", "t"};
  t.outputs = {{"o", "integer"}};
  const std::vector<std::string> kinds = {"n", "w", "d", "e", "b", "t"};
  for (int r = 0; r < 90; ++r) {
    std::vector<std::string> cells;
    for (const auto& k : kinds) {
      std::string c;
      do c = random_cell(rng, k);
      while (c.find('$') != std::string::npos);
      cells.push_back(c);
    }
    t.rules.push_back({cells, {std::to_string(r)}});
  }
  std::vector<std::string> inputs;
  for (const auto& k : kKinds)
    if (k.name != "s") inputs.push_back(k.input);
  Pack pack = Pack::load(pack_json(inputs, {table_json(t)}));
  Evaluator ev(pack);
  const std::size_t rows = 3000;
  Batch batch(pack.inputs(), rows);
  std::vector<std::string> jsons(rows);
  for (std::size_t row = 0; row < rows; ++row) {
    std::string json = "{";
    for (const auto& k : kinds)
      json += std::string(json.size() > 1 ? "," : "") + quote(k) + ":" + random_value(rng, k);
    json += "}";
    jsons[row] = json;
    Record rec;
    ASSERT_TRUE(pack.inputs().parse_record(json, rec).empty());
    batch.set_row(row, rec);
  }
  EvalOptions o;
  o.reference_date = Date::parse("2025-06-01");
  BatchResult result;
  ev.evaluate_batch(batch, result, o);
  for (std::size_t row = 0; row < rows; ++row) {
    Evaluation e;
    ev.evaluate_json(jsons[row], e, o);
    EXPECT_EQ(result.status[row], e.status) << jsons[row];
    EXPECT_EQ(result.first_hit[0][row], e.decisions[0].fired.empty() ? -1 : e.decisions[0].fired[0])
        << jsons[row];
    for (std::size_t c = 0; c < kinds.size(); ++c)
      EXPECT_EQ(result.keys[0][c * rows + row], e.decisions[0].trace.keys[c]);
  }
}

// Packs with variables, chained tables, COLLECT and expression decisions go through the block
// path; every row must come out exactly as the per-record path gives it.
TEST(EvaluatorTest, BatchBlocksAgreeWithRecordEvaluationOnShippedPacks) {
  const std::filesystem::path rules = std::filesystem::path(AIG_SOURCE_DIR) / "rules";
  for (const char* name : {"orientation/fr-2025", "eligibility/iae", "examples/youth-guidance"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(std::filesystem::exists(rules / name)) << "shipped pack missing";
    Pack pack = Pack::load_file((rules / name).string());
    Evaluator ev(pack);
    std::mt19937 rng(11);
    const Date reference{pack.valid_from().days + 45};
    const std::size_t rows = 4000;
    Batch batch(pack.inputs(), rows);
    std::vector<std::string> jsons;
    for (std::size_t row = 0; row < rows; ++row) {
      std::string json;
      Record rec;
      // A value that means "to be asked" makes a record incomplete: keep one record in eight
      // that holds one, so that complete rows remain common.
      auto asks = [&](const Record& r) {
        for (std::size_t f = 0; f < r.values.size(); ++f)
          if (pack.is_ask_value(static_cast<int>(f), r.values[f])) return true;
        return false;
      };
      // Likewise for records an input constraint rejects (a registration before the age of 14).
      auto rejected = [&](const std::string& text) {
        Evaluation probe;
        EvalOptions po;
        po.reference_date = reference;
        return !ev.evaluate_json(text, probe, po);
      };
      do json = random_record(rng, pack.inputs(), reference);
      while (!pack.inputs().parse_record(json, rec).empty() ||
             ((asks(rec) || rejected(json)) && rng() % 8 != 0));
      jsons.push_back(json);
      batch.set_row(row, rec);
    }
    EvalOptions o;
    o.reference_date = reference;
    o.trace = true;
    BatchResult result;
    ev.evaluate_batch(batch, result, o);
    std::size_t complete = 0, evaluated = 0, errors = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      Evaluation e;
      ev.evaluate_json(jsons[row], e, o);
      ASSERT_EQ(result.status[row], e.status) << jsons[row];
      complete += e.status == Status::complete;
      evaluated += e.status != Status::error;
      errors += e.errors.size();
      for (std::size_t k = 0; k < pack.decisions().size(); ++k) {
        if (e.decisions.empty()) continue;
        const DecisionOutcome& d = e.decisions[k];
        ASSERT_EQ(result.first_hit[k][row], d.fired.empty() ? -1 : d.fired[0]) << jsons[row];
        if (!d.evaluated) continue;
        for (std::size_t c = 0; c < d.trace.keys.size(); ++c)
          ASSERT_EQ(result.keys[k][c * rows + row], d.trace.keys[c]) << jsons[row];
      }
    }
    EXPECT_EQ(result.errors.size(), errors);
    // A real mix, not only rows left to the per-record path: evaluated rows (complete, or
    // incomplete for want of an input or by a value to be asked) and some complete ones.
    EXPECT_GT(evaluated, rows / 2);
    EXPECT_GT(complete, 0u);
  }
}

// Tables with general cells ("$ > 3 and $ <= 7", starts_with) and more than 64 rules take the
// block path a word of rules at a time; every hit, key and status must equal the per-record
// path's.
TEST(EvaluatorTest, BatchBlocksOnLargeTablesWithGeneralCellsAgree) {
  std::mt19937 rng(19);
  for (const std::string policy : {"FIRST", "COLLECT"}) {
    TableSpec t;
    t.hit_policy = policy;
    t.columns = {"n", "w", "d", "e", "s", "b", "t"};
    t.outputs = {{"o", "integer"}};
    const std::vector<std::string> kinds = {"n", "w", "d", "e", "s", "b", "t"};
    for (int r = 0; r < 150; ++r) {
      std::vector<std::string> cells;
      // The first rules constrain every column, so that many rows reach the later words.
      for (const auto& k : kinds)
        cells.push_back(r >= 100 && rng() % 3 ? "-" : random_cell(rng, k));
      t.rules.push_back({cells, {std::to_string(r)}});
    }
    std::vector<std::string> inputs;
    for (const auto& k : kKinds) inputs.push_back(k.input);
    Pack pack = Pack::load(pack_json(inputs, {table_json(t)}));
    Evaluator ev(pack);
    const std::size_t rows = 2000;
    Batch batch(pack.inputs(), rows);
    std::vector<std::string> jsons(rows);
    for (std::size_t row = 0; row < rows; ++row) {
      std::string json = "{";
      for (const auto& k : kinds)
        json += std::string(json.size() > 1 ? "," : "") + quote(k) + ":" + random_value(rng, k);
      json += "}";
      jsons[row] = json;
      Record rec;
      ASSERT_TRUE(pack.inputs().parse_record(json, rec).empty());
      batch.set_row(row, rec);
    }
    EvalOptions o;
    o.reference_date = Date::parse("2025-06-01");
    o.trace = true;
    BatchResult result;
    ev.evaluate_batch(batch, result, o);
    std::size_t hits = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      Evaluation e;
      ev.evaluate_json(jsons[row], e, o);
      ASSERT_EQ(result.status[row], e.status) << policy << " " << jsons[row];
      const int expected = e.decisions[0].fired.empty() ? -1 : e.decisions[0].fired[0];
      ASSERT_EQ(result.first_hit[0][row], expected) << policy << " " << jsons[row];
      hits += expected >= 64;
      for (std::size_t c = 0; c < kinds.size(); ++c)
        ASSERT_EQ(result.keys[0][c * rows + row], e.decisions[0].trace.keys[c]);
    }
    EXPECT_GT(hits, 0u) << "no row reached the second word of rules";
  }
}

// Rows whose rules stay undecided, whose expression decisions wait on a missing input, or whose
// tables read the outputs of an incomplete table are settled in the block path by the same
// reasoning as the per-record path; so are or/and over name = "literal", numbers whose keys
// share a slot of the key table (multiples of 64, integers and decimals of equal units) and
// function calls repeated on consecutive rows (every row is written twice).
TEST(EvaluatorTest, BatchBlocksSettleUndecidedRowsAsTheRecordPathDoes) {
  const std::vector<std::string> inputs = {
      R"({"name":"e","type":"enum","values":["a","b","c","d"]})",
      R"({"name":"f","type":"enum","values":["a","b","c","d"]})",
      R"({"name":"n","type":"integer","min":-3,"max":12})",
      R"({"name":"d","type":"decimal"})",
      R"({"name":"t","type":"date"})",
      R"({"name":"b","type":"bool"})",
  };
  const std::string variables = R"json([
    {"name":"v_or","expression":"e = \"a\" or f != \"b\" or e = \"d\""},
    {"name":"v_and","expression":"e != \"c\" and f = \"d\""},
    {"name":"v_num","expression":"n * 64"},
    {"name":"v_units","expression":"d * 1000000"},
    {"name":"v_day","expression":"add_days(t, 3)"}])json";
  TableSpec first;
  first.id = "first";
  first.columns = {"v_or", "v_num", "v_units", "v_and", "v_day"};
  first.outputs = {{"o", "enum"}};
  first.output_values = {"x", "y", "z"};
  first.rules = {
      {{"true", "< 128", "-", "-", "-"}, {"\"x\""}},
      {{"-", "[128..512]", "> 2500000", "false", "-"}, {"\"y\""}},
      {{"false", "-", "-", "-", "< date(\"2025-01-12\")"}, {"\"z\""}},
      {{"-", "> 512", "-", "true", "-"}, {"\"y\""}},
      {{"-", "-", "-", "-", "-"}, {"\"z\""}},
  };
  TableSpec collect;
  collect.id = "collect";
  collect.hit_policy = "COLLECT";
  collect.columns = {"o", "v_num", "b"};
  collect.outputs = {{"c", "integer"}};
  collect.rules = {
      {{"\"x\"", "-", "-"}, {"1"}},
      {{"\"y\", \"z\"", "< 256", "true"}, {"2"}},
      {{"-", ">= 0", "false"}, {"3"}},
  };
  const std::string deadline =
      R"({"id":"deadline","kind":"expression","expression":"if b then add_days(t, 42) else null",)"
      R"("output":{"name":"due","type":"date"},"source":"S","status":"verified"})";
  Pack pack =
      Pack::load(pack_json(inputs, {table_json(first), table_json(collect), deadline}, variables));
  Evaluator ev(pack);
  std::mt19937 rng(23);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::size_t rows = 3000;
  Batch batch(pack.inputs(), rows);
  std::vector<std::string> jsons(rows);
  for (std::size_t row = 0; row < rows; row += 2) {
    std::string json = "{";
    auto field = [&](const std::string& name, const std::string& value) {
      if (pick(5) == 0) return;  // missing
      json += std::string(json.size() > 1 ? "," : "") + quote(name) + ":" + value;
    };
    field("e", std::string("\"") + "abcd"[pick(4)] + "\"");
    field("f", std::string("\"") + "abcd"[pick(4)] + "\"");
    field("n", std::to_string(pick(16) - 3));
    field("d", std::to_string(pick(6)) + (pick(2) ? ".5" : ""));
    field("t",
          "\"2025-01-" + std::string(pick(2) ? "1" : "0") + std::to_string(1 + pick(9)) + "\"");
    field("b", pick(2) ? "true" : "false");
    json += "}";
    Record rec;
    ASSERT_TRUE(pack.inputs().parse_record(json, rec).empty()) << json;
    jsons[row] = jsons[row + 1] = json;
    batch.set_row(row, rec);
    batch.set_row(row + 1, rec);
  }
  EvalOptions o;
  o.reference_date = Date::parse("2025-06-01");
  o.trace = true;
  BatchResult result;
  ev.evaluate_batch(batch, result, o);
  std::size_t counts[3] = {0, 0, 0};
  for (std::size_t row = 0; row < rows; ++row) {
    Evaluation e;
    ev.evaluate_json(jsons[row], e, o);
    ASSERT_EQ(result.status[row], e.status) << jsons[row];
    ++counts[static_cast<int>(e.status)];
    for (std::size_t k = 0; k < pack.decisions().size(); ++k) {
      const DecisionOutcome& d = e.decisions[k];
      ASSERT_EQ(result.first_hit[k][row], d.fired.empty() ? -1 : d.fired[0]) << jsons[row];
      for (std::size_t c = 0; c < d.trace.keys.size(); ++c)
        ASSERT_EQ(result.keys[k][c * rows + row], d.trace.keys[c]) << jsons[row];
    }
  }
  // Both kinds of rows, in numbers: the comparison is not vacuous.
  EXPECT_GT(counts[0], rows / 10);
  EXPECT_GT(counts[1], rows / 10);
}

TEST(EvaluatorTest, ReferenceDateIsAnInputNeverTheClock) {
  Pack pack = Pack::load(pack_json(
      {R"({"name":"birth_date","type":"date"})"},
      {R"J({"id":"age","kind":"expression","expression":"years_between(birth_date, reference_date)","output":{"name":"age","type":"integer"},"source":"S","status":"verified"})J"}));
  Evaluator ev(pack);
  Evaluation e;
  EXPECT_FALSE(ev.evaluate_json(R"({"birth_date":"2000-06-01"})", e) && e.status != Status::error);
  EXPECT_EQ(e.errors.at(0).code(), ErrorCode::missing_reference_date);
  ASSERT_TRUE(ev.evaluate_json(R"({"birth_date":"2000-06-01","reference_date":"2025-06-01"})", e));
  EXPECT_EQ(e.frame[static_cast<std::size_t>(pack.slot_of("age"))].to_json(), "25");
  EvalOptions o;
  o.reference_date = Date::parse("2025-05-31");
  ASSERT_TRUE(ev.evaluate_json(R"({"birth_date":"2000-06-01"})", e, o));
  EXPECT_EQ(e.frame[static_cast<std::size_t>(pack.slot_of("age"))].to_json(), "24");
}

TEST(EvaluatorTest, PackOutsideItsValidityIsRefused) {
  Pack pack = Pack::load(pack_json(
      {R"({"name":"x","type":"integer"})"},
      {R"J({"id":"y","kind":"expression","expression":"x + 1","output":{"name":"y","type":"integer"},"source":"S","status":"verified"})J"},
      "[]", "\"valid_to\":\"2024-12-31\","));
  Evaluator ev(pack);
  Evaluation e;
  EvalOptions o;
  o.reference_date = Date::parse("2025-01-01");
  ev.evaluate_json(R"({"x":1})", e, o);
  EXPECT_EQ(e.status, Status::error);
  EXPECT_EQ(e.errors.at(0).code(), ErrorCode::no_valid_version);
}

TEST(EvaluatorTest, BadRecordsGetCodesAndPointers) {
  Pack pack = Pack::load(pack_json(
      {R"({"name":"age","type":"integer","min":0,"max":130,"required":true})",
       R"({"name":"benefit","type":"enum","values":["RSA","ASS"]})"},
      {R"J({"id":"y","kind":"expression","expression":"age + 1","output":{"name":"y","type":"integer"},"source":"S","status":"verified"})J"}));
  Evaluator ev(pack);
  Evaluation e;
  EvalOptions o;
  o.reference_date = Date::parse("2025-01-01");
  struct Case {
    const char* json;
    ErrorCode code;
    const char* pointer;
  } cases[] = {
      {R"({"age": "x"})", ErrorCode::type_mismatch, "/age"},
      {R"({"age": 200})", ErrorCode::out_of_bounds, "/age"},
      {R"({"age": 20, "benefit": "RSAA"})", ErrorCode::enum_value, "/benefit"},
      {R"({"benefit": "RSA"})", ErrorCode::required_missing, "/age"},
      {R"({"age": 20, "other": 1})", ErrorCode::unknown_field, "/other"},
      {R"({"age": 20,)", ErrorCode::json_syntax, ""},
      {R"([1,2])", ErrorCode::type_mismatch, ""},
      {R"({"age": 2.5})", ErrorCode::type_mismatch, "/age"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(ev.evaluate_json(c.json, e, o)) << c.json;
    ASSERT_FALSE(e.errors.empty()) << c.json;
    EXPECT_EQ(e.errors[0].code(), c.code) << c.json << " " << e.errors[0].describe();
    EXPECT_EQ(e.errors[0].pointer(), c.pointer) << c.json;
  }
  o.unknown_fields = UnknownFields::ignore;
  EXPECT_TRUE(ev.evaluate_json(R"({"age": 20, "other": {"deep": [1]}})", e, o));
}

TEST(EvaluatorTest, ConstraintsRejectContradictoryRecords) {
  std::string json = pack_json(
      {R"({"name":"senior","type":"bool"})", R"({"name":"young","type":"bool"})"},
      {R"J({"id":"n","kind":"expression","expression":"if senior then 1 else 0","output":{"name":"n","type":"integer"},"source":"S","status":"verified"})J"},
      "[]",
      R"J("constraints":[{"id":"senior-young","expression":"not (senior and young)","message":"senior and young cannot both be true","source":"S","status":"verified"}],)J");
  Pack pack = Pack::load(json);
  Evaluator ev(pack);
  Evaluation e;
  EvalOptions o;
  o.reference_date = Date::parse("2025-01-01");
  EXPECT_FALSE(ev.evaluate_json(R"({"senior": true, "young": true})", e, o));
  ASSERT_EQ(e.errors.size(), 2u);  // one per input the constraint reads
  EXPECT_EQ(e.errors[0].code(), ErrorCode::input_constraint);
  EXPECT_EQ(e.errors[0].pointer(), "/senior");
  EXPECT_EQ(e.errors[1].pointer(), "/young");
  EXPECT_NE(e.errors[0].message().find("senior-young"), std::string::npos);
  EXPECT_TRUE(ev.evaluate_json(R"({"senior": true, "young": false})", e, o));
  EXPECT_TRUE(ev.evaluate_json(R"({"senior": true})", e, o));  // unknown passes
  EXPECT_EQ(e.status, Status::complete);
  EXPECT_THROW(Pack::load(pack_json(
                   {R"({"name":"senior","type":"bool"})"}, {}, "[]",
                   R"J("constraints":[{"id":"c","expression":"senior + 1","message":"m"}],)J")),
               Error);
}

// The fast batch path on tables of one word of rules (a pair of masks per key) and wider ones,
// FIRST and UNIQUE, two tables in a pack, over every column kind it reads: bounded and unbounded
// integers, decimals whose cut points crowd together (buckets holding one to four cut points,
// the last one past the bucket limit, hence the padded search), enums, booleans, strings, dates
// and the reference date (the options' date when missing); values missing now and then, and far
// outside every cut point.
TEST(EvaluatorTest, BatchFastPathAgreesOnEveryTableWidthAndColumnKind) {
  std::mt19937 rng(11);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> kinds = {"n", "w", "d", "x", "e", "b", "s", "t", "reference_date"};
  std::vector<std::string> inputs;
  for (const auto& k : kKinds) inputs.push_back(k.input);
  inputs.push_back(R"({"name":"x","type":"decimal"})");
  // Cut points of x in millionths: eight far apart, and 0 to 4 within a millionth of each other,
  // which share a bucket (one to four cut points; four is past the limit: the padded search).
  auto text = [](std::int64_t units) {
    const std::int64_t a = units < 0 ? -units : units;
    std::string frac = std::to_string(a % 1'000'000);
    return std::string(units < 0 ? "-" : "") + std::to_string(a / 1'000'000) + "." +
           std::string(6 - frac.size(), '0') + frac;
  };
  std::size_t tables = 0, counts[3] = {0, 0, 0};
  for (const std::size_t n_rules : {3, 47, 63, 64, 65, 130}) {
    for (const char* policy : {"FIRST", "UNIQUE"}) {
      std::vector<std::int64_t> points = {-1'000'000'000'000, -500'000'000'000, -200'000'000'000,
                                          -100'000'000'000,   100'000'000'000,  200'000'000'000,
                                          500'000'000'000,    1'000'000'000'000};
      for (std::size_t k = 0; k < tables % 5; ++k) points.push_back(static_cast<std::int64_t>(k));
      auto x_point = [&]() {
        return points[static_cast<std::size_t>(pick(static_cast<int>(points.size())))];
      };
      auto x_value = [&]() { return text(x_point()); };
      TableSpec t;
      t.hit_policy = policy;
      t.columns = kinds;
      t.outputs = {{"o", "integer"}};
      for (std::size_t r = 0; r < n_rules; ++r) {
        std::vector<std::string> cells;
        for (const auto& k : kinds) {
          std::string c;
          if (k == "x") {
            switch (pick(7)) {
              case 0:
                c = "-";
                break;
              case 1:
                c = "< " + x_value();
                break;
              case 2:
                c = ">= " + x_value();
                break;
              case 3:
                c = "[" + x_value() + ".." + x_value() + "]";
                break;
              case 4:
                c = x_value() + ", " + x_value();
                break;
              case 5:
                c = "not(" + x_value() + ")";
                break;
              default:
                c = "null";
                break;
            }
          } else {
            // Mostly "-" so that some rules match (and, under UNIQUE, sometimes one alone).
            do c = pick(3) ? "-" : random_cell(rng, k == "reference_date" ? "t" : k);
            while (c.find('$') != std::string::npos || c.find("starts_with") != std::string::npos);
          }
          cells.push_back(c);
        }
        t.rules.push_back({cells, {std::to_string(r)}});
      }
      TableSpec u;  // a second table: the status of a row is the worst of both
      u.id = "u";
      u.columns = {"n", "e"};
      u.outputs = {{"p", "integer"}};
      for (std::size_t r = 0; r < 4 + n_rules % 70; ++r)
        u.rules.push_back({{random_cell(rng, "n"), random_cell(rng, "e")}, {std::to_string(r)}});
      for (auto& rule : u.rules)
        for (auto& c : rule.first)
          if (c.find('$') != std::string::npos) c = "-";
      Pack pack = Pack::load(pack_json(inputs, {table_json(t), table_json(u)}));
      Evaluator ev(pack);
      const std::size_t rows = 1200;
      Batch batch(pack.inputs(), rows);
      std::vector<std::string> jsons(rows);
      for (std::size_t row = 0; row < rows; ++row) {
        std::string json = "{";
        for (const auto& k : kinds) {
          std::string v;
          if (k == "reference_date") {
            if (pick(3) == 0) continue;  // the options' date
            v = random_value(rng, "t");
            if (v == "null") continue;
          } else if (k == "x") {
            switch (pick(6)) {
              case 0:
                v = "null";
                break;
              case 1:
                v = text((pick(4'000'000) - 2'000'000) * std::int64_t{1'000'000} + 250'000);
                break;
              case 2:
                v = text(x_point() + pick(3) - 1);
                break;
              case 3:
                v = text(x_point() + (pick(2) ? 500'000 : -500'000));
                break;
              default:
                v = x_value();
                break;
            }
          } else {
            v = random_value(rng, k);
          }
          json += std::string(json.size() > 1 ? "," : "") + quote(k) + ":" + v;
        }
        json += "}";
        jsons[row] = json;
        Record rec;
        ASSERT_TRUE(pack.inputs().parse_record(json, rec).empty()) << json;
        batch.set_row(row, rec);
      }
      EvalOptions o;
      o.reference_date = Date::parse("2025-01-08");
      for (const bool trace : {true, false}) {
        o.trace = trace;
        BatchResult result;
        ev.evaluate_batch(batch, result, o);
        for (std::size_t row = 0; row < rows; ++row) {
          Evaluation e;
          ev.evaluate_json(jsons[row], e, o);
          ASSERT_EQ(result.status[row], e.status) << policy << " " << n_rules << " " << jsons[row];
          if (trace) ++counts[static_cast<int>(e.status)];
          for (std::size_t k = 0; k < 2; ++k) {
            const DecisionOutcome& d = e.decisions[k];
            if (d.status != Status::error) {
              ASSERT_EQ(result.first_hit[k][row], d.fired.empty() ? -1 : d.fired[0])
                  << policy << " " << n_rules << " " << jsons[row];
            }
            if (!trace) continue;
            for (std::size_t c = 0; c < d.trace.keys.size(); ++c)
              ASSERT_EQ(result.keys[k][c * rows + row], d.trace.keys[c]) << jsons[row];
          }
        }
      }
      ++tables;
    }
  }
  // Every status, in numbers: the comparison is not vacuous.
  EXPECT_GT(counts[0], 500u);
  EXPECT_GT(counts[1], 500u);
  EXPECT_GT(counts[2], 100u);
}

// Tables of thousands of rules (more than 64 words of rules) made of runs of copied rules, as
// GoRules' 8k test table is, with general cells and missing inputs: the block path skips the
// words no column can match and, under FIRST, the words after the first match. Every row's
// status, hits, keys and outputs must equal the per-record path's.
TEST(EvaluatorTest, BatchBlocksOnTablesOfManyWordsAgreeRowByRow) {
  std::mt19937 rng(31);
  const std::vector<std::string> kinds = {"n", "w", "d", "e", "s", "b", "t"};
  for (const std::string policy : {"FIRST", "COLLECT", "RULE ORDER"}) {
    SCOPED_TRACE(policy);
    TableSpec t;
    t.hit_policy = policy;
    t.columns = kinds;
    t.outputs = {{"o", "integer"}};
    // Runs of 37 to 300 copies of one random rule (runs and words do not line up), general
    // cells in some of them, then a few random rules and, under FIRST, a catch-all.
    const int n_rules = 4600;
    std::vector<std::string> cells;
    int run_left = 0;
    for (int r = 0; r < n_rules; ++r) {
      if (run_left == 0) {
        run_left = 37 + static_cast<int>(rng() % 264);
        cells.clear();
        for (const auto& k : kinds) cells.push_back(random_cell(rng, k));
        if (rng() % 2) cells[4] = "starts_with($, \"x\")";
        if (rng() % 3 == 0) cells[0] = "$ > 1 and $ <= 7";
      }
      --run_left;
      std::vector<std::string> rule = cells;
      if (r >= n_rules - 40)
        for (std::size_t c = 0; c < kinds.size(); ++c) rule[c] = random_cell(rng, kinds[c]);
      const std::string out = policy == "FIRST" ? std::to_string(r) : std::to_string(r % 7);
      t.rules.push_back({rule, {out}});
    }
    if (policy == "FIRST") t.rules.push_back({std::vector<std::string>(kinds.size(), "-"), {"-1"}});
    std::vector<std::string> inputs;
    for (const auto& k : kKinds) inputs.push_back(k.input);
    Pack pack = Pack::load(pack_json(inputs, {table_json(t)}));
    ASSERT_GT(pack.decisions()[0].compiled->words(), 64u);
    Evaluator ev(pack);
    const std::size_t rows = policy == "FIRST" ? 3000 : 600;
    Batch batch(pack.inputs(), rows);
    std::vector<std::string> jsons(rows);
    for (std::size_t row = 0; row < rows; ++row) {
      std::string json = "{";
      for (const auto& k : kinds)
        json += std::string(json.size() > 1 ? "," : "") + quote(k) + ":" + random_value(rng, k);
      json += "}";
      jsons[row] = json;
      Record rec;
      ASSERT_TRUE(pack.inputs().parse_record(json, rec).empty());
      batch.set_row(row, rec);
    }
    EvalOptions o;
    o.reference_date = Date::parse("2025-06-01");
    o.trace = true;
    BatchResult result;
    const auto slot = static_cast<std::size_t>(pack.decisions()[0].outputs[0].slot);
    std::vector<std::string> output_text(rows);
    std::size_t errors = 0;
    ev.evaluate_batch(
        batch, result, o, 0, rows,
        [&](std::size_t row, Status, const Value* frame, const std::vector<Error>& e) {
          output_text[row] = frame ? frame[slot].to_json() : "rejected";
          errors += e.size();
        });
    std::size_t late_hits = 0, counts[3] = {0, 0, 0};
    for (std::size_t row = 0; row < rows; ++row) {
      Evaluation e;
      ev.evaluate_json(jsons[row], e, o);
      ASSERT_EQ(result.status[row], e.status) << jsons[row];
      ++counts[static_cast<int>(e.status)];
      errors -= std::min(errors, e.errors.size());
      const DecisionOutcome& d = e.decisions[0];
      const int expected = d.fired.empty() ? -1 : d.fired[0];
      ASSERT_EQ(result.first_hit[0][row], expected) << jsons[row];
      late_hits += expected >= 64 * 64;
      for (std::size_t c = 0; c < kinds.size(); ++c)
        ASSERT_EQ(result.keys[0][c * rows + row], d.trace.keys[c]) << jsons[row];
      ASSERT_EQ(output_text[row], e.frame[slot].to_json()) << jsons[row];
    }
    EXPECT_EQ(errors, 0u);
    // Not vacuous: rows hit far into the table, and rows end both complete and incomplete.
    EXPECT_GT(late_hits, rows / 50);
    EXPECT_GT(counts[static_cast<int>(Status::complete)], rows / 20);
    EXPECT_GT(counts[static_cast<int>(Status::incomplete)], rows / 20);
  }
}

}  // namespace
}  // namespace aiguillage
