#include "aiguillage/matching/retrieval.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <random>
#include <thread>

#include "aiguillage/core/error.hpp"
#include "matching/retrieval_postings.hpp"

namespace aiguillage {
inline namespace v1 {
// Readable hits in assertion messages.
void PrintTo(const Hit& h, std::ostream* os) {
  *os << "{" << h.index << ", " << h.score << "}";
}
}  // namespace v1
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Entries that own their vectors; IndexEntry views them.
struct OwnedEntry {
  std::vector<std::uint32_t> items;
  std::vector<double> weights;
  GeoPoint location;
  std::uint32_t departement = 0;
  std::uint32_t contract_mask = 0;
  double max_km = kInf;
  IndexEntry view() const { return {items, weights, location, departement, contract_mask, max_km}; }
};

struct OwnedQuery {
  std::vector<std::uint32_t> items;
  std::vector<double> weights;
  RetrievalFilters filters;
  RetrievalQuery view() const { return {items, weights}; }
};

CompetenceIndex build(const std::vector<OwnedEntry>& entries) {
  std::vector<IndexEntry> views;
  for (const OwnedEntry& e : entries) views.push_back(e.view());
  return CompetenceIndex::build(views);
}

ErrorCode code_of(const std::function<void()>& f, std::string* pointer = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (pointer) *pointer = e.pointer();
    return e.code();
  }
  return ErrorCode::ok;
}

// Dense scoring of every entry in the query's item order, then a full sort.
std::vector<Hit> brute_force(const std::vector<OwnedEntry>& entries, const OwnedQuery& q,
                             std::size_t k) {
  std::vector<Hit> all;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const OwnedEntry& x = entries[e];
    double s = 0;
    bool shares = false;
    for (std::size_t t = 0; t < q.items.size(); ++t)
      for (std::size_t u = 0; u < x.items.size(); ++u)
        if (x.items[u] == q.items[t]) {
          s += q.weights[t] * x.weights[u];
          shares = true;
        }
    if (!shares || !(s > 0.0)) continue;
    const RetrievalFilters& f = q.filters;
    if (!f.departements.empty() && std::find(f.departements.begin(), f.departements.end(),
                                             x.departement) == f.departements.end())
      continue;
    if (f.contract_mask && !(f.contract_mask & x.contract_mask)) continue;
    if (f.origin && haversine_km(*f.origin, x.location) > std::min(f.max_km, x.max_km)) continue;
    all.push_back({static_cast<std::uint32_t>(e), s});
  }
  std::sort(all.begin(), all.end(), [](const Hit& a, const Hit& b) {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
  });
  if (all.size() > k) all.resize(k);
  return all;
}

// Places spread over France, overseas, both sides of the antimeridian and near a pole, so that
// cell pruning meets its edge cases.
GeoPoint random_place(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  switch (rng() % 8) {
    case 0:
      return {-21.3 + u(rng), 55.2 + u(rng)};  // La Réunion
    case 1:
      return {-17.0 + 2 * u(rng), u(rng) < 0.5 ? 179.6 + 0.4 * u(rng) : -180.0 + 0.4 * u(rng)};
    case 2:
      return {89.0 + u(rng), -180.0 + 360.0 * u(rng)};
    default:
      return {42.3 + 8.7 * u(rng), -4.8 + 13.0 * u(rng)};  // metropolitan France
  }
}

std::vector<OwnedEntry> random_entries(std::mt19937_64& rng, std::size_t n, bool tied_weights) {
  std::vector<OwnedEntry> out(n);
  std::uniform_real_distribution<double> w(0.1, 2.0);
  for (OwnedEntry& e : out) {
    std::vector<std::uint32_t> pool(40);
    for (std::uint32_t i = 0; i < pool.size(); ++i) pool[i] = 100000 + 7 * i;  // sparse ids
    std::shuffle(pool.begin(), pool.end(), rng);
    const std::size_t m = rng() % 9;  // some entries have no item at all
    for (std::size_t t = 0; t < m; ++t) {
      e.items.push_back(pool[t]);
      e.weights.push_back(tied_weights ? (rng() % 2 ? 1.0 : 0.5) : w(rng));
    }
    e.location = random_place(rng);
    e.departement = 1 + static_cast<std::uint32_t>(rng() % 6);
    e.contract_mask = rng() % 4 == 0 ? 0b0110u : 1u << (rng() % 4);
    if (rng() % 5 == 0) e.max_km = static_cast<double>(rng() % 300);
  }
  return out;
}

