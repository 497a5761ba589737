#include "aiguillage/rules/evaluator.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <utility>

#include "aiguillage/core/version.hpp"
#include "rules/json_names.hpp"

namespace aiguillage {
inline namespace v1 {

std::string_view status_name(Status s) noexcept {
  switch (s) {
    case Status::complete:
      return "complete";
    case Status::incomplete:
      return "incomplete";
    case Status::error:
      return "error";
  }
  return "error";
}

std::string_view rule_state_name(RuleVerdict::State s) noexcept {
  switch (s) {
    case RuleVerdict::State::fired:
      return "fired";
    case RuleVerdict::State::matched:
      return "matched";
    case RuleVerdict::State::rejected:
      return "rejected";
    case RuleVerdict::State::undecided:
      return "undecided";
  }
  return "rejected";
}

namespace {

using Words = std::vector<std::uint64_t>;

bool test_bit(const std::uint64_t* m, std::size_t r) {
  return (m[r / 64] >> (r % 64)) & 1;
}

std::vector<int> bits_of(const std::uint64_t* m, std::size_t words, std::size_t limit = SIZE_MAX) {
  std::vector<int> out;
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t x = m[w];
    while (x) {
      std::size_t r = w * 64 + static_cast<std::size_t>(std::countr_zero(x));
      if (r >= limit) return out;
      out.push_back(static_cast<int>(r));
      x &= x - 1;
    }
  }
  return out;
}

int first_bit(const std::uint64_t* m, std::size_t words) {
  for (std::size_t w = 0; w < words; ++w)
    if (m[w]) return static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(m[w])));
  return -1;
}

// m[0] &= a[0], m[1] &= a[1]: a row's matched and possible words of a one-word table, in one
// vector AND where the compiler has vector types. Both arrays come from operator new, hence are
// aligned for it, so the AND may read memory directly.
[[gnu::always_inline]] inline void and_pair(std::uint64_t* m, const std::uint64_t* a) {
#if defined(__GNUC__) && __STDCPP_DEFAULT_NEW_ALIGNMENT__ >= 16
  using Pair = std::uint64_t __attribute__((vector_size(16), may_alias));
  *reinterpret_cast<Pair*>(m) &= *reinterpret_cast<const Pair*>(a);
#else
  m[0] &= a[0];
  m[1] &= a[1];
#endif
}

void all_rules(std::uint64_t* m, std::size_t words, std::size_t rules) {
  for (std::size_t w = 0; w < words; ++w) m[w] = ~std::uint64_t{0};
  if (rules % 64) m[words - 1] = (std::uint64_t{1} << (rules % 64)) - 1;
  if (rules == 0) m[0] = 0;
}

// Priority of a rule's outputs: position of each constant enum output in its values list
// (lower is higher priority); non-constant outputs rank last.
std::vector<std::size_t> priority_of(const Decision& d, int r) {
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

std::string rule_list(const Decision& d, const std::vector<int>& rules) {
  std::string s;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    if (k) s += k + 1 == rules.size() ? " and " : ", ";
    s += d.rules[static_cast<std::size_t>(rules[k])].id;
  }
  return s;
}

}  // namespace

Evaluator::Evaluator(Pack pack) : pack_(std::move(pack)) {
  const auto n_inputs = static_cast<int>(pack_.inputs().size());
  batch_fast_ = pack_.variables().empty() && !pack_.decisions().empty();
  for (const Decision& d : pack_.decisions()) {
    if (d.kind != Decision::Kind::table ||
        (d.hit_policy != HitPolicy::first && d.hit_policy != HitPolicy::unique)) {
      batch_fast_ = false;
      continue;
    }
    // Sparse masks are rebuilt per record, which the per-block masks of the fast path are not.
    if (d.compiled->has_sparse()) batch_fast_ = false;
    for (const auto& col : d.compiled->columns())
      if (col.slot < 0 || col.slot >= n_inputs || !col.generics.empty() ||
          col.kind == CompiledTable::Column::Kind::opaque)
        batch_fast_ = false;
  }
  // Values that mean "to be asked" need the per-record analysis, which the blocks path hands
  // their rows to.
  if (pack_.has_ask_values()) batch_fast_ = false;
  build_plan();
  names_ = std::make_shared<const detail::JsonNames>(pack_);
  // Hit policies whose blocking rules are exactly the undecided ones the masks show; the others
  // (ANY, PRIORITY, OUTPUT ORDER) keep the per-record path.
  batch_block_ = true;
  for (const Decision& d : pack_.decisions())
    if (d.kind == Decision::Kind::table &&
        (d.hit_policy == HitPolicy::any || d.hit_policy == HitPolicy::priority ||
         d.hit_policy == HitPolicy::output_order))
      batch_block_ = false;
}

// How the fast batch path turns a column of a batch into keys: integer inputs with bounds key
// through a table over their whole domain (one load, no branch); other numbers and dates through
// buckets of their range that each hold one to three cut points (a load and as many compares),
// or else a branchless search over cut points padded to a power of two; enums and booleans are
// their key. A missing value selects the null key with a conditional move, not a branch.
struct Evaluator::BatchPlan {
  struct Column {
    CompiledTable::Column::Kind kind;
    bool from_batch = false;  // the column is one input: keys straight from the batch
    std::size_t field = 0;
    bool integer = false;
    bool reference = false;
    std::uint32_t null_key = 0;
    std::uint32_t last_key = 0;        // the region above every cut point
    std::vector<std::int64_t> points;  // padded with INT64_MAX to a power of two above n_points
    std::size_t n_points = 0;
    std::vector<std::uint32_t> lut;
    std::int64_t lut_min = 0, lut_max = 0;
    // Buckets of [bucket_low, bucket_high] = [first cut point - 1, last cut point + 1], indexed
    // by (x - bucket_low) >> bucket_shift: the count of cut points below each bucket's start. A
    // bucket holds at most bucket_steps cut points, so as many compares finish the count below
    // x. bucket_steps 0: no buckets.
    std::vector<std::uint16_t> bucket_start;
    std::int64_t bucket_low = 0, bucket_high = 0;
    int bucket_shift = 0;
    int bucket_steps = 0;
    // Fast path only: per key, the accept words then the accept | unknown words (rules whose
    // cell accepts the region, or may), so that one row's two masks take one AND per word.
    std::vector<std::uint64_t> masks;
    // Keys of rows [b0, b0 + n) of this column of the batch, into kc.
    void keys(const Batch& batch, std::size_t b0, std::size_t n, const EvalOptions& options,
              const CompiledTable& t, std::size_t c, std::uint32_t* kc) const;
    // Buckets for the cut points, when they beat the padded search: the fewest buckets (up to
    // 4096) that hold at most one cut point each, else the layout with the fewest per bucket.
    void plan_buckets();
    // each_key for a block whose presence test is is_present(i).
    template <class F, class Has>
    void keys_of(const Batch& batch, std::size_t b0, std::size_t n, const EvalOptions& options,
                 const CompiledTable& t, std::size_t c, F f, const std::int64_t* data,
                 Has is_present) const;
    // ANDs the masks of each row's key into the row's matched and possible words (mq + i * 2 *
    // words) and, when ko is not null, stores the key in ko[i]. Out of line, so that the loops
    // keep their pointers in registers.
    [[gnu::noinline]] void and_masks(const Batch& batch, std::size_t b0, std::size_t n,
                                     const EvalOptions& options, const CompiledTable& t,
                                     std::size_t c, std::size_t words, std::uint64_t* mq,
                                     std::uint32_t* ko) const;
    // Calls f(i, key) for rows b0 + i, i < n, in order.
    template <class F>
    void each_key(const Batch& batch, std::size_t b0, std::size_t n, const EvalOptions& options,
                  const CompiledTable& t, std::size_t c, F f) const;
    // Keys of numbers and dates: x(i) is row i's value in the cut points' unit, has(i) whether
    // it is present.
    template <class X, class Has, class F>
    void number_keys(std::size_t n, X x, Has has, F f) const;
    // Keys given by key(i) (enum codes, or a table's entry), null where has(i) is false.
    template <class Key, class Has, class F>
    void number_keys(std::size_t n, Key key, Has has, F f, std::true_type) const;
    template <int Steps, class X, class Has, class F>
    void bucket_keys(std::size_t n, X x, Has has, F f) const;
    template <class X, class Has, class F>
    void search_keys(std::size_t n, X x, Has has, F f) const;
  };
  std::vector<std::vector<Column>> tables;  // per decision
  // Rule outputs, looked up instead of evaluated when constant: [decision][rule * outputs + o],
  // a null pointer when the output must be evaluated.
  std::vector<std::vector<const Expression*>> computed_outputs;
  std::vector<std::vector<Value>> constant_outputs;
  // The inputs the pack reads that have values meaning "to be asked".
  std::vector<std::size_t> ask_fields;
};

namespace {

[[gnu::always_inline]] inline std::uint32_t padded_key(const std::int64_t* p, std::size_t size,
                                                       std::size_t n, std::int64_t x) {
  std::size_t below = 0;
  for (std::size_t step = size >> 1; step > 0; step >>= 1)
    below += (p[below + step - 1] < x) ? step : 0;
  below += (below < size && p[below] < x);
  const auto k = static_cast<std::uint32_t>(2 * below);
  return (below < n && p[below] == x) ? k + 1 : k;
}

// The region key of x from its bucket: start counts the cut points below the bucket, and each
// step passes one more cut point below x. Clamping x to [low, high], one beyond the first and the
// last cut points, keeps its key (no cut point lies between x and its clamped value, nor equals
// it) and its bucket in the table; high is below the padding (INT64_MAX), which is never below x
// nor equal to it.
template <int Steps>
[[gnu::always_inline]] inline std::uint32_t bucket_key(const std::int64_t* p, std::int64_t low,
                                                       std::int64_t high,
                                                       const std::uint16_t* start, int shift,
                                                       std::int64_t x) {
  x = std::clamp(x, low, high);
  std::size_t below = start[static_cast<std::uint64_t>(x - low) >> shift];
  for (int s = 0; s < Steps; ++s) below += static_cast<std::size_t>(p[below] < x);
  return static_cast<std::uint32_t>(2 * below + (p[below] == x));
}

constexpr std::int64_t kMaxUnits = INT64_MAX / Decimal::kOne;

// The key, or the null key when the value is missing.
[[gnu::always_inline]] inline std::uint32_t or_null(bool has, std::uint32_t key,
                                                    std::uint32_t null) {
  return has ? key : null;
}

// An integer in decimal units (the unit of the cut points of numeric columns).
inline std::int64_t integer_units(std::int64_t x) {
  return std::clamp(x, -kMaxUnits, kMaxUnits) * Decimal::kOne;
}

}  // namespace

template <int Steps, class X, class Has, class F>
void Evaluator::BatchPlan::Column::bucket_keys(std::size_t n, X x, Has has, F f) const {
  const std::int64_t* p = points.data();
  const std::uint16_t* start = bucket_start.data();
  const int shift = bucket_shift;
  const std::uint32_t null = null_key;
  const std::int64_t low = bucket_low, high = bucket_high;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t key = bucket_key<Steps>(p, low, high, start, shift, x(i));
    f(i, or_null(has(i), key, null));
  }
}

