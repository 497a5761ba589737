// Import of GoRules ZEN decision graphs (JDM JSON) holding decision tables, so that the same
// tables run here and in ZEN for comparison.
#pragma once

#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API JdmImportOptions {
  std::string id = "imported/jdm";
  std::string version = "1.0.0";
  std::string valid_from = "2000-01-01";
};

// Converts a JDM graph (input node -> decision table nodes -> output node) into an
// aiguillage.ruleset document (JSON text). Input types are inferred from the cells.
// Throws Error with the JSON pointer of what cannot be converted.
AIG_API std::string import_jdm(std::string_view jdm_json, const JdmImportOptions& options = {});

}  // namespace v1
}  // namespace aiguillage
