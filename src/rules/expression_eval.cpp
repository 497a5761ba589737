#include <algorithm>
#include <cstdint>
#include <limits>

#include "rules/expression_impl.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

bool compare_values(const Value& a, const Value& b, int& order) {
  if (a.is_number() && b.is_number()) {
    order = compare_numbers(a, b);
    return true;
  }
  if (a.type() != b.type()) return false;
  if (a.type() == Type::string) {
    int c = a.as_string().compare(b.as_string());
    order = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return true;
  }
  if (a.type() == Type::date) {
    order = a.as_date() < b.as_date() ? -1 : (b.as_date() < a.as_date() ? 1 : 0);
    return true;
  }
  return false;
}

Value equal_values(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::null();
  return Value::boolean(a == b);
}

std::optional<Decimal> to_decimal(const Value& v) {
  if (v.type() == Type::integer) return Decimal::from_int(v.as_int());
  if (v.type() == Type::decimal) return Decimal::from_units(v.as_int());
  return std::nullopt;
}

namespace {

Value arithmetic(Op op, const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return Value::null();
  if (a.type() == Type::integer && b.type() == Type::integer && op != Op::divide) {
    std::int64_t r = 0;
    bool overflow = false;
    switch (op) {
      case Op::add:
        overflow = __builtin_add_overflow(a.as_int(), b.as_int(), &r);
        break;
      case Op::subtract:
        overflow = __builtin_sub_overflow(a.as_int(), b.as_int(), &r);
        break;
      default:
        overflow = __builtin_mul_overflow(a.as_int(), b.as_int(), &r);
        break;
    }
    return overflow ? Value::null() : Value::integer(r);
  }
  std::optional<Decimal> x = to_decimal(a), y = to_decimal(b);
  if (!x || !y) return Value::null();
  std::optional<Decimal> r;
  switch (op) {
    case Op::add:
      r = add(*x, *y);
      break;
    case Op::subtract:
      r = subtract(*x, *y);
      break;
    case Op::multiply:
      r = multiply(*x, *y);
      break;
    default:
      r = divide(*x, *y);
      break;
  }
  return r ? Value::decimal(*r) : Value::null();
}

Value ordering(Op op, const Value& a, const Value& b) {
  int order = 0;
  if (!compare_values(a, b, order)) return Value::null();
  switch (op) {
    case Op::less:
      return Value::boolean(order < 0);
    case Op::less_equal:
      return Value::boolean(order <= 0);
    case Op::greater:
      return Value::boolean(order > 0);
    default:
      return Value::boolean(order >= 0);
  }
}

// One bound of a range as a three-valued test.
Value bound_test(const Value& x, const Value& bound, bool low, bool open) {
  int order = 0;
  if (!compare_values(x, bound, order)) return Value::null();
  if (low) return Value::boolean(open ? order > 0 : order >= 0);
  return Value::boolean(open ? order < 0 : order <= 0);
}

// The same scalar, bit for bit (a text at the same address with the same length); lists are
// never taken as identical.
bool identical(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::null:
      return true;
    case Type::boolean:
      return a.as_bool() == b.as_bool();
    case Type::integer:
    case Type::decimal:
    case Type::date:
      return a.as_int() == b.as_int();
    case Type::string:
      return a.as_string().data() == b.as_string().data() &&
             a.as_string().size() == b.as_string().size();
    default:
      return false;
  }
}

Value and3(const Value& a, const Value& b) {
  bool a_false = a.type() == Type::boolean && !a.as_bool();
  bool b_false = b.type() == Type::boolean && !b.as_bool();
  if (a_false || b_false) return Value::boolean(false);
  if (a.type() == Type::boolean && b.type() == Type::boolean) return Value::boolean(true);
  return Value::null();
}

}  // namespace
}  // namespace detail

using detail::Fn;
using detail::identical;
using detail::Node;
using detail::Op;

