#include "aiguillage/matching/matcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "aiguillage/core/error.hpp"
#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/retrieval.hpp"
#include "matching/profile_tables.hpp"
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

const ScoringConfig& default_config() {
  static const ScoringConfig c =
      parse_scoring(slurp(kSource / "rules/matching/scoring-default.json"));
  return c;
}

std::vector<Offer> example_offers() {
  return load_offers_jsonl(slurp(kSource / "examples/data/offers-subset.jsonl"), subset()).offers;
}

std::vector<Profile> example_profiles() {
  return load_profiles_jsonl(slurp(kSource / "examples/data/profiles-subset.jsonl"), subset())
      .profiles;
}

// Random documents over the subset's items and fiches: ties, unknown codes, missing
// locations and every constraint occur.
struct Generator : test_support::MatchingGenerator {
  explicit Generator(std::uint64_t seed) : MatchingGenerator(seed, subset()) {}
};

// The reference: every document scored, the filters checked one by one, sorted.
bool offer_passes(const Profile& p, const Offer& o, const MatchFilters& f) {
  if (!f.departements.empty() && std::find(f.departements.begin(), f.departements.end(),
                                           offer_departement(o)) == f.departements.end())
    return false;
  if (!f.contract_types.empty() && std::find(f.contract_types.begin(), f.contract_types.end(),
                                             o.contract_type) == f.contract_types.end())
    return false;
  if (f.max_km && p.location.latitude) {
    if (!o.place.latitude) return false;
    if (haversine_km(GeoPoint{*p.location.latitude, *p.location.longitude},
                     GeoPoint{*o.place.latitude, *o.place.longitude}) > *f.max_km)
      return false;
  }
  return true;
}

bool profile_passes(const Offer& o, const Profile& p, const MatchFilters& f) {
  if (!f.departements.empty() && std::find(f.departements.begin(), f.departements.end(),
                                           profile_departement(p)) == f.departements.end())
    return false;
  if (!f.contract_types.empty() && !p.contract_types.empty()) {
    bool any = false;
    for (const auto& c : f.contract_types)
      any = any || std::find(p.contract_types.begin(), p.contract_types.end(), c) !=
                       p.contract_types.end();
    if (!any) return false;
  }
  if (f.max_km && o.place.latitude) {
    if (!p.location.latitude) return false;
    if (haversine_km(GeoPoint{*o.place.latitude, *o.place.longitude},
                     GeoPoint{*p.location.latitude, *p.location.longitude}) > *f.max_km)
      return false;
  }
  return true;
}

struct Ref {
  std::size_t index;
  double score;
};

std::vector<Ref> brute_top_offers(const Profile& p, const std::vector<Offer>& offers,
                                  const ScoringConfig& config, std::size_t k,
                                  const MatchFilters& f) {
  std::vector<Ref> all;
  for (std::size_t o = 0; o < offers.size(); ++o) {
    if (!offer_passes(p, offers[o], f)) continue;
    const Score s = score(p, offers[o], subset(), config);
    if (!s.excluded) all.push_back({o, s.score});
  }
  std::sort(all.begin(), all.end(), [&](const Ref& a, const Ref& b) {
    return ranks_before(false, a.score, offers[a.index].id, false, b.score, offers[b.index].id);
  });
  if (all.size() > k) all.resize(k);
  return all;
}

std::vector<Ref> brute_top_profiles(const Offer& o, const std::vector<Profile>& profiles,
                                    const ScoringConfig& config, std::size_t k,
                                    const MatchFilters& f) {
  std::vector<Ref> all;
  for (std::size_t p = 0; p < profiles.size(); ++p) {
    if (!profile_passes(o, profiles[p], f)) continue;
    const Score s = score(profiles[p], o, subset(), config);
    if (!s.excluded) all.push_back({p, s.score});
  }
  std::sort(all.begin(), all.end(), [&](const Ref& a, const Ref& b) {
    return ranks_before(false, a.score, profiles[a.index].id, false, b.score, profiles[b.index].id);
  });
  if (all.size() > k) all.resize(k);
  return all;
}

void expect_same(const std::vector<RankedMatch>& got, const std::vector<Ref>& want,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t r = 0; r < got.size(); ++r) {
    EXPECT_EQ(got[r].index, want[r].index) << what << " rank " << r + 1;
    EXPECT_EQ(got[r].score.score, want[r].score) << what << " rank " << r + 1;
  }
}

