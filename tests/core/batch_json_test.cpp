// Batch::read_json against its reference: InputSchema::parse_record followed by Batch::set_row.
// Whenever read_json accepts a text, parse_record must find no error in it and the row must
// equal set_row's cell for cell; whenever parse_record finds no error in a plain text, read_json
// must accept it. The only plain texts it may leave to parse_record although they are valid are
// those holding a number with an exponent or an integer of more than 18 digits (parse_record's
// own plain reader hands those to the general parser too) and objects nested over 64 levels.
#include "aiguillage/core/batch.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../../benchmarks/support/synthetic_table.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

// No escape and no byte outside ASCII: the texts read_json is meant for.
bool plain(const std::string& text) {
  for (unsigned char c : text)
    if (c == '\\' || c >= 0x80) return false;
  return true;
}

// A number outside strings with an exponent, or an integer of more than 18 digits.
bool needs_general_parser(const std::string& text) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t j = i, digits = 0;
      bool real = false, exponent = false;
      while (j < text.size() &&
             std::string_view("0123456789.eE+-").find(text[j]) != std::string_view::npos) {
        if (text[j] >= '0' && text[j] <= '9' && !real && !exponent) ++digits;
        if (text[j] == '.') real = true;
        if (text[j] == 'e' || text[j] == 'E') exponent = true;
        ++j;
      }
      if (exponent || (!real && digits > 18)) return true;
      i = j - 1;
    }
  }
  return false;
}

::testing::AssertionResult rows_equal(const Batch& a, const Batch& b, std::size_t row) {
  for (std::size_t c = 0; c < a.columns(); ++c) {
    const std::string& name = a.schema().field(c).name;
    if (a.is_present(c, row) != b.is_present(c, row))
      return ::testing::AssertionFailure() << "presence differs on " << name << " row " << row;
    if (!a.is_present(c, row)) continue;
    const FieldType t = a.schema().field(c).type;
    if (t == FieldType::string || t == FieldType::list) {
      const Value x = a.get(c, row), y = b.get(c, row);
      if (x.type() != y.type() || !(x == y))
        return ::testing::AssertionFailure() << "value differs on " << name << " row " << row;
    } else if (a.data(c)[row] != b.data(c)[row]) {
      return ::testing::AssertionFailure() << "value differs on " << name << " row " << row << ": "
                                           << a.data(c)[row] << " != " << b.data(c)[row];
    }
  }
  return ::testing::AssertionSuccess();
}

// Reads `json` into `row` of `batch` and checks it against the reference, kept in `reference`.
// Returns whether read_json accepted the text.
bool check_against_reference(Batch& batch, Batch& reference, std::size_t row,
                             const std::string& json, UnknownFields unknown) {
  const InputSchema& schema = batch.schema();
  Record r;
  const auto errors = schema.parse_record(json, r, unknown);
  const bool fast = batch.read_json(row, json, unknown);
  if (fast) {
    EXPECT_TRUE(errors.empty()) << "read_json accepted a record parse_record rejects ("
                                << errors[0].describe() << "): " << json;
    if (errors.empty()) reference.set_row(row, r);
  } else {
    for (std::size_t c = 0; c < schema.size(); ++c) {
      EXPECT_FALSE(batch.is_present(c, row)) << "a refused record left a cell set: " << json;
      reference.set_null(c, row);
    }
    EXPECT_FALSE(errors.empty() && plain(json) && !needs_general_parser(json))
        << "read_json refused a plain valid record: " << json;
  }
  for (std::size_t k = 0; k < batch.rows(); ++k)
    EXPECT_TRUE(rows_equal(batch, reference, k)) << json;
  return fast;
}

// --- Random schemas and records --------------------------------------------------------------

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }

 private:
  std::mt19937_64 rng_;
};

std::string decimal_text(std::int64_t units, Gen& g) {
  std::string s = Decimal::from_units(units).to_string();
  if (g.chance(0.2)) {
    if (s.find('.') == std::string::npos) s += '.';
    s += std::string(1 + g.pick(3), '0');  // trailing zeros keep the value
  }
  return s;
}

