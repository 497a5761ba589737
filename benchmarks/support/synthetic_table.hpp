// The synthetic FIRST table of the benchmarks and its records, from fixed seeds.
//
// 48 rules x 15 inputs: 7 numeric columns (integer and decimal, cells such as "[18..25]",
// "< 1200.5", "-") and 8 enum columns of 4 to 12 values (cells such as "\"a\",\"b\"",
// "not(\"c\")", "-"); each rule constrains 2 to 6 columns, like hand-written orientation rules,
// and the last rule is a catch-all so that every record hits. The same table is emitted as an
// aiguillage pack and as a GoRules JDM graph, and the same records as a Batch and as JSON Lines,
// so that both engines do the same work.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/core/decimal.hpp"

namespace aiguillage::bench {

// splitmix64: the same stream on every platform (std distributions are not portable).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }

 private:
  std::uint64_t state_;
};

struct NumericColumn {
  std::string name;
  bool integer = true;
  std::int64_t lo = 0, hi = 0;  // whole units
  double null_rate = 0;         // share of records where the value is missing
};

struct EnumColumn {
  std::string name;
  std::vector<std::string> values;
  double null_rate = 0;
  // ZEN reads "$ != x" as true on a missing value where a DMN negation is unknown: a column
  // that may be missing keeps to positive lists so that both engines agree on every record.
  bool negations = true;
};

struct SyntheticRule {
  std::string id;
  std::vector<std::string> when;      // aiguillage cells, numeric columns first
  std::vector<std::string> when_zen;  // the same tests in ZEN's syntax
  int orientation = 0;                // index into kOrientations
  int intensity = 1;
};

inline const std::vector<std::string>& orientations() {
  static const std::vector<std::string> v = {"france_travail", "mission_locale", "cap_emploi",
                                             "departement",    "apec",           "plie"};
  return v;
}

struct SyntheticTable {
  std::vector<NumericColumn> numeric;
  std::vector<EnumColumn> enums;
  std::vector<SyntheticRule> rules;

  std::size_t columns() const { return numeric.size() + enums.size(); }

  std::string pack_json() const {
    using nlohmann::ordered_json;
    ordered_json inputs = ordered_json::array();
    for (const auto& c : numeric)
      inputs.push_back({{"name", c.name},
                        {"type", c.integer ? "integer" : "decimal"},
                        {"min", c.lo},
                        {"max", c.hi}});
    for (const auto& c : enums)
      inputs.push_back({{"name", c.name}, {"type", "enum"}, {"values", c.values}});
    ordered_json cols = ordered_json::array();
    for (const auto& c : numeric) cols.push_back({{"expression", c.name}});
    for (const auto& c : enums) cols.push_back({{"expression", c.name}});
    ordered_json rows = ordered_json::array();
    for (const auto& r : rules)
      rows.push_back({{"id", r.id},
                      {"when", r.when},
                      {"then",
                       {"\"" + orientations()[static_cast<std::size_t>(r.orientation)] + "\"",
                        std::to_string(r.intensity)}},
                      {"source", "synthetic"},
                      {"status", "interpretation"}});
    ordered_json pack = {
        {"schema", "aiguillage.ruleset"},
        {"schema_version", "1.0"},
        {"id", "bench/synthetic"},
        {"version", "1.0.0"},
        {"valid_from", "2000-01-01"},
        {"valid_to", nullptr},
        {"title", "Synthetic orientation table (benchmarks)"},
        {"sources", {{{"id", "synthetic"}, {"title", "Generated with a fixed seed"}}}},
        {"inputs", inputs},
        {"decisions",
         {{{"id", "orientation"},
           {"kind", "table"},
           {"hit_policy", "FIRST"},
           {"complete", true},
           {"inputs", cols},
           {"outputs",
            {{{"name", "orientation"}, {"type", "enum"}, {"values", orientations()}},
             {{"name", "intensity"}, {"type", "integer"}}}},
           {"rules", rows}}}}};
    return pack.dump(1);
  }

  // The same table as a ZEN decision graph: input node -> table -> output node.
  std::string jdm_json() const {
    using nlohmann::ordered_json;
    ordered_json inputs = ordered_json::array();
    std::size_t k = 0;
    auto col_id = [](std::size_t c) { return "in" + std::to_string(c); };
    for (const auto& c : numeric)
      inputs.push_back({{"id", col_id(k++)}, {"name", c.name}, {"field", c.name}});
    for (const auto& c : enums)
      inputs.push_back({{"id", col_id(k++)}, {"name", c.name}, {"field", c.name}});
    ordered_json rows = ordered_json::array();
    for (const auto& r : rules) {
      ordered_json row = {{"_id", r.id}};
      for (std::size_t c = 0; c < r.when_zen.size(); ++c) row[col_id(c)] = r.when_zen[c];
      row["out0"] = "\"" + orientations()[static_cast<std::size_t>(r.orientation)] + "\"";
      row["out1"] = std::to_string(r.intensity);
      rows.push_back(std::move(row));
    }
    ordered_json graph = {
        {"nodes",
         {{{"id", "request"},
           {"type", "inputNode"},
           {"name", "Request"},
           {"position", {{"x", 0}, {"y", 0}}}},
          {{"id", "table"},
           {"type", "decisionTableNode"},
           {"name", "orientation"},
           {"position", {{"x", 300}, {"y", 0}}},
           {"content",
            {{"hitPolicy", "first"},
             {"inputs", inputs},
             {"outputs",
              {{{"id", "out0"}, {"name", "orientation"}, {"field", "orientation"}},
               {{"id", "out1"}, {"name", "intensity"}, {"field", "intensity"}}}},
             {"rules", rows}}}},
          {{"id", "response"},
           {"type", "outputNode"},
           {"name", "Response"},
           {"position", {{"x", 600}, {"y", 0}}}}}},
        {"edges",
         {{{"id", "e1"}, {"sourceId", "request"}, {"targetId", "table"}, {"type", "edge"}},
          {{"id", "e2"}, {"sourceId", "table"}, {"targetId", "response"}, {"type", "edge"}}}}};
    return graph.dump(1);
  }
};

