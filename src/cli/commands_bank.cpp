// bank build: a bank of offers or of persons built once and written to a file, for `match
// --bank` and the service to read instead of building it (docs/matching.md, "Bank files").
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "aiguillage/matching/matcher.hpp"
#include "cli.hpp"
#include "progress.hpp"

namespace aiguillage::cli {

namespace {

using Json = nlohmann::ordered_json;

std::size_t thread_count(const Args& args) {
  const std::string v = args.get("--threads").value_or("1");
  std::size_t used = 0;
  long long n = -1;
  try {
    n = std::stoll(v, &used);
  } catch (const std::exception&) {
  }
  if (used != v.size() || n < 1 || n > 256)
    throw UsageError("--threads must be an integer from 1 to 256, not \"" + v + "\"");
  return static_cast<std::size_t>(n);
}

// One line per refused document, as `match` prints them.
void print_rejected(const char* file, const std::vector<LineError>& errors) {
  std::string out;
  for (const LineError& le : errors) {
    Json j = Json::object();
    j["file"] = file;
    j["line"] = le.line;
    j["status"] = "error";
    j["errors"] = Json::array({{{"code", static_cast<int>(le.error.code())},
                                {"name", std::string(error_code_name(le.error.code()))},
                                {"message", le.error.message()},
                                {"pointer", le.error.pointer()}}});
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  write_out(out);
}

}  // namespace

int cmd_bank(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         {{"--referential", true},
                          {"--esco", true},
                          {"--scoring", true},
                          {"--offers", true},
                          {"--profiles", true},
                          {"--out", true},
                          {"--threads", true}},
                         1, 1);
  if (args.positional[0] != "build")
    throw UsageError("unknown bank command \"" + args.positional[0] + "\" (expected build)");
  if (args.has("--offers") == args.has("--profiles"))
    throw UsageError("give exactly one of --offers FILE and --profiles FILE");
  if (!args.has("--out")) throw UsageError("--out BANK is required");
  const BankBuildOptions options{thread_count(args)};
  Referential referential;
  ScoringConfig config;
  if (int code = load_matching_setup(args, referential, config)) return code;
  const bool offers = args.has("--offers");
  std::string text;
  try {
    text = read_file(offers ? *args.get("--offers") : *args.get("--profiles"));
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  std::size_t documents = 0, rejected = 0;
  try {
    if (offers) {
      OfferBatch batch = load_offers_jsonl(text, referential);
      print_rejected("offers", batch.errors);
      rejected = batch.errors.size();
      progress::stage("offers read");
      const OfferBank bank(std::move(batch.offers), referential, config, options);
      documents = bank.size();
      bank.save(*args.get("--out"));
    } else {
      ProfileBatch batch = load_profiles_jsonl(text, referential);
      print_rejected("profiles", batch.errors);
      rejected = batch.errors.size();
      progress::stage("profiles read");
      const ProfileBank bank(std::move(batch.profiles), referential, config, options);
      documents = bank.size();
      bank.save(*args.get("--out"));
    }
  } catch (const Error& e) {
    return report(e, kExitLoad);  // an I/O error writing the file exits 4
  }
  Json summary = Json::object();
  summary["bank"] = offers ? "offers" : "persons";
  summary["documents"] = documents;
  summary["rejected"] = rejected;
  summary["out"] = *args.get("--out");
  write_out(summary.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
  return rejected ? kExitFailed : kExitOk;
}

}  // namespace aiguillage::cli
