// The sparse layout of a table's masks against the dense one: the same pack loaded twice, once
// with every column of more than one word forced sparse, must give the same masks, results,
// traces, verdicts, explanations and static findings; and the masks of both must agree with
// the cells themselves, evaluated on a value of each region.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/analysis.hpp"
#include "aiguillage/rules/decision_table.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/explain.hpp"
#include "aiguillage/rules/pack.hpp"
#include "support/pack_builder.hpp"

namespace aiguillage {
namespace {

using test::pack_json;
using test::table_json;
using test::TableSpec;

const std::vector<std::string> kInputs = {
    R"({"name":"age","type":"integer","min":0,"max":130})",
    R"({"name":"income","type":"decimal"})",
    R"({"name":"benefit","type":"enum","values":["RSA","ASS","ARE","none"]})",
    R"({"name":"city","type":"string"})",
    R"({"name":"flag","type":"boolean"})",
    R"({"name":"since","type":"date"})",
    R"({"name":"score","type":"integer"})"};

const std::vector<std::string> kPolicies = {
    "FIRST",   "UNIQUE",      "ANY",         "PRIORITY",    "OUTPUT ORDER", "RULE ORDER",
    "COLLECT", "COLLECT SUM", "COLLECT MIN", "COLLECT MAX", "COLLECT COUNT"};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }
  bool chance(int percent) { return below(100) < percent; }

  std::string number_cell(int lo, int hi, bool decimal) {
    auto x = [&] {
      std::string s = std::to_string(between(lo, hi));
      if (decimal && chance(40)) s += "." + std::to_string(between(1, 99));
      return s;
    };
    const std::string a = x(), b = std::to_string(between(lo, hi));
    // Named, since std::minmax returns references to its arguments.
    const int ia = std::stoi(a.substr(0, a.find('.'))), ib = std::stoi(b);
    const auto [p, q] = std::minmax(ia, ib);
    const std::string lo_text = std::to_string(p), hi_text = std::to_string(q);
    switch (below(16)) {
      case 0:
        return "-";
      case 1:
        return "< " + a;
      case 2:
        return "<= " + a;
      case 3:
        return "> " + a;
      case 4:
        return ">= " + a;
      case 5:
        return "[" + lo_text + ".." + hi_text + "]";
      case 6:
        return "]" + lo_text + ".." + hi_text + "[";
      case 7:
        return "[" + lo_text + ".." + hi_text + "[";
      case 8:
        return a;
      case 9:
        return a + ", " + b;
      case 10:
        return "not(" + a + ")";
      case 11:
        return "not([" + lo_text + ".." + hi_text + "])";
      case 12:
        return "null";
      case 13:
        return "[" + lo_text + ".." + hi_text + "], > " + std::to_string(hi + 1);
      case 14:
        return "$ * 2 > " + a;  // a general expression of "$"
      default:
        return "(" + lo_text + ".." + hi_text + "]";
    }
  }

  std::string date_cell() {
    auto d = [&] {
      return "date(\"20" + std::to_string(between(10, 29)) + "-0" + std::to_string(between(1, 9)) +
             "-1" + std::to_string(below(10)) + "\")";
    };
    switch (below(6)) {
      case 0:
        return "-";
      case 1:
        return "< " + d();
      case 2:
        return ">= " + d();
      case 3:
        return "null";
      default: {
        std::string a = d(), b = d();
        if (b < a) std::swap(a, b);
        return "[" + a + ".." + b + "]";
      }
    }
  }

  std::string cell(std::size_t column) {
    static const std::vector<std::string> benefit = {
        "-", "\"RSA\"", "\"RSA\", \"ASS\"", "not(\"ARE\")", "not(\"RSA\", \"none\")", "null"};
    static const std::vector<std::string> city = {
        "-", "\"Paris\"", "\"Lyon\", \"Nice\"", "not(\"Paris\")", "null", "\"Brest\""};
    static const std::vector<std::string> flag = {"-", "true", "false", "null", "-"};
    switch (column) {
      case 0:
        return number_cell(-5, 140, false);
      case 1:
        return number_cell(0, 3000, true);
      case 2:
        return benefit[static_cast<std::size_t>(below(6))];
      case 3:
        return city[static_cast<std::size_t>(below(6))];
      case 4:
        return flag[static_cast<std::size_t>(below(5))];
      case 5:
        return date_cell();
      default:
        return number_cell(-100000, 100000, false);
    }
  }

