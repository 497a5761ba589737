// List inputs of ruleset 1.2: lists of numbers and bools, and lists of objects read field by
// field with "#.field".
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

using json = nlohmann::json;

// A pack with a list of objects `cart.items` (price, quantity, label), a list of numbers
// `scores` and one variable `v` computed by `expression`.
json document(const std::string& expression, const std::string& version = "1.2") {
  json pack = {{"schema", "aiguillage.ruleset"},
               {"schema_version", version},
               {"id", "test/lists"},
               {"version", "1.0.0"},
               {"valid_from", "2000-01-01"},
               {"title", "lists"},
               {"purpose", "test"},
               {"sources", {{{"id", "s"}, {"title", "S"}}}},
               {"decisions", json::array()}};
  pack["inputs"] = {{{"name", "cart.items"},
                     {"type", "list"},
                     {"items",
                      {{"type", "object"},
                       {"fields",
                        {{{"name", "price"}, {"type", "decimal"}},
                         {{"name", "quantity"}, {"type", "integer"}},
                         {{"name", "label"}, {"type", "string"}}}}}}},
                    {{"name", "scores"}, {"type", "list"}, {"items", {{"type", "decimal"}}}},
                    {{"name", "flags"}, {"type", "list"}, {"items", {{"type", "bool"}}}}};
  pack["variables"] = {
      {{"name", "v"}, {"expression", expression}, {"source", "s"}, {"status", "verified"}}};
  return pack;
}

Pack load(const std::string& expression) {
  return Pack::load(document(expression).dump());
}

Error load_error(const json& doc) {
  try {
    Pack::load(doc.dump());
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCode::ok, "");
}

const char* kRecord = R"({"cart": {"items": [
  {"price": 2.5, "quantity": 2, "label": "pen"},
  {"price": 10, "quantity": 1, "label": "book", "colour": "red"},
  {"price": 0.25, "label": "clip"}]},
  "scores": [3, 4.5], "flags": [true, false]})";

// The value of `v` on `record`, as JSON; "refused: <first error>" when the record is refused.
std::string value(const std::string& expression, const std::string& record = kRecord) {
  Pack pack = load(expression);
  Evaluator evaluator(pack);
  Evaluation e;
  EvalOptions options;
  options.reference_date = *Date::parse("2026-01-01");
  options.trace = false;
  options.unknown_fields = UnknownFields::ignore;
  if (!evaluator.evaluate_json(record, e, options))
    return "refused: " + (e.errors.empty() ? std::string("?") : e.errors[0].describe());
  return e.frame[static_cast<std::size_t>(pack.slot_of("v"))].to_json();
}

TEST(ListInputs, ItemsOfObjectsAreReadFieldByField) {
  // The clip has no quantity: its product is unknown, and so is the sum.
  EXPECT_EQ(value("sum(map(cart.items, #.price * #.quantity))"), "null");
  EXPECT_EQ(value("sum(map(filter(cart.items, #.quantity != null), #.price * #.quantity))"), "15");
  EXPECT_EQ(value("map(cart.items, #.label)"), R"(["pen","book","clip"])");
  EXPECT_EQ(value("map(cart.items, #.quantity)"), "[2,1,null]");  // the clip has no quantity
  EXPECT_EQ(value("len(cart.items)"), "3");
  EXPECT_EQ(value("count(cart.items)"), "3");
  EXPECT_EQ(value("count(cart.items, #.price >= 2.5)"), "2");
  EXPECT_EQ(value("any(cart.items, #.label = 'book')"), "true");
  EXPECT_EQ(value("all(cart.items, #.price > 0)"), "true");
  EXPECT_EQ(value("none(cart.items, #.price > 100)"), "true");
  EXPECT_EQ(value("one(cart.items, #.label = 'pen')"), "true");
  EXPECT_EQ(value("map(filter(cart.items, #.price < 5), #.label)"), R"(["pen","clip"])");
  EXPECT_EQ(value("len(filter(cart.items, #.quantity = null))"), "1");
  // The list's own field is a list input too: one value per item.
  EXPECT_EQ(value("cart.items.price"), "[2.5,10,0.25]");
}

TEST(ListInputs, ListsOfNumbersAndBools) {
  EXPECT_EQ(value("sum(scores)"), "7.5");
  EXPECT_EQ(value("max(scores)"), "4.5");
  EXPECT_EQ(value("map(scores, # * 2)"), "[6,9]");
  EXPECT_EQ(value("count(flags, #)"), "1");
  EXPECT_EQ(value("contains(scores, 3)"), "true");
}

