// The expression language: total (every expression yields a value), side-effect free, bounded
// (depth and length limits), with three-valued logic: a missing input is null, and a test on
// null is unknown (null), never false.
//
// Grammar (precedence low to high):
//   expr    := if_expr | or
//   if_expr := "if" expr "then" expr "else" expr
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | cmp                       ("not(" ... ")" is a call-like form)
//   cmp     := add (("="|"=="|"!="|"<"|"<="|">"|">=") add | "in" (range | add))?
//   add     := mul (("+"|"-") mul)*
//   mul     := unary (("*"|"/") unary)*
//   unary   := "-" unary | primary
//   primary := number | string ('...' or "...") | "true" | "false" | "null" | name | "$" | "#"
//            | name "(" args ")" | "(" expr ")" | "[" expr ("," expr)* "]" | "[" "]"
//   range   := ("["|"("|"]") expr ".." expr ("]"|")"|"[")
// Names may contain dots (customer.country). "$" is a table cell's column value; "#" is the
// current item inside the second argument of any/all/none/one/count/map/filter, and "#.field"
// a field of it when the list is a list of objects.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/value.hpp"

namespace aiguillage {
inline namespace v1 {

// Static types checked at load time.
// object: the items of a list of objects (ruleset 1.2), read field by field with "#.field".
enum class TypeKind : std::uint8_t {
  any,
  null,
  boolean,
  integer,
  decimal,
  string,
  date,
  list,
  object
};

struct AIG_API StaticType {
  TypeKind kind = TypeKind::any;
  TypeKind item = TypeKind::any;                     // for lists
  const std::vector<std::string>* domain = nullptr;  // closed list of an enum (or list of enum)

  static StaticType of(TypeKind k, const std::vector<std::string>* domain = nullptr) {
    return StaticType{k, TypeKind::any, domain};
  }
  static StaticType list_of(TypeKind item, const std::vector<std::string>* domain = nullptr) {
    return StaticType{TypeKind::list, item, domain};
  }
  bool is_number() const { return kind == TypeKind::integer || kind == TypeKind::decimal; }
  std::string to_string() const;  // "integer", "list<string>", "enum"
};

// Names an expression may use, resolved at compile time to slots of the evaluation frame.
class AIG_API Scope {
 public:
  struct Entry {
    int slot;
    StaticType type;
  };
  virtual ~Scope() = default;
  virtual std::optional<Entry> lookup(std::string_view name) const = 0;
};

struct AIG_API Limits {
  std::size_t max_depth = 64;         // nesting of the syntax tree
  std::size_t max_length = 8192;      // characters of one expression or cell
  std::size_t max_list_items = 1000;  // items of a list literal
};

struct AIG_API EvalContext {
  const Value* slots = nullptr;  // the frame: one value per slot
  Value dollar;                  // "$", the column value in a table cell
  Arena* arena = nullptr;        // storage for strings and lists made during evaluation
};

// One interval of numbers or dates; infinite ends have *_inf set.
struct AIG_API Interval {
  Value lo, hi;
  bool lo_open = false, hi_open = false;
  bool lo_inf = false, hi_inf = false;
};

// The shape of a unary test whose items are all constant, used to compile tables to bitmasks.
struct AIG_API UnaryStructure {
  enum class Kind : std::uint8_t {
    any,        // "-" or "": accepts everything, null included
    is_null,    // "null": true on null, false otherwise
    intervals,  // numbers or dates: comparisons, ranges, equalities
    values      // strings, enums or booleans: equalities
  };
  Kind kind = Kind::any;
  bool negated = false;  // not(...): complement; still unknown on null
  std::vector<Interval> intervals;
  std::vector<Value> values;
};

class AIG_API Expression {
 public:
  Expression();
  ~Expression();
  Expression(const Expression&);
  Expression& operator=(const Expression&);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;

  // Parses and type-checks an expression. On failure throws Error (syntax, unknown_name,
  // unknown_function, arity, type_error, limit_exceeded) with column() set (1-based) and an
  // empty pointer, which the caller prefixes. `dollar` is the type of "$" (null: "$" refused).
  static Expression compile(std::string_view text, const Scope& scope,
                            const StaticType* dollar = nullptr, const Limits& limits = {});

  // Parses a unary test (a decision-table input cell) against a column of type `dollar`:
  // "" or "-" (any), "null", comparisons ("< 26", ">= 18", "!= 3"), ranges ("[16..25]",
  // "(0..24]", "]0..24["), comma lists of those or of values ("RSA","ASS"), not(...), or a
  // boolean expression using "$". The compiled expression yields true, false or null.
  static Expression compile_unary(std::string_view text, const Scope& scope,
                                  const StaticType& dollar, const Limits& limits = {});

  const std::string& text() const;
  StaticType type() const;
  bool is_constant() const;      // folds to a value without inputs
  Value constant_value() const;  // valid when is_constant(); storage owned by the expression
  bool uses_dollar() const;
  // Distinct slots the expression reads, ascending.
  const std::vector<int>& slots() const;
  // For unary tests: the constant structure, when every item is a constant comparison, range
  // or value of one kind; nullopt for general boolean expressions.
  const std::optional<UnaryStructure>& structure() const;
  // If the expression is exactly one name, its slot; else -1.
  int single_slot() const;

  // Evaluates; never throws on data (division by zero, overflow or a bad date give null).
  Value evaluate(const EvalContext& ctx) const;
  // Evaluates over `rows` frames laid out one after the other, `stride` values apart, writing
  // row i's result to out[i * out_stride]. Operators run a column at a time, so the dispatch is
  // paid once per block, not once per row; results equal evaluate() on each frame. `scratch`
  // is reused between calls.
  void evaluate_rows(const Value* frames, std::size_t stride, std::size_t rows, Value* out,
                     std::size_t out_stride, std::vector<Value>& scratch, Arena* arena) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

// The built-in functions, for documentation and error messages: name, arity text, summary.
struct AIG_API FunctionInfo {
  const char* name;
  const char* signature;
  const char* summary;
};
AIG_API const std::vector<FunctionInfo>& builtin_functions();

}  // namespace v1
}  // namespace aiguillage
