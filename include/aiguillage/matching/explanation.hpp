// Explanation of one match (a profile against an offer), data first: the full term table with
// every partial credit and the referential edges behind it, the hard constraints, the rank in
// the cohort, at most four principal reasons, and one counterfactual limited to what the
// person can change, computed by re-scoring. Text (French, English) and JSON are rendered from
// that data, deterministically.
#pragma once

#include <cstddef>
#include <functional>
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

enum class ExplanationLanguage : std::uint8_t { fr, en };

// Which way the cohort runs: the offers scored for one person, or the persons for one offer.
enum class CohortKind : std::uint8_t { offers_for_profile, profiles_for_offer };

// Position in the cohort. Offers that pass every hard constraint come before excluded ones,
// then by score (highest first), then by id, so that the order is total and reproducible.
struct AIG_API CohortRank {
  CohortKind kind = CohortKind::offers_for_profile;
  std::size_t rank = 1;  // 1-based
  std::size_t size = 1;  // the explained pair included
};

// True when (excluded_a, score_a, id_a) ranks before (excluded_b, score_b, id_b).
AIG_API bool ranks_before(bool excluded_a, double score_a, std::string_view id_a, bool excluded_b,
                          double score_b, std::string_view id_b) noexcept;

// One step of a partial-credit path, with the codes and labels of its ends.
struct AIG_API ExplainedStep {
  CreditEdge edge = CreditEdge::to_macro_competence;
  std::string from_code, from_label;  // an item code, or a ROME fiche code
  std::string to_code, to_label;
  double factor = 0;
};

// How the person covers one competence of the offer, as the employer is told: held as such,
// through a related competence of theirs (a referential path), not at all, or a code the
// referential does not hold (shown, not counted).
enum class Coverage : std::uint8_t { held, related, missing, unknown_code };
AIG_API std::string_view coverage_name(Coverage coverage) noexcept;

// How one competence of the offer was covered.
struct AIG_API ExplainedCompetence {
  std::string code;
  std::string label;
  Requirement requirement = Requirement::required;
  bool unknown_code = false;
  double credit = 0;      // referential credit in [0, 1]
  double evidence = 0;    // evidence factor of the held competence it starts from
  double value = 0;       // credit × evidence, what the term averages
  std::string held_code;  // the person's competence the credit starts from ("" if none)
  std::string held_label;
  std::vector<ExplainedStep> path;  // empty when held as such, or not reached
  Coverage coverage = Coverage::missing;
};

// A principal reason: a term or a penalty, by its contribution.
struct AIG_API MatchReason {
  bool penalty = false;
  ScoreTermKind term = ScoreTermKind::required_competences;  // when !penalty
  std::string name;    // the term name or the penalty's reason code
  double feature = 0;  // the term's feature (0 for a penalty)
  double contribution = 0;
};

// The kinds of change a counterfactual may propose: only what the person can change.
enum class ChangeKind : std::uint8_t {
  add_competence,  // acquire a required competence of the offer
  add_licence,     // obtain a licence the offer asks for
  add_diploma,     // obtain a diploma of the level the offer asks for
  widen_distance,  // accept to travel further
};
AIG_API std::string_view change_kind_name(ChangeKind kind) noexcept;

struct AIG_API Counterfactual {
  ChangeKind kind = ChangeKind::add_competence;
  std::string code;       // competence code; licence label; diploma level label; "" for distance
  std::string label;      // human label of what is added
  int diploma_level = 0;  // add_diploma
  Evidence evidence = Evidence::validated;  // add_competence
  double max_distance_km = 0;               // widen_distance: the new maximum
  double score_before = 0, score_after = 0;
  bool excluded_before = false, excluded_after = false;
  CohortRank rank_before, rank_after;
  std::size_t top = 10;  // ExplainOptions::top, for "would enter your top N"
};

// A code of the offer or the profile the referential does not hold.
struct AIG_API ExplainedUnknown {
  std::string document;  // "offer" or "profile"
  std::string pointer;
  std::string code;
};

struct AIG_API ExplainOptions {
  std::size_t max_reasons = 4;
  // "would enter your top N" is said when the new rank reaches it and the old did not.
  std::size_t top = 10;
  // Evidence assumed for a competence the person would acquire: validated by a counsellor.
  Evidence competence_evidence = Evidence::validated;
  // A wider maximum distance is rounded up to a multiple of this many km.
  double distance_step_km = 5;
};

