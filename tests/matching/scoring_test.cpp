#include "aiguillage/matching/scoring.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aiguillage/matching/retrieval.hpp"
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

double feature(const Score& s, ScoreTermKind k) {
  return s.terms[static_cast<std::size_t>(k)].feature;
}

// The core competences (kind rome_competence) of a fiche.
std::vector<ItemId> core_competences(OccupationId o) {
  std::vector<ItemId> out;
  for (const auto& l : subset().occupation(o).items)
    if (is_core(l.role) && subset().item(l.item).kind == ItemKind::rome_competence)
      out.push_back(l.item);
  return out;
}

Offer offer_for(const std::string& rome, std::size_t n_required) {
  const Referential& r = subset();
  Offer o;
  o.id = "T1";
  o.rome_code = rome;
  o.occupation = r.find_occupation(rome);
  auto core = core_competences(o.occupation);
  for (std::size_t k = 0; k < std::min(n_required, core.size()); ++k)
    o.competences.push_back(
        {r.item(core[k]).code, r.item(core[k]).label, Requirement::required, core[k]});
  o.place.latitude = 50.6292;
  o.place.longitude = 3.0573;
  o.contract_type = "CDI";
  o.working_time = WorkingTime::full_time;
  return o;
}

Profile profile_holding(const Offer& o) {
  Profile p;
  p.id = "P1";
  for (const auto& c : o.competences)
    p.competences.push_back({c.code, Evidence::certified, 3, c.item});
  p.target_rome = {o.rome_code};
  p.target_occupations = {o.occupation};
  p.location.latitude = 50.6292;
  p.location.longitude = 3.0573;
  p.max_distance_km = 20;
  return p;
}

TEST(ScoringTest, PerfectMatchScoresTheSumOfTheWeights) {
  Offer o = offer_for("N1103", 3);
  Profile p = profile_holding(o);
  ScoringConfig c;
  c.intercept = 0.01;
  Score s = score(p, o, subset(), c);
  ASSERT_EQ(s.terms.size(), kScoreTermCount);
  double total = c.intercept;
  for (const auto& t : s.terms) {
    EXPECT_EQ(t.feature, 1.0) << score_term_name(t.kind);
    total += t.weight;
  }
  EXPECT_NEAR(s.score, total, 1e-15);
  EXPECT_FALSE(s.excluded);
  EXPECT_TRUE(s.reasons.empty());
  EXPECT_EQ(s.mobility_steps, 0);
  EXPECT_EQ(*s.distance_km, 0.0);
}

TEST(ScoringTest, PartialCreditNamesItsEdgesAndCountsEvidence) {
  const Referential& r = subset();
  // A competence the offer asks for and a sibling under the same macro-competence.
  ItemId need = kNoId, sibling = kNoId;
  for (ItemId i = 0; i < r.item_count() && sibling == kNoId; ++i) {
    if (r.item(i).kind != ItemKind::rome_competence || r.item(i).parent == kNoId) continue;
    for (ItemId j = i + 1; j < r.item_count(); ++j)
      if (r.item(j).kind == ItemKind::rome_competence && r.item(j).parent == r.item(i).parent) {
        need = i, sibling = j;
        break;
      }
  }
  ASSERT_NE(sibling, kNoId);
  Offer o = offer_for("N1103", 0);
  o.competences.push_back({r.item(need).code, "", Requirement::required, need});
  Profile p = profile_holding(o);
  p.competences = {{r.item(sibling).code, Evidence::validated, 2, sibling}};
  ScoringConfig c;
  c.credit.core_of_fiche = 0;  // only the macro-competence path
  Score s = score(p, o, r, c);
  ASSERT_EQ(s.competences.size(), 1u);
  const CompetenceCover& cover = s.competences[0];
  EXPECT_DOUBLE_EQ(cover.credit.value, 0.49);
  EXPECT_EQ(cover.evidence, 0.9);
  EXPECT_EQ(cover.value, cover.credit.value * 0.9);
  ASSERT_EQ(cover.credit.path.size(), 2u);
  EXPECT_EQ(cover.credit.path[0].kind, CreditEdge::to_macro_competence);
  EXPECT_EQ(feature(s, ScoreTermKind::required_competences), cover.value);
}

