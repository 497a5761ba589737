#include "aiguillage/matching/explanation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

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

const Offer& offer_by_id(const std::string& id) {
  for (const Offer& o : offers())
    if (o.id == id) return o;
  throw std::runtime_error("no offer " + id);
}

const Profile& profile_by_id(const std::string& id) {
  for (const Profile& p : profiles())
    if (p.id == id) return p;
  throw std::runtime_error("no profile " + id);
}

// The explanation of every example pair among all the offers, computed once.
const MatchExplanation& explained(const Profile& p, const Offer& o) {
  static const std::vector<MatchExplanation> all = [] {
    std::vector<MatchExplanation> v;
    for (const Profile& q : profiles())
      for (const Offer& x : offers())
        v.push_back(explain_match(q, x, subset(), config(), offers()));
    return v;
  }();
  const auto pi = static_cast<std::size_t>(&p - profiles().data());
  const auto oi = static_cast<std::size_t>(&o - offers().data());
  return all.at(pi * offers().size() + oi);
}

// Every contribution of a score: the terms, then the penalties.
std::vector<double> contributions(const MatchExplanation& e) {
  std::vector<double> out;
  for (const ScoreTerm& t : e.terms) out.push_back(t.contribution);
  for (const Penalty& p : e.penalties) out.push_back(p.contribution);
  return out;
}

// The rank of every offer for `p`, by an independent sort of the full cohort.
std::map<std::string, std::size_t> reference_ranks(const Profile& p) {
  struct Row {
    bool excluded;
    double score;
    std::string id;
  };
  std::vector<Row> rows;
  for (const Offer& o : offers()) {
    Score s = score(p, o, subset(), config());
    rows.push_back({s.excluded, s.score, o.id});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.excluded != b.excluded) return b.excluded;
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  });
  std::map<std::string, std::size_t> out;
  for (std::size_t k = 0; k < rows.size(); ++k) out[rows[k].id] = k + 1;
  return out;
}

TEST(ExplanationTest, ExampleDataLoads) {
  ASSERT_EQ(offers().size(), 50u);
  ASSERT_EQ(profiles().size(), 6u);
}

TEST(ExplanationTest, ContributionsAndInterceptSumToTheScore) {
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation& e = explained(p, o);
      double sum = e.intercept;
      for (double c : contributions(e)) sum += c;
      EXPECT_NEAR(sum, e.score, 1e-12 * std::max(1.0, std::fabs(e.score))) << p.id << " " << o.id;
      // The JSON form adds up too.
      const json j = json::parse(e.to_json());
      double js = j["intercept"].get<double>();
      for (const auto& t : j["terms"]) js += t["contribution"].get<double>();
      for (const auto& t : j["penalties"]) js += t["contribution"].get<double>();
      EXPECT_NEAR(js, j["score"].get<double>(), 1e-12 * std::max(1.0, std::fabs(e.score)));
      EXPECT_EQ(e.score, score(p, o, subset(), config()).score);
    }
}

TEST(ExplanationTest, ReasonsAreTheLargestContributions) {
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation& e = explained(p, o);
      ASSERT_LE(e.reasons.size(), 4u);
      for (std::size_t k = 1; k < e.reasons.size(); ++k)
        EXPECT_GE(std::fabs(e.reasons[k - 1].contribution), std::fabs(e.reasons[k].contribution));
      // Each reason is one of the contributions, and no contribution left out is larger than
      // the smallest reason; when fewer than four are given, the rest are zero.
      std::vector<double> rest = contributions(e);
      for (const MatchReason& r : e.reasons) {
        EXPECT_NE(r.contribution, 0);
        auto it = std::find(rest.begin(), rest.end(), r.contribution);
        ASSERT_NE(it, rest.end()) << r.name;
        rest.erase(it);
      }
      const double smallest = e.reasons.empty() ? 0 : std::fabs(e.reasons.back().contribution);
      for (double c : rest) {
        EXPECT_LE(std::fabs(c), smallest) << p.id << " " << o.id;
        if (e.reasons.size() < 4) {
          EXPECT_EQ(c, 0);
        }
      }
    }
}

