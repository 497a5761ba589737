#include "aiguillage/matching/explain_listed.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"
#include "support/matching_generator.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = AIG_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Referential& subset() {
  static const Referential r = Referential::load((kSource / "data/rome-subset").string());
  return r;
}

const ScoringConfig& config() {
  static const ScoringConfig c =
      parse_scoring(slurp(kSource / "rules/matching/scoring-default.json"));
  return c;
}

const std::vector<Offer>& offers() {
  static const OfferBatch b =
      load_offers_jsonl(slurp(kSource / "examples/data/offers-subset.jsonl"), subset());
  return b.offers;
}

const std::vector<Profile>& profiles() {
  static const ProfileBatch b =
      load_profiles_jsonl(slurp(kSource / "examples/data/profiles-subset.jsonl"), subset());
  return b.profiles;
}

// Random persons beside the examples, so that a cohort of persons has ties, exclusions and
// counterfactuals that overtake several persons.
std::vector<Profile> random_profiles(std::size_t n, std::uint64_t seed) {
  test_support::MatchingGenerator g(seed, subset());
  std::vector<Profile> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(g.profile(i));
  return out;
}

void expect_same(const MatchExplanation& got, const MatchExplanation& want) {
  for (auto lang : {ExplanationLanguage::fr, ExplanationLanguage::en}) {
    EXPECT_EQ(got.to_json(lang), want.to_json(lang));
    EXPECT_EQ(got.to_text(lang), want.to_text(lang));
    EXPECT_EQ(got.employer_text(lang), want.employer_text(lang));
  }
}

// Every pair a bank of persons lists, explained from the bank's answer alone, is the
// explanation of scoring the whole cohort: the same score, rank and counterfactual.
TEST(ExplainListed, PersonsForAnOfferEqualScoringTheCohort) {
  std::vector<Profile> persons = profiles();
  for (Profile& p : random_profiles(60, 19)) persons.push_back(std::move(p));
  const ProfileBank bank(persons, subset(), config());
  std::size_t explained = 0, with_change = 0;
  for (const Offer& o : offers()) {
    const std::vector<RankedMatch> listed = bank.top_profiles(o, persons.size());
    for (std::size_t r = 0; r < listed.size(); ++r) {
      const Profile& p = persons[listed[r].index];
      const MatchExplanation got = explain_listed(bank, o, listed, r);
      const MatchExplanation want = explain_match(p, o, subset(), config(), persons);
      EXPECT_EQ(got.score, listed[r].score.score);
      EXPECT_EQ(got.score, score(p, o, subset(), config()).score);
      EXPECT_EQ(got.rank.rank, r + 1);
      expect_same(got, want);
      ++explained;
      if (got.counterfactual) ++with_change;
    }
  }
  EXPECT_GT(explained, 500u);
  EXPECT_GT(with_change, 100u);
}

TEST(ExplainListed, OffersForAPersonEqualScoringTheCohort) {
  std::vector<Profile> persons = profiles();
  for (Profile& p : random_profiles(12, 23)) persons.push_back(std::move(p));
  const OfferBank bank(offers(), subset(), config());
  std::size_t explained = 0, moved = 0;
  for (const Profile& p : persons) {
    const std::vector<RankedMatch> listed = bank.top_offers(p, offers().size());
    for (std::size_t r = 0; r < listed.size(); ++r) {
      const Offer& o = offers()[listed[r].index];
      const MatchExplanation got = explain_listed(bank, p, listed, r);
      const MatchExplanation want = explain_match(p, o, subset(), config(), offers());
      EXPECT_EQ(got.score, listed[r].score.score);
      expect_same(got, want);
      ++explained;
      if (got.counterfactual && got.counterfactual->rank_after.rank != r + 1) ++moved;
    }
  }
  EXPECT_GT(explained, 300u);
  EXPECT_GT(moved, 20u);
}

// The explanation of a pair in a bank, found by the bank's search: the same as scoring the
// cohort for every pair the bank lists; nothing for a pair a hard constraint excludes.
TEST(ExplainListed, InBankEqualsScoringTheCohortOrSaysNothing) {
  const std::vector<Profile> persons = random_profiles(40, 7);
  const ProfileBank persons_bank(persons, subset(), config());
  const OfferBank offers_bank(offers(), subset(), config());
  std::size_t listed = 0, excluded = 0;
  for (std::size_t i = 0; i < persons.size(); i += 3)
    for (std::size_t o = 0; o < offers().size(); o += 2) {
      const Score s = score(persons[i], offers()[o], subset(), config());
      const auto a = explain_in_bank(persons_bank, offers()[o], i);
      const auto b = explain_in_bank(offers_bank, persons[i], o);
      ASSERT_EQ(a.has_value(), !s.excluded);
      ASSERT_EQ(b.has_value(), !s.excluded);
      if (s.excluded) {
        ++excluded;
        continue;
      }
      ++listed;
      expect_same(*a, explain_match(persons[i], offers()[o], subset(), config(), persons));
      expect_same(*b, explain_match(persons[i], offers()[o], subset(), config(), offers()));
    }
  EXPECT_GT(listed, 50u);
  EXPECT_GT(excluded, 10u);
}