struct AIG_API MatchExplanation {
  std::string profile_id, offer_id;
  std::string offer_title, offer_rome;
  std::string scoring_id, scoring_version;
  double score = 0;
  double intercept = 0;
  bool excluded = false;
  std::vector<ScoreTerm> terms;  // kScoreTermCount, in ScoreTermKind order
  std::vector<Penalty> penalties;
  std::vector<ExplainedCompetence> competences;  // in the offer's order
  std::vector<std::string> constraints;          // hard-constraint reason codes that failed
  std::vector<std::string> reason_codes;         // every reason code of the score
  std::vector<MatchReason> reasons;  // principal, at most max_reasons, by |contribution|
  std::optional<Counterfactual> counterfactual;
  std::vector<ExplainedUnknown> unknown;
  std::optional<double> distance_km;
  std::optional<double> max_distance_km;  // the person's own, when stated
  std::optional<int> mobility_steps;
  ExperienceRequirement offer_experience = ExperienceRequirement::beginner_accepted;
  CohortRank rank;

  // Plain text: header, principal reasons, counterfactual, constraints, unknown codes, then the
  // full term table and competence credits for counsellors and auditors.
  std::string to_text(ExplanationLanguage lang = ExplanationLanguage::fr) const;
  // Only the header, principal reasons and counterfactual: what the person is shown first.
  std::string summary_text(ExplanationLanguage lang = ExplanationLanguage::fr) const;
  // For the employer: the score, then each competence of the offer the person holds directly,
  // holds through a related competence (with the referential path, in labels), or lacks; in
  // labels, never codes.
  std::string employer_text(ExplanationLanguage lang = ExplanationLanguage::fr) const;
  // A JSON object (aiguillage.match_explanation 1.1), keys in a fixed order; with the texts of
  // the reasons and counterfactual in `lang`.
  std::string to_json(ExplanationLanguage lang = ExplanationLanguage::fr) const;
};

// The principal reasons of a score: terms and penalties with a non-zero contribution, the
// largest |contribution| first (ties: term order, then penalties), at most `max_reasons`.
AIG_API std::vector<MatchReason> principal_reasons(const Score& score, std::size_t max_reasons = 4);
// One principal reason in words ("compétences exigées couvertes à 72 %").
AIG_API std::string reason_text(const MatchReason& reason, const MatchExplanation& context,
                                ExplanationLanguage lang);

// The profile with the counterfactual's change applied.
AIG_API Profile apply_change(const Profile& profile, const Counterfactual& change,
                             const Referential& referential);

// Explains `offer` for `profile` among `cohort`, the other offers scored for this person (an
// offer of the cohort with the explained offer's id is the explained offer itself and is not
// counted twice). The counterfactual's new rank re-scores the changed profile on every offer.
AIG_API MatchExplanation explain_match(const Profile& profile, const Offer& offer,
                                       const Referential& referential, const ScoringConfig& config,
                                       std::span<const Offer> cohort,
                                       const ExplainOptions& options = {});
// Explains the pair among `cohort`, the other persons scored for this offer.
AIG_API MatchExplanation explain_match(const Profile& profile, const Offer& offer,
                                       const Referential& referential, const ScoringConfig& config,
                                       std::span<const Profile> cohort,
                                       const ExplainOptions& options = {});

// What is already known of a pair explained on its own, so that no other document is scored.
struct AIG_API PairContext {
  // The pair's score with its credit paths (a bank's RankedMatch::score), when the caller has
  // it: the pair is then not scored again. Else it is scored once.
  const Score* score = nullptr;
  // The pair's place; by default 1 of 1, the pair alone.
  CohortRank rank;
  // The counterfactual's new place, given the changed profile and its new score for this
  // offer; called at most once. Empty: the place is `rank` with the pair alone (1 of 1 by
  // default), i.e. only the pair is considered.
  std::function<CohortRank(const Profile& changed, const Score& changed_score)> rank_after;
};

// Explains one pair at the cost of the pair: its score (given or computed once), the principal
// reasons, the competences, and the counterfactual, which scores the changed profile against
// this offer only (one scoring per candidate change). The same explanation as explain_match
// when `context` carries the pair's rank and the counterfactual's new rank in that cohort.
AIG_API MatchExplanation explain_pair(const Profile& profile, const Offer& offer,
                                      const Referential& referential, const ScoringConfig& config,
                                      const PairContext& context = {},
                                      const ExplainOptions& options = {});

}  // namespace v1
}  // namespace aiguillage
