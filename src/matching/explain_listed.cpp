#include "aiguillage/matching/explain_listed.hpp"

#include <algorithm>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

void check_listed(std::span<const RankedMatch> listed, std::size_t r) {
  if (r >= listed.size())
    throw Error(ErrorCode::invalid_argument, "explain_listed: position " + std::to_string(r) +
                                                 " of a list of " + std::to_string(listed.size()));
}

// The position of document `index` in a bank's answer, or nullopt.
std::optional<std::size_t> position_of(const std::vector<RankedMatch>& answer, std::size_t index) {
  for (std::size_t i = 0; i < answer.size(); ++i)
    if (answer[i].index == index) return i;
  return std::nullopt;
}

// Asks `top(k)` with k doubling from `first` until document `index` is listed or the answer is
// shorter than k (every listable document was listed).
template <class Top>
std::optional<std::pair<std::vector<RankedMatch>, std::size_t>> find_in(Top&& top,
                                                                        std::size_t index,
                                                                        std::size_t first,
                                                                        std::size_t size) {
  for (std::size_t k = std::max<std::size_t>(first, 1);; k *= 2) {
    k = std::min(k, std::max<std::size_t>(size, 1));
    std::vector<RankedMatch> answer = top(k);
    if (auto at = position_of(answer, index)) return std::pair{std::move(answer), *at};
    if (answer.size() < k || k >= size) return std::nullopt;
  }
}

}  // namespace

MatchExplanation explain_listed(const ProfileBank& bank, const Offer& offer,
                                std::span<const RankedMatch> listed, std::size_t r,
                                const ExplainOptions& options) {
  check_listed(listed, r);
  const std::vector<Profile>& persons = bank.profiles();
  const Profile& profile = persons.at(listed[r].index);
  PairContext context;
  context.score = &listed[r].score;
  context.rank = {CohortKind::profiles_for_offer, r + 1, bank.size()};
  // The change moves only this person's score: those ranked after stay after (the change never
  // lowers the score), those before may be overtaken.
  context.rank_after = [&](const Profile&, const Score& changed) {
    CohortRank after = context.rank;
    after.rank = 1;
    for (std::size_t j = 0; j < r; ++j)
      if (ranks_before(listed[j].score.excluded, listed[j].score.score, persons[listed[j].index].id,
                       changed.excluded, changed.score, profile.id))
        ++after.rank;
    return after;
  };
  return explain_pair(profile, offer, bank.referential(), bank.config(), context, options);
}

MatchExplanation explain_listed(const OfferBank& bank, const Profile& profile,
                                std::span<const RankedMatch> listed, std::size_t r,
                                const MatchFilters& filters, const ExplainOptions& options) {
  check_listed(listed, r);
  const std::size_t index = listed[r].index;
  const Offer& offer = bank.offers().at(index);
  PairContext context;
  context.score = &listed[r].score;
  context.rank = {CohortKind::offers_for_profile, r + 1, bank.size()};
  context.rank_after = [&](const Profile& changed, const Score&) {
    CohortRank after = context.rank;
    const auto found = find_in([&](std::size_t k) { return bank.top_offers(changed, k, filters); },
                               index, std::max(r + 1, options.top), bank.size());
    // A change the counterfactual keeps never excludes the pair, so the bank lists it; the
    // fallback ranks it after every listed offer.
    after.rank = found ? found->second + 1 : bank.size();
    return after;
  };
  return explain_pair(profile, offer, bank.referential(), bank.config(), context, options);
}

std::optional<MatchExplanation> explain_in_bank(const ProfileBank& bank, const Offer& offer,
                                                std::size_t index, const MatchFilters& filters,
                                                const ExplainOptions& options) {
  const auto found = find_in([&](std::size_t k) { return bank.top_profiles(offer, k, filters); },
                             index, options.top, bank.size());
  if (!found) return std::nullopt;
  return explain_listed(bank, offer, found->first, found->second, options);
}

std::optional<MatchExplanation> explain_in_bank(const OfferBank& bank, const Profile& profile,
                                                std::size_t index, const MatchFilters& filters,
                                                const ExplainOptions& options) {
  const auto found = find_in([&](std::size_t k) { return bank.top_offers(profile, k, filters); },
                             index, options.top, bank.size());
  if (!found) return std::nullopt;
  return explain_listed(bank, profile, found->first, found->second, filters, options);
}

}  // namespace v1
}  // namespace aiguillage