// The modified profile is built here by hand, not by apply_change, and re-scored.
Profile changed_by_hand(const Profile& p, const Counterfactual& c) {
  Profile q = p;
  switch (c.kind) {
    case ChangeKind::add_competence:
      q.competences.push_back({c.code, c.evidence, std::nullopt, subset().find_item(c.code)});
      break;
    case ChangeKind::add_licence:
      q.licences.push_back(c.code);
      break;
    case ChangeKind::add_diploma:
      q.diplomas.push_back({"x", c.diploma_level});
      break;
    case ChangeKind::widen_distance:
      q.max_distance_km = c.max_distance_km;
      break;
  }
  return q;
}

TEST(ExplanationTest, CounterfactualScoreAndRankAreThoseOfReScoring) {
  std::size_t checked = 0;
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation& e = explained(p, o);
      // The unchanged person's order is the same for every offer: sorted once per person.
      static std::map<std::string, std::map<std::string, std::size_t>> ranks;
      if (!ranks.count(p.id)) ranks[p.id] = reference_ranks(p);
      EXPECT_EQ(e.rank.rank, ranks[p.id][o.id]);
      EXPECT_EQ(e.rank.size, offers().size());
      if (!e.counterfactual) continue;
      ++checked;
      const Counterfactual& c = *e.counterfactual;
      const Profile q = changed_by_hand(p, c);
      const Score s = score(q, o, subset(), config());
      EXPECT_EQ(c.score_after, s.score) << p.id << " " << o.id;
      EXPECT_EQ(c.excluded_after, s.excluded);
      EXPECT_EQ(c.score_before, e.score);
      EXPECT_TRUE(c.score_after > c.score_before || (c.excluded_before && !c.excluded_after));
      EXPECT_EQ(c.rank_after.rank, reference_ranks(q).at(o.id)) << p.id << " " << o.id;
      EXPECT_EQ(c.rank_before.rank, e.rank.rank);
    }
  EXPECT_GT(checked, 100u);
}

TEST(ExplanationTest, CounterfactualIsTheBestSingleChange) {
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation& e = explained(p, o);
      const Score base = score(p, o, subset(), config());
      // Every single change of the allowed kinds, enumerated independently.
      std::vector<Counterfactual> all;
      for (const OfferCompetence& c : o.competences)
        if (c.requirement == Requirement::required && c.item != kNoId) {
          Counterfactual x;
          x.kind = ChangeKind::add_competence;
          x.code = c.code;
          all.push_back(x);
        }
      for (const OfferCondition& l : o.licences) {
        Counterfactual x;
        x.kind = ChangeKind::add_licence;
        x.code = l.label;
        all.push_back(x);
      }
      for (const OfferFormation& f : o.formations) {
        Counterfactual x;
        x.kind = ChangeKind::add_diploma;
        x.diploma_level = f.level;
        all.push_back(x);
      }
      if (base.distance_km && p.max_distance_km) {
        Counterfactual x;
        x.kind = ChangeKind::widen_distance;
        x.max_distance_km = std::ceil(*base.distance_km / 5) * 5;
        if (*base.distance_km > *p.max_distance_km) all.push_back(x);
      }
      auto key = [](const Score& s) { return std::pair{!s.excluded, s.score}; };
      for (const Counterfactual& x : all) {
        const Score s = score(changed_by_hand(p, x), o, subset(), config());
        if (e.counterfactual) {
          EXPECT_LE(key(s),
                    (std::pair{!e.counterfactual->excluded_after, e.counterfactual->score_after}))
              << p.id << " " << o.id << " " << change_kind_name(x.kind) << " " << x.code;
        } else {
          EXPECT_LE(key(s), key(base)) << p.id << " " << o.id << " " << x.code;
        }
      }
    }
}

