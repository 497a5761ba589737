#include "aiguillage/rules/decision_table.hpp"

#include <algorithm>
#include <bit>
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

// A structured cell's accepted non-null keys as sorted, disjoint, non-adjacent ranges
// [begin, end), and what it does on null.
struct KeyRange {
  std::uint32_t begin = 0, end = 0;
};

struct CellKeys {
  std::vector<std::uint32_t> offsets{0};  // per rule + 1, into `ranges`
  std::vector<KeyRange> ranges;
  std::vector<std::uint8_t> null_accept, null_unknown;  // per rule
};

Kind kind_of(const StaticType& type) {
  switch (type.kind) {
    case TypeKind::integer:
    case TypeKind::decimal:
      return Kind::numeric;
    case TypeKind::date:
      return Kind::date;
    case TypeKind::boolean:
      return Kind::boolean;
    case TypeKind::string:
      return type.domain ? Kind::enumeration : Kind::strings;
    default:
      return Kind::opaque;
  }
}

std::uint32_t key_count_of(const CompiledTable::Column& col) {
  switch (col.kind) {
    case Kind::numeric:
    case Kind::date:
      return static_cast<std::uint32_t>(2 * col.points.size() + 2);
    case Kind::enumeration:
    case Kind::strings:
      return static_cast<std::uint32_t>(col.literals.size() + 2);
    case Kind::boolean:
      return 3;
    case Kind::opaque:
      return 2;
  }
  return 2;
}

// Sorts and merges ranges (overlapping or adjacent), then complements them within [0, limit)
// when the cell is negated.
void normalise(std::vector<KeyRange>& ranges, bool negated, std::uint32_t limit) {
  std::sort(ranges.begin(), ranges.end(),
            [](const KeyRange& a, const KeyRange& b) { return a.begin < b.begin; });
  std::size_t n = 0;
  for (const KeyRange& r : ranges) {
    if (r.begin >= r.end) continue;
    if (n && r.begin <= ranges[n - 1].end)
      ranges[n - 1].end = std::max(ranges[n - 1].end, r.end);
    else
      ranges[n++] = r;
  }
  ranges.resize(n);
  if (!negated) return;
  std::vector<KeyRange> out;
  std::uint32_t at = 0;
  for (const KeyRange& r : ranges) {
    if (at < r.begin) out.push_back({at, r.begin});
    at = r.end;
  }
  if (at < limit) out.push_back({at, limit});
  ranges = std::move(out);
}

// The keys of the regions an interval covers: its ends are cut points, so they form one run.
// Key 2i is the open region below points[i], key 2i + 1 the point itself.
KeyRange interval_keys(const Bound& b, const std::vector<std::int64_t>& points) {
  auto index = [&](std::int64_t x) {
    return static_cast<std::uint32_t>(std::lower_bound(points.begin(), points.end(), x) -
                                      points.begin());
  };
  const auto n = static_cast<std::uint32_t>(points.size());
  const std::uint32_t begin = b.lo_inf ? 0 : 2 * index(b.lo) + (b.lo_open ? 2 : 1);
  const std::uint32_t end = b.hi_inf ? 2 * n + 1 : 2 * index(b.hi) + (b.hi_open ? 0 : 1) + 1;
  return {begin, std::max(begin, end)};
}

// Accepted keys of one structured cell (intervals or values), before normalisation.
void cell_ranges(const CompiledTable::Column& col, const UnaryStructure& s,
                 const std::vector<Bound>& bounds, std::vector<KeyRange>& out) {
  auto one = [&](std::uint32_t key) { out.push_back({key, key + 1}); };
  switch (col.kind) {
    case Kind::numeric:
    case Kind::date:
      for (const Bound& b : bounds) out.push_back(interval_keys(b, col.points));
      return;
    case Kind::enumeration:
    case Kind::strings:
      for (const Value& v : s.values) {
        auto it = col.literal_index.find(v.as_string());
        if (it != col.literal_index.end()) one(it->second);
      }
      return;
    case Kind::boolean:
      for (const Value& v : s.values) one(v.as_bool() ? 1 : 0);
      return;
    case Kind::opaque:
      return;
  }
}

void set_ranges(std::uint64_t* rows, std::size_t words, const KeyRange* from, const KeyRange* to,
                std::size_t r) {
  for (; from != to; ++from)
    for (std::uint32_t key = from->begin; key < from->end; ++key) set_bit(rows + key * words, r);
}