template <class X, class Has, class F>
void Evaluator::BatchPlan::Column::search_keys(std::size_t n, X x, Has has, F f) const {
  const std::int64_t* p = points.data();
  const std::size_t size = points.size();
  const std::size_t np = n_points;
  const std::uint32_t null = null_key;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t key = padded_key(p, size, np, x(i));
    f(i, or_null(has(i), key, null));
  }
}

template <class Key, class Has, class F>
void Evaluator::BatchPlan::Column::number_keys(std::size_t n, Key key, Has has, F f,
                                               std::true_type) const {
  const std::uint32_t null = null_key;
  for (std::size_t i = 0; i < n; ++i) f(i, or_null(has(i), key(i), null));
}

template <class X, class Has, class F>
void Evaluator::BatchPlan::Column::number_keys(std::size_t n, X x, Has has, F f) const {
  switch (bucket_steps) {
    case 1:
      return bucket_keys<1>(n, x, has, f);
    case 2:
      return bucket_keys<2>(n, x, has, f);
    case 3:
      return bucket_keys<3>(n, x, has, f);
    default:
      return search_keys(n, x, has, f);
  }
}

// Every loop takes its state by value: a pointer or count the compiler may not keep in a
// register (because a lambda captured it by reference) is reloaded at every row.
template <class F>
void Evaluator::BatchPlan::Column::each_key(const Batch& batch, std::size_t b0, std::size_t n,
                                            const EvalOptions& options, const CompiledTable& t,
                                            std::size_t c, F f) const {
  const std::int64_t* data = batch.data(field) + b0;
  const std::uint8_t* present = batch.present(field) + b0;
  // Most blocks of most columns have no missing value: their loops skip the presence test.
  if (kind != CompiledTable::Column::Kind::date && std::memchr(present, 0, n) == nullptr)
    return keys_of(batch, b0, n, options, t, c, f, data, [](std::size_t) { return true; });
  keys_of(batch, b0, n, options, t, c, f, data,
          [present](std::size_t i) { return present[i] != 0; });
}

template <class F, class Has>
void Evaluator::BatchPlan::Column::keys_of(const Batch& batch, std::size_t b0, std::size_t n,
                                           const EvalOptions& options, const CompiledTable& t,
                                           std::size_t c, F f, const std::int64_t* data,
                                           Has is_present) const {
  const std::uint8_t* present = batch.present(field) + b0;
  switch (kind) {
    case CompiledTable::Column::Kind::numeric:
      if (!lut.empty()) {
        // Validated values lie within the bounds the table covers; the unsigned minimum only
        // keeps the load inside the table whatever the column holds.
        const std::uint32_t* table = lut.data();
        const auto span = static_cast<std::uint64_t>(lut_max - lut_min);
        const auto low = static_cast<std::uint64_t>(lut_min);
        number_keys(
            n,
            [data, table, span, low](std::size_t i) {
              return table[std::min(static_cast<std::uint64_t>(data[i]) - low, span)];
            },
            is_present, f, std::true_type{});
      } else if (integer) {
        number_keys(
            n, [data](std::size_t i) { return integer_units(data[i]); }, is_present, f);
      } else {
        number_keys(
            n, [data](std::size_t i) { return data[i]; }, is_present, f);
      }
      break;
    case CompiledTable::Column::Kind::date:
      if (reference && options.reference_date) {
        // A missing reference date is the options' date, never null.
        const std::int64_t fallback = options.reference_date->days;
        number_keys(
            n, [data, present, fallback](std::size_t i) { return present[i] ? data[i] : fallback; },
            [](std::size_t) { return true; }, f);
      } else {
        number_keys(
            n, [data](std::size_t i) { return data[i]; }, is_present, f);
      }
      break;
    case CompiledTable::Column::Kind::enumeration:
    case CompiledTable::Column::Kind::boolean:
      number_keys(
          n, [data](std::size_t i) { return static_cast<std::uint32_t>(data[i]); }, is_present, f,
          std::true_type{});
      break;
    default:
      for (std::size_t i = 0; i < n; ++i) f(i, t.key_of(c, batch.get(field, b0 + i)));
      break;
  }
}

void Evaluator::BatchPlan::Column::keys(const Batch& batch, std::size_t b0, std::size_t n,
                                        const EvalOptions& options, const CompiledTable& t,
                                        std::size_t c, std::uint32_t* kc) const {
  each_key(batch, b0, n, options, t, c, [kc](std::size_t i, std::uint32_t key) { kc[i] = key; });
}

void Evaluator::BatchPlan::Column::and_masks(const Batch& batch, std::size_t b0, std::size_t n,
                                             const EvalOptions& options, const CompiledTable& t,
                                             std::size_t c, std::size_t words, std::uint64_t* mq,
                                             std::uint32_t* ko) const {
  const std::uint64_t* tab = masks.data();
  if (words == 1) {
    if (ko)
      each_key(batch, b0, n, options, t, c, [ko, mq, tab](std::size_t i, std::uint32_t key) {
        ko[i] = key;
        and_pair(mq + 2 * i, tab + 2 * std::size_t{key});
      });
    else
      each_key(batch, b0, n, options, t, c, [mq, tab](std::size_t i, std::uint32_t key) {
        and_pair(mq + 2 * i, tab + 2 * std::size_t{key});
      });
    return;
  }
  const std::size_t w2 = 2 * words;
  each_key(batch, b0, n, options, t, c, [ko, mq, tab, w2](std::size_t i, std::uint32_t key) {
    if (ko) ko[i] = key;
    std::uint64_t* m = mq + i * w2;
    const std::uint64_t* a = tab + key * w2;
    for (std::size_t w = 0; w < w2; ++w) m[w] &= a[w];
  });
}

void Evaluator::BatchPlan::Column::plan_buckets() {
  const std::size_t n = n_points;
  if (n == 0 || n > 65535) return;
  const std::vector<std::int64_t>& p = points;
  if (p[0] == INT64_MIN || p[n - 1] >= INT64_MAX - 1) return;
  const std::int64_t low = p[0] - 1, high = p[n - 1] + 1;
  const std::uint64_t span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (span >> 62) return;
  auto offset = [low](std::int64_t x) {
    return static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(low);
  };
  const int width = std::bit_width(span);
  int best_steps = INT32_MAX, best_shift = 0;
  std::vector<int> count;
  for (int bits = 1; bits <= 12; ++bits) {
    const int shift = std::max(0, width - bits);
    count.assign(static_cast<std::size_t>(span >> shift) + 1, 0);
    int steps = 0;
    for (std::size_t i = 0; i < n; ++i) steps = std::max(steps, ++count[offset(p[i]) >> shift]);
    if (steps < best_steps) {
      best_steps = steps;
      best_shift = shift;
    }
    if (steps <= 1 || shift == 0) break;
  }
  // The padded search takes log2(size) steps of the same cost, and no table.
  if (best_steps > 3 || best_steps >= std::countr_zero(points.size())) return;
  bucket_low = low;
  bucket_high = high;
  bucket_shift = best_shift;
  bucket_steps = best_steps;
  const std::size_t buckets = static_cast<std::size_t>(span >> best_shift) + 1;
  bucket_start.resize(buckets);
  std::size_t i = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    while (i < n && offset(p[i]) < (static_cast<std::uint64_t>(b) << best_shift)) ++i;
    bucket_start[b] = static_cast<std::uint16_t>(i);
  }
}

void Evaluator::build_plan() {
  auto plan = std::make_shared<BatchPlan>();
  const int ref_field = pack_.reference_date_field();
  const auto n_inputs = static_cast<int>(pack_.inputs().size());
  for (const Decision& d : pack_.decisions()) {
    std::vector<BatchPlan::Column> cols;
    if (d.kind != Decision::Kind::table) {
      plan->tables.push_back(std::move(cols));
      continue;
    }
    const CompiledTable& t = *d.compiled;
    const std::size_t W = t.words();
    for (std::size_t c = 0; c < t.columns().size(); ++c) {
      const auto& col = t.columns()[c];
      BatchPlan::Column pc;
      pc.kind = col.kind;
      pc.from_batch =
          col.slot >= 0 && col.slot < n_inputs && col.kind != CompiledTable::Column::Kind::opaque;
      if (!pc.from_batch) {
        cols.push_back(std::move(pc));
        continue;
      }
      pc.field = static_cast<std::size_t>(col.slot);
      const FieldSpec& f = pack_.inputs().field(pc.field);
      pc.integer = f.type == FieldType::integer;
      pc.reference = col.slot == ref_field;
      pc.null_key = col.null_key();
      pc.n_points = col.points.size();
      pc.last_key = static_cast<std::uint32_t>(2 * pc.n_points);
      std::size_t size = 1;
      while (size < pc.n_points + 1) size <<= 1;
      pc.points = col.points;
      pc.points.resize(size, INT64_MAX);
      if (pc.kind == CompiledTable::Column::Kind::numeric && pc.integer && f.min && f.max) {
        const std::int64_t lo = f.min->units / Decimal::kOne, hi = f.max->units / Decimal::kOne;
        if (hi - lo < 65536) {
          pc.lut_min = lo;
          pc.lut_max = hi;
          for (std::int64_t x = lo; x <= hi; ++x)
            pc.lut.push_back(t.key_of_scalar(c, x * Decimal::kOne));
        }
      }
      if ((pc.kind == CompiledTable::Column::Kind::numeric && pc.lut.empty()) ||
          pc.kind == CompiledTable::Column::Kind::date)
        pc.plan_buckets();
      if (batch_fast_) {
        pc.masks.resize(col.key_count * 2 * W);
        for (std::size_t k = 0; k < col.key_count; ++k)
          for (std::size_t w = 0; w < W; ++w) {
            pc.masks[k * 2 * W + w] = col.accept[k * W + w];
            pc.masks[k * 2 * W + W + w] = col.accept[k * W + w] | col.unknown[k * W + w];
          }
      }
      cols.push_back(std::move(pc));
    }
    plan->tables.push_back(std::move(cols));
  }
  plan->computed_outputs.resize(pack_.decisions().size());
  plan->constant_outputs.resize(pack_.decisions().size());
  for (std::size_t k = 0; k < pack_.decisions().size(); ++k)
    for (const Rule& r : pack_.decisions()[k].rules)
      for (const Expression& x : r.then) {
        plan->computed_outputs[k].push_back(x.is_constant() ? nullptr : &x);
        plan->constant_outputs[k].push_back(x.is_constant() ? x.constant_value() : Value::null());
      }
  const std::vector<int> unused = pack_.unused_inputs();
  for (std::size_t f = 0; f < pack_.inputs().size(); ++f)
    if (!pack_.ask_values(static_cast<int>(f)).empty() &&
        std::find(unused.begin(), unused.end(), static_cast<int>(f)) == unused.end())
      plan->ask_fields.push_back(f);
  plan_ = std::move(plan);
}