MatchFilters random_filters(Generator& g) {
  MatchFilters f;
  if (g.chance(0.3))
    for (const char* d : Generator::kDepts)
      if (g.chance(0.4)) f.departements.push_back(d);
  if (g.chance(0.3)) {
    for (const char* c : Generator::kContracts)
      if (g.chance(0.4)) f.contract_types.push_back(c);
    if (g.chance(0.2)) f.contract_types.push_back("LIB");  // named by no document
  }
  if (g.chance(0.3)) f.max_km = g.real(0, 400);
  return f;
}

std::vector<ScoringConfig> configs() {
  std::vector<ScoringConfig> out{default_config()};
  ScoringConfig penalise = default_config();
  penalise.distance = {ConstraintPolicy::penalise, -0.3};
  penalise.licence = {ConstraintPolicy::ignore, 0};
  penalise.intercept = 0.25;
  out.push_back(penalise);
  ScoringConfig competences_only = default_config();
  for (std::size_t t = 2; t < kScoreTermCount; ++t) competences_only.weights[t] = 0;
  out.push_back(competences_only);
  ScoringConfig negative = default_config();  // a negative term: its bound is 0
  negative.weights[static_cast<std::size_t>(ScoreTermKind::distance)] = -0.2;
  out.push_back(negative);
  ScoringConfig no_index = default_config();  // a negative competence weight: full scans
  no_index.weights[0] = -0.1;
  out.push_back(no_index);
  return out;
}

TEST(ReferentialCredits, CreditsFromEqualItemCreditToTheBit) {
  const Referential& ref = subset();
  Generator g(7);
  for (int round = 0; round < 36; ++round) {
    std::vector<ItemId> have;
    for (std::size_t n = 1 + g.uniform(4); n > 0; --n) have.push_back(g.item());
    const int depth = round % 9;
    const auto table = ref.credits_from(have, depth);
    std::size_t reached = 0;
    for (ItemId need = 0; need < ref.item_count(); ++need) {
      const double want = ref.item_credit(have, need, depth).value;
      auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(need, -1.0));
      const double got = it != table.end() && it->first == need ? it->second : 0.0;
      ASSERT_EQ(got, want) << "need " << need << " depth " << depth;
      reached += want > 0;
    }
    EXPECT_EQ(reached, table.size());
  }
}

TEST(ReferentialCredits, CreditsToAgreeWithItemCredit) {
  const Referential& ref = subset();
  Generator g(11);
  for (int round = 0; round < 48; ++round) {
    const ItemId need = g.item();
    const int depth = 1 + round % 8;  // every depth the scoring schema allows
    const auto table = ref.credits_to(need, depth);
    std::size_t reached = 0;
    for (ItemId have = 0; have < ref.item_count(); ++have) {
      const double want = ref.item_credit(have, need, depth).value;
      auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(have, -1.0));
      const double got = it != table.end() && it->first == have ? it->second : 0.0;
      ASSERT_NEAR(got, want, 1e-15) << "have " << have;
      reached += want > 0;
    }
    EXPECT_EQ(reached, table.size());
  }
  EXPECT_THROW(ref.credits_to(static_cast<ItemId>(ref.item_count()), 2), Error);
}

TEST(ReferentialCredits, OccupationsWithinIsTheNearestTarget) {
  const Referential& ref = subset();
  Generator g(3);
  for (int round = 0; round < 20; ++round) {
    std::vector<OccupationId> from;
    for (std::size_t n = g.uniform(3); n > 0; --n) from.push_back(g.fiche());
    const int steps = static_cast<int>(g.uniform(4));
    const auto table = ref.occupations_within(from, steps);
    for (OccupationId to = 0; to < ref.occupation_count(); ++to) {
      std::optional<int> want;
      for (OccupationId f : from) {
        auto d = ref.occupation_distance(f, to, steps);
        if (d && (!want || *d < *want)) want = d;
      }
      auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(to, -1));
      const bool found = it != table.end() && it->first == to;
      ASSERT_EQ(found, want.has_value()) << to;
      if (found) {
        EXPECT_EQ(it->second, *want);
      }
    }
  }
}