TEST(ExplanationTest, CounterfactualNeverTouchesWhatThePersonCannotChange) {
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation& e = explained(p, o);
      if (!e.counterfactual) continue;
      const Counterfactual& c = *e.counterfactual;
      ASSERT_TRUE(c.kind == ChangeKind::add_competence || c.kind == ChangeKind::add_licence ||
                  c.kind == ChangeKind::add_diploma || c.kind == ChangeKind::widen_distance);
      const Profile q = apply_change(p, c, subset());
      EXPECT_EQ(q.id, p.id);
      EXPECT_EQ(q.rqth, p.rqth);
      EXPECT_EQ(q.target_rome, p.target_rome);
      EXPECT_EQ(q.target_appellations, p.target_appellations);
      EXPECT_EQ(q.location.latitude, p.location.latitude);
      EXPECT_EQ(q.location.longitude, p.location.longitude);
      EXPECT_EQ(q.location.departement, p.location.departement);
      EXPECT_EQ(q.experience.size(), p.experience.size());
      EXPECT_EQ(q.languages.size(), p.languages.size());
      EXPECT_EQ(q.contract_types, p.contract_types);
      EXPECT_EQ(q.working_times, p.working_times);
      EXPECT_EQ(q.available_from.has_value(), p.available_from.has_value());
      // Exactly one thing is added or widened.
      const std::size_t added = (q.competences.size() - p.competences.size()) +
                                (q.licences.size() - p.licences.size()) +
                                (q.diplomas.size() - p.diplomas.size()) +
                                (q.max_distance_km != p.max_distance_km ? 1 : 0);
      EXPECT_EQ(added, 1u);
      // The words say nothing about age, sex or disability.
      for (auto lang : {ExplanationLanguage::fr, ExplanationLanguage::en}) {
        const std::string t = e.to_json(lang);
        for (const char* word : {"RQTH", "rqth\"", "âge", " age ", "sexe", " sex "})
          EXPECT_EQ(t.find(word), std::string::npos) << word;
      }
    }
}

TEST(ExplanationTest, MissingRequiredLicenceIsTheCounterfactualThatLiftsTheExclusion) {
  Offer o = offer_by_id("EX00001");
  o.licences.push_back({"CACES R489 - Chariot élévateur", Requirement::required});
  const Profile& p = profile_by_id("P0001");
  const MatchExplanation e = explain_match(p, o, subset(), config(), offers());
  ASSERT_TRUE(e.excluded);
  // The diploma is missing and the distance beyond P0001's maximum as well.
  ASSERT_EQ(e.constraints,
            (std::vector<std::string>{"licence_missing", "diploma_missing", "distance_exceeded"}));
  // Either change alone leaves the offer excluded: the best single change is the one raising
  // the score most, and the explanation says the exclusion stays.
  ASSERT_TRUE(e.counterfactual);
  EXPECT_TRUE(e.counterfactual->excluded_after);

  // Nearby, only the licence is missing: obtaining it lifts the exclusion.
  Offer near = o;
  near.place.latitude = p.location.latitude;
  near.place.longitude = p.location.longitude;
  const MatchExplanation n = explain_match(p, near, subset(), config(), offers());
  ASSERT_TRUE(n.excluded);
  ASSERT_TRUE(n.counterfactual);
  EXPECT_EQ(n.counterfactual->kind, ChangeKind::add_licence);
  EXPECT_EQ(n.counterfactual->code, "CACES R489 - Chariot élévateur");
  EXPECT_FALSE(n.counterfactual->excluded_after);
  const std::string fr = n.summary_text(ExplanationLanguage::fr);
  EXPECT_NE(fr.find("avec le permis « CACES R489 - Chariot élévateur », le score passerait de"),
            std::string::npos)
      << fr;
  EXPECT_NE(fr.find("et l'offre ne serait plus exclue"), std::string::npos) << fr;
  const std::string en = n.summary_text(ExplanationLanguage::en);
  EXPECT_NE(en.find("with the licence \"CACES R489 - Chariot élévateur\", the score would rise"),
            std::string::npos)
      << en;
}

