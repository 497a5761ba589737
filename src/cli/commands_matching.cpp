// match: the best offers of each person (or the best persons for each offer) by the full
// score, found through the competence index (exact, see matcher.hpp), with their principal
// reasons or the full explanation.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage/core/data_dir.hpp"
#include "aiguillage/matching/assignment.hpp"
#include "aiguillage/matching/explain_listed.hpp"
#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/exposure.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "cli.hpp"
#include "matching/score_json.hpp"
#include "progress.hpp"

namespace aiguillage::cli {

namespace {

using Json = nlohmann::ordered_json;

Json errors_of(const Error& e) {
  return Json::array({{{"code", static_cast<int>(e.code())},
                       {"name", std::string(error_code_name(e.code()))},
                       {"message", e.message()},
                       {"pointer", e.pointer()}}});
}

std::string error_record(const char* file, std::size_t line, const Error& e) {
  Json j = Json::object();
  j["file"] = file;
  j["line"] = line;
  j["status"] = "error";
  j["errors"] = errors_of(e);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::size_t positive(const Args& args, const char* name, std::size_t fallback, long long max) {
  auto v = args.get(name);
  if (!v) return fallback;
  std::size_t used = 0;
  long long k = -1;
  try {
    k = std::stoll(*v, &used);
  } catch (const std::exception&) {
  }
  if (used != v->size() || k < 1 || k > max)
    throw UsageError(std::string(name) + " must be a positive integer, not \"" + *v + "\"");
  return static_cast<std::size_t>(k);
}

std::vector<std::string> comma_list(const std::optional<std::string>& v) {
  std::vector<std::string> out;
  if (!v) return out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = v->find(',', start);
    std::string item = v->substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The principal reasons in words: they need only the pair's own facts, not the cohort.
Json reasons_json(const Score& s, const Profile& profile, const Offer& offer,
                  const ExplainOptions& options, ExplanationLanguage lang) {
  return detail::pair_reasons_json(s, profile, offer, lang, options.max_reasons);
}

void write_document(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw Error(ErrorCode::io, "cannot write " + path);
}

// What the matching commands read: the referential, the scoring, the offers and the persons;
// rejected records already printed into `out` (offers) or kept in profiles.errors.
struct MatchingInputs {
  Referential referential;
  ScoringConfig config;
  OfferBatch offers;
  ProfileBatch profiles;
  std::string out;
  bool failed = false;
};

}  // namespace

int load_matching_setup(const Args& args, Referential& referential, ScoringConfig& config) {
  namespace fs = std::filesystem;
  // By default the referential and the scoring installed with aiguillage (data_dir()).
  std::string rome_dir = args.get("--referential").value_or("");
  std::string scoring_path = args.get("--scoring").value_or("");
  if (rome_dir.empty() || scoring_path.empty()) {
    try {
      const std::string data = data_dir();
      if (rome_dir.empty()) rome_dir = data + "/data/rome-subset";
      if (scoring_path.empty() &&
          fs::is_regular_file(data + "/rules/matching/scoring-default.json"))
        scoring_path = data + "/rules/matching/scoring-default.json";
    } catch (const Error& e) {
      std::fprintf(stderr, "error: %s\n", e.describe().c_str());
      return kExitLoad;
    }
  }
  try {
    referential = Referential::load(rome_dir, args.get("--esco").value_or(""));
    if (!scoring_path.empty()) config = parse_scoring(read_file(scoring_path));
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  return 0;
}

namespace {

// Returns 0, or the exit code after reporting a load or I/O error. With --bank, the documents
// of the bank's side come from the bank file (read by the caller), not from --offers or
// --profiles.
int load_inputs(const Args& args, MatchingInputs& in) {
  const bool bank_offers = args.has("--bank") && !args.has("--persons");
  const bool bank_persons = args.has("--bank") && args.has("--persons");
  if (!args.has("--offers") && !bank_offers) throw UsageError("--offers FILE is required");
  if (args.has("--profile") == args.has("--profiles") && !bank_persons)
    throw UsageError("give exactly one of --profile FILE and --profiles FILE");
  if (int code = load_matching_setup(args, in.referential, in.config)) return code;
  std::string offers_text, profiles_text;
  try {
    if (args.has("--offers")) offers_text = read_file(*args.get("--offers"));
    if (args.has("--profile") || args.has("--profiles"))
      profiles_text =
          read_file(args.has("--profile") ? *args.get("--profile") : *args.get("--profiles"));
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  in.offers = load_offers_jsonl(offers_text, in.referential);
  for (const LineError& le : in.offers.errors) {
    in.out += error_record("offers", le.line, le.error);
    in.failed = true;
  }
  if (args.has("--profile")) {
    // A single document, pretty-printed or not.
    try {
      in.profiles.profiles.push_back(parse_profile(profiles_text, in.referential));
      in.profiles.lines.push_back(1);
    } catch (const Error& e) {
      in.profiles.errors.push_back({1, e});
    }
  } else {
    in.profiles = load_profiles_jsonl(profiles_text, in.referential);
  }
  return 0;
}

// The options every matching command reads.
const std::vector<OptionSpec> kInputOptions = {{"--referential", true}, {"--esco", true},
                                               {"--offers", true},      {"--profile", true},
                                               {"--profiles", true},    {"--scoring", true}};

std::vector<OptionSpec> with_inputs(std::vector<OptionSpec> more) {
  more.insert(more.begin(), kInputOptions.begin(), kInputOptions.end());
  return more;
}

ExplanationLanguage language(const Args& args) {
  const std::string lang_name = args.get("--lang").value_or("fr");
  if (lang_name != "fr" && lang_name != "en")
    throw UsageError("--lang must be fr or en, not \"" + lang_name + "\"");
  return lang_name == "en" ? ExplanationLanguage::en : ExplanationLanguage::fr;
}

}  // namespace

int cmd_match(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         with_inputs({{"--top", true},
                                      {"--lang", true},
                                      {"--explain", false},
                                      {"--persons", false},
                                      {"--departements", true},
                                      {"--contracts", true},
                                      {"--max-km", true},
                                      {"--threads", true},
                                      {"--exposure", true},
                                      {"--bank", true}}),
                         0, 0);
  const std::size_t top = positive(args, "--top", 10, 1000000);
  const std::optional<std::string> exposure_path = args.get("--exposure");
  MatchBatchOptions batch;
  batch.threads = positive(args, "--threads", 1, 256);
  // --progress: the queries answered so far (offers with --persons, else persons), on stderr.
  if (progress::enabled())
    batch.progress = [reported = std::size_t{0}](std::size_t done, std::size_t) mutable {
      progress::records(done - reported);
      reported = done;
    };
  MatchFilters filters;
  filters.departements = comma_list(args.get("--departements"));
  filters.contract_types = comma_list(args.get("--contracts"));
  if (auto v = args.get("--max-km")) {
    std::size_t used = 0;
    double km = -1;
    try {
      km = std::stod(*v, &used);
    } catch (const std::exception&) {
    }
    if (used != v->size() || !(km >= 0))
      throw UsageError("--max-km must be a number of km >= 0, not \"" + *v + "\"");
    filters.max_km = km;
  }
  const bool persons = args.has("--persons");
  const ExplanationLanguage lang = language(args);
  const bool explain = args.has("--explain");

  MatchingInputs in;
  if (int code = load_inputs(args, in)) return code;
  progress::stage("inputs read");
  const Referential& referential = in.referential;
  const ScoringConfig& config = in.config;
  const OfferBatch& offers = in.offers;
  const ProfileBatch& profiles = in.profiles;
  std::string& out = in.out;
  bool& failed = in.failed;

  ExplainOptions options;
  options.top = top;
  // Profiles and their errors in input order.
  std::size_t next_error = 0;
  auto flush_errors_before = [&](std::size_t line) {
    while (next_error < profiles.errors.size() && profiles.errors[next_error].line < line) {
      out += error_record("profiles", profiles.errors[next_error].line,
                          profiles.errors[next_error].error);
      failed = true;
      ++next_error;
    }
  };
  // `explained` explains the pair from the bank's own answer (explain_listed): no other
  // document is scored.
  auto emit = [&](const Profile& profile, const Offer& offer, std::size_t rank, std::size_t cohort,
                  const Score& s, const auto& explained) {
    Json j = Json::object();
    j["profile_id"] = profile.id;
    j["offer_id"] = offer.id;
    j["rank"] = rank;
    j["cohort_size"] = cohort;
    j["score"] = s.score;
    j["reason_codes"] = s.reasons;
    if (explain) {
      const MatchExplanation e = explained();
      Json full = Json::parse(e.to_json(lang));
      j["reasons"] = full["reasons"];
      j["explanation"] = std::move(full);
    } else {
      j["reasons"] = reasons_json(s, profile, offer, options, lang);
    }
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    if (out.size() > (1u << 20)) {
      write_out(out);
      out.clear();
    }
  };
  // The answers are computed by the banks (in parallel with --threads), then printed in input
  // order; an excluded document is never listed, though it counts in the cohort.
  std::string exposure;
  // --bank: the bank read from its file (built by `aiguillage bank build`) instead of built.
  const std::optional<std::string> bank_path = args.get("--bank");
  const BankBuildOptions build{batch.threads};
  try {
    if (persons) {
      flush_errors_before(static_cast<std::size_t>(-1));
      const ProfileBank bank = bank_path ? ProfileBank::load(*bank_path, referential, build)
                                         : ProfileBank(profiles.profiles, referential, config);
      const std::vector<Profile>& people = bank.profiles();
      const auto best = bank.top_profiles(offers.offers, top, filters, batch);
      if (exposure_path) exposure = exposure_of_persons(people, best, top).to_json() + "\n";
      for (std::size_t o = 0; o < offers.offers.size(); ++o)
        for (std::size_t r = 0; r < best[o].size(); ++r)
          emit(people[best[o][r].index], offers.offers[o], r + 1, people.size(), best[o][r].score,
               [&] { return explain_listed(bank, offers.offers[o], best[o], r, options); });
    } else {
      const OfferBank bank = bank_path ? OfferBank::load(*bank_path, referential, build)
                                       : OfferBank(offers.offers, referential, config);
      const std::vector<Offer>& listed = bank.offers();
      const auto best = bank.top_offers(profiles.profiles, top, filters, batch);
      if (exposure_path)
        exposure = exposure_of_queries(profiles.profiles, best, top).to_json() + "\n";
      for (std::size_t p = 0; p < profiles.profiles.size(); ++p) {
        flush_errors_before(profiles.lines[p]);
        for (std::size_t r = 0; r < best[p].size(); ++r)
          emit(profiles.profiles[p], listed[best[p][r].index], r + 1, listed.size(),
               best[p][r].score, [&] {
                 return explain_listed(bank, profiles.profiles[p], best[p], r, filters, options);
               });
      }
    }
  } catch (const Error& e) {
    if (!bank_path || e.pointer().rfind("/queries/", 0) == 0) throw;
    return report(e, kExitLoad);  // the bank file: another version, damaged, unreadable
  }
  flush_errors_before(static_cast<std::size_t>(-1));
  write_out(out);
  if (exposure_path) {
    try {
      write_document(*exposure_path, exposure);
    } catch (const Error& e) {
      return report(e, kExitIo);
    }
  }
  return failed ? kExitFailed : kExitOk;
}

int cmd_explain_match(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         with_inputs({{"--profile-id", true},
                                      {"--offer-id", true},
                                      {"--persons", false},
                                      {"--top", true},
                                      {"--lang", true},
                                      {"--json", false},
                                      {"--employer", false}}),
                         0, 0);
  const ExplanationLanguage lang = language(args);
  ExplainOptions options;
  options.top = positive(args, "--top", 10, 1000000);
  if (!args.has("--offer-id")) throw UsageError("--offer-id ID is required");
  MatchingInputs in;
  if (int code = load_inputs(args, in)) return code;
  progress::stage("inputs read");
  for (const LineError& le : in.profiles.errors) {
    in.out += error_record("profiles", le.line, le.error);
    in.failed = true;
  }
  // The person: --profile-id, or the only one.
  const Profile* profile = nullptr;
  const std::string profile_id = args.get("--profile-id").value_or("");
  for (const Profile& p : in.profiles.profiles)
    if (p.id == profile_id || (profile_id.empty() && in.profiles.profiles.size() == 1))
      profile = &p;
  const Offer* offer = nullptr;
  for (const Offer& o : in.offers.offers)
    if (o.id == *args.get("--offer-id")) offer = &o;
  write_out(in.out);
  if (!profile || !offer) {
    std::fprintf(stderr, "error: %s\n",
                 !profile
                     ? (profile_id.empty() ? "several persons: say which with --profile-id ID"
                                           : ("no person with id \"" + profile_id + "\"").c_str())
                     : ("no offer with id \"" + *args.get("--offer-id") + "\"").c_str());
    return kExitFailed;
  }
  // Ranked by a bank of the cohort (its best k, k doubling until the pair is listed), so that
  // the cohort is not scored; a pair no bank lists (a hard constraint excludes it) is ranked
  // among the excluded by scoring the cohort.
  std::optional<MatchExplanation> e;
  if (args.has("--persons")) {
    const ProfileBank bank(in.profiles.profiles, in.referential, in.config);
    e = explain_in_bank(
        bank, *offer, static_cast<std::size_t>(profile - in.profiles.profiles.data()), {}, options);
    if (!e)
      e = explain_match(*profile, *offer, in.referential, in.config, in.profiles.profiles, options);
  } else {
    const OfferBank bank(in.offers.offers, in.referential, in.config);
    e = explain_in_bank(bank, *profile, static_cast<std::size_t>(offer - in.offers.offers.data()),
                        {}, options);
    if (!e)
      e = explain_match(*profile, *offer, in.referential, in.config, in.offers.offers, options);
  }
  write_out(args.has("--json")       ? e->to_json(lang) + "\n"
            : args.has("--employer") ? e->employer_text(lang)
                                     : e->to_text(lang));
  return in.failed ? kExitFailed : kExitOk;
}

int cmd_assign(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         with_inputs({{"--mode", true},
                                      {"--candidates", true},
                                      {"--per-person", true},
                                      {"--proposing", true},
                                      {"--one-position", false},
                                      {"--threads", true}}),
                         0, 0);
  const std::string mode = args.get("--mode").value_or("optimal");
  if (mode != "optimal" && mode != "stable")
    throw UsageError("--mode must be optimal or stable, not \"" + mode + "\"");
  const std::string proposing = args.get("--proposing").value_or("persons");
  if (proposing != "persons" && proposing != "offers")
    throw UsageError("--proposing must be persons or offers, not \"" + proposing + "\"");
  const std::size_t candidates = positive(args, "--candidates", 20, 100000);
  const std::size_t per_person = positive(args, "--per-person", 1, 1000);
  if (mode == "stable" && per_person != 1)
    throw UsageError("--per-person applies to --mode optimal (a stable matching gives one offer)");
  MatchBatchOptions batch;
  batch.threads = positive(args, "--threads", 1, 256);
  MatchingInputs in;
  if (int code = load_inputs(args, in)) return code;
  progress::stage("inputs read");
  for (const LineError& le : in.profiles.errors) {
    in.out += error_record("profiles", le.line, le.error);
    in.failed = true;
  }
  const std::vector<Profile>& persons = in.profiles.profiles;
  const std::vector<Offer>& offers = in.offers.offers;

  // The allowed pairs: each person's best offers by the full score (excluded ones never).
  const OfferBank bank(offers, in.referential, in.config);
  const auto best = bank.top_offers(persons, candidates, {}, batch);
  std::vector<std::uint32_t> positions(offers.size());
  for (std::size_t o = 0; o < offers.size(); ++o)
    positions[o] = args.has("--one-position") ? 1 : offers[o].positions;
  std::vector<std::vector<double>> score_of(persons.size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> chosen;  // (person, offer)
  auto score_between = [&](std::uint32_t p, std::uint32_t o) {
    for (const RankedMatch& m : best[p])
      if (m.index == o) return m.score.score;
    return 0.0;
  };
  if (mode == "optimal") {
    std::vector<CandidateEdge> edges;
    for (std::uint32_t p = 0; p < persons.size(); ++p)
      for (const RankedMatch& m : best[p])
        edges.push_back({p, static_cast<std::uint32_t>(m.index), m.score.score});
    const CapacitatedAssignment a = solve_capacitated_assignment(
        persons.size(), positions, static_cast<std::uint32_t>(per_person), edges,
        Objective::maximize);
    for (const CandidateEdge& e : a.pairs) chosen.emplace_back(e.person, e.offer);
  } else {
    // Preferences from the scores: each person's list is their candidates, best first; each
    // offer ranks the persons who list it by score, then id.
    std::vector<std::vector<std::uint32_t>> person_prefs(persons.size()),
        offer_prefs(offers.size());
    std::vector<std::vector<std::pair<double, std::uint32_t>>> listed(offers.size());
    for (std::uint32_t p = 0; p < persons.size(); ++p)
      for (const RankedMatch& m : best[p]) {
        person_prefs[p].push_back(static_cast<std::uint32_t>(m.index));
        listed[m.index].emplace_back(m.score.score, p);
      }
    for (std::size_t o = 0; o < offers.size(); ++o) {
      std::sort(listed[o].begin(), listed[o].end(), [&](const auto& x, const auto& y) {
        return ranks_before(false, x.first, persons[x.second].id, false, y.first,
                            persons[y.second].id);
      });
      for (const auto& [s, p] : listed[o]) offer_prefs[o].push_back(p);
    }
    const StableMatching sm =
        deferred_acceptance(person_prefs, offer_prefs, positions,
                            proposing == "offers" ? Proposing::offers : Proposing::persons);
    for (std::uint32_t p = 0; p < persons.size(); ++p)
      if (sm.offer_of_person[p] >= 0)
        chosen.emplace_back(p, static_cast<std::uint32_t>(sm.offer_of_person[p]));
  }
  std::sort(chosen.begin(), chosen.end());

  double total = 0;
  std::vector<char> assigned(persons.size(), 0);
  for (const auto& [p, o] : chosen) {
    const double s = score_between(p, o);
    std::size_t rank = 1;
    while (rank <= best[p].size() && best[p][rank - 1].index != o) ++rank;
    Json j = Json::object();
    j["profile_id"] = persons[p].id;
    j["offer_id"] = offers[o].id;
    j["score"] = s;
    j["rank_for_person"] = rank;
    in.out += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    total += s;
    assigned[p] = 1;
  }
  Json unassigned = Json::array();
  for (std::size_t p = 0; p < persons.size(); ++p)
    if (!assigned[p]) unassigned.push_back(persons[p].id);
  Json summary = Json::object();
  summary["mode"] = mode;
  summary["persons"] = persons.size();
  summary["offers"] = offers.size();
  summary["positions"] = std::accumulate(positions.begin(), positions.end(), std::size_t{0});
  summary["pairs"] = chosen.size();
  summary["total_score"] = total;
  summary["unassigned_persons"] = std::move(unassigned);
  in.out +=
      Json{{"summary", std::move(summary)}}.dump(-1, ' ', false, Json::error_handler_t::replace) +
      "\n";
  write_out(in.out);
  return in.failed ? kExitFailed : kExitOk;
}

}  // namespace aiguillage::cli
