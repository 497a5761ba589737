#include "aiguillage/matching/offer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/schema_checker.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = AIG_SOURCE_DIR;

const Referential& subset() {
  static const Referential r = Referential::load((kSource / "data/rome-subset").string());
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const test::SchemaChecker& offer_schema() {
  static const test::SchemaChecker s(
      json::parse(slurp(kSource / "rules/schemas/aiguillage.offer.schema.json")));
  return s;
}

Error parse_error(const std::string& text) {
  try {
    parse_offer(text, subset());
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error for " << text;
  return Error(ErrorCode::ok, "");
}

// A response of the offres-v2 API, fields as it sends them, several the loader does not use.
const char* kApiOffer = R"({
  "id": "199ABCD",
  "intitule": "Préparateur de commandes H/F",
  "description": "Au sein d'un entrepôt ...",
  "dateCreation": "2025-09-12T10:15:02.000Z",
  "lieuTravail": {"libelle": "59 - LILLE", "latitude": 50.6292, "longitude": 3.0573,
                  "codePostal": "59000", "commune": "59350"},
  "romeCode": "N1103",
  "romeLibelle": "Préparateur / Préparatrice de commandes",
  "appellationlibelle": "Préparateur / Préparatrice de commandes",
  "entreprise": {"nom": "LOGI NORD", "entrepriseAdaptee": false},
  "typeContrat": "MIS",
  "typeContratLibelle": "Mission intérimaire - 3 Mois",
  "natureContrat": "Contrat travail",
  "experienceExige": "E",
  "experienceLibelle": "6 Mois",
  "formations": [{"codeFormation": "31811", "domaineLibelle": "Magasinage",
                  "niveauLibelle": "CAP, BEP et équivalents", "exigence": "S"}],
  "langues": [{"libelle": "Anglais", "exigence": "S"}],
  "permis": [{"libelle": "B - Véhicule léger", "exigence": "E"}],
  "competences": [
    {"code": "110036", "libelle": "Réaliser le prélèvement de produits", "exigence": "E"},
    {"code": "999001", "libelle": "Ancienne compétence", "exigence": "S"},
    {"libelle": "Sans code", "exigence": "S"}],
  "salaire": {"libelle": "Horaire de 11.88 Euros sur 12 mois"},
  "dureeTravailLibelle": "35H Horaires normaux",
  "dureeTravailLibelleConverti": "Temps plein",
  "alternance": false,
  "nombrePostes": 3,
  "accessibleTH": true,
  "qualificationCode": "6",
  "origineOffre": {"origine": "1", "urlOrigine": "https://example.org/offre/199ABCD"}
})";

TEST(OfferTest, ReadsAnApiResponseAsItIs) {
  Offer o = parse_offer(kApiOffer, subset());
  EXPECT_EQ(o.id, "199ABCD");
  EXPECT_EQ(o.title, "Préparateur de commandes H/F");
  EXPECT_EQ(o.rome_code, "N1103");
  EXPECT_EQ(o.occupation, subset().find_occupation("N1103"));
  ASSERT_NE(o.occupation, kNoId);
  ASSERT_EQ(o.competences.size(), 3u);
  EXPECT_EQ(o.competences[0].requirement, Requirement::required);
  EXPECT_EQ(o.competences[1].requirement, Requirement::desired);
  EXPECT_EQ(o.competences[1].item, kNoId);
  ASSERT_EQ(o.formations.size(), 1u);
  EXPECT_EQ(o.formations[0].level, 3);
  EXPECT_EQ(o.formations[0].requirement, Requirement::desired);
  ASSERT_EQ(o.licences.size(), 1u);
  EXPECT_EQ(o.licences[0].label, "B - Véhicule léger");
  EXPECT_EQ(o.licences[0].requirement, Requirement::required);
  ASSERT_EQ(o.languages.size(), 1u);
  EXPECT_EQ(o.experience, ExperienceRequirement::required);
  EXPECT_EQ(o.experience_months, 6);
  ASSERT_TRUE(o.place.latitude.has_value());
  EXPECT_DOUBLE_EQ(*o.place.latitude, 50.6292);
  EXPECT_EQ(o.place.postal_code, "59000");
  EXPECT_EQ(o.contract_type, "MIS");
  EXPECT_EQ(o.working_time, WorkingTime::full_time);
  EXPECT_TRUE(o.accessible_th);
  EXPECT_FALSE(o.alternance);
  EXPECT_EQ(o.positions, 3u);
  // The two competences the referential cannot resolve are kept and reported.
  ASSERT_EQ(o.unknown.size(), 2u);
  EXPECT_EQ(o.unknown[0].pointer, "/competences/1/code");
  EXPECT_EQ(o.unknown[0].code, "999001");
  EXPECT_EQ(o.unknown[1].pointer, "/competences/2/code");
  EXPECT_EQ(o.unknown[1].code, "");
}

