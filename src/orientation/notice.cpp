#include "aiguillage/orientation/notice.hpp"

#include <algorithm>

#include "aiguillage/core/version.hpp"
#include "core/json_read.hpp"
#include "rules/readable.hpp"
#include "rules/text.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using detail::json;

class NoticeWriter {
 public:
  NoticeWriter(const Pack& pack, const Proposal& proposal, const OrientationDecision* decision,
               bool en)
      : pack_(pack), p_(proposal), d_(decision), e_(proposal.evaluation), en_(en) {}

  std::string run();

 private:
  const char* t(const char* fr, const char* en) const { return en_ ? en : fr; }
  const char* colon() const { return en_ ? ": " : " : "; }
  std::string heading(const char* fr, const char* en) const {
    return std::string(t(fr, en)) + (en_ ? ":" : " :");
  }
  void line(int indent, const std::string& text) {
    out_.append(static_cast<std::size_t>(indent) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }
  void blank() { out_ += '\n'; }

  std::string number(const std::string& text) const;
  std::string value(const Value& v, const char* null_text, int slot = -1) const;
  int label_slot(const Expression& e, const Value& v) const;
  std::string answers(const Question& q) const;
  std::string json_value(const OutputSpec& o, const json& v) const;
  std::string cell(const std::string& text, int slot) const {
    return detail::readable_cell(pack_, text, slot, en_);
  }
  std::string when(const std::string& timestamp) const;
  std::string reason(const std::string& code) const;
  std::string source_line(const std::string& id, RuleStatus status);
  bool decided() const { return d_ != nullptr; }
  // A pack whose outcomes only a human decides (a sanction): the notice speaks of the decision
  // envisaged, of the authority that alone decides, and of the person's prior observations.
  bool human_only() const { return pack_.human_decision_required(); }
  // The caller's role code read as words ("conseiller_france_travail" -> "conseiller france
  // travail").
  std::string role() const {
    std::string s = d_->actor_role;
    std::replace(s.begin(), s.end(), '_', ' ');
    return s;
  }
  bool changed() const { return d_ && d_->action != Action::confirm; }

  void title();
  void mention();
  void result();
  void rejected();
  void contribution();
  void data();
  void parameters();
  void table(const Decision& d, const DecisionOutcome& o, int index);
  void expression(const Decision& d);
  void changes();
  void cited();
  void operations();
  void rights();

  const Pack& pack_;
  const Proposal& p_;
  const OrientationDecision* d_;
  const Evaluation& e_;
  bool en_;
  bool rejected_ = false;
  json proposed_ = json::object();
  json decided_ = json::object();
  std::vector<std::string> cited_;
  std::string out_;
};

// Decimal comma in French.
std::string NoticeWriter::number(const std::string& text) const {
  if (en_) return text;
  std::string s = text;
  std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

// Among the values an expression reads, the one whose enum labels `v` (-1 when none does).
int NoticeWriter::label_slot(const Expression& e, const Value& v) const {
  const int single = e.single_slot();
  if (single >= 0) return single;
  const Value item = v.type() == Type::list && v.list_size() > 0 ? v[0] : v;
  if (item.type() != Type::string) return -1;
  for (int s : e.slots())
    if (pack_.value_label(s, item.as_string())) return s;
  return -1;
}

// The answers a question allows, by their labels.
std::string NoticeWriter::answers(const Question& q) const {
  std::string s;
  for (std::size_t k = 0; k < q.values.size(); ++k)
    s += (k ? ", " : "") + (en_ ? q.values[k].label_en : q.values[k].label_fr);
  return s;
}

std::string NoticeWriter::value(const Value& v, const char* null_text, int slot) const {
  switch (v.type()) {
    case Type::null:
      return null_text;
    case Type::boolean:
      return v.as_bool() ? t("oui", "yes") : t("non", "no");
    case Type::integer:
    case Type::decimal:
      return number(v.to_json());
    case Type::string:
      return pack_.value_text(slot, v.as_string(), en_ ? "en" : "fr");
    case Type::date:
      return detail::format_date(v.as_date(), en_);
    case Type::list: {
      if (v.list_size() == 0) return t("aucun", "none");
      std::string s;
      for (std::size_t k = 0; k < v.list_size(); ++k)
        s += (k ? ", " : "") + value(v[k], null_text, slot);
      return s;
    }
  }
  return null_text;
}

std::string NoticeWriter::json_value(const OutputSpec& o, const json& v) const {
  if (v.is_null()) return t("non déterminé", "not determined");
  if (v.is_boolean()) return v.get<bool>() ? t("oui", "yes") : t("non", "no");
  if (v.is_number()) return number(v.dump());
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (pack_.slot_type(o.slot).kind == TypeKind::date)
      if (auto date = Date::parse(s)) return detail::format_date(*date, en_);
    return pack_.value_text(o.slot, s, en_ ? "en" : "fr");
  }
  if (v.is_array()) {
    if (v.empty()) return t("aucun", "none");
    std::string s;
    for (std::size_t k = 0; k < v.size(); ++k)
      s += (k ? ", " : "") +
           (v[k].is_string() ? pack_.value_text(o.slot, v[k].get<std::string>(), en_ ? "en" : "fr")
                             : v[k].dump());
    return s;
  }
  return v.dump();
}

// The date part of a caller-supplied ISO 8601 timestamp, in the notice's format.
std::string NoticeWriter::when(const std::string& timestamp) const {
  if (auto date = Date::parse(std::string_view(timestamp).substr(0, 10)))
    return detail::format_date(*date, en_);
  return timestamp;
}

// A review reason by its label, with the data that would settle it.
std::string NoticeWriter::reason(const std::string& code) const {
  for (const ReviewReason& r : p_.review_details) {
    if (r.code != code) continue;
    std::string text = en_ ? r.label_en : r.label_fr;
    if (r.inputs.empty()) return text;
    text += t(" (données concernées : ", " (data concerned: ");
    for (std::size_t k = 0; k < r.inputs.size(); ++k) {
      const int f = pack_.inputs().index_of(r.inputs[k]);
      text += (k ? ", " : "") +
              (f >= 0 ? detail::field_label(pack_, static_cast<std::size_t>(f), en_) : r.inputs[k]);
    }
    return text + ")";
  }
  if (code == "missing_information") return t("informations manquantes", "missing information");
  return pack_.value_text(pack_.slot_of(orientation_outputs::review_reasons), code,
                          en_ ? "en" : "fr");
}

std::string NoticeWriter::source_line(const std::string& id, RuleStatus status) {
  if (std::find(cited_.begin(), cited_.end(), id) == cited_.end()) cited_.push_back(id);
  return std::string(t("Source", "Source")) + colon() + id + ", " +
         (status == RuleStatus::verified ? t("règle vérifiée", "verified rule")
                                         : t("interprétation à confirmer par l'autorité compétente",
                                             "interpretation to be confirmed by the authority"));
}

void NoticeWriter::title() {
  if (human_only())
    line(0, decided() ? t("Information sur la décision prise à votre égard",
                          "Information on the decision taken about you")
                      : t("Information sur la décision envisagée à votre égard",
                          "Information on the decision envisaged about you"));
  else
    line(0, decided() ? t("Information sur la décision d'orientation vous concernant",
                          "Information on the orientation decision about you")
                      : t("Information sur la proposition d'orientation vous concernant",
                          "Information on the orientation proposal about you"));
  line(0, std::string(t("Date de référence", "Reference date")) + colon() +
              detail::format_date(p_.reference_date, en_));
  blank();
}

void NoticeWriter::mention() {
  line(0, t("Mention relative au traitement algorithmique (articles L. 311-3-1 et R. 311-3-1-1 du "
            "code des relations entre le public et l'administration)",
            "Notice of algorithmic processing (articles L. 311-3-1 and R. 311-3-1-1 of the French "
            "code of relations between the public and the administration)"));
  if (human_only())
    line(1, decided() ? t("La décision vous concernant a été prise par une personne habilitée de "
                          "l'autorité compétente, au vu notamment d'un traitement algorithmique.",
                          "The decision about you was taken by an authorised person of the "
                          "competent authority, in view, among other things, of an algorithmic "
                          "processing.")
                      : t("La décision qui vous sera notifiée sera prise par une personne "
                          "habilitée de l'autorité compétente, au vu notamment d'un traitement "
                          "algorithmique, après vos observations.",
                          "The decision that will be notified to you will be taken by an "
                          "authorised person of the competent authority, in view, among other "
                          "things, of an algorithmic processing, after your observations."));
  else
    line(1, decided() ? t("La décision d'orientation vous concernant a été prise sur le fondement "
                          "d'un traitement algorithmique.",
                          "The orientation decision about you was taken on the basis of an "
                          "algorithmic processing.")
                      : t("La décision d'orientation qui vous sera notifiée sera prise sur le "
                          "fondement d'un traitement algorithmique.",
                          "The orientation decision that will be notified to you will be taken on "
                          "the basis of an algorithmic processing."));
  line(1, std::string(t("Finalité du traitement", "Purpose of the processing")) + colon() +
              (pack_.purpose().empty() ? pack_.title() : pack_.purpose()));
  line(1, std::string(t("Vous avez le droit d'obtenir la communication des règles définissant ce "
                        "traitement et des principales caractéristiques de sa mise en œuvre. "
                        "Pour exercer ce droit, adressez votre demande par écrit auprès de "
                        "l'organisme qui vous a ",
                        "You have the right to obtain the rules defining this processing and the "
                        "main characteristics of its implementation. To exercise this right, "
                        "send a written request to the body that ")) +
              (decided() ? t("notifié cette décision.", "notified you of this decision.")
                         : t("transmis cette proposition.", "sent you this proposal.")));
  blank();
}

void NoticeWriter::result() {
  const json& shown = decided() ? decided_ : proposed_;
  if (human_only())
    line(0, decided() ? heading("Décision", "Decision")
                      : heading("Décision envisagée, en attente de vos observations et de la "
                                "décision de l'autorité compétente",
                                "Decision envisaged, awaiting your observations and the decision "
                                "of the competent authority"));
  else
    line(0, decided() ? heading("Décision", "Decision")
                      : heading("Proposition, en attente d'un conseiller",
                                "Proposal, awaiting a counsellor"));
  for (const Decision& d : pack_.decisions())
    for (const OutputSpec& o : d.outputs) {
      auto it = shown.find(o.name);
      line(1, "- " + detail::label_or(o.label, o.name, en_) + colon() +
                  json_value(o, it == shown.end() ? json() : *it));
    }
  blank();
}

void NoticeWriter::rejected() {
  line(0, t("Aucune proposition n'a pu être établie : les données transmises ne peuvent pas être "
            "traitées.",
            "No proposal could be made: the data received cannot be processed."));
  // Errors with the same message (a broken constraint points at each input it reads) make one
  // line naming every input concerned.
  std::vector<bool> done(p_.errors.size(), false);
  for (std::size_t k = 0; k < p_.errors.size(); ++k) {
    if (done[k]) continue;
    const Error& err = p_.errors[k];
    std::string where;
    for (std::size_t j = k; j < p_.errors.size(); ++j) {
      const Error& other = p_.errors[j];
      if (done[j] || other.code() != err.code() || other.message() != err.message()) continue;
      done[j] = true;
      if (other.pointer().size() <= 1) continue;
      const int field = pack_.inputs().index_of(other.pointer().substr(1));
      where += (where.empty() ? "" : ", ") +
               (field >= 0 ? detail::field_label(pack_, static_cast<std::size_t>(field), en_)
                           : other.pointer());
    }
    if (!where.empty()) where += colon();
    line(1, "- " + where + detail::readable_error(pack_, err, en_));
  }
  blank();
  line(0, std::string(t("Règles appliquées", "Rules applied")) + colon() + pack_.id() +
              ", version " + pack_.version() + t(", empreinte ", ", hash ") + pack_.hash() + ".");
  line(0, std::string(t("Moteur de calcul", "Calculation engine")) + colon() + "aiguillage " +
              std::string(engine_version()) + ".");
  blank();
}

void NoticeWriter::contribution() {
  line(0, t("1° Degré et mode de contribution du traitement algorithmique à la décision",
            "1° Degree and mode of contribution of the algorithmic processing to the decision"));
  if (human_only())
    line(1, t("Le traitement a préparé une proposition, présentée à la personne habilitée de "
              "l'autorité compétente, qui seule décide. Aucune décision n'est prise "
              "automatiquement.",
              "The processing prepared a proposal, shown to the authorised person of the "
              "competent authority, who alone decides. No decision is taken automatically."));
  else
    line(1, t("Le traitement a établi une proposition d'orientation, présentée à un conseiller qui "
              "peut la confirmer ou la modifier.",
              "The processing made an orientation proposal, shown to a counsellor who may confirm "
              "or change it."));
  if (!p_.review_reasons.empty() && human_only()) {
    line(1, heading("Points que l'autorité compétente doit apprécier",
                    "Points the competent authority must assess"));
    for (const std::string& r : p_.review_reasons) line(2, "- " + reason(r));
  } else if (!p_.review_reasons.empty()) {
    line(1, decided() ? heading("La proposition signalait des points à examiner en entretien",
                                "The proposal flagged points to examine in an interview")
                      : heading("Points à examiner lors d'un entretien avec un conseiller",
                                "Points to examine in an interview with a counsellor"));
    for (const std::string& r : p_.review_reasons) line(2, "- " + reason(r));
  }
  if (!p_.questions.empty()) {
    line(1, heading("Informations à recueillir", "Information to collect"));
    for (std::size_t k = 0; k < p_.questions.size(); ++k) {
      const Question& q = p_.questions[k];
      line(2, std::to_string(k + 1) + ". " + (en_ ? q.label_en : q.label_fr) +
                  (q.values.empty()
                       ? std::string()
                       : std::string(t(" (réponses possibles : ", " (possible answers: ")) +
                             answers(q) + ")"));
    }
  }
  if (!d_ && human_only()) {
    line(1, t("Cette proposition n'est pas une décision : l'autorité compétente décidera après "
              "avoir reçu vos observations et apprécié les motifs que vous invoquez.",
              "This proposal is not a decision: the competent authority will decide after "
              "receiving your observations and assessing the reasons you give."));
  } else if (!d_) {
    line(1, t("Cette proposition n'est pas encore une décision : elle attend l'examen d'un "
              "conseiller, qui la confirmera ou la modifiera.",
              "This proposal is not yet a decision: it awaits a counsellor, who will confirm or "
              "change it."));
  } else if (d_->decided_by == DecidedBy::policy) {
    line(1, std::string(t("Aucun point n'appelait d'examen : la proposition a été confirmée "
                          "automatiquement le ",
                          "Nothing called for a review: the proposal was confirmed automatically "
                          "on ")) +
                when(d_->decided_at) +
                t(", selon la règle fixée par l'organisme qui met en œuvre le traitement. Aucun "
                  "conseiller ne l'a examinée avant la décision.",
                  ", under the rule set by the body that runs the processing. No counsellor "
                  "examined it before the decision."));
  } else {
    const std::string who =
        std::string(t("Un professionnel (fonction : ", "A professional (role: ")) + role() + ")";
    switch (d_->action) {
      case Action::confirm:
        line(1, who +
                    t(" a examiné la proposition et l'a confirmée le ",
                      " examined the proposal and confirmed it on ") +
                    when(d_->decided_at) + ".");
        break;
      case Action::override_outputs:
        line(1, who +
                    t(" a examiné la proposition et l'a modifiée le ",
                      " examined the proposal and changed it on ") +
                    when(d_->decided_at) +
                    t(". Les modifications et leur motif figurent au 3°.",
                      ". The changes and their reason are given in 3°."));
        break;
      case Action::reorient:
        line(1, who +
                    t(" a modifié l'orientation après le diagnostic, le ",
                      " changed the orientation after the diagnostic, on ") +
                    when(d_->decided_at) +
                    t(". Les modifications et leur motif figurent au 3°.",
                      ". The changes and their reason are given in 3°."));
        break;
    }
  }
  if (d_ && (!d_->hearing.observations.empty() || !d_->hearing.legitimate_reason.empty())) {
    line(1, std::string(t("Vos observations", "Your observations")) + colon() +
                d_->hearing.observations);
    line(1,
         std::string(t("Appréciation d'un motif légitime", "Assessment of a legitimate reason")) +
             colon() + d_->hearing.legitimate_reason);
  }
  blank();
}

void NoticeWriter::data() {
  line(0, t("2° Données traitées et leurs sources", "2° Data processed and their sources"));
  const std::size_t n = pack_.inputs().size();
  const std::vector<int> unused = pack_.unused_inputs();
  auto is_used = [&](std::size_t f) {
    return std::find(unused.begin(), unused.end(), static_cast<int>(f)) == unused.end();
  };
  std::vector<std::size_t> absent;
  for (std::size_t f = 0; f < n; ++f) {
    if (!is_used(f)) continue;
    const Value& v = e_.frame[f];
    if (v.is_null()) {
      absent.push_back(f);
      continue;
    }
    line(1, "- " + detail::field_label(pack_, f, en_) + colon() +
                value(v, "", static_cast<int>(f)) + " (" +
                detail::source_kind_text(pack_.inputs().field(f).source, en_) + ")");
  }
  if (!absent.empty()) {
    line(1, heading("Données non renseignées", "Data not provided"));
    for (std::size_t f : absent) line(2, "- " + detail::field_label(pack_, f, en_));
  }
  if (!pack_.variables().empty()) {
    line(1, heading("Données calculées à partir des précédentes", "Data computed from the above"));
    for (const Node& node : pack_.order()) {
      if (node.kind != Node::Kind::variable) continue;
      const Variable& v = pack_.variables()[static_cast<std::size_t>(node.index)];
      std::string from;
      for (int f : pack_.slot_inputs(v.slot))
        from += (from.empty() ? "" : ", ") +
                detail::field_label(pack_, static_cast<std::size_t>(f), en_);
      line(2, "- " + detail::label_or(v.label, v.name, en_) + colon() +
                  value(e_.frame[static_cast<std::size_t>(v.slot)],
                        t("non déterminé", "not determined"), v.slot) +
                  (from.empty() ? std::string()
                                : std::string(t(" (calculé à partir de : ", " (computed from: ")) +
                                      from + ")"));
    }
  }
  blank();
}

void NoticeWriter::table(const Decision& d, const DecisionOutcome& o, int index) {
  Arena arena;
  if (o.fired.empty())
    line(2, o.status == Status::incomplete
                ? t("Aucune règle ne s'applique pour l'instant.", "No rule applies yet.")
                : t("Aucune règle ne s'applique.", "No rule applies."));
  const char* applied = o.status == Status::incomplete && is_single_hit(d.hit_policy)
                            ? t("Règle retenue pour l'instant", "Rule selected for now")
                            : t("Règle appliquée", "Rule applied");
  for (int r : o.fired) {
    const Rule& rule = d.rules[static_cast<std::size_t>(r)];
    line(2, std::string(applied) + colon() + rule.id +
                (rule.description.empty() ? std::string() : " - " + rule.description));
    line(3, source_line(rule.source, rule.status));
    std::vector<std::size_t> deciding;
    for (std::size_t c = 0; c < rule.when_text.size(); ++c)
      if (!(rule.when_text[c].empty() || rule.when_text[c] == "-")) deciding.push_back(c);
    if (deciding.empty()) {
      line(3, t("Critères déterminants : aucun, la règle couvre tous les cas restants.",
                "Deciding criteria: none, the rule covers every remaining case."));
      continue;
    }
    line(3, heading("Critères déterminants", "Deciding criteria"));
    for (std::size_t c : deciding) {
      // A missing input was not provided; a missing computed value was not determined.
      const int slot = d.inputs[c].expr.single_slot();
      const bool input = slot >= 0 && static_cast<std::size_t>(slot) < pack_.inputs().size();
      const Value seen = detail::column_value(e_.frame, d, c, arena);
      const int labels = label_slot(d.inputs[c].expr, seen);
      line(4, "- " + detail::column_label(pack_, d, c, en_) + colon() +
                  value(seen,
                        input ? t("non renseigné", "not provided")
                              : t("non déterminé", "not determined"),
                        labels) +
                  t(", condition de la règle : ", ", condition of the rule: ") +
                  cell(rule.when_text[c], labels));
    }
  }
  if (o.blocking.empty()) return;
  // Rules that a missing piece of information could still make apply.
  auto verdicts = rule_verdicts(pack_, e_, index);
  line(2, heading("Règles en attente d'une information", "Rules awaiting information"));
  for (int r : o.blocking) {
    const RuleVerdict& v = verdicts[static_cast<std::size_t>(r)];
    std::vector<int> absent;
    for (int col : v.unknown_columns)
      for (int s : d.inputs[static_cast<std::size_t>(col)].expr.slots())
        for (int f : pack_.slot_inputs(s))
          if (e_.frame[static_cast<std::size_t>(f)].is_null() &&
              std::find(absent.begin(), absent.end(), f) == absent.end())
            absent.push_back(f);
    std::sort(absent.begin(), absent.end());
    std::string names;
    for (int f : absent)
      names += (names.empty() ? "" : ", ") +
               detail::field_label(pack_, static_cast<std::size_t>(f), en_);
    const Rule& rule = d.rules[static_cast<std::size_t>(r)];
    line(3, "- " + rule.id +
                (names.empty() ? std::string()
                               : std::string(t(", manque : ", ", missing: ")) + names));
  }
}

void NoticeWriter::expression(const Decision& d) {
  if (!d.description.empty()) line(2, d.description);
  line(2, std::string(t("Calcul", "Calculation")) + colon() +
              detail::readable_expression(pack_, d.expression.text(), en_));
  line(2, source_line(d.source, d.status));
}

void NoticeWriter::parameters() {
  line(0, t("3° Paramètres du traitement appliqués à votre situation",
            "3° Parameters of the processing applied to your situation"));
  // In the pack's own order, the order its authors chose to present the criteria in.
  for (std::size_t k = 0; k < pack_.decisions().size(); ++k) {
    const Decision& d = pack_.decisions()[k];
    const DecisionOutcome& o = e_.decisions[k];
    line(1, "- " + detail::label_or(d.label, d.id, en_));
    if (d.kind == Decision::Kind::table)
      table(d, o, static_cast<int>(k));
    else
      expression(d);
    for (const OutputSpec& out : d.outputs)
      line(2, std::string(t("Résultat proposé", "Proposed result")) + colon() +
                  detail::label_or(out.label, out.name, en_) + " = " +
                  value(e_.frame[static_cast<std::size_t>(out.slot)],
                        t("non déterminé", "not determined"), out.slot));
  }
  changes();
  cited();
  blank();
}

void NoticeWriter::changes() {
  if (!changed()) return;
  line(1, d_->action == Action::reorient
              ? heading("Modifications décidées par le conseiller après le diagnostic",
                        "Changes decided by the counsellor after the diagnostic")
              : heading("Modifications décidées par le conseiller",
                        "Changes decided by the counsellor"));
  bool any = false;
  for (const Decision& d : pack_.decisions())
    for (const OutputSpec& o : d.outputs) {
      auto a = proposed_.find(o.name);
      auto b = decided_.find(o.name);
      const json before = a == proposed_.end() ? json() : *a;
      const json after = b == decided_.end() ? json() : *b;
      if (before == after) continue;
      any = true;
      line(2, "- " + detail::label_or(o.label, o.name, en_) + colon() + json_value(o, after) +
                  t(" au lieu de ", " instead of ") + json_value(o, before));
    }
  if (!any) line(2, t("- aucun résultat n'a changé", "- no result changed"));
  line(2, std::string(t("Motif", "Reason")) + colon() + d_->reason);
}

void NoticeWriter::cited() {
  if (cited_.empty()) return;
  line(1, heading("Textes cités", "Texts cited"));
  for (const Source& s : pack_.sources()) {
    if (std::find(cited_.begin(), cited_.end(), s.id) == cited_.end()) continue;
    line(2, "- " + s.id + colon() + s.title);
    if (!s.url.empty()) line(3, s.url);
  }
}

void NoticeWriter::operations() {
  line(0, t("4° Opérations effectuées par le traitement",
            "4° Operations carried out by the processing"));
  int step = 0;
  auto item = [&](const std::string& text) { line(1, std::to_string(++step) + ". " + text); };
  std::string validation =
      t("Contrôle des données reçues : type, bornes et valeurs autorisées de "
        "chaque donnée",
        "Check of the data received: type, bounds and allowed values of "
        "each item");
  if (!pack_.constraints().empty()) {
    const std::size_t n = pack_.constraints().size();
    validation += std::string(t(", puis ", ", then ")) + std::to_string(n) +
                  (n == 1 ? t(" condition de cohérence entre les données",
                              " consistency condition between the data")
                          : t(" conditions de cohérence entre les données",
                              " consistency conditions between the data"));
  }
  item(validation + ".");
  for (const Node& node : pack_.order()) {
    if (node.kind == Node::Kind::variable) {
      const Variable& v = pack_.variables()[static_cast<std::size_t>(node.index)];
      item(std::string(t("Calcul de la donnée « ", "Computation of \"")) +
           detail::label_or(v.label, v.name, en_) + t(" » : ", "\": ") +
           detail::readable_expression(pack_, v.text, en_) + ".");
      continue;
    }
    const Decision& d = pack_.decisions()[static_cast<std::size_t>(node.index)];
    const std::string label = detail::label_or(d.label, d.id, en_);
    if (d.kind == Decision::Kind::expression) {
      item(std::string(t("Calcul « ", "Calculation \"")) + label + t(" » : ", "\": ") +
           detail::readable_expression(pack_, d.expression.text(), en_) + ".");
      continue;
    }
    const std::string name(hit_policy_name(d.hit_policy));
    item(std::string(t("Table de décision « ", "Decision table \"")) + label + t(" » : ", "\": ") +
         std::to_string(d.rules.size()) +
         (d.rules.size() == 1 ? t(" règle", " rule") : t(" règles", " rules")) +
         (en_ ? ", " + name + " policy: " : ", politique " + name + " : ") +
         detail::policy_gloss(d.hit_policy, en_) + ".");
  }
  item(
      t("Recherche des informations manquantes qui pourraient changer le résultat et relevé des "
        "points à examiner en entretien.",
        "Search for missing information that could change the result, and list of the points "
        "to examine in an interview."));
  if (d_ && d_->decided_by == DecidedBy::policy)
    item(t("Confirmation automatique de la proposition, aucun point n'appelant d'examen.",
           "Automatic confirmation of the proposal, nothing calling for a review."));
  else
    item(t("Présentation de la proposition à un conseiller, qui la confirme ou la modifie.",
           "Presentation of the proposal to a counsellor, who confirms or changes it."));
  line(1, std::string(t("Règles appliquées", "Rules applied")) + colon() + pack_.id() +
              ", version " + pack_.version() + t(", empreinte ", ", hash ") + pack_.hash() + ".");
  line(1, std::string(t("Moteur de calcul", "Calculation engine")) + colon() + "aiguillage " +
              std::string(engine_version()) + ".");
  blank();
}

void NoticeWriter::rights() {
  line(0, t("Vos droits", "Your rights"));
  for (const Label& right : pack_.notice_rights()) line(1, right.in(en_ ? "en" : "fr"));
  if (rejected_) {
    line(1, t("Vous pouvez demander qu'un conseiller examine votre situation, présenter vos "
              "observations et contester la décision qui sera prise (article 22, paragraphe 3, "
              "du règlement (UE) 2016/679, règlement général sur la protection des données), "
              "auprès de l'organisme qui vous a transmis ce document.",
              "You may ask a counsellor to examine your situation, express your point of view "
              "and contest the decision that will be taken (article 22(3) of Regulation (EU) "
              "2016/679, the General Data Protection Regulation), with the body that sent you "
              "this document."));
    return;
  }
  line(1, decided()
              ? t("Vous pouvez obtenir l'intervention d'un conseiller, présenter vos observations "
                  "et contester cette décision (article 22, paragraphe 3, du règlement (UE) "
                  "2016/679, règlement général sur la protection des données). Adressez-vous à "
                  "l'organisme qui vous a notifié cette décision.",
                  "You may obtain the intervention of a counsellor, express your point of view "
                  "and contest this decision (article 22(3) of Regulation (EU) 2016/679, the "
                  "General Data Protection Regulation). Contact the body that notified you of "
                  "this decision.")
              : t("Un conseiller examinera cette proposition avec vous. Vous pourrez présenter "
                  "vos observations et contester la décision qui sera prise (article 22, "
                  "paragraphe 3, du règlement (UE) 2016/679, règlement général sur la protection "
                  "des données), auprès de l'organisme qui vous la notifiera.",
                  "A counsellor will examine this proposal with you. You may express your point "
                  "of view and contest the decision that will be taken (article 22(3) of "
                  "Regulation (EU) 2016/679, the General Data Protection Regulation), with the "
                  "body that will notify it to you."));
}

std::string NoticeWriter::run() {
  const bool evaluated = p_.errors.empty() && e_.frame.size() == pack_.slot_count() &&
                         !e_.frame.empty() && e_.decisions.size() == pack_.decisions().size();
  if (p_.errors.empty() && !evaluated)
    throw Error(ErrorCode::invalid_argument,
                "a notice is built from the proposal's evaluation, which this proposal lacks");
  if (!p_.pack_hash.empty() && p_.pack_hash != pack_.hash())
    throw Error(ErrorCode::invalid_argument,
                "the proposal was made with another pack (" + p_.pack_hash + ")");
  if (evaluated) {
    proposed_ = detail::parse_document(p_.outputs_json.empty() ? "{}" : p_.outputs_json);
    if (d_) decided_ = detail::parse_document(d_->outputs_json.empty() ? "{}" : d_->outputs_json);
  }
  title();
  mention();
  if (!evaluated) {
    rejected_ = true;
    rejected();
    rights();
    return std::move(out_);
  }
  result();
  line(0, t("Informations sur le traitement appliqué à votre situation (article R. 311-3-1-2 du "
            "code des relations entre le public et l'administration)",
            "How the processing was applied to your situation (article R. 311-3-1-2 of the "
            "French code of relations between the public and the administration)"));
  blank();
  contribution();
  data();
  parameters();
  operations();
  rights();
  return std::move(out_);
}

}  // namespace

std::string notice_text(const Pack& pack, const Proposal& proposal,
                        const OrientationDecision* decision, std::string_view lang) {
  // Another language would silently get French: refused instead.
  if (lang != "fr" && lang != "en")
    throw Error(ErrorCode::invalid_argument,
                "lang must be \"fr\" or \"en\", not \"" + bounded_text(lang, 16) + "\"");
  return NoticeWriter(pack, proposal, decision, lang == "en").run();
}

}  // namespace v1
}  // namespace aiguillage
