// match: the best offers of each person (or the best persons for each offer) by the full
// score, found through the competence index (exact, see matcher.hpp), with their principal
// reasons or the full explanation.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "cli.hpp"

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
  MatchExplanation context;
  context.distance_km = s.distance_km;
  context.max_distance_km = profile.max_distance_km;
  context.mobility_steps = s.mobility_steps;
  context.offer_experience = offer.experience;
  Json reasons = Json::array();
  for (const MatchReason& reason : principal_reasons(s, options.max_reasons))
    reasons.push_back({{"kind", reason.penalty ? "penalty" : "term"},
                       {"name", reason.name},
                       {"feature", reason.feature},
                       {"contribution", reason.contribution},
                       {"text", reason_text(reason, context, lang)}});
  return reasons;
}

}  // namespace

int cmd_match(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         {{"--referential", true},
                          {"--esco", true},
                          {"--offers", true},
                          {"--profile", true},
                          {"--profiles", true},
                          {"--scoring", true},
                          {"--top", true},
                          {"--lang", true},
                          {"--explain", false},
                          {"--persons", false},
                          {"--departements", true},
                          {"--contracts", true},
                          {"--max-km", true},
                          {"--threads", true}},
                         0, 0);
  if (!args.has("--offers")) throw UsageError("--offers FILE is required");
  if (args.has("--profile") == args.has("--profiles"))
    throw UsageError("give exactly one of --profile FILE and --profiles FILE");
  const std::size_t top = positive(args, "--top", 10, 1000000);
  MatchBatchOptions batch;
  batch.threads = positive(args, "--threads", 1, 256);
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
  const std::string lang_name = args.get("--lang").value_or("fr");
  if (lang_name != "fr" && lang_name != "en")
    throw UsageError("--lang must be fr or en, not \"" + lang_name + "\"");
  const ExplanationLanguage lang =
      lang_name == "en" ? ExplanationLanguage::en : ExplanationLanguage::fr;
  const bool explain = args.has("--explain");

  namespace fs = std::filesystem;
  std::string rome_dir = args.get("--referential").value_or("");
  if (rome_dir.empty()) {
    if (!fs::is_directory("data/rome-subset"))
      throw UsageError("--referential DIR is required (no data/rome-subset here)");
    rome_dir = "data/rome-subset";
  }
  std::string scoring_path = args.get("--scoring").value_or("");
  if (scoring_path.empty() && fs::is_regular_file("rules/matching/scoring-default.json"))
    scoring_path = "rules/matching/scoring-default.json";

  Referential referential;
  ScoringConfig config;
  try {
    referential = Referential::load(rome_dir, args.get("--esco").value_or(""));
    if (!scoring_path.empty()) config = parse_scoring(read_file(scoring_path));
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  std::string offers_text, profiles_text;
  try {
    offers_text = read_file(*args.get("--offers"));
    profiles_text =
        read_file(args.has("--profile") ? *args.get("--profile") : *args.get("--profiles"));
  } catch (const Error& e) {
    return report(e, kExitIo);
  }

  std::string out;
  bool failed = false;
  const OfferBatch offers = load_offers_jsonl(offers_text, referential);
  for (const LineError& le : offers.errors) {
    out += error_record("offers", le.line, le.error);
    failed = true;
  }
  ProfileBatch profiles;
  if (args.has("--profile")) {
    // A single document, pretty-printed or not.
    try {
      profiles.profiles.push_back(parse_profile(profiles_text, referential));
      profiles.lines.push_back(1);
    } catch (const Error& e) {
      profiles.errors.push_back({1, e});
    }
  } else {
    profiles = load_profiles_jsonl(profiles_text, referential);
  }

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
  auto emit = [&](const Profile& profile, const Offer& offer, std::size_t rank, std::size_t cohort,
                  const Score& s) {
    Json j = Json::object();
    j["profile_id"] = profile.id;
    j["offer_id"] = offer.id;
    j["rank"] = rank;
    j["cohort_size"] = cohort;
    j["score"] = s.score;
    j["reason_codes"] = s.reasons;
    if (explain) {
      const MatchExplanation e =
          persons ? explain_match(profile, offer, referential, config, profiles.profiles, options)
                  : explain_match(profile, offer, referential, config, offers.offers, options);
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
  if (persons) {
    flush_errors_before(static_cast<std::size_t>(-1));
    const ProfileBank bank(profiles.profiles, referential, config);
    const auto best = bank.top_profiles(offers.offers, top, filters, batch);
    for (std::size_t o = 0; o < offers.offers.size(); ++o)
      for (std::size_t r = 0; r < best[o].size(); ++r)
        emit(profiles.profiles[best[o][r].index], offers.offers[o], r + 1, profiles.profiles.size(),
             best[o][r].score);
  } else {
    const OfferBank bank(offers.offers, referential, config);
    const auto best = bank.top_offers(profiles.profiles, top, filters, batch);
    for (std::size_t p = 0; p < profiles.profiles.size(); ++p) {
      flush_errors_before(profiles.lines[p]);
      for (std::size_t r = 0; r < best[p].size(); ++r)
        emit(profiles.profiles[p], offers.offers[best[p][r].index], r + 1, offers.offers.size(),
             best[p][r].score);
    }
  }
  flush_errors_before(static_cast<std::size_t>(-1));
  write_out(out);
  return failed ? kExitFailed : kExitOk;
}

}  // namespace aiguillage::cli