TEST(OfferTest, CompetenceCodesResolveAgainstTheReferential) {
  Offer o = parse_offer(kApiOffer, subset());
  ItemId id = subset().find_item("110036");
  EXPECT_EQ(o.competences[0].item, id);
  EXPECT_NE(id, kNoId);
}

TEST(OfferTest, DocumentFormIsStrictAboutItsFields) {
  json doc = json::parse(kApiOffer);
  for (const char* extra : {"description", "dateCreation", "entreprise", "typeContratLibelle",
                            "natureContrat", "salaire", "qualificationCode", "origineOffre"})
    doc.erase(extra);
  doc["schema"] = "aiguillage.offer";
  doc["schema_version"] = "1.0";
  Offer o = parse_offer(doc.dump(), subset());
  EXPECT_EQ(o.id, "199ABCD");
  EXPECT_EQ(offer_schema().validate(doc), std::vector<std::string>{});

  json typo = doc;
  typo["romecode"] = "N1103";
  Error e = parse_error(typo.dump());
  EXPECT_EQ(e.code(), ErrorCode::unknown_field);
  EXPECT_EQ(e.pointer(), "/romecode");
  EXPECT_FALSE(offer_schema().validate(typo).empty());

  json nested = doc;
  nested["lieuTravail"]["ville"] = "Lille";
  e = parse_error(nested.dump());
  EXPECT_EQ(e.code(), ErrorCode::unknown_field);
  EXPECT_EQ(e.pointer(), "/lieuTravail/ville");

  json other = doc;
  other["schema"] = "aiguillage.profile";
  EXPECT_EQ(parse_error(other.dump()).code(), ErrorCode::schema_mismatch);
  other = doc;
  other["schema_version"] = "2.0";
  EXPECT_EQ(parse_error(other.dump()).code(), ErrorCode::schema_version_too_new);
  // A later minor version may carry fields this engine does not know.
  other = doc;
  other["schema_version"] = "1.3";
  other["salaire"] = {{"libelle", "SMIC"}};
  EXPECT_EQ(parse_offer(other.dump(), subset()).id, "199ABCD");
}

// Each bad document: the pinned code and the JSON pointer of the fault, and the schema refuses
// it too (when the fault is one a schema can express).
TEST(OfferTest, BadFieldsHavePinnedCodesAndPointers) {
  struct Case {
    std::function<void(json&)> edit;
    ErrorCode code;
    std::string pointer;
  } cases[] = {
      {[](json& d) { d.erase("id"); }, ErrorCode::required_missing, "/id"},
      {[](json& d) { d["id"] = 12; }, ErrorCode::type_mismatch, "/id"},
      {[](json& d) { d["romeCode"] = 1103; }, ErrorCode::type_mismatch, "/romeCode"},
      {[](json& d) { d["competences"] = "110036"; }, ErrorCode::invalid_document, "/competences"},
      {[](json& d) { d["competences"][0]["exigence"] = "X"; }, ErrorCode::enum_value,
       "/competences/0/exigence"},
      {[](json& d) { d["competences"][1] = 5; }, ErrorCode::invalid_document, "/competences/1"},
      {[](json& d) { d["formations"][0]["niveauLibelle"] = 3; }, ErrorCode::type_mismatch,
       "/formations/0/niveauLibelle"},
      {[](json& d) { d["permis"][0].erase("libelle"); }, ErrorCode::required_missing,
       "/permis/0/libelle"},
      {[](json& d) { d["langues"][0]["exigence"] = true; }, ErrorCode::type_mismatch,
       "/langues/0/exigence"},
      {[](json& d) { d["experienceExige"] = "Y"; }, ErrorCode::enum_value, "/experienceExige"},
      {[](json& d) { d["lieuTravail"]["latitude"] = 123.0; }, ErrorCode::out_of_bounds,
       "/lieuTravail/latitude"},
      {[](json& d) { d["lieuTravail"]["longitude"] = "3.05"; }, ErrorCode::type_mismatch,
       "/lieuTravail/longitude"},
      {[](json& d) { d["lieuTravail"].erase("longitude"); }, ErrorCode::required_missing,
       "/lieuTravail/longitude"},
      {[](json& d) { d["lieuTravail"] = json::array(); }, ErrorCode::invalid_document,
       "/lieuTravail"},
      {[](json& d) { d["accessibleTH"] = "oui"; }, ErrorCode::type_mismatch, "/accessibleTH"},
      {[](json& d) { d["nombrePostes"] = 0; }, ErrorCode::out_of_bounds, "/nombrePostes"},
      {[](json& d) { d["nombrePostes"] = 1.5; }, ErrorCode::type_mismatch, "/nombrePostes"},
      {[](json& d) {
         d["competences"] = json::array();
         for (int k = 0; k < 1001; ++k) d["competences"].push_back({{"code", "1"}});
       },
       ErrorCode::too_many_items, "/competences"},
  };
  json base = json::parse(kApiOffer);
  for (const auto& c : cases) {
    json d = base;
    c.edit(d);
    Error e = parse_error(d.dump());
    EXPECT_EQ(e.code(), c.code) << c.pointer << ": " << e.describe();
    EXPECT_EQ(e.pointer(), c.pointer) << e.describe();
  }
  EXPECT_EQ(parse_error("{\"id\": ").code(), ErrorCode::json_syntax);
  EXPECT_EQ(parse_error("[1, 2]").code(), ErrorCode::invalid_document);
}

