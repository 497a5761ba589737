#include "aiguillage/orientation/notice.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "aiguillage/core/version.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = AIG_SOURCE_DIR;
const std::string kMiniPackDir = kSourceDir + "/tests/orientation/data/mini-orientation";
const std::string kGoldenDir = kSourceDir + "/tests/golden/notices";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const Pack& mini_pack() {
  static const Pack pack = Pack::load_file(kMiniPackDir);
  return pack;
}

const Date kReference = *Date::parse("2025-03-01");

const char* kEvident =
    R"({"birth_date": "1985-06-10", "rsa_beneficiary": false, "boe_status": "none",
        "months_since_last_activity": 3, "frein_sante": "none", "aspiration": "rapid_return",
        "requested_structure": "none", "emergency": false, "territory": "75"})";
const char* kMissingActivity =
    R"({"birth_date": "2004-09-01", "rsa_beneficiary": false, "boe_status": "none",
        "frein_sante": "none", "aspiration": "project_to_build",
        "requested_structure": "mission_locale", "emergency": false})";
const char* kHealthWithoutBoe =
    R"({"birth_date": "1979-11-30", "rsa_beneficiary": true, "boe_status": "none",
        "months_since_last_activity": 40, "frein_sante": "medium", "aspiration": "project_to_build",
        "requested_structure": "none", "emergency": false})";

// The three situations a notice describes: confirmed by the deployment's policy, awaiting a
// counsellor, and changed by a counsellor.
enum class Scenario { policy, awaiting, override_outputs };

std::string notice_for(const Pack& pack, const std::string& person, Scenario scenario,
                       std::string_view lang, const std::string& override_outputs = {}) {
  Orienter orienter(pack, OrientationPolicy{scenario == Scenario::policy});
  Proposal p = orienter.propose(person, kReference);
  std::optional<OrientationDecision> d;
  if (scenario == Scenario::policy) {
    d = orienter.auto_decide(p, "2025-03-01T09:30:00Z");
    EXPECT_TRUE(d) << "the person is not an evident case";
  } else if (scenario == Scenario::override_outputs) {
    d = orienter.decide(p, "conseiller_france_travail", Action::override_outputs,
                        "Entretien du 3 mars : la personne est déjà accompagnée par la Mission "
                        "Locale de son quartier.",
                        "2025-03-03T14:00:00Z", override_outputs);
  }
  return notice_text(pack, p, d ? &*d : nullptr, lang);
}