struct EvaluationScratch {
  Words matched, possible, a, u, undecided;
  std::vector<int> matched_rules, open_rules;
  std::vector<Value> values;
  std::vector<char> uncertain;
  // Missing-input analysis, kept between records so that it allocates only while warming up.
  Words rejected, accepted;
  std::vector<std::vector<int>> fields_per_rule;
  std::vector<char> open, unsettled;
  std::vector<int> missing_here, counts;
};

namespace {

void bits_into(std::vector<int>& out, const std::uint64_t* m, std::size_t words,
               std::size_t limit = SIZE_MAX) {
  out.clear();
  for (std::size_t w = 0; w < words && w * 64 < limit; ++w)
    for (std::uint64_t x = m[w]; x; x &= x - 1) {
      const std::size_t r = w * 64 + static_cast<std::size_t>(std::countr_zero(x));
      if (r >= limit) return;
      out.push_back(static_cast<int>(r));
    }
}

// Resolves a table for one frame; writes outputs into the frame and the outcome.
void run_table(const Pack& pack, const Decision& d, std::vector<Value>& frame, Arena& arena,
               DecisionOutcome& out, EvaluationScratch& s) {
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  s.matched.resize(W);
  s.possible.resize(W);
  s.a.resize(W);
  s.u.resize(W);
  all_rules(s.matched.data(), W, t.rules());
  all_rules(s.possible.data(), W, t.rules());
  EvalContext ctx{frame.data(), Value::null(), &arena};
  const auto& cols = t.columns();
  out.trace.keys.resize(cols.size());
  out.trace.truths.resize(t.generic_count());
  for (std::size_t c = 0; c < cols.size(); ++c) {
    Value v = cols[c].slot >= 0 ? frame[static_cast<std::size_t>(cols[c].slot)]
                                : d.inputs[c].expr.evaluate(ctx);
    std::uint32_t key = t.key_of(c, v);
    out.trace.keys[c] = key;
    t.column_masks(c, v, key, ctx, s.a.data(), s.u.data(),
                   out.trace.truths.data() + t.generic_offset(c));
    for (std::size_t w = 0; w < W; ++w) {
      s.matched[w] &= s.a[w];
      s.possible[w] &= s.a[w] | s.u[w];
    }
  }
  s.undecided.resize(W);
  for (std::size_t w = 0; w < W; ++w) s.undecided[w] = s.possible[w] & ~s.matched[w];
  if (d.hit_policy == HitPolicy::first) {
    // Only the first match and the undecided rules before it matter: large tables need not
    // list every match.
    const int f = first_bit(s.matched.data(), W);
    s.matched_rules.clear();
    if (f >= 0) s.matched_rules.push_back(f);
    bits_into(s.open_rules, s.undecided.data(), W, f < 0 ? SIZE_MAX : static_cast<std::size_t>(f));
  } else {
    bits_into(s.matched_rules, s.matched.data(), W);
    bits_into(s.open_rules, s.undecided.data(), W);
  }
  const std::vector<int>& matched = s.matched_rules;
  const std::vector<int>& open = s.open_rules;
  out.fired.clear();
  out.blocking.clear();
  out.evaluated = true;
  out.status = Status::complete;

  auto eval_outputs = [&](int r) {
    std::vector<Value> vals;
    for (const Expression& e : d.rules[static_cast<std::size_t>(r)].then)
      vals.push_back(e.evaluate(ctx));
    return vals;
  };
  auto set_null_outputs = [&]() {
    for (const OutputSpec& o : d.outputs) frame[static_cast<std::size_t>(o.slot)] = Value::null();
  };
  auto fail = [&](std::string message) {
    out.status = Status::error;
    out.error = Error(ErrorCode::hit_policy_violation, std::move(message), d.pointer);
    set_null_outputs();
  };

  if (is_single_hit(d.hit_policy)) {
    int chosen = -1;
    switch (d.hit_policy) {
      case HitPolicy::first:
        chosen = matched.empty() ? -1 : matched[0];
        for (int r : open)
          if (chosen < 0 || r < chosen) out.blocking.push_back(r);
        break;
      case HitPolicy::unique:
        if (matched.size() > 1) {
          out.fired = matched;
          return fail("rules " + rule_list(d, matched) + " all match under UNIQUE (" + d.id + ")");
        }
        chosen = matched.empty() ? -1 : matched[0];
        out.blocking = open;
        break;
      case HitPolicy::any: {
        chosen = matched.empty() ? -1 : matched[0];
        if (chosen >= 0) {
          auto ref = eval_outputs(chosen);
          for (std::size_t k = 1; k < matched.size(); ++k)
            if (eval_outputs(matched[k]) != ref) {
              out.fired = matched;
              return fail("rules " + rule_list(d, matched) +
                          " match under ANY with different outputs (" + d.id + ")");
            }
          for (int r : open)
            if (eval_outputs(r) != ref) out.blocking.push_back(r);
        } else {
          out.blocking = open;
        }
        break;
      }
      case HitPolicy::priority: {
        for (int r : matched)
          if (chosen < 0 || priority_of(d, r) < priority_of(d, chosen)) chosen = r;
        for (int r : open)
          if (chosen < 0 || priority_of(d, r) < priority_of(d, chosen)) out.blocking.push_back(r);
        break;
      }
      default:
        break;
    }
    if (chosen >= 0) {
      out.fired.push_back(chosen);
      const Rule& rule = d.rules[static_cast<std::size_t>(chosen)];
      for (std::size_t o = 0; o < d.outputs.size(); ++o)
        frame[static_cast<std::size_t>(d.outputs[o].slot)] = rule.then[o].evaluate(ctx);
    } else {
      set_null_outputs();
    }
  } else {
    out.fired.assign(matched.begin(), matched.end());
    if (d.hit_policy == HitPolicy::output_order)
      std::stable_sort(out.fired.begin(), out.fired.end(),
                       [&](int x, int y) { return priority_of(d, x) < priority_of(d, y); });
    const std::vector<int>& order = out.fired;
    out.blocking.assign(open.begin(), open.end());
    std::vector<Value>& vals = s.values;
    for (std::size_t o = 0; o < d.outputs.size(); ++o) {
      vals.clear();
      for (int r : order)
        vals.push_back(d.rules[static_cast<std::size_t>(r)].then[o].evaluate(ctx));
      Value result;
      if (d.hit_policy == HitPolicy::rule_order || d.hit_policy == HitPolicy::output_order ||
          d.hit_policy == HitPolicy::collect) {
        Value* items = arena.allocate_values(vals.size());
        std::copy(vals.begin(), vals.end(), items);
        result = Value::list(items, vals.size());
      } else {
        result = aggregate(d.hit_policy, vals, arena);
      }
      frame[static_cast<std::size_t>(d.outputs[o].slot)] = result;
    }
  }
  if (!out.blocking.empty()) out.status = Status::incomplete;
  (void)pack;
}

// Adds the missing inputs behind the blocking rules of a table to `counts`. Inputs behind an
// unsettled upstream decision are that decision's questions, not this table's. Returns whether
// anything could still change the outcome: a blocking rule whose unknown cells rest on no
// missing input and no unsettled value is unknown for good (a null that is final).
// The trace is given as keys (the key of column c at keys[c * key_stride]) and truths, so that
// the block path can ask the same question of a row without building its outcome.
bool count_missing(const Pack& pack, const Decision& d, const std::vector<int>& blocking,
                   const std::uint32_t* keys, std::size_t key_stride, const Truth* truths,
                   const Value* frame, const char* uncertain, EvaluationScratch& s) {
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  Words& a = s.a;
  Words& u = s.u;
  a.resize(W);
  u.resize(W);
  std::vector<std::vector<int>>& fields_per_rule = s.fields_per_rule;
  if (fields_per_rule.size() < blocking.size()) fields_per_rule.resize(blocking.size());
  for (std::size_t b = 0; b < blocking.size(); ++b) fields_per_rule[b].clear();
  std::vector<char>& open = s.open;
  open.assign(blocking.size(), 0);
  std::vector<int>& counts = s.counts;
  auto add_missing = [&](const std::vector<int>& slots, std::vector<int>& dst, bool& unsettled) {
    for (int slot : slots) {
      if (uncertain[static_cast<std::size_t>(slot)]) {
        unsettled = true;
        continue;
      }
      for (int f : pack.slot_inputs(slot))
        if (frame[static_cast<std::size_t>(f)].is_null()) dst.push_back(f);
    }
  };
  for (std::size_t c = 0; c < t.columns().size(); ++c) {
    t.masks_from_trace(c, keys[c * key_stride], truths + t.generic_offset(c), a.data(), u.data());
    std::vector<int>& missing_here = s.missing_here;
    missing_here.clear();
    bool column_unsettled = false;
    add_missing(d.inputs[c].expr.slots(), missing_here, column_unsettled);
    for (std::size_t b = 0; b < blocking.size(); ++b) {
      auto r = static_cast<std::size_t>(blocking[b]);
      if (!test_bit(u.data(), r)) continue;
      auto& dst = fields_per_rule[b];
      bool unsettled = column_unsettled;
      dst.insert(dst.end(), missing_here.begin(), missing_here.end());
      // A generic cell may read other values than its column.
      for (const auto& g : t.columns()[c].generics)
        if (test_bit(g.rules.data(), r)) add_missing(g.cell.slots(), dst, unsettled);
      if (unsettled) open[b] = 1;
    }
  }
  bool any_open = false;
  for (std::size_t b = 0; b < blocking.size(); ++b) {
    auto& fields = fields_per_rule[b];
    std::sort(fields.begin(), fields.end());
    fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
    for (int f : fields) ++counts[f];
    any_open = any_open || open[b] || !fields.empty();
  }
  return any_open;
}

// Whether a table's outcome could change once its unsettled upstream values settle: it cannot
// when every rule that matters is rejected by a settled column, or accepted by the settled
// columns while its cells on the unsettled ones accept anything.
bool upstream_open(const Decision& d, const std::uint32_t* keys, std::size_t key_stride,
                   const Truth* truths, const char* uncertain, EvaluationScratch& s) {
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  std::vector<char>& unsettled = s.unsettled;
  unsettled.assign(d.inputs.size(), 0);
  bool any = false;
  for (std::size_t c = 0; c < d.inputs.size(); ++c)
    for (int slot : d.inputs[c].expr.slots())
      if (uncertain[static_cast<std::size_t>(slot)]) unsettled[c] = 1, any = true;
  if (!any) return false;
  Words& a = s.a;
  Words& u = s.u;
  Words& rejected = s.rejected;
  Words& accepted = s.accepted;
  a.resize(W);
  u.resize(W);
  rejected.assign(W, 0);
  accepted.resize(W);
  all_rules(accepted.data(), W, t.rules());
  for (std::size_t c = 0; c < d.inputs.size(); ++c) {
    if (unsettled[c]) {
      for (std::size_t w = 0; w < W; ++w) accepted[w] &= t.columns()[c].always[w];
      continue;
    }
    t.masks_from_trace(c, keys[c * key_stride], truths + t.generic_offset(c), a.data(), u.data());
    for (std::size_t w = 0; w < W; ++w) {
      rejected[w] |= ~(a[w] | u[w]);
      accepted[w] &= a[w];
    }
  }
  std::size_t limit = t.rules();
  if (d.hit_policy == HitPolicy::first) {
    int f = first_bit(accepted.data(), W);
    if (f >= 0) limit = static_cast<std::size_t>(f);
  }
  for (std::size_t r = 0; r < limit; ++r)
    if (!test_bit(rejected.data(), r) && !test_bit(accepted.data(), r)) return true;
  return false;
}

}  // namespace

