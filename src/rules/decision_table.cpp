#include "aiguillage/rules/decision_table.hpp"

#include <algorithm>
#include <unordered_map>

#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Kind = CompiledTable::Column::Kind;

constexpr std::int64_t kMaxWholeUnits = INT64_MAX / Decimal::kOne;

// Numbers live in decimal units (integers scaled); values beyond the decimal range saturate,
// which keeps their order against every constant a cell can hold.
std::int64_t scalar_of(const Value& v) {
  switch (v.type()) {
    case Type::integer:
      if (v.as_int() > kMaxWholeUnits) return INT64_MAX;
      if (v.as_int() < -kMaxWholeUnits) return INT64_MIN;
      return v.as_int() * Decimal::kOne;
    case Type::decimal:
      return v.as_int();
    case Type::date:
      return v.as_date().days;
    default:
      return 0;
  }
}

struct Bound {
  std::int64_t lo = 0, hi = 0;
  bool lo_open = false, hi_open = false, lo_inf = false, hi_inf = false;
};

bool contains_point(const Bound& b, std::int64_t x) {
  bool above = b.lo_inf || b.lo < x || (b.lo == x && !b.lo_open);
  bool below = b.hi_inf || x < b.hi || (x == b.hi && !b.hi_open);
  return above && below;
}

// The open region (a, b) between two consecutive cut points holds no cut point, so an interval
// whose ends are cut points either covers it whole or misses it.
bool covers_region(const Bound& b, bool a_inf, std::int64_t a, bool c_inf, std::int64_t c) {
  bool left = b.lo_inf || (!a_inf && b.lo <= a);
  bool right = b.hi_inf || (!c_inf && b.hi >= c);
  return left && right;
}

bool structure_fits(const UnaryStructure& s, Kind k) {
  switch (s.kind) {
    case UnaryStructure::Kind::any:
    case UnaryStructure::Kind::is_null:
      return true;
    case UnaryStructure::Kind::intervals:
      return k == Kind::numeric || k == Kind::date;
    case UnaryStructure::Kind::values:
      if (k == Kind::boolean) {
        for (const Value& v : s.values)
          if (v.type() != Type::boolean) return false;
        return true;
      }
      if (k == Kind::enumeration || k == Kind::strings) {
        for (const Value& v : s.values)
          if (v.type() != Type::string) return false;
        return true;
      }
      return false;
  }
  return false;
}

// A generic cell's result: true, null (unknown), anything else false.
Truth truth_of(const Value& r) {
  if (r.is_null()) return Truth::unknown;
  return r.type() == Type::boolean && r.as_bool() ? Truth::yes : Truth::no;
}

void set_bit(std::uint64_t* row, std::size_t r) {
  row[r / 64] |= std::uint64_t{1} << (r % 64);
}

}  // namespace

