// The report on a log of the fr-2025 pack: small cells suppressed with their complements, no
// pseudonym written, a damaged log refused naming its line, several versions apart.
#include "aiguillage/audit/report.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/decision_record.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSource = AIG_SOURCE_DIR;

struct Fixture {
  fs::path dir;
  Registry packs;
  Fixture() {
    dir = fs::temp_directory_path() /
          ("aig-report-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    packs.load_dir(kSource + "/rules/orientation");
  }
  ~Fixture() { fs::remove_all(dir); }

  // The first `n` example persons, decided by the policy when evident, else by a counsellor
  // who overrides every seventh proposal.
  std::string write_log(std::size_t n) {
    const Pack& pack = packs.packs().front();
    Orienter orienter(pack, OrientationPolicy{true});
    const std::string path = (dir / "decisions.log").string();
    DecisionLog log(path);
    std::ifstream in(kSource + "/examples/data/persons-1000.jsonl");
    std::string line;
    const Date date = *Date::parse("2025-03-01");
    for (std::size_t k = 0; k < n && std::getline(in, line); ++k) {
      json person = json::parse(line);
      const std::string id = person["person_id"];
      person.erase("person_id");
      const Proposal p = orienter.propose(person.dump(), date, false);
      if (!p.errors.empty()) continue;
      OrientationDecision d;
      if (auto a = orienter.auto_decide(p, "2025-03-02T10:00:00Z")) {
        d = *a;
      } else if (k % 7 == 0) {
        d = orienter.decide(
            p, "conseiller_france_travail", Action::override_outputs, "entretien",
            "2025-03-05T10:00:00Z",
            R"({"parcours":"socio_professionnel","organisme_referent":"france_travail"})");
      } else {
        d = orienter.decide(p, "conseiller_france_travail", Action::confirm, "",
                            "2025-03-05T10:00:00Z");
      }
      log.append(
          make_decision_record(pack, p, d,
                               {pseudonymise("report-test-key-0123456789", id),
                                person.value("territory", std::string()), "2025-03-05T10:00:00Z"}));
    }
    return path;
  }
};

TEST(Report, SmallCellsAreSuppressedWithTheirComplements) {
  Fixture f;
  const std::string log = f.write_log(400);
  ReportOptions options;
  options.threshold = 11;
  auto source = open_file_source(log);
  const Report r = build_report(*source, f.packs, options);
  ASSERT_FALSE(r.tables.empty());
  std::size_t suppressed = 0;
  for (const ReportTable& t : r.tables)
    for (const auto& row : t.rows)
      for (const auto& cell : row) {
        if (cell.suppressed) {
          ++suppressed;
          continue;
        }
        if (cell.kind == ReportTable::Cell::Kind::count) {
          EXPECT_TRUE(cell.number == 0 || cell.number >= 11) << t.id << ": " << cell.number;
        }
      }
  EXPECT_GT(suppressed, 0u);
  // The distribution tables: a column with a suppressed count has at least two, so that the
  // total (the number of decisions) does not give one away.
  for (const ReportTable& t : r.tables) {
    if (t.id.rfind("outcomes_", 0) != 0 && t.id != "decision_mode") continue;
    for (std::size_t c = 1; c < t.column_ids.size(); ++c) {
      if (t.rows.front()[c].kind != ReportTable::Cell::Kind::count) continue;
      std::size_t hidden = 0;
      for (const auto& row : t.rows) hidden += row[c].suppressed;
      EXPECT_NE(hidden, 1u) << t.id << " column " << t.column_ids[c];
    }
  }
  // Nothing that identifies a person is written.
  EXPECT_EQ(r.json.find("hmac-sha256"), std::string::npos);
  EXPECT_EQ(r.html.find("hmac-sha256"), std::string::npos);
  for (const ReportTable& t : r.tables)
    EXPECT_EQ(table_to_csv(t, "fr").find("hmac-sha256"), std::string::npos);
}

TEST(Report, ThresholdNeverBelowFiveAndLanguageChecked) {
  Fixture f;
  const std::string log = f.write_log(20);
  auto source = open_file_source(log);
  ReportOptions options;
  options.threshold = 4;
  try {
    build_report(*source, f.packs, options);
    FAIL() << "a threshold of 4 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  }
  options.threshold = 5;
  options.lang = "de";
  EXPECT_THROW(build_report(*source, f.packs, options), Error);
}

TEST(Report, DamagedLogIsRefusedNamingTheLineUnlessUnverified) {
  Fixture f;
  const std::string log = f.write_log(60);
  {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto at = text.find("\"seq\":3");
    const auto change = text.find("france_travail", at);
    text.replace(change, 14, "france_travaiL");
    std::ofstream(log, std::ios::trunc) << text;
  }
  auto source = open_file_source(log);
  ReportOptions options;
  try {
    build_report(*source, f.packs, options);
    FAIL() << "a damaged log was reported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_document);
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  options.unverified = true;
  const Report r = build_report(*source, f.packs, options);
  const json doc = json::parse(r.json);
  EXPECT_FALSE(doc["verification"]["verified"].get<bool>());
  EXPECT_EQ(doc["verification"]["first_bad_line"], 3);
  const auto warning = r.html.find("class=\"warning\"");
  ASSERT_NE(warning, std::string::npos);
  EXPECT_LT(warning, r.html.find("<h2>"));  // on the first page, before any figure
}

TEST(Report, EmptyPeriodsGiveDashesNotErrors) {
  Fixture f;
  const std::string log = f.write_log(30);
  auto source = open_file_source(log);
  ReportOptions options;
  options.from = Date::parse("2025-01-01");
  options.to = Date::parse("2025-04-30");
  const Report r = build_report(*source, f.packs, options);
  const json doc = json::parse(r.json);
  bool seen_empty_month = false;
  for (const auto& t : doc["tables"])
    if (t["id"] == "by_month") {
      ASSERT_EQ(t["rows"].size(), 4u);  // January to April, three of them empty
      for (const auto& row : t["rows"])
        if (row[1] == 0) {
          seen_empty_month = true;
          EXPECT_TRUE(row[3].is_null());  // the interview rate of no decision: "—"
        }
    }
  EXPECT_TRUE(seen_empty_month);
  // Outside the period: nothing is counted, and still no division error.
  options.from = Date::parse("2030-01-01");
  options.to = Date::parse("2030-01-31");
  const Report none = build_report(*source, f.packs, options);
  EXPECT_NE(none.json.find("\"outside_filters\": 30"), std::string::npos);
}

TEST(Report, TerritorialConsistencyMatchesOneByOneEvaluation) {
  Fixture f;
  const std::string log = f.write_log(150);
  auto source = open_file_source(log);
  ReportOptions options;
  options.threshold = 5;
  const Report r = build_report(*source, f.packs, options);
  const json doc = json::parse(r.json);
  // Recount by the per-record path: persons of 59 who would be decided otherwise in 93.
  const Pack& pack = f.packs.packs().front();
  Orienter orienter(pack);
  std::uint64_t persons = 0, different = 0;
  for (const std::string& text : read_log_records(log)) {
    const json record = json::parse(text);
    if (record["territory"] != "59") continue;
    json person = json::object();
    for (auto it = record["inputs"].begin(); it != record["inputs"].end(); ++it)
      if (!it.value()["value"].is_null()) person[it.key()] = it.value()["value"];
    const Date date = *Date::parse(record["reference_date"].get<std::string>());
    const json here = json::parse(orienter.propose(person.dump(), date, false).outputs_json);
    person["territory"] = "93";
    const json there = json::parse(orienter.propose(person.dump(), date, false).outputs_json);
    ++persons;
    bool changed = false;
    for (auto it = here.begin(); it != here.end(); ++it)
      if (it.key() != "review_reasons" && it.key() != "date_limite_orientation" &&
          it.key() != "date_limite_contrat" && there[it.key()] != it.value())
        changed = true;
    different += changed;
  }
  ASSERT_GT(persons, 0u);
  bool found = false;
  for (const auto& t : doc["tables"])
    if (t["id"] == "territorial_pairs")
      for (const auto& row : t["rows"])
        if (row[0] == "59" && row[1] == "93") {
          found = true;
          EXPECT_EQ(row[2], persons);
          if (row[3].is_number()) {
            EXPECT_EQ(row[3], different);
          } else
            EXPECT_TRUE(row[3]["suppressed"].get<bool>());
        }
  EXPECT_TRUE(found);
}

TEST(Report, InputMarkedTerritorialIsReplayedWithEachOtherValue) {
  Fixture f;
  // fr-2025 with `requested_structure` marked territorial (a test of the marking only).
  const fs::path copy = f.dir / "packs" / "fr-2025";
  fs::create_directories(copy.parent_path());
  fs::copy(kSource + "/rules/orientation/fr-2025", copy, fs::copy_options::recursive);
  {
    std::ifstream in(copy / "pack.json");
    json pack = json::parse(in);
    bool marked = false;
    for (auto& field : pack["inputs"])
      if (field["name"] == "requested_structure") {
        field["territorial"] = true;
        marked = true;
      }
    ASSERT_TRUE(marked);
    std::ofstream(copy / "pack.json", std::ios::trunc) << pack.dump(2);
  }
  f.packs = Registry();
  ASSERT_EQ(f.packs.load_dir((f.dir / "packs").string()), 1u);
  const Pack& pack = f.packs.packs().front();
  ASSERT_TRUE(pack.inputs().field(pack.inputs().index_of("requested_structure")).territorial);
  const std::string log = f.write_log(150);
  auto source = open_file_source(log);
  ReportOptions options;
  options.threshold = 5;
  const json doc = json::parse(build_report(*source, f.packs, options).json);
  // Recount one by one: persons whose decision changes with at least one other value seen.
  Orienter orienter(pack);
  std::set<std::string> seen;
  std::vector<json> records;
  for (const std::string& text : read_log_records(log)) {
    records.push_back(json::parse(text));
    const json& v = records.back()["inputs"]["requested_structure"]["value"];
    if (v.is_string()) seen.insert(v.get<std::string>());
  }
  ASSERT_GE(seen.size(), 2u);
  std::uint64_t persons = 0, different = 0;
  for (const json& record : records) {
    json person = json::object();
    for (auto it = record["inputs"].begin(); it != record["inputs"].end(); ++it)
      if (!it.value()["value"].is_null()) person[it.key()] = it.value()["value"];
    if (!person.contains("requested_structure")) continue;
    const Date date = *Date::parse(record["reference_date"].get<std::string>());
    const json here = json::parse(orienter.propose(person.dump(), date, false).outputs_json);
    ++persons;
    bool changed = false;
    for (const std::string& value : seen) {
      if (value == person["requested_structure"]) continue;
      json moved = person;
      moved["requested_structure"] = value;
      const json there = json::parse(orienter.propose(moved.dump(), date, false).outputs_json);
      for (auto it = here.begin(); it != here.end(); ++it)
        if (it.key() != "review_reasons" && it.key() != "date_limite_orientation" &&
            it.key() != "date_limite_contrat" && there[it.key()] != it.value())
          changed = true;
    }
    different += changed;
  }
  bool found = false, pairs = false;
  for (const auto& t : doc["tables"]) {
    if (t["id"] == "territorial_pairs_requested_structure") pairs = !t["rows"].empty();
    if (t["id"] != "territorial_summary_requested_structure") continue;
    found = true;
    EXPECT_EQ(t["section"], "territorial");
    EXPECT_EQ(t["rows"][0][1], persons);
    if (t["rows"][0][2].is_number())
      EXPECT_EQ(t["rows"][0][2], different);
    else
      EXPECT_TRUE(t["rows"][0][2]["suppressed"].get<bool>());
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(pairs);
}

}  // namespace
}  // namespace aiguillage