void Evaluator::evaluate(Evaluation& out, const EvalOptions& options) const {
  const Pack& p = pack_;
  out.errors.clear();
  out.missing.clear();
  out.arena.reset();
  out.status = Status::complete;
  const std::size_t n_inputs = p.inputs().size();
  out.frame.assign(p.slot_count(), Value::null());
  if (out.input.values.size() != n_inputs) out.input.values.resize(n_inputs, Value::null());
  std::copy(out.input.values.begin(), out.input.values.end(), out.frame.begin());
  out.decisions.resize(p.decisions().size());
  for (auto& d : out.decisions) {
    d.status = Status::complete;
    d.evaluated = false;
    d.fired.clear();
    d.blocking.clear();
    d.error.reset();
  }
  Value& ref = out.frame[static_cast<std::size_t>(p.reference_date_field())];
  if (ref.is_null()) {
    if (!options.reference_date) {
      out.status = Status::error;
      out.errors.emplace_back(
          ErrorCode::missing_reference_date,
          "no reference date: give one (--date) or set reference_date in the record",
          "/reference_date");
      return;
    }
    ref = Value::date(*options.reference_date);
  }
  if (!p.valid_at(ref.as_date())) {
    out.status = Status::error;
    out.errors.emplace_back(
        ErrorCode::no_valid_version,
        "pack " + p.id() + " " + p.version() + " is valid from " + p.valid_from().to_string() +
            (p.valid_to() ? " to " + p.valid_to()->to_string() : std::string()) + ", not on " +
            ref.as_date().to_string(),
        "/reference_date");
    return;
  }

  EvalContext ctx{out.frame.data(), Value::null(), &out.arena};
  for (const Constraint& c : p.constraints()) {
    Value ok = c.expression.evaluate(ctx);
    if (ok.type() == Type::boolean && !ok.as_bool()) {
      // One error per input involved, so that every one of them is pointed at.
      const std::string message = constraint_error_message(c);
      for (int in : c.inputs)
        out.errors.emplace_back(ErrorCode::input_constraint, message,
                                "/" + json_pointer_token(p.slot_name(in)));
    }
  }
  if (!out.errors.empty()) {
    out.status = Status::error;
    return;
  }
  if (!out.scratch) out.scratch = std::make_shared<EvaluationScratch>();
  std::vector<char>& uncertain = out.scratch->uncertain;
  uncertain.assign(p.slot_count(), 0);
  EvaluationScratch& scratch = *out.scratch;
  std::vector<int>& counts = scratch.counts;  // per input: the undecided rules it settles
  counts.assign(n_inputs, 0);
  for (const Node& node : p.order()) {
    if (node.kind == Node::Kind::variable) {
      const Variable& v = p.variables()[static_cast<std::size_t>(node.index)];
      out.frame[static_cast<std::size_t>(v.slot)] = v.expression.evaluate(ctx);
      for (int s : v.expression.slots())
        uncertain[static_cast<std::size_t>(v.slot)] |= uncertain[static_cast<std::size_t>(s)];
      continue;
    }
    const Decision& d = p.decisions()[static_cast<std::size_t>(node.index)];
    DecisionOutcome& o = out.decisions[static_cast<std::size_t>(node.index)];
    bool upstream = false;
    if (d.kind == Decision::Kind::expression) {
      o.evaluated = true;
      Value v = d.expression.evaluate(ctx);
      out.frame[static_cast<std::size_t>(d.outputs[0].slot)] = v;
      for (int s : d.expression.slots()) upstream |= uncertain[static_cast<std::size_t>(s)] != 0;
      if (v.is_null()) {
        bool any_missing = false;
        for (int f : p.slot_inputs(d.outputs[0].slot))
          if (out.frame[static_cast<std::size_t>(f)].is_null()) {
            ++counts[f];
            any_missing = true;
          }
        if (any_missing) o.status = Status::incomplete;
      }
    } else {
      run_table(p, d, out.frame, out.arena, o, scratch);
      if (o.status == Status::error) {
        out.errors.push_back(*o.error);
      } else {
        if (o.status == Status::incomplete &&
            !count_missing(p, d, o.blocking, o.trace.keys.data(), 1, o.trace.truths.data(),
                           out.frame.data(), uncertain.data(), scratch)) {
          o.status = Status::complete;
          o.blocking.clear();
        }
        upstream = upstream_open(d, o.trace.keys.data(), 1, o.trace.truths.data(), uncertain.data(),
                                 scratch);
      }
    }
    if (upstream && o.status == Status::complete) o.status = Status::incomplete;
    if (o.status != Status::complete)
      for (const OutputSpec& os : d.outputs) uncertain[static_cast<std::size_t>(os.slot)] = 1;
    if (o.status == Status::error)
      out.status = Status::error;
    else if (o.status == Status::incomplete && out.status == Status::complete)
      out.status = Status::incomplete;
  }
  for (std::size_t field = 0; field < n_inputs; ++field)
    if (counts[field] > 0)
      out.missing.push_back(MissingInput{static_cast<int>(field), counts[field]});
  if (p.has_ask_values()) add_asked_inputs(out, options);
  std::stable_sort(out.missing.begin(), out.missing.end(),
                   [](const MissingInput& x, const MissingInput& y) { return x.rules > y.rules; });
}

// Inputs holding a value that means "to be asked" are questions like missing ones: the record
// is evaluated again with them missing, and each counts the rules it would then settle (at
// least one: the pack reads it, and its value is not an answer).
void Evaluator::add_asked_inputs(Evaluation& out, const EvalOptions& options) const {
  const Pack& p = pack_;
  const std::size_t n_inputs = p.inputs().size();
  const std::vector<int> unused = p.unused_inputs();
  std::vector<int> asked;
  for (std::size_t f = 0; f < n_inputs; ++f)
    if (p.is_ask_value(static_cast<int>(f), out.frame[f]) &&
        std::find(unused.begin(), unused.end(), static_cast<int>(f)) == unused.end())
      asked.push_back(static_cast<int>(f));
  if (asked.empty()) return;
  Evaluation without;
  without.input.values = out.input.values;  // values borrow out's storage, which outlives this
  for (int f : asked) without.input.values[static_cast<std::size_t>(f)] = Value::null();
  EvalOptions o = options;
  o.trace = false;
  evaluate(without, o);
  for (int f : asked) {
    int rules = 1;
    for (const MissingInput& m : without.missing)
      if (m.field == f) rules = std::max(rules, m.rules);
    out.missing.push_back(MissingInput{f, rules, true});
  }
  if (out.status == Status::complete) out.status = Status::incomplete;
}

bool Evaluator::evaluate_json(std::string_view json, Evaluation& out,
                              const EvalOptions& options) const {
  out.errors = pack_.inputs().parse_record(json, out.input, options.unknown_fields);
  if (!out.errors.empty()) {
    out.status = Status::error;
    out.frame.clear();
    out.decisions.clear();
    out.missing.clear();
    return false;
  }
  evaluate(out, options);
  for (const Error& e : out.errors)
    if (e.code() == ErrorCode::input_constraint) return false;
  return true;
}

void Evaluator::evaluate_table_columns(int decision, const std::vector<Value>& column_values,
                                       std::vector<std::uint64_t>& matched,
                                       std::vector<std::uint64_t>& undecided) const {
  const Decision& d = pack_.decisions()[static_cast<std::size_t>(decision)];
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  std::vector<Value> frame(pack_.slot_count(), Value::null());
  Arena arena;
  EvalContext ctx{frame.data(), Value::null(), &arena};
  matched.assign(W, 0);
  undecided.assign(W, 0);
  Words possible(W), a(W), u(W);
  all_rules(matched.data(), W, t.rules());
  all_rules(possible.data(), W, t.rules());
  for (std::size_t c = 0; c < t.columns().size(); ++c) {
    std::uint32_t key = t.key_of(c, column_values[c]);
    t.column_masks(c, column_values[c], key, ctx, a.data(), u.data(), nullptr);
    for (std::size_t w = 0; w < W; ++w) {
      matched[w] &= a[w];
      possible[w] &= a[w] | u[w];
    }
  }
  for (std::size_t w = 0; w < W; ++w) undecided[w] = possible[w] & ~matched[w];
}

void Evaluator::evaluate_batch(const Batch& batch, BatchResult& out, const EvalOptions& options,
                               std::size_t begin, std::size_t end, const RowSink& sink) const {
  // Sizes `out` (and checks nothing else) when the range is empty.
  evaluate_batch(batch, out, options, 0, 0);
  evaluate_blocks(batch, out, options, begin, std::min(end, batch.rows()), &sink);
}

void Evaluator::evaluate_batch_results(const Batch& batch, BatchResult& out,
                                       const EvalOptions& options, std::size_t begin,
                                       std::size_t end, const RowResultSink& sink) const {
  evaluate_batch(batch, out, options, 0, 0);
  evaluate_blocks(batch, out, options, begin, std::min(end, batch.rows()), nullptr, &sink);
}

