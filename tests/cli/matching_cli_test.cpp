// `aiguillage match` run as a user would: the bundled subset and examples, the built binary,
// its output and exit code; scores checked against the library.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "aiguillage/matching/explanation.hpp"
#include "support/cli_harness.hpp"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kSource = AIG_SOURCE_DIR;

struct Result : aiguillage::test_support::CliResult {
  std::vector<json> records() const {
    std::vector<json> v;
    for (const std::string& l : lines()) v.push_back(json::parse(l));
    return v;
  }
};

using aiguillage::test_support::read_file;

class MatchingCliTest : public ::testing::Test, protected aiguillage::test_support::CliHarness {
 protected:
  void SetUp() override {
    make_dir();
    common_ = "--referential '" + (kSource / "data/rome-subset").string() + "' --scoring '" +
              (kSource / "rules/matching/scoring-default.json").string() + "' --offers '" +
              offers_.string() + "'";
  }
  void TearDown() override { remove_dir(); }

  // Runs `aiguillage <args>` in `cwd` (the temporary folder by default).
  Result run(const std::string& args, const fs::path& cwd = {}) {
    return Result{run_cli(args, {"", "", cwd.empty() ? dir_ : cwd})};
  }

  const fs::path offers_ = kSource / "examples/data/offers-subset.jsonl";
  const fs::path profiles_ = kSource / "examples/data/profiles-subset.jsonl";
  std::string common_;
};

TEST_F(MatchingCliTest, PrintsTheTopKOfEachProfileWithScoresOfTheLibrary) {
  Result r = run("match " + common_ + " --profiles '" + profiles_.string() + "' --top 3");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto recs = r.records();
  using namespace aiguillage;
  const Referential ref = Referential::load((kSource / "data/rome-subset").string());
  const ScoringConfig cfg =
      parse_scoring(read_file(kSource / "rules/matching/scoring-default.json"));
  const OfferBatch offers = load_offers_jsonl(read_file(offers_), ref);
  const ProfileBatch profiles = load_profiles_jsonl(read_file(profiles_), ref);
  std::size_t k = 0;
  for (const Profile& p : profiles.profiles) {
    // The reference: every offer scored, the non-excluded ones by score then id.
    std::vector<std::pair<double, std::string>> expected;
    for (const Offer& o : offers.offers) {
      const Score s = score(p, o, ref, cfg);
      if (!s.excluded) expected.push_back({-s.score, o.id});
    }
    std::sort(expected.begin(), expected.end());
    for (std::size_t rank = 1; rank <= std::min<std::size_t>(3, expected.size()); ++rank, ++k) {
      ASSERT_LT(k, recs.size());
      const json& j = recs[k];
      EXPECT_EQ(j["profile_id"], p.id);
      EXPECT_EQ(j["offer_id"], expected[rank - 1].second);
      EXPECT_EQ(j["rank"], rank);
      EXPECT_EQ(j["cohort_size"], offers.offers.size());
      EXPECT_EQ(j["score"].get<double>(), -expected[rank - 1].first);
      ASSERT_TRUE(j["reasons"].is_array());
      EXPECT_LE(j["reasons"].size(), 4u);
      EXPECT_FALSE(j.contains("explanation"));
    }
  }
  EXPECT_EQ(k, recs.size());
}