InputSchema random_schema(Gen& g) {
  const std::size_t n = 1 + g.pick(9);
  std::vector<FieldSpec> fields;
  std::vector<std::string> taken;
  for (std::size_t k = 0; k < n; ++k) {
    FieldSpec f;
    switch (g.pick(5)) {
      case 0:
        f.name = "g" + std::to_string(g.pick(2)) + ".f" + std::to_string(k);
        break;
      case 1:
        f.name = "g" + std::to_string(g.pick(2)) + ".h.f" + std::to_string(k);
        break;
      case 2:
        f.name = g.chance(0.1) ? "g0"
                 : g.chance(0.5)
                     ? "field_" + std::to_string(k)
                     : "a_rather_long_field_name_" + std::to_string(k);  // "g0" may shadow a group
        break;
      default:
        f.name = "f" + std::to_string(k);
        break;
    }
    if (std::find(taken.begin(), taken.end(), f.name) != taken.end()) continue;
    taken.push_back(f.name);
    f.type = static_cast<FieldType>(g.pick(7));
    switch (f.type) {
      case FieldType::integer:
      case FieldType::decimal: {
        const std::int64_t scale =
            f.type == FieldType::integer && g.chance(0.7) ? Decimal::kOne : 1000;
        if (g.chance(0.6)) f.min = Decimal::from_units(g.between(-100, 10) * scale);
        if (g.chance(0.6)) f.max = Decimal::from_units(g.between(10, 5000) * scale);
        break;
      }
      case FieldType::string:
        if (g.chance(0.6)) f.max_length = static_cast<std::uint32_t>(g.pick(8));
        break;
      case FieldType::enumeration:
      case FieldType::list: {
        const std::size_t nv = 1 + g.pick(g.chance(0.3) ? 20 : 6);
        for (std::size_t v = 0; v < nv; ++v)
          f.values.push_back(g.chance(0.05) ? std::string() : "v" + std::to_string(v));
        if (f.type == FieldType::list) {
          f.item_type = g.chance(0.6) ? FieldType::enumeration : FieldType::string;
          if (f.item_type == FieldType::string) f.values.clear();
          if (g.chance(0.6)) f.max_items = static_cast<std::uint32_t>(g.pick(5));
          if (g.chance(0.4)) f.max_length = static_cast<std::uint32_t>(1 + g.pick(4));
        }
        break;
      }
      case FieldType::date:
        if (g.chance(0.5)) f.min_date = Date::from_ymd(2000 + static_cast<int>(g.pick(20)), 1, 1);
        if (g.chance(0.5)) f.max_date = Date::from_ymd(2020 + static_cast<int>(g.pick(10)), 12, 31);
        break;
      case FieldType::boolean:
        break;
    }
    f.required = g.chance(0.3);
    fields.push_back(std::move(f));
  }
  return InputSchema(std::move(fields));
}

