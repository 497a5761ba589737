#include "aiguillage/orientation/orientation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aiguillage/core/version.hpp"
#include "aiguillage/rules/test_cases.hpp"

namespace aiguillage {
namespace {

using nlohmann::json;

const std::string kSourceDir = AIG_SOURCE_DIR;
const std::string kPackDir = kSourceDir + "/tests/orientation/data/mini-orientation";

const Pack& mini_pack() {
  static const Pack pack = Pack::load_file(kPackDir);
  return pack;
}

Date ref() {
  return *Date::parse("2025-03-01");
}

// Nothing missing, no trigger: parcours emploi, France Travail.
const char* kEvident =
    R"({"birth_date": "1985-06-10", "rsa_beneficiary": false, "boe_status": "none",
        "months_since_last_activity": 3, "frein_sante": "none", "aspiration": "rapid_return",
        "requested_structure": "none", "emergency": false, "territory": "75"})";
// The months since the last activity are unknown: the parcours waits for them.
const char* kMissingActivity =
    R"({"birth_date": "2004-09-01", "rsa_beneficiary": false, "boe_status": "none",
        "frein_sante": "none", "aspiration": "project_to_build",
        "requested_structure": "mission_locale", "emergency": false})";
// Complete, but a health difficulty without BOE status calls for a review.
const char* kHealthWithoutBoe =
    R"({"birth_date": "1979-11-30", "rsa_beneficiary": true, "boe_status": "none",
        "months_since_last_activity": 40, "frein_sante": "medium", "aspiration": "project_to_build",
        "requested_structure": "none", "emergency": false})";

TEST(MiniOrientationPack, OwnTestCasesPass) {
  TestRun run = run_test_dir(mini_pack(), kPackDir);
  EXPECT_EQ(run.failed, 0u) << run.to_text();
  EXPECT_GE(run.passed, 5u);
}

TEST(Action, NamesRoundTrip) {
  for (Action a : {Action::confirm, Action::override_outputs, Action::reorient})
    EXPECT_EQ(parse_action(action_name(a)), a);
  EXPECT_EQ(action_name(Action::override_outputs), "override");
  EXPECT_FALSE(parse_action("override_outputs"));
  EXPECT_FALSE(parse_action("Confirm"));
  EXPECT_FALSE(parse_action(""));
}

TEST(Propose, EvidentCase) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, ref());
  EXPECT_EQ(p.status, Status::complete);
  EXPECT_TRUE(p.evident);
  EXPECT_TRUE(p.review_reasons.empty());
  EXPECT_TRUE(p.questions.empty());
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.reference_date, ref());
  EXPECT_EQ(p.outputs_json,
            R"({"parcours":"emploi","organisme_referent":"france_travail",)"
            R"("decideur":"france_travail","cej_eligible":false,"review_reasons":[],)"
            R"("date_limite_orientation":null,"date_limite_contrat":"2025-04-01"})");
  // Non-null inputs only, in schema order, with the reference date.
  EXPECT_EQ(p.inputs_json,
            R"({"birth_date":"1985-06-10","rsa_beneficiary":false,"boe_status":"none",)"
            R"("months_since_last_activity":3,"frein_sante":"none","aspiration":"rapid_return",)"
            R"("requested_structure":"none","emergency":false,"territory":"75",)"
            R"("reference_date":"2025-03-01"})");
  EXPECT_EQ(p.pack_id, "tests/mini-orientation");
  EXPECT_EQ(p.pack_version, "0.1.0");
  EXPECT_EQ(p.pack_hash, mini_pack().hash());
  EXPECT_EQ(p.engine_version, engine_version());
  EXPECT_EQ(p.trace_json, evaluation_to_json(mini_pack(), p.evaluation, true));
}

TEST(Propose, MissingInputMakesAReviewWithQuestions) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kMissingActivity, ref());
  EXPECT_EQ(p.status, Status::incomplete);
  EXPECT_FALSE(p.evident);
  EXPECT_EQ(p.review_reasons, std::vector<std::string>{"missing_information"});
  ASSERT_EQ(p.questions.size(), 1u);
  EXPECT_EQ(p.questions[0].input, "months_since_last_activity");
  EXPECT_EQ(p.questions[0].label_fr, "mois depuis la dernière activité");
  EXPECT_EQ(p.questions[0].label_en, "months since the last activity");
  EXPECT_EQ(p.questions[0].rules, 1);
  json out = json::parse(p.outputs_json);
  EXPECT_TRUE(out["parcours"].is_null());
  EXPECT_EQ(out["organisme_referent"], "mission_locale");
}