Value Expression::Impl::eval(std::int32_t index, const EvalContext& ctx, Value item) const {
  const Node& n = nodes[static_cast<std::size_t>(index)];
  switch (n.op) {
    case Op::constant:
      return n.value;
    case Op::slot:
      return ctx.slots ? ctx.slots[n.a] : Value::null();
    case Op::dollar:
      return ctx.dollar;
    case Op::item:
      return item;
    case Op::item_field: {
      // The item of a list of objects is its index; the field's column has one value per item.
      const Value column = ctx.slots ? ctx.slots[n.a] : Value::null();
      if (column.type() != Type::list || item.type() != Type::integer || item.as_int() < 0 ||
          static_cast<std::uint64_t>(item.as_int()) >= column.list_size())
        return Value::null();
      return column[static_cast<std::size_t>(item.as_int())];
    }
    case Op::negate: {
      Value v = eval(n.a, ctx, item);
      if (!v.is_number() || v.as_int() == std::numeric_limits<std::int64_t>::min())
        return Value::null();
      return v.type() == Type::integer ? Value::integer(-v.as_int())
                                       : Value::decimal(Decimal::from_units(-v.as_int()));
    }
    case Op::logical_not: {
      Value v = eval(n.a, ctx, item);
      return v.type() == Type::boolean ? Value::boolean(!v.as_bool()) : Value::null();
    }
    case Op::logical_and:
    case Op::logical_or: {
      // The deciding value wins over unknowns: false for and, true for or.
      const bool decisive = n.op == Op::logical_or;
      bool unknown = false;
      for (std::uint32_t k = 0; k < n.args_count; ++k) {
        Value v = eval(args[n.args_begin + k], ctx, item);
        if (v.type() != Type::boolean)
          unknown = true;
        else if (v.as_bool() == decisive)
          return Value::boolean(decisive);
      }
      return unknown ? Value::null() : Value::boolean(!decisive);
    }
    case Op::equal:
      return detail::equal_values(eval(n.a, ctx, item), eval(n.b, ctx, item));
    case Op::not_equal: {
      Value r = detail::equal_values(eval(n.a, ctx, item), eval(n.b, ctx, item));
      return r.is_null() ? r : Value::boolean(!r.as_bool());
    }
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
      return detail::ordering(n.op, eval(n.a, ctx, item), eval(n.b, ctx, item));
    case Op::is_null:
      return Value::boolean(eval(n.a, ctx, item).is_null());
    case Op::is_not_null:
      return Value::boolean(!eval(n.a, ctx, item).is_null());
    case Op::add:
    case Op::subtract:
    case Op::multiply:
    case Op::divide: {
      // Down the chain's left operands, then up again applying each operator in turn: the
      // left fold of a + b - c + ... without a frame per term.
      std::int32_t at = index;
      while (detail::is_arithmetic(
          nodes[static_cast<std::size_t>(nodes[static_cast<std::size_t>(at)].a)].op))
        at = nodes[static_cast<std::size_t>(at)].a;
      Value acc = eval(nodes[static_cast<std::size_t>(at)].a, ctx, item);
      for (;;) {
        const Node& step = nodes[static_cast<std::size_t>(at)];
        acc = detail::arithmetic(step.op, acc, eval(step.b, ctx, item));
        if (at == index) return acc;
        at = step.up;
      }
    }
    case Op::in_range: {
      Value x = eval(n.a, ctx, item);
      if (x.is_null()) return x;
      Value low = detail::bound_test(x, eval(n.b, ctx, item), true, n.flags & detail::kLowOpen);
      Value high = detail::bound_test(x, eval(n.c, ctx, item), false, n.flags & detail::kHighOpen);
      return detail::and3(low, high);
    }
    case Op::in_list: {
      Value x = eval(n.a, ctx, item);
      if (x.is_null()) return x;
      bool unknown = false;
      const Node& list = nodes[static_cast<std::size_t>(n.b)];
      if (list.op == Op::list) {
        // A literal's items are tested in place, so "x in [a, b]" builds no list.
        for (std::uint32_t k = 0; k < list.args_count; ++k) {
          Value r = detail::equal_values(x, eval(args[list.args_begin + k], ctx, item));
          if (r.is_null())
            unknown = true;
          else if (r.as_bool())
            return r;
        }
      } else {
        Value l = eval(n.b, ctx, item);
        if (l.type() != Type::list) return Value::null();
        for (std::size_t k = 0; k < l.list_size(); ++k) {
          Value r = detail::equal_values(x, l[k]);
          if (r.is_null())
            unknown = true;
          else if (r.as_bool())
            return r;
        }
      }
      return unknown ? Value::null() : Value::boolean(false);
    }
    case Op::list: {
      if (!ctx.arena) return Value::null();
      Value* items = ctx.arena->allocate_values(n.args_count);
      for (std::uint32_t k = 0; k < n.args_count; ++k)
        items[k] = eval(args[n.args_begin + k], ctx, item);
      return Value::list(items, n.args_count);
    }
    case Op::if_then_else: {
      Value c = eval(n.a, ctx, item);
      if (c.type() != Type::boolean) return Value::null();
      return eval(c.as_bool() ? n.b : n.c, ctx, item);
    }
    case Op::call:
      return call(n, ctx, item);
  }
  return Value::null();
}