TEST(OfferTest, NullsCountAsAbsent) {
  Offer o = parse_offer(
      R"({"id": "X1", "romeCode": null, "competences": null, "lieuTravail": null,
          "experienceExige": null, "accessibleTH": null, "nombrePostes": null})",
      subset());
  EXPECT_EQ(o.occupation, kNoId);
  EXPECT_TRUE(o.unknown.empty());
  EXPECT_EQ(o.positions, 1u);
  EXPECT_EQ(o.experience, ExperienceRequirement::beginner_accepted);
}

TEST(OfferTest, FormationLevelsAndExperienceMonths) {
  EXPECT_EQ(formation_level("CAP, BEP et équivalents"), 3);
  EXPECT_EQ(formation_level("Bac ou équivalent"), 4);
  EXPECT_EQ(formation_level("Bac+2 ou équivalents"), 5);
  EXPECT_EQ(formation_level("Bac + 3, Bac + 4 ou équivalents"), 6);
  EXPECT_EQ(formation_level("Bac+5 et plus ou équivalents"), 7);
  EXPECT_EQ(formation_level("Doctorat"), 8);
  EXPECT_EQ(formation_level("Sans diplôme"), 0);
  auto months = [](const char* label) {
    json d = {{"id", "X"}, {"experienceLibelle", label}};
    return parse_offer(d.dump(), subset()).experience_months;
  };
  EXPECT_EQ(months("2 An(s)"), 24);
  EXPECT_EQ(months("3 ans"), 36);
  EXPECT_EQ(months("18 Mois"), 18);
  EXPECT_EQ(months("Débutant accepté"), std::nullopt);
}

TEST(OfferTest, JsonLinesKeepsGoodRecordsAndReportsBadLinesAlone) {
  std::string text = std::string(R"({"id": "A", "romeCode": "N1101"})") + "\n" +
                     "\n" +                                           // blank: skipped
                     R"({"id": "B", "nombrePostes": -1})" + "\r\n" +  // bad
                     "not json\n" +                                   // bad
                     R"({"id": "C", "romeCode": "Z0000"})";           // unknown code, kept
  OfferBatch b = load_offers_jsonl(text, subset());
  ASSERT_EQ(b.offers.size(), 2u);
  EXPECT_EQ(b.offers[0].id, "A");
  EXPECT_EQ(b.offers[1].id, "C");
  EXPECT_EQ(b.lines, (std::vector<std::size_t>{1, 5}));
  ASSERT_EQ(b.offers[1].unknown.size(), 1u);
  EXPECT_EQ(b.offers[1].unknown[0].pointer, "/romeCode");
  ASSERT_EQ(b.errors.size(), 2u);
  EXPECT_EQ(b.errors[0].line, 3u);
  EXPECT_EQ(b.errors[0].error.code(), ErrorCode::out_of_bounds);
  EXPECT_EQ(b.errors[0].error.pointer(), "/nombrePostes");
  EXPECT_EQ(b.errors[1].line, 4u);
  EXPECT_EQ(b.errors[1].error.code(), ErrorCode::json_syntax);
}