TEST(ReferentialCredits, OccupationsReachingIsTheDistanceToTheFiche) {
  const Referential& ref = subset();
  Generator g(4);
  for (int round = 0; round < 20; ++round) {
    const OccupationId to = g.fiche();
    const int steps = static_cast<int>(g.uniform(4));
    const auto table = ref.occupations_reaching(to, steps);
    for (OccupationId from = 0; from < ref.occupation_count(); ++from) {
      const auto want = ref.occupation_distance(from, to, steps);
      auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(from, -1));
      const bool found = it != table.end() && it->first == from;
      ASSERT_EQ(found, want.has_value()) << from;
      if (found) {
        EXPECT_EQ(it->second, *want);
      }
    }
  }
}

TEST(QuickScore, OfferTablesGiveTheScoreWithinRounding) {
  Generator g(8);
  std::vector<Offer> offers = example_offers();
  for (std::size_t i = 0; i < 40; ++i) offers.push_back(g.offer(i));
  std::vector<Profile> profiles = example_profiles();
  for (std::size_t i = 0; i < 80; ++i) profiles.push_back(g.profile(i));
  for (const ScoringConfig& config : configs())
    for (const Offer& o : offers) {
      const detail::OfferTables tables(o, subset(), config);
      for (const Profile& p : profiles) {
        const Score want = score(p, o, subset(), config);
        const Score got = detail::approx_score(p, o, tables, subset(), config);
        ASSERT_NEAR(got.score, want.score, 1e-13) << p.id << " " << o.id;
        ASSERT_EQ(got.excluded, want.excluded);
        ASSERT_EQ(got.reasons, want.reasons);
        ASSERT_EQ(got.mobility_steps, want.mobility_steps);
      }
    }
}

TEST(QuickScore, CreditsAreItemCreditsAndTablesGiveTheSameScore) {
  Generator g(5);
  std::vector<Offer> offers = example_offers();
  for (std::size_t i = 0; i < 120; ++i) offers.push_back(g.offer(i));
  std::vector<Profile> profiles = example_profiles();
  for (std::size_t i = 0; i < 25; ++i) profiles.push_back(g.profile(i));
  for (const ScoringConfig& config : configs())
    for (const Profile& p : profiles) {
      // The reference: one item_credit search per competence and evidence group.
      std::vector<ItemId> held[3];
      for (const auto& pc : p.competences)
        if (pc.item != kNoId)
          held[pc.evidence == Evidence::certified   ? 0
               : pc.evidence == Evidence::validated ? 1
                                                    : 2]
              .push_back(pc.item);
      const double factor[3] = {config.evidence_certified, config.evidence_validated,
                                config.evidence_declared};
      const detail::ProfileTables tables(p, subset(), config);
      for (const Offer& o : offers) {
        const Score want = score(p, o, subset(), config);
        const Score got = detail::quick_score(p, o, tables, config);
        ASSERT_EQ(got.score, want.score) << p.id << " " << o.id;
        ASSERT_EQ(got.excluded, want.excluded);
        ASSERT_EQ(got.reasons, want.reasons);
        ASSERT_EQ(got.mobility_steps, want.mobility_steps);
        for (std::size_t c = 0; c < o.competences.size(); ++c) {
          const CompetenceCover& cover = got.competences[c];
          ASSERT_EQ(cover.credit.path.size(), want.competences[c].credit.path.size());
          if (o.competences[c].item == kNoId) continue;
          double best = 0;
          for (int k = 0; k < 3; ++k)
            if (!held[k].empty())
              best = std::max(best, subset().item_credit(held[k], o.competences[c].item,
                                                         config.credit_depth, config.credit)
                                            .value *
                                        factor[k]);
          ASSERT_EQ(cover.value, best) << p.id << " " << o.id << " competence " << c;
          if (cover.value == 0) continue;
          // The path named produces the credit, from a held item to the competence.
          double product = 1;
          for (const CreditStep& step : cover.credit.path) product *= step.factor;
          EXPECT_NEAR(product, cover.credit.value, 1e-15);
          EXPECT_LE(cover.credit.path.size(), static_cast<std::size_t>(config.credit_depth));
          if (!cover.credit.path.empty()) {
            EXPECT_EQ(cover.credit.path.back().to.id, o.competences[c].item);
            EXPECT_EQ(cover.credit.path.front().from.id, cover.credit.from);
          }
        }
      }
    }
}