void check_golden(const std::string& file, const std::string& text) {
  const std::string path = kGoldenDir + "/" + file;
  const char* update = std::getenv("AIG_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    fs::create_directories(kGoldenDir);
    std::ofstream(path, std::ios::binary) << text;
    GTEST_SKIP() << "wrote " << path;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with AIG_UPDATE_GOLDEN=1";
  EXPECT_EQ(read_text(path), text)
      << "the notice changed; if intended, regenerate with AIG_UPDATE_GOLDEN=1 and review the "
         "diff of "
      << path;
}

// --- golden files on the test pack ----------------------------------------------------------

struct Golden {
  const char* file;
  const char* person;
  Scenario scenario;
  const char* lang;
};

const char* kToMissionLocale =
    R"({"organisme_referent": "mission_locale", "decideur": "mission_locale"})";

class NoticeGolden : public ::testing::TestWithParam<Golden> {};

TEST_P(NoticeGolden, MatchesFile) {
  const Golden& g = GetParam();
  check_golden(g.file,
               notice_for(mini_pack(), g.person, g.scenario, g.lang,
                          g.scenario == Scenario::override_outputs ? kToMissionLocale : ""));
}

INSTANTIATE_TEST_SUITE_P(
    MiniOrientation, NoticeGolden,
    ::testing::Values(
        Golden{"evident-policy.fr.txt", kEvident, Scenario::policy, "fr"},
        Golden{"evident-policy.en.txt", kEvident, Scenario::policy, "en"},
        Golden{"review-awaiting.fr.txt", kMissingActivity, Scenario::awaiting, "fr"},
        Golden{"review-awaiting.en.txt", kMissingActivity, Scenario::awaiting, "en"},
        Golden{"override.fr.txt", kHealthWithoutBoe, Scenario::override_outputs, "fr"},
        Golden{"override.en.txt", kHealthWithoutBoe, Scenario::override_outputs, "en"}),
    [](const ::testing::TestParamInfo<Golden>& param_info) {
      std::string name = param_info.param.file;
      for (char& ch : name)
        if (ch == '.' || ch == '-') ch = '_';
      return name.substr(0, name.size() - 4);
    });

// --- content --------------------------------------------------------------------------------

TEST(NoticeText, CarriesTheExplicitMention) {
  const std::string fr = notice_for(mini_pack(), kEvident, Scenario::policy, "fr");
  EXPECT_TRUE(contains(fr,
                       "articles L. 311-3-1 et R. 311-3-1-1 du code des relations entre le "
                       "public et l'administration"));
  EXPECT_TRUE(contains(fr, "a été prise sur le fondement d'un traitement algorithmique."));
  EXPECT_TRUE(contains(fr, "Finalité du traitement : " + mini_pack().purpose() + "\n"));
  EXPECT_TRUE(contains(fr,
                       "le droit d'obtenir la communication des règles définissant ce "
                       "traitement et des principales caractéristiques de sa mise en œuvre"));
  EXPECT_TRUE(contains(fr, "auprès de l'organisme qui vous a notifié cette décision."));
  const std::string en = notice_for(mini_pack(), kEvident, Scenario::policy, "en");
  EXPECT_TRUE(contains(en, "was taken on the basis of an algorithmic processing."));
  EXPECT_TRUE(contains(en, "Purpose of the processing: " + mini_pack().purpose() + "\n"));
  EXPECT_TRUE(contains(en, "the body that notified you of this decision."));
}

TEST(NoticeText, HasTheFourItemsInOrderAndTheRights) {
  for (Scenario s : {Scenario::policy, Scenario::awaiting}) {
    const std::string fr =
        notice_for(mini_pack(), s == Scenario::policy ? kEvident : kMissingActivity, s, "fr");
    const std::vector<std::string> headings = {
        "article R. 311-3-1-2",
        "\n1° Degré et mode de contribution du traitement algorithmique à la décision\n",
        "\n2° Données traitées et leurs sources\n",
        "\n3° Paramètres du traitement appliqués à votre situation\n",
        "\n4° Opérations effectuées par le traitement\n",
        "\nVos droits\n",
        "article 22, paragraphe 3, du règlement (UE) 2016/679"};
    std::size_t at = 0;
    for (const std::string& h : headings) {
      const std::size_t found = fr.find(h, at);
      ASSERT_NE(found, std::string::npos) << h;
      at = found;
    }
  }
  const std::string en = notice_for(mini_pack(), kEvident, Scenario::policy, "en");
  for (const char* h :
       {"\n1° Degree and mode of contribution of the algorithmic processing to the decision\n",
        "\n2° Data processed and their sources\n",
        "\n3° Parameters of the processing applied to your situation\n",
        "\n4° Operations carried out by the processing\n", "\nYour rights\n",
        "article 22(3) of Regulation (EU) 2016/679"})
    EXPECT_TRUE(contains(en, h)) << h;
}

TEST(NoticeText, ContributionSaysWhoDecided) {
  const std::string policy = notice_for(mini_pack(), kEvident, Scenario::policy, "fr");
  EXPECT_TRUE(contains(policy, "la proposition a été confirmée automatiquement le 01/03/2025"));
  EXPECT_TRUE(contains(policy, "Aucun conseiller ne l'a examinée avant la décision."));

  const std::string awaiting = notice_for(mini_pack(), kMissingActivity, Scenario::awaiting, "fr");
  EXPECT_TRUE(contains(awaiting, "elle attend l'examen d'un conseiller"));
  EXPECT_TRUE(contains(awaiting,
                       "Informations à recueillir :\n    1. mois depuis la dernière "
                       "activité\n"));
  EXPECT_TRUE(contains(awaiting,
                       "- informations manquantes (données concernées : mois depuis la dernière "
                       "activité)\n"));
  EXPECT_TRUE(contains(awaiting, "Proposition, en attente d'un conseiller :\n"));
  EXPECT_TRUE(contains(awaiting, "sera prise sur le fondement d'un traitement algorithmique."));

  const std::string changed = notice_for(mini_pack(), kHealthWithoutBoe, Scenario::override_outputs,
                                         "fr", kToMissionLocale);
  EXPECT_TRUE(contains(changed,
                       "Un professionnel (fonction : conseiller france travail) a examiné "
                       "la proposition et l'a modifiée le 03/03/2025."));
  EXPECT_TRUE(
      contains(changed, "- organisme référent : mission locale au lieu de france travail\n"));
  EXPECT_TRUE(contains(changed,
                       "- auteur de la décision d'orientation : mission locale au lieu de "
                       "president conseil departemental\n"));
  EXPECT_TRUE(contains(changed, "Motif : Entretien du 3 mars"));
  EXPECT_TRUE(contains(changed,
                       "- Difficulté de santé sans reconnaissance de travailleur handicapé. "
                       "(données concernées : difficulté liée à la santé"));

  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kHealthWithoutBoe, kReference);
  OrientationDecision confirmed =
      orienter.decide(p, "president_conseil_departemental", Action::confirm, "", "2025-03-04");
  const std::string fr = notice_for(mini_pack(), kHealthWithoutBoe, Scenario::awaiting, "fr");
  const std::string text = notice_text(mini_pack(), p, &confirmed, "fr");
  EXPECT_TRUE(contains(text,
                       "(fonction : president conseil departemental) a examiné la "
                       "proposition et l'a confirmée le 04/03/2025."));
  EXPECT_FALSE(contains(text, "Modifications décidées"));
  OrientationDecision reoriented = orienter.decide(
      p, "referent_conseil_departemental", Action::reorient, "Diagnostic global.", "2025-04-20",
      R"({"parcours": "social", "organisme_referent": "conseil_departemental"})");
  const std::string en = notice_text(mini_pack(), p, &reoriented, "en");
  EXPECT_TRUE(contains(en, "changed the orientation after the diagnostic, on 2025-04-20."));
  EXPECT_TRUE(contains(en, "Changes decided by the counsellor after the diagnostic:\n"));
  EXPECT_TRUE(contains(en, "- pathway: social instead of socio professionnel\n"));
  EXPECT_TRUE(contains(en, "Reason: Diagnostic global.\n"));
}