std::string random_string(Gen& g, std::size_t max_len) {
  static const std::string alphabet = "abv0123 _-:/.,{}[]";
  std::string s;
  const std::size_t n = g.pick(max_len + 1);
  for (std::size_t k = 0; k < n; ++k) s += alphabet[g.pick(alphabet.size())];
  return s;
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// A value for field f: mostly of its type and near its bounds, sometimes not.
std::string random_value(const FieldSpec& f, Gen& g) {
  if (g.chance(0.04)) return "null";
  if (g.chance(0.08)) {
    static const std::vector<std::string> odd = {"true",
                                                 "false",
                                                 "0",
                                                 "-0",
                                                 "1.5",
                                                 "1.0",
                                                 "-0.0",
                                                 "1e2",
                                                 "2E-1",
                                                 "\"x\"",
                                                 "\"\"",
                                                 "[]",
                                                 "[\"v0\"]",
                                                 "[1]",
                                                 "[null]",
                                                 "[[\"v0\"]]",
                                                 "{}",
                                                 "{\"a\":1}",
                                                 "\"2024-02-29\"",
                                                 "123456789012345678",
                                                 "1234567890123456789",
                                                 "-9223372036854",
                                                 "9223372036854.775807",
                                                 "0.0000001",
                                                 "0.1000000",
                                                 "\"V0\"",
                                                 "\"v0 \""};
    return odd[g.pick(odd.size())];
  }
  switch (f.type) {
    case FieldType::boolean:
      return g.chance(0.5) ? "true" : "false";
    case FieldType::integer: {
      std::int64_t lo = f.min ? f.min->units / Decimal::kOne - 2 : -1000;
      std::int64_t hi = f.max ? f.max->units / Decimal::kOne + 2 : 1000;
      if (g.chance(0.05)) return std::to_string(g.between(-9'300'000'000'000, 9'300'000'000'000));
      return std::to_string(g.between(lo, hi));
    }
    case FieldType::decimal: {
      std::int64_t lo = f.min ? f.min->units - 2'000'000 : -1'000'000'000;
      std::int64_t hi = f.max ? f.max->units + 2'000'000 : 1'000'000'000;
      std::int64_t u = g.between(lo, hi);
      if (g.chance(0.5)) u -= u % (g.chance(0.5) ? Decimal::kOne : 10'000);
      if (g.chance(0.3)) return std::to_string(u / Decimal::kOne);  // an integer for a decimal
      if (g.chance(0.03)) return std::to_string(g.between(9'000'000'000'000, 9'300'000'000'000));
      return decimal_text(u, g);
    }
    case FieldType::string:
      return quoted(random_string(g, f.max_length ? *f.max_length + 1 : 10));
    case FieldType::enumeration:
      if (g.chance(0.9) && !f.values.empty()) return quoted(f.values[g.pick(f.values.size())]);
      return quoted(random_string(g, 3));
    case FieldType::date: {
      if (g.chance(0.05)) return quoted(g.chance(0.5) ? "2025-02-30" : "2025-1-01");
      char buf[40];  // room for any int the format could print, so no truncation warning
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", 1995 + static_cast<int>(g.pick(40)),
                    1 + static_cast<int>(g.pick(12)), 1 + static_cast<int>(g.pick(31)));
      return quoted(buf);
    }
    case FieldType::list: {
      std::string s = "[";
      const std::size_t n = g.pick((f.max_items ? *f.max_items : 3) + 2);
      for (std::size_t k = 0; k < n; ++k) {
        if (k) s += g.chance(0.9) ? "," : " , ";
        if (f.item_type == FieldType::enumeration && g.chance(0.92))
          s += quoted(f.values[g.pick(f.values.size())]);
        else
          s += quoted(random_string(g, f.max_length ? *f.max_length + 1 : 4));
      }
      return s + "]";
    }
  }
  return "null";
}

std::string space(Gen& g) {
  if (g.chance(0.85)) return "";
  static const std::vector<std::string> ws = {" ", "\n", "\t", "\r\n", "  "};
  return ws[g.pick(ws.size())];
}

// Emits `members` (key -> value text, keys possibly dotted) as one object, nesting dotted keys
// into objects when `nest`.
struct Node {
  std::vector<std::pair<std::string, std::string>> leaves;  // in order
  std::vector<std::string> order;                           // "L<k>" or "N<name>"
  std::map<std::string, Node> children;
};

void emit(const Node& node, std::string& out, Gen& g) {
  out += space(g) + "{" + space(g);
  bool first = true;
  for (const std::string& o : node.order) {
    if (!first) out += space(g) + "," + space(g);
    first = false;
    if (o[0] == 'L') {
      const auto& [k, v] = node.leaves[std::stoul(o.substr(1))];
      out += quoted(k) + space(g) + ":" + space(g) + v;
    } else {
      out += quoted(o.substr(1)) + space(g) + ":";
      emit(node.children.at(o.substr(1)), out, g);
    }
  }
  out += space(g) + "}" + space(g);
}

void add_member(Node& root, const std::string& key, const std::string& value, bool nest) {
  Node* node = &root;
  std::string rest = key;
  std::size_t dot;
  while (nest && (dot = rest.find('.')) != std::string::npos) {
    const std::string head = rest.substr(0, dot);
    if (!node->children.count(head)) node->order.push_back("N" + head);
    node = &node->children[head];
    rest = rest.substr(dot + 1);
  }
  node->order.push_back("L" + std::to_string(node->leaves.size()));
  node->leaves.emplace_back(rest, value);
}

std::string random_record(const InputSchema& schema, Gen& g) {
  std::vector<std::size_t> order(schema.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  if (g.chance(0.2)) std::shuffle(order.begin(), order.end(), std::mt19937(g.pick(1000)));
  const bool nest = g.chance(0.5);
  Node root;
  std::vector<std::string> keys;
  for (std::size_t k : order) {
    if (g.chance(schema.field(k).required ? 0.03 : 0.25)) continue;
    const std::string& name = schema.field(k).name;
    add_member(root, name, random_value(schema.field(k), g), nest && g.chance(0.9));
    keys.push_back(name);
  }
  if (g.chance(0.08)) {
    static const std::vector<std::string> unknown = {"zz",
                                                     "g0.zz",
                                                     "g1.h.zz",
                                                     "f",
                                                     "a_rather_long_field_name_",
                                                     "a_rather_long_field_name_1x",
                                                     "a_rather_long_field_name_2"};
    static const std::vector<std::string> values = {
        "1", "\"x\"", "[1,{\"a\":[]}]", "{}", "{\"q\":null}", "null", "1.5", "[]"};
    add_member(root, unknown[g.pick(unknown.size())], values[g.pick(values.size())], g.chance(0.5));
  }
  if (g.chance(0.05) && !keys.empty()) {
    const std::string& k = keys[g.pick(keys.size())];
    add_member(root, k, random_value(schema.field(static_cast<std::size_t>(schema.index_of(k))), g),
               g.chance(0.5));
  }
  std::string out;
  emit(root, out, g);
  return out;
}

std::string mutate(std::string s, Gen& g) {
  static const std::string bytes = ",}{\"\\ 0e.-:[]n\xC3\xA9\x01";
  const std::size_t ops = 1 + g.pick(3);
  for (std::size_t k = 0; k < ops && !s.empty(); ++k) {
    const std::size_t at = g.pick(s.size());
    switch (g.pick(4)) {
      case 0:
        s.erase(at, 1);
        break;
      case 1:
        s.insert(at, 1, bytes[g.pick(bytes.size())]);
        break;
      case 2:
        s[at] = bytes[g.pick(bytes.size())];
        break;
      default:
        s.resize(at);
        break;
    }
  }
  return s;
}

TEST(BatchJsonTest, AgreesWithParseRecordOnRandomSchemasAndRecords) {
  Gen g(20251127);
  std::size_t records = 0, texts = 0, accepted = 0, valid_plain = 0;
  for (int s = 0; s < 800; ++s) {
    const InputSchema schema = random_schema(g);
    Batch batch(schema, 4), reference(schema, 4);
    for (int r = 0; r < 130; ++r) {
      if (g.chance(0.05)) {
        batch.clear();
        reference.clear();
      }
      std::string json = random_record(schema, g);
      if (g.chance(0.3)) json = mutate(json, g);
      ++records;
      for (UnknownFields unknown : {UnknownFields::reject, UnknownFields::ignore}) {
        ++texts;
        Record rec;
        if (schema.parse_record(json, rec, unknown).empty() && plain(json)) ++valid_plain;
        accepted += check_against_reference(batch, reference, g.pick(batch.rows()), json, unknown);
        if (HasFailure()) return;
      }
    }
  }
  EXPECT_GE(records, 100'000u);  // each read with both UnknownFields
  // The generator must exercise both outcomes in earnest.
  EXPECT_GT(accepted, texts / 5);
  EXPECT_LT(accepted, texts * 4 / 5);
  EXPECT_GE(valid_plain, accepted);
}

InputSchema edge_schema() {
  std::vector<FieldSpec> f(9);
  f[0].name = "age";
  f[0].type = FieldType::integer;
  f[0].min = Decimal::from_int(0);
  f[0].max = Decimal::from_int(130);
  f[1].name = "income";
  f[1].type = FieldType::decimal;
  f[1].max = Decimal::from_units(5'000'500'000);  // 5000.5
  f[2].name = "customer.country";
  f[2].type = FieldType::enumeration;
  f[2].values = {"GB", "FR", ""};
  f[3].name = "tags";
  f[3].type = FieldType::list;
  f[3].item_type = FieldType::enumeration;
  f[3].values = {"x", "y"};
  f[3].max_items = 2;
  f[4].name = "name";
  f[4].type = FieldType::string;
  f[4].max_length = 3;
  f[5].name = "customer.since";
  f[5].type = FieldType::date;
  f[5].min_date = Date::from_ymd(2000, 1, 1);
  f[6].name = "active";
  f[6].type = FieldType::boolean;
  f[7].name = "reference_date";
  f[7].type = FieldType::date;
  f[7].required = true;
  f[8].name = "count";
  f[8].type = FieldType::integer;
  return InputSchema(std::move(f));
}

TEST(BatchJsonTest, EdgeCases) {
  const InputSchema schema = edge_schema();
  Batch batch(schema, 2), reference(schema, 2);
  const std::string ref = R"("reference_date":"2025-03-01")";
  struct Case {
    std::string json;
    bool fast;  // expected answer of read_json with UnknownFields::reject
  };
  const std::vector<Case> cases = {
      {"{" + ref + "}", true},
      {" \n\t{ " + ref + " }\r\n", true},
      {"{}", false},                          // reference_date is required
      {R"({"reference_date":null})", false},  // and null is no value
      {"{" + ref + R"(,"age":130,"income":5000.5,"count":-0})", true},
      {"{" + ref + R"(,"age":131})", false},             // above its maximum
      {"{" + ref + R"(,"age":12.0})", false},            // a real for an integer
      {"{" + ref + R"(,"income":5000.500001})", false},  // above its maximum
      {"{" + ref + R"(,"income":0.1234567})", false},    // 7 decimal places
      {"{" + ref + R"(,"income":0.1000000})", true},     // 6 once the zeros go
      {"{" + ref + R"(,"income":-9223372036854.775808})", true},
      {"{" + ref + R"(,"income":-9223372036854.775809})", false},
      {"{" + ref + R"(,"income":9223372036855})", false},  // integer out of decimal range
      {"{" + ref + R"(,"count":123456789012345678})", true},
      {"{" + ref + R"(,"count":1234567890123456789})", false},  // left to the general parser
      {"{" + ref + R"(,"count":1e2})", false},                  // likewise
      {"{" + ref + R"(,"customer":{"country":"FR","since":"2000-01-01"}})", true},
      {"{" + ref + R"(,"customer.country":"","customer":{"since":"2024-02-29"}})", true},
      {"{" + ref + R"(,"customer":{"since":"1999-12-31"}})", false},
      {"{" + ref + R"(,"customer":{"since":"2023-02-29"}})", false},
      {"{" + ref + R"(,"customer":{"country":"fr"}})", false},
      {"{" + ref + R"(,"customer":{}})", true},
      {"{" + ref + R"(,"other":{}})", true},  // no leaf: nothing unknown
      {"{" + ref + R"(,"other":{"a":1}})", false},
      {"{" + ref + R"(,"age":{}})", false},
      {"{" + ref + R"(,"customer.country":"FR","customer":{"country":"GB"}})", false},
      {"{" + ref + R"(,"age":null,"age":3})", false},  // twice, even after null
      {"{" + ref + R"(,"tags":[],"name":""})", true},
      {"{" + ref + R"(,"tags":["x","y"],"name":"abc"})", true},
      {"{" + ref + R"(,"tags":["x","y","x"]})", false},
      {"{" + ref + R"(,"tags":["z"]})", false},
      {"{" + ref + R"(,"tags":[null]})", false},
      {"{" + ref + R"(,"tags":"x"})", false},
      {"{" + ref + R"(,"name":"abcd"})", false},
      {"{" + ref + R"(,"name":"a\"b"})", false},       // an escape: not plain
      {"{" + ref + ",\"name\":\"\xC3\xA9\"}", false},  // not ASCII
      {"{" + ref + R"(,"active":true,"active2":false})", false},
      {"{" + ref + R"(,"active":"true"})", false},
      {"{" + ref + R"(,})", false},
      {"{" + ref + R"(} x)", false},
      {"{" + ref, false},
      {"[" + ref + "]", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(batch.read_json(1, c.json, UnknownFields::reject), c.fast) << c.json;
    check_against_reference(batch, reference, 1, c.json, UnknownFields::reject);
    check_against_reference(batch, reference, 0, c.json, UnknownFields::ignore);
  }
  // With ignore, unknown members of any shape are skipped.
  EXPECT_TRUE(batch.read_json(
      0, "{" + ref + R"(,"zz":[1,{"a":[true,null,"s",-1.5]}],"other":{"a":1},"q":"r"})",
      UnknownFields::ignore));
  EXPECT_FALSE(batch.read_json(0, "{" + ref + R"(,"zz":[1e5]})", UnknownFields::ignore));
}

TEST(BatchJsonTest, ValuesLandInTheirCells) {
  const InputSchema schema = edge_schema();
  Batch batch(schema, 3);
  ASSERT_TRUE(batch.read_json(2,
                              R"({"age":30,"income":0.1,"customer":{"country":"FR"},
                                  "tags":["y"],"name":"Ana","active":false,
                                  "reference_date":"2025-03-01"})",
                              UnknownFields::reject));
  EXPECT_EQ(batch.data(0)[2], 30);
  EXPECT_EQ(batch.data(1)[2], 100'000);  // exactly 0.1
  EXPECT_EQ(batch.data(2)[2], 1);        // the code of "FR"
  EXPECT_EQ(batch.get(3, 2).list_size(), 1u);
  EXPECT_EQ(batch.get(3, 2)[0].as_string(), "y");
  EXPECT_EQ(batch.get(4, 2).as_string(), "Ana");
  EXPECT_FALSE(batch.is_present(5, 2));
  EXPECT_TRUE(batch.is_present(6, 2));
  EXPECT_EQ(batch.data(6)[2], 0);
  EXPECT_EQ(batch.get(7, 2).as_date(), *Date::parse("2025-03-01"));
  // A refused record leaves its row empty, whatever the row held.
  EXPECT_FALSE(batch.read_json(2, R"({"age":30,"reference_date":"2025-03-01","age":1})",
                               UnknownFields::reject));
  for (std::size_t c = 0; c < batch.columns(); ++c) EXPECT_FALSE(batch.is_present(c, 2));
  // clear() empties every row and keeps their number.
  ASSERT_TRUE(
      batch.read_json(0, R"({"name":"Bo","reference_date":"2025-03-01"})", UnknownFields::reject));
  batch.clear();
  EXPECT_EQ(batch.rows(), 3u);
  for (std::size_t c = 0; c < batch.columns(); ++c)
    for (std::size_t r = 0; r < 3; ++r) EXPECT_FALSE(batch.is_present(c, r));
  ASSERT_TRUE(
      batch.read_json(1, R"({"name":"Cy","reference_date":"2025-03-01"})", UnknownFields::reject));
  EXPECT_EQ(batch.get(4, 1).as_string(), "Cy");
  EXPECT_THROW(batch.read_json(3, "{}", UnknownFields::reject), Error);
}

// --- Shipped packs and the benchmarks' records -------------------------------------------------

std::vector<fs::path> pack_dirs() {
  std::vector<fs::path> dirs;
  const fs::path rules = fs::path(AIG_SOURCE_DIR) / "rules";
  for (const auto& area : fs::directory_iterator(rules))
    if (area.is_directory())
      for (const auto& pack : fs::directory_iterator(area.path()))
        if (fs::exists(pack.path() / "pack.json")) dirs.push_back(pack.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

TEST(BatchJsonTest, ShippedPacksAndTheirTestCases) {
  std::size_t records = 0, fallbacks = 0;
  for (const fs::path& dir : pack_dirs()) {
    SCOPED_TRACE(dir.string());
    const Pack pack = Pack::load_file(dir.string());
    Batch batch(pack.inputs(), 8), reference(pack.inputs(), 8);
    if (!fs::exists(dir / "tests")) continue;
    for (const auto& entry : fs::directory_iterator(dir / "tests")) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path());
      const nlohmann::json doc = nlohmann::json::parse(in);
      if (doc.value("schema", "") != "aiguillage.testcases") continue;
      for (const auto& c : doc["cases"]) {
        if (!c.contains("input")) continue;
        nlohmann::json input = c["input"];
        std::vector<std::string> texts = {input.dump(), input.dump(2)};
        if (c.contains("reference_date")) {
          input["reference_date"] = c["reference_date"];
          texts.push_back(input.dump());
        }
        for (const std::string& text : texts)
          for (UnknownFields unknown : {UnknownFields::reject, UnknownFields::ignore}) {
            ++records;
            Record r;
            const bool valid = pack.inputs().parse_record(text, r, unknown).empty();
            const bool fast = check_against_reference(batch, reference, records % 8, text, unknown);
            if (valid && !fast) ++fallbacks;
            if (HasFailure()) return;
          }
      }
    }
  }
  EXPECT_GT(records, 100u);
  // Only records with text outside ASCII may fall back.
  RecordProperty("fallbacks", static_cast<int>(fallbacks));
}

// The persons of the orientation benchmark (fr-2025's test inputs with their reference date)
// and the persons of examples/data: none may fall back.
TEST(BatchJsonTest, OrientationPersonsNeverFallBack) {
  const fs::path dir = fs::path(AIG_SOURCE_DIR) / "rules/orientation/fr-2025";
  ASSERT_TRUE(fs::exists(dir)) << "shipped pack missing: " << dir;
  const Pack pack = Pack::load_file(dir.string());
  Batch batch(pack.inputs(), 256), reference(pack.inputs(), 256);
  std::size_t persons = 0;
  auto check = [&](const std::string& line, UnknownFields unknown) {
    Record r;
    if (!pack.inputs().parse_record(line, r, unknown).empty()) return;
    const std::size_t row = persons++ % batch.rows();
    if (row == 0) {
      batch.clear();
      reference.clear();
    }
    if (plain(line)) {
      EXPECT_TRUE(check_against_reference(batch, reference, row, line, unknown)) << line;
    }
  };
  for (const auto& entry : fs::directory_iterator(dir / "tests")) {
    std::ifstream in(entry.path());
    const nlohmann::json doc = nlohmann::json::parse(in);
    for (const auto& c : doc["cases"]) {
      if (c["expected"].contains("error")) continue;
      nlohmann::json input = c["input"];
      input["reference_date"] = c["reference_date"];
      check(input.dump(), UnknownFields::reject);
    }
  }
  EXPECT_GT(persons, 20u);
  const fs::path population = fs::path(AIG_SOURCE_DIR) / "examples/data/persons-1000.jsonl";
  ASSERT_TRUE(fs::exists(population)) << "shipped sample missing: " << population;
  std::ifstream in(population);
  for (std::string line; std::getline(in, line);) check(line, UnknownFields::ignore);
}

TEST(BatchJsonTest, SyntheticBenchmarkRecordsNeverFallBack) {
  const bench::SyntheticTable table = bench::make_synthetic_table(20250601);
  const Pack pack = Pack::load(table.pack_json());
  Batch batch(pack.inputs(), 256), reference(pack.inputs(), 256);
  const auto lines = bench::json_lines(table, bench::make_records(table, 3000, 7));
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (k % 256 == 0) {
      batch.clear();
      reference.clear();
    }
    ASSERT_TRUE(check_against_reference(batch, reference, k % 256, lines[k], UnknownFields::reject))
        << lines[k];
  }
}

}  // namespace
}  // namespace aiguillage