TEST(OfferTest, AKeyNamedTwiceInOneObjectIsRefusedWithItsPointer) {
  struct Case {
    const char* text;
    const char* pointer;
  };
  for (const Case& c : {
           Case{R"({"id": "A", "intitule": "x", "id": "B"})", "/id"},
           Case{R"({"id": "A", "lieuTravail": {"latitude": 48.8, "longitude": 2.3,
                    "latitude": 45.7}})",
                "/lieuTravail/latitude"},
           Case{R"({"id": "A", "competences": [{"code": "100007"},
                    {"code": "100007", "exigence": "E", "code": "100008"}]})",
                "/competences/1/code"},
           // Fields the loader ignores count too: the document is ambiguous whoever reads it.
           Case{R"({"id": "A", "contact": [[1, {"a": 1}], {"a/b": 1, "a/b": 2}]})",
                "/contact/1/a~1b"},
           Case{R"({"schema": "aiguillage.offer", "schema_version": "1.0", "id": "A",
                    "schema": "aiguillage.offer"})",
                "/schema"},
       }) {
    const Error e = parse_error(c.text);
    EXPECT_EQ(e.code(), ErrorCode::duplicate_document_key) << c.text;
    EXPECT_EQ(e.pointer(), c.pointer) << c.text;
    EXPECT_EQ(error_code_name(e.code()), "duplicate_document_key");
  }
  // The same key in two different objects is no duplicate.
  EXPECT_EQ(parse_offer(R"({"id": "A", "competences": [{"code": "100007"}, {"code": "100008"}],
                           "lieuTravail": {"codePostal": "75011"}})",
                        subset())
                .competences.size(),
            2u);
}

TEST(OfferTest, JsonLinesRefusesAnOfferIdAlreadyUsedAndKeepsTheFirst) {
  const std::string text = std::string(R"({"id": "A", "intitule": "first"})") + "\n" +
                           R"({"id": "B"})" + "\n" + R"({"id": "A", "intitule": "second"})" +
                           "\n" +                                        // duplicate of 1
                           R"({"id": "C", "nombrePostes": 0})" + "\n" +  // bad: C not taken
                           R"({"id": "C"})" + "\n" +                     // so this one is good
                           R"({"id": "B", "id": "D"})" + "\n";           // duplicate key
  OfferBatch b = load_offers_jsonl(text, subset());
  ASSERT_EQ(b.offers.size(), 3u);
  EXPECT_EQ(b.offers[0].title, "first");
  EXPECT_EQ(b.offers[1].id, "B");
  EXPECT_EQ(b.offers[2].id, "C");
  EXPECT_EQ(b.lines, (std::vector<std::size_t>{1, 2, 5}));
  ASSERT_EQ(b.errors.size(), 3u);
  EXPECT_EQ(b.errors[0].line, 3u);
  EXPECT_EQ(b.errors[0].error.code(), ErrorCode::duplicate_document_id);
  EXPECT_EQ(b.errors[0].error.pointer(), "/id");
  EXPECT_NE(b.errors[0].error.message().find("line 1"), std::string::npos)
      << b.errors[0].error.message();
  EXPECT_EQ(b.errors[1].line, 4u);
  EXPECT_EQ(b.errors[1].error.code(), ErrorCode::out_of_bounds);
  EXPECT_EQ(b.errors[2].line, 6u);
  EXPECT_EQ(b.errors[2].error.code(), ErrorCode::duplicate_document_key);
  EXPECT_EQ(b.errors[2].error.pointer(), "/id");
}

TEST(OfferTest, ExampleOffersLoadAndDocumentsSatisfyTheSchema) {
  const std::string text = slurp(kSource / "examples/data/offers-subset.jsonl");
  OfferBatch b = load_offers_jsonl(text, subset());
  EXPECT_TRUE(b.errors.empty()) << b.errors[0].error.describe();
  ASSERT_EQ(b.offers.size(), 50u);
  std::size_t unknown = 0, documents = 0;
  for (const Offer& o : b.offers) {
    EXPECT_NE(o.occupation, kNoId) << o.id;
    EXPECT_FALSE(o.competences.empty()) << o.id;
    unknown += o.unknown.size();
  }
  EXPECT_EQ(unknown, 1u);  // the one retired code the examples carry on purpose
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    json d = json::parse(line);
    if (!d.contains("schema")) continue;
    ++documents;
    EXPECT_EQ(offer_schema().validate(d), std::vector<std::string>{}) << d["id"];
    EXPECT_EQ(offer_schema().undeclared_keys(d), std::vector<std::string>{}) << d["id"];
  }
  EXPECT_EQ(documents, 5u);
}

}  // namespace
}  // namespace aiguillage
