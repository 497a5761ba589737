// Packs never decided by policy (rules/sanctions/fr-2025): automatic confirmation and policy
// decisions are refused with human_decision_required, a human decision needs the person's
// observations and the assessment of a legitimate reason, and the record keeps both. The
// orientation pack, which allows policy decisions, keeps its behaviour.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/statuses.hpp"

namespace aiguillage {
namespace {

using nlohmann::json;

const std::string kSourceDir = AIG_SOURCE_DIR;

const Pack& sanctions() {
  static const Pack pack = Pack::load_file(kSourceDir + "/rules/sanctions/fr-2025");
  return pack;
}

const Pack& orientation() {
  static const Pack pack = Pack::load_file(kSourceDir + "/rules/orientation/fr-2025");
  return pack;
}

Date day(const char* text) {
  return *Date::parse(text);
}

// A first failure by a person receiving the unemployment allowance (R. 5412-1, 1°).
const char* kFirstFailure =
    R"({"manquement": "obligations_contrat_engagement", "antecedent": "aucun",
        "motif_legitime": "non_invoque", "allocation": "are", "organisme_referent": "france_travail",
        "foyer_plusieurs_personnes": false, "majoration_parent_isole": false,
        "mineur_ou_protege": false, "date_reception_notification": "2025-07-01"})";

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

TEST(HumanDecisionRequired, PackDeclaresIt) {
  EXPECT_TRUE(sanctions().human_decision_required());
  EXPECT_FALSE(orientation().human_decision_required());
  EXPECT_EQ(error_code_name(ErrorCode::human_decision_required), "human_decision_required");
  EXPECT_EQ(static_cast<int>(ErrorCode::human_decision_required), -301);
}

TEST(HumanDecisionRequired, AutoConfirmPolicyIsRefusedUpFront) {
  OrientationPolicy policy;
  policy.auto_confirm_evident = true;
  EXPECT_EQ(code_of([&] { Orienter o(sanctions(), policy); }), ErrorCode::human_decision_required);
  EXPECT_EQ(code_of([&] { Orienter o(orientation(), policy); }), ErrorCode::ok);
}

TEST(HumanDecisionRequired, AutoDecideIsRefused) {
  const Orienter o(sanctions());
  const Proposal p = o.propose(kFirstFailure, day("2025-07-03"));
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.status, Status::complete);
  EXPECT_EQ(code_of([&] { (void)o.auto_decide(p, "2025-07-20T09:00:00+02:00"); }),
            ErrorCode::human_decision_required);
}

TEST(HumanDecisionRequired, PolicyActorIsRefused) {
  const Orienter o(sanctions());
  const Proposal p = o.propose(kFirstFailure, day("2025-07-03"));
  const Hearing heard{"aucune observation reçue dans le délai de dix jours", "aucun motif invoqué"};
  EXPECT_EQ(code_of([&] {
              o.decide(p, "policy", Action::confirm, "", "2025-07-20T09:00:00+02:00", "", heard);
            }),
            ErrorCode::human_decision_required);
}

TEST(HumanDecisionRequired, HearingIsRequired) {
  const Orienter o(sanctions());
  const Proposal p = o.propose(kFirstFailure, day("2025-07-03"));
  const char* at = "2025-07-20T09:00:00+02:00";
  try {
    o.decide(p, "directeur_regional_france_travail", Action::confirm, "", at);
    FAIL() << "a decision without the person's observations was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(e.pointer(), "/hearing/observations");
  }
  try {
    o.decide(p, "directeur_regional_france_travail", Action::confirm, "", at, "",
             Hearing{"observations écrites reçues le 8 juillet 2025", " "});
    FAIL() << "a decision without the assessment of a legitimate reason was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(e.pointer(), "/hearing/legitimate_reason");
  }
}

TEST(HumanDecisionRequired, RecordKeepsTheHearing) {
  const Orienter o(sanctions());
  const Proposal p = o.propose(kFirstFailure, day("2025-07-03"));
  const Hearing heard{"observations écrites reçues le 8 juillet 2025 : garde d'enfant",
                      "motif examiné, non retenu : solution de garde proposée le 2 juin"};
  const OrientationDecision d =
      o.decide(p, "directeur_regional_france_travail", Action::override_outputs,
               "Suspension de 30 % pendant un mois, au vu des observations.",
               "2025-07-20T09:00:00+02:00", R"({"duree_max_mois": 1})", heard);
  const json dj = json::parse(decision_to_json(d));
  EXPECT_EQ(dj["decided_by"], "human");
  EXPECT_EQ(dj["hearing"]["observations"], heard.observations);
  EXPECT_EQ(dj["hearing"]["legitimate_reason"], heard.legitimate_reason);
  EXPECT_EQ(dj["outputs"]["duree_max_mois"], 1);
  EXPECT_EQ(dj["outputs"]["etape"], "suspension_remobilisation");

  DecisionRecordInput in;
  in.person_pseudonym = pseudonymise("a-demo-key-0123456789", "P-0042");
  in.recorded_at = "2025-07-20T09:00:02+02:00";
  const json r = json::parse(make_decision_record(sanctions(), p, d, in));
  EXPECT_EQ(r["decision"]["hearing"]["observations"], heard.observations);
  EXPECT_EQ(r["decision"]["hearing"]["legitimate_reason"], heard.legitimate_reason);

  OrientationDecision by_policy = d;
  by_policy.decided_by = DecidedBy::policy;
  EXPECT_EQ(code_of([&] { make_decision_record(sanctions(), p, by_policy, in); }),
            ErrorCode::human_decision_required);
}