TEST(NoticeText, DataWithValuesAndSources) {
  const std::string fr = notice_for(mini_pack(), kMissingActivity, Scenario::awaiting, "fr");
  EXPECT_TRUE(contains(fr, "- date de naissance : 01/09/2004 (déclaré par la personne)\n"));
  EXPECT_TRUE(contains(fr, "- bénéficiaire du RSA : non (dossier administratif)\n"));
  EXPECT_TRUE(contains(fr, "- situation d'urgence : non (saisi par le conseiller)\n"));
  EXPECT_TRUE(contains(fr, ": 01/03/2025 (contexte de la décision)\n"));
  EXPECT_TRUE(contains(fr, "Données non renseignées :\n    - mois depuis la dernière activité\n"));
  EXPECT_TRUE(contains(fr, "- âge : 20 (calculé à partir de : date de naissance, "));
  // An input no rule reads is not part of the data processed.
  const std::string evident = notice_for(mini_pack(), kEvident, Scenario::policy, "fr");
  EXPECT_FALSE(contains(evident, "département"));
  const std::string en = notice_for(mini_pack(), kMissingActivity, Scenario::awaiting, "en");
  EXPECT_TRUE(contains(en, "- birth date: 2004-09-01 (declared by the person)\n"));
  EXPECT_TRUE(contains(en, "- RSA beneficiary: no (administrative record)\n"));
}

TEST(NoticeText, ParametersNameRulesCellsAndSources) {
  const std::string fr = notice_for(mini_pack(), kEvident, Scenario::policy, "fr");
  EXPECT_TRUE(contains(fr,
                       "Règle appliquée : P5 - Activité récente et aucune difficulté : "
                       "parcours emploi.\n"));
  EXPECT_TRUE(contains(fr,
                       "- activité dans les 24 derniers mois : oui, condition de la règle : "
                       "oui\n"));
  EXPECT_TRUE(contains(fr, "Source : ARRETE-2024-11-21, règle vérifiée\n"));
  EXPECT_TRUE(contains(fr, "Source : CT-L5411-5-1, règle vérifiée\n"));
  EXPECT_TRUE(contains(fr, "Textes cités :\n"));
  EXPECT_TRUE(contains(fr, "- CT-L5411-5-1 : Code du travail, art. L5411-5-1"));
  EXPECT_TRUE(
      contains(fr, "Calcul : date augmentée de mois(« date de référence de la décision », 1)\n"));
  EXPECT_TRUE(
      contains(fr, "Résultat proposé : date limite du contrat d'engagement = 01/04/2025\n"));
  // The review table found nothing to examine.
  EXPECT_TRUE(contains(fr, "- points à examiner en entretien\n    Aucune règle ne s'applique.\n"));

  const std::string awaiting = notice_for(mini_pack(), kMissingActivity, Scenario::awaiting, "fr");
  EXPECT_TRUE(contains(awaiting, "Règle retenue pour l'instant : P7"));
  EXPECT_TRUE(contains(awaiting,
                       "Règles en attente d'une information :\n      - P5, manque : mois "
                       "depuis la dernière activité\n"));
  EXPECT_TRUE(contains(awaiting, "interprétation à confirmer par l'autorité compétente"));
}