TEST(ListInputs, AnAbsentOrEmptyListIsNullOrEmpty) {
  EXPECT_EQ(value("sum(map(cart.items, #.price))", "{}"), "null");
  EXPECT_EQ(value("sum(map(cart.items, #.price))", R"({"cart": {"items": []}})"), "0");
  EXPECT_EQ(value("len(cart.items)", R"({"cart": {"items": []}})"), "0");
}

// The first error of a refused record, as "<code> <pointer>: <message>".
std::string refusal(const std::string& record) {
  Pack pack = load("len(cart.items)");
  Evaluator evaluator(pack);
  Evaluation e;
  EvalOptions options;
  options.trace = false;
  if (evaluator.evaluate_json(record, e, options) || e.errors.empty()) return "accepted";
  const Error& x = e.errors[0];
  return std::to_string(static_cast<int>(x.code())) + " " + x.pointer() + ": " + x.message();
}

TEST(ListInputs, BadItemsAreRefusedWithTheirPointer) {
  const std::string mismatch = std::to_string(static_cast<int>(ErrorCode::type_mismatch));
  EXPECT_EQ(refusal(R"({"cart": {"items": [{"price": "cheap"}]}})"),
            mismatch + " /cart/items/0/price: cart.items.price expects a number in each item");
  EXPECT_EQ(
      refusal(R"({"cart": {"items": [{"price": 1}, {"quantity": 1.5}]}})"),
      mismatch + " /cart/items/1/quantity: cart.items.quantity expects an integer in each item");
  EXPECT_EQ(refusal(R"({"cart": {"items": [3]}})"),
            mismatch + " /cart/items/0: cart.items items must be an object");
  EXPECT_EQ(refusal(R"({"scores": [1, "2"]})"),
            mismatch + " /scores/1: scores items must be a number");
  EXPECT_EQ(refusal(R"({"scores": [1, null]})"),
            mismatch + " /scores/1: scores items must be a number, not null");
  EXPECT_EQ(refusal(R"({"cart": {"items": [{"weight": 3}]}})"),
            std::to_string(static_cast<int>(ErrorCode::unknown_field)) +
                " /cart/items/0/weight: \"weight\" (a value) is not a field of the items of "
                "cart.items");
  // A companion is filled from the list's items, never directly.
  EXPECT_EQ(refusal(R"({"cart": {"items": [], "items.price": [1]}})").substr(0, 4),
            std::to_string(static_cast<int>(ErrorCode::unknown_field)));
  EXPECT_EQ(value("len(cart.items)", R"({"cart": {"items": [{"price": 1, "extra": {"a": 1}}]}})"),
            "1");  // unknown fields ignored, nested ones too
}

TEST(ListInputs, AListOfObjectsIsOnlyReadThroughItsItemsFields) {
  for (const char* bad : {"cart.items", "sum(cart.items)", "map(cart.items, #)",
                          "map(cart.items, # = 1)", "if true then cart.items else cart.items",
                          "filter(cart.items, #.price > 1)", "contains(cart.items, 1)"}) {
    Error e = load_error(document(bad));
    EXPECT_EQ(e.code(), ErrorCode::type_error) << bad << ": " << e.describe();
  }
  Error unknown = load_error(document("map(cart.items, #.weight)"));
  EXPECT_EQ(unknown.code(), ErrorCode::unknown_name) << unknown.describe();
  EXPECT_NE(unknown.message().find("have no field 'weight'"), std::string::npos);
  // "#.field" over a list that is not one of objects read from an input.
  Error not_objects = load_error(document("map(scores, #.price)"));
  EXPECT_EQ(not_objects.code(), ErrorCode::type_error) << not_objects.describe();
}

TEST(ListInputs, NewItemTypesNeedRuleset12) {
  Error e = load_error(document("len(cart.items)", "1.1"));
  EXPECT_EQ(e.code(), ErrorCode::invalid_document);
  EXPECT_EQ(e.pointer(), "/inputs/0/items/type");
  json fields_on_texts = document("1");
  fields_on_texts["inputs"][1]["items"] = {{"type", "string"}, {"fields", json::array()}};
  EXPECT_EQ(load_error(fields_on_texts).code(), ErrorCode::invalid_document);
  json object_field = document("1");
  object_field["inputs"][0]["items"]["fields"][0]["type"] = "list";
  EXPECT_EQ(load_error(object_field).pointer(), "/inputs/0/items/fields/0/type");
}

}  // namespace
}  // namespace aiguillage