TEST(OfferBank, ExampleTopOffersEqualScoringEveryOffer) {
  const std::vector<Offer> offers = example_offers();
  const OfferBank bank(offers, subset(), default_config());
  EXPECT_EQ(bank.size(), offers.size());
  for (const Profile& p : example_profiles())
    for (std::size_t k : {1, 3, 10, 100}) {
      const auto got = bank.top_offers(p, k);
      expect_same(got, brute_top_offers(p, offers, default_config(), k, {}), p.id);
      for (const RankedMatch& m : got) {
        // The answer is the full score, credit paths included.
        const Score s = score(p, offers[m.index], subset(), default_config());
        ASSERT_EQ(m.score.competences.size(), s.competences.size());
        for (std::size_t c = 0; c < s.competences.size(); ++c)
          EXPECT_EQ(m.score.competences[c].credit.path.size(), s.competences[c].credit.path.size());
      }
    }
}

TEST(OfferBank, RandomBanksEqualScoringEveryOffer) {
  Generator g(2025);
  std::vector<Offer> offers;
  for (std::size_t i = 0; i < 400; ++i) offers.push_back(g.offer(i));
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < 25; ++i) profiles.push_back(g.profile(i));
  for (const ScoringConfig& config : configs()) {
    const OfferBank bank(offers, subset(), config);
    for (const Profile& p : profiles) {
      const std::size_t k = 1 + g.uniform(20);
      const MatchFilters f = random_filters(g);
      expect_same(bank.top_offers(p, k, f), brute_top_offers(p, offers, config, k, f),
                  p.id + " k=" + std::to_string(k));
    }
  }
}

TEST(OfferBank, TheBoundSparesMostOffers) {
  // Competence-heavy weights: a person whose competences are asked by a few offers only.
  Generator g(99);
  std::vector<Offer> offers;
  for (std::size_t i = 0; i < 2000; ++i) offers.push_back(g.offer(i));
  ScoringConfig config = default_config();
  for (std::size_t t = 2; t < kScoreTermCount; ++t) config.weights[t] = 0.01;
  const OfferBank bank(offers, subset(), config);
  Profile p = g.profile(0);
  p.competences.clear();
  for (const OfferCompetence& c : offers[0].competences)
    if (c.item != kNoId) p.competences.push_back({c.code, Evidence::certified, {}, c.item});
  p.max_distance_km.reset();
  MatchSearchStatistics stats;
  const auto got = bank.top_offers(p, 5, {}, &stats);
  expect_same(got, brute_top_offers(p, offers, config, 5, {}), "bound");
  EXPECT_FALSE(stats.full_scan);
  EXPECT_LT(stats.scored, offers.size() / 2);
  EXPECT_GE(stats.rounds, 1u);
}

TEST(Banks, WithTheDefaultWeightsTheBoundSparesMostDocuments) {
  // Offers of one fiche each: the persons who hold that fiche's competences come first.
  Generator g(31);
  std::vector<Offer> offers;
  for (std::size_t i = 0; i < 1500; ++i) offers.push_back(g.offer(i));
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < 1500; ++i) profiles.push_back(g.profile(i));
  const OfferBank offer_bank(offers, subset(), default_config());
  const ProfileBank profile_bank(profiles, subset(), default_config());
  std::size_t offers_scored = 0, persons_scored = 0;
  for (std::size_t q = 0; q < 10; ++q) {
    MatchSearchStatistics a, b;
    expect_same(offer_bank.top_offers(profiles[q], 5, {}, &a),
                brute_top_offers(profiles[q], offers, default_config(), 5, {}), "offers");
    expect_same(profile_bank.top_profiles(offers[q], 5, {}, &b),
                brute_top_profiles(offers[q], profiles, default_config(), 5, {}), "persons");
    offers_scored += a.scored;
    persons_scored += b.scored;
  }
  EXPECT_LT(offers_scored, 10 * offers.size() / 2);
  EXPECT_LT(persons_scored, 10 * profiles.size() / 2);
}

TEST(ProfileBank, RandomBanksEqualScoringEveryPerson) {
  Generator g(77);
  std::vector<Profile> profiles = example_profiles();
  for (std::size_t i = 0; i < 300; ++i) profiles.push_back(g.profile(i));
  std::vector<Offer> offers = example_offers();
  for (std::size_t i = 0; i < 20; ++i) offers.push_back(g.offer(i));
  for (const ScoringConfig& config : configs()) {
    const ProfileBank bank(profiles, subset(), config);
    for (const Offer& o : offers) {
      const std::size_t k = 1 + g.uniform(15);
      const MatchFilters f = random_filters(g);
      expect_same(bank.top_profiles(o, k, f), brute_top_profiles(o, profiles, config, k, f),
                  o.id + " k=" + std::to_string(k));
    }
  }
}

