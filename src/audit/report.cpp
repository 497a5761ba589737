#include "aiguillage/audit/report.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "aiguillage/audit/report_statistics.hpp"
#include "core/json_read.hpp"
#include "core/parallel.hpp"
#include "report_matching.hpp"
#include "report_model.hpp"
#include "report_render.hpp"
#include "report_replay.hpp"
#include "report_tables.hpp"

namespace aiguillage {
inline namespace v1 {

using namespace report_detail;

namespace {

using Json = nlohmann::json;

struct Context {
  const ReportOptions& options;
  const Model* model = nullptr;
  const Pack* pack = nullptr;  // of the version being reported
  std::string lang;
  std::vector<ReportTable> tables;
  std::string suffix;  // " (version …)" when several versions are reported
  int version = 0;
  std::string tr(std::string_view fr, std::string_view en) const {
    return std::string(lang == "en" ? en : fr);
  }
  void add(TableBuilder& b) { tables.push_back(b.finish(options.threshold)); }
};

// The words a person reads for a value: the pack's label, never the code.
std::string category_label(const Context& c, const ReportedOutput& o, const std::string& json) {
  if (json == "null") return c.tr("non déterminé (entretien)", "not determined (interview)");
  if (json == "true") return c.tr("oui", "yes");
  if (json == "false") return c.tr("non", "no");
  const Json v = Json::parse(json, nullptr, false);
  if (!v.is_string()) return json;
  return c.pack->value_text(o.slot, v.get<std::string>(), c.lang);
}

std::string input_label(const Context& c, const FieldSpec& f) {
  const std::string& l = c.lang == "en" ? f.label_en : f.label_fr;
  return l.empty() ? f.name : l;
}

std::string output_label(const Context& c, const ReportedOutput& o) {
  const std::string& l = o.spec->label.in(c.lang);
  return l.empty() ? o.name : l;
}

std::string value_label(const Context& c, const VersionModel& v, std::size_t field,
                        std::int32_t code) {
  if (code == kNull) return c.tr("non renseigné", "not given");
  const FieldSpec& f = v.pack->inputs().field(field);
  if (f.type == FieldType::boolean) return code ? c.tr("oui", "yes") : c.tr("non", "no");
  if (f.type == FieldType::enumeration)
    return v.pack->value_text(static_cast<int>(field), input_value_text(v, field, code), c.lang);
  return input_value_text(v, field, code);
}

std::string rule_label(const VersionModel& v, int decision, std::int32_t rule) {
  const Decision& d = v.pack->decisions()[static_cast<std::size_t>(decision)];
  if (rule < 0 || static_cast<std::size_t>(rule) >= d.rules.size()) return "—";
  return d.rules[static_cast<std::size_t>(rule)].id;
}

std::string decision_label(const Context& c, const VersionModel& v, int decision) {
  const Decision& d = v.pack->decisions()[static_cast<std::size_t>(decision)];
  const std::string& l = d.label.in(c.lang);
  return l.empty() ? d.id : l;
}

// ---- indicators ----

void outcome_tables(Context& c, const VersionModel& v) {
  for (std::size_t o = 0; o < v.outputs.size(); ++o) {
    const ReportedOutput& out = v.outputs[o];
    const std::size_t n_cat = out.categories.items.size();
    std::vector<std::uint64_t> proposed(n_cat), decided(n_cat);
    for (const Row& r : v.rows) {
      ++proposed[static_cast<std::size_t>(r.proposed[o])];
      ++decided[static_cast<std::size_t>(r.decided[o])];
    }
    TableBuilder b("outcomes_" + out.name, "indicators",
                   c.tr("Répartition : ", "Distribution: ") + output_label(c, out) + c.suffix,
                   c.version);
    b.column("value", c.tr("valeur", "value"));
    b.column("proposed", c.tr("proposées", "proposed"));
    b.column("proposed_share", c.tr("part proposée", "share proposed"));
    b.column("decided", c.tr("décidées", "decided"));
    b.column("decided_share", c.tr("part décidée", "share decided"));
    const std::uint64_t n = v.rows.size();
    for (std::size_t k = 0; k < n_cat; ++k) {
      b.row();
      b.text(category_label(c, out, out.categories.items[k]));
      const auto cp = b.count(proposed[k]);
      b.share(proposed[k], n, {cp});
      const auto cd = b.count(decided[k]);
      b.share(decided[k], n, {cd});
    }
    b.column_line(1);
    b.column_line(3);
    c.add(b);
  }
}

void decision_mode_table(Context& c, const VersionModel& v) {
  std::uint64_t policy = 0, confirmed = 0, overridden = 0, reoriented = 0;
  for (const Row& r : v.rows) {
    if (r.policy)
      ++policy;
    else if (r.action == 0)
      ++confirmed;
    else if (r.action == 1)
      ++overridden;
    else
      ++reoriented;
  }
  const std::uint64_t n = v.rows.size();
  TableBuilder b("decision_mode", "indicators",
                 c.tr("Qui a décidé : la règle de déploiement ou une personne",
                      "Who decided: the deployment's policy or a person") +
                     c.suffix,
                 c.version);
  b.column("mode", c.tr("mode de décision", "decision mode"));
  b.column("decisions", c.tr("décisions", "decisions"));
  b.column("share", c.tr("part", "share"));
  const std::pair<std::string, std::uint64_t> rows[] = {
      {c.tr("confirmée par la règle du déploiement (cas évident)",
            "confirmed by the deployment's policy (evident case)"),
       policy},
      {c.tr("confirmée par une personne", "confirmed by a person"), confirmed},
      {c.tr("modifiée par une personne", "overridden by a person"), overridden},
      {c.tr("réorientée par une personne", "reoriented by a person"), reoriented}};
  for (const auto& [label, k] : rows) {
    b.row();
    b.text(label);
    const auto col = b.count(k);
    b.share(k, n, {col});
  }
  b.column_line(1);
  c.add(b);
}

void review_table(Context& c, const VersionModel& v) {
  std::vector<std::uint64_t> reasons(v.reasons.items.size());
  std::uint64_t review = 0;
  for (const Row& r : v.rows) {
    if (!r.evident) ++review;
    for (auto k : r.reasons) ++reasons[static_cast<std::size_t>(k)];
  }
  const std::uint64_t n = v.rows.size();
  TableBuilder b("review", "indicators",
                 c.tr("Propositions soumises à un entretien, et pourquoi",
                      "Proposals routed to an interview, and why") +
                     c.suffix,
                 c.version);
  b.column("reason", c.tr("motif", "reason"));
  b.column("proposals", c.tr("propositions", "proposals"));
  b.column("share", c.tr("part des décisions", "share of decisions"));
  b.row();
  b.text(c.tr("toutes raisons (proposition non évidente)", "any reason (proposal not evident)"));
  auto col = b.count(review);
  b.share(review, n, {col});
  b.complement(0, 1, 1);
  for (std::size_t k = 0; k < reasons.size(); ++k) {
    b.row();
    b.text(c.pack->value_text(c.pack->slot_of("review_reasons"), v.reasons.items[k], c.lang));
    col = b.count(reasons[k]);
    b.share(reasons[k], n, {col});
  }
  c.add(b);
}

void override_tables(Context& c, const VersionModel& v) {
  for (std::size_t o = 0; o < v.outputs.size(); ++o) {
    const ReportedOutput& out = v.outputs[o];
    const std::size_t n_cat = out.categories.items.size();
    std::vector<std::vector<std::uint64_t>> m(n_cat, std::vector<std::uint64_t>(n_cat));
    std::uint64_t moved = 0;
    for (const Row& r : v.rows)
      if (r.proposed[o] != r.decided[o]) {
        ++m[static_cast<std::size_t>(r.proposed[o])][static_cast<std::size_t>(r.decided[o])];
        ++moved;
      }
    if (moved == 0) continue;
    TableBuilder b(
        "overrides_" + out.name, "indicators",
        c.tr("Décisions qui modifient la proposition : ", "Decisions that change the proposal: ") +
            output_label(c, out) + c.tr(" (proposé → décidé)", " (proposed → decided)") + c.suffix,
        c.version);
    b.column("proposed", c.tr("proposé", "proposed"));
    for (std::size_t k = 0; k < n_cat; ++k)
      b.column("to_" + std::to_string(k), "→ " + category_label(c, out, out.categories.items[k]));
    b.column("total", c.tr("total", "total"));
    for (std::size_t k = 0; k < n_cat; ++k) {
      const std::size_t row = b.row();
      b.text(category_label(c, out, out.categories.items[k]));
      std::uint64_t total = 0;
      std::vector<std::pair<std::size_t, std::size_t>> cells;
      for (std::size_t j = 0; j < n_cat; ++j) {
        cells.emplace_back(row, b.count(m[k][j]));
        total += m[k][j];
      }
      cells.emplace_back(row, b.count(total));
      b.line(cells);
    }
    for (std::size_t j = 1; j <= n_cat + 1; ++j) b.column_line(j);
    c.add(b);
  }
  // The rules counsellors disagree with most: the rule that fired for each overridden proposal.
  std::map<std::pair<int, std::int32_t>, std::pair<std::uint64_t, std::uint64_t>> by_rule;
  for (const Row& r : v.rows)
    for (std::size_t o = 0; o < v.outputs.size(); ++o) {
      const int d = v.outputs[o].decision;
      auto& e = by_rule[{d, r.fired[static_cast<std::size_t>(d)]}];
      ++e.second;
      if (r.proposed[o] != r.decided[o]) ++e.first;
    }
  TableBuilder b("override_rules", "indicators",
                 c.tr("Règles appliquées aux propositions modifiées par une personne",
                      "Rules that fired for the proposals a person overrode") +
                     c.suffix,
                 c.version);
  b.column("decision", c.tr("décision", "decision"));
  b.column("rule", c.tr("règle", "rule"));
  b.column("overridden", c.tr("modifiées", "overridden"));
  b.column("fired", c.tr("appliquée", "fired"));
  b.column("share", c.tr("part modifiée", "share overridden"));
  for (const auto& [key, e] : by_rule) {
    if (e.first == 0) continue;
    const std::size_t row = b.row();
    b.text(decision_label(c, v, key.first));
    b.text(rule_label(v, key.first, key.second));
    const auto k = b.count(e.first);
    const auto n = b.count(e.second);
    b.share(e.first, e.second, {k, n});
    b.complement(row, k, n);
  }
  c.add(b);
}

void deadline_table(Context& c, const VersionModel& v) {
  std::uint64_t with_deadline = 0, within = 0, timed = 0;
  const std::int32_t bounds[] = {7, 14, 30, 42};
  std::vector<std::uint64_t> buckets(5);
  std::vector<std::int32_t> delays;
  for (const Row& r : v.rows) {
    if (r.deadline_days != kNull && r.decided_days != kNull) {
      ++with_deadline;
      if (r.decided_days <= r.deadline_days) ++within;
    }
    if (r.registration_days != kNull && r.decided_days != kNull) {
      const std::int32_t d = r.decided_days - r.registration_days;
      ++timed;
      delays.push_back(d);
      std::size_t k = 0;
      while (k < 4 && d > bounds[k]) ++k;
      ++buckets[k];
    }
  }
  TableBuilder b("deadlines", "indicators",
                 c.tr("Délai entre l'inscription et la décision, et respect du délai légal",
                      "Time from registration to decision, and the legal deadline") +
                     c.suffix,
                 c.version);
  b.column("measure", c.tr("mesure", "measure"));
  b.column("persons", c.tr("personnes", "persons"));
  b.column("value", c.tr("valeur", "value"));
  b.row();
  b.text(c.tr("décision dans le délai légal d'orientation (6 semaines, RSA)",
              "decision within the legal orientation deadline (6 weeks, RSA)"));
  auto col = b.count(within);
  b.share(within, with_deadline, {col});
  b.row();
  b.text(c.tr("décisions soumises à un délai légal", "decisions with a legal deadline"));
  col = b.count(with_deadline);
  b.number(NAN);
  b.complement(0, 1, 1);
  std::sort(delays.begin(), delays.end());
  auto quantile = [&](double q) {
    if (delays.empty()) return static_cast<double>(NAN);
    return static_cast<double>(delays[static_cast<std::size_t>(q * (delays.size() - 1))]);
  };
  b.row();
  b.text(c.tr("délai médian (jours)", "median time (days)"));
  col = b.count(timed);
  b.number(timed >= static_cast<std::uint64_t>(c.options.threshold) ? quantile(0.5) : NAN, {col});
  const char* names_fr[] = {"0 à 7 jours", "8 à 14 jours", "15 à 30 jours", "31 à 42 jours",
                            "plus de 42 jours"};
  const char* names_en[] = {"0 to 7 days", "8 to 14 days", "15 to 30 days", "31 to 42 days",
                            "over 42 days"};
  std::vector<std::pair<std::size_t, std::size_t>> cells;
  for (std::size_t k = 0; k < 5; ++k) {
    const std::size_t row = b.row();
    b.text(c.tr(names_fr[k], names_en[k]));
    cells.emplace_back(row, b.count(buckets[k]));
    b.share(buckets[k], timed, {1});
  }
  b.line(cells);
  c.add(b);
}

// The engagement contract: signed within the deadline the pack set in the proposal
// (`date_limite_contrat`), and the time from the decision to the signature. Records without a
// signature date (decision records before 1.1, or a contract not signed yet) are counted apart.
void contract_table(Context& c, const VersionModel& v) {
  std::uint64_t signed_count = 0, with_deadline = 0, within = 0, timed = 0;
  const std::int32_t bounds[] = {7, 14, 30};
  std::vector<std::uint64_t> buckets(4);
  std::vector<std::int32_t> delays;
  for (const Row& r : v.rows) {
    if (r.contract_days == kNull) continue;
    ++signed_count;
    if (r.contract_deadline_days != kNull) {
      ++with_deadline;
      if (r.contract_days <= r.contract_deadline_days) ++within;
    }
    if (r.decided_days != kNull) {
      const std::int32_t d = r.contract_days - r.decided_days;
      ++timed;
      delays.push_back(d);
      std::size_t k = 0;
      while (k < 3 && d > bounds[k]) ++k;
      ++buckets[k];
    }
  }
  TableBuilder b("contract_deadlines", "indicators",
                 c.tr("Contrat d'engagement : signature dans le délai légal, délai depuis la "
                      "décision",
                      "Engagement contract: signed within the legal deadline, time from the "
                      "decision") +
                     c.suffix,
                 c.version);
  b.column("measure", c.tr("mesure", "measure"));
  b.column("persons", c.tr("personnes", "persons"));
  b.column("count", c.tr("dont", "of whom"));
  b.column("share", c.tr("part", "share"));
  // A row: the count k of n, its share; k is hidden when it or n - k is small.
  auto ratio_row = [&](const std::string& label, std::uint64_t n, std::uint64_t k) {
    const std::size_t row = b.row();
    b.text(label);
    const auto cn = b.count(n);
    const auto ck = b.count(k);
    b.complement(row, ck, cn);
    b.share(k, n, {cn, ck});
    return std::make_pair(row, ck);
  };
  ratio_row(c.tr("décisions dont la signature du contrat est connue",
                 "decisions whose contract signature is known"),
            v.rows.size(), signed_count);
  ratio_row(c.tr("contrat signé dans le délai (date limite du contrat d'engagement)",
                 "contract signed within the deadline (commitment contract deadline)"),
            with_deadline, within);
  std::sort(delays.begin(), delays.end());
  b.row();
  b.text(c.tr("délai médian entre la décision et la signature (jours)",
              "median time from the decision to the signature (days)"));
  const auto timed_col = b.count(timed);
  b.number(NAN);
  b.number(timed >= static_cast<std::uint64_t>(c.options.threshold) && !delays.empty()
               ? static_cast<double>(delays[(delays.size() - 1) / 2])
               : NAN,
           {timed_col});
  const char* names_fr[] = {"signé 0 à 7 jours après la décision", "8 à 14 jours", "15 à 30 jours",
                            "plus de 30 jours"};
  const char* names_en[] = {"signed 0 to 7 days after the decision", "8 to 14 days",
                            "15 to 30 days", "over 30 days"};
  std::vector<std::pair<std::size_t, std::size_t>> cells;
  for (std::size_t k = 0; k < 4; ++k)
    cells.push_back(ratio_row(c.tr(names_fr[k], names_en[k]), timed, buckets[k]));
  b.line(cells);
  c.add(b);
}

void missing_table(Context& c, const VersionModel& v) {
  const InputSchema& schema = v.pack->inputs();
  std::vector<std::uint64_t> missing(schema.size()), asked(schema.size());
  for (const Row& r : v.rows) {
    for (std::size_t f = 0; f < schema.size(); ++f)
      if (r.inputs[f] == kNull) ++missing[f];
    for (auto q : r.questions) ++asked[static_cast<std::size_t>(q)];
  }
  const std::uint64_t n = v.rows.size();
  TableBuilder b("missing_inputs", "indicators",
                 c.tr("Données manquantes et questions posées en entretien",
                      "Missing inputs and the questions asked at the interview") +
                     c.suffix,
                 c.version);
  b.column("input", c.tr("donnée", "input"));
  b.column("missing", c.tr("manquante", "missing"));
  b.column("missing_share", c.tr("part manquante", "share missing"));
  b.column("asked", c.tr("question posée", "asked"));
  b.column("asked_share", c.tr("part posée", "share asked"));
  std::vector<std::size_t> order(schema.size());
  for (std::size_t f = 0; f < order.size(); ++f) order[f] = f;
  std::stable_sort(order.begin(), order.end(),
                   [&](auto a, auto b2) { return asked[a] > asked[b2]; });
  for (std::size_t f : order) {
    if (static_cast<int>(f) == v.pack->reference_date_field()) continue;
    const std::size_t row = b.row();
    b.text(input_label(c, schema.field(f)));
    auto col = b.count(missing[f]);
    b.share(missing[f], n, {col});
    b.complement(row, col, col);
    col = b.count(asked[f]);
    b.share(asked[f], n, {col});
  }
  c.add(b);
}

std::string territory_label(const Context& c, std::int32_t t) {
  return t == kNull ? c.tr("inconnu", "unknown")
                    : c.model->territories.items[static_cast<std::size_t>(t)];
}

// Per territory or per month: the main figures side by side.
void breakdown_table(Context& c, const VersionModel& v, bool by_month) {
  std::map<std::int32_t, std::vector<const Row*>> groups;
  if (by_month) {
    std::int32_t lo = INT32_MAX, hi = INT32_MIN;
    auto key_of = [](Date d) {
      int y, m, day;
      d.to_ymd(y, m, day);
      return y * 12 + (m - 1);
    };
    for (const Row& r : v.rows)
      if (r.reference_days != kNull) {
        const std::int32_t key = key_of(Date{r.reference_days});
        groups[key].push_back(&r);
        lo = std::min(lo, key);
        hi = std::max(hi, key);
      }
    if (c.options.from) lo = std::min(lo, key_of(*c.options.from));
    if (c.options.to) hi = std::max(hi, key_of(*c.options.to));
    if (lo <= hi && hi - lo < 1200)
      for (std::int32_t k = lo; k <= hi; ++k) groups[k];  // empty months are shown too
  } else {
    for (const Row& r : v.rows) groups[r.territory].push_back(&r);
  }
  const ReportedOutput* first = v.outputs.empty() ? nullptr : &v.outputs[0];
  TableBuilder b(by_month ? "by_month" : "by_territory", "indicators",
                 (by_month ? c.tr("Indicateurs par mois", "Indicators per month")
                           : c.tr("Indicateurs par département", "Indicators per territory")) +
                     c.suffix,
                 c.version);
  b.column(by_month ? "month" : "territory",
           by_month ? c.tr("mois", "month") : c.tr("département", "territory"));
  b.column("decisions", c.tr("décisions", "decisions"));
  b.column("review", c.tr("entretien", "interview"));
  b.column("review_share", c.tr("taux d'entretien", "interview rate"));
  b.column("overridden", c.tr("modifiées", "overridden"));
  b.column("override_share", c.tr("taux de modification", "override rate"));
  b.column("policy", c.tr("par la règle", "by policy"));
  b.column("policy_share", c.tr("part par la règle", "share by policy"));
  if (first)
    for (std::size_t k = 0; k < first->categories.items.size(); ++k)
      b.column(
          first->name + "_" + std::to_string(k),
          output_label(c, *first) + " : " + category_label(c, *first, first->categories.items[k]));
  for (const auto& [key, rows] : groups) {
    const std::size_t row = b.row();
    if (by_month)
      b.text(std::to_string(key / 12) + "-" + (key % 12 < 9 ? "0" : "") +
             std::to_string(key % 12 + 1));
    else
      b.text(territory_label(c, key));
    std::uint64_t review = 0, overridden = 0, policy = 0;
    std::vector<std::uint64_t> cats(first ? first->categories.items.size() : 0);
    for (const Row* r : rows) {
      review += !r->evident;
      overridden += r->action != 0;
      policy += r->policy;
      if (first) ++cats[static_cast<std::size_t>(r->decided[0])];
    }
    const std::uint64_t n = rows.size();
    const auto cn = b.count(n);
    auto col = b.count(review);
    b.share(review, n, {cn, col});
    b.complement(row, col, cn);
    col = b.count(overridden);
    b.share(overridden, n, {cn, col});
    col = b.count(policy);
    b.share(policy, n, {cn, col});
    b.complement(row, col, cn);
    std::vector<std::pair<std::size_t, std::size_t>> cells;
    for (auto k : cats) cells.emplace_back(row, b.count(k));
    b.line(cells);
  }
  for (std::size_t col : {1, 2, 4, 6}) b.column_line(col);
  for (std::size_t k = 0; first && k < first->categories.items.size(); ++k) b.column_line(8 + k);
  c.add(b);
}

// ---- disparities ----

struct GroupAttribute {
  std::string id, label;
  std::vector<std::string> group_labels;
  std::vector<std::int32_t> group_of_row;  // kNull: unknown group (left out of the tests)
  int input = -1;                          // the pack input it is, or -1 (age band, persons file)
};

std::string age_band(std::int32_t age, const Context& c) {
  return age_band_label(age, c.lang);
}

std::vector<GroupAttribute> group_attributes(const Context& c, const VersionModel& v) {
  std::vector<std::string> wanted = c.options.group_by;
  const InputSchema& schema = v.pack->inputs();
  if (wanted.empty()) {
    wanted = {"age_band", "rsa_beneficiary", "boe_status", "qualification_level", "territory"};
    for (const FieldSpec& f : schema.fields())
      if (f.monitored && std::find(wanted.begin(), wanted.end(), f.name) == wanted.end())
        wanted.push_back(f.name);
    for (const std::string& a : c.model->attribute_names)
      if (std::find(wanted.begin(), wanted.end(), a) == wanted.end()) wanted.push_back(a);
  }
  std::vector<GroupAttribute> out;
  for (const std::string& name : wanted) {
    GroupAttribute g;
    g.id = name;
    Dictionary groups;
    g.group_of_row.reserve(v.rows.size());
    if (name == "age_band") {
      g.label = c.tr("tranche d'âge", "age band");
      for (const Row& r : v.rows)
        g.group_of_row.push_back(r.age == kNull ? kNull : groups.intern(age_band(r.age, c)));
    } else if (name == "territory") {
      g.label = c.tr("département", "territory");
      for (const Row& r : v.rows)
        g.group_of_row.push_back(
            r.territory == kNull ? kNull : groups.intern(territory_label(c, r.territory)));
    } else if (const int f = schema.index_of(name); f >= 0) {
      g.input = f;
      g.label = input_label(c, schema.field(static_cast<std::size_t>(f)));
      for (const Row& r : v.rows) {
        const std::int32_t code = r.inputs[static_cast<std::size_t>(f)];
        g.group_of_row.push_back(
            code == kNull ? kNull
                          : groups.intern(value_label(c, v, static_cast<std::size_t>(f), code)));
      }
    } else {
      const auto& names = c.model->attribute_names;
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) continue;  // checked by build_report
      const std::size_t a = static_cast<std::size_t>(it - names.begin());
      g.label = name;
      for (const Row& r : v.rows) {
        const std::int32_t code = r.attributes.empty() ? kNull : r.attributes[a];
        g.group_of_row.push_back(
            code == kNull ? kNull : groups.intern(c.model->attribute_values[a].items[code]));
      }
    }
    g.group_labels = groups.items;
    out.push_back(std::move(g));
  }
  return out;
}

// The criteria a decision reads, as a stratum key: every input its output depends on but the
// group attribute itself, birth dates as ages. Persons of two groups in one stratum were given
// the same criteria.
// Persons numbered by stratum (0, 1, … in order of first appearance); `count` strata.
struct Strata {
  std::vector<std::uint32_t> of_row;
  std::size_t count = 0;
};

// The fields whose values make a stratum for `out` when the groups are by `group_input`.
std::vector<int> strata_fields(const VersionModel& v, const ReportedOutput& out, int group_input) {
  const Pack& pack = *v.pack;
  const int registration = pack.inputs().index_of("registration_date");
  std::vector<int> fields;
  for (int f : pack.slot_inputs(out.slot))
    if (f != group_input && f != pack.reference_date_field() && f != registration)
      fields.push_back(f);
  return fields;
}

// `columns[f]`: the input f of every row (birth dates as ages), for the fields strata use.
Strata strata_of(const std::vector<std::vector<std::int32_t>>& columns,
                 const std::vector<int>& fields, std::size_t rows) {
  std::vector<std::uint64_t> keys(rows, 1469598103934665603ull);  // FNV-1a over the values
  for (int f : fields) {
    const std::vector<std::int32_t>& column = columns[static_cast<std::size_t>(f)];
    for (std::size_t r = 0; r < rows; ++r) {
      std::uint64_t key = (keys[r] ^ static_cast<std::uint32_t>(column[r])) * 1099511628211ull;
      keys[r] = (key ^ static_cast<std::uint64_t>(f)) * 1099511628211ull;
    }
  }
  Strata s;
  s.of_row.reserve(rows);
  std::unordered_map<std::uint64_t, std::uint32_t> ids;
  for (std::uint64_t key : keys)
    s.of_row.push_back(ids.emplace(key, static_cast<std::uint32_t>(ids.size())).first->second);
  s.count = ids.size();
  return s;
}

void disparity_tables(Context& c, const VersionModel& v, std::vector<std::string>& flagged_out) {
  const auto attributes = group_attributes(c, v);
  // The decided category of each output and the first fired rule of each decision, as columns:
  // the loops below go over every person many times.
  std::vector<std::vector<std::int32_t>> decided(v.outputs.size()),
      fired_rule(v.pack->decisions().size());
  for (auto& column : decided) column.reserve(v.rows.size());
  for (auto& column : fired_rule) column.reserve(v.rows.size());
  for (const Row& r : v.rows) {
    for (std::size_t o = 0; o < decided.size(); ++o) decided[o].push_back(r.decided[o]);
    for (std::size_t d = 0; d < fired_rule.size(); ++d) fired_rule[d].push_back(r.fired[d]);
  }
  struct Line {
    std::size_t attribute, group, output, category, reference;
    std::uint64_t n, k, n0, k0;
    double p = NAN;
  };
  std::vector<Line> lines;
  for (std::size_t a = 0; a < attributes.size(); ++a) {
    const GroupAttribute& g = attributes[a];
    const std::size_t n_groups = g.group_labels.size();
    if (n_groups < 2) continue;
    std::vector<std::uint64_t> n(n_groups);
    for (auto code : g.group_of_row)
      if (code != kNull) ++n[static_cast<std::size_t>(code)];
    const std::size_t reference =
        static_cast<std::size_t>(std::max_element(n.begin(), n.end()) - n.begin());
    for (std::size_t o = 0; o < v.outputs.size(); ++o) {
      const std::size_t n_cat = v.outputs[o].categories.items.size();
      std::vector<std::vector<std::uint64_t>> k(n_groups, std::vector<std::uint64_t>(n_cat));
      for (std::size_t r = 0; r < v.rows.size(); ++r)
        if (g.group_of_row[r] != kNull)
          ++k[static_cast<std::size_t>(g.group_of_row[r])][static_cast<std::size_t>(decided[o][r])];
      for (std::size_t cat = 0; cat < n_cat; ++cat) {
        std::uint64_t total = 0;
        for (std::size_t gr = 0; gr < n_groups; ++gr) total += k[gr][cat];
        if (total == 0) continue;
        for (std::size_t gr = 0; gr < n_groups; ++gr) {
          Line l{a, gr, o, cat, reference, n[gr], k[gr][cat], n[reference], k[reference][cat]};
          if (gr != reference) l.p = two_proportion_p_value(l.k, l.n, l.k0, l.n0);
          lines.push_back(l);
        }
      }
    }
  }
  std::vector<double> p;
  for (const Line& l : lines) p.push_back(l.p);
  const std::vector<double> q = benjamini_hochberg_adjust(p);
  // Gaps outside the band and significant are looked at within strata of equal criteria: the
  // strata of each (output, group input) they need, numbered on the worker threads.
  auto flagged = [&](std::size_t i) {
    const Line& l = lines[i];
    if (l.group == l.reference) return false;
    const RatioEstimate ratio = rate_ratio_katz(l.k, l.n, l.k0, l.n0);
    const bool reference_small =
        (l.n0 > 0 && l.n0 < static_cast<std::uint64_t>(c.options.threshold)) ||
        (l.k0 > 0 && l.k0 < static_cast<std::uint64_t>(c.options.threshold));
    return std::isfinite(ratio.ratio) && (ratio.ratio < 0.8 || ratio.ratio > 1.25) &&
           std::isfinite(q[i]) && q[i] < 0.05 && !reference_small;
  };
  std::map<std::pair<std::size_t, int>, Strata> strata_cache;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (flagged(i)) strata_cache[{lines[i].output, attributes[lines[i].attribute].input}];
  {
    std::vector<std::pair<const std::pair<std::size_t, int>, Strata>*> todo;
    std::vector<std::vector<int>> todo_fields;
    const InputSchema& schema = v.pack->inputs();
    std::vector<std::uint8_t> used(schema.size());
    for (auto& entry : strata_cache) {
      todo.push_back(&entry);
      todo_fields.push_back(strata_fields(v, v.outputs[entry.first.first], entry.first.second));
      for (int f : todo_fields.back()) used[static_cast<std::size_t>(f)] = 1;
    }
    // The inputs the strata read, as columns (one pass over the rows).
    const int birth = schema.index_of("birth_date");
    std::vector<std::vector<std::int32_t>> columns(schema.size());
    for (std::size_t f = 0; f < used.size(); ++f)
      if (used[f]) columns[f].reserve(v.rows.size());
    for (const Row& r : v.rows)
      for (std::size_t f = 0; f < used.size(); ++f)
        if (used[f]) columns[f].push_back(static_cast<int>(f) == birth ? r.age : r.inputs[f]);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t k; (k = next++) < todo.size();)
        todo[k]->second = strata_of(columns, todo_fields[k], v.rows.size());
    };
    detail::run_on_threads(std::max(1u, c.options.threads), [&](std::size_t) { work(); });
  }

