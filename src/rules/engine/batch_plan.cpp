#include "rules/engine/batch_plan.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "rules/engine/masks.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

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
void BatchPlan::Column::bucket_keys(std::size_t n, X x, Has has, F f) const {
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
void BatchPlan::Column::search_keys(std::size_t n, X x, Has has, F f) const {
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
void BatchPlan::Column::number_keys(std::size_t n, Key key, Has has, F f, std::true_type) const {
  const std::uint32_t null = null_key;
  for (std::size_t i = 0; i < n; ++i) f(i, or_null(has(i), key(i), null));
}

template <class X, class Has, class F>
void BatchPlan::Column::number_keys(std::size_t n, X x, Has has, F f) const {
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
void BatchPlan::Column::each_key(const Batch& batch, std::size_t b0, std::size_t n,
                                 const EvalOptions& options, const CompiledTable& t, std::size_t c,
                                 F f) const {
  const std::int64_t* data = batch.data(field) + b0;
  const std::uint8_t* present = batch.present(field) + b0;
  // Most blocks of most columns have no missing value: their loops skip the presence test.
  if (kind != CompiledTable::Column::Kind::date && std::memchr(present, 0, n) == nullptr)
    return keys_of(batch, b0, n, options, t, c, f, data, [](std::size_t) { return true; });
  keys_of(batch, b0, n, options, t, c, f, data,
          [present](std::size_t i) { return present[i] != 0; });
}

template <class F, class Has>
void BatchPlan::Column::keys_of(const Batch& batch, std::size_t b0, std::size_t n,
                                const EvalOptions& options, const CompiledTable& t, std::size_t c,
                                F f, const std::int64_t* data, Has is_present) const {
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

void BatchPlan::Column::keys(const Batch& batch, std::size_t b0, std::size_t n,
                             const EvalOptions& options, const CompiledTable& t, std::size_t c,
                             std::uint32_t* kc) const {
  each_key(batch, b0, n, options, t, c, [kc](std::size_t i, std::uint32_t key) { kc[i] = key; });
}

void BatchPlan::Column::and_masks(const Batch& batch, std::size_t b0, std::size_t n,
                                  const EvalOptions& options, const CompiledTable& t, std::size_t c,
                                  std::size_t words, std::uint64_t* mq, std::uint32_t* ko) const {
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

void BatchPlan::Column::plan_buckets() {
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

BatchPlan build_batch_plan(const Pack& pack, bool fast) {
  BatchPlan plan;
  const int ref_field = pack.reference_date_field();
  const auto n_inputs = static_cast<int>(pack.inputs().size());
  for (const DecisionTable& d : pack.decisions()) {
    std::vector<BatchPlan::Column> cols;
    if (d.kind != DecisionTable::Kind::table) {
      plan.tables.push_back(std::move(cols));
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
      const FieldSpec& f = pack.inputs().field(pc.field);
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
      if (fast) {
        pc.masks.resize(col.key_count * 2 * W);
        for (std::size_t k = 0; k < col.key_count; ++k)
          for (std::size_t w = 0; w < W; ++w) {
            pc.masks[k * 2 * W + w] = col.accept[k * W + w];
            pc.masks[k * 2 * W + W + w] = col.accept[k * W + w] | col.unknown[k * W + w];
          }
      }
      cols.push_back(std::move(pc));
    }
    plan.tables.push_back(std::move(cols));
  }
  plan.computed_outputs.resize(pack.decisions().size());
  plan.constant_outputs.resize(pack.decisions().size());
  for (std::size_t k = 0; k < pack.decisions().size(); ++k)
    for (const Rule& r : pack.decisions()[k].rules)
      for (const Expression& x : r.then) {
        plan.computed_outputs[k].push_back(x.is_constant() ? nullptr : &x);
        plan.constant_outputs[k].push_back(x.is_constant() ? x.constant_value() : Value::null());
      }
  const std::vector<int> unused = pack.unused_inputs();
  for (std::size_t f = 0; f < pack.inputs().size(); ++f)
    if (!pack.ask_values(static_cast<int>(f)).empty() &&
        std::find(unused.begin(), unused.end(), static_cast<int>(f)) == unused.end())
      plan.ask_fields.push_back(f);
  return plan;
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
