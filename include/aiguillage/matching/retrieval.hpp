// Exact top-k retrieval by competence overlap, from an inverted index, with filters.
//
// Entries (offers, or profiles for the other direction) are sparse vectors over competence item
// ids with positive weights chosen by the caller (for instance required 1.0, desired 0.5), plus
// a location, a département code and a contract mask. A query is a sparse vector q over item ids
// (the caller has already expanded partial credit) with filters. The retrieval score is
//     s(q, e) = sum over the query's items i, in the query's order, of q_i * x_{e,i}
// and top_k returns the k entries of highest score among those with s > 0 (they share at least
// one item with the query) that pass the filters, ties broken by ascending entry index.
//
// The index keeps the postings as a column-major sparse matrix (column = item, rows =
// entries), with entries renumbered internally by geographic cell so that a distance filter
// restricts every posting list to a few contiguous ranges before any score is accumulated; the
// exact haversine distance is checked afterwards. A query touches only its items' postings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <vector>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API GeoPoint {
  double lat = 0.0;  // degrees, [-90, 90]
  double lon = 0.0;  // degrees, [-180, 180]
};

// Great-circle distance in km on a sphere of radius 6371.0088 km (the mean Earth radius).
AIG_API double haversine_km(GeoPoint a, GeoPoint b) noexcept;

// One indexed entry. For an offer: contract_mask = 1 << (its contract type code), max_km
// infinite. For a profile: contract_mask = the accepted contract types, max_km = the distance the
// person accepts (a query farther away does not see the profile).
struct AIG_API IndexEntry {
  std::span<const std::uint32_t> items;  // distinct item ids
  std::span<const double> weights;       // same length, finite and > 0
  GeoPoint location;
  std::uint32_t departement = 0;    // caller's code (for instance 1..95, 971.., 2A/2B mapped)
  std::uint32_t contract_mask = 0;  // bit c set for contract type code c (0..31)
  double max_km = std::numeric_limits<double>::infinity();
};

struct AIG_API RetrievalFilters {
  // Distance, when origin is set: an entry passes when its distance to origin is at most both
  // max_km and the entry's own max_km. Without origin no distance is checked.
  std::optional<GeoPoint> origin;
  double max_km = std::numeric_limits<double>::infinity();  // >= 0
  std::vector<std::uint32_t> departements;                  // empty: any
  std::uint32_t contract_mask = 0;  // 0: any; else the entry needs a common bit
};

struct AIG_API RetrievalQuery {
  std::span<const std::uint32_t> items;  // distinct item ids; ids unknown to the index add 0
  std::span<const double> weights;       // finite and > 0
};

struct AIG_API Hit {
  std::uint32_t index = 0;  // entry index, in the order the entries were added
  double score = 0.0;
  friend bool operator==(const Hit&, const Hit&) = default;
};

struct BatchQuery;
struct BatchOptions;

class AIG_API CompetenceIndex {
 public:
  // Builds the index; the entries' spans are read, not kept. Bad input (weights and items of
  // different lengths, a weight not finite and > 0, an item twice in one entry, a location out
  // of range) throws invalid_argument or dimension_mismatch with the pointer /entries/<i>/...
  static CompetenceIndex build(std::span<const IndexEntry> entries);

  CompetenceIndex(CompetenceIndex&&) noexcept;
  CompetenceIndex& operator=(CompetenceIndex&&) noexcept;
  ~CompetenceIndex();

  std::size_t size() const noexcept;        // number of entries
  std::size_t item_count() const noexcept;  // distinct item ids
  std::size_t nonzeros() const noexcept;    // stored (entry, item) weights

  // Exact top-k as described above, sorted by descending score then ascending index. Const
  // and safe to call from several threads at once (scratch space is per thread).
  std::vector<Hit> top_k(const RetrievalQuery& query, std::size_t k,
                         const RetrievalFilters& filters = {}) const;

  // The postings matrix is reached through src/matching/retrieval_postings.hpp, so that no
  // Eigen type appears in the installed headers.
  friend struct CompetenceIndexAccess;

  // Declared here so that the batch can run validated queries without checking them twice.
  friend std::vector<std::vector<Hit>> batch_top_k(const CompetenceIndex& index,
                                                   std::span<const BatchQuery> queries,
                                                   const BatchOptions& options);

 private:
  struct Impl;
  explicit CompetenceIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Offers indexed for a person's query; profiles indexed for an offer's query. The same
// structure serves both directions, only the meaning of the entry fields changes.
using OfferIndex = CompetenceIndex;
using ProfileIndex = CompetenceIndex;

struct AIG_API BatchQuery {
  RetrievalQuery query;
  RetrievalFilters filters;
};

struct AIG_API BatchOptions {
  std::size_t k = 10;
  std::size_t threads = 1;       // worker threads (at least 1)
  std::size_t block_size = 256;  // queries handed to a worker at a time
  // Called on the calling thread with (queries done, total) after blocks complete.
  std::function<void(std::size_t, std::size_t)> progress;
};

// top_k for every query, in parallel. Memory beyond the output (k hits per query) is one score
// accumulator per thread. All queries are validated first: a bad query throws (pointer
// /queries/<i>/...) before any work starts.
AIG_API std::vector<std::vector<Hit>> batch_top_k(const CompetenceIndex& index,
                                                  std::span<const BatchQuery> queries,
                                                  const BatchOptions& options);

}  // namespace v1
}  // namespace aiguillage