TEST_F(MatchingCliTest, PersonsForOffersAndFiltersAgreeWithScoringEveryPair) {
  using namespace aiguillage;
  const Referential ref = Referential::load((kSource / "data/rome-subset").string());
  const ScoringConfig cfg =
      parse_scoring(read_file(kSource / "rules/matching/scoring-default.json"));
  const OfferBatch offers = load_offers_jsonl(read_file(offers_), ref);
  const ProfileBatch profiles = load_profiles_jsonl(read_file(profiles_), ref);

  // --persons: for each offer, its two best persons.
  Result r = run("match " + common_ + " --profiles '" + profiles_.string() + "' --top 2 --persons");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<json> expected;
  for (const Offer& o : offers.offers) {
    std::vector<std::pair<double, std::string>> ranked;
    for (const Profile& p : profiles.profiles) {
      const Score s = score(p, o, ref, cfg);
      if (!s.excluded) ranked.push_back({-s.score, p.id});
    }
    std::sort(ranked.begin(), ranked.end());
    for (std::size_t i = 0; i < std::min<std::size_t>(2, ranked.size()); ++i)
      expected.push_back({{"offer_id", o.id},
                          {"profile_id", ranked[i].second},
                          {"rank", i + 1},
                          {"score", -ranked[i].first}});
  }
  const auto recs = r.records();
  ASSERT_EQ(recs.size(), expected.size());
  for (std::size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(recs[i]["offer_id"], expected[i]["offer_id"]) << i;
    EXPECT_EQ(recs[i]["profile_id"], expected[i]["profile_id"]) << i;
    EXPECT_EQ(recs[i]["rank"], expected[i]["rank"]) << i;
    EXPECT_EQ(recs[i]["score"], expected[i]["score"]) << i;
    EXPECT_EQ(recs[i]["cohort_size"], profiles.profiles.size());
  }

  // Filters: only CDI offers within 50 km; the same answer on two threads.
  Result f = run("match " + common_ + " --profiles '" + profiles_.string() +
                 "' --top 5 --contracts CDI --max-km 50");
  ASSERT_EQ(f.code, 0) << f.err;
  std::size_t listed = 0;
  for (const json& j : f.records()) {
    const Offer* offer = nullptr;
    for (const Offer& o : offers.offers)
      if (o.id == j["offer_id"]) offer = &o;
    ASSERT_NE(offer, nullptr);
    EXPECT_EQ(offer->contract_type, "CDI");
    const Profile* person = nullptr;
    for (const Profile& p : profiles.profiles)
      if (p.id == j["profile_id"]) person = &p;
    ASSERT_NE(person, nullptr);
    ASSERT_TRUE(offer->place.latitude && person->location.latitude);
    EXPECT_LE(haversine_km(*person->location.latitude, *person->location.longitude,
                           *offer->place.latitude, *offer->place.longitude),
              50.0);
    ++listed;
  }
  EXPECT_GT(listed, 0u);
  Result t = run("match " + common_ + " --profiles '" + profiles_.string() +
                 "' --top 5 --contracts CDI --max-km 50 --threads 2");
  EXPECT_EQ(t.out, f.out);
  const std::string p = " --profiles '" + profiles_.string() + "'";
  EXPECT_EQ(run("match " + common_ + p + " --max-km -3").code, 2);
  EXPECT_EQ(run("match " + common_ + p + " --threads 0").code, 2);
}

// Each person's best `k` offers by the library's score, excluded ones left out.
std::vector<std::vector<std::pair<std::size_t, double>>> candidates_of(
    const aiguillage::Referential& ref, const aiguillage::ScoringConfig& cfg,
    const aiguillage::OfferBatch& offers, const aiguillage::ProfileBatch& profiles, std::size_t k) {
  using namespace aiguillage;
  std::vector<std::vector<std::pair<std::size_t, double>>> out;
  for (const Profile& p : profiles.profiles) {
    std::vector<std::pair<std::size_t, double>> all;
    for (std::size_t o = 0; o < offers.offers.size(); ++o) {
      const Score s = score(p, offers.offers[o], ref, cfg);
      if (!s.excluded) all.emplace_back(o, s.score);
    }
    std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
      return ranks_before(false, a.second, offers.offers[a.first].id, false, b.second,
                          offers.offers[b.first].id);
    });
    if (all.size() > k) all.resize(k);
    out.push_back(all);
  }
  return out;
}