OwnedQuery random_query(std::mt19937_64& rng, bool tied_weights) {
  OwnedQuery q;
  std::vector<std::uint32_t> pool(45);  // 5 ids the index does not know
  for (std::uint32_t i = 0; i < pool.size(); ++i) pool[i] = 100000 + 7 * i;
  std::shuffle(pool.begin(), pool.end(), rng);
  const std::size_t m = 1 + rng() % 12;
  std::uniform_real_distribution<double> w(0.1, 2.0);
  for (std::size_t t = 0; t < m; ++t) {
    q.items.push_back(pool[t]);
    q.weights.push_back(tied_weights ? (rng() % 2 ? 1.0 : 0.25) : w(rng));
  }
  if (rng() % 2) {
    q.filters.origin = random_place(rng);
    const double radii[] = {kInf, 0.0, 15.0, 60.0, 250.0, 1500.0, 25000.0};
    q.filters.max_km = radii[rng() % 7];
  }
  if (rng() % 3 == 0)
    for (std::uint32_t d = 1; d <= 6; ++d)
      if (rng() % 2) q.filters.departements.push_back(d);
  if (rng() % 3 == 0) q.filters.contract_mask = static_cast<std::uint32_t>(rng() % 16);
  return q;
}

TEST(RetrievalTest, HaversineKnownDistance) {
  // Paris (Notre-Dame) to Lyon (Bellecour): about 392 km.
  EXPECT_NEAR(haversine_km({48.8530, 2.3499}, {45.7578, 4.8320}), 392.0, 2.0);
  EXPECT_DOUBLE_EQ(haversine_km({10, 20}, {10, 20}), 0.0);
  EXPECT_NEAR(haversine_km({0, 179.95}, {0, -179.95}), 11.12, 0.01);
}

TEST(RetrievalTest, TopKEqualsBruteForceWithFiltersAndTies) {
  std::mt19937_64 rng(31);
  std::size_t nonempty = 0, filtered = 0;
  for (int round = 0; round < 12; ++round) {
    const bool ties = round % 2 == 0;
    const std::vector<OwnedEntry> entries = random_entries(rng, 200 + rng() % 1500, ties);
    const CompetenceIndex index = build(entries);
    EXPECT_EQ(index.size(), entries.size());
    for (int t = 0; t < 150; ++t) {
      const OwnedQuery q = random_query(rng, ties);
      const std::size_t k = 1 + rng() % 25;
      const std::vector<Hit> expected = brute_force(entries, q, k);
      const std::vector<Hit> got = index.top_k(q.view(), k, q.filters);
      ASSERT_EQ(got, expected) << "round " << round << " query " << t << " origin "
                               << (q.filters.origin ? q.filters.origin->lat : -999) << ","
                               << (q.filters.origin ? q.filters.origin->lon : -999) << " max_km "
                               << q.filters.max_km << " depts " << q.filters.departements.size()
                               << " mask " << q.filters.contract_mask;
      nonempty += !got.empty();
      filtered += q.filters.origin.has_value() && !got.empty();
    }
  }
  EXPECT_GT(nonempty, 1000u);  // the comparison is not vacuous
  EXPECT_GT(filtered, 300u);
}

TEST(RetrievalTest, DistanceFilterAcrossTheAntimeridianAndNearThePole) {
  std::vector<OwnedEntry> entries(3);
  for (OwnedEntry& e : entries) {
    e.items = {5};
    e.weights = {1.0};
  }
  entries[0].location = {0.0, -179.95};
  entries[1].location = {89.99, 10.0};
  entries[2].location = {0.0, 170.0};
  const CompetenceIndex index = build(entries);
  OwnedQuery q{{5}, {1.0}, {}};
  q.filters.origin = GeoPoint{0.0, 179.95};
  q.filters.max_km = 20.0;
  EXPECT_EQ(index.top_k(q.view(), 5, q.filters), (std::vector<Hit>{{0, 1.0}}));
  q.filters.origin = GeoPoint{89.99, -170.0};  // 2.2 km away across the pole
  q.filters.max_km = 5.0;
  EXPECT_EQ(index.top_k(q.view(), 5, q.filters), (std::vector<Hit>{{1, 1.0}}));
}

