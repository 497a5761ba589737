#include "matching/score_json.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

using Json = nlohmann::ordered_json;

Json score_terms_json(const std::vector<ScoreTerm>& terms) {
  Json out = Json::array();
  for (const ScoreTerm& t : terms)
    out.push_back({{"term", score_term_name(t.kind)},
                   {"weight", t.weight},
                   {"feature", t.feature},
                   {"contribution", t.contribution}});
  return out;
}

Json penalties_json(const std::vector<Penalty>& penalties) {
  Json out = Json::array();
  for (const Penalty& p : penalties)
    out.push_back({{"reason", p.reason}, {"contribution", p.contribution}});
  return out;
}

Json reasons_json(const std::vector<MatchReason>& reasons, const MatchExplanation* context,
                  ExplanationLanguage lang) {
  Json out = Json::array();
  for (const MatchReason& r : reasons) {
    Json j = {{"kind", r.penalty ? "penalty" : "term"},
              {"name", r.name},
              {"feature", r.feature},
              {"contribution", r.contribution}};
    if (context) j["text"] = reason_text(r, *context, lang);
    out.push_back(std::move(j));
  }
  return out;
}

MatchExplanation pair_context(const Score& score, const Profile& profile, const Offer& offer) {
  MatchExplanation context;
  context.distance_km = score.distance_km;
  context.max_distance_km = profile.max_distance_km;
  context.mobility_steps = score.mobility_steps;
  context.offer_experience = offer.experience;
  return context;
}

Json pair_reasons_json(const Score& score, const Profile& profile, const Offer& offer,
                       ExplanationLanguage lang, std::size_t max_reasons) {
  const MatchExplanation context = pair_context(score, profile, offer);
  return reasons_json(principal_reasons(score, max_reasons), &context, lang);
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