// The bound of a candidate takes each competence of the offer once (the best item the person
// holds toward it), the project by the nearest target and the distance term exactly: cases
// where a looser reading would differ (an offer asking twice for one competence, persons
// holding one item under two evidences, several targets, no default distance, decays of 0 and
// 1, offers without a place) against brute force, with many ties.
TEST(ProfileBank, CandidateBoundsHoldWhereTheyAreTight) {
  Generator g(5150);
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < 400; ++i) {
    Profile p = g.profile(i);
    if (!p.competences.empty() && g.chance(0.5)) {
      ProfileCompetence again = p.competences.front();
      again.evidence = static_cast<Evidence>((static_cast<int>(again.evidence) + 1) % 3);
      p.competences.push_back(again);
    }
    for (std::size_t t = g.uniform(3); t > 0; --t) p.target_occupations.push_back(g.fiche());
    if (g.chance(0.2)) p.max_distance_km = 0;
    if (g.chance(0.2)) profiles.push_back(p);  // the same person twice under another id
    p.id += "b";
    profiles.push_back(p);
  }
  std::vector<Offer> offers;
  for (std::size_t i = 0; i < 40; ++i) {
    Offer o = g.offer(i);
    if (!o.competences.empty()) o.competences.push_back(o.competences.front());
    if (g.chance(0.3)) o.place = {};
    offers.push_back(o);
  }
  std::vector<ScoringConfig> variants;
  for (double decay : {0.0, 1.0})
    for (double default_km : {0.0, 30.0}) {
      ScoringConfig c = default_config();
      c.project_decay = decay;
      c.default_max_distance_km = default_km;
      c.project_max_steps = 3;
      variants.push_back(c);
    }
  ScoringConfig distance_heavy = default_config();
  distance_heavy.weights[static_cast<std::size_t>(ScoreTermKind::distance)] = 0.6;
  distance_heavy.distance = {ConstraintPolicy::ignore, 0};
  variants.push_back(distance_heavy);
  for (const ScoringConfig& config : variants) {
    const ProfileBank bank(profiles, subset(), config);
    for (const Offer& o : offers) {
      const std::size_t k = 1 + g.uniform(12);
      const MatchFilters f = random_filters(g);
      expect_same(bank.top_profiles(o, k, f), brute_top_profiles(o, profiles, config, k, f),
                  o.id + " k=" + std::to_string(k));
    }
  }
}

// The person bank numbers persons by geographic cell and reads, around an offer, only the cells
// within the radius that applies: persons across the antimeridian, near a pole, on cell edges,
// at the radius itself, without a place or with a place out of range, against brute force.
TEST(ProfileBank, CellsAroundTheOfferMissNobody) {
  Generator g(4242);
  const double spots[][2] = {{0.0, 179.95},  {0.0, -179.95}, {89.9, 10.0}, {89.9, -170.0},
                             {-89.95, 45.0}, {48.75, 2.25},  {48.5, 2.5},  {-33.9, 151.2},
                             {64.1, -21.9},  {48.86, 2.35}};
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < 400; ++i) {
    Profile p = g.profile(i);
    const auto& at = spots[g.uniform(10)];
    p.location.latitude = std::clamp(at[0] + g.real(-0.3, 0.3), -90.0, 90.0);
    double lon = at[1] + g.real(-0.3, 0.3);
    if (lon > 180) lon -= 360;
    if (lon < -180) lon += 360;
    p.location.longitude = lon;
    if (g.chance(0.1)) p.location = {};
    if (g.chance(0.05)) p.location.latitude = 95, p.location.longitude = 0;  // not a place
    if (g.chance(0.4)) p.max_distance_km = g.real(0, 60);
    profiles.push_back(p);
  }
  std::vector<Offer> offers;
  for (std::size_t i = 0; i < 40; ++i) {
    Offer o = g.offer(i);
    const auto& at = spots[g.uniform(10)];
    o.place.latitude = at[0];
    o.place.longitude = at[1];
    if (g.chance(0.1)) o.place = {};
    offers.push_back(o);
  }
  for (const ScoringConfig& config : {default_config(), configs()[1]}) {
    const ProfileBank bank(profiles, subset(), config);
    for (const Offer& o : offers)
      for (std::optional<double> km :
           {std::optional<double>(), std::optional<double>(0.0), std::optional<double>(25.0),
            std::optional<double>(80.0), std::optional<double>(25000.0)}) {
        MatchFilters f;
        f.max_km = km;
        const std::size_t k = 1 + g.uniform(20);
        expect_same(bank.top_profiles(o, k, f), brute_top_profiles(o, profiles, config, k, f),
                    o.id + " k=" + std::to_string(k) + " km=" + std::to_string(km.value_or(-1)));
      }
  }
}

