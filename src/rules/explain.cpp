#include "aiguillage/rules/explain.hpp"

#include <algorithm>

#include "aiguillage/core/version.hpp"
#include "aiguillage/rules/decision_table.hpp"
#include "rules/readable.hpp"
#include "rules/text.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

// Every fixed phrase of the explanation, per language; the rest comes from the pack and trace.
struct Phrases {
  const char* title;
  const char* rules;
  const char* reference;
  const char* version;
  const char* hash;
  const char* engine;
  const char* complete;
  const char* incomplete;
  const char* error;
  const char* questions;
  const char* errors;
  const char* data;
  const char* not_provided_heading;
  const char* computed;
  const char* computed_as;
  const char* decision;
  const char* table;
  const char* rules_word;
  const char* rule_word;
  const char* calculation;
  const char* state;
  const char* state_complete;
  const char* state_incomplete;
  const char* state_error;
  const char* state_not_evaluated;
  const char* rule_applied;
  const char* rule_for_now;
  const char* rule_matching;
  const char* no_rule;
  const char* no_rule_yet;
  const char* source;
  const char* verified;
  const char* interpretation;
  const char* conditions;
  const char* no_condition;
  const char* satisfies;
  const char* does_not_satisfy;
  const char* result;
  const char* other_rules;
  const char* rejected;
  const char* undecided;
  const char* unknown;
  const char* missing;
  const char* matched;
  const char* comes_first;
  const char* higher_priority;
  const char* same_output;
  const char* not_selected;
  const char* sources_cited;
  const char* null_value;
  const char* colon;
};

constexpr Phrases kFrench = {
    "Explication de la décision",
    "Règles",
    "Référence",
    "version",
    "Empreinte",
    "Moteur",
    "complet, aucune information ne manque.",
    "incomplet, il manque des informations.",
    "erreur, la demande n'a pas pu être traitée.",
    "Questions à poser",
    "Erreurs",
    "Données utilisées",
    "Données non renseignées",
    "Valeurs calculées",
    "calculé par",
    "Décision",
    "Table de décision",
    "règles",
    "règle",
    "Calcul",
    "État",
    "complète.",
    "incomplète, le résultat peut changer avec les informations manquantes.",
    "erreur",
    "non évaluée à cause d'une erreur en amont.",
    "Règle appliquée",
    "Règle retenue pour l'instant",
    "Règle remplie",
    "Aucune règle ne s'applique.",
    "Aucune règle ne s'applique pour l'instant.",
    "Source",
    "règle vérifiée",
    "interprétation à confirmer",
    "Conditions remplies",
    "aucune, la règle couvre tous les cas restants.",
    "satisfait",
    "ne satisfait pas",
    "Résultat",
    "Autres règles",
    "écartée",
    "indéterminée",
    "inconnu",
    "manque",
    "remplie mais non retenue",
    "passe avant",
    "a un résultat plus prioritaire",
    "donne le même résultat",
    "non retenue",
    "Sources citées",
    "non renseigné",
    " : ",
};

constexpr Phrases kEnglish = {
    "Explanation of the decision",
    "Rules",
    "Reference",
    "version",
    "Hash",
    "Engine",
    "complete, no information is missing.",
    "incomplete, some information is missing.",
    "error, the request could not be processed.",
    "Questions to ask",
    "Errors",
    "Data used",
    "Data not provided",
    "Computed values",
    "computed as",
    "Decision",
    "Decision table",
    "rules",
    "rule",
    "Calculation",
    "State",
    "complete.",
    "incomplete, the result may change with the missing information.",
    "error",
    "not evaluated because of an earlier error.",
    "Rule applied",
    "Rule selected for now",
    "Matching rule",
    "No rule applies.",
    "No rule applies yet.",
    "Source",
    "verified rule",
    "interpretation to be confirmed",
    "Conditions met",
    "none, the rule covers every remaining case.",
    "satisfies",
    "does not satisfy",
    "Result",
    "Other rules",
    "rejected",
    "undecided",
    "unknown",
    "missing",
    "matched but not selected",
    "comes first",
    "has a higher-priority result",
    "gives the same result",
    "not selected",
    "Sources cited",
    "not provided",
    ": ",
};

using detail::policy_gloss;
using detail::source_kind_text;

class Writer {
 public:
  explicit Writer(const Pack& pack, const Evaluation& e, bool en)
      : pack_(pack), e_(e), en_(en), t_(en ? kEnglish : kFrench) {}

  std::string run();