namespace detail_bench {

inline std::string decimal_text(std::int64_t tenths) {
  std::string sign = tenths < 0 ? "-" : "";
  std::int64_t a = tenths < 0 ? -tenths : tenths;
  return sign + std::to_string(a / 10) + (a % 10 ? "." + std::to_string(a % 10) : "");
}

inline std::string quote_text(const std::string& s) {
  return "\"" + s + "\"";
}

}  // namespace detail_bench

inline SyntheticTable make_synthetic_table(std::uint64_t seed = 20250601) {
  using detail_bench::decimal_text;
  using detail_bench::quote_text;
  SyntheticTable t;
  t.numeric = {
      {"age", true, 16, 70, 0},
      {"months_unemployed", true, 0, 120, 0},
      {"income", false, 0, 6000, 0.03},
      {"distance_km", false, 0, 150, 0.04},
      {"children", true, 0, 6, 0},
      {"experience_years", true, 0, 45, 0},
      {"hours_per_week", false, 0, 60, 0},
  };
  t.enums = {
      {"region",
       {"ARA", "BFC", "BRE", "CVL", "COR", "GES", "HDF", "IDF", "NOR", "NAQ", "OCC", "PDL"},
       0,
       true},
      {"education", {"none", "cap", "bep", "bac", "bac2", "bac3", "bac5", "phd"}, 0, true},
      {"benefit", {"RSA", "ASS", "ARE", "AAH", "none"}, 0, true},
      {"contract", {"cdi", "cdd", "interim", "apprentice", "civic", "none"}, 0, true},
      {"mobility", {"none", "public", "car", "bike"}, 0.03, false},
      {"language", {"fr", "en", "ar", "es", "pt", "ro", "other"}, 0, true},
      {"sector",
       {"care", "retail", "build", "industry", "logistics", "hotel", "farm", "it", "admin",
        "other"},
       0,
       true},
      {"housing", {"owner", "tenant", "family", "shelter", "none"}, 0.02, false},
  };
  Rng rng(seed);
  const std::size_t n_cols = t.columns();
  const std::size_t n_rules = 48;
  for (std::size_t r = 0; r + 1 < n_rules; ++r) {
    SyntheticRule rule;
    rule.id = "R" + std::to_string(r + 1);
    rule.when.assign(n_cols, "-");
    rule.when_zen.assign(n_cols, "");
    std::size_t constrained = static_cast<std::size_t>(rng.between(2, 6));
    std::vector<char> chosen(n_cols, 0);
    for (std::size_t k = 0; k < constrained;) {
      std::size_t c = rng.below(n_cols);
      if (chosen[c]) continue;
      chosen[c] = 1;
      ++k;
    }
    for (std::size_t c = 0; c < n_cols; ++c) {
      if (!chosen[c]) continue;
      std::string cell, zen;
      if (c < t.numeric.size()) {
        const NumericColumn& col = t.numeric[c];
        // Bounds in tenths for decimal columns ("< 1200.5"), whole units for integer ones.
        const std::int64_t scale = col.integer ? 1 : 10;
        auto bound = [&] { return rng.between(col.lo * scale, col.hi * scale); };
        auto text = [&](std::int64_t b) {
          return col.integer ? std::to_string(b) : decimal_text(b);
        };
        switch (rng.below(4)) {
          case 0: {
            std::int64_t a = bound(), b = bound();
            if (a > b) std::swap(a, b);
            if (a == b) b += 1;
            cell = "[" + text(a) + ".." + text(b) + "]";
            break;
          }
          case 1:
            cell = "< " + text(bound());
            break;
          case 2:
            cell = ">= " + text(bound());
            break;
          default: {
            std::int64_t a = bound(), b = bound();
            if (a > b) std::swap(a, b);
            if (a == b) b += 1;
            cell = "(" + text(a) + ".." + text(b) + "]";
            break;
          }
        }
        zen = cell;
      } else {
        const EnumColumn& col = t.enums[c - t.numeric.size()];
        const std::size_t n = col.values.size();
        std::size_t picks = static_cast<std::size_t>(rng.between(1, 3));
        std::vector<std::string> values;
        for (std::size_t k = 0; k < picks; ++k) {
          const std::string& v = col.values[rng.below(n)];
          if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
        }
        const bool negate = col.negations && rng.chance(0.3);
        std::string list, zen_list;
        for (std::size_t k = 0; k < values.size(); ++k) {
          list += (k ? "," : "") + quote_text(values[k]);
          zen_list += (k ? ", " : "") + quote_text(values[k]);
        }
        if (negate) {
          cell = "not(" + list + ")";
          // ZEN has no not(...) unary test: the negation is spelled with "$".
          for (std::size_t k = 0; k < values.size(); ++k)
            zen += (k ? " and " : "") + ("$ != " + quote_text(values[k]));
        } else {
          cell = list;
          zen = zen_list;
        }
      }
      rule.when[c] = cell;
      rule.when_zen[c] = zen;
    }
    rule.orientation = static_cast<int>(rng.below(orientations().size()));
    rule.intensity = static_cast<int>(rng.between(1, 3));
    t.rules.push_back(std::move(rule));
  }
  SyntheticRule catch_all;
  catch_all.id = "R" + std::to_string(n_rules);
  catch_all.when.assign(n_cols, "-");
  catch_all.when_zen.assign(n_cols, "");
  catch_all.orientation = 0;
  catch_all.intensity = 1;
  t.rules.push_back(std::move(catch_all));
  return t;
}