TEST(HumanDecisionRequired, OrientationDecisionsKeepTheirText) {
  OrientationPolicy policy;
  policy.auto_confirm_evident = true;
  const Orienter o(orientation(), policy);
  const Proposal p = o.propose(
      R"({"birth_date": "1985-06-15", "rsa_beneficiary": false, "boe_status": "none",
          "in_employment": false, "months_since_last_activity": 6, "qualification_level": "bac",
          "has_certified_qualification": false, "aspiration": "rapid_return",
          "frein_sante": "none", "frein_logement": "none", "frein_mobilite": "none",
          "frein_garde_enfant": "none", "frein_proche_aidant": "none", "frein_financier": "none",
          "frein_administratif_juridique": "none", "frein_langue_savoirs_de_base": "none",
          "frein_numerique": "none", "frein_autre": "none", "requested_structure": "none",
          "last_job_is_cadre": false, "emergency": false, "territory": "75",
          "registration_date": "2025-02-20"})",
      day("2025-03-01"));
  ASSERT_TRUE(p.evident) << proposal_to_json(p, false);
  const auto d = o.auto_decide(p, "2025-03-01T10:00:00+01:00");
  ASSERT_TRUE(d);
  const std::string text = decision_to_json(*d);
  EXPECT_EQ(text.find("hearing"), std::string::npos) << text;
  DecisionRecordInput in;
  in.person_pseudonym = pseudonymise("a-demo-key-0123456789", "P-0001");
  in.recorded_at = "2025-03-01T10:00:01+01:00";
  EXPECT_EQ(make_decision_record(orientation(), p, *d, in).find("hearing"), std::string::npos);
}

TEST(HumanDecisionRequired, NoticeSpeaksOfTheDecisionEnvisagedAndTheRights) {
  const Orienter o(sanctions());
  const Proposal p = o.propose(kFirstFailure, day("2025-07-03"));
  const std::string fr = notice_text(sanctions(), p, nullptr, "fr");
  EXPECT_NE(fr.find("Information sur la décision envisagée à votre égard"), std::string::npos)
      << fr;
  EXPECT_NE(fr.find("qui seule décide"), std::string::npos) << fr;
  EXPECT_NE(fr.find("Points que l'autorité compétente doit apprécier"), std::string::npos) << fr;
  EXPECT_EQ(fr.find("entretien avec un conseiller"), std::string::npos) << fr;
  EXPECT_NE(fr.find("dans les dix jours qui suivent la réception"), std::string::npos) << fr;
  EXPECT_NE(fr.find("11/07/2025"), std::string::npos) << fr;  // the deadline for observations
  for (const char* item : {"1° ", "2° ", "3° ", "4° "}) EXPECT_NE(fr.find(item), std::string::npos);
  const std::string en = notice_text(sanctions(), p, nullptr, "en");
  EXPECT_NE(en.find("Information on the decision envisaged about you"), std::string::npos) << en;
  EXPECT_NE(en.find("within ten days of receiving"), std::string::npos) << en;

  const OrientationDecision d = o.decide(
      p, "directeur_regional_france_travail", Action::confirm, "", "2025-07-20T09:00:00+02:00", "",
      Hearing{"aucune observation reçue dans le délai", "aucun motif invoqué"});
  const std::string decided = notice_text(sanctions(), p, &d, "fr");
  EXPECT_NE(decided.find("Vos observations : aucune observation reçue dans le délai"),
            std::string::npos)
      << decided;
  EXPECT_NE(decided.find("Appréciation d'un motif légitime : aucun motif invoqué"),
            std::string::npos);
}

// Every shipped pack: each interpretation says what it interprets (a note), and the split is
// what `aiguillage check` prints.
TEST(Statuses, EveryInterpretationOfEveryShippedPackHasANote) {
  for (const char* dir : {"/rules/orientation/fr-2025", "/rules/eligibility/iae",
                          "/rules/eligibility/iae-2025-09", "/rules/sanctions/fr-2025"}) {
    const Pack pack = Pack::load_file(kSourceDir + dir);
    const StatusSplit split = status_split(pack);
    EXPECT_GT(split.total(), 0u) << dir;
    EXPECT_TRUE(split.interpretations_without_note.empty())
        << dir << ": " << split.interpretations_without_note.front();
  }
}

TEST(Statuses, SplitOfTheSanctionsPack) {
  const StatusSplit split = status_split(sanctions());
  std::size_t verified = 0, interpretation = 0;
  for (const Constraint& c : sanctions().constraints())
    (c.status == RuleStatus::verified ? verified : interpretation) += 1;
  for (const Variable& v : sanctions().variables())
    (v.status == RuleStatus::verified ? verified : interpretation) += 1;
  for (const Decision& d : sanctions().decisions()) {
    if (d.kind == Decision::Kind::expression)
      (d.status == RuleStatus::verified ? verified : interpretation) += 1;
    for (const Rule& r : d.rules)
      (r.status == RuleStatus::verified ? verified : interpretation) += 1;
  }
  EXPECT_EQ(split.verified, verified);
  EXPECT_EQ(split.interpretation, interpretation);
  EXPECT_NE(split.to_text().find(" verified ("), std::string::npos);
  const json j = json::parse(split.to_json());
  EXPECT_EQ(j["total"], verified + interpretation);
}

}  // namespace
}  // namespace aiguillage