  TableBuilder b("disparities", "disparities",
                 c.tr("Taux de chaque décision par groupe, rapport au groupe de référence",
                      "Rate of each decision per group, ratio to the reference group") +
                     c.suffix,
                 c.version);
  b.column("attribute", c.tr("attribut", "attribute"));
  b.column("group", c.tr("groupe", "group"));
  b.column("output", c.tr("décision", "decision"));
  b.column("outcome", c.tr("résultat", "outcome"));
  b.column("persons", c.tr("personnes", "persons"));
  b.column("with_outcome", c.tr("avec ce résultat", "with this outcome"));
  b.column("rate", c.tr("taux", "rate"));
  b.column("rate_low", c.tr("taux, borne basse IC 95 %", "rate, 95 % CI low"));
  b.column("rate_high", c.tr("taux, borne haute IC 95 %", "rate, 95 % CI high"));
  b.column("reference", c.tr("groupe de référence", "reference group"));
  b.column("ratio", c.tr("rapport", "ratio"));
  b.column("ratio_low", c.tr("rapport, borne basse IC 95 %", "ratio, 95 % CI low"));
  b.column("ratio_high", c.tr("rapport, borne haute IC 95 %", "ratio, 95 % CI high"));
  b.column("p_value", c.tr("p", "p"));
  b.column("q_value", c.tr("p ajusté (Benjamini-Hochberg)", "adjusted p (Benjamini-Hochberg)"));
  b.column("outside_band", c.tr("hors [0,8 ; 1,25]", "outside [0.8, 1.25]"));
  b.column("significant", c.tr("significatif (5 %)", "significant (5 %)"));
  b.column("persisting", c.tr("part de l'écart qui persiste à critères égaux",
                              "share of the gap that persists at equal criteria"));
  b.column("matched", c.tr("part comparée à critères égaux", "share compared at equal criteria"));
  b.column("rules", c.tr("règles en cause", "rules responsible"));
  std::map<std::tuple<std::size_t, std::size_t, std::size_t>,
           std::vector<std::pair<std::size_t, std::size_t>>>
      by_category, by_attribute;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    const GroupAttribute& g = attributes[l.attribute];
    const ReportedOutput& out = v.outputs[l.output];
    const std::size_t row = b.row();
    b.text(g.label);
    b.text(g.group_labels[l.group]);
    b.text(output_label(c, out));
    b.text(category_label(c, out, out.categories.items[l.category]));
    const auto cn = b.count(l.n);
    const auto ck = b.count(l.k);
    b.complement(row, ck, cn);
    by_category[{l.attribute, l.output, l.category}].emplace_back(row, ck);
    if (l.output == 0 && l.category == 0) by_attribute[{l.attribute, 0, 0}].emplace_back(row, cn);
    b.share(l.k, l.n, {cn, ck});
    const RateInterval w = wilson_interval(l.k, l.n);
    b.number(w.low, {cn, ck});
    b.number(w.high, {cn, ck});
    b.text(g.group_labels[l.reference]);
    const bool is_reference = l.group == l.reference;
    const RatioEstimate ratio =
        is_reference ? RatioEstimate{1, NAN, NAN} : rate_ratio_katz(l.k, l.n, l.k0, l.n0);
    // The reference group's own counts enter the ratio: it is hidden with them.
    const bool reference_small =
        (l.n0 > 0 && l.n0 < static_cast<std::uint64_t>(c.options.threshold)) ||
        (l.k0 > 0 && l.k0 < static_cast<std::uint64_t>(c.options.threshold));
    b.number(reference_small ? NAN : ratio.ratio, {cn, ck});
    b.number(reference_small ? NAN : ratio.low, {cn, ck});
    b.number(reference_small ? NAN : ratio.high, {cn, ck});
    b.number(l.p, {cn, ck});
    b.number(q[i], {cn, ck});
    const bool outside = std::isfinite(ratio.ratio) && (ratio.ratio < 0.8 || ratio.ratio > 1.25);
    const bool significant = std::isfinite(q[i]) && q[i] < 0.05;
    b.text(is_reference ? "—" : outside ? c.tr("oui", "yes") : c.tr("non", "no"));
    b.text(is_reference ? "—" : significant ? c.tr("oui", "yes") : c.tr("non", "no"));
    if (outside && significant && !reference_small) {
      // Does the gap persist among persons whose criteria are the same?
      const ReportedOutput& o = v.outputs[l.output];
      const Strata& strata = strata_cache.at({l.output, g.input});
      std::vector<Stratum> list(strata.count);
      for (std::size_t r = 0; r < v.rows.size(); ++r) {
        const std::int32_t code = g.group_of_row[r];
        if (code == kNull) continue;
        const bool has = static_cast<std::size_t>(decided[l.output][r]) == l.category;
        Stratum& st = list[strata.of_row[r]];
        if (static_cast<std::size_t>(code) == l.group) {
          ++st.n1;
          st.k1 += has;
        } else if (static_cast<std::size_t>(code) == l.reference) {
          ++st.n0;
          st.k0 += has;
        }
      }
      std::uint64_t matched = 0;
      for (const Stratum& st : list)
        if (st.n1 && st.n0) matched += st.n1;
      const double mh = mantel_haenszel_ratio(list);
      const double crude = std::log(ratio.ratio);
      double persisting = std::isfinite(mh) && crude != 0 ? std::log(mh) / crude : NAN;
      if (std::isfinite(persisting)) persisting = std::clamp(persisting, 0.0, 1.0);
      b.number(persisting, {cn, ck});
      b.share(matched, l.n, {cn, ck});
      // The rules whose firing differs most between the two groups.
      const int d = o.decision;
      // Per rule of the decision (index 0: none fired): persons of the group, of the reference.
      const std::size_t n_rules = v.pack->decisions()[static_cast<std::size_t>(d)].rules.size();
      std::vector<std::pair<std::uint64_t, std::uint64_t>> fired(n_rules + 1);
      std::vector<std::uint8_t> seen(n_rules + 1);
      for (std::size_t r = 0; r < v.rows.size(); ++r) {
        const std::int32_t code = g.group_of_row[r];
        if (code == kNull) continue;
        const std::int32_t rule = fired_rule[static_cast<std::size_t>(d)][r];
        const std::size_t at =
            rule < 0 ? 0 /* kNull is negative too */ : static_cast<std::size_t>(rule) + 1;
        seen[at] = 1;
        auto& e = fired[at];
        if (static_cast<std::size_t>(code) == l.group)
          ++e.first;
        else if (static_cast<std::size_t>(code) == l.reference)
          ++e.second;
      }
      std::vector<std::pair<double, std::int32_t>> gaps;
      for (std::size_t k = 0; k < fired.size(); ++k) {
        const auto& e = fired[k];
        if (!seen[k]) continue;
        gaps.emplace_back(static_cast<double>(e.first) / static_cast<double>(l.n) -
                              static_cast<double>(e.second) / static_cast<double>(l.n0),
                          k == 0 ? kNull : static_cast<std::int32_t>(k - 1));
      }
      std::sort(gaps.begin(), gaps.end(),
                [](auto x, auto y) { return std::fabs(x.first) > std::fabs(y.first); });
      std::string rules;
      for (std::size_t k = 0; k < gaps.size() && k < 3; ++k) {
        if (!rules.empty()) rules += ", ";
        const long points = std::lround(gaps[k].first * 100);
        rules += rule_label(v, d, gaps[k].second) + " (" + (points >= 0 ? "+" : "") +
                 std::to_string(points) + " pts)";
      }
      b.text(rules);
      flagged_out.push_back(g.label + " = " + g.group_labels[l.group] + " : " + output_label(c, o) +
                            " = " + category_label(c, o, o.categories.items[l.category]));
    } else {
      b.number(NAN);
      b.number(NAN);
      b.text("");
    }
  }
  for (auto& [key, cells] : by_category) b.line(cells);
  for (auto& [key, cells] : by_attribute) b.line(cells);
  c.add(b);
}

