// What score() asks the referential about one profile, computed once so that the profile can be
// scored against many offers without a graph search per offer. Private to the library.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aiguillage/matching/scoring.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

struct ProfileTables {
  // Per evidence group (certified, validated, declared): the best credit, with its path, of
  // every item the group's held items reach within the credit depth (none for an empty group).
  std::array<std::optional<CreditTable>, 3> credits;
  double factors[3] = {0, 0, 0};
  // Fiches within the project's mobility steps of a target, with the fewest steps.
  std::vector<std::pair<OccupationId, int>> steps;

  ProfileTables(const Profile& profile, const Referential& referential,
                const ScoringConfig& config);
  void cover(ItemId need, CompetenceCover& cover) const;
  std::optional<int> mobility_steps(OccupationId fiche) const;
  // The best credit × evidence the profile gives for `item` (0 when out of reach).
  double credit(ItemId item) const;
};

// score() itself, from tables computed once: the same Score, credit paths included (score()
// builds the same tables for its one offer).
Score quick_score(const Profile& profile, const Offer& offer, const ProfileTables& tables,
                  const ScoringConfig& config);

// What score() asks the referential about one offer, computed once so that many persons can be
// scored against it: for each of its competences the credit every item gives toward it (the
// graph walked backwards), and the fiches within the project's steps of its fiche.
using CreditList = std::vector<std::pair<ItemId, double>>;

// Backward credit tables by competence, computed once and shared by every offer that asks for
// the same competence (they depend only on the referential and the scoring's credit settings).
// Safe to use from several threads; holds at most one list per item of the referential.
class CreditsToCache {
 public:
  CreditsToCache(const Referential& referential, int max_depth, const CreditOptions& options)
      : referential_(&referential), max_depth_(max_depth), options_(options) {}
  struct Entry {
    CreditList by_item;                                // sorted by item
    std::vector<std::pair<double, ItemId>> by_credit;  // the same, best credit first
  };
  std::shared_ptr<const Entry> entry(ItemId need) const;
  std::shared_ptr<const CreditList> get(ItemId need) const {
    auto e = entry(need);
    return {e, &e->by_item};
  }

 private:
  const Referential* referential_;
  int max_depth_;
  CreditOptions options_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<ItemId, std::shared_ptr<const Entry>> lists_;
};

struct OfferTables {
  std::vector<std::pair<ItemId, std::shared_ptr<const CreditList>>> credits_to;  // by need
  std::vector<std::pair<OccupationId, int>> reaching;

  // `cache` (optional) must have been made with the same referential and config.
  OfferTables(const Offer& offer, const Referential& referential, const ScoringConfig& config,
              const CreditsToCache* cache = nullptr);
};

// score() from the offer's tables. The credits are products of the same factors taken in the
// other order, so the score may differ from score()'s in the last bits (never by more than
// about 1e-15 per unit of weight); exclusion, reasons and mobility steps are the same.
Score approx_score(const Profile& profile, const Offer& offer, const OfferTables& tables,
                   const Referential& referential, const ScoringConfig& config);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