void Evaluator::evaluate_batch(const Batch& batch, BatchResult& out, const EvalOptions& options,
                               std::size_t begin, std::size_t end) const {
  const Pack& p = pack_;
  const std::size_t rows = batch.rows();
  const std::size_t n_dec = p.decisions().size();
  end = std::min(end, rows);
  if (out.rows != rows || out.first_hit.size() != n_dec) {
    out.rows = rows;
    out.status.assign(rows, Status::complete);
    out.first_hit.assign(n_dec, std::vector<std::int32_t>(rows, -1));
    out.keys.assign(n_dec, {});
  }
  if (options.trace)
    for (std::size_t k = 0; k < n_dec; ++k) {
      const Decision& d = p.decisions()[k];
      std::size_t cols = d.kind == Decision::Kind::table ? d.inputs.size() : 0;
      if (out.keys[k].size() != rows * cols) out.keys[k].assign(rows * cols, 0);
    }

  if (!batch_fast_) {
    evaluate_blocks(batch, out, options, begin, end, nullptr);
    return;
  }

  // Fast path: every table reads input columns directly. Rows go by blocks, column at a time:
  // each key ANDs its region's two masks (matched, possible) into the row's as soon as it is
  // known, and is stored only for the trace; then the hit and the status. The keys are the trace.
  constexpr std::size_t kBlock = 256;
  static_assert(Status::complete < Status::incomplete && Status::incomplete < Status::error);
  std::fill(out.status.begin() + static_cast<std::ptrdiff_t>(begin),
            out.status.begin() + static_cast<std::ptrdiff_t>(end), Status::complete);
  Words rows_masks;  // per row of the block: matched words, then possible words
  for (std::size_t k = 0; k < n_dec; ++k) {
    const Decision& d = p.decisions()[k];
    const CompiledTable& t = *d.compiled;
    const auto& plan = plan_->tables[k];
    const std::size_t n_cols = plan.size();
    const std::size_t W = t.words(), W2 = 2 * W;
    rows_masks.resize(kBlock * W2);
    Words all(W2);
    all_rules(all.data(), W, t.rules());
    std::copy(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(W),
              all.begin() + static_cast<std::ptrdiff_t>(W));
    std::uint32_t* keys_out = options.trace ? out.keys[k].data() : nullptr;
    std::int32_t* hit = out.first_hit[k].data();
    std::uint64_t* mq = rows_masks.data();
    for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
      const std::size_t n = std::min(kBlock, end - b0);
      if (W == 1) {
        for (std::size_t i = 0; i < n; ++i) {
          mq[2 * i] = all[0];
          mq[2 * i + 1] = all[0];
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) std::copy(all.begin(), all.end(), mq + i * W2);
      }
      for (std::size_t c = 0; c < n_cols; ++c) {
        std::uint32_t* ko = keys_out ? keys_out + c * rows + b0 : nullptr;
        plan[c].and_masks(batch, b0, n, options, t, c, W, mq, ko);
      }
      if (W == 1 && d.hit_policy == HitPolicy::first) {
        // The possible rules include the matched ones: an undecided rule comes before the first
        // match exactly when the first possible rule does (no rule at all counts as 64).
        auto* status = reinterpret_cast<std::uint8_t*>(out.status.data()) + b0;
        for (std::size_t i = 0; i < n; ++i) {
          const int first = std::countr_zero(mq[2 * i]);
          const int first_possible = std::countr_zero(mq[2 * i + 1]);
          hit[b0 + i] = first == 64 ? -1 : first;
          status[i] = std::max(status[i], static_cast<std::uint8_t>(first_possible < first));
        }
        continue;
      }
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t row = b0 + i;
        const std::uint64_t* m = mq + i * W2;
        const std::uint64_t* q = m + W;
        const int first = first_bit(m, W);
        hit[row] = first;
        // Undecided rules before the first match (FIRST) or anywhere (UNIQUE) leave it open.
        bool open = false;
        const std::size_t limit = (d.hit_policy == HitPolicy::first && first >= 0)
                                      ? static_cast<std::size_t>(first)
                                      : t.rules();
        for (std::size_t w = 0; w < W && w * 64 < limit; ++w) {
          std::uint64_t und = q[w] & ~m[w];
          if (w * 64 + 64 > limit) und &= (std::uint64_t{1} << (limit - w * 64)) - 1;
          open |= und != 0;
        }
        if (d.hit_policy == HitPolicy::unique && first >= 0) {
          int count = 0;
          for (std::size_t w = 0; w < W; ++w) count += std::popcount(m[w]);
          if (count > 1) {
            out.status[row] = Status::error;
            out.errors.emplace_back(row, Error(ErrorCode::hit_policy_violation,
                                               "rules " + rule_list(d, bits_of(m, W)) +
                                                   " all match under UNIQUE (" + d.id + ")",
                                               d.pointer));
            continue;
          }
        }
        if (open && out.status[row] == Status::complete) out.status[row] = Status::incomplete;
      }
    }
  }
}

namespace {

// Rows [b0, b0 + n) of an input column as values, out[i * stride]; the type is switched on
// once per column, not once per cell.
void input_column(const Batch& batch, std::size_t c, std::size_t b0, std::size_t n, Value* out,
                  std::size_t stride) {
  const std::int64_t* data = batch.data(c) + b0;
  const std::uint8_t* present = batch.present(c) + b0;
  const FieldSpec& f = batch.schema().field(c);
  switch (f.type) {
    case FieldType::boolean:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = present[i] ? Value::boolean(data[i] != 0) : Value::null();
      return;
    case FieldType::integer:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = present[i] ? Value::integer(data[i]) : Value::null();
      return;
    case FieldType::decimal:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = present[i] ? Value::decimal(Decimal{data[i]}) : Value::null();
      return;
    case FieldType::date:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] =
            present[i] ? Value::date(Date{static_cast<std::int32_t>(data[i])}) : Value::null();
      return;
    case FieldType::enumeration:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] =
            present[i] ? Value::string(f.values[static_cast<std::size_t>(data[i])]) : Value::null();
      return;
    default:
      for (std::size_t i = 0; i < n; ++i) out[i * stride] = batch.get(c, b0 + i);
      return;
  }
}

// Copies one per-record evaluation into a batch result.
void store_row(const Evaluation& e, std::size_t row, std::size_t rows, bool trace, BatchResult& out,
               const Evaluator::RowSink* sink, const Evaluator::RowResultSink* results) {
  out.status[row] = e.status;
  if (sink)
    (*sink)(row, e.status, e.frame.empty() || e.decisions.empty() ? nullptr : e.frame.data(),
            e.errors);
  else if (results) {
    RowResult r = row_result(e, std::any_of(e.errors.begin(), e.errors.end(), [](const Error& x) {
                               return x.code() == ErrorCode::input_constraint;
                             }));
    r.row = row;
    (*results)(r);
  } else
    for (const Error& err : e.errors) out.errors.emplace_back(row, err);
  for (std::size_t k = 0; k < out.first_hit.size(); ++k) {
    if (e.decisions.empty()) {  // rejected before any decision ran
      out.first_hit[k][row] = -1;
      continue;
    }
    const DecisionOutcome& o = e.decisions[k];
    out.first_hit[k][row] = o.fired.empty() ? -1 : o.fired[0];
    if (trace && o.evaluated)
      for (std::size_t c = 0; c < o.trace.keys.size(); ++c)
        out.keys[k][c * rows + row] = o.trace.keys[c];
  }
}

}  // namespace

namespace {

// What evaluate() finds about a row beyond its values (which decisions are incomplete and the
// inputs that would settle them), worked out from the row's values, keys and truths.
struct RowAnalysis {
  EvaluationScratch scratch;
  std::vector<char> uncertain;
  Words matched, possible, a, u, undecided;
  std::vector<int> blocking;
  std::vector<MissingInput> missing;
};

// evaluate()'s walk over the nodes, on a row the block path evaluated: the same blocking rules
// (run_table, for the hit policies the block path takes), the same count_missing and
// upstream_open on the same keys and truths, hence the same missing inputs in the same order.
// keys[k][c * stride + row] is the key of column c of decision k; truths[k][row * generics] the
// row's generic truths.
void analyse_row(const Pack& p, const Value* frame, std::size_t row, std::size_t stride,
                 const std::vector<std::vector<std::uint32_t>>& keys,
                 const std::vector<std::vector<Truth>>& truths, RowAnalysis& x) {
  const std::size_t n_inputs = p.inputs().size();
  x.uncertain.assign(p.slot_count(), 0);
  char* uncertain = x.uncertain.data();
  std::vector<int>& counts = x.scratch.counts;  // count_missing adds to it
  counts.assign(n_inputs, 0);
  for (const Node& node : p.order()) {
    const auto index = static_cast<std::size_t>(node.index);
    if (node.kind == Node::Kind::variable) {
      const Variable& v = p.variables()[index];
      for (int s : v.expression.slots())
        uncertain[static_cast<std::size_t>(v.slot)] |= uncertain[static_cast<std::size_t>(s)];
      continue;
    }
    const Decision& d = p.decisions()[index];
    bool incomplete = false, upstream = false;
    if (d.kind == Decision::Kind::expression) {
      for (int s : d.expression.slots()) upstream |= uncertain[static_cast<std::size_t>(s)] != 0;
      if (frame[static_cast<std::size_t>(d.outputs[0].slot)].is_null())
        for (int f : p.slot_inputs(d.outputs[0].slot))
          if (frame[static_cast<std::size_t>(f)].is_null()) {
            ++counts[static_cast<std::size_t>(f)];
            incomplete = true;
          }
    } else {
      const CompiledTable& t = *d.compiled;
      const std::size_t W = t.words();
      const std::uint32_t* k = keys[index].data() + row;
      const Truth* tr = truths[index].data() + row * t.generic_count();
      x.matched.resize(W);
      x.possible.resize(W);
      x.a.resize(W);
      x.u.resize(W);
      x.undecided.resize(W);
      all_rules(x.matched.data(), W, t.rules());
      all_rules(x.possible.data(), W, t.rules());
      for (std::size_t c = 0; c < t.columns().size(); ++c) {
        t.masks_from_trace(c, k[c * stride], tr + t.generic_offset(c), x.a.data(), x.u.data());
        for (std::size_t w = 0; w < W; ++w) {
          x.matched[w] &= x.a[w];
          x.possible[w] &= x.a[w] | x.u[w];
        }
      }
      for (std::size_t w = 0; w < W; ++w) x.undecided[w] = x.possible[w] & ~x.matched[w];
      const int first = first_bit(x.matched.data(), W);
      const bool below_first = d.hit_policy == HitPolicy::first && first >= 0;
      bits_into(x.blocking, x.undecided.data(), W,
                below_first ? static_cast<std::size_t>(first) : SIZE_MAX);
      incomplete = !x.blocking.empty() &&
                   count_missing(p, d, x.blocking, k, stride, tr, frame, uncertain, x.scratch);
      upstream = upstream_open(d, k, stride, tr, uncertain, x.scratch);
    }
    if (incomplete || upstream)
      for (const OutputSpec& os : d.outputs) uncertain[static_cast<std::size_t>(os.slot)] = 1;
  }
  x.missing.clear();
  for (std::size_t field = 0; field < n_inputs; ++field)
    if (counts[field] > 0)
      x.missing.push_back(MissingInput{static_cast<int>(field), counts[field]});
  std::stable_sort(x.missing.begin(), x.missing.end(),
                   [](const MissingInput& l, const MissingInput& r) { return l.rules > r.rules; });
}

// add_asked_inputs on the block path: each input of the row holding a value that means "to be
// asked" joins the questions, counting the rules it settled once missing (at least 1);
// `without` holds the missing inputs of the row evaluated without those values.
void add_asked(const Pack& p, const Value* frame, const std::vector<char>& unused_input,
               const std::vector<MissingInput>& without, RowAnalysis& x) {
  for (std::size_t f = 0; f < p.inputs().size(); ++f) {
    if (unused_input[f] || !p.is_ask_value(static_cast<int>(f), frame[f])) continue;
    int rules = 1;
    for (const MissingInput& m : without)
      if (m.field == static_cast<int>(f)) rules = std::max(rules, m.rules);
    x.missing.push_back(MissingInput{static_cast<int>(f), rules, true});
  }
  std::stable_sort(x.missing.begin(), x.missing.end(),
                   [](const MissingInput& l, const MissingInput& r) { return l.rules > r.rules; });
}

}  // namespace