// ---- territorial consistency ----

std::vector<std::string> output_names(const VersionModel& v) {
  std::vector<std::string> names;
  for (const auto& o : v.outputs) names.push_back(o.name);
  return names;
}

// Consistency across the values of a territorial input: `territory` (the person's own value is
// the record's territory) or an input the pack marks territorial (a string or enum input).
void territorial_tables(Context& c, const VersionModel& v, const std::string& input) {
  const int field = v.pack->inputs().index_of(input);
  if (field < 0) return;
  const FieldSpec& spec = v.pack->inputs().field(static_cast<std::size_t>(field));
  std::vector<std::string> territories;  // the values a person is moved to
  std::vector<std::int32_t> own(v.rows.size(), kNull);
  const bool main = input == "territory";
  if (main) {
    territories = c.model->territories.items;
    for (std::size_t r = 0; r < v.rows.size(); ++r) own[r] = v.rows[r].territory;
  } else {
    if (spec.type != FieldType::enumeration && spec.type != FieldType::string) return;
    Dictionary values;
    for (std::size_t r = 0; r < v.rows.size(); ++r) {
      const std::int32_t code = v.rows[r].inputs[static_cast<std::size_t>(field)];
      if (code >= 0)  // kNull is negative too
        own[r] = values.intern(input_value_text(v, static_cast<std::size_t>(field), code));
    }
    territories = values.items;
  }
  if (territories.size() < 2) return;
  // Table ids and captions name the input when it is not `territory`.
  const std::string id_suffix = main ? std::string() : "_" + input;
  const std::string about = main ? std::string() : " (" + input_label(c, spec) + ")";
  auto shown_value = [&](std::size_t t) {
    if (main || spec.type != FieldType::enumeration) return territories[t];
    return v.pack->value_text(field, territories[t], c.lang);
  };
  const Evaluator evaluator(*v.pack);
  const auto names = output_names(v);
  const std::size_t nt = territories.size();
  struct Pair {
    std::uint64_t persons = 0, different = 0;
    std::vector<std::uint64_t> outputs;
  };
  std::vector<Pair> pairs(nt * nt);
  std::vector<std::uint8_t> differs_somewhere(v.rows.size()), base_ok(v.rows.size());
  for (auto& p : pairs) p.outputs.assign(names.size(), 0);
  std::map<std::tuple<std::size_t, std::int32_t, std::int32_t>, std::uint64_t> rules;
  if (names.size() <= 64) {
    // Each block is evaluated with the recorded values (the baseline), then moved to each
    // territory in turn; every worker counts apart and the counts are added at the end.
    struct Counts {
      std::vector<Pair> pairs;
      std::map<std::tuple<std::size_t, std::int32_t, std::int32_t>, std::uint64_t> rules;
    };
    const unsigned threads = std::max(1u, c.options.threads);
    std::vector<Counts> per_thread(threads);
    for (Counts& k : per_thread) k.pairs = pairs;
    replay_moves(v, evaluator, names, input, territories, threads,
                 [&](unsigned thread, const MovedRow& m) {
                   const std::int32_t home = own[m.row];
                   base_ok[m.row] = m.base_ok;  // the row's block is this thread's alone
                   if (home == kNull || static_cast<std::size_t>(home) == m.value) return;
                   if (!m.ok) return;
                   Counts& k = per_thread[thread];
                   Pair& p = k.pairs[static_cast<std::size_t>(home) * nt + m.value];
                   ++p.persons;
                   if (!m.changed) return;
                   for (std::size_t o = 0; o < names.size(); ++o)
                     if (m.changed >> o & 1) ++p.outputs[o];
                   ++p.different;
                   differs_somewhere[m.row] = 1;
                   for (std::size_t d = 0; d < m.fired->size(); ++d) {
                     const std::int32_t before = (*m.base_fired)[d][m.block_row];
                     const std::int32_t after = (*m.fired)[d][m.block_row];
                     if (before != after) ++k.rules[{d, before, after}];
                   }
                 });
    for (const Counts& k : per_thread) {
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        pairs[i].persons += k.pairs[i].persons;
        pairs[i].different += k.pairs[i].different;
        for (std::size_t o = 0; o < names.size(); ++o) pairs[i].outputs[o] += k.pairs[i].outputs[o];
      }
      for (const auto& [key, n] : k.rules) rules[key] += n;
    }
  } else {
    // Each person as evaluated with the recorded values: the baseline.
    std::vector<ReplayedRow> base(v.rows.size());
    replay_rows(v, evaluator, names, "", "", c.options.threads,
                [&](std::size_t r, const ReplayedRow& out) {
                  base[r] = out;
                  base_ok[r] = out.ok;
                });
    std::mutex mutex;
    for (std::size_t t = 0; t < nt; ++t) {
      replay_rows(
          v, evaluator, names, input, territories[t], c.options.threads,
          [&](std::size_t r, const ReplayedRow& out) {
            if (own[r] == kNull || static_cast<std::size_t>(own[r]) == t || !out.ok || !base[r].ok)
              return;
            std::lock_guard lock(mutex);
            Pair& p = pairs[static_cast<std::size_t>(own[r]) * nt + t];
            ++p.persons;
            bool different = false;
            for (std::size_t o = 0; o < names.size(); ++o)
              if (out.outputs[o] != base[r].outputs[o]) {
                ++p.outputs[o];
                different = true;
              }
            if (!different) return;
            ++p.different;
            differs_somewhere[r] = 1;
            for (std::size_t d = 0; d < out.fired.size(); ++d)
              if (out.fired[d] != base[r].fired[d]) ++rules[{d, base[r].fired[d], out.fired[d]}];
          });
    }
  }
  {
    std::uint64_t persons = 0, moved = 0;
    for (std::size_t r = 0; r < v.rows.size(); ++r)
      if (own[r] != kNull && base_ok[r]) {
        ++persons;
        moved += differs_somewhere[r];
      }
    TableBuilder s("territorial_summary" + id_suffix, "territorial",
                   c.tr("Personnes qui auraient une autre décision dans au moins un autre "
                        "département du journal",
                        "Persons who would get another decision in at least one other "
                        "territory of the log") +
                       about + c.suffix,
                   c.version);
    s.column("scope", c.tr("champ", "scope"));
    s.column("persons", c.tr("personnes", "persons"));
    s.column("different", c.tr("décision différente ailleurs", "different decision elsewhere"));
    s.column("share", c.tr("part", "share"));
    s.row();
    s.text(c.tr("toutes les personnes", "all persons"));
    const auto cn = s.count(persons);
    const auto cd = s.count(moved);
    s.share(moved, persons, {cn, cd});
    s.complement(0, cd, cn);
    c.add(s);
  }
  TableBuilder b("territorial_pairs" + id_suffix, "territorial",
                 c.tr("Même personne, autre département : combien auraient une autre décision",
                      "Same person, other territory: how many would get another decision") +
                     about + c.suffix,
                 c.version);
  b.column("from", c.tr("département", "territory"));
  b.column("to", c.tr("si la personne résidait dans", "if the person lived in"));
  b.column("persons", c.tr("personnes", "persons"));
  b.column("different", c.tr("décision différente", "different decision"));
  b.column("share", c.tr("part", "share"));
  for (std::size_t o = 0; o < names.size(); ++o)
    b.column("changed_" + names[o], c.tr("change : ", "changes: ") + output_label(c, v.outputs[o]));
  for (std::size_t a = 0; a < nt; ++a)
    for (std::size_t t = 0; t < nt; ++t) {
      if (a == t) continue;
      const Pair& p = pairs[a * nt + t];
      if (p.persons == 0) continue;
      const std::size_t row = b.row();
      b.text(shown_value(a));
      b.text(shown_value(t));
      const auto cn = b.count(p.persons);
      const auto cd = b.count(p.different);
      b.share(p.different, p.persons, {cn, cd});
      b.complement(row, cd, cn);
      for (auto k : p.outputs) b.complement(row, b.count(k), cn);
    }
  c.add(b);
  TableBuilder r("territorial_rules" + id_suffix, "territorial",
                 c.tr("Règles à l'origine des différences entre départements",
                      "Rules behind the differences between territories") +
                     about + c.suffix,
                 c.version);
  r.column("decision", c.tr("décision", "decision"));
  r.column("rule_here", c.tr("règle appliquée", "rule applied"));
  r.column("rule_there", c.tr("règle ailleurs", "rule elsewhere"));
  r.column("cases", c.tr("cas (personne × département)", "cases (person × territory)"));
  for (const auto& [key, n] : rules) {
    r.row();
    const int d = static_cast<int>(std::get<0>(key));
    r.text(decision_label(c, v, d));
    r.text(rule_label(v, d, std::get<1>(key)));
    r.text(rule_label(v, d, std::get<2>(key)));
    r.count(n);
  }
  c.add(r);
}

