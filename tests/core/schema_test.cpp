#include "aiguillage/core/schema.hpp"

#include <gtest/gtest.h>

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