TEST(RetrievalTest, EntryOwnDistanceLimitsItsVisibility) {
  // A profile accepting 10 km is not returned for an offer 30 km away, even with no query cap.
  std::vector<OwnedEntry> profiles(2);
  for (OwnedEntry& p : profiles) {
    p.items = {1, 2};
    p.weights = {1.0, 1.0};
    p.location = {45.0, 5.0};
  }
  profiles[0].max_km = 10.0;
  const ProfileIndex index = build(profiles);
  OwnedQuery offer{{1}, {1.0}, {}};
  offer.filters.origin = GeoPoint{45.27, 5.0};  // about 30 km north
  EXPECT_EQ(index.top_k(offer.view(), 5, offer.filters), (std::vector<Hit>{{1, 1.0}}));
}

TEST(RetrievalTest, ScoresFollowTheFormula) {
  std::vector<OwnedEntry> offers(3);
  offers[0].items = {10, 20, 30};
  offers[0].weights = {1.0, 1.0, 0.5};  // required, required, desired
  offers[1].items = {20};
  offers[1].weights = {1.0};
  offers[2].items = {40};
  offers[2].weights = {1.0};
  const OfferIndex index = build(offers);
  const OwnedQuery q{{30, 20, 99}, {1.0, 0.5, 1.0}, {}};
  const std::vector<Hit> hits = index.top_k(q.view(), 10);
  EXPECT_EQ(hits, (std::vector<Hit>{{0, 1.0}, {1, 0.5}}));  // 0.5*1 + 1*0.5 ; 0.5*1
  EXPECT_TRUE(index.top_k(q.view(), 0).empty());
  EXPECT_EQ(index.item_count(), 4u);
  EXPECT_EQ(index.nonzeros(), 5u);
  EXPECT_EQ(CompetenceIndexAccess::postings(index).cols(), 4);
}

TEST(RetrievalTest, ConcurrentQueriesAgree) {
  std::mt19937_64 rng(8);
  const std::vector<OwnedEntry> entries = random_entries(rng, 3000, true);
  const CompetenceIndex index = build(entries);
  std::vector<OwnedQuery> queries;
  for (int i = 0; i < 200; ++i) queries.push_back(random_query(rng, true));
  std::vector<std::vector<Hit>> expected;
  for (const OwnedQuery& q : queries) expected.push_back(index.top_k(q.view(), 10, q.filters));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < queries.size(); ++i)
        mismatches[t] += index.top_k(queries[i].view(), 10, queries[i].filters) != expected[i];
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, (std::vector<int>(4, 0)));
}

TEST(RetrievalTest, BatchEqualsSingleQueriesWithProgress) {
  std::mt19937_64 rng(9);
  const std::vector<OwnedEntry> entries = random_entries(rng, 2000, false);
  const CompetenceIndex index = build(entries);
  std::vector<OwnedQuery> owned;
  for (int i = 0; i < 1000; ++i) owned.push_back(random_query(rng, false));
  std::vector<BatchQuery> batch;
  for (const OwnedQuery& q : owned) batch.push_back({q.view(), q.filters});
  for (std::size_t threads : {1u, 2u, 3u}) {
    std::vector<std::size_t> seen;
    BatchOptions opt;
    opt.k = 7;
    opt.threads = threads;
    opt.block_size = 64;
    opt.progress = [&](std::size_t done, std::size_t total) {
      EXPECT_EQ(total, owned.size());
      seen.push_back(done);
    };
    const auto result = batch_top_k(index, batch, opt);
    ASSERT_EQ(result.size(), owned.size());
    for (std::size_t i = 0; i < owned.size(); ++i)
      ASSERT_EQ(result[i], brute_force(entries, owned[i], 7)) << "query " << i;
    ASSERT_FALSE(seen.empty());
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(seen.back(), owned.size());
  }
  EXPECT_TRUE(batch_top_k(index, {}, {}).empty());
}

