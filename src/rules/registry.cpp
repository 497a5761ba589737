#include "aiguillage/rules/registry.hpp"

#include <algorithm>
#include <filesystem>

namespace aiguillage {
inline namespace v1 {

void Registry::add(Pack pack) {
  for (const Pack& p : packs_)
    if (p.id() == pack.id() && p.version() == pack.version())
      throw Error(ErrorCode::duplicate_name,
                  "pack " + pack.id() + " " + pack.version() + " is already registered",
                  "/version");
  packs_.push_back(std::move(pack));
}

std::size_t Registry::load_dir(const std::string& dir) {
  return load_dir(dir, nullptr);
}

std::size_t Registry::load_dir(const std::string& dir, std::vector<Error>& skipped) {
  return load_dir(dir, &skipped);
}

std::size_t Registry::load_dir(const std::string& dir, std::vector<Error>* skipped) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::io, dir + " is not a folder", "");
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() && it->path().filename() == "pack.json")
      files.push_back(it->path().string());
  std::sort(files.begin(), files.end());
  std::size_t loaded = 0;
  for (const std::string& f : files) {
    try {
      add(Pack::load_file(f));
      ++loaded;
    } catch (const Error& e) {
      Error named(e.code(), f + ": " + e.message(), e.pointer(), e.column());
      if (!skipped) throw named;
      skipped->push_back(std::move(named));
    }
  }
  return loaded;
}

const Pack& Registry::select(std::string_view id, Date date) const {
  const Pack* found = nullptr;
  std::string versions;
  for (const Pack& p : packs_) {
    if (p.id() != id) continue;
    versions += (versions.empty() ? "" : ", ") + p.version() + " (" + p.valid_from().to_string() +
                " to " + (p.valid_to() ? p.valid_to()->to_string() : std::string("open")) + ")";
    if (!p.valid_at(date)) continue;
    if (found)
      throw Error(ErrorCode::ambiguous_version,
                  "pack " + std::string(id) + ": versions " + found->version() + " and " +
                      p.version() + " are both valid on " + date.to_string(),
                  "");
    found = &p;
  }
  if (!found)
    throw Error(
        ErrorCode::no_valid_version,
        "pack " + std::string(id) + " has no version valid on " + date.to_string() +
            (versions.empty() ? std::string(" (no such pack)") : " (versions: " + versions + ")"),
        "");
  return *found;
}

const Pack* Registry::find_hash(std::string_view hash) const {
  for (const Pack& p : packs_)
    if (p.hash() == hash) return &p;
  return nullptr;
}

}  // namespace v1
}  // namespace aiguillage