TEST(Propose, ReviewTriggerWithoutMissingInput) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kHealthWithoutBoe, ref());
  EXPECT_EQ(p.status, Status::complete);
  EXPECT_FALSE(p.evident);
  EXPECT_EQ(p.review_reasons, std::vector<std::string>{"sante_sans_boe"});
  EXPECT_TRUE(p.questions.empty());
  json out = json::parse(p.outputs_json);
  EXPECT_EQ(out["parcours"], "socio_professionnel");
  EXPECT_EQ(out["decideur"], "president_conseil_departemental");
  EXPECT_EQ(out["date_limite_orientation"], "2025-04-12");
}

TEST(Propose, ReasonsAreListedOnceInPackOrderThenMissingInformation) {
  Orienter orienter(mini_pack());
  // Two rules give the same code; the requested structure is not the proposed one; the
  // emergency is unknown.
  Proposal p = orienter.propose(
      R"({"birth_date": "1990-01-01", "rsa_beneficiary": false, "boe_status": "none",
          "months_since_last_activity": 2, "frein_sante": "unknown", "aspiration": "unknown",
          "requested_structure": "cap_emploi"})",
      ref());
  EXPECT_EQ(p.status, Status::incomplete);
  EXPECT_EQ(p.review_reasons,
            (std::vector<std::string>{"frein_ou_aspiration_inconnu",
                                      "structure_demandee_differente", "missing_information"}));
  ASSERT_EQ(p.questions.size(), 1u);
  EXPECT_EQ(p.questions[0].input, "emergency");
}

TEST(Propose, QuestionsFollowTheEvaluationsOrder) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(R"({"birth_date": "2003-04-05", "boe_status": "none"})", ref());
  EXPECT_EQ(p.status, Status::incomplete);
  ASSERT_EQ(p.questions.size(), p.evaluation.missing.size());
  ASSERT_GE(p.questions.size(), 4u);
  for (std::size_t k = 0; k < p.questions.size(); ++k) {
    const MissingInput& m = p.evaluation.missing[k];
    EXPECT_EQ(p.questions[k].input,
              mini_pack().inputs().field(static_cast<std::size_t>(m.field)).name);
    EXPECT_EQ(p.questions[k].rules, m.rules);
    if (k) {
      EXPECT_GE(p.questions[k - 1].rules, p.questions[k].rules);
    }
  }
  // Most decisive first: the health difficulty blocks more rules than the emergency.
  EXPECT_EQ(p.questions.front().input, "frein_sante");
  std::vector<std::string> names;
  for (const Question& q : p.questions) names.push_back(q.input);
  EXPECT_NE(std::find(names.begin(), names.end(), "rsa_beneficiary"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "territory"), names.end());
  EXPECT_EQ(p.review_reasons.back(), "missing_information");
}

TEST(Propose, RejectedPersonHasErrorsAndNoOutputs) {
  Orienter orienter(mini_pack());
  for (const char* person : {R"({"boe_status": "xyz"})", R"({"unknown_field": 1})",
                             R"({"birth_date": "2025-02-30"})", "not json", "[1, 2]"}) {
    Proposal p = orienter.propose(person, ref());
    EXPECT_EQ(p.status, Status::error) << person;
    EXPECT_FALSE(p.evident);
    EXPECT_FALSE(p.errors.empty());
    EXPECT_EQ(p.outputs_json, "{}");
    EXPECT_EQ(p.inputs_json, "{}");
    EXPECT_TRUE(p.questions.empty());
    EXPECT_TRUE(p.review_reasons.empty());
    EXPECT_EQ(p.pack_hash, mini_pack().hash());
  }
  Proposal p = orienter.propose(R"({"boe_status": "xyz"})", ref());
  EXPECT_EQ(p.errors[0].code(), ErrorCode::enum_value);
  EXPECT_EQ(p.errors[0].pointer(), "/boe_status");
  EXPECT_THROW(orienter.decide(p, "conseiller", Action::confirm, "", "2025-03-02"), Error);
}

