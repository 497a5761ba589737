// Person-facing text uses labels, never codes: every notice of the example persons and of the
// test cases of every shipped pack, in French and in English, and the explanation of every
// test case, hold no snake_case token and no enum code in place of a value.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/explain.hpp"
#include "support/shipped_packs.hpp"

using namespace aiguillage;
using nlohmann::json;

namespace {

// Codes of the pack's enums that differ from both of their labels: shown alone as a value, they
// are a code a person would read.
std::set<std::string> codes_of(const Pack& pack) {
  std::set<std::string> out;
  for (std::size_t s = 0; s < pack.slot_count(); ++s) {
    const StaticType t = pack.slot_type(static_cast<int>(s));
    if (!t.domain) continue;
    for (const std::string& v : *t.domain) {
      const Label* l = pack.value_label(static_cast<int>(s), v);
      if (l && (l->fr == v || l->en == v)) continue;
      out.insert(v);
    }
  }
  return out;
}

// The problems of one text: snake_case tokens (URLs aside), and list items whose value is a
// code ("- label : code", "- label = code").
std::vector<std::string> problems(const std::string& text, const std::set<std::string>& codes) {
  static const std::regex snake(R"([A-Za-z0-9]+(_[A-Za-z0-9]+)+)");
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      if (word.find("://") != std::string::npos) continue;
      if (std::regex_search(word, snake)) out.push_back("snake_case \"" + word + "\" in: " + line);
    }
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, 2, "- ") != 0) continue;
    for (const char* sep : {" : ", ": ", " = "}) {
      const auto at = line.find(sep, start);
      if (at == std::string::npos) continue;
      std::string rest = line.substr(at + std::string(sep).size());
      // The value runs to the first " (" or ", ".
      for (const char* end : {" (", ", "})
        if (auto e = rest.find(end); e != std::string::npos) rest = rest.substr(0, e);
      if (codes.count(rest)) out.push_back("code \"" + rest + "\" in: " + line);
      break;
    }
  }
  return out;
}

// "none" and "aucun" are also the words the texts use for an empty list ("reasons: none",
// "points à apprécier : aucun"): each is left out in its own language only, so the other
// language's texts still catch the code.
std::set<std::string> codes_for(std::set<std::string> codes, const std::string& lang) {
  codes.erase(lang == "en" ? "none" : "aucun");
  return codes;
}

void expect_clean(const std::string& what, const std::string& text,
                  const std::set<std::string>& codes, std::size_t& failures) {
  for (const std::string& p : problems(text, codes)) {
    if (++failures > 20) return;  // enough to act on
    ADD_FAILURE() << what << ": " << p;
  }
}

std::string without_person_id(const std::string& line) {
  json j = json::parse(line);
  j.erase("person_id");
  return j.dump();
}

}  // namespace

TEST(PersonTextTest, ProblemsAreFound) {
  const std::set<std::string> codes = {"rapid_return", "none"};
  EXPECT_EQ(problems("  - aspiration : rapid_return (déclaré)\n", codes).size(), 2u);
  EXPECT_EQ(problems("  - difficulté de santé : none\n", codes).size(), 1u);
  EXPECT_EQ(problems("Deciding criteria: none, the rule covers every case.\n", codes).size(), 0u);
  EXPECT_EQ(problems("    https://www.legifrance.gouv.fr/a_b\n", codes).size(), 0u);
}

TEST(PersonTextTest, NoticesOfTheExamplePersonsHoldNoCode) {
  const test::ShippedPack* fr = nullptr;
  for (const test::ShippedPack& p : test::shipped_packs())
    if (p.pack.id() == "fr/orientation") fr = &p;
  ASSERT_NE(fr, nullptr);
  std::ifstream in(std::string(AIG_SOURCE_DIR) + "/examples/data/persons-1000.jsonl");
  ASSERT_TRUE(in) << "examples/data/persons-1000.jsonl";
  Orienter orienter(fr->pack);
  const std::set<std::string> codes = codes_of(fr->pack);
  const Date reference = *Date::parse("2025-03-01");
  std::string line;
  std::size_t n = 0, failures = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++n;
    Proposal p = orienter.propose(without_person_id(line), reference);
    for (const char* lang : {"fr", "en"})
      expect_clean("person " + std::to_string(n) + " " + lang,
                   notice_text(fr->pack, p, nullptr, lang), codes_for(codes, lang), failures);
  }
  EXPECT_EQ(n, 1000u);
}

TEST(PersonTextTest, NoticesAndExplanationsOfEveryTestCaseHoldNoCode) {
  std::size_t n = 0, failures = 0;
  for (const test::ShippedPack& shipped : test::shipped_packs()) {
    Orienter orienter(shipped.pack);
    const std::set<std::string> codes = codes_of(shipped.pack);
    for (const test::ShippedCase& c : shipped.cases) {
      Proposal p = orienter.propose(c.input, c.reference);
      ++n;
      for (const char* lang : {"fr", "en"}) {
        const std::string what = shipped.dir + " " + c.file + ":" + c.name + " " + lang;
        expect_clean(what + " notice", notice_text(shipped.pack, p, nullptr, lang),
                     codes_for(codes, lang), failures);
        expect_clean(what + " explanation", explain_text(shipped.pack, p.evaluation, lang),
                     codes_for(codes, lang), failures);
      }
    }
  }
  EXPECT_GT(n, 100u);
}
