#include "aiguillage/matching/retrieval.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <numbers>
#include <optional>
#include <string>
#include <thread>
#include <tuple>

#include "aiguillage/core/error.hpp"
#include "matching/bank_codec.hpp"
#include "matching/geo_cells.hpp"
#include "matching/retrieval_postings.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kDegToRad = std::numbers::pi / 180.0;
// Geographic cells of 0.25 degree (about 28 km north-south): small enough that a 30 km radius
// reads a handful of cells, large enough that the cell table stays at 1M entries (4 MB).
using detail::kLatCells;
using detail::kLonCells;
using detail::lat_cell;
using detail::lon_cell;

bool valid_point(GeoPoint p) {
  return std::isfinite(p.lat) && std::isfinite(p.lon) && p.lat >= -90.0 && p.lat <= 90.0 &&
         p.lon >= -180.0 && p.lon <= 180.0;
}

std::string ptr(const std::string& base, std::string_view field, std::size_t i) {
  return base + "/" + std::string(field) + "/" + std::to_string(i);
}

// Items distinct, weights finite and positive, same lengths. `base` makes the pointer, only
// when there is a fault to report.
template <class Base>
void check_vector(std::span<const std::uint32_t> items, std::span<const double> weights,
                  const Base& base) {
  if (items.size() != weights.size())
    throw Error(
        ErrorCode::dimension_mismatch,
        std::to_string(items.size()) + " items but " + std::to_string(weights.size()) + " weights",
        base() + "/weights");
  for (std::size_t k = 0; k < weights.size(); ++k)
    if (!(std::isfinite(weights[k]) && weights[k] > 0.0))
      throw Error(ErrorCode::invalid_argument, "weights must be finite and > 0",
                  ptr(base(), "weights", k));
  auto twice = [&](std::uint32_t item, std::size_t k) {
    throw Error(ErrorCode::invalid_argument, "item " + std::to_string(item) + " appears twice",
                ptr(base(), "items", k));
  };
  if (items.size() <= 64) {  // the usual entry: pairwise, without allocating
    // The same report as below: the smallest repeated item, at its second place.
    std::optional<std::pair<std::uint32_t, std::size_t>> first;
    for (std::size_t k = 1; k < items.size(); ++k)
      for (std::size_t j = 0; j < k; ++j)
        if (items[j] == items[k] && (!first || std::pair(items[k], k) < *first))
          first = std::pair(items[k], k);
    if (first) twice(first->first, first->second);
    return;
  }
  std::vector<std::pair<std::uint32_t, std::size_t>> sorted(items.size());
  for (std::size_t k = 0; k < items.size(); ++k) sorted[k] = {items[k], k};
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t k = 1; k < sorted.size(); ++k)
    if (sorted[k].first == sorted[k - 1].first) twice(sorted[k].first, sorted[k].second);
}

// Item id -> column, open addressing: the build looks up every stored weight's item, and the
// distinct items are few (tens of thousands) against tens of millions of weights.
class ColumnMap {
 public:
  explicit ColumnMap(std::size_t expected) {
    std::size_t cap = 1024;
    while (cap < 2 * expected) cap *= 2;
    keys_.assign(cap, kEmpty);
    values_.assign(cap, 0);
  }
  // Inserts `id` if absent; true when it was.
  bool insert(std::uint32_t id) {
    if (2 * (size_ + 1) > keys_.size()) grow();
    std::size_t h = slot(id);
    while (keys_[h] != kEmpty) {
      if (keys_[h] == id) return false;
      h = (h + 1) & (keys_.size() - 1);
    }
    keys_[h] = id;
    ++size_;
    return true;
  }
  std::uint32_t& at(std::uint32_t id) {
    std::size_t h = slot(id);
    while (keys_[h] != id) h = (h + 1) & (keys_.size() - 1);
    return values_[h];
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  std::size_t slot(std::uint32_t id) const {
    return static_cast<std::size_t>((std::uint64_t{id} * 0x9E3779B97F4A7C15ull) >> 20) &
           (keys_.size() - 1);
  }
  void grow() {
    std::vector<std::uint64_t> old = std::move(keys_);
    keys_.assign(old.size() * 2, kEmpty);
    values_.assign(old.size() * 2, 0);
    size_ = 0;
    for (std::uint64_t k : old)
      if (k != kEmpty) insert(static_cast<std::uint32_t>(k));
  }
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> values_;
  std::size_t size_ = 0;
};

void check_filters(const RetrievalFilters& f, const std::string& base) {
  if (std::isnan(f.max_km) || f.max_km < 0.0)
    throw Error(ErrorCode::invalid_argument, "max_km must be >= 0", base + "/filters/max_km");
  if (f.origin && !valid_point(*f.origin))
    throw Error(ErrorCode::invalid_argument,
                "origin must have lat in [-90, 90], lon in [-180, 180]", base + "/filters/origin");
}

// Per-thread score accumulator, sized to the largest index used on the thread; left all-zero
// between queries by resetting only the touched entries. `touched` holds each row once (the
// visit that makes its score non-zero) and one slot more for the unconditional store.
struct Scratch {
  std::vector<double> acc;
  std::vector<std::uint16_t> units;  // the integer path's accumulator, same rules
  std::vector<std::int32_t> touched;
  std::size_t n_touched = 0;
  void fit(std::size_t n) {
    if (acc.size() < n) acc.assign(n, 0.0);
    if (touched.size() < n + 1) touched.resize(n + 1);
  }
  void fit_units(std::size_t n) {
    if (units.size() < n) units.assign(n, 0);
    if (touched.size() < n + 1) touched.resize(n + 1);
  }
};
thread_local Scratch scratch;

// A positive finite double as an odd integer times a power of two: w = m * 2^e.
struct Dyadic {
  std::uint64_t m;
  int e;
};
Dyadic dyadic(double w) {
  const auto bits = std::bit_cast<std::uint64_t>(w);
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  std::uint64_t mant = bits & ((std::uint64_t{1} << 52) - 1);
  int e = -1074;  // subnormal
  if (biased != 0) {
    mant |= std::uint64_t{1} << 52;
    e = biased - 1075;
  }
  const int tz = std::countr_zero(mant);
  return {mant >> tz, e + tz};
}

// Largest integer score the exact integer path accumulates: 16-bit lanes compared as signed,
// with 32767 left as a threshold no score reaches.
constexpr std::uint64_t kMaxUnits = 32766;

// Queries scored together by the integer path: one 16-bit lane each in a tile of rows.
constexpr std::size_t kLanes = 32;
// Rows per tile: kTileRows x kLanes x 2 bytes = 256 KiB, half the L2 cache of common cores;
// 64 chunks of 64 rows, one bit each in a 64-bit mask.
constexpr std::size_t kTileRows = 4096;

using Lane8 = std::uint16_t __attribute__((vector_size(16)));
using SignedLane8 = std::int16_t __attribute__((vector_size(16)));
constexpr std::size_t kVecs = kLanes / 8;
struct alignas(64) TileRow {
  Lane8 v[kVecs];
};

}  // namespace

