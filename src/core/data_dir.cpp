#include "aiguillage/core/data_dir.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/version.hpp"

namespace aiguillage {
inline namespace v1 {
namespace {

namespace fs = std::filesystem;

bool holds_data(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "rules", ec);
}

// The folder of the file (shared library, executable or Python extension) this code lives in.
fs::path own_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&holds_data), &info) == 0 || !info.dli_fname ||
      !*info.dli_fname)
    return {};
  std::error_code ec;
  fs::path file = fs::canonical(info.dli_fname, ec);
  return ec ? fs::path{} : file.parent_path();
}

fs::path executable_folder() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path{} : exe.parent_path();
}

// Candidates beside one folder: the install layout first (the paths from the library and
// executable folders to the data folder, fixed at build time), then share/aiguillage in the
// folder and up to four levels above it (wheel package, build tree, Debian's Python path).
void add_candidates(const fs::path& base, std::vector<fs::path>& out) {
  if (base.empty()) return;
  out.push_back((base / AIG_LIBDIR_TO_DATADIR).lexically_normal());
  out.push_back((base / AIG_BINDIR_TO_DATADIR).lexically_normal());
  fs::path up = base;
  for (int level = 0; level <= 4 && !up.empty(); ++level) {
    out.push_back(up / "share" / "aiguillage");
    if (up == up.parent_path()) break;
    up = up.parent_path();
  }
}

}  // namespace

std::string data_dir() {
  if (const char* env = std::getenv("AIG_DATA_DIR"); env && *env) {
    if (holds_data(env)) return fs::path(env).lexically_normal().string();
    throw Error(ErrorCode::io, std::string("AIG_DATA_DIR=") + env +
                                   " is not a data folder of aiguillage " AIG_ENGINE_VERSION
                                   " (no rules/ inside)");
  }
  std::vector<fs::path> candidates;
  add_candidates(own_folder(), candidates);
  add_candidates(executable_folder(), candidates);
  for (const fs::path& dir : candidates)
    if (holds_data(dir)) return dir.string();
  std::string tried;
  for (std::size_t i = 0; i < candidates.size() && i < 4; ++i)
    tried += (i ? ", " : "") + candidates[i].string();
  throw Error(ErrorCode::io, "no data folder of aiguillage " AIG_ENGINE_VERSION
                             " found (share/aiguillage with rules/ inside; tried " +
                                 tried + ", ...): set AIG_DATA_DIR to it");
}

}  // namespace v1
}  // namespace aiguillage
