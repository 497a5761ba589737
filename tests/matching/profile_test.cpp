#include "aiguillage/matching/profile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
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

const test::SchemaChecker& profile_schema() {
  static const test::SchemaChecker s(
      json::parse(slurp(kSource / "rules/schemas/aiguillage.profile.schema.json")));
  return s;
}

json good_profile() {
  return json::parse(R"({
    "schema": "aiguillage.profile", "schema_version": "1.0",
    "id": "P-0042",
    "competences": [
      {"code": "110036", "evidence": "validated", "level": 3},
      {"code": "100016"},
      {"code": "777777", "evidence": "certified"}],
    "targets": {"rome": ["N1103", "N1101", "Z9999"], "appellations": ["17993", "00000"]},
    "experience": [{"rome": "N1105", "months": 18}],
    "diplomas": [{"label": "CAP Opérateur logistique", "level": 3}],
    "languages": [{"label": "Français", "level": "C2"}, {"label": "Anglais"}],
    "licences": ["B - Véhicule léger", "CACES R489 catégorie 3"],
    "location": {"latitude": 50.6292, "longitude": 3.0573, "postal_code": "59000",
                 "departement": "59"},
    "max_distance_km": 25,
    "contract_types": ["CDI", "CDD", "MIS"],
    "working_times": ["full_time"],
    "available_from": "2025-10-06",
    "rqth": true
  })");
}