// Rows go by blocks of frames laid out one after the other; variables, table columns and
// expression decisions run a column at a time over the block. Hits, keys and outputs never
// depend on the status, so only the status needs evaluate()'s reasoning. A row's status is
// incomplete as soon as one decision is: a table with undecided rules where they matter whose
// missing inputs could settle them (count_missing, on the row's keys and truths), or an
// expression decision waiting on a missing input. Until then nothing is uncertain, so the
// upstream checks of evaluate() have nothing to find; after, they could only make other
// decisions incomplete, which the row already is. Rows with an error to report (a broken
// constraint, a hit-policy violation, no valid reference date) are evaluated again by the
// per-record path, which owns the errors, so results never depend on the path taken.
// The rows of [begin, end) holding "to be asked" values, copied without them into a batch of
// their own and evaluated there, all at once (they hold no such value any more, so their
// questions are worked out on the block path too): index[row - begin] is a row's place in
// `missing` (-1 for the other rows), missing[j] the missing inputs of that copy.
namespace {

void evaluate_without_asked(const Evaluator& evaluator, const std::vector<std::size_t>& ask_fields,
                            const Batch& batch, std::size_t begin, std::size_t end,
                            const EvalOptions& options, std::vector<int>& index,
                            std::vector<std::vector<MissingInput>>& missing) {
  const Pack& p = evaluator.pack();
  const std::size_t n_inputs = p.inputs().size();
  index.assign(end - begin, -1);
  std::size_t m = 0;
  for (std::size_t row = begin; row < end; ++row)
    for (std::size_t c : ask_fields)
      if (index[row - begin] < 0 && p.is_ask_value(static_cast<int>(c), batch.get(c, row)))
        index[row - begin] = static_cast<int>(m++);
  if (m == 0) return;
  Batch without(p.inputs(), m);
  std::vector<char> ask_field(n_inputs, 0);
  for (std::size_t c : ask_fields) ask_field[c] = 1;
  for (std::size_t row = begin; row < end; ++row) {
    if (index[row - begin] < 0) continue;
    const auto j = static_cast<std::size_t>(index[row - begin]);
    for (std::size_t c = 0; c < n_inputs; ++c) {
      const Value v = batch.get(c, row);
      if (ask_field[c] && p.is_ask_value(static_cast<int>(c), v))
        without.set_null(c, j);
      else
        without.set(c, j, v);
    }
  }
  if (missing.size() < m) missing.resize(m);
  BatchResult result;
  EvalOptions o = options;
  o.trace = false;
  evaluator.evaluate_batch_results(without, result, o, 0, m, [&](const RowResult& r) {
    missing[r.row].assign(r.missing.begin(), r.missing.end());
  });
}

}  // namespace