// The smallest case of a credit that only a 5-edge path gives (issue: the backward bound of the
// person bank stopped short of it): one offer asking for `need`, a person holding `have` whose
// credit for it comes from that path, another holding `need` itself with a weaker evidence
// factor, so that the first must rank first.
TEST(ProfileBank, AFiveEdgeCreditRanksFirstAtDepthFive) {
  const Referential& ref = subset();
  // A pair whose best credit needs 5 edges (depth 4 gives less).
  ItemId have = kNoId, need = kNoId;
  double credit = 0;
  for (ItemId n = 0; n < ref.item_count() && have == kNoId; ++n) {
    if (ref.item(n).kind != ItemKind::rome_competence) continue;
    for (const auto& [h, c5] : ref.credits_to(n, 5)) {
      const Credit c = ref.item_credit(h, n, 5);
      if (c.path.size() == 5 && c.value > ref.item_credit(h, n, 4).value) {
        have = h, need = n, credit = c.value;
        break;
      }
    }
  }
  ASSERT_NE(have, kNoId) << "the subset holds no 5-edge credit";
  ScoringConfig config = default_config();
  config.credit_depth = 5;
  for (std::size_t t = 2; t < kScoreTermCount; ++t) config.weights[t] = 0;
  config.evidence_declared = credit * 0.999;
  Offer offer;
  offer.id = "O1";
  offer.competences.push_back({ref.item(need).code, "", Requirement::required, need});
  Profile far, near;
  far.id = "P1";
  far.competences.push_back({ref.item(have).code, Evidence::certified, {}, have});
  near.id = "P2";
  near.competences.push_back({ref.item(need).code, Evidence::declared, {}, need});
  const std::vector<Profile> profiles = {far, near};
  const ProfileBank bank(profiles, ref, config);
  const auto got = bank.top_profiles(offer, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].index, 0u);
  EXPECT_EQ(got[0].score.score, score(far, offer, ref, config).score);
  EXPECT_EQ(got[0].score.competences[0].credit.path.size(), 5u);
  expect_same(got, brute_top_profiles(offer, profiles, config, 1, {}), "five edges");
}

// Every credit depth the scoring schema allows (1..8), both directions, against brute force:
// the bound of each direction must hold for paths of every length.
TEST(Banks, EveryCreditDepthEqualsScoringEveryDocument) {
  Generator g(4242);
  std::vector<Profile> profiles = example_profiles();
  for (std::size_t i = 0; i < 80; ++i) profiles.push_back(g.profile(i));
  std::vector<Offer> offers = example_offers();
  for (std::size_t i = 0; i < 80; ++i) offers.push_back(g.offer(i));
  for (int depth = 1; depth <= 8; ++depth)
    for (ScoringConfig config : configs()) {
      config.credit_depth = depth;
      const ProfileBank persons(profiles, subset(), config);
      const OfferBank jobs(offers, subset(), config);
      const std::string what = config.id + " depth " + std::to_string(depth);
      for (std::size_t q = 0; q < 4; ++q) {
        const Offer& o = offers[g.uniform(offers.size())];
        const Profile& p = profiles[g.uniform(profiles.size())];
        for (std::size_t k : {std::size_t{1}, 1 + g.uniform(12)}) {
          const MatchFilters f = q % 2 ? random_filters(g) : MatchFilters{};
          expect_same(persons.top_profiles(o, k, f), brute_top_profiles(o, profiles, config, k, f),
                      what + " persons for " + o.id + " k=" + std::to_string(k));
          expect_same(jobs.top_offers(p, k, f), brute_top_offers(p, offers, config, k, f),
                      what + " offers for " + p.id + " k=" + std::to_string(k));
        }
      }
    }
}