// Weights that are small multiples of powers of two (required 1, desired 0.5, and others)
// send a batch through the integer tile path; real weights and distance filters through the
// one-query path. Both must give dense scoring's answer bit for bit, across tiles of rows
// (more than 4096 entries), with many tied scores, and in the caller's order.
TEST(RetrievalTest, BatchIntegerPathEqualsBruteForce) {
  std::mt19937_64 rng(12);
  const double dyadic[] = {1.0, 0.5, 0.25, 0.75, 1.5, 3.0, 0.125, 6.25};
  for (int round = 0; round < 2; ++round) {
    const bool all_ones = round == 0;  // integer scores: ties everywhere
    std::vector<OwnedEntry> entries = random_entries(rng, 9000, true);
    for (OwnedEntry& e : entries)
      for (double& w : e.weights) w = all_ones ? 1.0 : dyadic[rng() % 8];
    const CompetenceIndex index = build(entries);
    std::vector<OwnedQuery> owned;
    for (int i = 0; i < 160; ++i) {
      OwnedQuery q = random_query(rng, true);
      for (double& w : q.weights)
        w = all_ones      ? 1.0
            : i % 10 == 9 ? std::ldexp(1.0 + static_cast<double>(rng() % 97) / 7, -3)
                          : dyadic[rng() % 8];
      if (i % 4 != 0) q.filters.origin.reset();  // mostly the integer path
      owned.push_back(std::move(q));
    }
    std::vector<BatchQuery> batch;
    for (const OwnedQuery& q : owned) batch.push_back({q.view(), q.filters});
    for (std::size_t k : {1u, 10u, 60u}) {
      std::vector<std::vector<Hit>> expected;
      for (const OwnedQuery& q : owned) expected.push_back(brute_force(entries, q, k));
      for (auto [threads, block] : {std::pair<std::size_t, std::size_t>{1, 256}, {2, 7}, {3, 1}}) {
        BatchOptions opt;
        opt.k = k;
        opt.threads = threads;
        opt.block_size = block;
        const auto result = batch_top_k(index, batch, opt);
        ASSERT_EQ(result.size(), owned.size());
        for (std::size_t i = 0; i < owned.size(); ++i)
          ASSERT_EQ(result[i], expected[i])
              << "round " << round << " k " << k << " threads " << threads << " query " << i;
      }
      std::size_t full = 0;
      for (const auto& e : expected) full += e.size() == k;
      EXPECT_GT(full, owned.size() / 2);  // most queries fill their k hits
    }
  }
}

// At the limits of the integer path (units beyond 15 bits, exponents near the ends of the
// double range), answers still equal dense scoring, including products that underflow.
TEST(RetrievalTest, BatchAtTheIntegerLimitsEqualsBruteForce) {
  auto check = [](const std::vector<double>& entry_weights,
                  const std::vector<std::vector<double>>& query_weights) {
    std::vector<OwnedEntry> entries(40);
    for (std::size_t e = 0; e < entries.size(); ++e) {
      entries[e].items = {1, 2, 3};
      for (std::size_t t = 0; t < 3; ++t)
        entries[e].weights.push_back(entry_weights[(e + t) % entry_weights.size()]);
      entries[e].location = {45.0 + 0.01 * static_cast<double>(e % 7), 5.0};
    }
    const CompetenceIndex index = build(entries);
    std::vector<OwnedQuery> owned;
    const std::vector<std::uint32_t> order{3, 1, 2};  // not the index's column order
    for (const auto& w : query_weights)
      owned.push_back(
          {{order.begin(), order.begin() + static_cast<std::ptrdiff_t>(w.size())}, w, {}});
    std::vector<BatchQuery> batch;
    for (const OwnedQuery& q : owned) batch.push_back({q.view(), {}});
    BatchOptions opt;
    opt.k = 15;
    const auto result = batch_top_k(index, batch, opt);
    for (std::size_t i = 0; i < owned.size(); ++i) {
      EXPECT_EQ(result[i], brute_force(entries, owned[i], 15)) << "query " << i;
      EXPECT_EQ(index.top_k(owned[i].view(), 15), result[i]) << "query " << i;
      // Alone in its batch, no other query's lane sends the rows to the scalar check.
      EXPECT_EQ(batch_top_k(index, std::span(batch).subspan(i, 1), opt)[0], result[i]);
    }
    return result;
  };
  // Units up to 32766 are scored by the integer path; more leave it.
  check(
      {1.0},
      {{32766.0}, {32765.0, 1.0}, {32766.0, 1.0}, {32767.0, 1.0}, {32765.0, 3.0}, {0.5, 16382.5}});
  // Entry weights 1 and 2^-15 need 2^15 units: the index keeps the floating-point path.
  check({1.0, std::ldexp(1.0, -15), 0.5}, {{1.0, 1.0}, {0.5, 3.0, 1.0}});
  // Scores down to the smallest subnormal are exact; below it the products underflow to 0
  // and those entries are not hits.
  const auto tiny = check({std::ldexp(1.0, -1000)},
                          {{std::ldexp(1.0, -74)}, {std::ldexp(1.0, -80)}, {1.0, 0.75}});
  EXPECT_EQ(tiny[0].size(), 15u);
  EXPECT_EQ(tiny[0][0].score, std::ldexp(1.0, -1074));
  EXPECT_TRUE(tiny[1].empty());
  // Large weights, up to sums near the largest double.
  const auto huge = check({std::ldexp(1.0, 1000)},
                          {{std::ldexp(1.0, 7), std::ldexp(1.0, 8)}, {std::ldexp(1.0, 22)}});
  EXPECT_EQ(huge[0][0].score, std::ldexp(3.0, 1007));
  EXPECT_EQ(huge[1][0].score, std::ldexp(1.0, 1022));
}