// ---- rule-change impact ----

void impact_tables(Context& c, const VersionModel& v,
                   const std::vector<GroupAttribute>& attributes) {
  const Pack& against = *c.options.against;
  const Evaluator evaluator(against);
  const auto names = output_names(v);
  std::vector<ReplayedRow> now(v.rows.size());
  replay_rows(v, evaluator, names, "", "", c.options.threads,
              [&](std::size_t r, const ReplayedRow& out) { now[r] = out; });
  const std::string title = against.id() + " " + against.version();
  std::vector<bool> moved(v.rows.size());
  for (std::size_t r = 0; r < v.rows.size(); ++r)
    for (std::size_t o = 0; o < names.size(); ++o)
      if (now[r].ok &&
          now[r].outputs[o] !=
              v.outputs[o].categories.items[static_cast<std::size_t>(v.rows[r].proposed[o])])
        moved[r] = true;
  for (std::size_t o = 0; o < names.size(); ++o) {
    const ReportedOutput& out = v.outputs[o];
    std::map<std::pair<std::string, std::string>, std::uint64_t> m;
    for (std::size_t r = 0; r < v.rows.size(); ++r) {
      const std::string& was =
          out.categories.items[static_cast<std::size_t>(v.rows[r].proposed[o])];
      if (now[r].ok && now[r].outputs[o] != was) ++m[{was, now[r].outputs[o]}];
    }
    if (m.empty()) continue;
    TableBuilder b("impact_" + out.name, "impact",
                   c.tr("Effet de ", "Effect of ") + title + " : " + output_label(c, out) +
                       c.tr(" (avant → après)", " (before → after)") + c.suffix,
                   c.version);
    b.column("before", c.tr("avant", "before"));
    b.column("after", c.tr("après", "after"));
    b.column("persons", c.tr("personnes", "persons"));
    for (const auto& [key, n] : m) {
      b.row();
      b.text(category_label(c, out, key.first));
      b.text(category_label(c, out, key.second));
      b.count(n);
    }
    c.add(b);
  }
  auto by_group = [&](const std::string& id, const std::string& label,
                      const std::vector<std::string>& group_labels,
                      const std::vector<std::int32_t>& group_of_row) {
    std::vector<std::uint64_t> n(group_labels.size()), k(group_labels.size());
    for (std::size_t r = 0; r < v.rows.size(); ++r) {
      if (group_of_row[r] == kNull) continue;
      ++n[static_cast<std::size_t>(group_of_row[r])];
      k[static_cast<std::size_t>(group_of_row[r])] += moved[r];
    }
    TableBuilder b(
        "impact_by_" + id, "impact",
        c.tr("Personnes dont la proposition change, par ", "Persons whose proposal changes, by ") +
            label + c.suffix,
        c.version);
    b.column("group", label);
    b.column("persons", c.tr("personnes", "persons"));
    b.column("changed", c.tr("proposition changée", "proposal changed"));
    b.column("share", c.tr("part", "share"));
    for (std::size_t g = 0; g < group_labels.size(); ++g) {
      const std::size_t row = b.row();
      b.text(group_labels[g]);
      const auto cn = b.count(n[g]);
      const auto ck = b.count(k[g]);
      b.share(k[g], n[g], {cn, ck});
      b.complement(row, ck, cn);
    }
    b.column_line(1);
    b.column_line(2);
    c.add(b);
  };
  for (const GroupAttribute& g : attributes)
    by_group(g.id, g.label, g.group_labels, g.group_of_row);
  std::map<std::tuple<std::size_t, std::string, std::string>, std::uint64_t> rules;
  const auto& old_decisions = v.pack->decisions();
  const auto& new_decisions = against.decisions();
  for (std::size_t r = 0; r < v.rows.size(); ++r) {
    if (!moved[r]) continue;
    for (std::size_t d = 0; d < new_decisions.size(); ++d) {
      const std::string after =
          now[r].fired[d] < 0
              ? "—"
              : new_decisions[d].rules[static_cast<std::size_t>(now[r].fired[d])].id;
      std::string before = "—";
      for (std::size_t od = 0; od < old_decisions.size(); ++od)
        if (old_decisions[od].id == new_decisions[d].id)
          before = rule_label(v, static_cast<int>(od), v.rows[r].fired[od]);
      if (before != after) ++rules[{d, before, after}];
    }
  }
  TableBuilder b(
      "impact_rules", "impact",
      c.tr("Règles en cause dans les changements", "Rules behind the changes") + c.suffix,
      c.version);
  b.column("decision", c.tr("décision", "decision"));
  b.column("rule_before", c.tr("règle avant", "rule before"));
  b.column("rule_after", c.tr("règle après", "rule after"));
  b.column("persons", c.tr("personnes", "persons"));
  for (const auto& [key, n] : rules) {
    b.row();
    const Decision& d = new_decisions[std::get<0>(key)];
    b.text(d.label.in(c.lang).empty() ? d.id : d.label.in(c.lang));
    b.text(std::get<1>(key));
    b.text(std::get<2>(key));
    b.count(n);
  }
  c.add(b);
}

