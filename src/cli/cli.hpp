// Shared pieces of the `aiguillage` command: exit codes, argument parsing, record input and
// buffered output.
#pragma once

#include <cstddef>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {
class Referential;
struct ScoringConfig;
}  // namespace v1
}  // namespace aiguillage

namespace aiguillage::cli {

// Documented in docs/cli.md; scripts depend on them.
enum Exit : int {
  kExitOk = 0,
  kExitFailed = 1,  // records with errors, check errors, failed tests
  kExitUsage = 2,
  kExitLoad = 3,  // a pack or document could not be loaded
  kExitIo = 4,
};

// A mistake on the command line: reported with the command's usage, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string_view name;  // "--date"
  bool takes_value = false;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> options;  // flags map to ""
  bool help = false;

  bool has(std::string_view name) const { return options.find(name) != options.end(); }
  std::optional<std::string> get(std::string_view name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
};

// Parses argv[first..argc): "--name value", "--name=value", flags, positionals ("-" is a
// positional: standard input), "--" ends the options. Throws UsageError for an unknown option,
// a missing value, or a positional count outside [min_positional, max_positional].
Args parse_args(int argc, char** argv, int first, const std::vector<OptionSpec>& specs,
                std::size_t min_positional, std::size_t max_positional);

// Prints "error: " + describe() to stderr; returns kExitIo for I/O errors, else `code`.
int report(const Error& error, int code = kExitLoad);

// Pack::load_file with a clear I/O error for a folder without pack.json.
Pack load_pack(const std::string& path);

std::string read_file(const std::string& path);  // "-" reads standard input; throws Error(io)

// One input record: its 1-based line in the input and its text.
struct RecordLine {
  std::size_t line = 0;
  std::string_view text;
};

// Reads JSON Lines (blank lines skipped) in large chunks, or one pretty-printed object spanning
// several lines. Uses read(2), so records arriving on a pipe are processed as they come.
class RecordReader {
 public:
  explicit RecordReader(const std::string& path);  // "-" or "" reads standard input
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The next block of records; nullptr at the end. Views stay valid until the next call.
  const std::vector<RecordLine>* next();

 private:
  bool read_more();
  bool whole_document();
  [[noreturn]] void too_long(std::size_t line) const;

  static constexpr std::size_t kMaxBlockRecords = 4096;

  int fd_ = 0;
  bool owned_ = false;
  std::string path_;
  std::string buf_;
  std::size_t consumed_ = 0;  // bytes of buf_ handed out by the previous call
  std::size_t line_ = 0;      // lines consumed so far
  bool eof_ = false;
  bool first_ = true;
  std::vector<RecordLine> block_;
};

// The referential (--referential, --esco) and scoring (--scoring) of the matching commands,
// by default those installed with aiguillage; 0, or the exit code after reporting an error.
int load_matching_setup(const Args& args, Referential& referential, ScoringConfig& config);

// Writes a string to stdout; throws Error(io) when the write fails.
void write_out(std::string_view text);

// JSON string literal (invalid UTF-8 replaced).
std::string json_string(std::string_view s);

// The commands; each returns the exit code.
int cmd_eval(int argc, char** argv);
int cmd_explain(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_test(int argc, char** argv);
int cmd_hash(int argc, char** argv);
int cmd_import_jdm(int argc, char** argv);
int cmd_import_dmn(int argc, char** argv);
int cmd_dmn_tck(int argc, char** argv);
int cmd_export(int argc, char** argv);
int cmd_orient(int argc, char** argv);
int cmd_decide(int argc, char** argv);
int cmd_notice(int argc, char** argv);
int cmd_log(int argc, char** argv);
int cmd_replay(int argc, char** argv);
int cmd_report(int argc, char** argv);
int cmd_match(int argc, char** argv);
int cmd_explain_match(int argc, char** argv);
int cmd_assign(int argc, char** argv);
int cmd_bank(int argc, char** argv);   // commands_bank.cpp
int cmd_packs(int argc, char** argv);  // commands_packs.cpp

// `import-jdm` and `import-dmn`: FILE and the pack's --id, --version, --valid-from in, the pack
// on stdout. Exit 4 when the file cannot be read, 3 when it does not make a pack.
template <typename Options, typename Import>
int run_import(int argc, char** argv, Import import) {
  Args args = parse_args(argc, argv, 2,
                         {{"--id", true}, {"--version", true}, {"--valid-from", true}}, 1, 1);
  Options options;
  if (auto v = args.get("--id")) options.id = *v;
  if (auto v = args.get("--version")) options.version = *v;
  if (auto v = args.get("--valid-from")) {
    if (!Date::parse(*v))
      throw UsageError("--valid-from must be a valid date YYYY-MM-DD, not \"" + *v + "\"");
    options.valid_from = *v;
  }
  std::string text;
  try {
    text = read_file(args.positional[0]);
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  std::string pack;
  try {
    pack = import(text, options);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  if (!pack.empty() && pack.back() != '\n') pack += '\n';
  write_out(pack);
  return kExitOk;
}

}  // namespace aiguillage::cli
