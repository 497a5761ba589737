// A pack document checked from its JSON tree, for importers that build the tree themselves: the
// same checks as Pack::load without writing the text out and reading it back.
#pragma once

#include "aiguillage/rules/pack.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

// Throws the Error Pack::load would throw for the same document written as text (the byte-size
// limit aside: there is no text). Nothing is kept: the pack's content hash is a hash of its text.
void check_pack_document(json document, const PackLimits& limits = {});

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