// Column-at-a-time evaluation. Every operator applies the same scalar helpers as eval(), so the
// results agree by construction; operators without a column form (calls, lists, "#") fall back
// to eval() on each row's frame. The language is total, so evaluating both branches of an "if"
// or every operand of "and" changes nothing but time.
Expression::Impl::Column Expression::Impl::eval_rows(std::int32_t index, Block& b) const {
  const Node& n = nodes[static_cast<std::size_t>(index)];
  switch (n.op) {
    case Op::constant:
      return {&n.value, 0};
    case Op::slot:
      return {b.frames + n.a, b.stride};
    case Op::logical_not:
      return rows_not(n, b);
    case Op::logical_and:
    case Op::logical_or:
      return rows_logical(n, b);
    case Op::equal:
    case Op::not_equal:
      return rows_equal(n, b);
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
      return rows_order(n, b);
    case Op::is_null:
    case Op::is_not_null:
      return rows_is_null(n, b);
    case Op::add:
    case Op::subtract:
    case Op::multiply:
    case Op::divide:
      return rows_arithmetic(index, b);
    case Op::if_then_else:
      return rows_if(n, b);
    case Op::call:
      if (n.fn == Fn::coalesce) return rows_coalesce(n, b);
      if (!(n.args_count >= 2 && detail::binds_item(n.fn))) return rows_call(n, b);  // no predicate
      break;
    default:
      break;
  }
  return rows_by_row(index, b);
}

namespace {

// A fresh column of the block's rows, from its bump storage.
Value* fresh_column(Expression::Impl::Block& b) {
  Value* out = b.pool + b.used;
  b.used += b.rows;
  return out;
}

}  // namespace

