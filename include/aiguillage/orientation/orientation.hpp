// Orientation on top of rules: a pack proposes (parcours, organisme référent, who decides,
// deadlines), a human decides. A proposal is "evident" when nothing is missing and no review
// trigger fired; otherwise it is routed to a short interview with the questions that would
// settle it. It becomes a decision only with a human actor, or by the deployment's policy for
// evident cases, and then the decision says so.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/json_lines.hpp"

namespace aiguillage {
inline namespace v1 {

// Output names an orientation pack provides (the pack is the authority on their values).
// `review_reasons` is a list of enum codes (empty when nothing calls for a review).
namespace orientation_outputs {
inline constexpr std::string_view parcours = "parcours";
inline constexpr std::string_view organisme = "organisme_referent";
inline constexpr std::string_view decideur = "decideur";
inline constexpr std::string_view review_reasons = "review_reasons";
}  // namespace orientation_outputs

// The deployment's choices, never the pack's alone.
struct AIG_API OrientationPolicy {
  bool auto_confirm_evident = false;  // confirm evident proposals without a human
};

// One value a question may take, as the person reads it.
struct QuestionValue {
  std::string value, label_fr, label_en;
};

struct AIG_API Question {
  std::string input;  // input name
  std::string label_fr, label_en;
  int rules = 0;  // undecided rules it would settle
  // Enum inputs: the answers allowed (the pack's values but its ask_values), with their labels.
  std::vector<QuestionValue> values;
};

// Why a proposal needs a review, and the inputs that would settle it: for a reason raised by a
// rule, the inputs read by the rule's deciding cells (only those missing or to be asked, when
// some are); for missing_information, the inputs of the questions.
struct ReviewReason {
  std::string code;
  std::string label_fr, label_en;
  std::vector<std::string> inputs;
};

struct AIG_API Proposal {
  Date reference_date;
  Status status = Status::complete;  // of the evaluation
  bool evident = false;
  std::vector<std::string> review_reasons;   // codes; "missing_information" when questions remain
  std::vector<ReviewReason> review_details;  // the same reasons, with labels and their inputs
  std::vector<Question> questions;
  std::string outputs_json;  // {"parcours": ..., "organisme_referent": ..., ...} in pack order
  std::string inputs_json;   // the validated inputs used, {"name": value}, in schema order
  std::string trace_json;    // evaluation_to_json(..., with_trace)
  std::string pack_id, pack_version, pack_hash, engine_version;
  std::vector<Error> errors;  // a rejected person (bad input) has errors and no outputs
  Evaluation evaluation;      // the full evaluation, for notices and explanations
};

enum class Action : std::uint8_t { confirm, override_outputs, reorient };
AIG_API std::string_view action_name(Action a) noexcept;  // "confirm", "override", "reorient"
AIG_API std::optional<Action> parse_action(std::string_view text) noexcept;

enum class DecidedBy : std::uint8_t { human, policy };

// What the person said before the decision and how the decider weighed it: required by packs
// whose outcomes are never decided by policy (a sanction follows a contradictory procedure:
// the person's observations, then the assessment of a legitimate reason), kept in the record.
struct Hearing {
  std::string observations;       // the person's observations, or that none came in time
  std::string legitimate_reason;  // the decider's assessment of a legitimate reason
};

struct AIG_API OrientationDecision {
  Action action = Action::confirm;
  DecidedBy decided_by = DecidedBy::human;
  std::string actor_role;    // "conseiller_france_travail", "president_conseil_departemental", ...
  std::string reason;        // required for override and reorient
  std::string outputs_json;  // the decided outputs (the proposal's, or the override's)
  std::string decided_at;    // caller-supplied timestamp (ISO 8601); nothing reads the clock
  Hearing hearing;           // empty unless given (required when the pack says so)
  // When the engagement contract that follows the orientation was signed (ISO 8601), when the
  // caller knows it; empty otherwise. Recorded (decision record 1.1) and reported against the
  // pack's contract deadline.
  std::string contract_signed_at;
};

// A reason is a sentence or a paragraph, never a document.
inline constexpr std::size_t kMaxReasonBytes = 2000;

// Throws Error(invalid_actor) unless `role` is a role name: 1 to 64 characters among a-z, 0-9,
// "_", "-" and "." starting with a letter ("conseiller_france_travail"; never a person's name
// or address: records are pseudonymised).
void check_actor_role(std::string_view role);
// Throws Error(invalid_timestamp) unless `at` is "YYYY-MM-DD" or
// "YYYY-MM-DDThh:mm[:ss[.f+]](Z|+hh:mm|-hh:mm)" with a valid date and time.
void check_timestamp(std::string_view at, std::string_view what = "decided_at");

class AIG_API Orienter {
 public:
  // Throws Error(human_decision_required) when the policy allows automatic confirmation and
  // the pack's outcomes are never decided by policy (Pack::human_decision_required()).
  Orienter(Pack pack, OrientationPolicy policy = {});
  const Pack& pack() const { return evaluator_.pack(); }
  const Evaluator& evaluator() const { return evaluator_; }
  const OrientationPolicy& policy() const { return policy_; }

  // Evaluates one person (a JSON object) at the reference date. A rejected person gives a
  // proposal with errors (and status error), never an exception.
  // `with_trace` false leaves the trace out of trace_json (the fired rules stay): it is the
  // costly part of a proposal and a bulk run rarely needs it.
  Proposal propose(std::string_view person_json, Date reference_date, bool with_trace = true) const;

  // A human decision. Throws Error(invalid_actor) for an actor that is no role name,
  // Error(invalid_timestamp) for a decided_at that is no ISO 8601 date or timestamp,
  // Error(too_long) for a reason over kMaxReasonBytes, Error(invalid_argument) for an override or
  // re-orientation without a reason, an empty actor role, or override outputs that are not a JSON
  // object naming only the pack's outputs with values of their types; and for a proposal with
  // errors.
  OrientationDecision decide(const Proposal& proposal, std::string_view actor_role, Action action,
                             std::string_view reason, std::string_view decided_at,
                             std::string_view override_outputs_json = {}) const;
  // The same, with what the person said and how it was weighed. For a pack whose outcomes are
  // never decided by policy, both hearing fields are required (invalid_argument otherwise) and
  // the actor role "policy" is refused (human_decision_required).
  OrientationDecision decide(const Proposal& proposal, std::string_view actor_role, Action action,
                             std::string_view reason, std::string_view decided_at,
                             std::string_view override_outputs_json, const Hearing& hearing) const;

  // The policy's decision for an evident proposal when the deployment allows it; nullopt
  // otherwise (the proposal waits for a human). Throws Error(human_decision_required) for a
  // pack whose outcomes are never decided by policy.
  std::optional<OrientationDecision> auto_decide(const Proposal& proposal,
                                                 std::string_view decided_at) const;

 private:
  Evaluator evaluator_;
  OrientationPolicy policy_;
};

namespace detail {
class ProposalWriter;
}

// Proposals for many persons at once, without the trace (a bulk run): persons are read by
// blocks straight into a columnar batch and evaluated by the batch path, and each proposal is
// written straight from its row. Each line's text is exactly
// proposal_to_json(orienter.propose(line, reference_date, false), false). One object per
// thread; the orienter must outlive it.
class AIG_API BulkProposer {
 public:
  BulkProposer(const Orienter& orienter, Date reference_date);
  ~BulkProposer();
  // sink(index, proposal_json, rejected): every person in input order; `rejected` when the
  // proposal has errors (bad input, a broken constraint, a hit-policy violation). The text
  // lives until the sink returns.
  using Sink = std::function<void(std::size_t index, std::string_view proposal, bool rejected)>;
  void run(std::span<const std::string_view> persons, const Sink& sink);

  const JsonLinesEvaluator& lines() const { return lines_; }

 private:
  JsonLinesEvaluator lines_;
  std::unique_ptr<detail::ProposalWriter> writer_;  // the pack's fragments, worked out once
  std::string text_;                                // the line being written
};

// One line of JSON, keys in a fixed order.
AIG_API std::string proposal_to_json(const Proposal& p, bool with_trace);
AIG_API std::string decision_to_json(const OrientationDecision& d);

}  // namespace v1
}  // namespace aiguillage
