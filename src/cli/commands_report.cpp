// `aiguillage report`: the committees' and the auditor's view of a decision log.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/audit/report.hpp"
#include "cli.hpp"
#include "core/json_read.hpp"

namespace aiguillage::cli {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Date date_option(const Args& args, std::string_view name) {
  const std::string text = *args.get(name);
  auto d = Date::parse(text);
  if (!d) throw UsageError(std::string(name) + " must be a date YYYY-MM-DD, not \"" + text + "\"");
  return *d;
}

// The persons file: JSON Lines with "person_id" and the attributes the records do not hold,
// joined to the records by pseudonym under the deployment's key. Identifiers stay here.
void read_persons(const std::string& path, const std::string& key, ReportOptions& options) {
  RecordReader reader(path);
  while (const auto* block = reader.next())
    for (const RecordLine& line : *block) {
      const auto doc = detail::parse_document(line.text);
      if (!doc.is_object() || !doc.contains("person_id") || !doc["person_id"].is_string())
        throw Error(ErrorCode::invalid_document,
                    "persons file line " + std::to_string(line.line) + ": no person_id",
                    "/person_id");
      auto& attributes = options.persons[pseudonymise(key, doc["person_id"].get<std::string>())];
      for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (it.key() == "person_id" || it->is_object() || it->is_array() || it->is_null()) continue;
        attributes[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
      }
    }
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw Error(ErrorCode::io, "cannot write " + path.string());
}

}  // namespace

int cmd_report(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2,
                               {{"--log", true},
                                {"--db", true},
                                {"--out", true},
                                {"--packs", true},
                                {"--persons", true},
                                {"--key-env", true},
                                {"--from", true},
                                {"--to", true},
                                {"--territory", true},
                                {"--group-by", true},
                                {"--lang", true},
                                {"--threshold", true},
                                {"--unverified", false},
                                {"--no-territorial", false},
                                {"--against", true},
                                {"--threads", true},
                                {"--matches", true},
                                {"--match-persons", true},
                                {"--match-profiles", true}},
                               0, 0);
  const auto log = args.get("--log");
  const auto db = args.get("--db");
  const auto out = args.get("--out");
  if (!out || (!log && !db) || (log && db))
    throw UsageError("--out DIR and one of --log FILE or --db URL are required");
  ReportOptions options;
  if (args.has("--from")) options.from = date_option(args, "--from");
  if (args.has("--to")) options.to = date_option(args, "--to");
  if (auto t = args.get("--territory")) options.territories = split_list(*t);
  if (auto g = args.get("--group-by")) options.group_by = split_list(*g);
  options.lang = args.get("--lang").value_or("fr");
  if (options.lang != "fr" && options.lang != "en")
    throw UsageError("--lang must be fr or en, not \"" + options.lang + "\"");
  if (auto t = args.get("--threshold")) {
    char* end = nullptr;
    const long v = std::strtol(t->c_str(), &end, 10);
    if (!end || *end || v < 5 || v > 1000000)
      throw UsageError("--threshold must be a whole number of at least 5, not \"" + *t + "\"");
    options.threshold = static_cast<int>(v);
  }
  if (auto t = args.get("--threads")) options.threads = static_cast<unsigned>(std::stoul(*t));
  options.unverified = args.has("--unverified");
  options.territorial = !args.has("--no-territorial");
  if (args.has("--persons")) {
    const auto var = args.get("--key-env");
    if (!var) throw UsageError("--persons needs --key-env VAR: the pseudonymisation key");
    const char* key = std::getenv(var->c_str());
    if (!key || !*key)
      throw UsageError("the environment variable " + *var + " holds no pseudonymisation key");
    try {
      read_persons(*args.get("--persons"), key, options);
    } catch (const Error& e) {
      return report(e);
    }
  }
  std::optional<MatchRun> matches;
  if (args.has("--matches") != args.has("--match-persons"))
    throw UsageError("--matches FILE and --match-persons FILE go together");
  if (args.has("--match-profiles") && !args.has("--matches"))
    throw UsageError("--match-profiles FILE goes with --matches FILE and --match-persons FILE");
  if (args.has("--matches")) {
    try {
      matches = read_match_run(*args.get("--matches"), *args.get("--match-persons"),
                               args.get("--match-profiles").value_or(""));
      options.matches = &*matches;
    } catch (const Error& e) {
      return report(e);
    }
  }
  Registry packs;
  std::optional<Pack> against;
  try {
    const std::string dir = args.get("--packs").value_or("rules");
    if (!std::filesystem::is_directory(dir))
      throw UsageError("--packs DIR: no folder " + dir + " (the packs the records name)");
    packs.load_dir(dir);
    if (auto a = args.get("--against")) {
      against = load_pack(*a);
      options.against = &*against;
    }
  } catch (const Error& e) {
    return report(e);
  }
  try {
    auto source = log ? open_file_source(*log) : open_db_source(*db);
    const Report r = build_report(*source, packs, options);
    const std::filesystem::path dir(*out);
    std::filesystem::create_directories(dir);
    write_text(dir / "report.json", r.json);
    write_text(dir / "report.html", r.html);
    for (const ReportTable& t : r.tables)
      write_text(dir / (t.id + (t.version ? "-v" + std::to_string(t.version) : "") + ".csv"),
                 table_to_csv(t, options.lang));
    std::string text = (dir / "report.html").string() + "\n";
    for (const std::string& h : r.headlines) text += "  " + h + "\n";
    write_out(text);
  } catch (const Error& e) {
    return report(e, e.code() == ErrorCode::invalid_document ? kExitFailed : kExitLoad);
  } catch (const std::filesystem::filesystem_error& e) {
    return report(Error(ErrorCode::io, e.what()));
  }
  return kExitOk;
}

}  // namespace aiguillage::cli
