// Nesting depth and bounded errors: every way a JSON text enters the library refuses a text
// nested deeper than kMaxJsonDepth with a pinned code, at 100,000 and 1,000,000 levels.
#include <string>

#include <gtest/gtest.h>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/core/schema.hpp"
#include "aiguillage/rules/pack.hpp"
#include "aiguillage/rules/test_cases.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
namespace {

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_in_object(std::size_t depth) {
  return "{\"x\":" + nested_arrays(depth) + "}";
}

InputSchema age_schema() {
  FieldSpec f;
  f.name = "age";
  f.type = FieldType::integer;
  return InputSchema({f});
}

class Depth : public ::testing::TestWithParam<std::size_t> {};

TEST(JsonDepth, FindsTheFirstBracketPastTheLimit) {
  EXPECT_EQ(detail::find_too_deep("[[[]]]", 3), std::string_view::npos);
  EXPECT_EQ(detail::find_too_deep("[[[[]]]]", 3), 3u);
  EXPECT_EQ(detail::find_too_deep("{\"a\":{\"b\":[1]}}", 3), std::string_view::npos);
  EXPECT_EQ(detail::find_too_deep("{\"a\":{\"b\":[{}]}}", 3), 11u);
  // Brackets inside strings, escaped quotes included, do not count.
  EXPECT_EQ(detail::find_too_deep(R"(["[[[[\"[[[[", []])", 2), std::string_view::npos);
  // Closing brackets bring the depth back.
  EXPECT_EQ(detail::find_too_deep("[[]][[]][[]]", 2), std::string_view::npos);
  // Unbalanced or invalid text is not this check's business, and never out of bounds.
  EXPECT_EQ(detail::find_too_deep("]]]]\"", 1), std::string_view::npos);
  EXPECT_EQ(detail::find_too_deep("\"\\", 1), std::string_view::npos);
}

TEST(JsonDepth, TheLimitItselfIsAccepted) {
  EXPECT_NO_THROW(detail::parse_document(nested_arrays(detail::kMaxJsonDepth)));
  try {
    detail::parse_document(nested_arrays(detail::kMaxJsonDepth + 1));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_deep);
    EXPECT_NE(e.message().find("256"), std::string::npos) << e.message();
  }
}

TEST_P(Depth, ParseDocumentRefuses) {
  try {
    detail::parse_document(nested_in_object(GetParam()));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_deep);
  }
}

TEST_P(Depth, CanonicalFormAndHashRefuse) {
  try {
    document_hash(nested_in_object(GetParam()));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_deep);
  }
}

TEST_P(Depth, RecordsAreRefusedWithTheirOwnError) {
  const InputSchema schema = age_schema();
  Record r;
  const auto errors = schema.parse_record(nested_in_object(GetParam()), r, UnknownFields::reject);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), ErrorCode::too_deep);
  // Deep objects too (each level a key).
  std::string deep;
  for (std::size_t k = 0; k < GetParam(); ++k) deep += "{\"x\":";
  deep += "1" + std::string(GetParam(), '}');
  const auto e2 = schema.parse_record(deep, r, UnknownFields::reject);
  ASSERT_EQ(e2.size(), 1u);
  EXPECT_EQ(e2[0].code(), ErrorCode::too_deep);
}

TEST_P(Depth, PacksTestCasesAndOffersRefuse) {
  const std::string deep = nested_arrays(GetParam());
  try {
    Pack::load(R"({"schema":"aiguillage.ruleset","schema_version":"1.0","x":)" + deep + "}");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_deep);
  }
  try {
    load_test_cases(
        R"({"schema":"aiguillage.testcases","schema_version":"1.0","cases":[{"name":"d","input":{},"expected":{"status":"complete","outputs":{"x":)" +
        deep + "}}}]}");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_deep);
  }
}

INSTANTIATE_TEST_SUITE_P(HundredThousandAndMillion, Depth, ::testing::Values(100000, 1000000));

TEST(BoundedErrors, MessagesAndPointersAreCut) {
  const std::string huge(10'000'000, 'k');
  Error e(ErrorCode::unknown_field, "unknown field \"" + huge + "\"", "/" + huge);
  EXPECT_LE(e.message().size(), kMaxErrorMessageBytes + 3);
  EXPECT_LE(e.pointer().size(), kMaxErrorPointerBytes + 3);
  EXPECT_TRUE(e.message().ends_with("\xE2\x80\xA6"));
  EXPECT_STREQ(e.what(), e.message().c_str());
  // A cut never splits a UTF-8 character.
  const std::string accents = std::string(119, 'a') + "\xC3\xA9\xC3\xA9";
  const std::string cut = bounded_text(accents, 120);
  EXPECT_EQ(cut, std::string(119, 'a') + "\xE2\x80\xA6");
  EXPECT_EQ(bounded_text("short"), "short");
}

TEST(BoundedErrors, AnUnknownTenMegabyteKeyGivesABoundedError) {
  const InputSchema schema = age_schema();
  Record r;
  const std::string key(10'000'000, 'k');
  const auto errors = schema.parse_record("{\"" + key + "\":1}", r, UnknownFields::reject);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), ErrorCode::unknown_field);
  EXPECT_LT(errors[0].message().size() + errors[0].pointer().size(), 1000u);
}

TEST(BoundedErrors, AMillionUnknownKeysGiveABoundedReport) {
  const InputSchema schema = age_schema();
  Record r;
  std::string text = "{";
  for (int k = 0; k < 1'000'000; ++k) text += (k ? ",\"k" : "\"k") + std::to_string(k) + "\":1";
  text += "}";
  const auto errors = schema.parse_record(text, r, UnknownFields::reject);
  ASSERT_EQ(errors.size(), 101u);
  EXPECT_EQ(errors.back().code(), ErrorCode::too_many_items);
}

TEST(RecordNesting, DeepObjectsCostLinearMemory) {
  // 200 levels of objects with 4 KB keys: the dotted name of each level used to be copied into
  // every deeper level (quadratic, 80 MB here); the error is reported, the memory linear.
  const InputSchema schema = age_schema();
  Record r;
  const std::string key(4096, 'x');
  std::string text;
  for (int k = 0; k < 200; ++k) text += "{\"" + key + "\":";
  text += "1" + std::string(200, '}');
  const auto errors = schema.parse_record(text, r, UnknownFields::reject);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), ErrorCode::unknown_field);
  EXPECT_LE(errors[0].pointer().size(), kMaxErrorPointerBytes * 2 + 8);
}

}  // namespace
}  // namespace aiguillage
