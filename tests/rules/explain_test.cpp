#include "aiguillage/rules/explain.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aiguillage/core/version.hpp"
#include "aiguillage/rules/analysis.hpp"
#include "aiguillage/rules/test_cases.hpp"

namespace aiguillage {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kSourceDir = AIG_SOURCE_DIR;
const std::string kPackDir = kSourceDir + "/rules/examples/youth-guidance";
const std::string kGoldenDir = kSourceDir + "/tests/golden/explain";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Pack& youth_pack() {
  static const Pack pack = Pack::load_file(kPackDir);
  return pack;
}

// A case of the pack's own test file, so that goldens and pack tests share their inputs.
json pack_case(const std::string& name) {
  json doc = json::parse(read_text(kPackDir + "/tests/cases.json"));
  for (const json& c : doc["cases"])
    if (c["name"] == name) return c;
  ADD_FAILURE() << "no test case " << name << " in " << kPackDir;
  return json::object();
}

std::string explain_case(const std::string& name, std::string_view lang,
                         Evaluation* out = nullptr) {
  json c = pack_case(name);
  Evaluator evaluator(youth_pack());
  Evaluation local;
  Evaluation& e = out ? *out : local;
  EvalOptions options;
  options.reference_date = Date::parse(c.value("reference_date", std::string()));
  evaluator.evaluate_json(c["input"].dump(), e, options);
  return explain_text(youth_pack(), e, lang);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// --- golden files ---------------------------------------------------------------------------

struct Golden {
  const char* file;
  const char* test_case;
  const char* lang;
};

class ExplainGolden : public ::testing::TestWithParam<Golden> {};

TEST_P(ExplainGolden, MatchesFile) {
  const Golden& g = GetParam();
  const std::string text = explain_case(g.test_case, g.lang);
  const std::string path = kGoldenDir + "/" + g.file;
  const char* update = std::getenv("AIG_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    fs::create_directories(kGoldenDir);
    std::ofstream(path, std::ios::binary) << text;
    GTEST_SKIP() << "wrote " << path;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with AIG_UPDATE_GOLDEN=1";
  EXPECT_EQ(read_text(path), text)
      << "the explanation changed; if intended, regenerate with AIG_UPDATE_GOLDEN=1 and review "
         "the diff of "
      << path;
}

INSTANTIATE_TEST_SUITE_P(
    YouthGuidance, ExplainGolden,
    ::testing::Values(Golden{"complete.fr.txt", "jeune-20-ans-demande-mission-locale", "fr"},
                      Golden{"complete.en.txt", "jeune-20-ans-demande-mission-locale", "en"},
                      Golden{"incomplete.fr.txt", "date-de-naissance-manquante", "fr"},
                      Golden{"incomplete.en.txt", "date-de-naissance-manquante", "en"},
                      Golden{"provisional.fr.txt", "rsa-duree-sans-activite-manquante", "fr"},
                      Golden{"provisional.en.txt", "rsa-duree-sans-activite-manquante", "en"},
                      Golden{"rejected.fr.txt", "valeur-hors-liste-rejetee", "fr"},
                      Golden{"rejected.en.txt", "valeur-hors-liste-rejetee", "en"}),
    [](const ::testing::TestParamInfo<Golden>& param_info) {
      std::string name = param_info.param.file;
      for (char& ch : name)
        if (ch == '.') ch = '_';
      return name.substr(0, name.size() - 4);
    });

// --- content --------------------------------------------------------------------------------

TEST(ExplainText, SaysWhichRuleFiredAndWhyOthersDidNot) {
  const std::string fr = explain_case("jeune-20-ans-demande-mission-locale", "fr");
  EXPECT_TRUE(contains(fr, "Règle appliquée : O4\n"));
  EXPECT_TRUE(contains(fr, "- âge = 20 satisfait [16..25]\n"));
  EXPECT_TRUE(contains(fr, "- O1 écartée : bénéficiaire du RSA = non ne satisfait pas oui\n"));
  EXPECT_TRUE(
      contains(fr, "- O6 remplie mais non retenue : la règle O4 passe avant (politique FIRST)\n"));
  EXPECT_TRUE(contains(fr, "Source : CT-L5411-5-1, règle vérifiée\n"));
  EXPECT_TRUE(contains(fr, "- organisme référent = Mission Locale\n"));

  const std::string en = explain_case("jeune-20-ans-demande-mission-locale", "en");
  EXPECT_TRUE(contains(en, "Rule applied: O4\n"));
  EXPECT_TRUE(contains(en, "- O1 rejected: RSA beneficiary = no does not satisfy yes\n"));
  EXPECT_TRUE(contains(en, "- O6 matched but not selected: rule O4 comes first (FIRST policy)\n"));
}

TEST(ExplainText, RejectionNamesTheColumnValueAndCell) {
  const std::string fr = explain_case("age-26-anniversaire-le-jour-meme", "fr");
  EXPECT_TRUE(contains(fr, "- O4 écartée : âge = 26 ne satisfait pas [16..25]\n"));
  EXPECT_TRUE(contains(fr, "- C2 écartée : âge = 26 ne satisfait pas [16..25]\n"));
  EXPECT_TRUE(contains(fr, "Règle appliquée : C4\n"));
  const std::string en = explain_case("age-26-anniversaire-le-jour-meme", "en");
  EXPECT_TRUE(contains(en, "- O4 rejected: age = 26 does not satisfy [16..25]\n"));
}

TEST(ExplainText, IncompleteListsQuestionsAndUnknownColumns) {
  Evaluation e;
  const std::string fr = explain_case("date-de-naissance-manquante", "fr", &e);
  ASSERT_EQ(e.status, Status::incomplete);
  EXPECT_TRUE(contains(fr, "Résultat : incomplet, il manque des informations.\n"));
  EXPECT_TRUE(contains(fr, "Questions à poser :\n  1. date de naissance\n"));
  EXPECT_TRUE(contains(fr, "- O6 indéterminée : âge inconnu (manque : date de naissance)\n"));
  EXPECT_TRUE(contains(fr, "Données non renseignées :\n  - date de naissance\n"));
  const std::string en = explain_case("date-de-naissance-manquante", "en");
  EXPECT_TRUE(contains(en, "Questions to ask:\n  1. birth date\n"));
  EXPECT_TRUE(contains(en, "- O6 undecided: age unknown (missing: birth date)\n"));
}

TEST(ExplainText, ProvisionalRuleUnderFirst) {
  const std::string fr = explain_case("rsa-duree-sans-activite-manquante", "fr");
  EXPECT_TRUE(contains(fr, "Règle retenue pour l'instant : O2\n"));
  EXPECT_TRUE(contains(fr, "1. mois depuis la dernière activité\n"));
  EXPECT_TRUE(contains(fr,
                       "- O1 indéterminée : mois sans activité inconnu (manque : mois depuis la "
                       "dernière activité)\n"));
}

TEST(ExplainText, RejectedRecordShowsTheErrorOnly) {
  const std::string fr = explain_case("valeur-hors-liste-rejetee", "fr");
  EXPECT_TRUE(contains(fr, "Résultat : erreur, la demande n'a pas pu être traitée.\n"));
  EXPECT_TRUE(contains(fr, "- reconnaissance de travailleur handicapé : valeur hors"));
  EXPECT_TRUE(contains(fr, "valeur hors de la liste des valeurs autorisées (valeurs possibles : "));
  EXPECT_FALSE(contains(fr, "Décision 1"));
  EXPECT_FALSE(contains(fr, "Données utilisées"));
}

TEST(ExplainText, DataWithSourcesAndDatesPerLanguage) {
  const std::string fr = explain_case("jeune-20-ans-demande-mission-locale", "fr");
  EXPECT_TRUE(contains(fr, "- date de naissance : 15/01/2005 (déclaré par la personne)\n"));
  EXPECT_TRUE(contains(fr, "- bénéficiaire du RSA : non (dossier administratif)\n"));
  EXPECT_TRUE(contains(fr, ": 01/03/2025 (contexte de la décision)\n"));
  EXPECT_TRUE(
      contains(fr,
               "- âge = 20, calculé par années révolues entre(« date de naissance », « date de "
               "référence de la décision »)\n"));
  EXPECT_TRUE(contains(fr, "date limite du contrat d'engagement = 01/04/2025\n"));
  EXPECT_TRUE(
      contains(fr, "Calcul : date augmentée de mois(« date de référence de la décision », 1)\n"));
  const std::string en = explain_case("jeune-20-ans-demande-mission-locale", "en");
  EXPECT_TRUE(contains(en, "- birth date: 2005-01-15 (declared by the person)\n"));
  EXPECT_TRUE(contains(en, "- RSA beneficiary: no (administrative record)\n"));
  EXPECT_TRUE(contains(en, "commitment contract deadline = 2025-04-01\n"));
}

TEST(ExplainText, HeaderIdentifiesPackAndEngine) {
  const std::string fr = explain_case("adulte-sans-situation-particuliere", "fr");
  EXPECT_TRUE(contains(fr, "Référence : examples/youth-guidance, version 1.0.0\n"));
  EXPECT_TRUE(contains(fr, "Empreinte : " + youth_pack().hash() + "\n"));
  EXPECT_TRUE(contains(fr, "Moteur : aiguillage " + std::string(engine_version()) + "\n"));
  EXPECT_TRUE(contains(fr, "Sources citées :\n"));
  EXPECT_TRUE(contains(fr, "- DECRET-2024-1244 : Décret n° 2024-1244"));
}

TEST(ExplainText, DeterministicAndTidy) {
  for (const char* name : {"jeune-20-ans-demande-mission-locale", "date-de-naissance-manquante",
                           "valeur-hors-liste-rejetee", "age-27-avec-rqth"})
    for (const char* lang : {"fr", "en"}) {
      const std::string a = explain_case(name, lang);
      EXPECT_EQ(a, explain_case(name, lang));
      ASSERT_FALSE(a.empty());
      EXPECT_EQ(a.back(), '\n');
      EXPECT_FALSE(contains(a, " \n")) << name << " " << lang;
      EXPECT_FALSE(contains(a, "\t"));
      EXPECT_FALSE(contains(a, "\n\n\n"));
    }
}

TEST(ExplainText, UnknownLanguageIsRefused) {
  // Answering a German request in French would pass for an answer: refused instead.
  EXPECT_THROW(explain_case("age-27-avec-rqth", "de"), aiguillage::Error);
}

// A pack outside the example: other hit policies, a column that is an expression, a general
// cell, labels missing, and a broken UNIQUE.
const char* kOtherPack = R"json({
  "schema": "aiguillage.ruleset", "schema_version": "1.0",
  "id": "test/explain", "version": "0.1.0", "valid_from": "2000-01-01", "title": "Test",
  "sources": [{"id": "S", "title": "Source S"}],
  "inputs": [
    {"name": "n", "type": "integer", "source_kind": "counsellor"},
    {"name": "mail", "type": "string"},
    {"name": "d", "type": "date"}
  ],
  "decisions": [
    {"id": "points", "hit_policy": "COLLECT SUM",
     "inputs": [{"expression": "n * 2"}, {"expression": "mail"}],
     "outputs": [{"name": "points", "type": "integer"}],
     "rules": [
       {"id": "P1", "when": ["> 10", "-"], "then": ["1"], "source": "S", "status": "verified"},
       {"id": "P2", "when": ["-", "ends_with($, '@example.org')"], "then": ["2"], "source": "S", "status": "interpretation"
},
       {"id": "P3", "when": ["< 0", "-"], "then": ["4"], "source": "S", "status": "verified"}]
},
    {"id": "clash", "hit_policy": "UNIQUE",
     "inputs": [{"expression": "n"}],
     "outputs": [{"name": "level", "type": "enum", "values": ["high", "low"]}],
     "rules": [
       {"id": "U1", "when": [">= 0"], "then": ["\"high\""], "source": "S", "status": "verified"},
       {"id": "U2", "when": ["[0..100]"], "then": ["\"low\""], "source": "S", "status": "verified"}]},
    {"id": "rank", "hit_policy": "PRIORITY",
     "inputs": [{"expression": "d"}],
     "outputs": [{"name": "rank", "type": "enum", "values": ["a", "b"]}],
     "rules": [
       {"id": "K1", "when": ["-"], "then": ["\"b\""], "source": "S", "status": "verified"},
       {"id": "K2", "when": ["< date(\"2020-01-01\")"], "then": ["\"a\""], "source": "S", "status": "verified"}]}
  ]
})json";

TEST(ExplainText, OtherPoliciesExpressionsAndErrors) {
  Pack pack = Pack::load(kOtherPack);
  Evaluator evaluator(pack);
  Evaluation e;
  EvalOptions options;
  options.reference_date = Date::parse("2024-06-01");
  ASSERT_TRUE(evaluator.evaluate_json(R"({"n": 7, "mail": "a@example.org", "d": "2019-12-31"})", e,
                                      options));
  const std::string fr = explain_text(pack, e, "fr");
  // COLLECT SUM: both matching rules applied; the column is an expression, named by its text.
  EXPECT_TRUE(contains(fr, "- n : 7 (saisi par le conseiller)\n"));
  EXPECT_TRUE(contains(fr, "Règle appliquée : P1\n"));
  EXPECT_TRUE(contains(fr, "- n * 2 = 14 satisfait > 10\n"));
  EXPECT_TRUE(
      contains(fr, "- mail = a@example.org satisfait se termine par(« mail », '@example.org')\n"));
  EXPECT_TRUE(contains(fr, "- P3 écartée : n * 2 = 14 ne satisfait pas < 0\n"));
  EXPECT_TRUE(contains(fr, "- points = 3\n"));
  // UNIQUE broken: the decision is in error and names the rules.
  EXPECT_EQ(e.status, Status::error);
  EXPECT_TRUE(contains(fr, "État : erreur : "));
  EXPECT_TRUE(contains(fr, "Règle remplie : U1\n"));
  EXPECT_TRUE(
      contains(fr, "règles contradictoires : la situation doit être examinée par un conseiller\n"));
  // PRIORITY: the rule with the higher-priority result wins over an earlier one.
  EXPECT_TRUE(contains(fr, "Règle appliquée : K2\n"));
  EXPECT_TRUE(
      contains(fr, "- K1 remplie mais non retenue : la règle K2 a un résultat plus prioritaire"));
  EXPECT_TRUE(contains(fr, "- d = 31/12/2019 satisfait < date(« 2020-01-01 »)\n"));
  const std::string en = explain_text(pack, e, "en");
  EXPECT_TRUE(contains(en, "- d = 2019-12-31 satisfies < date(\"2020-01-01\")\n"));
  EXPECT_TRUE(contains(en, "- K1 matched but not selected: rule K2 has a higher-priority result"));
}

TEST(ExplainText, NoReferenceDateStopsBeforeTheDecisions) {
  Evaluator evaluator(youth_pack());
  Evaluation e;
  ASSERT_TRUE(evaluator.evaluate_json(R"({"birth_date": "2005-01-15"})", e));
  ASSERT_EQ(e.status, Status::error);
  const std::string fr = explain_text(youth_pack(), e, "fr");
  EXPECT_TRUE(contains(fr, "date de référence manquante\n"));
  EXPECT_TRUE(contains(fr, "État : non évaluée à cause d'une erreur en amont.\n"));
}

// --- the example pack itself ----------------------------------------------------------------

TEST(YouthGuidancePack, EveryCasePassesAndEveryRuleIsCovered) {
  TestRun run = run_test_dir(youth_pack(), kPackDir);
  EXPECT_EQ(run.failed, 0u) << run.to_text();
  EXPECT_GE(run.passed, 15u);
  EXPECT_TRUE(run.uncovered.empty()) << run.to_text();
  EXPECT_GE(run.rules, 8u);
  EXPECT_LE(run.rules, 15u);
}

TEST(YouthGuidancePack, StaticCheckFindsNoError) {
  CheckReport report = check_pack(youth_pack());
  EXPECT_EQ(report.errors(), 0u) << report.to_text();
}

TEST(YouthGuidancePack, EveryRuleCitesADeclaredSourceAndSaysWhy) {
  const Pack& pack = youth_pack();
  for (const Decision& d : pack.decisions()) {
    if (d.kind == Decision::Kind::expression) {
      EXPECT_FALSE(d.source.empty()) << d.id;
      continue;
    }
    for (const Rule& r : d.rules) {
      EXPECT_FALSE(r.source.empty()) << d.id << "/" << r.id;
      EXPECT_FALSE(r.description.empty()) << d.id << "/" << r.id;
    }
  }
}

TEST(YouthGuidancePack, AgeIsInCompletedYears) {
  Evaluator evaluator(youth_pack());
  Evaluation e;
  EvalOptions options;
  options.reference_date = Date::parse("2025-03-01");
  const int age = youth_pack().slot_of("age");
  for (auto [birth, years] : std::vector<std::pair<const char*, int>>{
           {"2009-03-02", 15}, {"2009-03-01", 16}, {"1999-03-02", 25}, {"1999-03-01", 26}}) {
    ASSERT_TRUE(
        evaluator.evaluate_json(std::string(R"({"birth_date": ")") + birth + "\"}", e, options));
    EXPECT_EQ(e.frame[static_cast<std::size_t>(age)].as_int(), years) << birth;
  }
}

}  // namespace
}  // namespace aiguillage