TEST(ScoringTest, HardConstraintsExcludeOrPenaliseAsConfigured) {
  Offer o = offer_for("N4101", 2);
  o.licences = {{"C - Poids lourd", Requirement::required}};
  o.formations = {{"", "", "Bac+2 ou équivalents", 5, Requirement::required}};
  Profile p = profile_holding(o);
  p.licences = {"B - Véhicule léger"};
  p.diplomas = {{"CAP", 3}};
  p.location.latitude = 48.8566;  // Paris, about 204 km from Lille
  p.location.longitude = 2.3522;
  Score s = score(p, o, subset());
  EXPECT_TRUE(s.excluded);
  EXPECT_EQ(s.reasons,
            (std::vector<std::string>{"licence_missing", "diploma_missing", "distance_exceeded"}));
  ASSERT_EQ(s.penalties.size(), 1u);  // the diploma is penalised by default, not excluding
  EXPECT_EQ(s.penalties[0].reason, "diploma_missing");
  EXPECT_EQ(s.penalties[0].contribution, -0.2);
  EXPECT_NEAR(*s.distance_km, 204, 2);
  EXPECT_EQ(feature(s, ScoreTermKind::distance), 0.0);
  EXPECT_EQ(feature(s, ScoreTermKind::licences), 0.0);

  ScoringConfig lenient;
  lenient.licence = {ConstraintPolicy::penalise, -0.5};
  lenient.distance = {ConstraintPolicy::ignore, 0};
  Score t = score(p, o, subset(), lenient);
  EXPECT_FALSE(t.excluded);
  EXPECT_EQ(t.reasons.size(), 3u);  // still reported
  ASSERT_EQ(t.penalties.size(), 2u);
  double sum = lenient.intercept;
  for (const auto& term : t.terms) sum += term.contribution;
  EXPECT_EQ(t.score, sum - 0.5 - 0.2);

  // Holding the licence under another label form clears it.
  p.licences = {"c"};
  EXPECT_EQ(feature(score(p, o, subset()), ScoreTermKind::licences), 1.0);
}

TEST(ScoringTest, ProjectFitFollowsMobilityAndUnknownCodesAreReported) {
  const Referential& r = subset();
  const MobilityEdge& m = r.mobility_edges().front();
  Offer o = offer_for(r.occupation(m.to).code, 2);
  o.unknown.push_back({"/competences/9/code", "999001"});
  Profile p = profile_holding(o);
  p.target_rome = {r.occupation(m.from).code};
  p.target_occupations = {m.from};
  Score s = score(p, o, r);
  EXPECT_EQ(s.mobility_steps, 1);
  EXPECT_EQ(feature(s, ScoreTermKind::project_fit), 0.5);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"unknown_offer_code"});
  p.target_occupations.clear();
  EXPECT_EQ(feature(score(p, o, r), ScoreTermKind::project_fit), 0.0);
}

double reference_haversine(double lat1, double lon1, double lat2, double lon2) {
  const double rad = std::acos(-1.0) / 180;
  double a =
      std::pow(std::sin((lat2 - lat1) * rad / 2), 2) +
      std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::pow(std::sin((lon2 - lon1) * rad / 2), 2);
  return 2 * 6371.0088 * std::atan2(std::sqrt(a), std::sqrt(1 - a));
}

// One geo distance: the scoring's form and the retrieval's are the same function, so a filter
// by radius and the distance term can never disagree on which side of a limit a place lies.
TEST(ScoringTest, HaversineFormsAgreeToTheBitAndWithAReference) {
  std::mt19937 rng(20261207);
  std::uniform_real_distribution<double> lat(-90, 90), lon(-180, 180);
  for (int i = 0; i < 10000; ++i) {
    const double a = lat(rng), b = lon(rng), c = lat(rng), d = lon(rng);
    const double km = haversine_km(a, b, c, d);
    EXPECT_EQ(km, haversine_km(GeoPoint{a, b}, GeoPoint{c, d}));
    EXPECT_NEAR(km, reference_haversine(a, b, c, d), 1e-6 * std::max(1.0, km));
  }
}

