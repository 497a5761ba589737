// The notice given to the person: built from the trace, never written per case. It carries the
// explicit mention of L311-3-1 / R311-3-1-1 CRPA and, applied to the person, the four items of
// R311-3-1-2 CRPA: the role of the algorithm in the decision, the data used and their sources,
// the criteria applied to this person, and the operations carried out.
#pragma once

#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

#include "aiguillage/orientation/orientation.hpp"

namespace aiguillage {
inline namespace v1 {

// `decision` may be null: the notice then describes a proposal awaiting a counsellor.
AIG_API std::string notice_text(const Pack& pack, const Proposal& proposal,
                                const OrientationDecision* decision, std::string_view lang);

}  // namespace v1
}  // namespace aiguillage