CompiledTable::CompiledTable(const Decision& d) {
  rules_ = d.rules.size();
  words_ = std::max<std::size_t>(1, (rules_ + 63) / 64);
  columns_.resize(d.inputs.size());
  generic_offsets_.assign(d.inputs.size() + 1, 0);
  for (std::size_t c = 0; c < d.inputs.size(); ++c) {
    Column& col = columns_[c];
    col.type = d.inputs[c].expr.type();
    col.slot = d.inputs[c].expr.single_slot();
    switch (col.type.kind) {
      case TypeKind::integer:
      case TypeKind::decimal:
        col.kind = Kind::numeric;
        break;
      case TypeKind::date:
        col.kind = Kind::date;
        break;
      case TypeKind::boolean:
        col.kind = Kind::boolean;
        break;
      case TypeKind::string:
        col.kind = col.type.domain ? Kind::enumeration : Kind::strings;
        break;
      default:
        col.kind = Kind::opaque;
    }
    // Structured cells and the bounds they cut the domain at.
    std::vector<const UnaryStructure*> shapes(rules_, nullptr);
    std::vector<std::vector<Bound>> bounds(rules_);
    for (std::size_t r = 0; r < rules_; ++r) {
      const auto& s = d.rules[r].when[c].structure();
      if (s && structure_fits(*s, col.kind)) shapes[r] = &*s;
      if (!shapes[r] || s->kind != UnaryStructure::Kind::intervals) continue;
      for (const Interval& iv : s->intervals) {
        Bound b;
        b.lo_inf = iv.lo_inf;
        b.hi_inf = iv.hi_inf;
        b.lo_open = iv.lo_open;
        b.hi_open = iv.hi_open;
        if (!b.lo_inf) {
          b.lo = scalar_of(iv.lo);
          col.points.push_back(b.lo);
        }
        if (!b.hi_inf) {
          b.hi = scalar_of(iv.hi);
          col.points.push_back(b.hi);
        }
        bounds[r].push_back(b);
      }
    }
    std::sort(col.points.begin(), col.points.end());
    col.points.erase(std::unique(col.points.begin(), col.points.end()), col.points.end());
    if (col.kind == Kind::enumeration) {
      col.literals = *col.type.domain;
    } else if (col.kind == Kind::strings) {
      for (std::size_t r = 0; r < rules_; ++r)
        if (shapes[r] && shapes[r]->kind == UnaryStructure::Kind::values)
          for (const Value& v : shapes[r]->values) col.literals.emplace_back(v.as_string());
      std::sort(col.literals.begin(), col.literals.end());
      col.literals.erase(std::unique(col.literals.begin(), col.literals.end()), col.literals.end());
    }
    for (std::size_t k = 0; k < col.literals.size(); ++k)
      col.literal_index.emplace(col.literals[k], static_cast<std::uint32_t>(k));
    switch (col.kind) {
      case Kind::numeric:
      case Kind::date:
        col.key_count = static_cast<std::uint32_t>(2 * col.points.size() + 2);
        break;
      case Kind::enumeration:
      case Kind::strings:
        col.key_count = static_cast<std::uint32_t>(col.literals.size() + 2);
        break;
      case Kind::boolean:
        col.key_count = 3;
        break;
      case Kind::opaque:
        col.key_count = 2;
        break;
    }
    col.accept.assign(std::size_t{col.key_count} * words_, 0);
    col.unknown.assign(std::size_t{col.key_count} * words_, 0);
    const std::uint32_t null_key = col.null_key();
    const std::size_t n_points = col.points.size();

    // Whether a structured cell's items hold for a non-null key (before negation).
    auto member = [&](std::size_t r, std::uint32_t key) -> bool {
      const UnaryStructure& s = *shapes[r];
      switch (col.kind) {
        case Kind::numeric:
        case Kind::date: {
          if (key % 2 == 1) {
            std::int64_t x = col.points[key / 2];
            for (const Bound& b : bounds[r])
              if (contains_point(b, x)) return true;
            return false;
          }
          std::size_t i = key / 2;  // region between points[i-1] and points[i]
          bool a_inf = i == 0, c_inf = i == n_points;
          std::int64_t a = a_inf ? 0 : col.points[i - 1];
          std::int64_t b = c_inf ? 0 : col.points[i];
          for (const Bound& bd : bounds[r])
            if (covers_region(bd, a_inf, a, c_inf, b)) return true;
          return false;
        }
        case Kind::enumeration:
        case Kind::strings: {
          if (key >= col.literals.size()) return false;  // "anything else"
          for (const Value& v : s.values)
            if (v.as_string() == col.literals[key]) return true;
          return false;
        }
        case Kind::boolean:
          for (const Value& v : s.values)
            if (v.as_bool() == (key == 1)) return true;
          return false;
        case Kind::opaque:
          return false;
      }
      return false;
    };

    std::unordered_map<std::string, std::size_t> generic_index;
    for (std::size_t r = 0; r < rules_; ++r) {
      if (!shapes[r]) {
        const std::string& text = d.rules[r].when_text[c];
        auto [it, fresh] = generic_index.emplace(text, col.generics.size());
        if (fresh)
          col.generics.push_back(
              Column::Generic{d.rules[r].when[c], std::vector<std::uint64_t>(words_, 0)});
        set_bit(col.generics[it->second].rules.data(), r);
        continue;
      }
      const UnaryStructure& s = *shapes[r];
      for (std::uint32_t key = 0; key < col.key_count; ++key) {
        std::uint64_t* acc = &col.accept[key * words_];
        std::uint64_t* unk = &col.unknown[key * words_];
        if (s.kind == UnaryStructure::Kind::any) {
          set_bit(acc, r);
        } else if (s.kind == UnaryStructure::Kind::is_null) {
          if (key == null_key) set_bit(acc, r);
        } else if (key == null_key) {
          set_bit(unk, r);  // a test on null is unknown, negated or not
        } else if (member(r, key) != s.negated) {
          set_bit(acc, r);
        }
      }
    }
    // Direct lookup for integer and date columns with nearby cut points.
    const bool whole =
        col.kind == Kind::date || (col.kind == Kind::numeric && col.type.kind == TypeKind::integer);
    if (whole && !col.points.empty()) {
      const std::int64_t unit = col.kind == Kind::date ? 1 : Decimal::kOne;
      bool integral = true;
      for (std::int64_t q : col.points) integral = integral && q % unit == 0;
      const std::int64_t lo = col.points.front() / unit, hi = col.points.back() / unit;
      if (integral && hi - lo <= 65536) {
        col.lut_low = lo;
        col.lut.resize(static_cast<std::size_t>(hi - lo + 1));
        std::size_t below = 0;
        for (std::int64_t x = lo; x <= hi; ++x) {
          while (below < col.points.size() && col.points[below] < x * unit) ++below;
          bool at = below < col.points.size() && col.points[below] == x * unit;
          col.lut[static_cast<std::size_t>(x - lo)] = static_cast<std::uint32_t>(2 * below + at);
        }
      }
    }
    col.first_word.assign(col.key_count, static_cast<std::uint32_t>(words_));
    for (std::uint32_t key = 0; key < col.key_count; ++key)
      for (std::size_t w = 0; w < words_; ++w)
        if (col.accept[key * words_ + w] | col.unknown[key * words_ + w]) {
          col.first_word[key] = static_cast<std::uint32_t>(w);
          break;
        }
    for (Column::Generic& g : col.generics) {
      g.first_word = static_cast<std::uint32_t>(words_);
      for (std::size_t w = 0; w < words_; ++w)
        if (g.rules[w]) {
          g.first_word = static_cast<std::uint32_t>(w);
          break;
        }
    }
    col.always.assign(words_, ~std::uint64_t{0});
    for (std::uint32_t key = 0; key < col.key_count; ++key)
      for (std::size_t w = 0; w < words_; ++w) col.always[w] &= col.accept[key * words_ + w];
    generic_offsets_[c + 1] = generic_offsets_[c] + col.generics.size();
  }
}

