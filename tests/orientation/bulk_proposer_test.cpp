#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "aiguillage/orientation/orientation.hpp"
#include "support/random_record.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = AIG_SOURCE_DIR;

// The inputs of a pack's own test cases (each with its reference date), then random persons
// and damaged lines: bad values, unknown fields, syntax errors, escapes, another date.
std::vector<std::string> persons_for(const Pack& pack, const fs::path& dir, Date reference) {
  std::vector<std::string> lines;
  if (fs::exists(dir / "tests"))
    for (const auto& entry : fs::directory_iterator(dir / "tests")) {
      std::ifstream in(entry.path());
      const nlohmann::json doc = nlohmann::json::parse(in);
      for (const auto& c : doc["cases"]) {
        nlohmann::json input = c["input"];
        input["reference_date"] = c["reference_date"];
        lines.push_back(input.dump());
      }
    }
  std::mt19937 rng(31);
  for (int k = 0; k < 3000; ++k) {
    std::string line = test::random_record(rng, pack.inputs(), reference);
    switch (rng() % 30) {
      case 0:
        line.insert(1, "\"person\":1,");
        break;
      case 1:
        line.pop_back();
        break;
      case 2:
        line = "[]";
        break;
      case 3: {
        const auto p = line.find("\":\"");
        if (p != std::string::npos) line.insert(p + 3, "\\u00e9");
        break;
      }
      case 4:
        if (line.size() > 2) line.insert(1, "\"reference_date\":\"1999-12-31\",");
        break;
      default:
        break;
    }
    lines.push_back(line);
  }
  return lines;
}

// Every person's line from the bulk path is the one propose() and proposal_to_json() write.
TEST(BulkProposerTest, LinesEqualProposeOneByOne) {
  for (const fs::path& dir :
       {kSource / "rules/orientation/fr-2025", kSource / "tests/orientation/data/mini-orientation",
        kSource / "rules/sanctions/fr-2025"}) {
    SCOPED_TRACE(dir.string());
    ASSERT_TRUE(fs::exists(dir)) << "shipped pack missing";
    const Orienter orienter(Pack::load_file(dir.string()));
    const Date date{orienter.pack().valid_from().days + 60};
    const std::vector<std::string> persons = persons_for(orienter.pack(), dir, date);
    const std::vector<std::string_view> views(persons.begin(), persons.end());
    BulkProposer bulk(orienter, date);
    std::size_t next = 0, evident = 0, review = 0, rejected_lines = 0;
    bulk.run(views, [&](std::size_t index, std::string_view proposal, bool rejected) {
      ASSERT_EQ(index, next) << "proposals out of order";
      const Proposal p = orienter.propose(views[index], date, false);
      ASSERT_EQ(proposal, proposal_to_json(p, false)) << views[index];
      ASSERT_EQ(rejected, !p.errors.empty()) << views[index];
      evident += p.evident;
      review += !p.evident && p.errors.empty();
      rejected_lines += rejected;
      ++next;
    });
    EXPECT_EQ(next, persons.size());
    // A real mix went through each path.
    EXPECT_GT(evident, 0u);
    EXPECT_GT(review, 0u);
    EXPECT_GT(rejected_lines, 0u);
    EXPECT_GT(bulk.lines().block_lines(), persons.size() / 2);
  }
}

// The realistic mix (the shipped sample, many proposals with review reasons and questions):
// every line as `aiguillage orient` reads it (person_id taken off) and as written (person_id an
// unknown field, so rejected), each the line propose() and proposal_to_json() write.
TEST(BulkProposerTest, ShippedSampleEqualsProposeOneByOne) {
  const fs::path pack = kSource / "rules/orientation/fr-2025";
  const fs::path sample = kSource / "examples/data/persons-1000.jsonl";
  ASSERT_TRUE(fs::exists(pack) && fs::exists(sample)) << "shipped pack or sample missing";
  const Orienter orienter(Pack::load_file(pack.string()));
  std::vector<std::string> persons;
  std::ifstream in(sample);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    nlohmann::json person = nlohmann::json::parse(line);
    person.erase("person_id");
    persons.push_back(person.dump());
    persons.push_back(line);
  }
  const std::vector<std::string_view> views(persons.begin(), persons.end());
  for (const Date date : {*Date::parse("2025-03-01"), *Date::parse("2026-01-15")}) {
    BulkProposer bulk(orienter, date);
    std::size_t next = 0, questions = 0;
    bulk.run(views, [&](std::size_t index, std::string_view proposal, bool rejected) {
      ASSERT_EQ(index, next) << "proposals out of order";
      const Proposal p = orienter.propose(views[index], date, false);
      ASSERT_EQ(proposal, proposal_to_json(p, false)) << views[index];
      ASSERT_EQ(rejected, !p.errors.empty()) << views[index];
      questions += !p.questions.empty();
      ++next;
    });
    EXPECT_EQ(next, persons.size());
    EXPECT_GT(questions, 0u);
  }
}

}  // namespace
}  // namespace aiguillage
