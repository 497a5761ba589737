// Additive, exact scoring of a profile against an offer: score = intercept + Σ weight × feature,
// each term shown with its weight, its feature value and its contribution, each partial credit
// with the referential edges that produced it; hard constraints as reason codes. The weights
// and policies are data: an aiguillage.scoring 1.0 document.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/matching/offer.hpp"
#include "aiguillage/matching/profile.hpp"
#include "aiguillage/matching/referential.hpp"

namespace aiguillage {
inline namespace v1 {

// The terms, in the fixed order in which they are summed and shown.
enum class ScoreTermKind : std::uint8_t {
  required_competences,  // mean credit over the offer's required competences
  desired_competences,   // mean credit over its desired competences
  project_fit,           // offer fiche vs the person's targets: 1 same, decay per mobility step
  experience,            // months in the offer's fiche vs the months asked
  diploma,               // highest diploma level vs the formations asked
  languages,             // share of the offer's languages the person has
  licences,              // share of the offer's licences the person holds
  distance,              // 1 at the door, 0 at the person's maximum distance
  contract,              // contract type and working time accepted (half each)
};
inline constexpr std::size_t kScoreTermCount = 9;
AIG_API std::string_view score_term_name(ScoreTermKind kind) noexcept;

enum class ConstraintPolicy : std::uint8_t { exclude, penalise, ignore };

// A hard constraint: a required licence, a required diploma, a distance beyond the maximum.
struct AIG_API ConstraintRule {
  ConstraintPolicy policy = ConstraintPolicy::exclude;
  double penalty = 0;  // the (negative) contribution added when it fails and policy = penalise
};

struct AIG_API ScoringConfig {
  std::string id = "default";
  std::string version = "1.0.0";
  double intercept = 0;
  std::array<double, kScoreTermCount> weights = {0.35, 0.10, 0.15, 0.10, 0.05,
                                                 0.03, 0.05, 0.10, 0.07};
  int credit_depth = 3;  // max edges of a partial-credit path
  CreditOptions credit;
  // How much a competence counts by who vouches for it.
  double evidence_declared = 0.8, evidence_validated = 0.9, evidence_certified = 1.0;
  // Project fit of an offer `d` mobility steps from a target fiche: decay^d, up to max steps.
  double project_decay = 0.5;
  int project_max_steps = 2;
  // Used when the profile states no maximum distance.
  double default_max_distance_km = 30;
  ConstraintRule licence{ConstraintPolicy::exclude, 0};
  ConstraintRule diploma{ConstraintPolicy::penalise, -0.2};
  ConstraintRule distance{ConstraintPolicy::exclude, 0};

  double weight(ScoreTermKind k) const { return weights[static_cast<std::size_t>(k)]; }
};

// Reads an aiguillage.scoring 1.0 document; omitted fields keep the defaults above. Errors have
// pinned codes and JSON pointers (weights must be finite, factors and evidence in [0, 1],
// penalties <= 0).
AIG_API ScoringConfig parse_scoring(std::string_view json_text);

struct AIG_API ScoreTerm {
  ScoreTermKind kind = ScoreTermKind::required_competences;
  double weight = 0;
  double feature = 0;       // in [0, 1]
  double contribution = 0;  // weight × feature
};

// How one competence of the offer was covered.
struct AIG_API CompetenceCover {
  std::size_t offer_index = 0;  // into Offer::competences
  Requirement requirement = Requirement::required;
  Credit credit;              // best credit from the profile's competences, with its path
  double evidence = 0;        // evidence factor of the profile competence the credit starts from
  double value = 0;           // credit.value × evidence
  bool unknown_code = false;  // the offer's code is not in the referential: not counted
};

struct AIG_API Penalty {
  std::string reason;   // the reason code it answers
  double contribution;  // <= 0
};

struct AIG_API Score {
  double score = 0;  // intercept + Σ terms' contributions + Σ penalties, summed in that order
  double intercept = 0;
  std::vector<ScoreTerm> terms;  // kScoreTermCount, in ScoreTermKind order
  std::vector<Penalty> penalties;
  bool excluded = false;  // a constraint with policy exclude failed
  // "licence_missing", "diploma_missing", "distance_exceeded", "distance_unknown",
  // "unknown_offer_code", "unknown_profile_code"
  std::vector<std::string> reasons;
  std::vector<CompetenceCover> competences;
  std::optional<double> distance_km;
  std::optional<int> mobility_steps;  // from the nearest target fiche to the offer's
};

// Great-circle distance in km (haversine, mean Earth radius 6371.0088 km).
AIG_API double haversine_km(double lat1, double lon1, double lat2, double lon2);

AIG_API Score score(const Profile& profile, const Offer& offer, const Referential& referential,
                    const ScoringConfig& config = {});

}  // namespace v1
}  // namespace aiguillage
