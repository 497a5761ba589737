// The compiled form of an expression: a flat vector of nodes (children by index), shared
// immutable between copies of an Expression. Private to the library.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/core/value.hpp"
#include "aiguillage/rules/expression.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

enum class Op : std::uint8_t {
  constant,  // value
  slot,      // a = slot index
  dollar,
  item,  // "#"
  negate,
  logical_not,
  logical_and,  // n-ary over args
  logical_or,   // n-ary over args
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  is_null,
  is_not_null,
  add,
  subtract,
  multiply,
  divide,
  in_range,  // a in [b..c]; flags: kLowOpen, kHighOpen
  in_list,   // a in b; b is either a list literal (items evaluated one by one) or a list value
  list,      // list literal over args
  if_then_else,
  call,        // fn over args
  item_field,  // "#.field" of a list of objects: slot a (the field's column) at the item's index
};

enum class Fn : std::uint8_t {
  contains,
  starts_with,
  ends_with,
  lower,
  upper,
  len,
  count,
  any,
  all,
  min,
  max,
  sum,
  abs,
  floor,
  ceil,
  round,
  date,
  years_between,
  months_between,
  days_between,
  add_days,
  add_months,
  is_missing,
  coalesce,
  power,
  concat,
  to_text,
  trim,
  timestamp,
  map,     // map(list, expression): the expression on each item ("#")
  filter,  // filter(list, predicate): the items for which the predicate is true
  none,    // none(list, predicate)
  one,     // one(list, predicate)
  trunc,
  rem,
  avg,
  median,
  mode,
  utc_date,
  year,
  month,
  day,
  weekday,
  day_of_year,
  iso_week,
};

// The functions whose second argument is evaluated once per item of the first, with "#" bound.
inline bool binds_item(Fn fn) {
  return fn == Fn::count || fn == Fn::any || fn == Fn::all || fn == Fn::map || fn == Fn::filter ||
         fn == Fn::none || fn == Fn::one;
}

inline constexpr std::uint8_t kLowOpen = 1;
inline constexpr std::uint8_t kHighOpen = 2;
inline constexpr std::uint8_t kUnbounded = 255;

struct FunctionSpec {
  const char* name;
  Fn fn;
  std::uint8_t min_args;
  std::uint8_t max_args;  // kUnbounded: no maximum
  bool predicate;         // the second argument is evaluated once per item, with "#" bound
  const char* signature;
  const char* summary;
};

const std::vector<FunctionSpec>& function_specs();
const FunctionSpec* find_function(std::string_view name);

struct Node {
  Op op = Op::constant;
  Fn fn = Fn::contains;
  std::uint8_t flags = 0;
  std::int32_t a = -1, b = -1, c = -1;
  std::uint32_t args_begin = 0, args_count = 0;  // into Impl::args
  // Arithmetic: the arithmetic node whose left operand this one is, or -1. A left-leaning chain
  // (a + b - c + ...) is walked along these links instead of recursing, so that a flat sum
  // costs no depth; only real nesting does.
  std::int32_t up = -1;
  Value value;
};

inline bool is_arithmetic(Op op) {
  return op == Op::add || op == Op::subtract || op == Op::multiply || op == Op::divide;
}

// Order of two values of the same kind (numbers exactly, strings bytewise, dates); false when
// they are not ordered against each other (other kinds, a null, a kind mismatch).
bool compare_values(const Value& a, const Value& b, int& order);
// Three-valued equality: null when either side is null.
Value equal_values(const Value& a, const Value& b);
// Integers widen to decimals; nullopt when the integer is out of the decimal range.
std::optional<Decimal> to_decimal(const Value& v);

}  // namespace detail

struct Expression::Impl {
  std::string text;
  std::vector<detail::Node> nodes;
  std::vector<std::int32_t> args;
  Arena arena;  // constants' strings and lists
  std::int32_t root = 0;
  StaticType type;
  bool constant = false;
  Value constant_value;
  bool uses_dollar = false;
  std::vector<int> slots;
  std::optional<UnaryStructure> structure;
  int single_slot = -1;

  Value eval(std::int32_t node, const EvalContext& ctx, Value item) const;
  // A column of values over a block of rows: row i is p[i * stride] (stride 0: a constant).
  struct Column {
    const Value* p;
    std::size_t stride;
    const Value& operator[](std::size_t i) const { return p[i * stride]; }
  };
  struct Block {
    const Value* frames;
    std::size_t stride, rows;
    Arena* arena;
    Value* pool;  // bump storage: rows values per computed node
    std::size_t used;
  };
  Column eval_rows(std::int32_t node, Block& block) const;
  // eval_rows by operator, each a column at a time; rows_by_row: eval() on each row's frame, for
  // the operators without a column form (predicates over lists, "#").
  Column rows_not(const detail::Node& n, Block& b) const;
  Column rows_logical(const detail::Node& n, Block& b) const;
  Column rows_equal(const detail::Node& n, Block& b) const;
  Column rows_order(const detail::Node& n, Block& b) const;
  Column rows_is_null(const detail::Node& n, Block& b) const;
  Column rows_arithmetic(std::int32_t index, Block& b) const;
  Column rows_if(const detail::Node& n, Block& b) const;
  Column rows_coalesce(const detail::Node& n, Block& b) const;
  Column rows_call(const detail::Node& n, Block& b) const;
  Column rows_by_row(std::int32_t index, Block& b) const;
  // `given`: the arguments already evaluated (block evaluation), else each is evaluated here.
  Value call(const detail::Node& node, const EvalContext& ctx, Value item,
             const Value* given = nullptr) const;
  // map(list, expression) and filter(list, predicate): a list in ctx.arena.
  Value map_or_filter(const detail::Node& node, const EvalContext& ctx, Value list) const;
};

namespace detail {

std::shared_ptr<Expression::Impl> build_expression(std::string_view text, const Scope& scope,
                                                   const StaticType* dollar, const Limits& limits);
std::shared_ptr<Expression::Impl> build_unary_test(std::string_view text, const Scope& scope,
                                                   const StaticType& dollar, const Limits& limits);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
