// The committees' and the auditor's view of a decision log (document aiguillage.report,
// schema_version 1.1): indicators per territory, per month and overall; disparities between
// groups with intervals and corrected tests; territorial consistency (every record replayed
// with each other territory); the impact of a candidate pack; the exposure of groups in a
// matching run's top-k. Small cells are suppressed, with
// complementary suppression, in every table and chart; no identifier or pseudonym is written.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/core/date.hpp"
#include "aiguillage/rules/registry.hpp"

namespace aiguillage {
inline namespace v1 {

inline constexpr std::string_view kReportSchema = "aiguillage.report";

// Where decision records come from: the log's lines, as every backend writes them
// ({"seq":…,"prev":…,"record":…,"hash":…}). The report checks the chain itself as it reads, in
// parallel; the source's own verification runs only to name what is wrong with a broken log.
class DecisionSource {
 public:
  // Lines first, first + 1, … (no end of line). Views stay valid during the call only.
  struct Block {
    std::uint64_t first = 1;
    std::vector<std::string_view> lines;
    bool broken_tail = false;  // after these lines: a line cut short or too long (none follows)
  };
  virtual ~DecisionSource() = default;
  // Every line in order, by blocks; the sink returns false to stop early.
  virtual void lines(const std::function<bool(const Block&)>& sink) = 0;
  // Whether the chain that ends at line `lines` with `last_hash` is the whole log (the head row
  // of a database names its end); called after a pass where every line verified.
  virtual LogVerification check_end(std::uint64_t lines, const std::string& last_hash) {
    LogVerification v;
    v.lines = lines;
    v.last_hash = last_hash;
    return v;
  }
  // The source's full verification, line by line (slow): what a broken log's message says.
  virtual LogVerification verify() = 0;
  virtual std::string description() const = 0;  // "file decisions.log" (no path)
};

std::unique_ptr<DecisionSource> open_file_source(const std::string& path);
// The PostgreSQL log (a libpq connection string or postgresql:// URL); Error(unavailable) when
// the server cannot be reached.
std::unique_ptr<DecisionSource> open_db_source(const std::string& url);

// A matching run read for its exposure (matching fairness): each person of the persons file
// with their group attributes and how they appear in the run's top-k lists.
struct MatchRun {
  struct Person {
    std::map<std::string, std::string, std::less<>> attributes;  // name -> value text
    std::uint32_t listed = 0;  // lines of the run naming the person (top-k places)
    double score_sum = 0;      // of those lines
    // The matching criteria of the person's profile, in bands, one per criteria_names entry;
    // empty when the profiles were not given or the person has none.
    std::vector<std::string> criteria;
  };
  std::vector<Person> persons;  // in the persons file's order; identifiers are not kept
  // With the profiles: "departement", "rome_family", "competences", "diploma_level", "rqth".
  std::vector<std::string> criteria_names;
  std::uint64_t lines = 0;    // match lines read
  std::uint64_t unknown = 0;  // lines whose profile_id is not in the persons file
  std::uint64_t offers = 0;   // distinct offer_id
  std::uint32_t k = 0;        // the largest rank: the k of the top-k
};

// Reads `aiguillage match` output (JSON Lines with profile_id, offer_id, rank, score; error
// lines are skipped) and the persons file (JSON Lines with person_id, the profile's id, and
// group attributes). Throws Error(invalid_document) naming the file and line of a line that
// is not such an object, Error(io) when a file cannot be read.
// With `profiles_path` (the profiles given to `match`, JSON Lines with id), each person's
// matching criteria are read too, for the comparison at equal criteria.
MatchRun read_match_run(const std::string& matches_path, const std::string& persons_path,
                        const std::string& profiles_path = {});

struct ReportOptions {
  std::optional<Date> from, to;          // reference dates, inclusive
  std::vector<std::string> territories;  // only these (all when empty)
  std::vector<std::string> group_by;     // group attributes (defaults when empty)
  std::string lang = "fr";               // "fr" or "en"
  int threshold = 11;                    // smallest count shown; never below 5
  bool unverified = false;               // report a log that does not verify, and say so
  bool territorial = true;               // replay with each other territory
  const Pack* against = nullptr;         // candidate pack: the impact of the change
  // Attributes the records do not hold, per pseudonym ("hmac-sha256:..."): name -> value text.
  std::map<std::string, std::map<std::string, std::string>, std::less<>> persons;
  unsigned threads = 2;
  const MatchRun* matches = nullptr;  // exposure of groups in a matching run's top-k
};

// One table of the report: cells are text, numbers, null ("—": not defined) or suppressed.
struct ReportTable {
  struct Cell {
    enum class Kind : std::uint8_t { text, count, number, none };
    Kind kind = Kind::none;
    std::string text;
    double number = 0;
    bool suppressed = false;
  };
  std::string id;       // file stem of its CSV: "indicators_territory"
  std::string section;  // "indicators", "disparities", "territorial", "impact"
  std::string caption;
  std::vector<std::string> column_ids, column_labels;
  std::vector<std::vector<Cell>> rows;
  int version = 0;  // index of the pack version it belongs to
};

struct Report {
  std::string json;  // report.json
  std::string html;  // report.html
  std::vector<ReportTable> tables;
  std::vector<std::string> headlines;  // three headline figures, in the report's language
};

// Throws Error(invalid_document) naming the first bad line when the source does not verify and
// options.unverified is false; Error(invalid_argument) for a threshold below 5 or an unknown
// language or group attribute.
Report build_report(DecisionSource& source, const Registry& packs, const ReportOptions& options);

// One CSV text per table (RFC 4180, header row of column labels; suppressed cells as the
// report shows them).
std::string table_to_csv(const ReportTable& table, std::string_view lang);

}  // namespace v1
}  // namespace aiguillage
