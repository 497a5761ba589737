// The committees' and the auditor's view of a decision log (document aiguillage.report,
// schema_version 1.0): indicators per territory, per month and overall; disparities between
// groups with intervals and corrected tests; territorial consistency (every record replayed
// with each other territory); the impact of a candidate pack. Small cells are suppressed, with
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

// Where decision records come from. The file log is one backend; another (a database) plugs in
// by implementing the same two calls.
class DecisionSource {
 public:
  virtual ~DecisionSource() = default;
  // What the source says about its own integrity (the chain of a file log).
  virtual LogVerification verify() = 0;
  // Every record in order: its 1-based line (or sequence) and its JSON text. With `verified`,
  // only the records of a log that verifies (the caller checked verify() first); otherwise
  // every line that holds a record, even after a break in the chain.
  virtual void read(const std::function<void(std::uint64_t line, std::string_view record)>& sink,
                    bool verified) = 0;
  virtual std::string description() const = 0;  // "file decisions.log" (no path)
};

std::unique_ptr<DecisionSource> open_file_source(const std::string& path);

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