  std::string record() {
    std::string s = "{";
    auto field = [&](const std::string& name, const std::string& value) {
      if (chance(12)) return;  // missing: null
      s += std::string(s.size() > 1 ? "," : "") + "\"" + name + "\":" + value;
    };
    field("age", std::to_string(between(0, 130)));
    field("income", std::to_string(between(0, 3100)) + (chance(50) ? ".5" : ""));
    static const char* benefits[] = {"RSA", "ASS", "ARE", "none"};
    field("benefit", std::string("\"") + benefits[below(4)] + "\"");
    static const char* cities[] = {"Paris", "Lyon", "Nice", "Brest", "Lille"};
    field("city", std::string("\"") + cities[below(5)] + "\"");
    field("flag", chance(50) ? "true" : "false");
    field("since", "\"20" + std::to_string(between(10, 29)) + "-0" + std::to_string(between(1, 9)) +
                       "-1" + std::to_string(below(10)) + "\"");
    field("score", std::to_string(between(-100005, 100005)));
    return s + "}";
  }

  TableSpec table(const std::string& policy) {
    TableSpec t;
    t.hit_policy = policy;
    t.columns = {"age", "income", "benefit", "city", "flag", "since", "score"};
    const bool numeric = policy.starts_with("COLLECT ");
    if (numeric) {
      t.outputs = {{"n", "integer"}};
    } else {
      t.outputs = {{"who", "enum"}};
      t.output_values = {"a", "b", "c"};
    }
    const int rules = between(65, 200);
    for (int r = 0; r < rules; ++r) {
      std::vector<std::string> cells;
      for (std::size_t c = 0; c < t.columns.size(); ++c)
        cells.push_back(chance(45) ? "-" : cell(c));
      const std::string out =
          numeric ? std::to_string(between(0, 9)) : std::string("\"") + "abc"[below(3)] + "\"";
      t.rules.push_back({cells, {out}});
    }
    return t;
  }

 private:
  std::mt19937_64 rng_;
};

Truth cell_truth(const Expression& cell, const Value& v) {
  std::vector<Value> frame(64, Value::null());
  Arena arena;
  EvalContext ctx{frame.data(), v, &arena};
  const Value r = cell.evaluate(ctx);
  if (r.is_null()) return Truth::unknown;
  return r.type() == Type::boolean && r.as_bool() ? Truth::yes : Truth::no;
}

bool bit(const std::uint64_t* m, std::size_t r) {
  return (m[r / 64] >> (r % 64)) & 1;
}

