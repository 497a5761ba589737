#include "aiguillage/matching/exposure.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"
#include "support/matching_generator.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = AIG_SOURCE_DIR;

const Referential& subset() {
  static const Referential r = Referential::load((kSource / "data/rome-subset").string());
  return r;
}

struct Batch {
  std::vector<Profile> persons;
  std::vector<Offer> offers;
};

Batch random_batch(std::uint64_t seed) {
  test_support::MatchingGenerator g(seed, subset());
  Batch b;
  for (std::size_t i = 0; i < 150; ++i) {
    b.persons.push_back(g.profile(i));
    b.persons.back().rqth = g.chance(0.2);
  }
  for (std::size_t i = 0; i < 25; ++i) b.offers.push_back(g.offer(i));
  return b;
}

// The counts by hand: every listed person, grouped by their département and RQTH.
void expect_counts(const Exposure& e, const std::vector<Profile>& persons,
                   const std::set<std::size_t>& listed) {
  std::map<std::pair<std::string, std::string>, std::pair<std::size_t, std::size_t>> want;
  for (std::size_t i = 0; i < persons.size(); ++i) {
    std::string d = profile_departement(persons[i]);
    if (d.empty()) d = "unknown";
    const std::size_t hit = listed.count(i);
    for (auto key : {std::pair<std::string, std::string>{"all", ""},
                     {"departement", d},
                     {"rqth", persons[i].rqth ? "yes" : "no"}}) {
      want[key].first += 1;
      want[key].second += hit;
    }
  }
  std::size_t checked = 0;
  for (const ExposureGroup& g : e.groups) {
    const auto it = want.find({g.dimension, g.value});
    if (it == want.end()) {
      EXPECT_EQ(g.persons, 0u) << g.dimension << " " << g.value;  // rqth yes or no, unseen
      continue;
    }
    EXPECT_EQ(g.persons, it->second.first) << g.dimension << " " << g.value;
    EXPECT_EQ(g.exposed, it->second.second) << g.dimension << " " << g.value;
    EXPECT_DOUBLE_EQ(g.share, static_cast<double>(g.exposed) / static_cast<double>(g.persons));
    ++checked;
  }
  EXPECT_EQ(checked, want.size());
  EXPECT_EQ(e.groups.front().dimension, "all");
}

TEST(Exposure, PersonsInAtLeastOneOffersTopK) {
  const Batch b = random_batch(91);
  const ProfileBank bank(b.persons, subset());
  for (std::size_t k : {1u, 3u, 10u}) {
    const auto answers = bank.top_profiles(b.offers, k, {});
    std::set<std::size_t> listed;
    for (const auto& list : answers)
      for (const RankedMatch& m : list) listed.insert(m.index);
    const Exposure e = exposure_of_persons(b.persons, answers, k);
    EXPECT_TRUE(e.persons_for_offers);
    EXPECT_EQ(e.top, k);
    EXPECT_EQ(e.queries, b.offers.size());
    expect_counts(e, b.persons, listed);
    EXPECT_LT(e.groups.front().exposed, b.persons.size());  // some persons are never listed
    EXPECT_GT(e.groups.front().exposed, 0u);
  }
}

TEST(Exposure, PersonsWithAtLeastOneOfferListed) {
  const Batch b = random_batch(92);
  const OfferBank bank(b.offers, subset());
  MatchFilters filters;
  filters.max_km = 20;  // leaves some persons with no offer at all
  const auto answers = bank.top_offers(b.persons, 5, filters);
  std::set<std::size_t> listed;
  for (std::size_t p = 0; p < answers.size(); ++p)
    if (!answers[p].empty()) listed.insert(p);
  const Exposure e = exposure_of_queries(b.persons, answers, 5);
  EXPECT_FALSE(e.persons_for_offers);
  expect_counts(e, b.persons, listed);
  EXPECT_LT(e.groups.front().exposed, b.persons.size());
}

TEST(Exposure, JsonHasTheSchemaAndFixedOrder) {
  const Batch b = random_batch(93);
  const ProfileBank bank(b.persons, subset());
  const Exposure e = exposure_of_persons(b.persons, bank.top_profiles(b.offers, 2, {}), 2);
  const auto j = nlohmann::ordered_json::parse(e.to_json());
  EXPECT_EQ(j["schema"], "aiguillage.match_exposure");
  EXPECT_EQ(j["schema_version"], "1.0");
  EXPECT_EQ(j["direction"], "persons_for_offers");
  ASSERT_EQ(j["groups"].size(), e.groups.size());
  std::string previous;
  for (const auto& g : j["groups"])
    if (g["dimension"] == "departement") {
      EXPECT_LT(previous, g["value"].get<std::string>());
      previous = g["value"];
    }
  EXPECT_EQ(j["groups"].back()["dimension"], "rqth");
  EXPECT_EQ(j["groups"].back()["value"], "yes");
}

TEST(Exposure, EmptyBatchAndBadAnswers) {
  const Exposure e = exposure_of_persons({}, {}, 10);
  ASSERT_EQ(e.groups.size(), 3u);  // all, rqth no, rqth yes
  EXPECT_EQ(e.groups[0].persons, 0u);
  EXPECT_EQ(e.groups[0].share, 0.0);
  const std::vector<Profile> one(1);
  std::vector<std::vector<RankedMatch>> bad(1);
  bad[0].push_back(RankedMatch{5, {}});
  try {
    (void)exposure_of_persons(one, bad, 1);
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::invalid_argument);
  }
  try {
    (void)exposure_of_queries(one, {}, 1);
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::invalid_argument);
  }
}

}  // namespace
}  // namespace aiguillage