// Random profiles and offers on the subset: the score is the sum of what is shown, every term is
// its weight times its feature, and the features agree with independent recomputations.
TEST(ScoringTest, RandomCasesAreExactSumsOfTheirTerms) {
  const Referential& r = subset();
  std::mt19937 rng(424242);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  std::vector<OccupationId> fiches;
  for (OccupationId o = 0; o < r.occupation_count(); ++o) fiches.push_back(o);
  const char* languages[] = {"Anglais", "Espagnol", "Allemand"};
  const char* licences[] = {"B - Véhicule léger", "C - Poids lourd", "CE"};
  std::size_t partial = 0, excluded = 0;
  for (int round = 0; round < 400; ++round) {
    ScoringConfig c;
    for (double& w : c.weights) w = uniform(-1, 2);
    c.intercept = uniform(-1, 1);
    c.diploma.penalty = -uniform(0, 1);
    OccupationId of = fiches[rng() % fiches.size()];
    Offer o = offer_for(r.occupation(of).code, rng() % 5);
    for (auto& oc : o.competences)
      oc.requirement = rng() % 3 ? Requirement::required : Requirement::desired;
    o.place.latitude = uniform(49.5, 51);
    o.place.longitude = uniform(2, 4);
    o.experience = static_cast<ExperienceRequirement>(rng() % 3);
    if (rng() % 2) o.experience_months = static_cast<int>(rng() % 48);
    if (rng() % 2) o.languages.push_back({languages[rng() % 3], Requirement::desired});
    if (rng() % 2)
      o.licences.push_back(
          {licences[rng() % 3], rng() % 2 ? Requirement::required : Requirement::desired});
    if (rng() % 2)
      o.formations.push_back({"", "", "", static_cast<int>(3 + rng() % 5),
                              rng() % 2 ? Requirement::required : Requirement::desired});

    Profile p;
    p.id = "R";
    OccupationId pf = fiches[rng() % fiches.size()];
    auto pool = core_competences(pf);
    for (ItemId i : core_competences(of)) pool.push_back(i);
    const std::size_t n = rng() % 6;
    for (std::size_t k = 0; k < n && !pool.empty(); ++k) {
      ItemId i = pool[rng() % pool.size()];
      p.competences.push_back({r.item(i).code, static_cast<Evidence>(rng() % 3), std::nullopt, i});
    }
    p.target_occupations = {pf};
    if (rng() % 2)
      p.experience.push_back({r.occupation(of).code, static_cast<int>(rng() % 40), of});
    if (rng() % 2) p.languages.push_back({languages[rng() % 3], ""});
    if (rng() % 2) p.licences.push_back(licences[rng() % 3]);
    if (rng() % 2) p.diplomas.push_back({"", static_cast<int>(3 + rng() % 5)});
    p.location.latitude = uniform(49.5, 51);
    p.location.longitude = uniform(2, 4);
    if (rng() % 2) p.max_distance_km = uniform(5, 80);

    Score s = score(p, o, r, c);
    ASSERT_EQ(s.terms.size(), kScoreTermCount);
    long double total = s.intercept;
    for (std::size_t k = 0; k < kScoreTermCount; ++k) {
      const ScoreTerm& t = s.terms[k];
      EXPECT_EQ(static_cast<std::size_t>(t.kind), k);
      EXPECT_EQ(t.weight, c.weights[k]);
      EXPECT_EQ(t.contribution, t.weight * t.feature);
      EXPECT_GE(t.feature, 0.0);
      EXPECT_LE(t.feature, 1.0);
      total += t.contribution;
    }
    for (const auto& pen : s.penalties) total += pen.contribution;
    EXPECT_LE(std::fabs(static_cast<long double>(s.score) - total),
              1e-12L * std::max(1.0L, std::fabs(total)))
        << "round " << round;

    // Independent recomputations.
    const double d = reference_haversine(*p.location.latitude, *p.location.longitude,
                                         *o.place.latitude, *o.place.longitude);
    EXPECT_NEAR(*s.distance_km, d, 1e-9);
    const double max = p.max_distance_km.value_or(c.default_max_distance_km);
    EXPECT_NEAR(feature(s, ScoreTermKind::distance), std::max(0.0, 1 - d / max), 1e-12);
    double sum = 0;
    std::size_t count = 0;
    for (const CompetenceCover& cover : s.competences) {
      const OfferCompetence& oc = o.competences[cover.offer_index];
      double best = 0;
      for (const auto& pc : p.competences) {
        const double ev = pc.evidence == Evidence::certified   ? c.evidence_certified
                          : pc.evidence == Evidence::validated ? c.evidence_validated
                                                               : c.evidence_declared;
        best = std::max(best, r.item_credit(pc.item, oc.item, c.credit_depth).value * ev);
      }
      EXPECT_NEAR(cover.value, best, 1e-15);
      EXPECT_EQ(cover.value, cover.credit.value * cover.evidence);
      partial += cover.value > 0 && cover.credit.value < 1;
      if (oc.requirement == Requirement::required) sum += cover.value, ++count;
    }
    EXPECT_NEAR(feature(s, ScoreTermKind::required_competences), count ? sum / count : 1.0, 1e-15);
    auto key = [](const std::string& label) { return label.substr(0, label.find(" - ")); };
    bool licence_missing = false;
    for (const auto& l : o.licences) {
      bool held = false;
      for (const auto& pl : p.licences) held = held || key(pl) == key(l.label);
      if (l.requirement == Requirement::required && !held) licence_missing = true;
    }
    const bool reported =
        std::find(s.reasons.begin(), s.reasons.end(), "licence_missing") != s.reasons.end();
    EXPECT_EQ(reported, licence_missing) << "round " << round;
    if (licence_missing) {
      EXPECT_TRUE(s.excluded);
    }
    excluded += s.excluded;
  }
  EXPECT_GT(partial, 10u);
  EXPECT_GT(excluded, 10u);
}

