// `aiguillage packs`: the rule packs installed with the library (share/aiguillage/rules), or
// under a folder given on the command line.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "aiguillage/core/data_dir.hpp"
#include "aiguillage/rules/pack.hpp"
#include "cli.hpp"

namespace aiguillage::cli {
namespace {

namespace fs = std::filesystem;

// Every pack.json under `root`, in path order (recursive; a folder that cannot be read is an
// I/O error naming it).
std::vector<fs::path> pack_files(const fs::path& root) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().filename() == "pack.json") files.push_back(it->path());
  if (ec) throw Error(ErrorCode::io, root.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int cmd_packs(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, {}, 0, 1);
  std::string root;
  try {
    root = args.positional.empty() ? data_dir() + "/rules" : args.positional[0];
  } catch (const Error& e) {
    // No data folder: the installation is incomplete, a load error (exit 3), not an I/O one.
    std::fprintf(stderr, "error: %s\n", e.describe().c_str());
    return kExitLoad;
  }
  if (!fs::is_directory(root)) {
    std::fprintf(stderr, "error: %s: no such folder of rule packs\n", root.c_str());
    return kExitLoad;
  }
  std::string out = "# packs in " + root + "\n# id\tversion\tvalid\thash\tfolder\n";
  try {
    for (const fs::path& file : pack_files(root)) {
      Pack pack;
      try {
        pack = Pack::load_file(file.string());
      } catch (const Error& e) {
        std::fprintf(stderr, "error: %s: %s\n", file.string().c_str(), e.describe().c_str());
        return kExitLoad;
      }
      const std::string to = pack.valid_to() ? pack.valid_to()->to_string() : "";
      out += pack.id() + "\t" + pack.version() + "\t" + pack.valid_from().to_string() + ".." + to +
             "\t" + pack.hash() + "\t" + file.parent_path().lexically_relative(root).string() +
             "\n";
    }
  } catch (const Error& e) {
    return report(e);
  }
  write_out(out);
  return kExitOk;
}

}  // namespace aiguillage::cli