TEST(RetrievalTest, ProgressCallbackExceptionReachesTheCaller) {
  std::mt19937_64 rng(10);
  const std::vector<OwnedEntry> entries = random_entries(rng, 500, true);
  const CompetenceIndex index = build(entries);
  std::vector<OwnedQuery> owned;
  for (int i = 0; i < 400; ++i) owned.push_back(random_query(rng, true));
  std::vector<BatchQuery> batch;
  for (const OwnedQuery& q : owned) batch.push_back({q.view(), q.filters});
  BatchOptions opt;
  opt.threads = 2;
  opt.block_size = 8;
  opt.progress = [](std::size_t, std::size_t) { throw std::runtime_error("stop"); };
  EXPECT_THROW(batch_top_k(index, batch, opt), std::runtime_error);
}

TEST(RetrievalTest, BadInputsAreErrorsWithPointers) {
  std::vector<OwnedEntry> entries(2);
  entries[0].items = {1, 2};
  entries[0].weights = {1.0, 0.5};
  entries[1].items = {2};
  entries[1].weights = {1.0};
  std::string pointer;
  auto with = [&](auto mutate) {
    std::vector<OwnedEntry> copy = entries;
    mutate(copy);
    return code_of([&] { build(copy); }, &pointer);
  };
  EXPECT_EQ(with([](auto& c) { c[1].weights.push_back(1.0); }), ErrorCode::dimension_mismatch);
  EXPECT_EQ(pointer, "/entries/1/weights");
  EXPECT_EQ(with([](auto& c) { c[0].weights[1] = std::nan(""); }), ErrorCode::invalid_argument);
  EXPECT_EQ(pointer, "/entries/0/weights/1");
  EXPECT_EQ(with([](auto& c) { c[0].weights[0] = 0.0; }), ErrorCode::invalid_argument);
  EXPECT_EQ(with([](auto& c) { c[0].items[1] = 1; }), ErrorCode::invalid_argument);
  EXPECT_EQ(pointer, "/entries/0/items/1");
  EXPECT_EQ(with([](auto& c) { c[1].location.lat = 91; }), ErrorCode::invalid_argument);
  EXPECT_EQ(pointer, "/entries/1/location");
  EXPECT_EQ(with([](auto& c) { c[1].max_km = -1; }), ErrorCode::invalid_argument);

  const CompetenceIndex index = build(entries);
  OwnedQuery q{{1, 2}, {1.0}, {}};
  EXPECT_EQ(code_of([&] { index.top_k(q.view(), 3); }), ErrorCode::dimension_mismatch);
  q.weights = {1.0, -1.0};
  EXPECT_EQ(code_of([&] { index.top_k(q.view(), 3); }, &pointer), ErrorCode::invalid_argument);
  EXPECT_EQ(pointer, "/weights/1");
  q.weights = {1.0, 1.0};
  RetrievalFilters f;
  f.max_km = std::nan("");
  EXPECT_EQ(code_of([&] { index.top_k(q.view(), 3, f); }), ErrorCode::invalid_argument);
  f.max_km = 10;
  f.origin = GeoPoint{0, 200};
  EXPECT_EQ(code_of([&] { index.top_k(q.view(), 3, f); }), ErrorCode::invalid_argument);

  std::vector<BatchQuery> batch(3, BatchQuery{q.view(), {}});
  const OwnedQuery bad{{1}, {kInf}, {}};
  batch[2].query = bad.view();
  EXPECT_EQ(code_of([&] { batch_top_k(index, batch, {}); }, &pointer), ErrorCode::invalid_argument);
  EXPECT_EQ(pointer, "/queries/2/weights/0");
  // An empty index answers every query with nothing.
  EXPECT_TRUE(build({}).top_k(q.view(), 3).empty());
}

}  // namespace
}  // namespace aiguillage