// A figure of a table as the report shows it (suppressed cells stay hidden).
std::string shown(const Context& c, const ReportTable& t, std::size_t row, std::size_t col,
                  bool share) {
  if (row >= t.rows.size() || col >= t.rows[row].size()) return "—";
  return cell_text(t.rows[row][col], c.lang, c.options.threshold, share);
}

const ReportTable* find_table(const Context& c, std::string_view id) {
  for (const ReportTable& t : c.tables)
    if (t.version == c.version && t.id == id) return &t;
  return nullptr;
}

// Three figures for the first page: how many decisions, the most frequent path, and how many
// would be decided otherwise elsewhere (or, without the territorial replay, the policy share).
std::vector<std::string> headlines(const Context& c, const VersionModel& v) {
  std::vector<std::string> out;
  out.push_back(c.tr("décisions : ", "decisions: ") + std::to_string(v.rows.size()));
  if (!v.outputs.empty())
    if (const ReportTable* t = find_table(c, "outcomes_" + v.outputs[0].name)) {
      std::size_t best = 0;
      for (std::size_t r = 0; r < t->rows.size(); ++r)
        if (t->rows[r][3].number > t->rows[best][3].number) best = r;
      out.push_back(output_label(c, v.outputs[0]) + " « " + t->rows[best][0].text + " » : " +
                    shown(c, *t, best, 4, true) + c.tr(" des décisions", " of the decisions"));
    }
  if (const ReportTable* t = find_table(c, "territorial_summary")) {
    out.push_back(c.tr("autre décision dans au moins un autre département : ",
                       "another decision in at least one other territory: ") +
                  shown(c, *t, 0, 3, true) + c.tr(" des personnes", " of the persons"));
  } else if (const ReportTable* m = find_table(c, "decision_mode")) {
    out.push_back(c.tr("confirmées par la règle du déploiement : ",
                       "confirmed by the deployment's policy: ") +
                  shown(c, *m, 0, 2, true));
  }
  return out;
}

}  // namespace

