// The list functions that bind "#" to each item: map, filter, none, one (with count, any, all).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "aiguillage/rules/expression.hpp"

namespace aiguillage {
namespace {

enum Slot : int { kScores, kPrices, kTags, kLimit, kSlotCount };

class ListScope : public Scope {
 public:
  ListScope() {
    entries_.emplace("scores", Entry{kScores, StaticType::list_of(TypeKind::integer)});
    entries_.emplace("prices", Entry{kPrices, StaticType::list_of(TypeKind::decimal)});
    entries_.emplace("tags", Entry{kTags, StaticType::list_of(TypeKind::string)});
    entries_.emplace("limit", Entry{kLimit, StaticType::of(TypeKind::integer)});
  }
  std::optional<Entry> lookup(std::string_view name) const override {
    auto it = entries_.find(name);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

struct Frame {
  std::vector<Value> values = std::vector<Value>(kSlotCount);
  std::vector<std::vector<Value>> lists;
  Arena arena;

  Frame() { lists.reserve(8); }
  Frame& list(int slot, std::vector<Value> items) {
    lists.push_back(std::move(items));
    values[static_cast<std::size_t>(slot)] = Value::list(lists.back().data(), lists.back().size());
    return *this;
  }
  Frame& set(int slot, Value v) {
    values[static_cast<std::size_t>(slot)] = v;
    return *this;
  }
};

Frame sample() {
  Frame f;
  f.list(kScores, {Value::integer(3), Value::integer(8), Value::integer(5)});
  f.list(kPrices,
         {Value::decimal(*Decimal::parse("1.5")), Value::decimal(*Decimal::parse("2.25"))});
  f.list(kTags, {Value::string("premium"), Value::string("new")});
  f.set(kLimit, Value::integer(4));
  return f;
}

std::string ev(std::string_view text, Frame& frame) {
  static const ListScope scope;
  Expression e = Expression::compile(text, scope);
  EvalContext ctx;
  ctx.slots = frame.values.data();
  ctx.arena = &frame.arena;
  return e.evaluate(ctx).to_display();
}

std::string ev(std::string_view text) {
  Frame f = sample();
  return ev(text, f);
}

StaticType type_of(std::string_view text) {
  static const ListScope scope;
  return Expression::compile(text, scope).type();
}

Error error_of(std::string_view text) {
  static const ListScope scope;
  try {
    Expression::compile(text, scope);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for " << text;
  return Error(ErrorCode::ok, "");
}

TEST(ListFunctions, MapAppliesTheExpressionToEachItemInOrder) {
  EXPECT_EQ(ev("map(scores, # * 2)"), "[6, 16, 10]");
  EXPECT_EQ(ev("map(prices, # * 2)"), "[3, 4.5]");
  EXPECT_EQ(ev("map(tags, upper(#))"), "[\"PREMIUM\", \"NEW\"]");
  EXPECT_EQ(ev("map(scores, # > limit)"), "[false, true, true]");
  EXPECT_EQ(ev("sum(map(scores, # * 10))"), "160");
  EXPECT_EQ(ev("map([1, 2, 3], # + 1)"), "[2, 3, 4]");  // folded when the list is constant
  EXPECT_EQ(type_of("map(scores, # > 1)").to_string(), "list<bool>");
  EXPECT_EQ(type_of("map(scores, # * 1.5)").to_string(), "list<decimal>");
}

TEST(ListFunctions, FilterKeepsTheItemsWhosePredicateIsTrue) {
  EXPECT_EQ(ev("filter(scores, # > limit)"), "[8, 5]");
  EXPECT_EQ(ev("filter(scores, # > 100)"), "[]");
  EXPECT_EQ(ev("filter(tags, starts_with(#, 'p'))"), "[\"premium\"]");
  EXPECT_EQ(ev("len(filter(scores, # >= 5))"), "2");
  EXPECT_EQ(ev("map(filter(scores, # > 4), # - 4)"), "[4, 1]");
  EXPECT_EQ(type_of("filter(scores, # > 1)").to_string(), "list<integer>");
}

TEST(ListFunctions, AnUnknownPredicateLeavesTheItemOut) {
  Frame f = sample();
  f.list(kScores, {Value::integer(3), Value::null(), Value::integer(9)});
  EXPECT_EQ(ev("filter(scores, # > 4)", f), "[9]");
  EXPECT_EQ(ev("map(scores, # + 1)", f), "[4, null, 10]");
}

TEST(ListFunctions, NoneAndOneAreThreeValued) {
  EXPECT_EQ(ev("none(scores, # > 100)"), "true");
  EXPECT_EQ(ev("none(scores, # = 8)"), "false");
  EXPECT_EQ(ev("one(scores, # = 8)"), "true");
  EXPECT_EQ(ev("one(scores, # > 4)"), "false");
  EXPECT_EQ(ev("one(scores, # > 100)"), "false");
  EXPECT_EQ(ev("none([], # > 1)"), "true");
  Frame f = sample();
  f.list(kScores, {Value::integer(3), Value::null()});
  EXPECT_EQ(ev("none(scores, # > 4)", f), "null");  // the null item may be above 4
  EXPECT_EQ(ev("one(scores, # > 4)", f), "null");
  EXPECT_EQ(ev("none(scores, # = 3)", f), "false");  // one item is known to be 3
}

TEST(ListFunctions, ANullListGivesNull) {
  Frame f = sample();
  f.set(kScores, Value::null());
  EXPECT_EQ(ev("map(scores, # * 2)", f), "null");
  EXPECT_EQ(ev("filter(scores, # > 1)", f), "null");
  EXPECT_EQ(ev("none(scores, # > 1)", f), "null");
}

TEST(ListFunctions, TypesAreCheckedWhenCompiled) {
  EXPECT_EQ(error_of("map(limit, # * 2)").code(), ErrorCode::type_error);
  EXPECT_EQ(error_of("filter(scores, # + 1)").code(), ErrorCode::type_error);
  EXPECT_EQ(error_of("map(scores, [#])").code(), ErrorCode::type_error);
  EXPECT_EQ(error_of("none(tags, # * 2)").code(), ErrorCode::type_error);
  EXPECT_EQ(error_of("map(scores)").code(), ErrorCode::arity);
  EXPECT_EQ(error_of("# + 1").code(), ErrorCode::unknown_name);
}

}  // namespace
}  // namespace aiguillage