TEST_F(MatchingCliTest, AssignIsOptimalOverTheCandidatesAndStableModeIsStable) {
  using namespace aiguillage;
  const Referential ref = Referential::load((kSource / "data/rome-subset").string());
  const ScoringConfig cfg =
      parse_scoring(read_file(kSource / "rules/matching/scoring-default.json"));
  const OfferBatch offers = load_offers_jsonl(read_file(offers_), ref);
  const ProfileBatch profiles = load_profiles_jsonl(read_file(profiles_), ref);
  const auto cand = candidates_of(ref, cfg, offers, profiles, 3);
  auto offer_index = [&](const std::string& id) {
    for (std::size_t o = 0; o < offers.offers.size(); ++o)
      if (offers.offers[o].id == id) return o;
    return offers.offers.size();
  };

  Result r = run("assign " + common_ + " --profiles '" + profiles_.string() +
                 "' --candidates 3 --one-position");
  ASSERT_EQ(r.code, 0) << r.err;
  auto recs = r.records();
  ASSERT_FALSE(recs.empty());
  const json summary = recs.back()["summary"];
  recs.pop_back();
  double total = 0;
  std::set<std::string> persons_seen, offers_seen;
  for (const json& j : recs) {
    EXPECT_TRUE(persons_seen.insert(j["profile_id"]).second);
    EXPECT_TRUE(offers_seen.insert(j["offer_id"]).second);  // one place per offer
    total += j["score"].get<double>();
  }
  // Brute force: every person takes one of their candidates or none, offers distinct; the
  // most pairs first, then the largest total.
  std::size_t best_pairs = 0;
  double best_total = 0;
  std::vector<int> pick(cand.size(), -1);
  std::function<void(std::size_t, std::size_t, double, std::set<std::size_t>&)> walk =
      [&](std::size_t p, std::size_t pairs, double sum, std::set<std::size_t>& used) {
        if (p == cand.size()) {
          if (pairs > best_pairs || (pairs == best_pairs && sum > best_total + 1e-12)) {
            best_pairs = pairs;
            best_total = sum;
          }
          return;
        }
        walk(p + 1, pairs, sum, used);
        for (const auto& [o, s] : cand[p])
          if (used.insert(o).second) {
            walk(p + 1, pairs + 1, sum + s, used);
            used.erase(o);
          }
      };
  std::set<std::size_t> used;
  walk(0, 0, 0.0, used);
  EXPECT_EQ(recs.size(), best_pairs);
  EXPECT_NEAR(total, best_total, 1e-9);
  EXPECT_EQ(summary["pairs"], best_pairs);
  EXPECT_NEAR(summary["total_score"].get<double>(), total, 1e-12);
  EXPECT_EQ(summary["mode"], "optimal");

  // Stable: no person and offer listing each other would both rather be together.
  Result st = run("assign " + common_ + " --profiles '" + profiles_.string() +
                  "' --candidates 3 --one-position --mode stable");
  ASSERT_EQ(st.code, 0) << st.err;
  auto srecs = st.records();
  srecs.pop_back();
  std::vector<std::size_t> match(cand.size(), offers.offers.size());
  std::map<std::size_t, std::size_t> holder;  // offer -> person
  for (const json& j : srecs) {
    std::size_t p = 0;
    while (profiles.profiles[p].id != j["profile_id"]) ++p;
    match[p] = offer_index(j["offer_id"]);
    holder[match[p]] = p;
  }
  auto score_of = [&](std::size_t p, std::size_t o) {
    for (const auto& [x, s] : cand[p])
      if (x == o) return s;
    return -1.0;
  };
  for (std::size_t p = 0; p < cand.size(); ++p)
    for (const auto& [o, s] : cand[p]) {
      const bool person_prefers = match[p] == offers.offers.size() ||
                                  ranks_before(false, s, offers.offers[o].id, false,
                                               score_of(p, match[p]), offers.offers[match[p]].id);
      if (!person_prefers) continue;
      auto h = holder.find(o);
      const bool offer_prefers =
          h == holder.end() ||
          ranks_before(false, s, profiles.profiles[p].id, false, score_of(h->second, o),
                       profiles.profiles[h->second].id);
      EXPECT_FALSE(offer_prefers) << "blocking pair " << p << " " << o;
    }
  EXPECT_EQ(run("assign " + common_ + " --profiles '" + profiles_.string() + "' --mode best").code,
            2);
  EXPECT_EQ(run("assign " + common_ + " --profiles '" + profiles_.string() +
                "' --mode stable --per-person 2")
                .code,
            2);
}

