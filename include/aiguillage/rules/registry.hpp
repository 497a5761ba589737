// Several versions of packs, chosen by effective date: evaluation at a reference date uses the
// version valid then; none or two valid at once is an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {

class AIG_API Registry {
 public:
  // Adds a pack; the same id and version twice is an error (duplicate_name).
  void add(Pack pack);
  // Loads every pack.json under `dir` (recursively). Returns the number loaded.
  std::size_t load_dir(const std::string& dir);
  // The same, but a pack.json that does not load is skipped and its error (the file named in
  // the message) appended to `skipped`, so that one broken file does not hide every other pack.
  std::size_t load_dir(const std::string& dir, std::vector<Error>& skipped);

  // The version of `id` valid on `date`. Throws no_valid_version or ambiguous_version.
  const Pack& select(std::string_view id, Date date) const;
  // The pack with this hash ("sha256:..."), or nullptr.
  const Pack* find_hash(std::string_view hash) const;
  const std::vector<Pack>& packs() const { return packs_; }

 private:
  std::size_t load_dir(const std::string& dir, std::vector<Error>* skipped);
  std::vector<Pack> packs_;
};

}  // namespace v1
}  // namespace aiguillage