double haversine_km(GeoPoint a, GeoPoint b) noexcept {
  const double dlat = (b.lat - a.lat) * kDegToRad, dlon = (b.lon - a.lon) * kDegToRad;
  const double s1 = std::sin(dlat / 2), s2 = std::sin(dlon / 2);
  const double h = s1 * s1 + std::cos(a.lat * kDegToRad) * std::cos(b.lat * kDegToRad) * s2 * s2;
  return 2.0 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

struct CompetenceIndex::Impl {
  std::size_t n = 0;
  std::vector<std::uint32_t> item_ids;  // column -> item id, ascending
  Eigen::SparseMatrix<double, Eigen::ColMajor, std::int32_t> postings;
  std::vector<std::uint32_t> external;  // internal row -> caller's index
  std::vector<GeoPoint> location;       // by internal row
  std::vector<std::uint32_t> departement, contract_mask;
  std::vector<double> max_km;
  std::vector<std::uint32_t> cell_start;  // internal rows of cell c: [cell_start[c], [c+1])
  // The weights as integers x = units * 2^x_exp, parallel to the postings, when every weight
  // is such a multiple with units <= kMaxUnits (for instance 1.0 and 0.5); empty otherwise.
  std::vector<std::uint16_t> units;
  std::vector<std::uint16_t> col_max_units;  // per column, the largest of its units
  int x_exp = 0;
  bool integer_weights = false;  // units are set

  // A query the integer path can score exactly: its known items as columns with integer
  // weights q = qunits * 2^q_exp; every score is then an integer number of 2^(x_exp + q_exp),
  // at most kMaxUnits, so that the floating-point sum of the definition makes no rounding in any
  // order and equals the integer sum scaled.
  struct IntPlan {
    std::vector<std::pair<std::int32_t, std::uint16_t>> terms;  // (column, qunits)
    int exp = 0;                                                // x_exp + q_exp
    std::uint64_t key = 0;    // similarity key: queries sharing items get close keys
    std::uint64_t reads = 0;  // postings of the known items
  };

  // Fills units, col_max_units and x_exp when every weight is a small multiple of a common
  // power of two; leaves units empty otherwise.
  void set_units() {
    const double* value = postings.valuePtr();
    const auto nnz = static_cast<std::size_t>(postings.nonZeros());
    int e_min = std::numeric_limits<int>::max();
    for (std::size_t p = 0; p < nnz; ++p) e_min = std::min(e_min, dyadic(value[p]).e);
    std::vector<std::uint16_t> u(nnz);
    for (std::size_t p = 0; p < nnz; ++p) {
      const Dyadic d = dyadic(value[p]);
      const int shift = d.e - e_min;
      if (shift >= 16 || d.m > (kMaxUnits >> shift)) return;
      u[p] = static_cast<std::uint16_t>(d.m << shift);
    }
    const std::int32_t* outer = postings.outerIndexPtr();
    col_max_units.assign(item_ids.size(), 0);
    for (std::size_t c = 0; c < item_ids.size(); ++c)
      for (auto p = static_cast<std::size_t>(outer[c]); p < static_cast<std::size_t>(outer[c + 1]);
           ++p)
        col_max_units[c] = std::max(col_max_units[c], u[p]);
    units = std::move(u);
    x_exp = nnz == 0 ? 0 : e_min;
    integer_weights = true;
  }

  bool plan(const RetrievalQuery& q, IntPlan& out) const {
    if (!integer_weights) return false;
    out.terms.clear();
    out.reads = 0;
    std::vector<std::pair<std::int32_t, Dyadic>> known;
    int q_exp = std::numeric_limits<int>::max();
    std::uint64_t key = ~std::uint64_t{0};
    for (std::size_t t = 0; t < q.items.size(); ++t) {
      auto it = std::lower_bound(item_ids.begin(), item_ids.end(), q.items[t]);
      if (it == item_ids.end() || *it != q.items[t]) continue;
      const Dyadic d = dyadic(q.weights[t]);
      known.emplace_back(static_cast<std::int32_t>(it - item_ids.begin()), d);
      q_exp = std::min(q_exp, d.e);
      // MinHash of the item set: sorting by it brings queries with common items together.
      std::uint64_t h = (std::uint64_t{q.items[t]} + 1) * 0x9E3779B97F4A7C15ull;
      h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
      h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
      key = std::min(key, h ^ (h >> 31));
    }
    out.key = key;
    if (known.empty()) {
      out.exp = 0;
      return true;  // scores nothing
    }
    std::uint64_t bound = 0;
    for (auto [col, d] : known) {
      out.reads += static_cast<std::uint64_t>(postings.outerIndexPtr()[col + 1] -
                                              postings.outerIndexPtr()[col]);
      const int shift = d.e - q_exp;
      if (shift >= 16 || d.m > (kMaxUnits >> shift)) return false;
      const std::uint64_t qu = d.m << shift;
      bound += qu * col_max_units[static_cast<std::size_t>(col)];
      if (bound > kMaxUnits) return false;
      out.terms.emplace_back(col, static_cast<std::uint16_t>(qu));
    }
    // Every product and partial sum is k * 2^exp with 0 < k <= kMaxUnits < 2^15: exactly
    // representable when 2^exp is not below the smallest subnormal and 2^(exp + 15) is finite.
    const long exp = static_cast<long>(x_exp) + q_exp;
    if (exp < -1074 || exp + 15 > 1023) return false;
    out.exp = static_cast<int>(exp);
    return true;
  }

  // Integer path for up to kLanes planned queries at once. The queries' items are merged:
  // each distinct column is read once per tile of rows and adds its weight times each query's
  // units to every lane at once, so that queries with common items share the posting reads
  // and the accumulator line. Exact, hence independent of the order of the items.
  void tile_top_k(std::span<const IntPlan* const> plans,
                  std::span<const RetrievalFilters* const> filters, std::size_t k,
                  std::span<std::vector<Hit>* const> out, std::vector<TileRow>& tile) const {
    const std::size_t lanes = plans.size();
    struct Column {
      std::int32_t col;
      TileRow w;
      const std::int32_t* p;
      const std::int32_t* last;
    };
    std::vector<std::tuple<std::int32_t, std::size_t, std::uint16_t>> terms;
    for (std::size_t l = 0; l < lanes; ++l)
      for (auto [col, qu] : plans[l]->terms) terms.emplace_back(col, l, qu);
    std::sort(terms.begin(), terms.end());
    std::vector<Column> cols;
    const std::int32_t* outer = postings.outerIndexPtr();
    const std::int32_t* inner = postings.innerIndexPtr();
    for (auto [col, l, qu] : terms) {
      if (cols.empty() || cols.back().col != col) {
        Column c{col, {}, inner + outer[col], inner + outer[col + 1]};
        cols.push_back(c);
      }
      cols.back().w.v[l / 8][l % 8] = qu;
    }
    // Per lane: the best k so far as (units, caller's index), worst on top.
    struct Cand {
      std::uint16_t units;
      std::uint32_t index;
    };
    auto worse = [](const Cand& a, const Cand& b) {
      return a.units > b.units || (a.units == b.units && a.index < b.index);
    };
    std::vector<std::vector<Cand>> heaps(lanes);
    std::vector<std::vector<std::uint32_t>> depts(lanes);
    for (std::size_t l = 0; l < lanes; ++l) {
      depts[l] = filters[l]->departements;
      std::sort(depts[l].begin(), depts[l].end());
    }
    // Lane thresholds: a row is looked at only when its units reach the lane's k-th best.
    // Unused lanes keep a threshold no score reaches.
    TileRow thr;
    for (std::size_t l = 0; l < kLanes; ++l)
      thr.v[l / 8][l % 8] = static_cast<std::uint16_t>(l < lanes && k > 0 ? 1 : kMaxUnits + 1);
    if (tile.size() < kTileRows) tile.resize(kTileRows);
    const std::uint16_t* units_of = units.data();
    for (std::size_t b0 = 0; b0 < n; b0 += kTileRows) {
      const std::size_t end = std::min(n, b0 + kTileRows);
      const auto end32 = static_cast<std::int32_t>(end);
      TileRow* base = tile.data() - b0;
      const auto b32 = static_cast<std::int32_t>(b0);
      // Chunks of 64 rows that received a weight: only those are scanned and cleared, so that
      // queries with short posting lists do not pay for a scan of the whole index.
      std::uint64_t chunks = 0;
      for (Column& c : cols) {
        const std::int32_t* p = c.p;
        const Lane8 w0 = c.w.v[0], w1 = c.w.v[1], w2 = c.w.v[2], w3 = c.w.v[3];
        for (; p != c.last && *p < end32; ++p) {
          TileRow& row = base[static_cast<std::size_t>(*p)];
          const std::uint16_t x = units_of[p - inner];
          row.v[0] += w0 * x;
          row.v[1] += w1 * x;
          row.v[2] += w2 * x;
          row.v[3] += w3 * x;
          chunks |= std::uint64_t{1} << (static_cast<std::uint32_t>(*p - b32) >> 6);
        }
        c.p = p;
      }
      for (; chunks != 0; chunks &= chunks - 1) {
        const std::size_t r0 = b0 + 64 * static_cast<std::size_t>(std::countr_zero(chunks));
        const std::size_t r1 = std::min(end, r0 + 64);
        for (std::size_t r = r0; r < r1; ++r) {
          TileRow& row = base[r];
          SignedLane8 any =
              (reinterpret_cast<SignedLane8>(row.v[0]) >= reinterpret_cast<SignedLane8>(thr.v[0])) |
              (reinterpret_cast<SignedLane8>(row.v[1]) >= reinterpret_cast<SignedLane8>(thr.v[1])) |
              (reinterpret_cast<SignedLane8>(row.v[2]) >= reinterpret_cast<SignedLane8>(thr.v[2])) |
              (reinterpret_cast<SignedLane8>(row.v[3]) >= reinterpret_cast<SignedLane8>(thr.v[3]));
          std::uint64_t halves[2];
          std::memcpy(halves, &any, sizeof halves);
          if ((halves[0] | halves[1]) != 0) {
            for (std::size_t l = 0; l < lanes; ++l) {
              const std::uint16_t u = row.v[l / 8][l % 8];
              if (u < thr.v[l / 8][l % 8]) continue;
              std::vector<Cand>& heap = heaps[l];
              const Cand c{u, external[r]};
              if (heap.size() == k && !worse(c, heap.front())) continue;
              const RetrievalFilters& f = *filters[l];
              if (!depts[l].empty() &&
                  !std::binary_search(depts[l].begin(), depts[l].end(), departement[r]))
                continue;
              if (f.contract_mask != 0 && (contract_mask[r] & f.contract_mask) == 0) continue;
              if (heap.size() < k) {
                heap.push_back(c);
                std::push_heap(heap.begin(), heap.end(), worse);
              } else {
                std::pop_heap(heap.begin(), heap.end(), worse);
                heap.back() = c;
                std::push_heap(heap.begin(), heap.end(), worse);
              }
              if (heap.size() == k) thr.v[l / 8][l % 8] = heap.front().units;
            }
          }
          row = TileRow{};
        }
      }
    }
    for (std::size_t l = 0; l < lanes; ++l) {
      std::sort_heap(heaps[l].begin(), heaps[l].end(), worse);
      std::vector<Hit>& o = *out[l];
      o.clear();
      o.reserve(heaps[l].size());
      for (const Cand& c : heaps[l]) o.push_back({c.index, std::ldexp(c.units, plans[l]->exp)});
    }
  }

  // Internal row ranges that can hold entries within `km` of `o` (a superset: whole cells).
  void cell_ranges(GeoPoint o, double km,
                   std::vector<std::pair<std::int32_t, std::int32_t>>& out) const {
    detail::cell_ranges(cell_start, n, o, km, out);
  }

  // One query on the integer path (see plan): 16-bit accumulators (2 bytes per entry instead
  // of 8) and 16-bit weights. The sum is exact, so the order of the items does not matter.
  std::vector<Hit> top_k_units(
      const IntPlan& plan, std::size_t k, const RetrievalFilters& f,
      std::span<const std::pair<std::int32_t, std::int32_t>> ranges) const {
    Scratch& s = scratch;
    s.fit_units(n);
    s.n_touched = 0;
    const std::int32_t* outer = postings.outerIndexPtr();
    const std::int32_t* inner = postings.innerIndexPtr();
    const std::uint16_t* units_of = units.data();
    struct Cursor {
      const std::int32_t* p;
      const std::int32_t* last;
      std::uint16_t w;
    };
    std::vector<Cursor> cursors;
    for (auto [col, qu] : plan.terms)
      cursors.push_back({inner + outer[col], inner + outer[col + 1], qu});
    // Blocks of rows as in top_k: 131,072 accumulators of 2 bytes stay in cache.
    constexpr std::int64_t kBlock = 131072;
    std::uint16_t* acc = s.units.data();
    std::int32_t* touched = s.touched.data();
    std::size_t n_touched = 0;
    std::int64_t previous_end = 0;
    for (auto [lo, hi] : ranges) {
      for (std::int64_t b = lo; b < hi; b += kBlock) {
        const auto end = static_cast<std::int32_t>(std::min<std::int64_t>(hi, b + kBlock));
        for (Cursor& c : cursors) {
          const std::int32_t* p =
              b == previous_end ? c.p : std::lower_bound(c.p, c.last, static_cast<std::int32_t>(b));
          for (; p != c.last && *p < end; ++p) {
            std::uint16_t& a = acc[static_cast<std::size_t>(*p)];
            const std::uint16_t before = a;
            a = static_cast<std::uint16_t>(before + c.w * units_of[p - inner]);
            touched[n_touched] = *p;
            n_touched += before == 0;
          }
          c.p = p;
        }
        previous_end = end;
      }
    }
    struct Cand {
      std::uint16_t units;
      std::uint32_t index;
    };
    auto worse = [](const Cand& a, const Cand& b) {
      return a.units > b.units || (a.units == b.units && a.index < b.index);
    };
    std::vector<Cand> heap;
    std::vector<std::uint32_t> depts = f.departements;
    std::sort(depts.begin(), depts.end());
    const bool by_distance = f.origin.has_value();
    for (std::size_t t = 0; t < n_touched; ++t) {
      const auto r = static_cast<std::size_t>(touched[t]);
      const std::uint16_t u = acc[r];
      acc[r] = 0;
      if (heap.size() == k && u < heap.front().units) continue;
      const Cand c{u, external[r]};
      if (heap.size() == k && !worse(c, heap.front())) continue;
      if (!depts.empty() && !std::binary_search(depts.begin(), depts.end(), departement[r]))
        continue;
      if (f.contract_mask != 0 && (contract_mask[r] & f.contract_mask) == 0) continue;
      if (by_distance && haversine_km(*f.origin, location[r]) > std::min(f.max_km, max_km[r]))
        continue;
      if (heap.size() < k) {
        heap.push_back(c);
        std::push_heap(heap.begin(), heap.end(), worse);
      } else {
        std::pop_heap(heap.begin(), heap.end(), worse);
        heap.back() = c;
        std::push_heap(heap.begin(), heap.end(), worse);
      }
    }
    std::sort_heap(heap.begin(), heap.end(), worse);
    std::vector<Hit> out;
    out.reserve(heap.size());
    for (const Cand& c : heap) out.push_back({c.index, std::ldexp(c.units, plan.exp)});
    return out;
  }

  std::vector<Hit> top_k(const RetrievalQuery& q, std::size_t k, const RetrievalFilters& f,
                         const std::string& base, bool validated) const {
    if (!validated) {
      check_vector(q.items, q.weights, [&] { return base; });
      check_filters(f, base);
    }
    std::vector<Hit> out;
    if (k == 0 || n == 0) return out;
    std::vector<std::pair<std::int32_t, std::int32_t>> ranges;
    const bool by_distance = f.origin.has_value();
    if (by_distance && std::isfinite(f.max_km))
      cell_ranges(*f.origin, f.max_km, ranges);
    else
      ranges.emplace_back(0, static_cast<std::int32_t>(n));
    if (IntPlan p; plan(q, p)) return top_k_units(p, k, f, ranges);
    Scratch& s = scratch;
    s.fit(n);
    s.n_touched = 0;
    const std::int32_t* outer = postings.outerIndexPtr();
    const std::int32_t* inner = postings.innerIndexPtr();
    const double* value = postings.valuePtr();
    // One cursor per known query item, in query order.
    struct Cursor {
      const std::int32_t* p;
      const std::int32_t* last;
      double w;
    };
    std::vector<Cursor> cursors;
    for (std::size_t t = 0; t < q.items.size(); ++t) {
      auto it = std::lower_bound(item_ids.begin(), item_ids.end(), q.items[t]);
      if (it == item_ids.end() || *it != q.items[t]) continue;
      const auto col = static_cast<std::size_t>(it - item_ids.begin());
      cursors.push_back({inner + outer[col], inner + outer[col + 1], q.weights[t]});
    }
    // Rows are visited block by block, every posting list advancing through the block before
    // the next one starts: the block's accumulators stay in cache instead of the whole array
    // being swept once per item. Within a row, items still add up in query order.
    constexpr std::int64_t kBlock = 32768;
    std::int64_t previous_end = 0;
    for (auto [lo, hi] : ranges) {
      for (std::int64_t b = lo; b < hi; b += kBlock) {
        const auto end = static_cast<std::int32_t>(std::min<std::int64_t>(hi, b + kBlock));
        for (Cursor& c : cursors) {
          const std::int32_t* p =
              b == previous_end ? c.p : std::lower_bound(c.p, c.last, static_cast<std::int32_t>(b));
          for (; p != c.last && *p < end; ++p) {
            // Weights are > 0: a row is recorded when its score leaves zero, which happens
            // once. Branch-free, since about every other visit is a first one.
            double& a = s.acc[static_cast<std::size_t>(*p)];
            const double before = a;
            a = before + c.w * value[p - inner];
            s.touched[s.n_touched] = *p;
            s.n_touched += static_cast<std::size_t>((before == 0.0) & (a != 0.0));
          }
          c.p = p;
        }
        previous_end = end;
      }
    }
    // Keep the best k passing the filters in a heap whose top is the worst kept.
    auto worse = [](const Hit& a, const Hit& b) {
      return a.score > b.score || (a.score == b.score && a.index < b.index);
    };
    std::vector<std::uint32_t> depts = f.departements;
    std::sort(depts.begin(), depts.end());
    for (std::size_t t = 0; t < s.n_touched; ++t) {
      const std::int32_t r32 = s.touched[t];
      const auto r = static_cast<std::size_t>(r32);
      const double score = s.acc[r];  // > 0: rows whose products all underflowed are not here
      s.acc[r] = 0.0;
      // Most rows lose on score alone; the caller's index is read only for the others.
      if (out.size() == k && score < out.front().score) continue;
      const Hit h{external[r], score};
      if (out.size() == k && !worse(h, out.front())) continue;
      if (!depts.empty() && !std::binary_search(depts.begin(), depts.end(), departement[r]))
        continue;
      if (f.contract_mask != 0 && (contract_mask[r] & f.contract_mask) == 0) continue;
      if (by_distance && haversine_km(*f.origin, location[r]) > std::min(f.max_km, max_km[r]))
        continue;
      if (out.size() < k) {
        out.push_back(h);
        std::push_heap(out.begin(), out.end(), worse);
      } else {
        std::pop_heap(out.begin(), out.end(), worse);
        out.back() = h;
        std::push_heap(out.begin(), out.end(), worse);
      }
    }
    std::sort_heap(out.begin(), out.end(), worse);
    return out;
  }
};

CompetenceIndex::CompetenceIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompetenceIndex::CompetenceIndex(CompetenceIndex&&) noexcept = default;
CompetenceIndex& CompetenceIndex::operator=(CompetenceIndex&&) noexcept = default;
CompetenceIndex::~CompetenceIndex() = default;

std::size_t CompetenceIndex::size() const noexcept {
  return impl_->n;
}
std::size_t CompetenceIndex::item_count() const noexcept {
  return impl_->item_ids.size();
}
std::size_t CompetenceIndex::nonzeros() const noexcept {
  return static_cast<std::size_t>(impl_->postings.nonZeros());
}
const Postings& CompetenceIndexAccess::postings(const CompetenceIndex& index) {
  return index.impl_->postings;
}

namespace {

template <class T>
void put_array(detail::Encoder& e, const T* p, std::size_t n) {
  e.u64(n);
  const auto at = e.out.size();
  e.out.resize(at + n * sizeof(T));
  if (n) std::memcpy(e.out.data() + at, p, n * sizeof(T));
}
template <class T>
std::vector<T> get_vector(detail::Decoder& d, std::size_t limit) {
  const std::uint64_t n = d.u64();
  if (n > limit) d.fail("an array of the index is too long");
  std::vector<T> v(static_cast<std::size_t>(n));
  if (n) std::memcpy(v.data(), d.take(v.size() * sizeof(T)), v.size() * sizeof(T));
  return v;
}

}  // namespace

std::string CompetenceIndexAccess::encode(const CompetenceIndex& index) {
  const CompetenceIndex::Impl& m = *index.impl_;
  detail::Encoder e;
  e.u64(m.n);
  put_array(e, m.item_ids.data(), m.item_ids.size());
  const auto nnz = static_cast<std::size_t>(m.postings.nonZeros());
  put_array(e, m.postings.outerIndexPtr(), m.item_ids.size() + 1);
  put_array(e, m.postings.innerIndexPtr(), nnz);
  put_array(e, m.postings.valuePtr(), nnz);
  put_array(e, m.external.data(), m.external.size());
  put_array(e, m.location.data(), m.location.size());
  put_array(e, m.departement.data(), m.departement.size());
  put_array(e, m.contract_mask.data(), m.contract_mask.size());
  put_array(e, m.max_km.data(), m.max_km.size());
  put_array(e, m.cell_start.data(), m.cell_start.size());
  // The integer units are recomputed from the weights on reading.
  return std::move(e.out);
}

CompetenceIndex CompetenceIndexAccess::decode(std::string_view bytes) {
  detail::Decoder d(bytes, "competence index");
  auto impl = std::make_unique<CompetenceIndex::Impl>();
  CompetenceIndex::Impl& m = *impl;
  const std::uint64_t n = d.u64();
  // Every entry takes more than 32 bytes below: a count beyond that is a lie.
  if (n > bytes.size() / 32 ||
      n >= static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
    d.fail("entry count out of range");
  m.n = static_cast<std::size_t>(n);
  m.item_ids = get_vector<std::uint32_t>(d, bytes.size() / 4);
  for (std::size_t c = 1; c < m.item_ids.size(); ++c)
    if (m.item_ids[c] <= m.item_ids[c - 1]) d.fail("item ids are not ascending");
  const std::vector<std::int32_t> outer = get_vector<std::int32_t>(d, bytes.size() / 4);
  if (outer.size() != m.item_ids.size() + 1 || outer.front() != 0)
    d.fail("column offsets do not match the items");
  for (std::size_t c = 1; c < outer.size(); ++c)
    if (outer[c] < outer[c - 1]) d.fail("column offsets are not in order");
  const auto nnz = static_cast<std::size_t>(outer.back());
  std::vector<std::int32_t> inner = get_vector<std::int32_t>(d, bytes.size() / 4);
  std::vector<double> values = get_vector<double>(d, bytes.size() / 8);
  if (inner.size() != nnz || values.size() != nnz) d.fail("postings do not match their offsets");
  for (std::size_t c = 0; c + 1 < outer.size(); ++c)
    for (auto p = static_cast<std::size_t>(outer[c]); p < static_cast<std::size_t>(outer[c + 1]);
         ++p) {
      if (inner[p] < 0 || static_cast<std::uint64_t>(inner[p]) >= n ||
          (p > static_cast<std::size_t>(outer[c]) && inner[p] <= inner[p - 1]))
        d.fail("a posting names no entry or is out of order");
      if (!(std::isfinite(values[p]) && values[p] > 0)) d.fail("a weight is not finite and > 0");
    }
  m.external = get_vector<std::uint32_t>(d, m.n);
  m.location = get_vector<GeoPoint>(d, m.n);
  m.departement = get_vector<std::uint32_t>(d, m.n);
  m.contract_mask = get_vector<std::uint32_t>(d, m.n);
  m.max_km = get_vector<double>(d, m.n);
  if (m.external.size() != m.n || m.location.size() != m.n || m.departement.size() != m.n ||
      m.contract_mask.size() != m.n || m.max_km.size() != m.n)
    d.fail("per-entry arrays do not match the entry count");
  {
    std::vector<char> seen(m.n, 0);
    for (std::uint32_t x : m.external) {
      if (x >= m.n || seen[x]) d.fail("entry order is not a permutation");
      seen[x] = 1;
    }
  }
  for (std::size_t r = 0; r < m.n; ++r)
    if (!valid_point(m.location[r]) || std::isnan(m.max_km[r]) || m.max_km[r] < 0)
      d.fail("an entry's location or radius is out of range");
  m.cell_start = get_vector<std::uint32_t>(d, kLatCells * kLonCells + 1);
  if (m.cell_start.size() != kLatCells * kLonCells + 1 || m.cell_start.front() != 0 ||
      m.cell_start.back() != m.n)
    d.fail("cell table does not match the entries");
  for (std::size_t c = 1; c < m.cell_start.size(); ++c)
    if (m.cell_start[c] < m.cell_start[c - 1]) d.fail("cell table is not in order");
  d.finish();
  m.postings.resize(static_cast<std::int32_t>(m.n), static_cast<std::int32_t>(m.item_ids.size()));
  m.postings.resizeNonZeros(static_cast<std::int32_t>(nnz));
  std::copy(outer.begin(), outer.end(), m.postings.outerIndexPtr());
  std::copy(inner.begin(), inner.end(), m.postings.innerIndexPtr());
  std::copy(values.begin(), values.end(), m.postings.valuePtr());
  m.set_units();
  return CompetenceIndex(std::move(impl));
}

CompetenceIndex CompetenceIndex::build(std::span<const IndexEntry> entries) {
  if (entries.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw Error(ErrorCode::invalid_argument, "too many entries for 32-bit row indices", "/entries");
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.n = entries.size();
  std::size_t nnz = 0;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    auto base = [e] { return "/entries/" + std::to_string(e); };
    check_vector(entries[e].items, entries[e].weights, base);
    if (!valid_point(entries[e].location))
      throw Error(ErrorCode::invalid_argument,
                  "location must have lat in [-90, 90], lon in [-180, 180]", base() + "/location");
    if (std::isnan(entries[e].max_km) || entries[e].max_km < 0.0)
      throw Error(ErrorCode::invalid_argument, "max_km must be >= 0", base() + "/max_km");
    nnz += entries[e].items.size();
  }
  if (nnz >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw Error(ErrorCode::invalid_argument, "too many weights for 32-bit offsets", "/entries");

  // Distinct item ids become the columns, in ascending order.
  ColumnMap columns(1024);
  for (const IndexEntry& e : entries)
    for (std::uint32_t id : e.items)
      if (columns.insert(id)) m.item_ids.push_back(id);
  std::sort(m.item_ids.begin(), m.item_ids.end());
  m.item_ids.shrink_to_fit();
  for (std::size_t c = 0; c < m.item_ids.size(); ++c)
    columns.at(m.item_ids[c]) = static_cast<std::uint32_t>(c);

  // Internal order: by cell (latitude band, then longitude), then by caller's index.
  std::vector<std::uint32_t> cell(m.n);
  m.cell_start.assign(kLatCells * kLonCells + 1, 0);
  for (std::size_t e = 0; e < m.n; ++e) {
    cell[e] = static_cast<std::uint32_t>(lat_cell(entries[e].location.lat) * kLonCells +
                                         lon_cell(entries[e].location.lon));
    ++m.cell_start[cell[e] + 1];
  }
  for (std::size_t c = 0; c + 1 < m.cell_start.size(); ++c) m.cell_start[c + 1] += m.cell_start[c];
  m.external.resize(m.n);
  {
    std::vector<std::uint32_t> fill(m.cell_start.begin(), m.cell_start.end() - 1);
    for (std::size_t e = 0; e < m.n; ++e)
      m.external[fill[cell[e]]++] = static_cast<std::uint32_t>(e);
  }
  cell = {};
  m.location.resize(m.n);
  m.departement.resize(m.n);
  m.contract_mask.resize(m.n);
  m.max_km.resize(m.n);
  for (std::size_t r = 0; r < m.n; ++r) {
    const IndexEntry& e = entries[m.external[r]];
    m.location[r] = e.location;
    m.departement[r] = e.departement;
    m.contract_mask[r] = e.contract_mask;
    m.max_km[r] = e.max_km;
  }

  // Column-major postings filled by a counting sort on columns; rows arrive in ascending
  // internal order, so every column is sorted.
  std::vector<std::int32_t> col_of(nnz);
  std::vector<std::int32_t> outer(m.item_ids.size() + 1, 0);
  {
    std::size_t k = 0;
    for (const IndexEntry& e : entries)
      for (std::uint32_t id : e.items) {
        const std::uint32_t c = columns.at(id);
        col_of[k++] = static_cast<std::int32_t>(c);
        ++outer[static_cast<std::size_t>(c) + 1];
      }
  }
  for (std::size_t c = 0; c + 1 < outer.size(); ++c) outer[c + 1] += outer[c];
  // Offsets of each entry's first weight in col_of (caller's order).
  std::vector<std::size_t> start(m.n + 1, 0);
  for (std::size_t e = 0; e < m.n; ++e) start[e + 1] = start[e] + entries[e].items.size();
  m.postings.resize(static_cast<std::int32_t>(m.n), static_cast<std::int32_t>(m.item_ids.size()));
  m.postings.resizeNonZeros(static_cast<std::int32_t>(nnz));
  std::copy(outer.begin(), outer.end(), m.postings.outerIndexPtr());
  std::int32_t* inner = m.postings.innerIndexPtr();
  double* values = m.postings.valuePtr();
  for (std::size_t r = 0; r < m.n; ++r) {
    const IndexEntry& e = entries[m.external[r]];
    for (std::size_t t = 0; t < e.items.size(); ++t) {
      const auto c = static_cast<std::size_t>(col_of[start[m.external[r]] + t]);
      const auto pos = static_cast<std::size_t>(outer[c]++);
      inner[pos] = static_cast<std::int32_t>(r);
      values[pos] = e.weights[t];
    }
  }
  m.set_units();
  return CompetenceIndex(std::move(impl));
}

std::vector<Hit> CompetenceIndex::top_k(const RetrievalQuery& query, std::size_t k,
                                        const RetrievalFilters& filters) const {
  return impl_->top_k(query, k, filters, "", false);
}

std::vector<std::vector<Hit>> batch_top_k(const CompetenceIndex& index,
                                          std::span<const BatchQuery> queries,
                                          const BatchOptions& options) {
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const std::string base = "/queries/" + std::to_string(i);
    check_vector(queries[i].query.items, queries[i].query.weights, [&] { return base; });
    check_filters(queries[i].filters, base);
  }
  std::vector<std::vector<Hit>> out(queries.size());
  const CompetenceIndex::Impl& m = *index.impl_;
  // Queries the integer path scores exactly (weights small multiples of powers of two, no
  // distance filter) go first, sorted by similarity so that a tile's queries share items; the
  // others are answered one at a time. The answers keep the caller's order. A group of 32
  // scans at least the tiles' touched chunks (up to 2 bytes per entry and query), so a query
  // reading fewer than 1/32 of the entries' count of postings is cheaper alone.
  std::vector<CompetenceIndex::Impl::IntPlan> plans(queries.size());
  std::vector<std::size_t> order, others;
  order.reserve(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (options.k > 0 && !queries[i].filters.origin && m.plan(queries[i].query, plans[i]) &&
        plans[i].reads * kLanes >= m.n)
      order.push_back(i);
    else
      others.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return plans[a].key < plans[b].key; });
  const std::size_t n_tiled = order.size();
  order.insert(order.end(), others.begin(), others.end());
  others = {};
  const std::size_t block = std::max<std::size_t>(1, options.block_size);
  const std::size_t n_blocks = (queries.size() + block - 1) / block;
  const std::size_t threads =
      std::clamp<std::size_t>(options.threads, 1, std::max<std::size_t>(1, n_blocks));
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  std::size_t done = 0, finished_workers = 0;
  std::exception_ptr failure;
  auto work = [&] {
    try {
      std::vector<TileRow> tile;
      std::vector<const CompetenceIndex::Impl::IntPlan*> group_plans;
      std::vector<const RetrievalFilters*> group_filters;
      std::vector<std::vector<Hit>*> group_out;
      for (;;) {
        const std::size_t b = next.fetch_add(1);
        if (b >= n_blocks) break;
        const std::size_t lo = b * block, hi = std::min(queries.size(), lo + block);
        for (std::size_t j = lo; j < hi;) {
          if (j < n_tiled) {
            const std::size_t stop = std::min({hi, n_tiled, j + kLanes});
            group_plans.clear();
            group_filters.clear();
            group_out.clear();
            for (; j < stop; ++j) {
              group_plans.push_back(&plans[order[j]]);
              group_filters.push_back(&queries[order[j]].filters);
              group_out.push_back(&out[order[j]]);
            }
            m.tile_top_k(group_plans, group_filters, options.k, group_out, tile);
          } else {
            const std::size_t i = order[j++];
            out[i] = m.top_k(queries[i].query, options.k, queries[i].filters, "", true);
          }
        }
        std::lock_guard lock(mu);
        done += hi - lo;
        cv.notify_one();
      }
    } catch (...) {
      std::lock_guard lock(mu);
      if (!failure) failure = std::current_exception();
      next = n_blocks;  // the others stop at their next block
    }
    std::lock_guard lock(mu);
    ++finished_workers;
    cv.notify_one();
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work);
  {
    std::unique_lock lock(mu);
    std::size_t reported = 0;
    for (;;) {
      // Report before waiting, so that blocks finished before this thread got the lock are
      // reported too, and the last report is the total.
      if (options.progress && done != reported && !failure) {
        reported = done;
        const std::size_t d = done;
        lock.unlock();
        try {
          options.progress(d, queries.size());
        } catch (...) {
          // The workers stop at their next block; the exception reaches the caller after join.
          lock.lock();
          if (!failure) failure = std::current_exception();
          next = n_blocks;
          continue;
        }
        lock.lock();
        continue;
      }
      if (finished_workers == threads) break;
      cv.wait(lock);
    }
  }
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return out;
}

}  // namespace v1
}  // namespace aiguillage