TEST_F(MatchingCliTest, ExplainMatchExplainsOnePairAsTheLibraryDoes) {
  using namespace aiguillage;
  const Referential ref = Referential::load((kSource / "data/rome-subset").string());
  const ScoringConfig cfg =
      parse_scoring(read_file(kSource / "rules/matching/scoring-default.json"));
  const OfferBatch offers = load_offers_jsonl(read_file(offers_), ref);
  const ProfileBatch profiles = load_profiles_jsonl(read_file(profiles_), ref);
  const Profile& p = profiles.profiles[1];
  const Offer& o = offers.offers[7];
  const MatchExplanation want = explain_match(p, o, ref, cfg, offers.offers);
  Result text = run("explain-match " + common_ + " --profiles '" + profiles_.string() +
                    "' --profile-id " + p.id + " --offer-id " + o.id);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.out, want.to_text());
  Result js = run("explain-match " + common_ + " --profiles '" + profiles_.string() +
                  "' --profile-id " + p.id + " --offer-id " + o.id + " --json --lang en");
  ASSERT_EQ(js.code, 0) << js.err;
  EXPECT_EQ(json::parse(js.out), json::parse(want.to_json(ExplanationLanguage::en)));
  Result persons = run("explain-match " + common_ + " --profiles '" + profiles_.string() +
                       "' --profile-id " + p.id + " --offer-id " + o.id + " --persons --json");
  ASSERT_EQ(persons.code, 0) << persons.err;
  EXPECT_EQ(json::parse(persons.out)["cohort"]["size"], profiles.profiles.size());
  EXPECT_EQ(run("explain-match " + common_ + " --profiles '" + profiles_.string() +
                "' --profile-id " + p.id + " --offer-id NOPE")
                .code,
            1);
  EXPECT_EQ(run("explain-match " + common_ + " --profiles '" + profiles_.string() +
                "' --offer-id " + o.id)
                .code,
            1);  // several persons and no --profile-id
  EXPECT_EQ(run("explain-match " + common_ + " --profiles '" + profiles_.string() + "'").code, 2);
}

TEST_F(MatchingCliTest, ExplainGivesTheFullExplanationInTheChosenLanguage) {
  // A single profile document, pretty-printed.
  const std::string first = read_file(profiles_).substr(0, read_file(profiles_).find('\n'));
  const std::string profile = write("p.json", json::parse(first).dump(2));
  Result r = run("match " + common_ + " --profile '" + profile + "' --top 2 --explain --lang en");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto recs = r.records();
  ASSERT_EQ(recs.size(), 2u);
  const json& e = recs[0]["explanation"];
  EXPECT_EQ(e["schema"], "aiguillage.match_explanation");
  EXPECT_EQ(e["offer_id"], recs[0]["offer_id"]);
  EXPECT_EQ(e["score"], recs[0]["score"]);
  EXPECT_EQ(e["cohort"]["rank"], 1);
  EXPECT_EQ(e["terms"].size(), 9u);
  EXPECT_EQ(recs[0]["reasons"], e["reasons"]);
  EXPECT_NE(e["reasons"][0]["text"].get<std::string>().find(" ("), std::string::npos);
  EXPECT_EQ(e["reasons"][0]["text"].get<std::string>().find("couvertes"), std::string::npos);
}