Error parse_error(const json& doc) {
  try {
    parse_profile(doc.dump(), subset());
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error for " << doc.dump();
  return Error(ErrorCode::ok, "");
}

TEST(ProfileTest, ReadsEveryField) {
  const json doc = good_profile();
  Profile p = parse_profile(doc.dump(), subset());
  EXPECT_EQ(p.id, "P-0042");
  ASSERT_EQ(p.competences.size(), 3u);
  EXPECT_EQ(p.competences[0].evidence, Evidence::validated);
  EXPECT_EQ(p.competences[0].level, 3);
  EXPECT_EQ(p.competences[0].item, subset().find_item("110036"));
  EXPECT_NE(p.competences[0].item, kNoId);
  EXPECT_EQ(p.competences[1].evidence, Evidence::declared);
  EXPECT_EQ(p.competences[1].level, std::nullopt);
  EXPECT_EQ(p.competences[2].evidence, Evidence::certified);
  EXPECT_EQ(p.competences[2].item, kNoId);
  EXPECT_EQ(p.target_rome, (std::vector<std::string>{"N1103", "N1101", "Z9999"}));
  ASSERT_EQ(p.target_occupations.size(), 3u);
  EXPECT_EQ(p.target_occupations[0], subset().find_occupation("N1103"));
  EXPECT_EQ(p.target_occupations[2], kNoId);
  ASSERT_EQ(p.target_appellation_ids.size(), 2u);
  EXPECT_EQ(subset().appellations().at(p.target_appellation_ids[0]).code, "17993");
  EXPECT_EQ(p.target_appellation_ids[1], kNoId);
  ASSERT_EQ(p.experience.size(), 1u);
  EXPECT_EQ(p.experience[0].months, 18);
  EXPECT_EQ(p.experience[0].occupation, subset().find_occupation("N1105"));
  ASSERT_EQ(p.diplomas.size(), 1u);
  EXPECT_EQ(p.diplomas[0].level, 3);
  ASSERT_EQ(p.languages.size(), 2u);
  EXPECT_EQ(p.languages[1].level, "");
  EXPECT_EQ(p.licences.size(), 2u);
  EXPECT_DOUBLE_EQ(*p.location.latitude, 50.6292);
  EXPECT_EQ(p.location.departement, "59");
  EXPECT_DOUBLE_EQ(*p.max_distance_km, 25.0);
  EXPECT_EQ(p.contract_types.size(), 3u);
  EXPECT_EQ(p.working_times, std::vector<WorkingTime>{WorkingTime::full_time});
  EXPECT_EQ(p.available_from->to_string(), "2025-10-06");
  EXPECT_TRUE(p.rqth);
  EXPECT_EQ(profile_schema().validate(doc), std::vector<std::string>{});
  EXPECT_EQ(profile_schema().undeclared_keys(doc), std::vector<std::string>{});
}

TEST(ProfileTest, UnknownCodesAreKeptAndReported) {
  Profile p = parse_profile(good_profile().dump(), subset());
  std::vector<std::string> pointers, codes;
  for (const auto& u : p.unknown) pointers.push_back(u.pointer), codes.push_back(u.code);
  std::vector<std::string> expected_pointers{"/competences/2/code", "/targets/rome/2",
                                             "/targets/appellations/1"};
  std::vector<std::string> expected_codes{"777777", "Z9999", "00000"};
  EXPECT_EQ(pointers, expected_pointers);
  EXPECT_EQ(codes, expected_codes);
}

TEST(ProfileTest, BadFieldsHavePinnedCodesAndPointers) {
  struct Case {
    std::function<void(json&)> edit;
    ErrorCode code;
    std::string pointer;
  } cases[] = {
      {[](json& d) { d.erase("id"); }, ErrorCode::required_missing, "/id"},
      {[](json& d) { d["id"] = ""; }, ErrorCode::required_missing, "/id"},
      {[](json& d) { d.erase("schema"); }, ErrorCode::schema_mismatch, "/schema"},
      {[](json& d) { d["schema_version"] = "0.9"; }, ErrorCode::schema_version_too_old,
       "/schema_version"},
      {[](json& d) { d["nom"] = "Dupont"; }, ErrorCode::unknown_field, "/nom"},
      {[](json& d) { d["competences"][0]["evidence"] = "claimed"; }, ErrorCode::enum_value,
       "/competences/0/evidence"},
      {[](json& d) { d["competences"][0]["level"] = 5; }, ErrorCode::out_of_bounds,
       "/competences/0/level"},
      {[](json& d) { d["competences"][0]["level"] = "3"; }, ErrorCode::type_mismatch,
       "/competences/0/level"},
      {[](json& d) { d["competences"][1].erase("code"); }, ErrorCode::required_missing,
       "/competences/1/code"},
      {[](json& d) { d["competences"][1]["niveau"] = 2; }, ErrorCode::unknown_field,
       "/competences/1/niveau"},
      {[](json& d) { d["targets"]["rome"][1] = 7; }, ErrorCode::type_mismatch, "/targets/rome/1"},
      {[](json& d) { d["targets"] = "N1103"; }, ErrorCode::invalid_document, "/targets"},
      {[](json& d) { d["experience"][0]["months"] = -1; }, ErrorCode::out_of_bounds,
       "/experience/0/months"},
      {[](json& d) { d["experience"][0].erase("months"); }, ErrorCode::required_missing,
       "/experience/0/months"},
      {[](json& d) { d["diplomas"][0]["level"] = 9; }, ErrorCode::out_of_bounds,
       "/diplomas/0/level"},
      {[](json& d) { d["languages"][0]["level"] = "D1"; }, ErrorCode::enum_value,
       "/languages/0/level"},
      {[](json& d) {
         d["licences"] = {"B", ""};
       },
       ErrorCode::required_missing, "/licences/1"},
      {[](json& d) { d["location"]["latitude"] = -91; }, ErrorCode::out_of_bounds,
       "/location/latitude"},
      {[](json& d) { d["location"].erase("latitude"); }, ErrorCode::required_missing,
       "/location/latitude"},
      {[](json& d) { d["max_distance_km"] = -5; }, ErrorCode::out_of_bounds, "/max_distance_km"},
      {[](json& d) { d["working_times"] = {"nights"}; }, ErrorCode::enum_value, "/working_times/0"},
      {[](json& d) { d["available_from"] = "2025-02-30"; }, ErrorCode::invalid_date,
       "/available_from"},
      {[](json& d) { d["rqth"] = 1; }, ErrorCode::type_mismatch, "/rqth"},
  };
  for (const auto& c : cases) {
    json d = good_profile();
    c.edit(d);
    Error e = parse_error(d);
    EXPECT_EQ(e.code(), c.code) << c.pointer << ": " << e.describe();
    EXPECT_EQ(e.pointer(), c.pointer) << e.describe();
    // The schema refuses the same documents, except faults only the engine sees (an impossible
    // calendar date, a latitude without its longitude).
    if (c.code != ErrorCode::invalid_date && c.pointer != "/location/latitude") {
      EXPECT_FALSE(profile_schema().validate(d).empty()) << c.pointer;
    }
  }
}

TEST(ProfileTest, LaterMinorVersionMayCarryNewFields) {
  json d = good_profile();
  d["schema_version"] = "1.2";
  d["mobility_time_minutes"] = 45;
  EXPECT_EQ(parse_profile(d.dump(), subset()).id, "P-0042");
}

TEST(ProfileTest, JsonLinesKeepsGoodRecordsAndReportsBadLinesAlone) {
  json bad = good_profile();
  bad["rqth"] = "yes";
  std::string text = good_profile().dump() + "\n" + bad.dump() + "\n" + "{" + "\n" +
                     R"({"schema":"aiguillage.profile","schema_version":"1.0","id":"P2"})";
  ProfileBatch b = load_profiles_jsonl(text, subset());
  ASSERT_EQ(b.profiles.size(), 2u);
  EXPECT_EQ(b.profiles[1].id, "P2");
  EXPECT_EQ(b.lines, (std::vector<std::size_t>{1, 4}));
  ASSERT_EQ(b.errors.size(), 2u);
  EXPECT_EQ(b.errors[0].line, 2u);
  EXPECT_EQ(b.errors[0].error.pointer(), "/rqth");
  EXPECT_EQ(b.errors[1].error.code(), ErrorCode::json_syntax);
}

TEST(ProfileTest, DuplicateKeysAndIdsAreRefusedWithPinnedCodes) {
  std::string twice = good_profile().dump();
  twice.insert(twice.size() - 1, R"(,"rqth":true,"rqth":false)");
  json nested = good_profile();
  std::string nested_text = nested.dump();
  const std::string needle = R"("competences":[{)";
  const std::size_t at = nested_text.find(needle);
  ASSERT_NE(at, std::string::npos);
  nested_text.insert(at + needle.size(), R"("evidence":"declared","evidence":"certified",)");
  json other = good_profile();
  other["id"] = "P-other";
  const std::string text = good_profile().dump() + "\n" + twice + "\n" + nested_text + "\n" +
                           good_profile().dump() + "\n" + other.dump() + "\n";
  ProfileBatch b = load_profiles_jsonl(text, subset());
  ASSERT_EQ(b.profiles.size(), 2u);
  EXPECT_EQ(b.lines, (std::vector<std::size_t>{1, 5}));
  ASSERT_EQ(b.errors.size(), 3u);
  EXPECT_EQ(b.errors[0].error.code(), ErrorCode::duplicate_document_key);
  EXPECT_EQ(b.errors[0].error.pointer(), "/rqth");
  EXPECT_EQ(b.errors[1].error.code(), ErrorCode::duplicate_document_key);
  EXPECT_EQ(b.errors[1].error.pointer(), "/competences/0/evidence");
  EXPECT_EQ(b.errors[2].line, 4u);
  EXPECT_EQ(b.errors[2].error.code(), ErrorCode::duplicate_document_id);
  EXPECT_EQ(b.errors[2].error.pointer(), "/id");
}

TEST(ProfileTest, ExampleProfilesLoadAndSatisfyTheSchema) {
  const std::string text = slurp(kSource / "examples/data/profiles-subset.jsonl");
  ProfileBatch b = load_profiles_jsonl(text, subset());
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].error.describe();
  ASSERT_EQ(b.profiles.size(), 6u);
  for (const Profile& p : b.profiles) {
    EXPECT_TRUE(p.unknown.empty()) << p.id;
    EXPECT_FALSE(p.competences.empty()) << p.id;
    ASSERT_EQ(p.target_occupations.size(), 1u);
    EXPECT_NE(p.target_occupations[0], kNoId);
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    json d = json::parse(line);
    EXPECT_EQ(profile_schema().validate(d), std::vector<std::string>{}) << d["id"];
    EXPECT_EQ(profile_schema().undeclared_keys(d), std::vector<std::string>{}) << d["id"];
  }
}

TEST(ProfileTest, SchemasAreDraft202012AndEveryRefResolves) {
  for (const char* name : {"aiguillage.offer.schema.json", "aiguillage.profile.schema.json"}) {
    json s = json::parse(slurp(kSource / "rules/schemas" / name));
    EXPECT_EQ(s.value("$schema", ""), "https://json-schema.org/draft/2020-12/schema") << name;
    test::SchemaChecker checker(s);
    for (const std::string& ref : checker.refs())
      EXPECT_NE(checker.resolve(ref), nullptr) << name << " " << ref;
  }
}

}  // namespace
}  // namespace aiguillage