void Evaluator::evaluate_blocks(const Batch& batch, BatchResult& out, const EvalOptions& options,
                                std::size_t begin, std::size_t end, const RowSink* sink,
                                const RowResultSink* results) const {
  const Pack& p = pack_;
  const std::size_t rows = batch.rows();
  const std::size_t n_inputs = p.inputs().size();
  const std::size_t S = p.slot_count();
  Evaluation e;
  if (!batch_block_) {
    for (std::size_t row = begin; row < end; ++row) {
      e.input.reset(n_inputs);
      for (std::size_t c = 0; c < n_inputs; ++c) e.input.values[c] = batch.get(c, row);
      evaluate(e, options);
      store_row(e, row, rows, options.trace, out, sink, results);
    }
    return;
  }
  constexpr std::size_t kBlock = 64;
  const auto ref_slot = static_cast<std::size_t>(p.reference_date_field());
  std::vector<Value> frames(kBlock * S), scratch, column(kBlock), values;
  // redo: the row goes to the per-record path (an error to report); incomplete: a decision of
  // the row is incomplete. settled: no value is uncertain (evaluate()'s flags, all clear).
  std::vector<char> redo(kBlock), incomplete(kBlock), asked(kBlock), settled(S, 0);
  RowAnalysis analysis;
  // Rows holding "to be asked" values, again without them (a block of their own) and the
  // missing inputs found for each.
  std::vector<int> asked_index;
  std::vector<std::vector<MissingInput>> asked_missing;
  if (results && p.has_ask_values())
    evaluate_without_asked(*this, plan_->ask_fields, batch, begin, end, options, asked_index,
                           asked_missing);
  std::vector<char> unused_input(n_inputs, 0);
  for (int f : p.unused_inputs()) unused_input[static_cast<std::size_t>(f)] = 1;
  // With `results`: the fired rules of every row's decisions (the last block's, reused).
  const std::size_t n_dec = p.decisions().size();
  std::vector<DecisionOutcome> outcomes(results ? kBlock * n_dec : 0);
  EvaluationScratch resolve;
  resolve.counts.assign(n_inputs, 0);
  std::vector<int> blocking;
  // Per decision: the block's keys (column-major, kBlock per column) and generic truths (per
  // row), kept until the block's rows are written: the questions of an incomplete row are
  // worked out from them (analyse_row).
  std::vector<std::vector<std::uint32_t>> block_keys(p.decisions().size());
  std::vector<std::vector<Truth>> block_truths(p.decisions().size());
  const std::vector<Error> no_errors;
  Words matched, possible, a, u, all;
  // Tables of more than one word: per row, the first word that can hold a possible rule; per
  // column with generic cells, the row's cells that hold or are unknown, which add their rules
  // to the column's masks (extras[row_extra[c] .. row_extra[c + 1]]).
  struct ExtraRules {
    const std::uint64_t* rules;
    bool accept;  // the cell holds; else it is unknown
  };
  std::vector<std::uint32_t> start_word(kBlock);
  std::vector<std::size_t> row_extra;
  std::vector<ExtraRules> extras;
  // Per column, the row's region masks (rebuilt into region_scratch for sparse columns).
  std::vector<CompiledTable::Rows> region_rows;
  Words region_scratch;
  Arena arena;
  const auto& computed_outputs = plan_->computed_outputs;
  const auto& constant_outputs = plan_->constant_outputs;
  // The key of a number or a date depends on its value alone, and values repeat (ages): a
  // small direct-mapped table per column, kept between blocks, skips the search over cut points.
  struct NumberKey {
    std::int64_t value = 0;
    std::uint32_t key = 0;
    Type type = Type::null;  // null: empty
  };
  constexpr std::size_t kNumberKeys = 64;
  std::vector<std::vector<NumberKey>> number_keys(p.decisions().size());
  for (std::size_t k = 0; k < p.decisions().size(); ++k)
    if (p.decisions()[k].kind == Decision::Kind::table)
      number_keys[k].resize(p.decisions()[k].compiled->columns().size() * kNumberKeys);
  for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
    const std::size_t n = std::min(kBlock, end - b0);
    arena.reset();
    for (std::size_t i = 0; i < n; ++i)  // inputs are filled below, the rest starts null
      std::fill(frames.begin() + static_cast<std::ptrdiff_t>(i * S + n_inputs),
                frames.begin() + static_cast<std::ptrdiff_t>((i + 1) * S), Value::null());
    for (std::size_t c = 0; c < n_inputs; ++c) input_column(batch, c, b0, n, frames.data() + c, S);
    for (std::size_t i = 0; i < n; ++i) {
      Value& ref = frames[i * S + ref_slot];
      if (ref.is_null() && options.reference_date) ref = Value::date(*options.reference_date);
      redo[i] = ref.is_null() || !p.valid_at(ref.as_date());
      incomplete[i] = 0;
    }
    for (const Constraint& c : p.constraints()) {
      c.expression.evaluate_rows(frames.data(), S, n, column.data(), 1, scratch, &arena);
      for (std::size_t i = 0; i < n; ++i)
        if (column[i].type() == Type::boolean && !column[i].as_bool()) redo[i] = 1;
    }
    // A value that means "to be asked" makes the row incomplete, as evaluate() decides it.
    std::fill(asked.begin(), asked.end(), 0);
    if (p.has_ask_values())
      for (std::size_t i = 0; i < n; ++i) {
        const Value* f = frames.data() + i * S;
        for (std::size_t c : plan_->ask_fields)
          if (p.is_ask_value(static_cast<int>(c), f[c])) incomplete[i] = asked[i] = 1;
      }
    for (const Node& node : p.order()) {
      if (node.kind == Node::Kind::variable) {
        const Variable& v = p.variables()[static_cast<std::size_t>(node.index)];
        v.expression.evaluate_rows(frames.data(), S, n, frames.data() + v.slot, S, scratch, &arena);
        continue;
      }
      const auto k = static_cast<std::size_t>(node.index);
      const Decision& d = p.decisions()[k];
      std::int32_t* hit = out.first_hit[k].data() + b0;
      if (d.kind == Decision::Kind::expression) {
        const auto slot = static_cast<std::size_t>(d.outputs[0].slot);
        d.expression.evaluate_rows(frames.data(), S, n, frames.data() + slot, S, scratch, &arena);
        for (std::size_t i = 0; i < n; ++i) {
          hit[i] = -1;
          const Value* f = frames.data() + i * S;
          bool waiting = false;  // a null value that a missing input could change
          if (f[slot].is_null())
            for (int in : p.slot_inputs(d.outputs[0].slot))
              if (f[static_cast<std::size_t>(in)].is_null()) waiting = true;
          if (waiting) incomplete[i] = 1;
          if (results) outcomes[i * n_dec + k].fired.clear();
        }
        continue;
      }
      const CompiledTable& t = *d.compiled;
      const auto& cols = t.columns();
      const std::size_t W = t.words();
      const std::size_t n_cols = cols.size();
      const bool first_policy = d.hit_policy == HitPolicy::first;
      // One word of rules: the column loop ANDs each row's mask in place. More: the column loop
      // only finds keys and generic truths, and each row's masks are then built a word at a
      // time, from the first word that can hold a possible rule (the largest of its columns'
      // first words) and, under FIRST, up to the word of the first match: the rules after it
      // change neither the hit nor the status. A large table of near copies whose rows mostly
      // fall through to a catch-all costs a word per column, not the whole table.
      const bool wide = W > 1;
      all.resize(W);
      all_rules(all.data(), W, t.rules());
      if (wide) {
        matched.resize(W);
        possible.resize(W);
      } else {
        matched.assign(n, all[0]);
        possible.assign(n, all[0]);
      }
      std::vector<std::uint32_t>& keys = block_keys[k];
      keys.resize(n_cols * kBlock);
      a.resize(W);
      u.resize(W);
      if (t.has_sparse()) {
        region_rows.resize(n_cols);
        region_scratch.resize(n_cols * W);
      }
      const std::size_t G = t.generic_count();
      std::vector<Truth>& truths = block_truths[k];
      truths.resize(n * G);
      if (wide)
        std::fill(start_word.begin(), start_word.begin() + static_cast<std::ptrdiff_t>(n), 0);
      for (std::size_t c = 0; c < n_cols; ++c) {
        const Value* vals;
        std::size_t stride;
        if (cols[c].slot >= 0) {
          vals = frames.data() + cols[c].slot;
          stride = S;
        } else {
          d.inputs[c].expr.evaluate_rows(frames.data(), S, n, column.data(), 1, scratch, &arena);
          vals = column.data();
          stride = 1;
        }
        std::uint32_t* kc = keys.data() + c * kBlock;
        if (plan_->tables[k][c].from_batch)
          plan_->tables[k][c].keys(batch, b0, n, options, t, c, kc);
        else if (cols[c].kind == CompiledTable::Column::Kind::boolean) {
          // As key_of: true 1, false 0, anything else the null region.
          const std::uint32_t null_key = cols[c].null_key();
          for (std::size_t i = 0; i < n; ++i) {
            const Value& v = vals[i * stride];
            kc[i] = v.type() == Type::boolean ? (v.as_bool() ? 1u : 0u) : null_key;
          }
        } else {
          // Texts repeat within a block (outputs, constants, enum values): within a block an
          // address names one text, so a small table of the addresses seen in this column gives
          // their keys again (the block's arena is reset only between blocks).
          NumberKey* numbers = number_keys[k].data() + c * kNumberKeys;
          struct TextKey {
            const char* text = nullptr;
            std::size_t size = 0;
            std::uint32_t key = 0;
          };
          TextKey texts[8];
          for (std::size_t i = 0; i < n; ++i) {
            const Value& v = vals[i * stride];
            const Type type = v.type();
            if (type == Type::integer || type == Type::decimal || type == Type::date) {
              NumberKey& entry = numbers[static_cast<std::uint64_t>(v.as_int()) % kNumberKeys];
              if (entry.type != type || entry.value != v.as_int())
                entry = {v.as_int(), t.key_of(c, v), type};
              kc[i] = entry.key;
              continue;
            }
            if (type != Type::string) {
              kc[i] = t.key_of(c, v);
              continue;
            }
            const std::string_view text = v.as_string();
            const auto address = reinterpret_cast<std::uintptr_t>(text.data());
            TextKey& entry = texts[((address >> 3) ^ (address >> 7)) & 7];
            if (entry.text != text.data() || entry.size != text.size() || !entry.text)
              entry = {text.data(), text.size(), t.key_of(c, v)};
            kc[i] = entry.key;
          }
        }
        if (wide) {
          const std::uint32_t* first_word = cols[c].first_word.data();
          if (cols[c].generics.empty()) {
            for (std::size_t i = 0; i < n; ++i)
              start_word[i] = std::max(start_word[i], first_word[kc[i]]);
          } else {
            EvalContext ctx{nullptr, Value::null(), &arena};
            for (std::size_t i = 0; i < n; ++i) {
              ctx.slots = frames.data() + i * S;
              Truth* tr = truths.data() + i * G + t.generic_offset(c);
              t.generic_truths(c, vals[i * stride], ctx, tr);
              std::uint32_t from = first_word[kc[i]];
              for (std::size_t g = 0; g < cols[c].generics.size(); ++g)
                if (tr[g] != Truth::no) from = std::min(from, cols[c].generics[g].first_word);
              start_word[i] = std::max(start_word[i], from);
            }
          }
        } else if (cols[c].generics.empty()) {
          const std::uint64_t* acc = cols[c].accept.data();
          const std::uint64_t* unk = cols[c].unknown.data();
          for (std::size_t i = 0; i < n; ++i) {
            matched[i] &= acc[kc[i]];
            possible[i] &= acc[kc[i]] | unk[kc[i]];
          }
        } else {
          EvalContext ctx{nullptr, Value::null(), &arena};
          for (std::size_t i = 0; i < n; ++i) {
            ctx.slots = frames.data() + i * S;
            t.column_masks(c, vals[i * stride], kc[i], ctx, a.data(), u.data(),
                           truths.data() + i * G + t.generic_offset(c));
            matched[i] &= a[0];
            possible[i] &= a[0] | u[0];
          }
        }
        if (options.trace) std::copy(kc, kc + n, out.keys[k].data() + c * rows + b0);
      }
      const bool single = d.hit_policy == HitPolicy::first || d.hit_policy == HitPolicy::unique;
      row_extra.assign(n_cols + 1, 0);
      for (std::size_t i = 0; i < n; ++i) {
        Value* f = frames.data() + i * S;
        // The row's matched and possible masks, valid on words [lo, hi); none outside.
        std::size_t lo = 0, hi = W;
        const std::uint64_t* m = matched.data() + (wide ? 0 : i);
        const std::uint64_t* q = possible.data() + (wide ? 0 : i);
        if (wide) {
          // Each column's words: its key's masks, ORed with those of its generic cells that
          // hold (accept) or are unknown (unknown) on this row.
          if (G) {
            extras.clear();
            for (std::size_t c = 0; c < n_cols; ++c) {
              row_extra[c] = extras.size();
              const Truth* tr = truths.data() + i * G + t.generic_offset(c);
              for (std::size_t g = 0; g < cols[c].generics.size(); ++g)
                if (tr[g] != Truth::no)
                  extras.push_back({cols[c].generics[g].rules.data(), tr[g] == Truth::yes});
            }
            row_extra[n_cols] = extras.size();
          }
          std::uint64_t* mw = matched.data();
          std::uint64_t* qw = possible.data();
          lo = hi = start_word[i];
          // The row's words from `lo`, a column's region words given by `words_of`: read in
          // place for dense columns, rebuilt once per row for sparse ones.
          auto scan = [&](auto words_of) {
            for (std::size_t w = lo; w < W; ++w) {
              std::uint64_t mword = all[w], qword = all[w];
              for (std::size_t c = 0; c < n_cols; ++c) {
                auto [acc, unk] = words_of(c, w);
                for (std::size_t x = row_extra[c]; x < row_extra[c + 1]; ++x)
                  (extras[x].accept ? acc : unk) |= extras[x].rules[w];
                mword &= acc;
                qword &= acc | unk;
              }
              mw[w] = mword;
              qw[w] = qword;
              hi = w + 1;
              if (first_policy && mword) break;
            }
          };
          if (!t.has_sparse()) {
            scan([&](std::size_t c, std::size_t w) {
              const std::size_t at = std::size_t{keys[c * kBlock + i]} * W + w;
              return std::pair{cols[c].accept[at], cols[c].unknown[at]};
            });
          } else if (lo < W) {
            for (std::size_t c = 0; c < n_cols; ++c)
              region_rows[c] =
                  t.region_rows(c, keys[c * kBlock + i], region_scratch.data() + c * W);
            scan([&](std::size_t c, std::size_t w) {
              return std::pair{region_rows[c].accept[w], region_rows[c].unknown[w]};
            });
          }
        }
        int first = -1;
        for (std::size_t w = lo; w < hi; ++w)
          if (m[w]) {
            first = static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(m[w])));
            break;
          }
        hit[i] = first;
        // Undecided rules before the first match (FIRST) or anywhere (the others) matter.
        const std::size_t limit =
            (first_policy && first >= 0) ? static_cast<std::size_t>(first) : t.rules();
        bool open = false;
        if (!wide) {  // the rules below the lowest match: one mask, no shift by a variable
          const std::uint64_t before = (first_policy && m[0]) ? (m[0] & (~m[0] + 1)) - 1 : ~0ull;
          open = (q[0] & ~m[0] & before) != 0;
        } else {
          for (std::size_t w = lo; w < hi && w * 64 < limit; ++w) {
            std::uint64_t und = q[w] & ~m[w];
            if (w * 64 + 64 > limit) und &= (std::uint64_t{1} << (limit - w * 64)) - 1;
            open |= und != 0;
          }
        }
        if (d.hit_policy == HitPolicy::unique && first >= 0) {
          std::size_t count = 0;
          for (std::size_t w = lo; w < hi; ++w)
            count += static_cast<std::size_t>(std::popcount(m[w]));
          if (count > 1) redo[i] = 1;  // a hit-policy error: the per-record path reports it
        }
        // Undecided rules in a row still complete: incomplete when a missing input could
        // settle them, as evaluate() decides it, on this row's keys and truths.
        if (open && !redo[i] && !incomplete[i]) {
          blocking.clear();
          for (std::size_t w = lo; w < hi && w * 64 < limit; ++w)
            for (std::uint64_t x = q[w] & ~m[w]; x; x &= x - 1) {
              const std::size_t r = w * 64 + static_cast<std::size_t>(std::countr_zero(x));
              if (r >= limit) break;
              blocking.push_back(static_cast<int>(r));
            }
          if (count_missing(p, d, blocking, keys.data() + i, kBlock, truths.data() + i * G, f,
                            settled.data(), resolve))
            incomplete[i] = 1;
        }
        if (results) {  // the rules that fired: the first hit, or every match in rule order
          std::vector<int>& fired = outcomes[i * n_dec + k].fired;
          fired.clear();
          if (single) {
            if (first >= 0) fired.push_back(first);
          } else {
            for (std::size_t w = lo; w < hi; ++w)
              for (std::uint64_t x = m[w]; x; x &= x - 1)
                fired.push_back(static_cast<int>(w * 64 + std::countr_zero(x)));
          }
        }
        EvalContext ctx{f, Value::null(), &arena};
        const std::size_t n_out = d.outputs.size();
        auto output = [&](std::size_t r, std::size_t o) {
          const Expression* x = computed_outputs[k][r * n_out + o];
          return x ? x->evaluate(ctx) : constant_outputs[k][r * n_out + o];
        };
        if (single) {
          for (std::size_t o = 0; o < n_out; ++o)
            f[d.outputs[o].slot] =
                first < 0 ? Value::null() : output(static_cast<std::size_t>(first), o);
          continue;
        }
        for (std::size_t o = 0; o < n_out; ++o) {
          values.clear();
          for (std::size_t w = lo; w < hi; ++w)
            for (std::uint64_t x = m[w]; x; x &= x - 1)
              values.push_back(output(w * 64 + static_cast<std::size_t>(std::countr_zero(x)), o));
          if (d.hit_policy == HitPolicy::rule_order || d.hit_policy == HitPolicy::collect) {
            Value* items = arena.allocate_values(values.size());
            std::copy(values.begin(), values.end(), items);
            f[d.outputs[o].slot] = Value::list(items, values.size());
          } else {
            f[d.outputs[o].slot] = aggregate(d.hit_policy, values, arena);
          }
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = b0 + i;
      // An incomplete row's questions come from its keys and truths (analyse_row), as
      // evaluate() finds them; those of its "to be asked" values from its copy without them.
      bool analysed = false;
      const int copy = asked[i] && !asked_index.empty() ? asked_index[row - begin] : -1;
      if (!redo[i] && results && incomplete[i] && (!asked[i] || copy >= 0)) {
        analyse_row(p, frames.data() + i * S, i, kBlock, block_keys, block_truths, analysis);
        if (asked[i])
          add_asked(p, frames.data() + i * S, unused_input,
                    asked_missing[static_cast<std::size_t>(copy)], analysis);
        analysed = true;
      }
      if (!redo[i] && (!(results && incomplete[i]) || analysed)) {
        const Status st = incomplete[i] ? Status::incomplete : Status::complete;
        out.status[row] = st;
        if (sink) (*sink)(row, st, frames.data() + i * S, no_errors);
        if (results) {
          RowResult r;
          r.row = row;
          r.status = st;
          r.frame = frames.data() + i * S;
          r.decisions = std::span<const DecisionOutcome>(outcomes.data() + i * n_dec, n_dec);
          if (analysed) r.missing = analysis.missing;
          (*results)(r);
        }
        continue;
      }

      e.input.reset(n_inputs);
      for (std::size_t c = 0; c < n_inputs; ++c) e.input.values[c] = batch.get(c, row);
      evaluate(e, options);
      store_row(e, row, rows, options.trace, out, sink, results);
    }
  }
}