Report build_report(DecisionSource& source, const Registry& packs, const ReportOptions& options) {
  if (options.threshold < 5)
    throw Error(ErrorCode::invalid_argument, "the suppression threshold is " +
                                                 std::to_string(options.threshold) +
                                                 "; it may not be below 5");
  if (options.lang != "fr" && options.lang != "en")
    throw Error(ErrorCode::invalid_argument,
                "the report's language is fr or en, not " + options.lang);
  const Model model = read_model(source, packs, options);
  Context c{options, &model, nullptr, options.lang, {}, {}, 0};
  RenderInput in;
  in.model = &model;
  in.options = &options;
  in.source = source.description();
  for (std::size_t k = 0; k < model.versions.size(); ++k) {
    const VersionModel& v = model.versions[k];
    c.version = static_cast<int>(k);
    c.pack = v.pack;
    c.suffix = model.versions.size() > 1 ? " — " + v.id + " " + v.version : std::string();
    for (const std::string& name : options.group_by)
      if (name != "age_band" && name != "territory" && v.pack->inputs().index_of(name) < 0 &&
          std::find(model.attribute_names.begin(), model.attribute_names.end(), name) ==
              model.attribute_names.end())
        throw Error(ErrorCode::invalid_argument, "--group-by " + name + ": neither an input of " +
                                                     v.id +
                                                     " nor an attribute of the persons file");
    outcome_tables(c, v);
    decision_mode_table(c, v);
    review_table(c, v);
    override_tables(c, v);
    deadline_table(c, v);
    contract_table(c, v);
    missing_table(c, v);
    breakdown_table(c, v, false);
    breakdown_table(c, v, true);
    std::vector<std::string> flagged;
    disparity_tables(c, v, flagged);
    if (options.territorial) {
      territorial_tables(c, v, "territory");
      for (const FieldSpec& f : v.pack->inputs().fields())
        if (f.territorial && f.name != "territory") territorial_tables(c, v, f.name);
    }
    if (options.against) impact_tables(c, v, group_attributes(c, v));
    RenderInput::Version rv;
    rv.flagged = std::move(flagged);
    rv.headlines = headlines(c, v);
    in.versions.push_back(std::move(rv));
  }
  if (options.matches && !model.versions.empty())
    matching_tables(*options.matches, model, *model.versions.front().pack, options, c.tables);
  Report report;
  report.tables = std::move(c.tables);
  in.tables = &report.tables;
  report.json = render_json(in);
  report.html = render_html(in);
  if (!in.versions.empty()) report.headlines = in.versions.front().headlines;
  return report;
}

}  // namespace v1
}  // namespace aiguillage