TEST(Propose, DateOutsideThePacksValidityIsAnError) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, *Date::parse("2024-12-31"));
  EXPECT_EQ(p.status, Status::error);
  ASSERT_FALSE(p.errors.empty());
  EXPECT_EQ(p.errors[0].code(), ErrorCode::no_valid_version);
  EXPECT_FALSE(p.evident);
}

// --- decide ---------------------------------------------------------------------------------

ErrorCode code_of(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.message();
    return e.code();
  }
  return ErrorCode::ok;
}

TEST(Decide, ConfirmKeepsTheProposalsOutputs) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kHealthWithoutBoe, ref());
  OrientationDecision d =
      orienter.decide(p, "president_conseil_departemental", Action::confirm, "", "2025-03-05");
  EXPECT_EQ(d.action, Action::confirm);
  EXPECT_EQ(d.decided_by, DecidedBy::human);
  EXPECT_EQ(d.actor_role, "president_conseil_departemental");
  EXPECT_EQ(d.outputs_json, p.outputs_json);
  EXPECT_EQ(d.decided_at, "2025-03-05");
  // A confirmation may carry a remark, never outputs.
  EXPECT_EQ(
      orienter.decide(p, "conseiller", Action::confirm, "vu en entretien", "2025-03-01T10:00:00Z")
          .reason,
      "vu en entretien");
  EXPECT_EQ(code_of([&] {
              orienter.decide(p, "conseiller", Action::confirm, "", "2025-03-01T10:00:00Z",
                              R"({"parcours": "social"})");
            }),
            ErrorCode::invalid_argument);
}

TEST(Decide, ActorRoleIsRequired) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, ref());
  std::string message;
  EXPECT_EQ(code_of([&] { orienter.decide(p, "", Action::confirm, "", "2025-03-01T10:00:00Z"); },
                    &message),
            ErrorCode::invalid_argument);
  EXPECT_EQ(message, "a decision needs an actor role");
  EXPECT_EQ(code_of([&] { orienter.decide(p, "  ", Action::confirm, "", "2025-03-01T10:00:00Z"); }),
            ErrorCode::invalid_argument);
}

TEST(Decide, OverrideWithoutReasonIsRefused) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, ref());
  for (const char* reason : {"", " ", "\n"}) {
    std::string message;
    EXPECT_EQ(code_of(
                  [&] {
                    orienter.decide(p, "conseiller_france_travail", Action::override_outputs,
                                    reason, "2025-03-01T10:00:00Z",
                                    R"({"organisme_referent": "mission_locale"})");
                  },
                  &message),
              ErrorCode::invalid_argument);
    EXPECT_EQ(message, "an override needs a reason");
  }
  std::string message;
  EXPECT_EQ(code_of(
                [&] {
                  orienter.decide(p, "conseiller", Action::reorient, "", "2025-03-01T10:00:00Z",
                                  R"({"parcours": "social"})");
                },
                &message),
            ErrorCode::invalid_argument);
  EXPECT_EQ(message, "a re-orientation needs a reason");
}

TEST(Decide, OverrideMergesOverTheProposal) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, ref());
  OrientationDecision d = orienter.decide(
      p, "conseiller_france_travail", Action::override_outputs,
      "La personne est déjà suivie par la Mission Locale de son quartier.", "2025-03-02T10:15:00Z",
      R"({"decideur": "mission_locale", "organisme_referent": "mission_locale"})");
  EXPECT_EQ(d.action, Action::override_outputs);
  EXPECT_EQ(d.decided_by, DecidedBy::human);
  EXPECT_EQ(d.outputs_json,
            R"({"parcours":"emploi","organisme_referent":"mission_locale",)"
            R"("decideur":"mission_locale","cej_eligible":false,"review_reasons":[],)"
            R"("date_limite_orientation":null,"date_limite_contrat":"2025-04-01"})");
  // Every type of output, null included.
  d = orienter.decide(p, "conseiller", Action::override_outputs, "motif", "2025-03-01T10:00:00Z",
                      R"({"cej_eligible": true, "review_reasons": ["urgence", "sante_sans_boe"],
          "date_limite_contrat": "2025-05-01", "parcours": null})");
  json out = json::parse(d.outputs_json);
  EXPECT_TRUE(out["parcours"].is_null());
  EXPECT_EQ(out["cej_eligible"], true);
  EXPECT_EQ(out["review_reasons"], json::parse(R"(["urgence", "sante_sans_boe"])"));
  EXPECT_EQ(out["date_limite_contrat"], "2025-05-01");
}

