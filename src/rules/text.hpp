// Shared pieces of the readable texts (explanations, notices): labels, dates, hit policies and
// data sources in French and English. Private to the library.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "aiguillage/core/date.hpp"
#include "aiguillage/core/value.hpp"
#include "aiguillage/rules/decision_table.hpp"
#include "aiguillage/rules/expression.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

inline const char* policy_gloss(HitPolicy p, bool en) {
  switch (p) {
    case HitPolicy::unique:
      return en ? "at most one rule may apply" : "une seule règle peut s'appliquer";
    case HitPolicy::any:
      return en ? "matching rules must give the same result"
                : "les règles remplies doivent donner le même résultat";
    case HitPolicy::priority:
      return en ? "the matching rule with the highest-priority result applies"
                : "la règle remplie au résultat le plus prioritaire s'applique";
    case HitPolicy::first:
      return en ? "the first matching rule applies" : "la première règle remplie s'applique";
    case HitPolicy::rule_order:
      return en ? "every matching rule, in rule order"
                : "toutes les règles remplies, dans l'ordre des règles";
    case HitPolicy::output_order:
      return en ? "every matching rule, by result priority"
                : "toutes les règles remplies, par priorité de résultat";
    case HitPolicy::collect:
      return en ? "every matching rule" : "toutes les règles remplies";
    case HitPolicy::collect_sum:
      return en ? "sum of the matching rules' results" : "somme des résultats des règles remplies";
    case HitPolicy::collect_min:
      return en ? "smallest result of the matching rules"
                : "plus petit résultat des règles remplies";
    case HitPolicy::collect_max:
      return en ? "largest result of the matching rules"
                : "plus grand résultat des règles remplies";
    case HitPolicy::collect_count:
      return en ? "number of matching rules" : "nombre de règles remplies";
  }
  return "";
}

inline const char* source_kind_text(SourceKind k, bool en) {
  switch (k) {
    case SourceKind::declared:
      return en ? "declared by the person" : "déclaré par la personne";
    case SourceKind::counsellor:
      return en ? "entered by the counsellor" : "saisi par le conseiller";
    case SourceKind::administrative:
      return en ? "administrative record" : "dossier administratif";
    case SourceKind::context:
      return en ? "context of the decision" : "contexte de la décision";
    case SourceKind::derived:
      return en ? "computed" : "calculé";
  }
  return "";
}

// DD/MM/YYYY in French, YYYY-MM-DD in English.
inline std::string format_date(Date date, bool en) {
  if (en) return date.to_string();
  int y = 0, m = 0, d = 0;
  date.to_ymd(y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d, m, y);
  return buf;
}

inline std::string label_or(const Label& l, const std::string& name, bool en) {
  const std::string& text = en ? l.en : l.fr;
  return text.empty() ? name : text;
}

inline std::string field_label(const Pack& pack, std::size_t field, bool en) {
  const FieldSpec& f = pack.inputs().field(field);
  const std::string& text = en ? f.label_en : f.label_fr;
  return text.empty() ? f.name : text;
}

// The label of any slot of the frame: input, variable or decision output.
inline std::string slot_label(const Pack& pack, int slot, bool en) {
  const auto s = static_cast<std::size_t>(slot);
  if (s < pack.inputs().size()) return field_label(pack, s, en);
  for (const Variable& v : pack.variables())
    if (v.slot == slot) return label_or(v.label, v.name, en);
  for (const DecisionTable& d : pack.decisions())
    for (const OutputSpec& o : d.outputs)
      if (o.slot == slot) return label_or(o.label, o.name, en);
  return pack.slot_name(slot);
}

// A table column's own label, else the label of the value it reads, else its text.
inline std::string column_label(const Pack& pack, const DecisionTable& d, std::size_t c, bool en) {
  const TableColumn& col = d.inputs[c];
  const std::string& text = en ? col.label.en : col.label.fr;
  if (!text.empty()) return text;
  int slot = col.expr.single_slot();
  return slot >= 0 ? slot_label(pack, slot, en) : col.text;
}

// The value a table column saw, recomputed from the frame when the column is an expression.
inline Value column_value(const std::vector<Value>& frame, const DecisionTable& d, std::size_t c,
                          Arena& arena) {
  int slot = d.compiled->columns()[c].slot;
  if (slot >= 0) return frame[static_cast<std::size_t>(slot)];
  EvalContext ctx{frame.data(), Value::null(), &arena};
  return d.inputs[c].expr.evaluate(ctx);
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
