// Rule packs: the document aiguillage.ruleset (schema_version 1.1) loaded, type-checked,
// ordered and compiled. Packs are immutable and cheap to copy (shared).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/schema.hpp"
#include "aiguillage/rules/expression.hpp"

namespace aiguillage {
inline namespace v1 {

class CompiledTable;

inline constexpr std::string_view kRulesetSchema = "aiguillage.ruleset";
inline constexpr int kRulesetMajor = 1;
inline constexpr int kRulesetMinor = 2;  // 1.1: enum value labels, constraint messages fr/en,
                                         // rule notes, human_decision_required, notice_rights;
                                         // 1.2: lists of integers, decimals and bools
// The input every pack has: the date the decision is taken at. Nothing reads the clock.
inline constexpr std::string_view kReferenceDate = "reference_date";

enum class RuleStatus : std::uint8_t { verified, interpretation };
AIG_API std::string_view rule_status_name(RuleStatus s) noexcept;

enum class HitPolicy : std::uint8_t {
  unique,
  any,
  priority,
  first,
  rule_order,
  output_order,
  collect,
  collect_sum,
  collect_min,
  collect_max,
  collect_count
};
AIG_API std::string_view hit_policy_name(HitPolicy p) noexcept;  // "FIRST", "COLLECT SUM", ...
// Accepts DMN names in any case ("FIRST", "rule order", "RULE_ORDER", "COLLECT SUM"), the
// DMN letters (U, A, P, F, R, O, C, C+, C<, C>, C#) and ZEN's "first" / "collect".
AIG_API std::optional<HitPolicy> parse_hit_policy(std::string_view text) noexcept;
AIG_API bool is_single_hit(HitPolicy p) noexcept;  // unique, any, priority, first

struct AIG_API Label {
  std::string fr, en;
  const std::string& in(std::string_view lang) const {
    return lang == "en" && !en.empty() ? en : fr;
  }
};

struct AIG_API Source {
  std::string id, title, url;
};

struct AIG_API OutputSpec {
  std::string name;
  FieldType type = FieldType::string;
  std::vector<std::string>
      values;  // enum outputs: closed list, in priority order (first = highest)
  std::vector<Label> value_labels;  // parallel to values; empty labels where the pack gives none
  Label label;
  int slot = -1;
};

struct AIG_API TableColumn {
  std::string text;  // the column's input expression, as written
  Expression expr;
  Label label;
};

struct AIG_API Rule {
  std::string id;
  std::vector<std::string> when_text;
  std::vector<Expression> when;  // unary tests, one per column
  std::vector<std::string> then_text;
  std::vector<Expression> then;  // one expression per output
  std::string source;
  RuleStatus status = RuleStatus::verified;
  std::string description;
  std::string note;  // what an "interpretation" interprets, and why (one line)
};

// One node of a pack's decision graph: a table of rules, or a single expression, that sets
// outputs ("decision" alone means a person's act on a proposal: see docs/architecture.md).
struct AIG_API DecisionTable {
  enum class Kind : std::uint8_t { table, expression };
  std::string id;
  Kind kind = Kind::table;
  Label label;
  std::string description;
  std::string pointer;  // JSON pointer of the decision in the pack ("/decisions/2")
  // table
  HitPolicy hit_policy = HitPolicy::first;
  bool complete = false;  // declared complete: a gap is an error for `check`
  std::vector<TableColumn> inputs;
  std::vector<OutputSpec> outputs;  // for expressions: exactly one
  std::vector<Rule> rules;
  std::shared_ptr<const CompiledTable> compiled;
  // expression
  Expression expression;
  std::string source;
  RuleStatus status = RuleStatus::verified;
  std::string note;
};
using Decision = DecisionTable;  // the former name of DecisionTable, kept for callers

struct AIG_API Variable {
  std::string name;
  std::string text;
  Expression expression;
  Label label;
  std::string description;
  std::string source;
  RuleStatus status = RuleStatus::verified;
  std::string note;
  int slot = -1;
};

// A condition every record must meet before any rule runs (e.g. "not (senior and young)",
// "birth_date <= reference_date"); a record for which it is false is rejected with
// input_constraint: one error per input it reads (reference_date included), each at that
// input's pointer, all with the same message (constraint_error_message).
struct AIG_API Constraint {
  std::string id;
  std::string text;
  Expression expression;    // over inputs only; null (a missing input) passes
  std::vector<int> inputs;  // input fields it reads, in schema order
  Label message;            // what is wrong and how to correct it; en falls back to fr
  std::string source;
  RuleStatus status = RuleStatus::verified;
  std::string note;
};
// "<fr> / <en> (<id>)", or "<fr> (<id>)" when the pack gives one language only.
std::string constraint_error_message(const Constraint& c);

// A derived node of the pack, in evaluation order.
struct AIG_API Node {
  enum class Kind : std::uint8_t { variable, decision };
  Kind kind;
  int index;
};

// Sizes a pack may not exceed; going over is a load error (limit_exceeded), never a crash.
struct AIG_API PackLimits {
  std::size_t max_bytes = 64u << 20;
  std::size_t max_inputs = 4096;
  std::size_t max_decisions = 4096;
  std::size_t max_rules = 200000;
  std::size_t max_columns = 256;
  Limits expression;
  // Not a limit: a table column whose regions x rule words exceed this keeps sparse masks
  // (CompiledTable::kDenseWords); tests lower it to compare both layouts.
  std::size_t table_dense_words = std::size_t{1} << 20;
};

class AIG_API Pack {
 public:
  Pack();
  // Throws Error with the JSON pointer of the offending place and, inside cell or expression
  // text, the column.
  static Pack load(std::string_view json_text, const PackLimits& limits = {});
  // A file, or a folder holding pack.json.
  static Pack load_file(const std::string& path, const PackLimits& limits = {});

  const std::string& id() const;
  const std::string& version() const;
  const std::string& title() const;
  const std::string& purpose() const;
  Date valid_from() const;
  std::optional<Date> valid_to() const;  // inclusive
  bool valid_at(Date d) const;
  // The pack's outcomes are never decided by a deployment's policy: every decision needs a
  // human actor (sanctions, for instance). Schema 1.1, false when absent.
  bool human_decision_required() const;
  // The person's rights and time limits specific to this pack (the prior procedure, how to
  // contest), in French and English, printed in the notice's "Your rights". Schema 1.1.
  const std::vector<Label>& notice_rights() const;
  const std::vector<Source>& sources() const;
  // "sha256:..." over the canonical form of the document.
  const std::string& hash() const;
  const std::string& schema_version() const;

  const InputSchema& inputs() const;
  int reference_date_field() const;  // index in inputs()
  const std::vector<Constraint>& constraints() const;
  const std::vector<Variable>& variables() const;
  const std::vector<DecisionTable>& decisions() const;
  const std::vector<Node>& order() const;  // topological order of variables and decisions

  // The evaluation frame: inputs first (schema order), then variables, then outputs.
  std::size_t slot_count() const;
  const std::string& slot_name(int slot) const;
  StaticType slot_type(int slot) const;
  // Input fields a slot depends on, transitively (an input depends on itself).
  const std::vector<int>& slot_inputs(int slot) const;
  int slot_of(std::string_view name) const;  // -1 when absent
  // Input fields no expression reads.
  std::vector<int> unused_inputs() const;

  // The label the pack gives to `value` of the enum input or output at `slot` (lists of enums:
  // one item), or nullptr (not an enum slot, not one of its values, or no label given).
  const Label* value_label(int slot, std::string_view value) const;
  // Person-facing text of a value: its label in `lang` ("fr" or "en"); for a derived value
  // without labels, the label one of the inputs it depends on gives the same value; else the
  // code with underscores read as spaces, so that no internal code reaches a person.
  std::string value_text(int slot, std::string_view value, std::string_view lang) const;
  // The declared minor version of the document (0 for 1.0 packs).
  int schema_minor() const;

  // Values of an enum input that mean "not known yet, to be asked" ("ask_values"): the
  // missing-input analysis and the questions treat an input holding one like a missing one.
  // Empty for other inputs.
  const std::vector<std::string>& ask_values(int field) const;
  bool is_ask_value(int field, const Value& v) const;
  bool has_ask_values() const;

  struct Data;

 private:
  std::shared_ptr<const Data> data_;
};

}  // namespace v1
}  // namespace aiguillage