TEST(Banks, BatchesEqualSingleQueries) {
  Generator g(12);
  std::vector<Offer> offers;
  for (std::size_t i = 0; i < 300; ++i) offers.push_back(g.offer(i));
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < 40; ++i) profiles.push_back(g.profile(i));
  const OfferBank offer_bank(offers, subset(), default_config());
  const ProfileBank profile_bank(profiles, subset(), default_config());
  MatchFilters f;
  f.max_km = 150;
  for (std::size_t threads : {1, 3}) {
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    MatchBatchOptions options;
    options.threads = threads;
    options.progress = [&](std::size_t done, std::size_t total) {
      calls.emplace_back(done, total);
    };
    const auto many = offer_bank.top_offers(profiles, 7, f, options);
    ASSERT_EQ(many.size(), profiles.size());
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      const auto one = offer_bank.top_offers(profiles[i], 7, f);
      ASSERT_EQ(many[i].size(), one.size());
      for (std::size_t r = 0; r < one.size(); ++r) {
        EXPECT_EQ(many[i][r].index, one[r].index);
        EXPECT_EQ(many[i][r].score.score, one[r].score.score);
      }
    }
    ASSERT_FALSE(calls.empty());
    EXPECT_EQ(calls.back(), std::make_pair(profiles.size(), profiles.size()));
    for (std::size_t c = 1; c < calls.size(); ++c) EXPECT_LE(calls[c - 1].first, calls[c].first);
    const auto back = profile_bank.top_profiles(offers, 4, {}, options);
    for (std::size_t i = 0; i < offers.size(); ++i) {
      const auto one = profile_bank.top_profiles(offers[i], 4);
      ASSERT_EQ(back[i].size(), one.size());
      for (std::size_t r = 0; r < one.size(); ++r) EXPECT_EQ(back[i][r].index, one[r].index);
    }
  }
}

TEST(Banks, ProgressExceptionStopsTheBatch) {
  Generator g(1);
  std::vector<Offer> offers;
  for (std::size_t i = 0; i < 50; ++i) offers.push_back(g.offer(i));
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < 30; ++i) profiles.push_back(g.profile(i));
  const OfferBank bank(offers, subset(), default_config());
  for (std::size_t threads : {1, 2}) {
    MatchBatchOptions options;
    options.threads = threads;
    options.progress = [](std::size_t, std::size_t) { throw std::runtime_error("stop"); };
    EXPECT_THROW(bank.top_offers(profiles, 3, {}, options), std::runtime_error);
  }
}

TEST(Banks, BadQueriesHaveCodesAndPointers) {
  const OfferBank bank(example_offers(), subset(), default_config());
  const Profile p = example_profiles().front();
  try {
    bank.top_offers(p, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(e.pointer(), "/k");
  }
  MatchFilters f;
  f.max_km = -1;
  try {
    bank.top_offers(p, 3, f);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.pointer(), "/filters/max_km");
  }
  const ProfileBank persons(example_profiles(), subset(), default_config());
  EXPECT_THROW(persons.top_profiles(example_offers().front(), 0), Error);
  // Empty banks and filters no document passes answer nothing.
  const OfferBank empty({}, subset(), default_config());
  EXPECT_TRUE(empty.top_offers(p, 5).empty());
  MatchFilters none;
  none.departements = {"00"};
  EXPECT_TRUE(bank.top_offers(p, 5, none).empty());
}

TEST(Departements, FromLabelOrPostalCode) {
  Offer o;
  o.place.label = "75 - Paris 11e";
  EXPECT_EQ(offer_departement(o), "75");
  o.place.label = "2A - Ajaccio";
  EXPECT_EQ(offer_departement(o), "2A");
  o.place.label = "971 - Les Abymes";
  EXPECT_EQ(offer_departement(o), "971");
  o.place.label = "Paris";
  o.place.postal_code = "20167";
  EXPECT_EQ(offer_departement(o), "2A");
  o.place.postal_code = "20200";
  EXPECT_EQ(offer_departement(o), "2B");
  o.place.postal_code = "97400";
  EXPECT_EQ(offer_departement(o), "974");
  o.place.postal_code = "06000";
  EXPECT_EQ(offer_departement(o), "06");
  o.place.postal_code = "6000";
  EXPECT_EQ(offer_departement(o), "");
  Profile p;
  p.location.postal_code = "59000";
  EXPECT_EQ(profile_departement(p), "59");
  p.location.departement = "62";
  EXPECT_EQ(profile_departement(p), "62");
}

}  // namespace
}  // namespace aiguillage
