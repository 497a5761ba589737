// export: a pack written as a DMN model or a GoRules JDM graph, to standard output.
#include <filesystem>
#include <string>

#include "aiguillage/interop/pack_export.hpp"
#include "cli.hpp"

namespace aiguillage::cli {

int cmd_export(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2, {{"--to", true}}, 1, 1);
  std::string format = args.get("--to").value_or("");
  if (format != "dmn" && format != "jdm")
    throw UsageError("--to must be dmn or jdm, not \"" + format + "\"");
  std::string path = args.positional[0];
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) path += "/pack.json";
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  std::string out;
  try {
    out = format == "dmn" ? export_dmn(text) : export_jdm(text);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  write_out(out);
  return kExitOk;
}

}  // namespace aiguillage::cli
