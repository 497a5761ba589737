// Explanations of the pairs a bank lists, at the cost of the pair: the bank's answer already
// holds the pair's score (credit paths included) and its rank, so no other document is scored.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include "aiguillage/core/export.hpp"

#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/matcher.hpp"

namespace aiguillage {
inline namespace v1 {

// Explains the pair `listed[r]`, where `listed` is bank.top_profiles(offer, k, filters): rank
// r + 1 among the bank's persons (those the filters leave out do not count before it). The
// counterfactual changes only this person, so its new rank is counted among the persons listed
// before the pair, whose scores do not move. The same explanation as explain_match among the
// bank's persons when no filter is set. r < listed.size().
AIG_API MatchExplanation explain_listed(const ProfileBank& bank, const Offer& offer,
                                        std::span<const RankedMatch> listed, std::size_t r,
                                        const ExplainOptions& options = {});

// Explains the pair `listed[r]`, where `listed` is bank.top_offers(profile, k, filters): rank
// r + 1 among the bank's offers. The counterfactual changes the person, hence every offer's
// score: its new rank is found by asking the bank for the changed person's best offers (k from
// max(r + 1, options.top), doubling until the offer is listed), not by scoring every offer.
// The same explanation as explain_match among the bank's offers when no filter is set.
AIG_API MatchExplanation explain_listed(const OfferBank& bank, const Profile& profile,
                                        std::span<const RankedMatch> listed, std::size_t r,
                                        const MatchFilters& filters = {},
                                        const ExplainOptions& options = {});

// The pair of the bank's person `index` and `offer`, ranked by the bank (k doubling from
// options.top until the person is listed), then explained by explain_listed; nullopt when the
// bank would never list the pair (a hard constraint excludes it, or the filters).
AIG_API std::optional<MatchExplanation> explain_in_bank(const ProfileBank& bank, const Offer& offer,
                                                        std::size_t index,
                                                        const MatchFilters& filters = {},
                                                        const ExplainOptions& options = {});
// The same for the bank's offer `index` and `profile`.
AIG_API std::optional<MatchExplanation> explain_in_bank(const OfferBank& bank,
                                                        const Profile& profile, std::size_t index,
                                                        const MatchFilters& filters = {},
                                                        const ExplainOptions& options = {});

}  // namespace v1
}  // namespace aiguillage
