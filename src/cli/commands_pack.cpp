// check, test, hash and import-jdm: commands on a pack or a document as a whole.
#include <cstdio>
#include <string>

#include "aiguillage/core/hash.hpp"
#include "aiguillage/interop/jdm_import.hpp"
#include "aiguillage/rules/analysis.hpp"
#include "aiguillage/rules/statuses.hpp"
#include "aiguillage/rules/test_cases.hpp"
#include "cli.hpp"

namespace aiguillage::cli {

int cmd_check(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2, {{"--json", false}}, 1, 1);
  Pack pack;
  try {
    pack = load_pack(args.positional[0]);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  CheckReport report = check_pack(pack);
  const StatusSplit statuses = status_split(pack);
  std::string out;
  if (args.has("--json")) {
    out = report.to_json();
    out.pop_back();  // the closing brace: the statuses and the decision mode join the object
    out += ",\"statuses\":" + statuses.to_json() +
           ",\"human_decision_required\":" + (pack.human_decision_required() ? "true" : "false") +
           "}";
  } else {
    out = report.to_text();
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += "statuses: " + statuses.to_text() + "\n";
    if (pack.human_decision_required())
      out += "decisions: by a human only (human_decision_required), never by policy\n";
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  write_out(out);
  return report.errors() > 0 ? kExitFailed : kExitOk;
}

int cmd_test(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2, {{"--json", false}}, 1, 1);
  const std::string& dir = args.positional[0];
  Pack pack;
  try {
    pack = load_pack(dir);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  TestRun run;
  try {
    std::vector<std::string> files = test_files_of(dir);
    if (files.empty()) {
      std::string warning = "warning: no test files (tests/*.json) next to the pack " + dir + "\n";
      std::fwrite(warning.data(), 1, warning.size(), stderr);
    }
    run = run_test_files(pack, files);
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  write_out(args.has("--json") ? run.to_json() + "\n" : run.to_text());
  return run.failed > 0 ? kExitFailed : kExitOk;
}

int cmd_hash(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2, {{"--json", false}}, 1, 1);
  const std::string& path = args.positional[0];
  std::string hash;
  try {
    if (args.has("--json")) {
      hash = document_hash(read_file(path));
    } else {
      hash = load_pack(path).hash();
    }
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  write_out(hash + "\n");
  return kExitOk;
}

int cmd_import_jdm(int argc, char** argv) {
  return run_import<JdmImportOptions>(argc, argv,
                                      [](std::string_view text, const JdmImportOptions& options) {
                                        return import_jdm(text, options);
                                      });
}

}  // namespace aiguillage::cli