std::uint32_t first_word_of(const std::uint64_t* a, const std::uint64_t* u, std::size_t words) {
  for (std::size_t w = 0; w < words; ++w)
    if (a[w] | u[w]) return static_cast<std::uint32_t>(w);
  return static_cast<std::uint32_t>(words);
}

}  // namespace

CompiledTable::CompiledTable(const Decision& d, std::size_t dense_words) {
  rules_ = d.rules.size();
  words_ = std::max<std::size_t>(1, (rules_ + 63) / 64);
  columns_.resize(d.inputs.size());
  generic_offsets_.assign(d.inputs.size() + 1, 0);
  for (std::size_t c = 0; c < d.inputs.size(); ++c) {
    compile_column(d, c, dense_words);
    has_sparse_ = has_sparse_ || columns_[c].sparse;
    generic_offsets_[c + 1] = generic_offsets_[c] + columns_[c].generics.size();
  }
  if (has_sparse_) zeros_.assign(words_, 0);
}

namespace {

// The cut points of a column's interval cells, and each structured cell's shape and bounds.
void collect_cells(const Decision& d, std::size_t c, CompiledTable::Column& col,
                   std::vector<const UnaryStructure*>& shapes,
                   std::vector<std::vector<Bound>>& bounds) {
  const std::size_t rules = d.rules.size();
  shapes.assign(rules, nullptr);
  bounds.assign(rules, {});
  for (std::size_t r = 0; r < rules; ++r) {
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
    for (std::size_t r = 0; r < rules; ++r)
      if (shapes[r] && shapes[r]->kind == UnaryStructure::Kind::values)
        for (const Value& v : shapes[r]->values) col.literals.emplace_back(v.as_string());
    std::sort(col.literals.begin(), col.literals.end());
    col.literals.erase(std::unique(col.literals.begin(), col.literals.end()), col.literals.end());
  }
  for (std::size_t k = 0; k < col.literals.size(); ++k)
    col.literal_index.emplace(col.literals[k], static_cast<std::uint32_t>(k));
  col.key_count = key_count_of(col);
}

// Every structured cell's accepted keys; cells that are general expressions become the
// column's generics (one per distinct text).
CellKeys cell_keys(const Decision& d, std::size_t c, CompiledTable::Column& col,
                   const std::vector<const UnaryStructure*>& shapes,
                   const std::vector<std::vector<Bound>>& bounds, std::size_t words) {
  const std::size_t rules = d.rules.size();
  const std::uint32_t null_key = col.null_key();
  CellKeys keys;
  keys.offsets.reserve(rules + 1);
  keys.null_accept.assign(rules, 0);
  keys.null_unknown.assign(rules, 0);
  std::unordered_map<std::string, std::size_t> generic_index;
  std::vector<KeyRange> cell;
  for (std::size_t r = 0; r < rules; ++r) {
    cell.clear();
    if (!shapes[r]) {
      const std::string& text = d.rules[r].when_text[c];
      auto [it, fresh] = generic_index.emplace(text, col.generics.size());
      if (fresh)
        col.generics.push_back(CompiledTable::Column::Generic{
            d.rules[r].when[c], std::vector<std::uint64_t>(words, 0)});
      set_bit(col.generics[it->second].rules.data(), r);
    } else if (shapes[r]->kind == UnaryStructure::Kind::any) {
      cell.push_back({0, null_key});
      keys.null_accept[r] = 1;
    } else if (shapes[r]->kind == UnaryStructure::Kind::is_null) {
      keys.null_accept[r] = 1;
    } else {
      cell_ranges(col, *shapes[r], bounds[r], cell);
      normalise(cell, shapes[r]->negated, null_key);
      keys.null_unknown[r] = 1;  // a test on null is unknown, negated or not
    }
    keys.ranges.insert(keys.ranges.end(), cell.begin(), cell.end());
    keys.offsets.push_back(static_cast<std::uint32_t>(keys.ranges.size()));
  }
  for (CompiledTable::Column::Generic& g : col.generics) {
    g.first_word = static_cast<std::uint32_t>(words);
    for (std::size_t w = 0; w < words; ++w)
      if (g.rules[w]) {
        g.first_word = static_cast<std::uint32_t>(w);
        break;
      }
  }
  return keys;
}

void build_dense(CompiledTable::Column& col, const CellKeys& keys, std::size_t rules,
                 std::size_t words) {
  col.accept.assign(std::size_t{col.key_count} * words, 0);
  col.unknown.assign(std::size_t{col.key_count} * words, 0);
  const std::size_t null_row = std::size_t{col.null_key()} * words;
  for (std::size_t r = 0; r < rules; ++r) {
    set_ranges(col.accept.data(), words, keys.ranges.data() + keys.offsets[r],
               keys.ranges.data() + keys.offsets[r + 1], r);
    if (keys.null_accept[r]) set_bit(&col.accept[null_row], r);
    if (keys.null_unknown[r]) set_bit(&col.unknown[null_row], r);
  }
  col.first_word.resize(col.key_count);
  for (std::uint32_t key = 0; key < col.key_count; ++key)
    col.first_word[key] = first_word_of(&col.accept[key * words], &col.unknown[key * words], words);
}

// Toggles per key, then one sweep over the keys that keeps the current mask, writes a
// checkpoint whenever the toggles since the last one would exceed a mask's words (so that a
// region is rebuilt in at most twice the work of copying a dense row), and notes each key's
// first word.
void build_sparse(CompiledTable::Column& col, const CellKeys& keys, std::size_t rules,
                  std::size_t words) {
  CompiledTable::Column::SparseMasks& s = col.sparse_masks;
  const std::uint32_t null_key = col.null_key();
  s.toggle_offsets.assign(std::size_t{null_key} + 1, 0);
  for (const KeyRange& k : keys.ranges) {
    ++s.toggle_offsets[k.begin];
    if (k.end < null_key) ++s.toggle_offsets[k.end];
  }
  std::uint32_t total = 0;
  for (std::uint32_t& o : s.toggle_offsets) {
    const std::uint32_t count = o;
    o = total;
    total += count;
  }
  s.toggles.resize(total);
  std::vector<std::uint32_t> fill(s.toggle_offsets.begin(), s.toggle_offsets.end() - 1);
  for (std::size_t r = 0; r < rules; ++r)
    for (std::uint32_t i = keys.offsets[r]; i < keys.offsets[r + 1]; ++i) {
      const KeyRange& k = keys.ranges[i];
      s.toggles[fill[k.begin]++] = static_cast<std::uint32_t>(r);
      if (k.end < null_key) s.toggles[fill[k.end]++] = static_cast<std::uint32_t>(r);
    }
  std::vector<std::uint64_t> mask(words, 0);
  std::vector<std::uint64_t> nonzero((words + 63) / 64, 0);  // words of `mask` with a bit
  col.first_word.assign(col.key_count, static_cast<std::uint32_t>(words));
  std::size_t pending = 0;
  for (std::uint32_t key = 0; key < null_key; ++key) {
    const std::uint32_t from = s.toggle_offsets[key], to = s.toggle_offsets[key + 1];
    for (std::uint32_t i = from; i < to; ++i) {
      const std::uint32_t r = s.toggles[i];
      mask[r / 64] ^= std::uint64_t{1} << (r % 64);
      const std::uint64_t bit = std::uint64_t{1} << (r / 64 % 64);
      nonzero[r / 4096] = mask[r / 64] ? nonzero[r / 4096] | bit : nonzero[r / 4096] & ~bit;
    }
    if (key == 0 || pending + (to - from) > words) {
      s.checkpoint_keys.push_back(key);
      s.checkpoints.insert(s.checkpoints.end(), mask.begin(), mask.end());
      pending = 0;
    } else {
      pending += to - from;
    }
    for (std::size_t i = 0; i < nonzero.size(); ++i)
      if (nonzero[i]) {
        col.first_word[key] = static_cast<std::uint32_t>(i * 64 + std::countr_zero(nonzero[i]));
        break;
      }
  }
  s.null_accept.assign(words, 0);
  s.null_unknown.assign(words, 0);
  for (std::size_t r = 0; r < rules; ++r) {
    if (keys.null_accept[r]) set_bit(s.null_accept.data(), r);
    if (keys.null_unknown[r]) set_bit(s.null_unknown.data(), r);
  }
  col.first_word[null_key] = first_word_of(s.null_accept.data(), s.null_unknown.data(), words);
}

// Direct lookup for integer and date columns with nearby cut points.
void build_lookup(CompiledTable::Column& col) {
  const bool whole =
      col.kind == Kind::date || (col.kind == Kind::numeric && col.type.kind == TypeKind::integer);
  if (!whole || col.points.empty()) return;
  const std::int64_t unit = col.kind == Kind::date ? 1 : Decimal::kOne;
  bool integral = true;
  for (std::int64_t q : col.points) integral = integral && q % unit == 0;
  const std::int64_t lo = col.points.front() / unit, hi = col.points.back() / unit;
  if (!integral || hi - lo > 65536) return;
  col.lut_low = lo;
  col.lut.resize(static_cast<std::size_t>(hi - lo + 1));
  std::size_t below = 0;
  for (std::int64_t x = lo; x <= hi; ++x) {
    while (below < col.points.size() && col.points[below] < x * unit) ++below;
    bool at = below < col.points.size() && col.points[below] == x * unit;
    col.lut[static_cast<std::size_t>(x - lo)] = static_cast<std::uint32_t>(2 * below + at);
  }
}

// Rules accepting every key, null included: a cell accepting the whole non-null range and null.
void build_always(CompiledTable::Column& col, const CellKeys& keys, std::size_t rules,
                  std::size_t words) {
  col.always.assign(words, 0);
  for (std::size_t r = 0; r < rules; ++r) {
    const std::uint32_t at = keys.offsets[r];
    if (keys.null_accept[r] && keys.offsets[r + 1] == at + 1 && keys.ranges[at].begin == 0 &&
        keys.ranges[at].end == col.null_key())
      set_bit(col.always.data(), r);
  }
}

}  // namespace