TEST(Decide, BadOverrideOutputsAreRefused) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, ref());
  auto attempt = [&](const char* outputs, std::string* message = nullptr) {
    return code_of(
        [&] {
          orienter.decide(p, "conseiller", Action::override_outputs, "motif",
                          "2025-03-01T10:00:00Z", outputs);
        },
        message);
  };
  std::string message;
  EXPECT_EQ(attempt(R"({"structure": "mission_locale"})", &message), ErrorCode::invalid_argument);
  EXPECT_NE(message.find("structure is not an output of tests/mini-orientation"), std::string::npos)
      << message;
  EXPECT_EQ(attempt(R"({"organisme_referent": "apec"})", &message), ErrorCode::invalid_argument);
  EXPECT_NE(message.find("\"apec\" is not one of france_travail, mission_locale"),
            std::string::npos)
      << message;
  EXPECT_EQ(attempt(R"({"cej_eligible": "yes"})"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(R"({"parcours": 3})"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(R"({"date_limite_contrat": "01/05/2025"})"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(R"({"date_limite_contrat": "2025-02-30"})"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(R"({"review_reasons": "urgence"})"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(R"({"review_reasons": ["urgence", "inconnu"]})"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(R"(["parcours"])"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(R"({"parcours": "social")"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt("{}"), ErrorCode::invalid_argument);
  EXPECT_EQ(attempt(""), ErrorCode::invalid_argument);
}

TEST(Decide, ReorientAfterTheDiagnostic) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kHealthWithoutBoe, ref());
  OrientationDecision d = orienter.decide(
      p, "referent_conseil_departemental", Action::reorient,
      "Le diagnostic global montre que la situation de logement empêche toute recherche d'emploi.",
      "2025-04-20", R"({"parcours": "social", "organisme_referent": "conseil_departemental"})");
  EXPECT_EQ(d.action, Action::reorient);
  json out = json::parse(d.outputs_json);
  EXPECT_EQ(out["parcours"], "social");
  EXPECT_EQ(out["organisme_referent"], "conseil_departemental");
  EXPECT_EQ(out["decideur"], "president_conseil_departemental");
  EXPECT_EQ(
      code_of([&] { orienter.decide(p, "r", Action::reorient, "motif", "2025-03-01T10:00:00Z"); }),
      ErrorCode::invalid_argument);
}

TEST(Decide, ProposalOfAnotherPackIsRefused) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, ref());
  p.pack_hash = "sha256:0000";
  EXPECT_EQ(code_of([&] {
              orienter.decide(p, "conseiller", Action::confirm, "", "2025-03-01T10:00:00Z");
            }),
            ErrorCode::invalid_argument);
}

// --- the deployment's policy ----------------------------------------------------------------

TEST(AutoDecide, OnlyWhenThePolicyAllowsAndTheCaseIsEvident) {
  Orienter cautious(mini_pack());
  EXPECT_FALSE(cautious.policy().auto_confirm_evident);
  Proposal evident = cautious.propose(kEvident, ref());
  ASSERT_TRUE(evident.evident);
  EXPECT_FALSE(cautious.auto_decide(evident, "2025-03-01T09:00:00Z"));

  Orienter automatic(mini_pack(), OrientationPolicy{true});
  auto d = automatic.auto_decide(evident, "2025-03-01T09:00:00Z");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->action, Action::confirm);
  EXPECT_EQ(d->decided_by, DecidedBy::policy);
  EXPECT_EQ(d->actor_role, "policy");
  EXPECT_EQ(d->outputs_json, evident.outputs_json);
  EXPECT_EQ(d->decided_at, "2025-03-01T09:00:00Z");

  for (const char* person : {kMissingActivity, kHealthWithoutBoe, R"({"boe_status": "xyz"})"}) {
    Proposal p = automatic.propose(person, ref());
    ASSERT_FALSE(p.evident);
    EXPECT_FALSE(automatic.auto_decide(p, "2025-03-01T09:00:00Z")) << person;
  }
}

// --- JSON -----------------------------------------------------------------------------------

TEST(ProposalJson, FixedKeysAndOneLine) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kMissingActivity, ref());
  const std::string text = proposal_to_json(p, false);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  json j = json::parse(text);
  std::vector<std::string> keys;
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(text);
  for (auto it = ordered.begin(); it != ordered.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"status", "evident", "review_reasons", "review_details",
                                            "questions", "reference_date", "outputs", "inputs",
                                            "fired", "errors", "pack", "engine"}));
  EXPECT_EQ(j["status"], "incomplete");
  EXPECT_EQ(j["evident"], false);
  EXPECT_EQ(j["review_reasons"], json::parse(R"(["missing_information"])"));
  EXPECT_EQ(j["review_details"], json::parse(R"([{"reason": "missing_information",
      "label": {"fr": "informations manquantes", "en": "missing information"},
      "inputs": ["months_since_last_activity"]}])"));
  EXPECT_EQ(j["questions"], json::parse(R"([{"input": "months_since_last_activity",
      "label": {"fr": "mois depuis la dernière activité", "en": "months since the last activity"},
      "rules": 1, "values": []}])"));
  EXPECT_EQ(j["reference_date"], "2025-03-01");
  EXPECT_EQ(j["outputs"], json::parse(p.outputs_json));
  EXPECT_EQ(j["inputs"], json::parse(p.inputs_json));
  EXPECT_EQ(j["fired"], json::parse(p.trace_json)["fired"]);
  EXPECT_EQ(j["fired"]["parcours"], json::parse(R"(["P7"])"));
  EXPECT_EQ(j["errors"], json::array());
  EXPECT_EQ(j["pack"], json::parse(R"({"id": "tests/mini-orientation", "version": "0.1.0",
      "hash": ")" + mini_pack().hash() +
                                   "\"}"));
  EXPECT_EQ(j["engine"], std::string(engine_version()));
  EXPECT_FALSE(j.contains("trace"));
  EXPECT_EQ(text, proposal_to_json(p, false));
}

