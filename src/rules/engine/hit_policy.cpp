#include "rules/engine/hit_policy.hpp"

#include <algorithm>
#include <optional>

namespace aiguillage {
inline namespace v1 {
namespace engine {

std::vector<std::size_t> priority_of(const DecisionTable& d, int r) {
  std::vector<std::size_t> key;
  const Rule& rule = d.rules[static_cast<std::size_t>(r)];
  for (std::size_t o = 0; o < d.outputs.size(); ++o) {
    const auto& vals = d.outputs[o].values;
    std::size_t pos = vals.size();
    if (rule.then[o].is_constant()) {
      Value v = rule.then[o].constant_value();
      if (v.type() == Type::string)
        pos = static_cast<std::size_t>(std::find(vals.begin(), vals.end(), v.as_string()) -
                                       vals.begin());
    }
    key.push_back(pos);
  }
  return key;
}

Value aggregate(HitPolicy policy, const std::vector<Value>& values, Arena& arena) {
  (void)arena;
  if (policy == HitPolicy::collect_count)
    return Value::integer(static_cast<std::int64_t>(values.size()));
  if (values.empty()) return Value::null();
  Value acc = values[0];
  for (std::size_t k = 1; k < values.size(); ++k) {
    const Value& v = values[k];
    if (v.is_null() || acc.is_null()) return Value::null();
    if (policy == HitPolicy::collect_sum) {
      if (acc.type() == Type::integer && v.type() == Type::integer) {
        std::int64_t s;
        if (__builtin_add_overflow(acc.as_int(), v.as_int(), &s)) return Value::null();
        acc = Value::integer(s);
      } else {
        // An integer too wide for a decimal makes the sum unknown, like any overflow.
        auto widen = [](const Value& x) -> std::optional<Decimal> {
          if (x.type() == Type::integer) return Decimal::from_int(x.as_int());
          return Decimal{x.as_int()};
        };
        auto x = widen(acc), y = widen(v);
        if (!x || !y) return Value::null();
        auto s = add(*x, *y);
        if (!s) return Value::null();
        acc = Value::decimal(*s);
      }
    } else if (policy == HitPolicy::collect_min) {
      if (compare_numbers(v, acc) < 0) acc = v;
    } else if (compare_numbers(v, acc) > 0) {
      acc = v;
    }
  }
  return acc;
}

std::string rule_list(const DecisionTable& d, const std::vector<int>& rules) {
  std::string s;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    if (k) s += k + 1 == rules.size() ? " and " : ", ";
    s += d.rules[static_cast<std::size_t>(rules[k])].id;
  }
  return s;
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
