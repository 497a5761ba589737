// The one writer of a score's parts as JSON (terms, penalties, principal reasons), shared by the
// explanation document, the C API, the command line and the service so that a score reads the
// same wherever it is written. Private to the library and its tools.
#pragma once

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/scoring.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

// [{"term", "weight", "feature", "contribution"}, ...] in ScoreTermKind order.
nlohmann::ordered_json score_terms_json(const std::vector<ScoreTerm>& terms);
// [{"reason", "contribution"}, ...].
nlohmann::ordered_json penalties_json(const std::vector<Penalty>& penalties);
// [{"kind", "name", "feature", "contribution"[, "text"]}, ...]; with a context, each reason's
// words in `lang` ("text").
nlohmann::ordered_json reasons_json(const std::vector<MatchReason>& reasons,
                                    const MatchExplanation* context = nullptr,
                                    ExplanationLanguage lang = ExplanationLanguage::fr);
// The facts of one pair that the words of its reasons need (no cohort: no rank).
MatchExplanation pair_context(const Score& score, const Profile& profile, const Offer& offer);
// The principal reasons of one pair's score in words.
nlohmann::ordered_json pair_reasons_json(const Score& score, const Profile& profile,
                                         const Offer& offer, ExplanationLanguage lang,
                                         std::size_t max_reasons = 4);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
