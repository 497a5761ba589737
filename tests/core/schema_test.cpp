#include "aiguillage/core/schema.hpp"

#include <gtest/gtest.h>

#include <random>

namespace aiguillage {
namespace {

InputSchema make_schema() {
  std::vector<FieldSpec> f(5);
  f[0].name = "age";
  f[0].type = FieldType::integer;
  f[0].min = Decimal::from_int(0);
  f[0].max = Decimal::from_int(130);
  f[1].name = "income";
  f[1].type = FieldType::decimal;
  f[2].name = "customer.country";
  f[2].type = FieldType::enumeration;
  f[2].values = {"GB", "FR"};
  f[3].name = "tags";
  f[3].type = FieldType::list;
  f[3].item_type = FieldType::enumeration;
  f[3].values = {"x", "y"};
  f[3].max_items = 2;
  f[4].name = "name";
  f[4].type = FieldType::string;
  f[4].max_length = 3;
  return InputSchema(std::move(f));
}

// Records are read by a strict reader for plain JSON and by nlohmann's parser for the rest. A
// byte-order mark sends any text to the general parser, so the same text read both ways must
// give the same values and the same errors (syntax messages aside: their byte offsets move).
void expect_same_reading(const InputSchema& schema, const std::string& json) {
  for (UnknownFields unknown : {UnknownFields::reject, UnknownFields::ignore}) {
    Record fast, general;
    auto e1 = schema.parse_record(json, fast, unknown);
    auto e2 = schema.parse_record("\xEF\xBB\xBF" + json, general, unknown);
    ASSERT_EQ(e1.size(), e2.size()) << json;
    for (std::size_t k = 0; k < e1.size(); ++k) {
      EXPECT_EQ(e1[k].code(), e2[k].code()) << json;
      EXPECT_EQ(e1[k].pointer(), e2[k].pointer()) << json;
      if (e1[k].code() != ErrorCode::json_syntax) {
        EXPECT_EQ(e1[k].message(), e2[k].message());
      }
    }
    for (std::size_t f = 0; f < schema.size(); ++f) {
      EXPECT_EQ(fast.values[f].type(), general.values[f].type()) << json;
      EXPECT_TRUE(fast.values[f] == general.values[f]) << json << " field " << f;
    }
  }
}

TEST(SchemaPropertyTest, PlainReaderAgreesWithTheGeneralParser) {
  const InputSchema schema = make_schema();
  std::mt19937 rng(5);
  auto pick = [&](std::size_t n) { return rng() % n; };
  const std::vector<std::string> keys = {"\"age\"",  "\"income\"", "\"customer\"",  "\"tags\"",
                                         "\"name\"", "\"other\"",  "\"a\\u0067e\"", "\"n\\\"\""};
  const std::vector<std::string> scalars = {"0",
                                            "-0",
                                            "17",
                                            "130",
                                            "131",
                                            "-1",
                                            "12.5",
                                            "1e2",
                                            "1E400",
                                            "-1e999",
                                            "1E-2",
                                            "0.1234567",
                                            "-3.25",
                                            "99999999999999999999",
                                            "123456789012345678",
                                            "01",
                                            "1.",
                                            ".5",
                                            "+1",
                                            "-",
                                            "2.5e",
                                            "true",
                                            "false",
                                            "null",
                                            "nul",
                                            "\"FR\"",
                                            "\"GB\"",
                                            "\"x\"",
                                            "\"abcd\"",
                                            "\"a\\nb\"",
                                            "\"\\u00e9\"",
                                            "\"\xC3\xA9\"",
                                            "\"\"",
                                            "\"2025-01-01\"",
                                            "[]",
                                            "[\"x\"]",
                                            "[\"x\",\"y\",\"x\"]",
                                            "[1]",
                                            "[null]",
                                            "{}",
                                            "{\"country\":\"FR\"}",
                                            "{\"country\":1}",
                                            "[[\"x\"]]",
                                            "{\"a\":{}}"};
  for (int round = 0; round < 20000; ++round) {
    std::string json;
    const int shape = static_cast<int>(pick(10));
    if (shape == 0) {
      json = scalars[pick(scalars.size())];
    } else {
      json = pick(4) ? "{" : " {\n";
      const std::size_t n = pick(6);
      for (std::size_t k = 0; k < n; ++k) {
        if (k) json += pick(20) ? "," : " ";
        json += keys[pick(keys.size())];
        json += pick(15) ? ":" : "";
        json += pick(3) ? "" : " ";
        json += scalars[pick(scalars.size())];
      }
      json += pick(25) ? "}" : "";
      if (pick(20) == 0) json += pick(2) ? " x" : "\t\r\n";
    }
    expect_same_reading(schema, json);
    if (HasFatalFailure()) return;
  }
}

TEST(SchemaTest, ParsesTypedValuesAndNestedNames) {
  InputSchema s = make_schema();
  Record r;
  auto errors = s.parse_record(R"({"age": 30, "income": 0.1, "customer": {"country": "FR"},
                                   "tags": ["x", "y"], "name": "Éva"})",
                               r);
  ASSERT_TRUE(errors.empty()) << errors[0].describe();
  EXPECT_EQ(r.values[0].as_int(), 30);
  EXPECT_EQ(r.values[1].as_decimal().units, 100000);  // exactly 0.1
  EXPECT_EQ(r.values[2].as_string(), "FR");
  EXPECT_EQ(r.values[3].list_size(), 2u);
  EXPECT_EQ(r.values[4].as_string(), "Éva");  // 3 code points, 4 bytes
}

TEST(SchemaTest, EveryErrorHasACodeAndAPointer) {
  InputSchema s = make_schema();
  Record r;
  auto errors = s.parse_record(
      R"({"age": -1, "income": 1e-9, "customer": {"country": "DE"}, "tags": ["x", "z", "y"], "name": "Long", "x": 1})",
      r);
  ASSERT_EQ(errors.size(), 6u);
  EXPECT_EQ(errors[0].code(), ErrorCode::out_of_bounds);
  EXPECT_EQ(errors[0].pointer(), "/age");
  EXPECT_EQ(errors[1].code(), ErrorCode::invalid_decimal);
  EXPECT_EQ(errors[2].code(), ErrorCode::enum_value);
  EXPECT_EQ(errors[2].pointer(), "/customer/country");
  EXPECT_EQ(errors[3].code(), ErrorCode::too_many_items);
  EXPECT_EQ(errors[4].code(), ErrorCode::too_long);
  EXPECT_EQ(errors[5].code(), ErrorCode::unknown_field);
  EXPECT_EQ(errors[5].pointer(), "/x");
}

TEST(SchemaTest, NonObjectsAndBareValuesAreRejectedWithoutCrashing) {
  InputSchema s = make_schema();
  Record r;
  for (const char* text :
       {"\"age\": 30", "30", "null", "[1]", "\"x\"", "", "{", "{\"age\": [1, {\"a\": 2}]}"}) {
    auto errors = s.parse_record(text, r);
    EXPECT_FALSE(errors.empty()) << text;
  }
}

TEST(SchemaTest, DuplicateKeysAreErrors) {
  InputSchema s = make_schema();
  Record r;
  auto errors = s.parse_record(R"({"age": 3, "age": 4})", r);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), ErrorCode::json_syntax);
}

}  // namespace
}  // namespace aiguillage
