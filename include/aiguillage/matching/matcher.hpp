// Matching documents at scale: the best offers for a person, the best persons for an offer, by
// the full additive score of scoring.hpp, exactly (the same answer as scoring every document and
// sorting), without scoring every document.
//
// A bank indexes its documents' competences in a CompetenceIndex (retrieval.hpp) with weights
// chosen so that the retrieval score of a document bounds the competence part of its full
// score from above; every other term is at most its weight. Candidates come out of the index
// best bound first and are scored in full; the search stops once the k-th best full score beats
// the bound of every document not yet scored, or scores the rest when the bound never drops
// low enough. See docs/matching.md ("Matching at scale").
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/matching/offer.hpp"
#include "aiguillage/matching/profile.hpp"
#include "aiguillage/matching/referential.hpp"
#include "aiguillage/matching/scoring.hpp"

namespace aiguillage {
inline namespace v1 {

// Which documents may be listed at all (before any score).
struct AIG_API MatchFilters {
  // Offers: the offer's département (offer_departement). Persons: the person's
  // (location.departement, else read from the postal code). Empty: any.
  std::vector<std::string> departements;
  // Offers: the offer's typeContrat is one of these. Persons: the person accepts one of these
  // (a person who states no contract type accepts any). Empty: any.
  std::vector<std::string> contract_types;
  // At most this many km (haversine) from the query document's location. A document whose own
  // location is unknown does not pass; when the query document's location is unknown the
  // filter is not applied (the score then carries the reason distance_unknown).
  std::optional<double> max_km;
};

struct AIG_API RankedMatch {
  std::size_t index = 0;  // into the bank's documents
  Score score;            // exactly score(profile, offer, referential, config)
};

// How a bank is built or loaded.
struct AIG_API BankBuildOptions {
  // Threads for the per-document work (at least 1). The bank is the same whatever the count.
  std::size_t threads = 1;
};

struct AIG_API MatchBatchOptions {
  std::size_t threads = 1;  // worker threads (at least 1)
  // Called on the calling thread with (queries done, total); the last call has done == total.
  std::function<void(std::size_t, std::size_t)> progress;
};

// What the last search did, for tests and tuning.
struct AIG_API MatchSearchStatistics {
  std::size_t scored = 0;   // documents scored in full
  std::size_t rounds = 0;   // retrieval rounds
  std::size_t bounded = 0;  // persons whose bound was computed (ProfileBank)
  bool full_scan = false;   // the bound never dropped low enough: the rest was scored
};

// The département of an offer: the "NN - " prefix of its place label ("75 - Paris 11e" → "75",
// "2A - Ajaccio" → "2A", "971 - Les Abymes" → "971"), else read from its postal code ("2A"/"2B"
// for Corsica, three digits overseas); "" when neither says.
AIG_API std::string offer_departement(const Offer& offer);
// The département of a person: location.departement, else read from the postal code.
AIG_API std::string profile_departement(const Profile& profile);

// Offers indexed for persons' queries. The referential must outlive the bank; the bank is
// immutable and safe to query from several threads at once.
class AIG_API OfferBank {
 public:
  OfferBank(std::vector<Offer> offers, const Referential& referential, ScoringConfig config = {});
  OfferBank(std::vector<Offer> offers, const Referential& referential, ScoringConfig config,
            const BankBuildOptions& options);
  OfferBank(OfferBank&&) noexcept;
  OfferBank& operator=(OfferBank&&) noexcept;
  ~OfferBank();

  std::size_t size() const noexcept;
  const std::vector<Offer>& offers() const noexcept;

  // Writes the bank to a file (docs/matching.md, "Bank files"): its documents, its index and
  // configuration, with the referential's fingerprint and a SHA-256 checksum. Written to a
  // temporary file beside `path`, then renamed. Throws io when the file cannot be written.
  void save(const std::string& path) const;
  // Reads a bank written by save(), built with a referential holding the same data. A file of
  // another format version, another referential or another kind of bank: cache_stale (-402);
  // a truncated or corrupted file: bank_file_corrupt (-410); an unreadable one: io.
  static OfferBank load(const std::string& path, const Referential& referential,
                        const BankBuildOptions& options = {});
  // The same from the file's bytes.
  static OfferBank load_bytes(std::string_view bytes, const Referential& referential,
                              const BankBuildOptions& options = {});
  const ScoringConfig& config() const noexcept;
  const Referential& referential() const noexcept;

  // The k best offers for the person among those passing the filters and not excluded by a
  // hard constraint, in ranks_before order (score, then offer id). k >= 1; max_km >= 0.
  std::vector<RankedMatch> top_offers(const Profile& profile, std::size_t k,
                                      const MatchFilters& filters = {},
                                      MatchSearchStatistics* statistics = nullptr) const;
  // The same for many persons, on options.threads threads; answers in the persons' order.
  std::vector<std::vector<RankedMatch>> top_offers(std::span<const Profile> profiles, std::size_t k,
                                                   const MatchFilters& filters,
                                                   const MatchBatchOptions& options = {}) const;

 private:
  struct Impl;
  explicit OfferBank(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Persons indexed for an offer's query; same guarantees.
class AIG_API ProfileBank {
 public:
  ProfileBank(std::vector<Profile> profiles, const Referential& referential,
              ScoringConfig config = {});
  ProfileBank(std::vector<Profile> profiles, const Referential& referential, ScoringConfig config,
              const BankBuildOptions& options);
  ProfileBank(ProfileBank&&) noexcept;
  ProfileBank& operator=(ProfileBank&&) noexcept;
  ~ProfileBank();

  std::size_t size() const noexcept;
  const std::vector<Profile>& profiles() const noexcept;

  // Writes the bank to a file (docs/matching.md, "Bank files"): its documents, its index and
  // configuration, with the referential's fingerprint and a SHA-256 checksum. Written to a
  // temporary file beside `path`, then renamed. Throws io when the file cannot be written.
  void save(const std::string& path) const;
  // Reads a bank written by save(), built with a referential holding the same data. A file of
  // another format version, another referential or another kind of bank: cache_stale (-402);
  // a truncated or corrupted file: bank_file_corrupt (-410); an unreadable one: io.
  static ProfileBank load(const std::string& path, const Referential& referential,
                          const BankBuildOptions& options = {});
  // The same from the file's bytes.
  static ProfileBank load_bytes(std::string_view bytes, const Referential& referential,
                                const BankBuildOptions& options = {});
  const ScoringConfig& config() const noexcept;
  const Referential& referential() const noexcept;

  // The k best persons for the offer (passing the filters, not excluded), in ranks_before
  // order (score, then profile id).
  std::vector<RankedMatch> top_profiles(const Offer& offer, std::size_t k,
                                        const MatchFilters& filters = {},
                                        MatchSearchStatistics* statistics = nullptr) const;
  std::vector<std::vector<RankedMatch>> top_profiles(std::span<const Offer> offers, std::size_t k,
                                                     const MatchFilters& filters,
                                                     const MatchBatchOptions& options = {}) const;

 private:
  struct Impl;
  explicit ProfileBank(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace aiguillage
