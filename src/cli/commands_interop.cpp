// import-dmn and dmn-tck: DMN models in, and the DMN TCK run against the engine.
#include <cstdio>
#include <fstream>
#include <string>

#include "aiguillage/core/date.hpp"
#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/interop/dmn_tck.hpp"
#include "cli.hpp"

namespace aiguillage::cli {

int cmd_import_dmn(int argc, char** argv) {
  return run_import<DmnImportOptions>(argc, argv,
                                      [](std::string_view text, const DmnImportOptions& options) {
                                        return import_dmn(text, options);
                                      });
}

int cmd_dmn_tck(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2, {{"--csv", true}}, 1, 1);
  TckRun run;
  try {
    run = run_dmn_tck(args.positional[0]);
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  if (auto csv = args.get("--csv")) {
    std::ofstream out(*csv, std::ios::binary);
    out << tck_results_csv(run);
    if (!out) return report(Error(ErrorCode::io, "cannot write " + *csv), kExitIo);
  }
  std::string text;
  for (const TckCase& c : run.cases) {
    if (c.result == TckCase::Result::success) continue;
    text += c.folder + "/" + c.file + " #" + c.id + ": " +
            (c.result == TckCase::Result::ignored ? "IGNORED " : "ERROR ") + c.message + "\n";
  }
  text += "passed " + std::to_string(run.passed()) + " of " + std::to_string(run.cases.size()) +
          " test cases\n";
  write_out(text);
  return run.passed() == run.cases.size() ? kExitOk : kExitFailed;
}

}  // namespace aiguillage::cli