 private:
  void line(int indent, const std::string& text) {
    out_.append(static_cast<std::size_t>(indent) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }
  std::string head(const char* word) const { return std::string(word) + t_.colon; }
  // A heading that ends its line: no trailing space.
  std::string heading(const char* word) const { return std::string(word) + (en_ ? ":" : " :"); }
  std::string policy(HitPolicy p) const {
    const std::string name(hit_policy_name(p));
    return en_ ? name + " policy" : "politique " + name;
  }

  std::string value(const Value& v, int slot = -1) const;
  int label_slot(const Expression& e, const Value& v) const;
  std::string field_label(std::size_t field) const;
  std::string label_or(const Label& l, const std::string& name) const;
  std::string column_label(const DecisionTable& d, std::size_t c) const;
  Value column_value(const DecisionTable& d, std::size_t c, Arena& arena) const;
  std::string cell_text(const std::string& cell, int slot) const;
  std::string source_line(const std::string& id, RuleStatus status);

  void header();
  void status();
  void data();
  void variables();
  void decisions();
  void table(const DecisionTable& d, const DecisionOutcome& o, int index);
  void expression(const DecisionTable& d, const DecisionOutcome& o);
  void outputs(const DecisionTable& d, int indent);
  void sources();

  const Pack& pack_;
  const Evaluation& e_;
  bool en_;
  const Phrases& t_;
  std::vector<std::string> cited_;
  std::string out_;
};

std::string Writer::value(const Value& v, int slot) const {
  switch (v.type()) {
    case Type::null:
      return t_.null_value;
    case Type::date:
      return detail::format_date(v.as_date(), en_);
    case Type::string:
      return pack_.value_text(slot, v.as_string(), en_ ? "en" : "fr");
    case Type::boolean:
      return v.as_bool() ? (en_ ? "yes" : "oui") : (en_ ? "no" : "non");
    case Type::list: {
      std::string s = "[";
      for (std::size_t k = 0; k < v.list_size(); ++k) {
        if (k) s += ", ";
        s += value(v[k], slot);
      }
      return s + "]";
    }
    default:
      return v.to_display();
  }
}

// Among the values an expression reads, the one whose enum labels `v` (-1 when none does).
int Writer::label_slot(const Expression& e, const Value& v) const {
  const int single = e.single_slot();
  if (single >= 0) return single;
  const Value item = v.type() == Type::list && v.list_size() > 0 ? v[0] : v;
  if (item.type() != Type::string) return -1;
  for (int s : e.slots())
    if (pack_.value_label(s, item.as_string())) return s;
  return -1;
}

std::string Writer::label_or(const Label& l, const std::string& name) const {
  return detail::label_or(l, name, en_);
}

std::string Writer::field_label(std::size_t field) const {
  return detail::field_label(pack_, field, en_);
}

std::string Writer::column_label(const DecisionTable& d, std::size_t c) const {
  return detail::column_label(pack_, d, c, en_);
}

Value Writer::column_value(const DecisionTable& d, std::size_t c, Arena& arena) const {
  return detail::column_value(e_.frame, d, c, arena);
}

std::string Writer::cell_text(const std::string& cell, int slot) const {
  return detail::readable_cell(pack_, cell, slot, en_);
}

std::string Writer::source_line(const std::string& id, RuleStatus status) {
  if (std::find(cited_.begin(), cited_.end(), id) == cited_.end()) cited_.push_back(id);
  return head(t_.source) + id + ", " +
         (status == RuleStatus::verified ? t_.verified : t_.interpretation);
}

void Writer::header() {
  line(0, t_.title);
  line(0, head(t_.rules) + pack_.title());
  line(0, head(t_.reference) + pack_.id() + ", " + t_.version + " " + pack_.version());
  line(0, head(t_.hash) + pack_.hash());
  line(0, head(t_.engine) + "aiguillage " + std::string(engine_version()));
  line(0, "");
}

void Writer::status() {
  const char* s = e_.status == Status::complete     ? t_.complete
                  : e_.status == Status::incomplete ? t_.incomplete
                                                    : t_.error;
  line(0, head(t_.result) + s);
  if (!e_.missing.empty()) {
    line(0, heading(t_.questions));
    for (std::size_t k = 0; k < e_.missing.size(); ++k) {
      const int field = e_.missing[k].field;
      const FieldSpec& f = pack_.inputs().field(static_cast<std::size_t>(field));
      std::string answers;
      if (f.type == FieldType::enumeration)
        for (const std::string& v : f.values)
          if (!pack_.is_ask_value(field, Value::string(v)))
            answers +=
                (answers.empty() ? "" : ", ") + pack_.value_text(field, v, en_ ? "en" : "fr");
      line(1, std::to_string(k + 1) + ". " + field_label(static_cast<std::size_t>(field)) +
                  (answers.empty() ? std::string()
                                   : (en_ ? " (possible answers: " : " (réponses possibles : ") +
                                         answers + ")"));
    }
  }
  if (!e_.errors.empty()) {
    line(0, heading(t_.errors));
    for (const Error& err : e_.errors) {
      std::string text = "- ";
      if (!err.pointer().empty()) {
        const int field = pack_.inputs().index_of(err.pointer().substr(1));
        text +=
            (field >= 0 ? field_label(static_cast<std::size_t>(field)) : err.pointer()) + t_.colon;
      }
      line(1, text + detail::readable_error(pack_, err, en_));
    }
  }
}

void Writer::data() {
  const std::size_t n = pack_.inputs().size();
  std::vector<std::size_t> absent;
  line(0, "");
  line(0, heading(t_.data));
  for (std::size_t f = 0; f < n; ++f) {
    const Value& v = e_.frame[f];
    if (v.is_null()) {
      absent.push_back(f);
      continue;
    }
    line(1, "- " + field_label(f) + t_.colon + value(v, static_cast<int>(f)) + " (" +
                source_kind_text(pack_.inputs().field(f).source, en_) + ")");
  }
  if (absent.empty()) return;
  line(0, heading(t_.not_provided_heading));
  for (std::size_t f : absent) line(1, "- " + field_label(f));
}

void Writer::variables() {
  if (pack_.variables().empty()) return;
  line(0, "");
  line(0, heading(t_.computed));
  for (const Node& node : pack_.order()) {
    if (node.kind != Node::Kind::variable) continue;
    const Variable& v = pack_.variables()[static_cast<std::size_t>(node.index)];
    line(1, "- " + label_or(v.label, v.name) + " = " +
                value(e_.frame[static_cast<std::size_t>(v.slot)], v.slot) + ", " + t_.computed_as +
                " " + detail::readable_expression(pack_, v.text, en_));
    if (!v.source.empty()) line(2, source_line(v.source, v.status));
  }
}

void Writer::outputs(const DecisionTable& d, int indent) {
  line(indent, heading(t_.result));
  for (const OutputSpec& o : d.outputs)
    line(indent + 1, "- " + label_or(o.label, o.name) + " = " +
                         value(e_.frame[static_cast<std::size_t>(o.slot)], o.slot));
}

void Writer::table(const DecisionTable& d, const DecisionOutcome& o, int index) {
  line(1, std::string(t_.table) + ", " + std::to_string(d.rules.size()) + " " +
              (d.rules.size() == 1 ? t_.rule_word : t_.rules_word) + ", " + policy(d.hit_policy) +
              t_.colon + policy_gloss(d.hit_policy, en_) + ".");
  if (!d.description.empty()) line(1, d.description);
  if (o.status == Status::error)
    line(1, head(t_.state) + t_.state_error + t_.colon + (o.error ? o.error->message() : ""));
  else
    line(1,
         head(t_.state) + (o.status == Status::complete ? t_.state_complete : t_.state_incomplete));

  Arena arena;
  std::vector<Value> values;
  std::vector<int> slots;  // per column: the value whose labels it shows
  for (std::size_t c = 0; c < d.inputs.size(); ++c) {
    values.push_back(column_value(d, c, arena));
    slots.push_back(label_slot(d.inputs[c].expr, values.back()));
  }
  auto shown = [&](std::size_t c) {
    return column_label(d, c) + " = " + value(values[c], slots[c]);
  };

  const char* fired_heading = o.status == Status::error ? t_.rule_matching
                              : (o.status == Status::incomplete && is_single_hit(d.hit_policy))
                                  ? t_.rule_for_now
                                  : t_.rule_applied;
  if (o.fired.empty()) line(1, o.status == Status::incomplete ? t_.no_rule_yet : t_.no_rule);
  for (int r : o.fired) {
    const Rule& rule = d.rules[static_cast<std::size_t>(r)];
    line(1, head(fired_heading) + rule.id);
    if (!rule.description.empty()) line(2, rule.description);
    line(2, source_line(rule.source, rule.status));
    std::vector<std::size_t> deciding;
    for (std::size_t c = 0; c < rule.when_text.size(); ++c) {
      const std::string& cell = rule.when_text[c];
      if (!(cell.empty() || cell == "-")) deciding.push_back(c);
    }
    if (deciding.empty()) {
      line(2, head(t_.conditions) + t_.no_condition);
      continue;
    }
    line(2, heading(t_.conditions));
    for (std::size_t c : deciding)
      line(3, "- " + shown(c) + " " + t_.satisfies + " " + cell_text(rule.when_text[c], slots[c]));
  }
  outputs(d, 1);

  if (d.rules.size() == o.fired.size()) return;
  auto verdicts = rule_verdicts(pack_, e_, index);
  line(1, heading(t_.other_rules));
  const int chosen = o.fired.empty() ? -1 : o.fired.front();
  for (std::size_t r = 0; r < d.rules.size(); ++r) {
    const RuleVerdict& v = verdicts[r];
    const Rule& rule = d.rules[r];
    switch (v.state) {
      case RuleVerdict::State::fired:
        break;
      case RuleVerdict::State::rejected: {
        auto c = static_cast<std::size_t>(v.rejected_by);
        line(2, "- " + rule.id + " " + t_.rejected + t_.colon + shown(c) + " " +
                    t_.does_not_satisfy + " " + cell_text(rule.when_text[c], slots[c]));
        break;
      }
      case RuleVerdict::State::undecided: {
        std::string why;
        for (int col : v.unknown_columns) {
          auto c = static_cast<std::size_t>(col);
          if (!why.empty()) why += "; ";
          why += column_label(d, c) + " " + t_.unknown;
          std::vector<int> absent;
          for (int s : d.inputs[c].expr.slots())
            for (int f : pack_.slot_inputs(s))
              if (e_.frame[static_cast<std::size_t>(f)].is_null() &&
                  std::find(absent.begin(), absent.end(), f) == absent.end())
                absent.push_back(f);
          std::sort(absent.begin(), absent.end());
          if (absent.empty()) continue;
          why += std::string(" (") + t_.missing + t_.colon;
          for (std::size_t k = 0; k < absent.size(); ++k)
            why += (k ? ", " : "") + field_label(static_cast<std::size_t>(absent[k]));
          why += ")";
        }
        line(2, "- " + rule.id + " " + t_.undecided + t_.colon + why);
        break;
      }
      case RuleVerdict::State::matched: {
        std::string why = t_.not_selected;
        if (chosen >= 0) {
          const std::string& other = d.rules[static_cast<std::size_t>(chosen)].id;
          const std::string prefix = std::string(en_ ? "rule " : "la règle ") + other + " ";
          const std::string rule_of_policy = " (" + policy(d.hit_policy) + ")";
          if (d.hit_policy == HitPolicy::first && static_cast<int>(r) > chosen)
            why = prefix + t_.comes_first + rule_of_policy;
          else if (d.hit_policy == HitPolicy::priority)
            why = prefix + t_.higher_priority + rule_of_policy;
          else if (d.hit_policy == HitPolicy::any)
            why = prefix + t_.same_output + rule_of_policy;
        }
        line(2, "- " + rule.id + " " + t_.matched + t_.colon + why);
        break;
      }
    }
  }
}

void Writer::expression(const DecisionTable& d, const DecisionOutcome& o) {
  if (!d.description.empty()) line(1, d.description);
  line(1, head(t_.calculation) + detail::readable_expression(pack_, d.expression.text(), en_));
  line(1, source_line(d.source, d.status));
  line(1,
       head(t_.state) + (o.status == Status::complete ? t_.state_complete : t_.state_incomplete));
  outputs(d, 1);
}

void Writer::decisions() {
  int number = 0;
  for (const Node& node : pack_.order()) {
    if (node.kind != Node::Kind::decision) continue;
    const DecisionTable& d = pack_.decisions()[static_cast<std::size_t>(node.index)];
    const DecisionOutcome& o = e_.decisions[static_cast<std::size_t>(node.index)];
    line(0, "");
    std::string label = en_ ? d.label.en : d.label.fr;
    line(0, std::string(t_.decision) + " " + std::to_string(++number) + t_.colon +
                (label.empty() ? d.id : label));
    if (!o.evaluated) {
      line(1, head(t_.state) + t_.state_not_evaluated);
      continue;
    }
    if (d.kind == DecisionTable::Kind::table)
      table(d, o, node.index);
    else
      expression(d, o);
  }
}

void Writer::sources() {
  if (cited_.empty()) return;
  line(0, "");
  line(0, heading(t_.sources_cited));
  for (const Source& s : pack_.sources()) {
    if (std::find(cited_.begin(), cited_.end(), s.id) == cited_.end()) continue;
    line(1, "- " + s.id + t_.colon + s.title);
    if (!s.url.empty()) line(2, s.url);
  }
}

std::string Writer::run() {
  header();
  status();
  // A rejected record has no frame: nothing was evaluated, the errors say why.
  if (e_.frame.size() == pack_.slot_count() && !e_.frame.empty()) {
    data();
    if (e_.decisions.size() == pack_.decisions().size()) {
      variables();
      decisions();
    }
    sources();
  }
  return std::move(out_);
}

}  // namespace

std::string explain_text(const Pack& pack, const Evaluation& e, std::string_view lang) {
  // Another language would silently get French: refused instead.
  if (lang != "fr" && lang != "en")
    throw Error(ErrorCode::invalid_argument,
                "lang must be \"fr\" or \"en\", not \"" + bounded_text(lang, 16) + "\"");
  return Writer(pack, e, lang == "en").run();
}

}  // namespace v1
}  // namespace aiguillage
