#include <cstdint>
#include <limits>

#include "aiguillage/detail/expression_impl.hpp"

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

Value and3(const Value& a, const Value& b) {
  bool a_false = a.type() == Type::boolean && !a.as_bool();
  bool b_false = b.type() == Type::boolean && !b.as_bool();
  if (a_false || b_false) return Value::boolean(false);
  if (a.type() == Type::boolean && b.type() == Type::boolean) return Value::boolean(true);
  return Value::null();
}

}  // namespace
}  // namespace detail

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
    case Op::divide:
      return detail::arithmetic(n.op, eval(n.a, ctx, item), eval(n.b, ctx, item));
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

}  // namespace v1
}  // namespace aiguillage
