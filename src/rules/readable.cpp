#include "rules/readable.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "rules/text.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

namespace {

struct Gloss {
  const char* code;
  const char* fr;
  const char* en;
};

// Functions of the expression language in words.
constexpr Gloss kFunctions[] = {
    {"years_between", "années révolues entre", "whole years between"},
    {"months_between", "mois révolus entre", "whole months between"},
    {"days_between", "jours entre", "days between"},
    {"add_days", "date augmentée de jours", "date plus days"},
    {"add_months", "date augmentée de mois", "date plus months"},
    {"coalesce", "première valeur connue parmi", "first known value of"},
    {"is_missing", "non renseigné", "not provided"},
    {"starts_with", "commence par", "starts with"},
    {"ends_with", "se termine par", "ends with"},
    {"contains", "contient", "contains"},
    {"count", "nombre", "count"},
    {"filter", "éléments retenus de", "items kept of"},
    {"map", "valeurs pour chaque élément de", "values for each item of"},
    {"none", "aucun élément de", "no item of"},
    {"one", "un seul élément de", "exactly one item of"},
    {"min", "minimum", "minimum"},
    {"max", "maximum", "maximum"},
    {"sum", "somme", "sum"},
    {"len", "longueur", "length"},
    {"trim", "sans espaces autour", "trimmed"},
    {"timestamp", "secondes depuis 1970 de", "seconds since 1970 of"},
};

constexpr Gloss kKeywords[] = {
    {"and", "et", "and"},      {"or", "ou", "or"},
    {"not", "non", "not"},     {"if", "si", "if"},
    {"then", "alors", "then"}, {"else", "sinon", "else"},
    {"in", "dans", "in"},      {"true", "oui", "yes"},
    {"false", "non", "no"},    {"null", "aucune valeur", "no value"},
};

std::string words(std::string_view code) {
  std::string s(code);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// The label of `value` among the enums of `slots`, or its words.
std::string literal_text(const Pack& pack, const std::vector<int>& slots, std::string_view value,
                         bool en) {
  for (int s : slots)
    if (const Label* l = pack.value_label(s, value)) return l->in(en ? "en" : "fr");
  // A derived value ("strong" from the barriers) takes the label its inputs give the value.
  for (int s : slots)
    for (int in : pack.slot_inputs(s))
      if (const Label* l = pack.value_label(in, value)) return l->in(en ? "en" : "fr");
  return words(value);
}

std::string quoted(const std::string& s, bool en) {
  return en ? "\"" + s + "\"" : "« " + s + " »";
}

// Reads a string literal at text[k] == '"'; returns its content and moves k past it.
std::string read_literal(std::string_view text, std::size_t& k) {
  std::string out;
  ++k;
  while (k < text.size() && text[k] != '"') {
    if (text[k] == '\\' && k + 1 < text.size()) ++k;
    out += text[k++];
  }
  if (k < text.size()) ++k;
  return out;
}

}  // namespace

std::string readable_expression(const Pack& pack, std::string_view text, bool en, int dollar_slot) {
  // First pass: the slots the text names, whose enums give its literals their labels.
  std::vector<int> slots;
  if (dollar_slot >= 0) slots.push_back(dollar_slot);
  for (std::size_t k = 0; k < text.size();) {
    if (text[k] == '"') {
      read_literal(text, k);
      continue;
    }
    if (ident_start(text[k])) {
      std::size_t e = k;
      while (e < text.size() && ident_char(text[e])) ++e;
      int s = pack.slot_of(text.substr(k, e - k));
      if (s >= 0) slots.push_back(s);
      k = e;
      continue;
    }
    ++k;
  }
  std::string out;
  for (std::size_t k = 0; k < text.size();) {
    const char c = text[k];
    if (c == '"') {
      out += quoted(literal_text(pack, slots, read_literal(text, k), en), en);
      continue;
    }
    if (c == '$' && dollar_slot >= 0) {
      out += quoted(slot_label(pack, dollar_slot, en), en);
      ++k;
      continue;
    }
    if (!ident_start(c)) {
      out += c;
      ++k;
      continue;
    }
    std::size_t e = k;
    while (e < text.size() && ident_char(text[e])) ++e;
    const std::string_view word = text.substr(k, e - k);
    k = e;
    std::size_t next = e;
    while (next < text.size() && text[next] == ' ') ++next;
    const bool call = next < text.size() && text[next] == '(';
    const int slot = call ? -1 : pack.slot_of(word);
    if (slot >= 0) {
      out += quoted(slot_label(pack, slot, en), en);
      continue;
    }
    // Keywords first: "or (" is not a call.
    const Gloss* g = nullptr;
    for (const Gloss& f : kKeywords)
      if (word == f.code) g = &f;
    if (!g && call)
      for (const Gloss& f : kFunctions)
        if (word == f.code) g = &f;
    out += g ? (en ? g->en : g->fr) : words(word);
  }
  return out;
}

std::string readable_cell(const Pack& pack, std::string_view cell, int slot, bool en) {
  if (cell.empty() || cell == "-") return en ? "any value" : "toute valeur";
  if (cell == "true") return en ? "yes" : "oui";
  if (cell == "false") return en ? "no" : "non";
  if (cell == "null") return en ? "no value" : "aucune valeur";
  // A list of string literals: "a", "b" -> a or b, each by its label.
  std::vector<std::string> items;
  std::size_t k = 0;
  bool literals = true;
  while (k < cell.size() && literals) {
    while (k < cell.size() && cell[k] == ' ') ++k;
    if (k >= cell.size() || cell[k] != '"') {
      literals = false;
      break;
    }
    items.push_back(read_literal(cell, k));
    while (k < cell.size() && cell[k] == ' ') ++k;
    if (k < cell.size() && cell[k] != ',') literals = false;
    ++k;
  }
  if (literals && !items.empty()) {
    std::vector<int> slots;
    if (slot >= 0) slots.push_back(slot);
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
      out += (i == 0                  ? ""
              : i + 1 == items.size() ? (en ? " or " : " ou ")
                                      : ", ") +
             literal_text(pack, slots, items[i], en);
    return out;
  }
  return readable_expression(pack, cell, en, slot);
}

std::string readable_value(const Pack& pack, int slot, const Value& v, bool en) {
  if (v.type() == Type::string) return pack.value_text(slot, v.as_string(), en ? "en" : "fr");
  if (v.type() == Type::list) {
    std::string s;
    for (std::size_t k = 0; k < v.list_size(); ++k)
      s += (k ? ", " : "") + readable_value(pack, slot, v[k], en);
    return s;
  }
  return v.to_display();
}

std::string readable_error(const Pack& pack, const Error& error, bool en) {
  if (error.code() == ErrorCode::input_constraint)
    for (const Constraint& c : pack.constraints())
      if (constraint_error_message(c) == error.message()) return c.message.in(en ? "en" : "fr");
  const char* text = nullptr;
  switch (error.code()) {
    case ErrorCode::json_syntax:
      text = en ? "unreadable document" : "document illisible";
      break;
    case ErrorCode::type_mismatch:
      text = en ? "wrong kind of value" : "type de valeur incorrect";
      break;
    case ErrorCode::out_of_bounds:
      text = en ? "value outside the allowed bounds" : "valeur hors des bornes autorisées";
      break;
    case ErrorCode::required_missing:
      text = en ? "required data missing" : "donnée obligatoire manquante";
      break;
    case ErrorCode::unknown_field:
      text = en ? "data the rules do not provide for" : "donnée non prévue par les règles";
      break;
    case ErrorCode::too_long:
      text = en ? "text too long" : "texte trop long";
      break;
    case ErrorCode::too_many_items:
      text = en ? "too many items" : "trop d'éléments";
      break;
    case ErrorCode::invalid_date:
      text = en ? "invalid date" : "date invalide";
      break;
    case ErrorCode::invalid_decimal:
      text = en ? "invalid number" : "nombre invalide";
      break;
    case ErrorCode::enum_value:
      text = en ? "value outside the list of allowed values"
                : "valeur hors de la liste des valeurs autorisées";
      break;
    case ErrorCode::number_overflow:
      text = en ? "number too large" : "nombre trop grand";
      break;
    case ErrorCode::no_valid_version:
      text = en ? "the rules do not apply at the reference date"
                : "les règles ne s'appliquent pas à la date de référence";
      break;
    case ErrorCode::missing_reference_date:
      text = en ? "reference date missing" : "date de référence manquante";
      break;
    case ErrorCode::hit_policy_violation:
      text = en ? "contradictory rules: a counsellor must examine the situation"
                : "règles contradictoires : la situation doit être examinée par un conseiller";
      break;
    default:
      return error.message();
  }
  std::string out = text;
  if (error.code() == ErrorCode::enum_value && error.pointer().size() > 1) {
    const int field = pack.inputs().index_of(std::string_view(error.pointer()).substr(1));
    if (field >= 0) {
      const FieldSpec& f = pack.inputs().field(static_cast<std::size_t>(field));
      std::string answers;
      for (const std::string& v : f.values)
        answers += (answers.empty() ? "" : ", ") + pack.value_text(field, v, en ? "en" : "fr");
      if (!answers.empty())
        out += (en ? " (allowed values: " : " (valeurs possibles : ") + answers + ")";
    }
  }
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