std::uint32_t CompiledTable::key_of(std::size_t c, const Value& v) const {
  const Column& col = columns_[c];
  if (v.is_null()) return col.null_key();
  switch (col.kind) {
    case Kind::numeric:
      if (!v.is_number()) return col.null_key();
      return key_of_scalar(c, scalar_of(v));
    case Kind::date:
      if (v.type() != Type::date) return col.null_key();
      return key_of_scalar(c, v.as_date().days);
    case Kind::enumeration:
    case Kind::strings: {
      if (v.type() != Type::string) return col.null_key();
      const std::string_view s = v.as_string();
      if (col.kind == Kind::enumeration && col.type.domain) {
        // Validated enum values point at the domain's own strings: compare addresses first.
        const auto& domain = *col.type.domain;
        for (std::size_t k = 0; k < domain.size(); ++k)
          if (s.data() == domain[k].data()) return static_cast<std::uint32_t>(k);
      }
      if (col.literals.size() <= 16) {
        for (std::size_t k = 0; k < col.literals.size(); ++k)
          if (same_text(col.literals[k], s)) return static_cast<std::uint32_t>(k);
        return static_cast<std::uint32_t>(col.literals.size());
      }
      auto it = col.literal_index.find(s);
      return it == col.literal_index.end() ? static_cast<std::uint32_t>(col.literals.size())
                                           : it->second;
    }
    case Kind::boolean:
      if (v.type() != Type::boolean) return col.null_key();
      return v.as_bool() ? 1 : 0;
    case Kind::opaque:
      return 0;
  }
  return col.null_key();
}

void CompiledTable::column_masks(std::size_t c, const Value& v, std::uint32_t key,
                                 const EvalContext& ctx, std::uint64_t* accept,
                                 std::uint64_t* unknown, Truth* truths) const {
  const Column& col = columns_[c];
  const std::uint64_t* a = &col.accept[key * words_];
  const std::uint64_t* u = &col.unknown[key * words_];
  for (std::size_t w = 0; w < words_; ++w) {
    accept[w] = a[w];
    unknown[w] = u[w];
  }
  if (col.generics.empty()) return;
  EvalContext cell_ctx = ctx;
  cell_ctx.dollar = v;
  for (std::size_t g = 0; g < col.generics.size(); ++g) {
    const Truth t = truth_of(col.generics[g].cell.evaluate(cell_ctx));
    if (truths) truths[g] = t;
    const auto& bits = col.generics[g].rules;
    if (t == Truth::yes)
      for (std::size_t w = 0; w < words_; ++w) accept[w] |= bits[w];
    else if (t == Truth::unknown)
      for (std::size_t w = 0; w < words_; ++w) unknown[w] |= bits[w];
  }
}

void CompiledTable::generic_truths(std::size_t c, const Value& v, const EvalContext& ctx,
                                   Truth* truths) const {
  const Column& col = columns_[c];
  EvalContext cell_ctx = ctx;
  cell_ctx.dollar = v;
  for (std::size_t g = 0; g < col.generics.size(); ++g)
    truths[g] = truth_of(col.generics[g].cell.evaluate(cell_ctx));
}

