// match: scores profiles against offers (a full scan) and prints the best offers of each
// person with their principal reasons, or the full explanation.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage/matching/explanation.hpp"
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

struct Ranked {
  std::size_t offer;
  Score score;
};

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
                          {"--explain", false}},
                         0, 0);
  if (!args.has("--offers")) throw UsageError("--offers FILE is required");
  if (args.has("--profile") == args.has("--profiles"))
    throw UsageError("give exactly one of --profile FILE and --profiles FILE");
  std::size_t top = 10;
  if (auto v = args.get("--top")) {
    std::size_t used = 0;
    long long k = -1;
    try {
      k = std::stoll(*v, &used);
    } catch (const std::exception&) {
    }
    if (used != v->size() || k < 1 || k > 1000000)
      throw UsageError("--top must be a positive integer, not \"" + *v + "\"");
    top = static_cast<std::size_t>(k);
  }
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
  for (std::size_t p = 0; p < profiles.profiles.size(); ++p) {
    flush_errors_before(profiles.lines[p]);
    const Profile& profile = profiles.profiles[p];
    std::vector<Ranked> ranked;
    ranked.reserve(offers.offers.size());
    for (std::size_t o = 0; o < offers.offers.size(); ++o)
      ranked.push_back({o, score(profile, offers.offers[o], referential, config)});
    std::sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
      return ranks_before(a.score.excluded, a.score.score, offers.offers[a.offer].id,
                          b.score.excluded, b.score.score, offers.offers[b.offer].id);
    });
    // An excluded offer is never proposed, though it counts in the cohort.
    for (std::size_t r = 0; r < ranked.size() && r < top && !ranked[r].score.excluded; ++r) {
      const Offer& offer = offers.offers[ranked[r].offer];
      const Score& s = ranked[r].score;
      Json j = Json::object();
      j["profile_id"] = profile.id;
      j["offer_id"] = offer.id;
      j["rank"] = r + 1;
      j["cohort_size"] = ranked.size();
      j["score"] = s.score;
      j["reason_codes"] = s.reasons;
      if (explain) {
        const MatchExplanation e =
            explain_match(profile, offer, referential, config, offers.offers, options);
        Json full = Json::parse(e.to_json(lang));
        j["reasons"] = full["reasons"];
        j["explanation"] = std::move(full);
      } else {
        // The reasons' words need only the pair's own facts, not the cohort.
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
        j["reasons"] = reasons;
      }
      out += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    }
    if (out.size() > (1u << 20)) {
      write_out(out);
      out.clear();
    }
  }
  flush_errors_before(static_cast<std::size_t>(-1));
  write_out(out);
  return failed ? kExitFailed : kExitOk;
}

}  // namespace aiguillage::cli