TEST(ExplanationTest, DistanceBeyondTheMaximumProposesAWiderMaximum) {
  Offer o = offer_by_id("EX00001");  // Saint-Quentin, about 100 km from P0001 in Lille
  o.formations.clear();
  Profile p = profile_by_id("P0001");
  const MatchExplanation e = explain_match(p, o, subset(), config(), offers());
  ASSERT_TRUE(e.excluded);
  ASSERT_TRUE(e.counterfactual);
  EXPECT_EQ(e.counterfactual->kind, ChangeKind::widen_distance);
  EXPECT_GE(e.counterfactual->max_distance_km, *e.distance_km);
  EXPECT_LT(e.counterfactual->max_distance_km, *e.distance_km + 5);
  EXPECT_EQ(std::fmod(e.counterfactual->max_distance_km, 5.0), 0.0);
  EXPECT_FALSE(e.counterfactual->excluded_after);
}

TEST(ExplanationTest, UnknownOfferCodesAreListed) {
  const Offer* with_unknown = nullptr;
  for (const Offer& o : offers())
    if (!o.unknown.empty()) with_unknown = &o;
  ASSERT_NE(with_unknown, nullptr);
  const MatchExplanation e =
      explain_match(profiles()[0], *with_unknown, subset(), config(), offers());
  ASSERT_EQ(e.unknown.size(), with_unknown->unknown.size());
  EXPECT_EQ(e.unknown[0].document, "offer");
  EXPECT_EQ(e.unknown[0].code, with_unknown->unknown[0].code);
  EXPECT_NE(e.to_text().find(with_unknown->unknown[0].code), std::string::npos);
  const json j = json::parse(e.to_json());
  EXPECT_EQ(j["unknown_codes"][0]["pointer"], with_unknown->unknown[0].pointer);
  bool marked = false;
  for (const auto& c : j["competences"]) marked = marked || c["unknown_code"].get<bool>();
  EXPECT_TRUE(marked);
}

TEST(ExplanationTest, PartialCreditsNameTheirEdges) {
  std::size_t with_path = 0;
  for (const Profile& p : profiles())
    for (const Offer& o : offers()) {
      const MatchExplanation& e = explained(p, o);
      for (const ExplainedCompetence& c : e.competences) {
        if (c.path.empty()) continue;
        ++with_path;
        double product = 1;
        for (const ExplainedStep& s : c.path) product *= s.factor;
        EXPECT_NEAR(product, c.credit, 1e-12);
        EXPECT_EQ(c.path.front().from_code, c.held_code);
        EXPECT_EQ(c.path.back().to_code, c.code);
        EXPECT_DOUBLE_EQ(c.value, c.credit * c.evidence);
      }
    }
  EXPECT_GT(with_path, 0u);
}

TEST(ExplanationTest, CohortOfPersonsForOneOffer) {
  const Offer& o = offers()[0];
  for (const Profile& p : profiles()) {
    const MatchExplanation e = explain_match(p, o, subset(), config(), profiles());
    EXPECT_EQ(e.rank.kind, CohortKind::profiles_for_offer);
    EXPECT_EQ(e.rank.size, profiles().size());
    std::size_t before = 0;
    const Score own = score(p, o, subset(), config());
    for (const Profile& q : profiles()) {
      const Score s = score(q, o, subset(), config());
      if (q.id != p.id && ranks_before(s.excluded, s.score, q.id, own.excluded, own.score, p.id))
        ++before;
    }
    EXPECT_EQ(e.rank.rank, before + 1);
    EXPECT_NE(e.summary_text().find("candidatures"), std::string::npos);
  }
}