TEST(ExplainListed, FiltersRankAmongThePersonsThatPass) {
  const std::vector<Profile> persons = random_profiles(80, 5);
  const ProfileBank bank(persons, subset(), config());
  MatchFilters filters;
  filters.departements = {"75", "69"};
  const Offer& o = offers()[3];
  const std::vector<RankedMatch> listed = bank.top_profiles(o, 10, filters);
  ASSERT_FALSE(listed.empty());
  for (std::size_t r = 0; r < listed.size(); ++r) {
    const MatchExplanation e = explain_listed(bank, o, listed, r);
    EXPECT_EQ(e.rank.rank, r + 1);
    EXPECT_EQ(e.rank.size, persons.size());
    const auto found = explain_in_bank(bank, o, listed[r].index, filters);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->to_json(), e.to_json());
  }
}

TEST(ExplainListed, APositionOutsideTheListIsAnInvalidArgument) {
  const ProfileBank bank(profiles(), subset(), config());
  const std::vector<RankedMatch> listed = bank.top_profiles(offers()[0], 2);
  try {
    (void)explain_listed(bank, offers()[0], listed, listed.size());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  }
}

// A pair explained alone (no cohort) costs its own scoring: the same explanation as
// explain_match with an empty cohort.
TEST(ExplainPair, AloneEqualsAnEmptyCohort) {
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation a = explain_pair(p, o, subset(), config());
      const MatchExplanation b = explain_match(p, o, subset(), config(), std::span<const Offer>());
      expect_same(a, b);
      EXPECT_EQ(a.rank.rank, 1u);
      EXPECT_EQ(a.rank.size, 1u);
    }
}

// Coverage for the employer: held as such (no path, credit 1), through a related competence
// (a path whose labels are named), missing (nothing held reaches it), unknown code.
TEST(ExplainPair, CoverageFollowsTheCredits) {
  std::size_t seen[4] = {};
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation e = explain_pair(p, o, subset(), config());
      for (const ExplainedCompetence& c : e.competences) {
        ++seen[static_cast<int>(c.coverage)];
        switch (c.coverage) {
          case Coverage::held:
            EXPECT_TRUE(c.path.empty());
            EXPECT_EQ(c.credit, 1.0);
            EXPECT_FALSE(c.held_label.empty());
            break;
          case Coverage::related:
            ASSERT_FALSE(c.path.empty());
            EXPECT_LT(c.credit, 1.0);
            EXPECT_EQ(c.path.front().from_code, c.held_code);
            for (const ExplainedStep& st : c.path) EXPECT_FALSE(st.to_label.empty());
            break;
          case Coverage::missing:
            EXPECT_TRUE(c.held_code.empty());
            EXPECT_EQ(c.value, 0.0);
            break;
          case Coverage::unknown_code:
            EXPECT_TRUE(c.unknown_code);
            break;
        }
      }
    }
  for (std::size_t n : seen) EXPECT_GT(n, 0u);
}

// The employer's text names competences by their labels, never by their codes.
TEST(ExplainPair, EmployerTextSpeaksInLabels) {
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation e = explain_pair(p, o, subset(), config());
      for (auto lang : {ExplanationLanguage::fr, ExplanationLanguage::en}) {
        const std::string text = e.employer_text(lang);
        for (const ExplainedCompetence& c : e.competences) {
          if (c.label.empty()) continue;
          EXPECT_NE(text.find(c.label), std::string::npos) << c.code;
          if (!c.code.empty()) {
            EXPECT_EQ(text.find(c.code + " "), std::string::npos) << text;
          }
          for (const ExplainedStep& st : c.path) {
            EXPECT_EQ(text.find(st.to_code + " "), std::string::npos) << text;
            EXPECT_NE(text.find(st.to_label), std::string::npos) << text;
          }
        }
      }
    }
}

// Golden files of the employer's text (AIG_UPDATE_GOLDEN=1 rewrites them; review the diff).
TEST(ExplainPair, EmployerGoldenFiles) {
  const fs::path dir = kSource / "tests/golden/matching";
  const char* update_env = std::getenv("AIG_UPDATE_GOLDEN");
  const bool update = update_env && std::string_view(update_env) == "1";
  const ProfileBank bank(profiles(), subset(), config());
  for (const char* offer_id : {"EX00040", "EX00041", "EX00018"}) {
    const Offer* o = nullptr;
    for (const Offer& x : offers())
      if (x.id == offer_id) o = &x;
    ASSERT_TRUE(o);
    const std::vector<RankedMatch> listed = bank.top_profiles(*o, 1);
    ASSERT_EQ(listed.size(), 1u);
    const MatchExplanation e = explain_listed(bank, *o, listed, 0);
    for (auto lang : {ExplanationLanguage::fr, ExplanationLanguage::en}) {
      const std::string file = std::string("employer-") + offer_id +
                               (lang == ExplanationLanguage::fr ? ".fr.txt" : ".en.txt");
      const std::string got = e.employer_text(lang);
      if (update) {
        std::ofstream(dir / file, std::ios::binary) << got;
        continue;
      }
      ASSERT_TRUE(fs::exists(dir / file)) << file;
      EXPECT_EQ(got, slurp(dir / file)) << file;
    }
  }
}

}  // namespace
}  // namespace aiguillage