TEST(ProposalJson, TraceWhenAsked) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, ref());
  const std::string text = proposal_to_json(p, true);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  json j = json::parse(text);
  EXPECT_EQ(j["evident"], true);
  EXPECT_EQ(j["trace"], json::parse(p.trace_json)["trace"]);
  EXPECT_EQ(j["trace"]["pack"]["hash"], mini_pack().hash());
  ASSERT_EQ(j["trace"]["decisions"].size(), mini_pack().decisions().size());
}

TEST(ProposalJson, RejectedPerson) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(R"({"boe_status": "xyz", "emergency": "oui"})", ref());
  json j = json::parse(proposal_to_json(p, true));
  EXPECT_EQ(j["status"], "error");
  EXPECT_EQ(j["evident"], false);
  EXPECT_EQ(j["outputs"], json::object());
  EXPECT_EQ(j["fired"], json::object());
  ASSERT_EQ(j["errors"].size(), 2u);
  EXPECT_EQ(j["errors"][0]["name"], "enum_value");
  EXPECT_EQ(j["errors"][0]["code"], static_cast<int>(ErrorCode::enum_value));
  EXPECT_EQ(j["errors"][0]["pointer"], "/boe_status");
  EXPECT_TRUE(j["trace"].is_null());
}

TEST(DecisionJson, FixedKeys) {
  Orienter orienter(mini_pack(), OrientationPolicy{true});
  Proposal p = orienter.propose(kEvident, ref());
  const std::string text = decision_to_json(*orienter.auto_decide(p, "2025-03-01T09:00:00Z"));
  EXPECT_EQ(text, R"({"action":"confirm","decided_by":"policy","actor_role":"policy","reason":"",)"
                  R"("outputs":)" +
                      p.outputs_json + R"(,"decided_at":"2025-03-01T09:00:00Z"})");
  OrientationDecision d =
      orienter.decide(p, "conseiller", Action::override_outputs, "dit \"autrement\"",
                      "2025-03-01T10:00:00Z", R"({"parcours": "social"})");
  json j = json::parse(decision_to_json(d));
  EXPECT_EQ(j["action"], "override");
  EXPECT_EQ(j["decided_by"], "human");
  EXPECT_EQ(j["reason"], "dit \"autrement\"");
  EXPECT_EQ(j["outputs"]["parcours"], "social");
}

}  // namespace
}  // namespace aiguillage
