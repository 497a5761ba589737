// Where the data installed with the library is: share/aiguillage, holding the rule packs
// (rules/), their JSON Schemas (rules/schemas/), the ROME subset (data/rome-subset/) and the
// sample inputs (examples/data/).
#pragma once

#include <string>

#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

// The data folder, found in this order:
//  1. $AIG_DATA_DIR when set (an override; it must hold rules/);
//  2. relative to the file that holds this library (the shared library, the executable that
//     links it statically, or the Python extension): <prefix>/share/aiguillage for an install,
//     <package>/share/aiguillage for a wheel, <build>/share/aiguillage for a build tree;
//  3. relative to the running executable (/proc/self/exe), the same way.
// Throws Error(io) naming the folders tried when none holds rules/, or naming $AIG_DATA_DIR
// when it is set to a folder without rules/.
AIG_API std::string data_dir();

}  // namespace v1
}  // namespace aiguillage