// --explain explains each listed pair from the bank's answer: the same explanation as scoring
// the whole cohort, both ways; --exposure counts the persons listed at least once.
TEST_F(MatchingCliTest, ExplainFromTheBankEqualsTheCohortAndExposureCountsListedPersons) {
  using namespace aiguillage;
  const Referential ref = Referential::load((kSource / "data/rome-subset").string());
  const ScoringConfig cfg =
      parse_scoring(read_file(kSource / "rules/matching/scoring-default.json"));
  const OfferBatch offers = load_offers_jsonl(read_file(offers_), ref);
  const ProfileBatch profiles = load_profiles_jsonl(read_file(profiles_), ref);
  auto profile_of = [&](const std::string& id) -> const Profile& {
    for (const Profile& p : profiles.profiles)
      if (p.id == id) return p;
    throw std::runtime_error(id);
  };
  auto offer_of = [&](const std::string& id) -> const Offer& {
    for (const Offer& o : offers.offers)
      if (o.id == id) return o;
    throw std::runtime_error(id);
  };
  const std::string exposure = (dir_ / "exposure.json").string();
  Result r = run("match " + common_ + " --profiles '" + profiles_.string() +
                 "' --persons --top 2 --explain --lang en --exposure '" + exposure + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  std::set<std::string> listed;
  for (const json& rec : r.records()) {
    const Profile& p = profile_of(rec["profile_id"]);
    const Offer& o = offer_of(rec["offer_id"]);
    const MatchExplanation want = explain_match(p, o, ref, cfg, profiles.profiles);
    EXPECT_EQ(rec["explanation"], json::parse(want.to_json(ExplanationLanguage::en)));
    EXPECT_EQ(rec["explanation"]["cohort"]["rank"], rec["rank"]);
    listed.insert(p.id);
  }
  const json e = json::parse(read_file(exposure));
  EXPECT_EQ(e["schema"], "aiguillage.match_exposure");
  EXPECT_EQ(e["direction"], "persons_for_offers");
  EXPECT_EQ(e["groups"][0]["dimension"], "all");
  EXPECT_EQ(e["groups"][0]["persons"], profiles.profiles.size());
  EXPECT_EQ(e["groups"][0]["exposed"], listed.size());

  Result o = run("match " + common_ + " --profiles '" + profiles_.string() +
                 "' --top 3 --explain --exposure '" + exposure + "'");
  ASSERT_EQ(o.code, 0) << o.err;
  for (const json& rec : o.records()) {
    const MatchExplanation want = explain_match(profile_of(rec["profile_id"]),
                                                offer_of(rec["offer_id"]), ref, cfg, offers.offers);
    EXPECT_EQ(rec["explanation"], json::parse(want.to_json()));
  }
  EXPECT_EQ(json::parse(read_file(exposure))["direction"], "offers_for_persons");

  // The employer's text of one pair, ranked among the persons by the bank.
  const Profile& p = profiles.profiles[4];
  const Offer& x = offers.offers[39];
  Result employer =
      run("explain-match " + common_ + " --profiles '" + profiles_.string() + "' --profile-id " +
          p.id + " --offer-id " + x.id + " --persons --employer --lang en");
  ASSERT_EQ(employer.code, 0) << employer.err;
  EXPECT_EQ(
      employer.out,
      explain_match(p, x, ref, cfg, profiles.profiles).employer_text(ExplanationLanguage::en));
  EXPECT_EQ(run("match " + common_ + " --profiles '" + profiles_.string() + "' --exposure '" +
                (dir_ / "no/such/dir/e.json").string() + "'")
                .code,
            4);
}

TEST_F(MatchingCliTest, BadRecordsAreReportedInlineAndTheOthersGoOn) {
  std::string text = read_file(profiles_);
  const std::string bad =
      R"({"schema": "aiguillage.profile", "schema_version": "1.0", "id": "B", "competences": [{"code": "110036", "level": 9}]})";
  text.insert(text.find('\n') + 1, bad + "\nnot json\n");
  const std::string profiles = write("profiles.jsonl", text);
  Result r = run("match " + common_ + " --profiles '" + profiles + "' --top 1");
  EXPECT_EQ(r.code, 1) << r.err;
  const auto recs = r.records();
  ASSERT_GE(recs.size(), 3u);
  EXPECT_EQ(recs[0]["profile_id"], "P0001");
  EXPECT_EQ(recs[1]["line"], 2);
  EXPECT_EQ(recs[1]["file"], "profiles");
  EXPECT_EQ(recs[1]["status"], "error");
  EXPECT_EQ(recs[1]["errors"][0]["name"], "out_of_bounds");
  EXPECT_EQ(recs[1]["errors"][0]["pointer"], "/competences/0/level");
  EXPECT_EQ(recs[2]["line"], 3);
  EXPECT_EQ(recs[2]["errors"][0]["name"], "json_syntax");
  // Every good profile still gets its offers.
  std::size_t good = 0;
  for (const json& j : recs) good += j.contains("profile_id");
  EXPECT_EQ(good, 6u);

  // A bad offer is reported first, with its line, and is not in any cohort.
  std::string offers = read_file(offers_);
  offers.insert(0, R"({"id": "X", "lieuTravail": {"latitude": 123}})"
                   "\n");
  const std::string offers_file = write("offers.jsonl", offers);
  Result o = run("match --referential '" + (kSource / "data/rome-subset").string() +
                 "' --offers '" + offers_file + "' --profiles '" + profiles_.string() + "'");
  EXPECT_EQ(o.code, 1);
  const auto orecs = o.records();
  ASSERT_FALSE(orecs.empty());
  EXPECT_EQ(orecs[0]["file"], "offers");
  EXPECT_EQ(orecs[0]["line"], 1);
  EXPECT_EQ(orecs[0]["errors"][0]["pointer"], "/lieuTravail/latitude");
  EXPECT_EQ(orecs[1]["cohort_size"], 50);
}

TEST_F(MatchingCliTest, DefaultsAreTheBundledSubsetAndScoring) {
  Result r = run(
      "match --offers '" + offers_.string() + "' --profiles '" + profiles_.string() + "' --top 1",
      kSource);
  ASSERT_EQ(r.code, 0) << r.err;
  Result explicit_ = run("match " + common_ + " --profiles '" + profiles_.string() + "' --top 1");
  EXPECT_EQ(r.out, explicit_.out);
  // Elsewhere too: the defaults are the data installed with the command, not the current folder's
  // (packs_cli_test.cpp: without a data folder, exit 3).
  Result elsewhere = run("match --offers '" + offers_.string() + "' --profiles '" +
                         profiles_.string() + "' --top 1");
  EXPECT_EQ(elsewhere.code, 0) << elsewhere.err;
  EXPECT_EQ(elsewhere.out, r.out);
}

TEST_F(MatchingCliTest, UsageLoadAndIoErrorsHaveTheirExitCodes) {
  const std::string p = " --profiles '" + profiles_.string() + "'";
  EXPECT_EQ(run("match --referential x" + p).code, 2);  // no --offers
  EXPECT_EQ(run("match " + common_).code, 2);           // no profiles
  EXPECT_EQ(run("match " + common_ + p + " --profile x").code, 2);
  EXPECT_EQ(run("match " + common_ + p + " --top 0").code, 2);
  EXPECT_EQ(run("match " + common_ + p + " --top 3x").code, 2);
  EXPECT_EQ(run("match " + common_ + p + " --lang de").code, 2);
  EXPECT_EQ(run("match " + common_ + p + " --bogus").code, 2);
  EXPECT_EQ(run("match --help").code, 0);

  const std::string bad_scoring = write("scoring.json", R"({"schema": "aiguillage.scoring"})");
  Result s = run("match --referential '" + (kSource / "data/rome-subset").string() +
                 "' --scoring '" + bad_scoring + "' --offers '" + offers_.string() + "'" + p);
  EXPECT_EQ(s.code, 3);
  EXPECT_NE(s.err.find("error:"), std::string::npos);
  EXPECT_EQ(run("match --referential '" + (dir_ / "none").string() + "' --offers '" +
                offers_.string() + "'" + p)
                .code,
            4);
  EXPECT_EQ(run("match " + common_ + " --profiles '" + (dir_ / "none.jsonl").string() + "'").code,
            4);
}

// A bank built once and saved answers `match --bank` with the same lines as a bank built on the
// spot, both ways; a damaged bank file or one of the other kind is refused with its exit code.
TEST_F(MatchingCliTest, BankFilesAnswerAsTheBankBuiltOnTheSpot) {
  const std::string p = " --profiles '" + profiles_.string() + "'";
  const std::string setup = "--referential '" + (kSource / "data/rome-subset").string() +
                            "' --scoring '" +
                            (kSource / "rules/matching/scoring-default.json").string() + "'";
  const fs::path persons = dir_ / "persons.aigbank", offers = dir_ / "offers.aigbank";
  Result built = run("bank build " + setup + p + " --out '" + persons.string() + "' --threads 2");
  ASSERT_EQ(built.code, 0) << built.err;
  const json summary = json::parse(built.out);
  EXPECT_EQ(summary["bank"], "persons");
  EXPECT_GT(summary["documents"].get<int>(), 0);
  ASSERT_EQ(run("bank build " + setup + " --offers '" + offers_.string() + "' --out '" +
                offers.string() + "'")
                .code,
            0);

  const Result direct_persons = run("match " + common_ + p + " --top 3 --persons");
  const Result banked_persons = run("match " + setup + " --offers '" + offers_.string() +
                                    "' --bank '" + persons.string() + "' --top 3 --persons");
  ASSERT_EQ(banked_persons.code, 0) << banked_persons.err;
  EXPECT_FALSE(direct_persons.out.empty());
  EXPECT_EQ(banked_persons.out, direct_persons.out);

  const Result direct_offers = run("match " + common_ + p + " --top 3");
  const Result banked_offers =
      run("match " + setup + p + " --bank '" + offers.string() + "' --top 3");
  ASSERT_EQ(banked_offers.code, 0) << banked_offers.err;
  EXPECT_FALSE(direct_offers.out.empty());
  EXPECT_EQ(banked_offers.out, direct_offers.out);

  // A bank file cut short, and a person bank read as an offer bank.
  const std::string bytes = read_file(persons);
  const std::string cut = write("cut.aigbank", bytes.substr(0, bytes.size() / 2));
  Result truncated = run("match " + setup + " --offers '" + offers_.string() + "' --bank '" + cut +
                         "' --top 3 --persons");
  EXPECT_EQ(truncated.code, 3);
  EXPECT_NE(truncated.err.find("bank_file_corrupt"), std::string::npos) << truncated.err;
  Result other_kind = run("match " + setup + p + " --bank '" + persons.string() + "' --top 3");
  EXPECT_EQ(other_kind.code, 3);
  EXPECT_NE(other_kind.err.find("cache_stale"), std::string::npos) << other_kind.err;
  EXPECT_EQ(run("bank build " + setup + " --out '" + persons.string() + "'").code, 2);
  EXPECT_EQ(run("bank rebuild " + setup + p + " --out '" + persons.string() + "'").code, 2);
}

TEST_F(MatchingCliTest, EscoIsAddedToTheReferential) {
  const std::string p = " --profiles '" + profiles_.string() + "' --top 2";
  Result plain = run("match " + common_ + p);
  Result esco = run("match " + common_ + p + " --esco '" +
                    (kSource / "tests/matching/data/esco-mini").string() + "'");
  ASSERT_EQ(esco.code, 0) << esco.err;
  // ESCO items are linked to one another, not to ROME codes: the examples score the same.
  EXPECT_EQ(esco.out, plain.out);
  EXPECT_EQ(run("match " + common_ + p + " --esco '" + (dir_ / "none").string() + "'").code, 4);
}

}  // namespace