TEST(ScoringTest, DefaultDocumentIsTheEngineDefault) {
  const std::string text = slurp(kSource / "rules/matching/scoring-default.json");
  ScoringConfig c = parse_scoring(text);
  ScoringConfig d;
  EXPECT_EQ(c.id, "default");
  EXPECT_EQ(c.weights, d.weights);
  EXPECT_EQ(c.intercept, d.intercept);
  EXPECT_EQ(c.credit_depth, d.credit_depth);
  for (int k = 0; k < 8; ++k)
    EXPECT_EQ(c.credit.factor(static_cast<CreditEdge>(k)),
              d.credit.factor(static_cast<CreditEdge>(k)));
  EXPECT_EQ(c.evidence_declared, d.evidence_declared);
  EXPECT_EQ(c.evidence_validated, d.evidence_validated);
  EXPECT_EQ(c.evidence_certified, d.evidence_certified);
  EXPECT_EQ(c.project_decay, d.project_decay);
  EXPECT_EQ(c.project_max_steps, d.project_max_steps);
  EXPECT_EQ(c.default_max_distance_km, d.default_max_distance_km);
  EXPECT_EQ(c.licence.policy, d.licence.policy);
  EXPECT_EQ(c.diploma.policy, d.diploma.policy);
  EXPECT_EQ(c.diploma.penalty, d.diploma.penalty);
  EXPECT_EQ(c.distance.policy, d.distance.policy);
  test::SchemaChecker schema(
      json::parse(slurp(kSource / "rules/schemas/aiguillage.scoring.schema.json")));
  json doc = json::parse(text);
  EXPECT_EQ(schema.validate(doc), std::vector<std::string>{});
  EXPECT_EQ(schema.undeclared_keys(doc), std::vector<std::string>{});
}

TEST(ScoringTest, BadScoringDocumentsHavePinnedCodesAndPointers) {
  struct Case {
    std::function<void(json&)> edit;
    ErrorCode code;
    std::string pointer;
  } cases[] = {
      {[](json& d) { d["weights"]["salary"] = 1; }, ErrorCode::unknown_field, "/weights/salary"},
      {[](json& d) { d["weights"]["distance"] = "0.1"; }, ErrorCode::type_mismatch,
       "/weights/distance"},
      {[](json& d) { d["credit"]["factors"]["mobility"] = 1.5; }, ErrorCode::out_of_bounds,
       "/credit/factors/mobility"},
      {[](json& d) { d["credit"]["max_depth"] = 20; }, ErrorCode::out_of_bounds,
       "/credit/max_depth"},
      {[](json& d) { d["constraints"]["licence"]["policy"] = "drop"; }, ErrorCode::enum_value,
       "/constraints/licence/policy"},
      {[](json& d) { d["constraints"]["diploma"]["penalty"] = 0.3; }, ErrorCode::out_of_bounds,
       "/constraints/diploma/penalty"},
      {[](json& d) { d["evidence"]["declared"] = 2; }, ErrorCode::out_of_bounds,
       "/evidence/declared"},
      {[](json& d) { d.erase("version"); }, ErrorCode::required_missing, "/version"},
      {[](json& d) { d["schema"] = "aiguillage.profile"; }, ErrorCode::schema_mismatch, "/schema"},
  };
  const json base = json::parse(slurp(kSource / "rules/matching/scoring-default.json"));
  for (const auto& c : cases) {
    json d = base;
    c.edit(d);
    try {
      parse_scoring(d.dump());
      ADD_FAILURE() << "accepted: " << c.pointer;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), c.code) << e.describe();
      EXPECT_EQ(e.pointer(), c.pointer) << e.describe();
    }
  }
}

TEST(ScoringTest, ExampleProfilesAgainstExampleOffers) {
  const Referential& r = subset();
  ProfileBatch profiles =
      load_profiles_jsonl(slurp(kSource / "examples/data/profiles-subset.jsonl"), r);
  OfferBatch offers = load_offers_jsonl(slurp(kSource / "examples/data/offers-subset.jsonl"), r);
  ASSERT_FALSE(profiles.profiles.empty());
  ASSERT_FALSE(offers.offers.empty());
  // Every pair: the score is the sum of its terms, and project fit is 1 exactly for the offers
  // of the person's target fiche.
  std::size_t in_project = 0;
  for (const Profile& p : profiles.profiles) {
    for (const Offer& o : offers.offers) {
      Score s = score(p, o, r);
      double sum = s.intercept;
      for (const auto& t : s.terms) sum += t.contribution;
      for (const auto& pen : s.penalties) sum += pen.contribution;
      EXPECT_EQ(s.score, sum);
      const bool same = o.occupation == p.target_occupations[0];
      EXPECT_EQ(feature(s, ScoreTermKind::project_fit) == 1.0, same) << p.id << " " << o.id;
      in_project += same;
    }
  }
  EXPECT_GE(in_project, profiles.profiles.size());
}

}  // namespace
}  // namespace aiguillage
