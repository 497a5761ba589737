// Expressions and cells as a person reads them (notices, explanations): names become their
// labels, enum codes the labels of their values, functions and keywords words of the language.
// Private to the library.
#pragma once

#include <string>
#include <string_view>

#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

// `text` is an expression of the pack (a variable, a column, a constraint); `dollar_slot` is the
// slot "$" stands for in a cell (-1 elsewhere). A string literal that is a value of an enum the
// text reads (or of the cell's column) becomes that value's label; any other literal and any
// name without a label loses its underscores. Never throws on text it cannot parse: what it does
// not recognise is copied.
std::string readable_expression(const Pack& pack, std::string_view text, bool en,
                                int dollar_slot = -1);

// A table cell for the column at `slot` (-1 when the column is an expression): "-" is "any
// value", a list of literals is "a or b" with each value's label, a boolean is yes / no, and
// anything else goes through readable_expression.
std::string readable_cell(const Pack& pack, std::string_view cell, int slot, bool en);

// An enum value, a list of them or any other value as a person reads it, in the context of
// `slot` (labels of its values).
std::string readable_value(const Pack& pack, int slot, const Value& v, bool en);

// An error about a record as a person reads it: a broken input constraint by the pack's message
// in that language; a value the record may not hold by the kind of error (and, for a value
// outside an enum, the answers allowed, by their labels); other errors by their message.
std::string readable_error(const Pack& pack, const Error& error, bool en);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