// One record: numeric values in whole units (integer columns) or Decimal units (decimal
// columns), enum values as codes; nullopt / -1 when missing.
struct SyntheticRecord {
  std::vector<std::optional<std::int64_t>> numbers;
  std::vector<int> codes;
};

inline std::vector<SyntheticRecord> make_records(const SyntheticTable& t, std::size_t n,
                                                 std::uint64_t seed = 7) {
  Rng rng(seed);
  std::vector<SyntheticRecord> out(n);
  for (auto& rec : out) {
    rec.numbers.resize(t.numeric.size());
    rec.codes.resize(t.enums.size());
    for (std::size_t c = 0; c < t.numeric.size(); ++c) {
      const NumericColumn& col = t.numeric[c];
      if (col.null_rate > 0 && rng.chance(col.null_rate)) continue;
      // Decimal columns carry cents, as incomes and distances do.
      rec.numbers[c] = col.integer
                           ? rng.between(col.lo, col.hi)
                           : rng.between(col.lo * 100, col.hi * 100) * (Decimal::kOne / 100);
    }
    for (std::size_t c = 0; c < t.enums.size(); ++c) {
      const EnumColumn& col = t.enums[c];
      rec.codes[c] = col.null_rate > 0 && rng.chance(col.null_rate)
                         ? -1
                         : static_cast<int>(rng.below(col.values.size()));
    }
  }
  return out;
}

// Fills a batch whose schema is the synthetic pack's (inputs in declaration order).
inline void fill_batch(const SyntheticTable& t, const std::vector<SyntheticRecord>& records,
                       Batch& batch) {
  const std::size_t n_num = t.numeric.size();
  for (std::size_t row = 0; row < records.size(); ++row) {
    const SyntheticRecord& rec = records[row];
    for (std::size_t c = 0; c < n_num; ++c) {
      if (!rec.numbers[c]) {
        batch.set_null(c, row);
      } else if (t.numeric[c].integer) {
        batch.set_int(c, row, *rec.numbers[c]);
      } else {
        batch.set_decimal(c, row, Decimal::from_units(*rec.numbers[c]));
      }
    }
    for (std::size_t c = 0; c < t.enums.size(); ++c) {
      if (rec.codes[c] < 0)
        batch.set_null(n_num + c, row);
      else
        batch.set_enum_code(n_num + c, row, rec.codes[c]);
    }
  }
}

// One JSON object per line; missing values are left out, as a form would.
inline std::string json_line(const SyntheticTable& t, const SyntheticRecord& rec) {
  std::string s = "{";
  bool first = true;
  auto key = [&](const std::string& name) {
    if (!first) s += ',';
    first = false;
    s += '"' + name + "\":";
  };
  for (std::size_t c = 0; c < t.numeric.size(); ++c) {
    if (!rec.numbers[c]) continue;
    key(t.numeric[c].name);
    s += t.numeric[c].integer ? std::to_string(*rec.numbers[c])
                              : Decimal::from_units(*rec.numbers[c]).to_string();
  }
  for (std::size_t c = 0; c < t.enums.size(); ++c) {
    if (rec.codes[c] < 0) continue;
    key(t.enums[c].name);
    s += '"' + t.enums[c].values[static_cast<std::size_t>(rec.codes[c])] + '"';
  }
  s += '}';
  return s;
}

inline std::vector<std::string> json_lines(const SyntheticTable& t,
                                           const std::vector<SyntheticRecord>& records) {
  std::vector<std::string> lines;
  lines.reserve(records.size());
  for (const auto& r : records) lines.push_back(json_line(t, r));
  return lines;
}

}  // namespace aiguillage::bench