TEST(ExplanationTest, OrdinalsAndNumbersAreFormattedOneWay) {
  MatchExplanation e;
  e.offer_id = "O";
  e.profile_id = "P";
  e.score = 0.615;
  for (std::size_t r : {1, 2, 3, 11, 12, 13, 21, 22, 103}) {
    e.rank = {CohortKind::offers_for_profile, r, 142};
    const std::string en = e.summary_text(ExplanationLanguage::en);
    const std::string fr = e.summary_text(ExplanationLanguage::fr);
    const char* suffix = r == 1 || r == 21    ? "st"
                         : r == 2 || r == 22  ? "nd"
                         : r == 3 || r == 103 ? "rd"
                                              : "th";
    EXPECT_NE(en.find(std::to_string(r) + suffix + " of 142 offers"), std::string::npos) << en;
    EXPECT_NE(fr.find(std::to_string(r) + (r == 1 ? "re" : "e") + " sur 142 offres"),
              std::string::npos)
        << fr;
  }
  EXPECT_NE(e.summary_text(ExplanationLanguage::fr).find("Score 0,61"), std::string::npos);
  EXPECT_NE(e.summary_text(ExplanationLanguage::en).find("Score 0.61"), std::string::npos);
}

TEST(ExplanationTest, OutputIsDeterministic) {
  const Profile& p = profiles()[1];
  for (const Offer& o : offers()) {
    const MatchExplanation a = explain_match(p, o, subset(), config(), offers());
    const MatchExplanation b = explain_match(p, o, subset(), config(), offers());
    EXPECT_EQ(a.to_json(), b.to_json());
    EXPECT_EQ(a.to_text(ExplanationLanguage::en), b.to_text(ExplanationLanguage::en));
  }
}

// Golden files: representative pairs, text and JSON, French and English. Set
// AIG_UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
struct GoldenPair {
  const char* name;
  const char* profile;
  const char* offer;
  bool persons_cohort;
};

const GoldenPair kGolden[] = {
    {"p0001-ex00041", "P0001", "EX00041", false},            // the person's best offer
    {"p0002-ex00005", "P0002", "EX00005", false},            // a required licence missing: excluded
    {"p0003-ex00018", "P0003", "EX00018", false},            // a retired competence code, a diploma
    {"p0005-ex00040-candidates", "P0005", "EX00040", true},  // among the persons
};

TEST(ExplanationTest, GoldenFiles) {
  const fs::path dir = kSource / "tests/golden/matching";
  const char* update_env = std::getenv("AIG_UPDATE_GOLDEN");
  const bool update = update_env && std::string_view(update_env) == "1";
  for (const GoldenPair& g : kGolden) {
    const Profile& p = profile_by_id(g.profile);
    const Offer& o = offer_by_id(g.offer);
    const MatchExplanation e = g.persons_cohort
                                   ? explain_match(p, o, subset(), config(), profiles())
                                   : explain_match(p, o, subset(), config(), offers());
    for (auto lang : {ExplanationLanguage::fr, ExplanationLanguage::en}) {
      const std::string suffix = lang == ExplanationLanguage::fr ? ".fr" : ".en";
      const std::string text = e.to_text(lang);
      // Re-indented with the keys in the order the explanation gives them.
      const std::string js = nlohmann::ordered_json::parse(e.to_json(lang)).dump(2) + "\n";
      for (const auto& [file, got] : {std::pair{std::string(g.name) + suffix + ".txt", text},
                                      std::pair{std::string(g.name) + suffix + ".json", js}}) {
        if (update) {
          fs::create_directories(dir);
          std::ofstream(dir / file, std::ios::binary) << got;
          continue;
        }
        ASSERT_TRUE(fs::exists(dir / file)) << file;
        EXPECT_EQ(got, slurp(dir / file)) << file;
      }
    }
  }
}

}  // namespace
}  // namespace aiguillage