// Every region's masks equal in both layouts, and equal to the cells' own truth on a value of
// the region (generic cells keep their own masks and are left out of the static ones).
void compare_masks(const Decision& d, const CompiledTable& dense, const CompiledTable& sparse) {
  ASSERT_GT(dense.words(), 1u);
  ASSERT_FALSE(dense.has_sparse());
  ASSERT_TRUE(sparse.has_sparse());
  const std::size_t W = dense.words();
  std::vector<std::uint64_t> scratch_dense(W), scratch_sparse(W);
  Arena arena;
  for (std::size_t c = 0; c < dense.columns().size(); ++c) {
    const auto& dc = dense.columns()[c];
    const auto& sc = sparse.columns()[c];
    ASSERT_TRUE(sc.sparse);
    ASSERT_EQ(dc.key_count, sc.key_count);
    ASSERT_EQ(dc.always, sc.always) << "column " << c;
    ASSERT_EQ(dc.first_word, sc.first_word) << "column " << c;
    std::vector<char> generic(d.rules.size(), 0);
    for (const auto& g : dc.generics)
      for (std::size_t r = 0; r < d.rules.size(); ++r) generic[r] |= bit(g.rules.data(), r);
    for (std::uint32_t key = 0; key < dc.key_count; ++key) {
      const auto a = dense.region_rows(c, key, scratch_dense.data());
      const auto b = sparse.region_rows(c, key, scratch_sparse.data());
      for (std::size_t w = 0; w < W; ++w) {
        ASSERT_EQ(a.accept[w], b.accept[w]) << "column " << c << " key " << key << " word " << w;
        ASSERT_EQ(a.unknown[w], b.unknown[w]) << "column " << c << " key " << key;
      }
      const std::optional<Value> v = dense.representative(c, key, arena);
      if (!v) continue;
      for (std::size_t r = 0; r < d.rules.size(); ++r) {
        if (generic[r]) continue;
        const Truth t = cell_truth(d.rules[r].when[c], *v);
        EXPECT_EQ(bit(a.accept, r), t == Truth::yes)
            << "rule " << r << " cell " << d.rules[r].when_text[c] << " on " << v->to_display();
        EXPECT_EQ(bit(a.unknown, r), t == Truth::unknown)
            << "rule " << r << " cell " << d.rules[r].when_text[c] << " on null";
      }
    }
  }
}

std::string verdicts_text(const Pack& p, const Evaluation& e) {
  std::string s;
  for (const RuleVerdict& v : rule_verdicts(p, e, 0)) {
    s += std::string(rule_state_name(v.state)) + ":" + std::to_string(v.rejected_by);
    for (int c : v.unknown_columns) s += "," + std::to_string(c);
    s += ";";
  }
  return s;
}

TEST(SparseTableTest, SameMasksResultsTracesAndFindingsAsDense) {
  PackLimits forced;
  forced.table_dense_words = 0;
  Generator gen(20261207);
  for (int round = 0; round < 22; ++round) {
    const std::string& policy = kPolicies[static_cast<std::size_t>(round) % kPolicies.size()];
    SCOPED_TRACE("round " + std::to_string(round) + " " + policy);
    const std::string json = pack_json(kInputs, {table_json(gen.table(policy))});
    const Pack dense = Pack::load(json);
    const Pack sparse = Pack::load(json, forced);
    const Decision& d = dense.decisions()[0];
    compare_masks(d, *d.compiled, *sparse.decisions()[0].compiled);
    if (HasFatalFailure() || HasFailure()) return;

    const Evaluator de(dense), se(sparse);
    EvalOptions o;
    o.reference_date = Date::parse("2025-06-01");
    o.trace = true;
    std::vector<std::string> records;
    for (int k = 0; k < 150; ++k) records.push_back(gen.record());
    for (const std::string& record : records) {
      Evaluation a, b;
      ASSERT_EQ(de.evaluate_json(record, a, o), se.evaluate_json(record, b, o));
      ASSERT_EQ(evaluation_to_json(dense, a, true), evaluation_to_json(sparse, b, true)) << record;
      ASSERT_EQ(verdicts_text(dense, a), verdicts_text(sparse, b)) << record;
      ASSERT_EQ(explain_text(dense, a, "en"), explain_text(sparse, b, "en")) << record;
    }

    // Batches go by blocks (the sparse table never takes the per-block masks of the fast path).
    Batch batch(dense.inputs(), records.size());
    for (std::size_t row = 0; row < records.size(); ++row)
      batch.read_json(row, records[row], UnknownFields::reject);
    auto lines = [&](const Evaluator& ev, BatchResult& result) {
      std::vector<std::string> out(records.size());
      ev.evaluate_batch_results(batch, result, o, 0, records.size(),
                                [&](const RowResult& r) { ev.append_result_json(out[r.row], r); });
      return out;
    };
    BatchResult ra, rb;
    EXPECT_EQ(lines(de, ra), lines(se, rb));
    EXPECT_EQ(ra.first_hit, rb.first_hit);
    EXPECT_EQ(ra.keys, rb.keys);
    BatchResult fa, fb;
    de.evaluate_batch(batch, fa, o);
    se.evaluate_batch(batch, fb, o);
    EXPECT_EQ(fa.first_hit, fb.first_hit);
    EXPECT_EQ(fa.status, fb.status);
    EXPECT_EQ(fa.keys, fb.keys);

    EXPECT_EQ(check_pack(dense).to_json(), check_pack(sparse).to_json());
  }
}

