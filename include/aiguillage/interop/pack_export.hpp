// Export of rule packs to other formats: DMN 1.3 XML, for DMN modellers and engines, and GoRules
// JDM graphs, for the ZEN engine and its editor. What a format
// cannot express is an error naming the pack element (ErrorCode::inexpressible, the element's JSON
// pointer), never a file that decides otherwise.
#pragma once

#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

// The namespace of the aiguillage attributes and extension elements a DMN export carries (what
// DMN has no element for: integer types, input bounds, constraints, pack variables), and the
// expression language of entries that FEEL cannot state (written in the pack's own language).
inline constexpr std::string_view kDmnExtensionNamespace = "urn:aiguillage:dmn:1";
inline constexpr std::string_view kPackExpressionLanguage = "urn:aiguillage:expression:1";

// The pack document (aiguillage.ruleset JSON text) as a DMN 1.3 model. Throws Error: the pack's
// own load errors, or inexpressible.
AIG_API std::string export_dmn(std::string_view pack_json);

// The pack document as a GoRules JDM graph (JSON text) that the ZEN engine evaluates to the
// pack's outputs on every record the pack accepts; the pack itself rides along under
// "aiguillage" for import_jdm. Throws Error: the pack's own load errors, or inexpressible.
AIG_API std::string export_jdm(std::string_view pack_json);

// "sha256:..." over the pack's logic only: what decides the outputs of a record and which
// records are accepted (inputs with their types, bounds and values, constraints, variables,
// decisions with their hit policies, columns, outputs and cells, in order). Titles, labels,
// descriptions, sources, statuses, notes, rule ids and the pack's id, version and dates are
// left out. See docs/interop.md.
AIG_API std::string pack_logic_hash(std::string_view pack_json);

}  // namespace v1
}  // namespace aiguillage