std::vector<RuleVerdict> rule_verdicts(const Pack& pack, const Evaluation& e, int decision) {
  const Decision& d = pack.decisions()[static_cast<std::size_t>(decision)];
  const DecisionOutcome& o = e.decisions[static_cast<std::size_t>(decision)];
  std::vector<RuleVerdict> out(d.rules.size());
  if (d.kind != Decision::Kind::table || !o.evaluated) return out;
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  Words a(W), u(W), rejected(W, 0), unknown_any(W, 0);
  for (std::size_t c = 0; c < t.columns().size(); ++c) {
    t.masks_from_trace(c, o.trace.keys[c], o.trace.truths.data() + t.generic_offset(c), a.data(),
                       u.data());
    for (std::size_t r = 0; r < d.rules.size(); ++r) {
      bool acc = test_bit(a.data(), r), unk = test_bit(u.data(), r);
      if (!acc && !unk && out[r].rejected_by < 0) out[r].rejected_by = static_cast<int>(c);
      if (!acc && unk) out[r].unknown_columns.push_back(static_cast<int>(c));
    }
  }
  std::vector<char> fired(d.rules.size(), 0);
  for (int r : o.fired) fired[static_cast<std::size_t>(r)] = 1;
  for (std::size_t r = 0; r < d.rules.size(); ++r) {
    RuleVerdict& v = out[r];
    if (v.rejected_by >= 0)
      v.state = RuleVerdict::State::rejected;
    else if (!v.unknown_columns.empty())
      v.state = RuleVerdict::State::undecided;
    else
      v.state = fired[r] ? RuleVerdict::State::fired : RuleVerdict::State::matched;
  }
  return out;
}

namespace {

void append_string(std::string& out, std::string_view s) {
  Value::string(s).append_json(out);
}

}  // namespace

RowResult row_result(const Evaluation& e, bool rejected) {
  RowResult r;
  r.status = e.status;
  r.rejected = rejected;
  r.frame = e.frame.empty() ? nullptr : e.frame.data();
  r.decisions = e.decisions;
  r.missing = e.missing;
  r.errors = e.errors;
  return r;
}

namespace {

// How the writers below write a pack's names: escaped on the spot (a single line), or taken
// ready-made from the evaluator's JsonNames (lines by the thousand).
struct EscapedNames {
  const Pack& p;
  void output(std::string& out, const OutputSpec& o, std::size_t) const {
    append_string(out, o.name);
    out += ':';
  }
  void table(std::string& out, std::size_t k) const {
    append_string(out, p.decisions()[k].id);
    out += ':';
  }
  void rule(std::string& out, std::size_t k, std::size_t r) const {
    append_string(out, p.decisions()[k].rules[r].id);
  }
};
struct ReadyNames {
  const detail::JsonNames& n;
  void output(std::string& out, const OutputSpec&, std::size_t index) const {
    out += n.outputs[index].key;
  }
  void table(std::string& out, std::size_t k) const { out += n.table_keys[k]; }
  void rule(std::string& out, std::size_t k, std::size_t r) const { out += n.rule_ids[k][r]; }
};

template <typename Names>
void append_fired(std::string& out, const Pack& p, std::span<const DecisionOutcome> d,
                  const Names& names) {
  out += '{';
  bool first = true;
  for (std::size_t k = 0; k < d.size(); ++k) {
    const Decision& dec = p.decisions()[k];
    if (dec.kind != Decision::Kind::table) continue;
    if (!first) out += ',';
    first = false;
    names.table(out, k);
    out += '[';
    for (std::size_t j = 0; j < d[k].fired.size(); ++j) {
      if (j) out += ',';
      names.rule(out, k, static_cast<std::size_t>(d[k].fired[j]));
    }
    out += ']';
  }
  out += '}';
}

// The line without its closing brace (the trace may follow).
template <typename Names>
void append_result_members(std::string& out, const Pack& p, const RowResult& r,
                           const Names& names) {
  out += "{\"status\":\"";
  out += status_name(r.status);
  out += "\",\"outputs\":{";
  bool first = true;
  std::size_t index = 0;
  if (r.frame)
    for (const Decision& d : p.decisions())
      for (const OutputSpec& o : d.outputs) {
        if (!first) out += ',';
        first = false;
        names.output(out, o, index++);
        r.frame[static_cast<std::size_t>(o.slot)].append_json(out);
      }
  out += "},\"fired\":";
  append_fired(out, p, r.decisions, names);
  if (!r.missing.empty()) {
    out += ",\"missing\":[";
    for (std::size_t k = 0; k < r.missing.size(); ++k) {
      if (k) out += ',';
      out += "{\"input\":";
      append_string(out, p.inputs().field(static_cast<std::size_t>(r.missing[k].field)).name);
      out += ",\"rules\":";
      out += std::to_string(r.missing[k].rules);
      out += '}';
    }
    out += ']';
  }
  if (!r.errors.empty()) {
    out += ",\"errors\":";
    detail::append_errors_json(out, r.errors);
  }
}

std::string quoted(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

}  // namespace

namespace detail {

void append_errors_json(std::string& out, std::span<const Error> errors) {
  out += '[';
  for (std::size_t k = 0; k < errors.size(); ++k) {
    const Error& err = errors[k];
    if (k) out += ',';
    out += "{\"code\":";
    out += std::to_string(static_cast<int>(err.code()));
    out += ",\"name\":";
    append_string(out, error_code_name(err.code()));
    out += ",\"message\":";
    append_string(out, err.message());
    out += ",\"pointer\":";
    append_string(out, err.pointer());
    out += '}';
  }
  out += ']';
}

JsonNames::JsonNames(const Pack& pack) {
  for (const FieldSpec& f : pack.inputs().fields()) input_keys.push_back(quoted(f.name) + ':');
  for (const Decision& d : pack.decisions()) {
    for (const OutputSpec& o : d.outputs) outputs.push_back({quoted(o.name) + ':', o.slot});
    const bool table = d.kind == Decision::Kind::table;
    table_keys.push_back(table ? quoted(d.id) + ':' : std::string());
    rule_ids.emplace_back();
    if (table)
      for (const Rule& r : d.rules) rule_ids.back().push_back(quoted(r.id));
  }
}

}  // namespace detail

void Evaluator::append_fired_json(std::string& out,
                                  std::span<const DecisionOutcome> decisions) const {
  append_fired(out, pack_, decisions, ReadyNames{*names_});
}

void Evaluator::append_result_json(std::string& out, const RowResult& r) const {
  append_result_members(out, pack_, r, ReadyNames{*names_});
  out += '}';
}

std::string evaluation_to_json(const Pack& p, const Evaluation& e, bool trace) {
  std::string out;
  out.reserve(256);
  append_result_members(out, p, row_result(e), EscapedNames{p});
  if (trace && !e.frame.empty()) {
    out += ",\"trace\":{\"pack\":{\"id\":";
    append_string(out, p.id());
    out += ",\"version\":";
    append_string(out, p.version());
    out += ",\"hash\":";
    append_string(out, p.hash());
    out += "},\"engine\":";
    append_string(out, engine_version());
    out += ",\"inputs\":{";
    for (std::size_t f = 0; f < p.inputs().size(); ++f) {
      if (f) out += ',';
      append_string(out, p.inputs().field(f).name);
      out += ':';
      e.frame[f].append_json(out);
    }
    out += "},\"variables\":{";
    for (std::size_t v = 0; v < p.variables().size(); ++v) {
      if (v) out += ',';
      append_string(out, p.variables()[v].name);
      out += ':';
      e.frame[static_cast<std::size_t>(p.variables()[v].slot)].append_json(out);
    }
    out += "},\"decisions\":[";
    bool first_node = true;
    for (const Node& node : p.order()) {
      if (node.kind != Node::Kind::decision) continue;
      const Decision& d = p.decisions()[static_cast<std::size_t>(node.index)];
      const DecisionOutcome& o = e.decisions[static_cast<std::size_t>(node.index)];
      if (!first_node) out += ',';
      first_node = false;
      out += "{\"id\":";
      append_string(out, d.id);
      out += ",\"status\":\"";
      out += status_name(o.status);
      out += '"';
      if (d.kind == Decision::Kind::expression || !o.evaluated) {
        out += ",\"value\":";
        e.frame[static_cast<std::size_t>(d.outputs[0].slot)].append_json(out);
        out += '}';
        continue;
      }
      out += ",\"hit_policy\":";
      append_string(out, hit_policy_name(d.hit_policy));
      out += ",\"columns\":[";
      const CompiledTable& t = *d.compiled;
      EvalContext ctx{e.frame.data(), Value::null(), nullptr};
      for (std::size_t c = 0; c < d.inputs.size(); ++c) {
        if (c) out += ',';
        out += "{\"expression\":";
        append_string(out, d.inputs[c].text);
        out += ",\"value\":";
        Arena scratch;
        ctx.arena = &scratch;
        Value v = t.columns()[c].slot >= 0 ? e.frame[static_cast<std::size_t>(t.columns()[c].slot)]
                                           : d.inputs[c].expr.evaluate(ctx);
        v.append_json(out);
        out += ",\"region\":";
        append_string(out, t.describe_key(c, o.trace.keys[c]));
        out += '}';
      }
      out += "],\"rules\":[";
      auto verdicts = rule_verdicts(p, e, node.index);
      for (std::size_t r = 0; r < d.rules.size(); ++r) {
        if (r) out += ',';
        out += "{\"id\":";
        append_string(out, d.rules[r].id);
        out += ",\"result\":\"";
        out += rule_state_name(verdicts[r].state);
        out += '"';
        if (verdicts[r].rejected_by >= 0) {
          auto c = static_cast<std::size_t>(verdicts[r].rejected_by);
          out += ",\"rejected_by\":{\"column\":" + std::to_string(c) + ",\"cell\":";
          append_string(out, d.rules[r].when_text[c]);
          out += '}';
        }
        if (!verdicts[r].unknown_columns.empty()) {
          out += ",\"unknown\":[";
          for (std::size_t j = 0; j < verdicts[r].unknown_columns.size(); ++j) {
            if (j) out += ',';
            out += std::to_string(verdicts[r].unknown_columns[j]);
          }
          out += ']';
        }
        out += '}';
      }
      out += "]}";
    }
    out += "]}";
  }
  out += '}';
  return out;
}

}  // namespace v1
}  // namespace aiguillage