Expression::Impl::Column Expression::Impl::rows_not(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  Column a = eval_rows(n.a, b);
  Value* out = fresh_column(b);
  for (std::size_t i = 0; i < rows; ++i)
    out[i] = a[i].type() == Type::boolean ? Value::boolean(!a[i].as_bool()) : Value::null();
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_logical(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  // Per row: 0 undecided so far and no unknown, 1 unknown seen, 2 decided.
  const bool decisive = n.op == Op::logical_or;
  Value* out = fresh_column(b);
  const std::size_t mark = b.used;
  std::uint8_t* state = reinterpret_cast<std::uint8_t*>(b.pool + b.used);
  b.used += (rows + sizeof(Value) - 1) / sizeof(Value);
  std::fill(state, state + rows, std::uint8_t{0});
  for (std::uint32_t k = 0; k < n.args_count; ++k) {
    const Node& arg = nodes[static_cast<std::size_t>(args[n.args_begin + k])];
    if ((arg.op == Op::equal || arg.op == Op::not_equal) &&
        nodes[static_cast<std::size_t>(arg.a)].op == Op::slot &&
        nodes[static_cast<std::size_t>(arg.b)].op == Op::constant &&
        nodes[static_cast<std::size_t>(arg.b)].value.type() == Type::string) {
      // name = "literal" read straight from the frames, as the equal case below computes
      // it: null stays unknown, any other value is equal or not.
      const Value* x = b.frames + nodes[static_cast<std::size_t>(arg.a)].a;
      const std::string_view literal = nodes[static_cast<std::size_t>(arg.b)].value.as_string();
      const bool negate = arg.op == Op::not_equal;
      for (std::size_t i = 0; i < rows; ++i) {
        const Value& v = x[i * b.stride];
        if (v.is_null()) {
          state[i] = state[i] == 2 ? 2 : 1;
          continue;
        }
        const bool same = v.type() == Type::string && same_text(v.as_string(), literal);
        if ((same != negate) == decisive) state[i] = 2;
      }
      continue;
    }
    const std::size_t before = b.used;
    Column v = eval_rows(args[n.args_begin + k], b);
    for (std::size_t i = 0; i < rows; ++i) {
      const Value& x = v[i];
      if (x.type() != Type::boolean)
        state[i] = state[i] == 2 ? 2 : 1;
      else if (x.as_bool() == decisive)
        state[i] = 2;
    }
    b.used = before;
  }
  for (std::size_t i = 0; i < rows; ++i)
    out[i] = state[i] == 2   ? Value::boolean(decisive)
             : state[i] == 1 ? Value::null()
                             : Value::boolean(!decisive);
  b.used = mark;
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_equal(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  const bool negate = n.op == Op::not_equal;
  const Node& right = nodes[static_cast<std::size_t>(n.b)];
  if (right.op == Op::constant && right.value.type() == Type::string) {
    // name = "literal", the usual shape of a test on an enum: compare text directly.
    Column x = eval_rows(n.a, b);
    Value* out = fresh_column(b);
    const std::string_view literal = right.value.as_string();
    for (std::size_t i = 0; i < rows; ++i) {
      const Value& v = x[i];
      if (v.is_null()) {
        out[i] = v;
        continue;
      }
      const bool same = v.type() == Type::string && same_text(v.as_string(), literal);
      out[i] = Value::boolean(same != negate);
    }
    return {out, 1};
  }
  Column x = eval_rows(n.a, b), y = eval_rows(n.b, b);
  Value* out = fresh_column(b);
  for (std::size_t i = 0; i < rows; ++i) {
    Value r = detail::equal_values(x[i], y[i]);
    out[i] = (negate && !r.is_null()) ? Value::boolean(!r.as_bool()) : r;
  }
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_order(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  Column x = eval_rows(n.a, b), y = eval_rows(n.b, b);
  Value* out = fresh_column(b);
  for (std::size_t i = 0; i < rows; ++i) {
    const Value& l = x[i];
    const Value& r = y[i];
    if (l.type() == Type::integer && r.type() == Type::integer) {
      // Two integers (ages, durations): their order is compare_numbers' order.
      const std::int64_t p = l.as_int(), q = r.as_int();
      const int order = p < q ? -1 : (p > q ? 1 : 0);
      out[i] = Value::boolean(n.op == Op::less         ? order < 0
                              : n.op == Op::less_equal ? order <= 0
                              : n.op == Op::greater    ? order > 0
                                                       : order >= 0);
      continue;
    }
    out[i] = detail::ordering(n.op, l, r);
  }
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_is_null(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  Column x = eval_rows(n.a, b);
  Value* out = fresh_column(b);
  const bool want = n.op == Op::is_null;
  for (std::size_t i = 0; i < rows; ++i) out[i] = Value::boolean(x[i].is_null() == want);
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_arithmetic(std::int32_t index, Block& b) const {
  const std::size_t rows = b.rows;
  // A chain a + b - c + ... as eval() walks it: one column accumulates the left fold.
  std::int32_t at = index;
  while (detail::is_arithmetic(
      nodes[static_cast<std::size_t>(nodes[static_cast<std::size_t>(at)].a)].op))
    at = nodes[static_cast<std::size_t>(at)].a;
  Column x = eval_rows(nodes[static_cast<std::size_t>(at)].a, b);
  Column y = eval_rows(nodes[static_cast<std::size_t>(at)].b, b);
  Value* out = fresh_column(b);
  for (std::size_t i = 0; i < rows; ++i)
    out[i] = detail::arithmetic(nodes[static_cast<std::size_t>(at)].op, x[i], y[i]);
  while (at != index) {
    at = nodes[static_cast<std::size_t>(at)].up;
    const Node& step = nodes[static_cast<std::size_t>(at)];
    const std::size_t mark = b.used;
    Column z = eval_rows(step.b, b);
    for (std::size_t i = 0; i < rows; ++i) out[i] = detail::arithmetic(step.op, out[i], z[i]);
    b.used = mark;
  }
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_if(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  Column c = eval_rows(n.a, b), t = eval_rows(n.b, b), e = eval_rows(n.c, b);
  Value* out = fresh_column(b);
  for (std::size_t i = 0; i < rows; ++i)
    out[i] = c[i].type() != Type::boolean ? Value::null() : (c[i].as_bool() ? t[i] : e[i]);
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_coalesce(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  Value* out = fresh_column(b);
  for (std::size_t i = 0; i < rows; ++i) out[i] = Value::null();
  for (std::uint32_t k = 0; k < n.args_count; ++k) {
    const std::size_t before = b.used;
    Column v = eval_rows(args[n.args_begin + k], b);
    for (std::size_t i = 0; i < rows; ++i)
      if (out[i].is_null()) out[i] = v[i];
    b.used = before;
  }
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_call(const Node& n, Block& b) const {
  const std::size_t rows = b.rows;
  constexpr std::uint32_t kLocal = 8;
  Column local_columns[kLocal];
  Value local_values[kLocal];
  std::vector<Column> many_columns;
  std::vector<Value> many_values;
  if (n.args_count > kLocal) {
    many_columns.resize(n.args_count, Column{nullptr, 0});
    many_values.resize(n.args_count);
  }
  Column* argv = n.args_count > kLocal ? many_columns.data() : local_columns;
  Value* given = n.args_count > kLocal ? many_values.data() : local_values;
  for (std::uint32_t k = 0; k < n.args_count; ++k) argv[k] = eval_rows(args[n.args_begin + k], b);
  Value* out = fresh_column(b);
  EvalContext ctx{nullptr, Value::null(), b.arena};
  for (std::size_t i = 0; i < rows; ++i) {
    // Functions read only their arguments: the same arguments as the row before give
    // the same value. The reference date is the same on every row, so a deadline such
    // as add_months(reference_date, 1) is worked out once per block.
    bool same = i > 0;
    for (std::uint32_t k = 0; k < n.args_count; ++k) {
      const Value& v = argv[k][i];
      same = same && identical(v, given[k]);
      given[k] = v;
    }
    if (same) {
      out[i] = out[i - 1];
      continue;
    }
    ctx.slots = b.frames + i * b.stride;
    out[i] = call(n, ctx, Value::null(), given);
  }
  return {out, 1};
}

Expression::Impl::Column Expression::Impl::rows_by_row(std::int32_t index, Block& b) const {
  const std::size_t rows = b.rows;
  Value* out = fresh_column(b);
  EvalContext ctx{nullptr, Value::null(), b.arena};
  for (std::size_t i = 0; i < rows; ++i) {
    ctx.slots = b.frames + i * b.stride;
    out[i] = eval(index, ctx, Value::null());
  }
  return {out, 1};
}

void Expression::evaluate_rows(const Value* frames, std::size_t stride, std::size_t rows,
                               Value* out, std::size_t out_stride, std::vector<Value>& scratch,
                               Arena* arena) const {
  if (impl_->constant) {
    for (std::size_t i = 0; i < rows; ++i) out[i * out_stride] = impl_->constant_value;
    return;
  }
  // Each node holds at most one column (and and/or a row of flags) while its parent runs.
  const std::size_t need = 2 * (impl_->nodes.size() + 1) * rows;
  if (scratch.size() < need) scratch.resize(need);
  Impl::Block block{frames, stride, rows, arena, scratch.data(), 0};
  Impl::Column c = impl_->eval_rows(impl_->root, block);
  for (std::size_t i = 0; i < rows; ++i) out[i * out_stride] = c[i];
}

}  // namespace v1
}  // namespace aiguillage