void CompiledTable::compile_column(const Decision& d, std::size_t c, std::size_t dense_words) {
  Column& col = columns_[c];
  col.type = d.inputs[c].expr.type();
  col.slot = d.inputs[c].expr.single_slot();
  col.kind = kind_of(col.type);
  std::vector<const UnaryStructure*> shapes;
  std::vector<std::vector<Bound>> bounds;
  collect_cells(d, c, col, shapes, bounds);
  const CellKeys keys = cell_keys(d, c, col, shapes, bounds, words_);
  col.sparse = words_ > 1 && std::size_t{col.key_count} * words_ > dense_words;
  if (col.sparse)
    build_sparse(col, keys, rules_, words_);
  else
    build_dense(col, keys, rules_, words_);
  build_lookup(col);
  build_always(col, keys, rules_, words_);
}

CompiledTable::Rows CompiledTable::sparse_rows(const Column& c, std::uint32_t key,
                                               std::uint64_t* scratch) const {
  const Column::SparseMasks& s = c.sparse_masks;
  if (key == c.null_key()) return {s.null_accept.data(), s.null_unknown.data()};
  const auto at = std::upper_bound(s.checkpoint_keys.begin(), s.checkpoint_keys.end(), key) - 1;
  const std::size_t index = static_cast<std::size_t>(at - s.checkpoint_keys.begin());
  std::copy_n(s.checkpoints.data() + index * words_, words_, scratch);
  for (std::uint32_t i = s.toggle_offsets[*at + 1]; i < s.toggle_offsets[key + 1]; ++i) {
    const std::uint32_t r = s.toggles[i];
    scratch[r / 64] ^= std::uint64_t{1} << (r % 64);
  }
  return {scratch, zeros_.data()};
}

std::size_t CompiledTable::footprint_words() const {
  std::size_t words = zeros_.size();
  for (const Column& c : columns_) {
    const Column::SparseMasks& s = c.sparse_masks;
    words += c.accept.size() + c.unknown.size() + c.always.size() + c.points.size() +
             (c.first_word.size() + c.lut.size() + 1) / 2 + s.checkpoints.size() +
             s.null_accept.size() + s.null_unknown.size() +
             (s.checkpoint_keys.size() + s.toggle_offsets.size() + s.toggles.size() + 1) / 2;
    for (const Column::Generic& g : c.generics) words += g.rules.size();
  }
  return words;
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
  // A sparse region is rebuilt straight into `accept`, which it then copies onto itself.
  const Rows rows = region_rows(c, key, accept);
  for (std::size_t w = 0; w < words_; ++w) {
    accept[w] = rows.accept[w];
    unknown[w] = rows.unknown[w];
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
  // A sparse region is rebuilt straight into `accept`, which it then copies onto itself.
  const Rows rows = region_rows(c, key, accept);
  for (std::size_t w = 0; w < words_; ++w) {
    accept[w] = rows.accept[w];
    unknown[w] = rows.unknown[w];
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