TEST(NoticeText, OperationsInOrderWithVersions) {
  const std::string fr = notice_for(mini_pack(), kEvident, Scenario::policy, "fr");
  const std::vector<std::string> steps = {
      "1. Contrôle des données reçues",
      "Calcul de la donnée « activité dans les 24 derniers mois » : « mois depuis la dernière "
      "activité » <= 24.",
      "Table de décision « parcours proposé » : 7 règles, politique FIRST : la première règle "
      "remplie s'applique.",
      "Calcul de la donnée « âge » : années révolues entre(« date de naissance », « date de "
      "référence de la décision »).",
      "Table de décision « organisme référent proposé »",
      "Table de décision « points à examiner en entretien » : 6 règles, politique COLLECT : "
      "toutes les règles remplies.",
      "Confirmation automatique de la proposition",
      "Règles appliquées : tests/mini-orientation, version 0.1.0, empreinte " + mini_pack().hash() +
          ".",
      "Moteur de calcul : aiguillage " + std::string(engine_version()) + "."};
  std::size_t at = fr.find("4° Opérations");
  for (const std::string& s : steps) {
    const std::size_t found = fr.find(s, at);
    ASSERT_NE(found, std::string::npos) << s;
    at = found;
  }
  const std::string awaiting = notice_for(mini_pack(), kMissingActivity, Scenario::awaiting, "fr");
  EXPECT_TRUE(contains(awaiting, "Présentation de la proposition à un conseiller"));
  EXPECT_FALSE(contains(awaiting, "Confirmation automatique"));
}

TEST(NoticeText, RejectedPerson) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(R"({"boe_status": "xyz"})", kReference);
  const std::string fr = notice_text(mini_pack(), p, nullptr, "fr");
  EXPECT_TRUE(contains(fr, "Aucune proposition n'a pu être établie"));
  EXPECT_TRUE(contains(fr,
                       "- reconnaissance de travailleur handicapé : valeur hors de la liste "
                       "des valeurs autorisées (valeurs possibles : none, rqth, pending)\n"));
  EXPECT_TRUE(contains(fr, "Règles appliquées : tests/mini-orientation, version 0.1.0"));
  EXPECT_TRUE(contains(fr, "Vos droits\n"));
  EXPECT_FALSE(contains(fr, "1° "));
  const std::string en = notice_text(mini_pack(), p, nullptr, "en");
  EXPECT_TRUE(contains(en, "No proposal could be made"));
  EXPECT_TRUE(
      contains(en, "- disabled worker recognition: value outside the list of allowed values"));
}

TEST(NoticeText, NeedsTheEvaluation) {
  Orienter orienter(mini_pack());
  Proposal p = orienter.propose(kEvident, kReference);
  Proposal bare;
  bare.outputs_json = p.outputs_json;
  bare.pack_hash = p.pack_hash;
  EXPECT_THROW(notice_text(mini_pack(), bare, nullptr, "fr"), Error);
}

TEST(NoticeText, DeterministicAndTidy) {
  for (const char* person : {kEvident, kMissingActivity, kHealthWithoutBoe})
    for (const char* lang : {"fr", "en"}) {
      const std::string a = notice_for(mini_pack(), person, Scenario::awaiting, lang);
      EXPECT_EQ(a, notice_for(mini_pack(), person, Scenario::awaiting, lang));
      ASSERT_FALSE(a.empty());
      EXPECT_EQ(a.back(), '\n');
      EXPECT_FALSE(contains(a, " \n")) << lang;
      EXPECT_FALSE(contains(a, "\t"));
      EXPECT_FALSE(contains(a, "\n\n\n"));
    }
  // Another language is refused rather than answered in French.
  EXPECT_THROW(notice_for(mini_pack(), kEvident, Scenario::awaiting, "de"), Error);
}