// The documented maximum, 200,000 rules, every one with its own range: the odd ones
// ">= 10(n - i)" (the dense layout's worst case, n²/2 bits), the even ones "[10i..10i+5]".
// Dense masks would take 2 x 600,002 regions x 3,125 words (30 GB); sparse ones stay within a
// few words a rule.
bool range_rule_accepts(std::size_t n, std::size_t i, std::int64_t x) {
  const auto lo = static_cast<std::int64_t>(10 * i);
  if (i % 2) return x >= static_cast<std::int64_t>(10 * (n - i));
  return x >= lo && x <= lo + 5;
}

std::string range_table_pack(std::size_t n) {
  std::string rules;
  rules.reserve(n * 96);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string cell =
        i % 2 ? ">= " + std::to_string(10 * (n - i))
              : "[" + std::to_string(10 * i) + ".." + std::to_string(10 * i + 5) + "]";
    rules += std::string(i ? "," : "") + R"({"id":"R)" + std::to_string(i) + R"(","when":[")" +
             cell + R"("],"then":[")" + std::to_string(i) +
             R"("],"source":"S","status":"verified"})";
  }
  const std::string table =
      R"({"id":"t","kind":"table","hit_policy":"FIRST","inputs":[{"expression":"x"}],)"
      R"("outputs":[{"name":"rule","type":"integer"}],"rules":[)" +
      rules + "]}";
  return pack_json({R"({"name":"x","type":"integer"})"}, {table});
}

TEST(SparseTableTest, TwoHundredThousandRulesWithDistinctRangesLoadInBoundedMemory) {
  constexpr std::size_t n = 200000;
  const Pack p = Pack::load(range_table_pack(n));
  const CompiledTable& t = *p.decisions()[0].compiled;
  ASSERT_TRUE(t.has_sparse());
  EXPECT_GT(t.columns()[0].key_count, 2 * n);
  // 16 words (128 bytes) a rule, all masks and indexes included.
  EXPECT_LE(t.footprint_words(), 16 * n) << t.footprint_words();
  const Evaluator ev(p);
  const std::vector<std::int64_t> xs = {-1,      0,       5,       6,       10,      15,
                                        16,      999995,  1000000, 1000005, 1000010, 1234565,
                                        1999990, 1999995, 1999996, 2000000};
  std::vector<std::int32_t> expected;
  Batch batch(p.inputs(), xs.size());
  for (std::size_t k = 0; k < xs.size(); ++k) {
    std::int32_t first = -1;
    for (std::size_t i = 0; i < n && first < 0; ++i)
      if (range_rule_accepts(n, i, xs[k])) first = static_cast<std::int32_t>(i);
    expected.push_back(first);
    batch.set_int(0, k, xs[k]);
    Evaluation e;
    EvalOptions o;
    o.reference_date = Date::parse("2025-06-01");
    o.trace = true;
    ASSERT_TRUE(ev.evaluate_json(R"({"x":)" + std::to_string(xs[k]) + "}", e, o));
    EXPECT_EQ(e.decisions[0].fired.empty() ? -1 : e.decisions[0].fired[0], first) << xs[k];
    // The trace names the rejecting column of every rule before the hit.
    const auto verdicts = rule_verdicts(p, e, 0);
    for (std::int32_t i = 0; i < first; ++i)
      ASSERT_EQ(verdicts[static_cast<std::size_t>(i)].rejected_by, 0) << xs[k] << " rule " << i;
  }
  BatchResult r;
  EvalOptions o;
  o.reference_date = Date::parse("2025-06-01");
  ev.evaluate_batch(batch, r, o);
  EXPECT_EQ(r.first_hit[0], expected);
  EXPECT_EQ(r.errors.size(), 0u);
}

}  // namespace
}  // namespace aiguillage
