// Readable explanation of an evaluation, in French or English, built only from the pack and
// the trace (R311-3-1-2 CRPA): the data used and their sources, the rules applied with the
// cells that decided, why every other rule did not apply, and the questions left to ask.
#pragma once

#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {

// Plain text, one item per line, ending with a newline. `lang` is "fr" (the default, also
// used for any unknown language) or "en". Same pack, evaluation, engine version and language
// give byte-identical text.
AIG_API std::string explain_text(const Pack& pack, const Evaluation& e,
                                 std::string_view lang = "fr");

}  // namespace v1
}  // namespace aiguillage