void CompiledTable::masks_from_trace(std::size_t c, std::uint32_t key, const Truth* truths,
                                     std::uint64_t* accept, std::uint64_t* unknown) const {
  const Column& col = columns_[c];
  const std::uint64_t* a = &col.accept[key * words_];
  const std::uint64_t* u = &col.unknown[key * words_];
  for (std::size_t w = 0; w < words_; ++w) {
    accept[w] = a[w];
    unknown[w] = u[w];
  }
  for (std::size_t g = 0; g < col.generics.size(); ++g) {
    const auto& bits = col.generics[g].rules;
    if (truths[g] == Truth::yes)
      for (std::size_t w = 0; w < words_; ++w) accept[w] |= bits[w];
    else if (truths[g] == Truth::unknown)
      for (std::size_t w = 0; w < words_; ++w) unknown[w] |= bits[w];
  }
}

std::optional<Value> CompiledTable::representative(std::size_t c, std::uint32_t key,
                                                   Arena& arena) const {
  const Column& col = columns_[c];
  if (key == col.null_key()) return Value::null();
  switch (col.kind) {
    case Kind::numeric:
    case Kind::date: {
      const bool is_int = col.type.kind == TypeKind::integer;
      const std::int64_t step = col.kind == Kind::date ? 1 : Decimal::kOne;
      auto make = [&](std::int64_t x) -> std::optional<Value> {
        if (col.kind == Kind::date) {
          if (!add_days(Date{0}, x)) return std::nullopt;
          return Value::date(Date{static_cast<std::int32_t>(x)});
        }
        if (is_int) {
          if (x % Decimal::kOne != 0) return std::nullopt;
          return Value::integer(x / Decimal::kOne);
        }
        return Value::decimal(Decimal{x});
      };
      const auto& p = col.points;
      if (key % 2 == 1) return make(p[key / 2]);
      auto floor_whole = [](std::int64_t x) {
        std::int64_t q = x / Decimal::kOne;
        if (x % Decimal::kOne != 0 && x < 0) --q;
        return q * Decimal::kOne;
      };
      std::size_t i = key / 2;
      if (p.empty()) return make(0);
      if (i == 0) {
        if (!is_int || col.kind == Kind::date) return make(p[0] - step);
        std::int64_t below = floor_whole(p[0]);
        return make(below == p[0] ? below - Decimal::kOne : below);
      }
      if (i == p.size()) {
        if (!is_int || col.kind == Kind::date) return make(p.back() + step);
        return make(floor_whole(p.back()) + Decimal::kOne);
      }
      std::int64_t a = p[i - 1], b = p[i];
      std::int64_t x = col.kind == Kind::date ? a + 1
                       : is_int               ? floor_whole(a) + Decimal::kOne
                                              : a + (b - a) / 2;
      if (x <= a || x >= b) return std::nullopt;
      return make(x);
    }
    case Kind::enumeration:
      if (key < col.literals.size()) return Value::string(col.literals[key]);
      return std::nullopt;
    case Kind::strings: {
      if (key < col.literals.size()) return Value::string(col.literals[key]);
      std::string other = "other";
      while (col.literal_index.count(other)) other += "_";
      return arena.copy_string(other);
    }
    case Kind::boolean:
      return Value::boolean(key == 1);
    case Kind::opaque:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string CompiledTable::describe_key(std::size_t c, std::uint32_t key) const {
  const Column& col = columns_[c];
  if (key == col.null_key()) return "null";
  auto text = [&](std::int64_t x) {
    if (col.kind == Kind::date) return Date{static_cast<std::int32_t>(x)}.to_string();
    return Decimal{x}.to_string();
  };
  switch (col.kind) {
    case Kind::numeric:
    case Kind::date: {
      const auto& p = col.points;
      if (p.empty()) return "any value";
      if (key % 2 == 1) return "= " + text(p[key / 2]);
      std::size_t i = key / 2;
      if (i == 0) return "< " + text(p[0]);
      if (i == p.size()) return "> " + text(p.back());
      return "]" + text(p[i - 1]) + ".." + text(p[i]) + "[";
    }
    case Kind::enumeration:
    case Kind::strings:
      if (key < col.literals.size()) return "\"" + col.literals[key] + "\"";
      return "another value";
    case Kind::boolean:
      return key == 1 ? "true" : "false";
    case Kind::opaque:
      return "a value";
  }
  return "?";
}

}  // namespace v1
}  // namespace aiguillage