// --- the real orientation pack ---------------------------------------------------------------

const std::string kRealPackDir = kSourceDir + "/rules/orientation/fr-2025";

// Recently active, qualified, no barrier: evident.
const char* kRealEvident =
    R"({"birth_date": "1986-04-12", "rsa_beneficiary": false, "boe_status": "none",
        "in_employment": false, "months_since_last_activity": 4,
        "qualification_level": "bac_plus_2", "has_certified_qualification": true,
        "aspiration": "rapid_return", "frein_sante": "none", "frein_logement": "none",
        "frein_mobilite": "none", "frein_garde_enfant": "none", "frein_proche_aidant": "none",
        "frein_financier": "none", "frein_administratif_juridique": "none",
        "frein_langue_savoirs_de_base": "none", "frein_numerique": "none",
        "frein_autre": "none", "requested_structure": "none", "last_job_is_cadre": false,
        "emergency": false, "territory": "69", "registration_date": "2025-02-24"})";
// RSA beneficiary aged 21 with barriers, two of them unknown: a review with questions.
const char* kRealReview =
    R"({"birth_date": "2003-07-08", "rsa_beneficiary": true, "boe_status": "none",
        "in_employment": false, "qualification_level": "none",
        "has_certified_qualification": false, "aspiration": "project_to_build",
        "frein_sante": "none", "frein_mobilite": "medium", "frein_garde_enfant": "none",
        "frein_proche_aidant": "none", "frein_financier": "medium",
        "frein_administratif_juridique": "none", "frein_langue_savoirs_de_base": "none",
        "frein_autre": "none", "requested_structure": "mission_locale", "emergency": false,
        "territory": "93", "registration_date": "2025-02-20"})";
// Aged 23, evident for France Travail; the counsellor sends them to the Mission Locale.
const char* kRealYoung =
    R"({"birth_date": "2001-10-02", "rsa_beneficiary": false, "boe_status": "none",
        "in_employment": false, "months_since_last_activity": 8, "qualification_level": "bac",
        "has_certified_qualification": true, "aspiration": "rapid_return",
        "frein_sante": "none", "frein_logement": "none", "frein_mobilite": "none",
        "frein_garde_enfant": "none", "frein_proche_aidant": "none", "frein_financier": "none",
        "frein_administratif_juridique": "none", "frein_langue_savoirs_de_base": "none",
        "frein_numerique": "none", "frein_autre": "none", "requested_structure": "none",
        "last_job_is_cadre": false, "emergency": false, "territory": "2A",
        "registration_date": "2025-02-27"})";

class RealPackNoticeGolden : public ::testing::TestWithParam<Golden> {};

TEST_P(RealPackNoticeGolden, MatchesFile) {
  ASSERT_TRUE(fs::exists(kRealPackDir + "/pack.json"))
      << "the pack ships in the repository: " << kRealPackDir;
  static const Pack pack = Pack::load_file(kRealPackDir);
  const Golden& g = GetParam();
  check_golden(g.file,
               notice_for(pack, g.person, g.scenario, g.lang,
                          g.scenario == Scenario::override_outputs ? kToMissionLocale : ""));
}

INSTANTIATE_TEST_SUITE_P(FrOrientation2025, RealPackNoticeGolden,
                         ::testing::Values(Golden{"fr-2025-evident-policy.fr.txt", kRealEvident,
                                                  Scenario::policy, "fr"},
                                           Golden{"fr-2025-review-awaiting.fr.txt", kRealReview,
                                                  Scenario::awaiting, "fr"},
                                           Golden{"fr-2025-override.fr.txt", kRealYoung,
                                                  Scenario::override_outputs, "fr"}),
                         [](const ::testing::TestParamInfo<Golden>& param_info) {
                           std::string name = param_info.param.file;
                           for (char& ch : name)
                             if (ch == '.' || ch == '-') ch = '_';
                           return name.substr(0, name.size() - 4);
                         });

}  // namespace
}  // namespace aiguillage
