// Import of DMN models (XML, DMN 1.1 to 1.5) into rule packs: input data with their types,
// decision tables (every hit policy and aggregation), literal expressions and the business
// knowledge models they invoke, within the FEEL subset the pack's expression language holds.
// What cannot be mapped is an error naming the element and the construct, never a pack that
// would decide differently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aiguillage {
inline namespace v1 {

struct DmnImportOptions {
  std::string id = "imported/dmn";
  std::string version = "1.0.0";
  std::string valid_from = "2000-01-01";
  std::size_t max_bytes = 16u << 20;  // larger documents are refused (limit_exceeded)
  // For conformance runs only: a decision that cannot be mapped (and every decision that
  // reads it) is left out of the pack and reported in its binding's `skipped`, instead of
  // failing the whole import.
  bool skip_unmappable_decisions = false;
};

// Where a DMN name went in the pack: a single slot, or one slot per component of a structure
// (the outputs of a multi-output table, the fields of a structured input).
struct DmnBinding {
  enum class Kind { input, decision };
  struct Component {
    std::string name;  // the DMN component name
    std::string slot;  // the pack's input or output name
  };
  Kind kind = Kind::input;
  std::string name;  // the DMN name ("Approval Status")
  std::string slot;  // the pack's name ("Approval_Status"); empty when components are used
  std::vector<Component> components;
  bool collection = false;  // the value is a list (collect-like hit policies)
  std::string skipped;      // why the decision was left out (skip_unmappable_decisions)
};

struct DmnImport {
  std::string pack;  // an aiguillage.ruleset document (JSON text, loads with Pack::load)
  std::vector<DmnBinding> bindings;
};

// Throws Error: xml_syntax, unknown_namespace, unsupported_construct, duplicate_id,
// unresolved_reference, cycle, bad_hit_policy, limit_exceeded, or the pack's own load errors;
// the pointer is an XPath-like path of the offending element
// ("/definitions/decision[@id='d1']/decisionTable/rule[3]/inputEntry[2]").
DmnImport import_dmn_model(std::string_view xml, const DmnImportOptions& options = {});

// The pack document only.
std::string import_dmn(std::string_view xml, const DmnImportOptions& options = {});

}  // namespace v1
}  // namespace aiguillage
