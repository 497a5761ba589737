#include "report_matching.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "aiguillage/audit/report_statistics.hpp"
#include "aiguillage/core/error.hpp"
#include "core/file.hpp"
#include "core/json_read.hpp"
#include "report_tables.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::json;

// Calls `fn(line number, text)` for every non-blank line of `text`.
template <class Fn>
void for_each_line(const std::string& text, Fn&& fn) {
  std::size_t start = 0, line = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string_view l(text.data() + start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find_first_not_of(" \t") != std::string_view::npos) fn(line, l);
    start = end + 1;
  }
}

[[noreturn]] void bad_line(const std::string& what, std::size_t line, const std::string& why,
                           const std::string& pointer) {
  throw Error(ErrorCode::invalid_document,
              what + " line " + std::to_string(line) + ": " + why.substr(0, 200), pointer);
}

std::string attribute_text(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

namespace {

// A profile's matching criteria, in bands (docs/report.md, Matching fairness): its département,
// the ROME family (letter and two digits) of its first target, its number of competences, its
// highest diploma level, its RQTH.
std::vector<std::string> profile_criteria(const Json& profile) {
  std::string departement = "?";
  if (auto loc = profile.find("location"); loc != profile.end() && loc->is_object()) {
    if (auto d = loc->find("departement"); d != loc->end() && d->is_string()) {
      departement = d->get<std::string>();
    } else if (auto pc = loc->find("postal_code"); pc != loc->end() && pc->is_string()) {
      const std::string code = pc->get<std::string>();
      departement = code.substr(0, code.rfind("97", 0) == 0 ? 3 : 2);
    }
  }
  std::string family = "?";
  if (auto t = profile.find("targets"); t != profile.end() && t->is_object())
    if (auto rome = t->find("rome");
        rome != t->end() && rome->is_array() && !rome->empty() && rome->front().is_string())
      family = rome->front().get<std::string>().substr(0, 3);
  std::size_t competences = 0;
  if (auto c = profile.find("competences"); c != profile.end() && c->is_array())
    competences = c->size();
  const char* band = competences < 5    ? "0-4"
                     : competences < 10 ? "5-9"
                     : competences < 20 ? "10-19"
                                        : "20+";
  std::int64_t level = -1;
  if (auto d = profile.find("diplomas"); d != profile.end() && d->is_array())
    for (const Json& diploma : *d)
      if (diploma.is_object())
        if (auto l = diploma.find("level"); l != diploma.end() && l->is_number_integer())
          level = std::max(level, l->get<std::int64_t>());
  const auto rqth = profile.find("rqth");
  return {departement, family, band, level < 0 ? "none" : std::to_string(level),
          rqth != profile.end() && rqth->is_boolean() && rqth->get<bool>() ? "true" : "false"};
}

}  // namespace

MatchRun read_match_run(const std::string& matches_path, const std::string& persons_path,
                        const std::string& profiles_path) {
  MatchRun run;
  std::unordered_map<std::string, std::size_t> index;
  const std::string persons = detail::read_file(persons_path);
  for_each_line(persons, [&](std::size_t line, std::string_view text) {
    Json doc;
    try {
      doc = detail::parse_document(text);
    } catch (const Error& e) {
      bad_line("persons file", line, e.what(), "");
    }
    if (!doc.is_object() || !doc.contains("person_id") || !doc["person_id"].is_string())
      bad_line("persons file", line, "no person_id", "/person_id");
    MatchRun::Person p;
    for (auto it = doc.begin(); it != doc.end(); ++it)
      if (it.key() != "person_id" && !it->is_object() && !it->is_array() && !it->is_null())
        p.attributes[it.key()] = attribute_text(*it);
    if (!index.emplace(doc["person_id"].get<std::string>(), run.persons.size()).second)
      bad_line("persons file", line, "a person_id given twice", "/person_id");
    run.persons.push_back(std::move(p));
  });
  const std::string matches = detail::read_file(matches_path);
  std::set<std::string, std::less<>> offers;
  for_each_line(matches, [&](std::size_t line, std::string_view text) {
    Json doc;
    try {
      doc = detail::parse_document(text);
    } catch (const Error& e) {
      bad_line("matches file", line, e.what(), "");
    }
    if (!doc.is_object()) bad_line("matches file", line, "not an object", "");
    if (doc.contains("error")) return;  // a document the match run rejected
    for (const char* name : {"profile_id", "offer_id"})
      if (!doc.contains(name) || !doc[name].is_string())
        bad_line("matches file", line, std::string("no ") + name, std::string("/") + name);
    if (!doc.contains("rank") || !doc["rank"].is_number_unsigned() || doc["rank"].get<double>() < 1)
      bad_line("matches file", line, "rank is not a whole number >= 1", "/rank");
    if (!doc.contains("score") || !doc["score"].is_number() ||
        !std::isfinite(doc["score"].get<double>()))
      bad_line("matches file", line, "score is not a number", "/score");
    ++run.lines;
    run.k = std::max(run.k, static_cast<std::uint32_t>(std::min<std::uint64_t>(
                                doc["rank"].get<std::uint64_t>(), 1u << 30)));
    offers.insert(doc["offer_id"].get<std::string>());
    auto it = index.find(doc["profile_id"].get<std::string>());
    if (it == index.end()) {
      ++run.unknown;
      return;
    }
    MatchRun::Person& p = run.persons[it->second];
    ++p.listed;
    p.score_sum += doc["score"].get<double>();
  });
  run.offers = offers.size();
  if (!profiles_path.empty()) {
    run.criteria_names = {"departement", "rome_family", "competences", "diploma_level", "rqth"};
    const std::string profiles = detail::read_file(profiles_path);
    for_each_line(profiles, [&](std::size_t line, std::string_view text) {
      Json doc;
      try {
        doc = detail::parse_document(text);
      } catch (const Error& e) {
        bad_line("profiles file", line, e.what(), "");
      }
      if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string())
        bad_line("profiles file", line, "no id", "/id");
      auto it = index.find(doc["id"].get<std::string>());
      if (it == index.end()) return;  // a profile of no person of the persons file
      run.persons[it->second].criteria = profile_criteria(doc);
    });
  }
  return run;
}

namespace report_detail {

using Kind = ReportTable::Cell::Kind;

std::string age_band_label(std::int32_t age, std::string_view lang) {
  const bool en = lang == "en";
  if (age == kNull) return en ? "age unknown" : "âge inconnu";
  if (age < 26) return en ? "under 26" : "moins de 26 ans";
  if (age < 30) return en ? "26 to 29" : "26 à 29 ans";
  if (age < 50) return en ? "30 to 49" : "30 à 49 ans";
  return en ? "50 and over" : "50 ans et plus";
}

namespace {

struct Attribute {
  std::string id, label;
  int criterion = -1;  // the matching criterion the attribute is (left out of its strata)
  std::vector<std::string> groups;
  std::vector<std::int32_t> of_person;  // kNull: unknown
};

std::vector<Attribute> matching_attributes(const MatchRun& run, const Model& model,
                                           const Pack& pack, const ReportOptions& options) {
  const std::string& lang = options.lang;
  const bool en = lang == "en";
  std::vector<std::string> wanted = options.group_by;
  if (wanted.empty())
    wanted = {"age_band", "rsa_beneficiary", "boe_status", "qualification_level", "territory"};
  // Ages at the end of the period reported, or at the latest decision.
  std::int32_t at = kNull;
  if (options.to) {
    at = options.to->days;
  } else {
    for (const VersionModel& v : model.versions)
      for (const Row& r : v.rows)
        if (r.reference_days != kNull && (at == kNull || r.reference_days > at))
          at = r.reference_days;
  }
  const InputSchema& schema = pack.inputs();
  std::vector<Attribute> out;
  for (const std::string& name : wanted) {
    Attribute a;
    a.id = name;
    Dictionary groups;
    bool present = false;
    for (const MatchRun::Person& p : run.persons) {
      std::int32_t code = kNull;
      if (name == "age_band") {
        auto it = p.attributes.find("birth_date");
        const auto birth =
            it == p.attributes.end() ? std::nullopt : Date::parse(std::string_view(it->second));
        if (birth && at != kNull) {
          present = true;
          code = groups.intern(
              age_band_label(static_cast<std::int32_t>(years_between(*birth, Date{at})), lang));
        }
      } else if (auto it = p.attributes.find(name); it != p.attributes.end()) {
        present = true;
        std::string label = it->second;
        const int f = schema.index_of(name);
        if (label == "true" || label == "false")
          label = label == "true" ? (en ? "yes" : "oui") : (en ? "no" : "non");
        else if (f >= 0 && schema.field(static_cast<std::size_t>(f)).type == FieldType::enumeration)
          label = pack.value_text(f, label, lang);
        code = groups.intern(label);
      }
      a.of_person.push_back(code);
    }
    if (!present) continue;
    if (name == "age_band") {
      a.label = en ? "age band" : "tranche d'âge";
    } else if (name == "territory") {
      a.label = en ? "territory" : "département";
    } else if (const int f = schema.index_of(name); f >= 0) {
      const FieldSpec& spec = schema.field(static_cast<std::size_t>(f));
      const std::string& l = en ? spec.label_en : spec.label_fr;
      a.label = l.empty() ? name : l;
    } else {
      a.label = name;
    }
    a.groups = groups.items;
    // The criterion that measures the same thing: the stratum cannot hold it fixed.
    const std::string same = name == "territory"             ? "departement"
                             : name == "qualification_level" ? "diploma_level"
                             : name == "boe_status"          ? "rqth"
                                                             : name;
    for (std::size_t c = 0; c < run.criteria_names.size(); ++c)
      if (run.criteria_names[c] == same) a.criterion = static_cast<int>(c);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

void matching_tables(const MatchRun& run, const Model& model, const Pack& pack,
                     const ReportOptions& options, std::vector<ReportTable>& tables) {
  const bool en = options.lang == "en";
  auto tr = [en](const char* fr, const char* english) { return std::string(en ? english : fr); };
  const std::string k_text = std::to_string(run.k);
  std::uint64_t listed = 0, places = 0;
  double score_sum = 0;
  for (const MatchRun::Person& p : run.persons) {
    listed += p.listed > 0;
    places += p.listed;
    score_sum += p.score_sum;
  }
  {
    TableBuilder b("matching_summary", "matching",
                   tr("Appariement : personnes présentes dans au moins une liste des ",
                      "Matching: persons in at least one list of the ") +
                       k_text + tr(" meilleurs", " best"),
                   0);
    b.column("persons", tr("personnes", "persons"));
    b.column("listed", tr("avec au moins une offre", "with at least one offer"));
    b.column("listed_share", tr("part avec au moins une offre", "share with at least one offer"));
    b.column("mean_score", tr("score moyen des places", "mean score of the places"));
    b.column("offers", tr("offres", "offers"));
    b.column("k", tr("k (taille des listes)", "k (list size)"));
    b.column("unknown", tr("lignes de personnes absentes du fichier des personnes",
                           "lines of persons missing from the persons file"));
    b.row();
    const auto cn = b.count(run.persons.size());
    const auto ck = b.count(listed);
    b.complement(0, ck, cn);
    b.share(listed, run.persons.size(), {cn, ck});
    b.number(places ? score_sum / static_cast<double>(places) : NAN, {ck});
    b.number(static_cast<double>(run.offers));
    b.number(run.k);
    b.count(run.unknown);
    tables.push_back(b.finish(options.threshold));
  }

  const auto attributes = matching_attributes(run, model, pack, options);
  struct Line {
    std::size_t attribute, group, reference;
    std::uint64_t n = 0, k = 0, places = 0, n0 = 0, k0 = 0;
    double score_sum = 0, p = NAN;
  };
  std::vector<Line> lines;
  for (std::size_t a = 0; a < attributes.size(); ++a) {
    const Attribute& g = attributes[a];
    const std::size_t n_groups = g.groups.size();
    if (n_groups < 2) continue;
    std::vector<Line> per(n_groups);
    for (std::size_t i = 0; i < run.persons.size(); ++i) {
      const std::int32_t code = g.of_person[i];
      if (code == kNull) continue;
      Line& l = per[static_cast<std::size_t>(code)];
      const MatchRun::Person& p = run.persons[i];
      ++l.n;
      l.k += p.listed > 0;
      l.places += p.listed;
      l.score_sum += p.score_sum;
    }
    std::size_t reference = 0;
    for (std::size_t gr = 1; gr < n_groups; ++gr)
      if (per[gr].n > per[reference].n) reference = gr;
    for (std::size_t gr = 0; gr < n_groups; ++gr) {
      Line l = per[gr];
      l.attribute = a;
      l.group = gr;
      l.reference = reference;
      l.n0 = per[reference].n;
      l.k0 = per[reference].k;
      if (gr != reference) l.p = two_proportion_p_value(l.k, l.n, l.k0, l.n0);
      lines.push_back(l);
    }
  }
  std::vector<double> p;
  for (const Line& l : lines) p.push_back(l.p);
  const std::vector<double> holm = holm_adjust(p), bh = benjamini_hochberg_adjust(p);

  TableBuilder b("matching_exposure", "matching",
                 tr("Exposition de chaque groupe dans les listes des ",
                    "Exposure of each group in the lists of the ") +
                     k_text +
                     tr(" meilleurs : part avec au moins une offre, rapport au groupe "
                        "de référence",
                        " best: share with at least one offer, ratio to the reference "
                        "group"),
                 0);
  b.column("attribute", tr("attribut", "attribute"));
  b.column("group", tr("groupe", "group"));
  b.column("persons", tr("personnes", "persons"));
  b.column("listed", tr("avec au moins une offre", "with at least one offer"));
  b.column("rate", tr("part avec au moins une offre", "share with at least one offer"));
  b.column("rate_low", tr("part, borne basse IC 95 %", "share, 95 % CI low"));
  b.column("rate_high", tr("part, borne haute IC 95 %", "share, 95 % CI high"));
  b.column("mean_score", tr("score moyen des places", "mean score of the places"));
  b.column("places_per_person", tr("places par personne", "places per person"));
  b.column("reference", tr("groupe de référence", "reference group"));
  b.column("ratio", tr("rapport des taux de sélection à k", "selection-rate ratio at k"));
  b.column("ratio_low", tr("rapport, borne basse IC 95 %", "ratio, 95 % CI low"));
  b.column("ratio_high", tr("rapport, borne haute IC 95 %", "ratio, 95 % CI high"));
  b.column("p_value", tr("p", "p"));
  b.column("q_holm", tr("p ajusté (Holm)", "adjusted p (Holm)"));
  b.column("q_value", tr("p ajusté (Benjamini-Hochberg)", "adjusted p (Benjamini-Hochberg)"));
  b.column("outside_band", tr("hors [0,8 ; 1,25]", "outside [0.8, 1.25]"));
  b.column("significant_holm", tr("significatif (Holm, 5 %)", "significant (Holm, 5 %)"));
  b.column("significant",
           tr("significatif (Benjamini-Hochberg, 5 %)", "significant (Benjamini-Hochberg, 5 %)"));
  b.column("persisting", tr("part de l'écart qui persiste à critères d'appariement égaux",
                            "share of the gap that persists at equal matching criteria"));
  b.column("matched", tr("part comparée à critères d'appariement égaux",
                         "share compared at equal matching criteria"));
  std::map<std::size_t, std::vector<std::pair<std::size_t, std::size_t>>> persons_line, listed_line;
  const auto small = [&](std::uint64_t x) {
    return x > 0 && x < static_cast<std::uint64_t>(options.threshold);
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    const Attribute& g = attributes[l.attribute];
    const std::size_t row = b.row();
    b.text(g.label);
    b.text(g.groups[l.group]);
    const auto cn = b.count(l.n);
    const auto ck = b.count(l.k);
    b.complement(row, ck, cn);
    persons_line[l.attribute].emplace_back(row, cn);
    listed_line[l.attribute].emplace_back(row, ck);
    b.share(l.k, l.n, {cn, ck});
    const RateInterval w = wilson_interval(l.k, l.n);
    b.number(w.low, {cn, ck});
    b.number(w.high, {cn, ck});
    b.number(l.places ? l.score_sum / static_cast<double>(l.places) : NAN, {ck});
    b.number(l.n ? static_cast<double>(l.places) / static_cast<double>(l.n) : NAN, {cn, ck});
    b.text(g.groups[l.reference]);
    const bool is_reference = l.group == l.reference;
    const bool reference_small = small(l.n0) || small(l.k0) || small(l.n0 - l.k0);
    const RatioEstimate ratio =
        is_reference ? RatioEstimate{1, NAN, NAN} : rate_ratio_katz(l.k, l.n, l.k0, l.n0);
    b.number(reference_small ? NAN : ratio.ratio, {cn, ck});
    b.number(reference_small ? NAN : ratio.low, {cn, ck});
    b.number(reference_small ? NAN : ratio.high, {cn, ck});
    b.number(l.p, {cn, ck});
    b.number(holm[i], {cn, ck});
    b.number(bh[i], {cn, ck});
    const bool outside = std::isfinite(ratio.ratio) && (ratio.ratio < 0.8 || ratio.ratio > 1.25);
    auto flag = [&](bool on) {
      b.text(is_reference ? "—" : on ? tr("oui", "yes") : tr("non", "no"));
    };
    flag(outside && !reference_small);
    flag(std::isfinite(holm[i]) && holm[i] < 0.05);
    const bool significant = std::isfinite(bh[i]) && bh[i] < 0.05;
    flag(significant);
    if (!is_reference && outside && significant && !reference_small &&
        !run.criteria_names.empty()) {
      // Does the gap persist among persons whose matching criteria are the same?
      std::unordered_map<std::string, std::size_t> stratum_of;
      std::vector<Stratum> strata;
      for (std::size_t i_p = 0; i_p < run.persons.size(); ++i_p) {
        const std::int32_t code = g.of_person[i_p];
        if (code == kNull) continue;
        const bool in_group = static_cast<std::size_t>(code) == l.group;
        if (!in_group && static_cast<std::size_t>(code) != l.reference) continue;
        const MatchRun::Person& person = run.persons[i_p];
        if (person.criteria.empty()) continue;  // no profile: not compared
        std::string key;
        for (std::size_t c = 0; c < person.criteria.size(); ++c)
          if (static_cast<int>(c) != g.criterion) (key += person.criteria[c]) += '\x1f';
        const auto [it, added] = stratum_of.emplace(std::move(key), strata.size());
        if (added) strata.emplace_back();
        Stratum& st = strata[it->second];
        if (in_group) {
          ++st.n1;
          st.k1 += person.listed > 0;
        } else {
          ++st.n0;
          st.k0 += person.listed > 0;
        }
      }
      std::uint64_t matched = 0;
      for (const Stratum& st : strata)
        if (st.n1 && st.n0) matched += st.n1;
      const double mh = mantel_haenszel_ratio(strata);
      const double crude = std::log(ratio.ratio);
      double persisting = std::isfinite(mh) && mh > 0 && crude != 0 ? std::log(mh) / crude : NAN;
      if (std::isfinite(persisting)) persisting = std::clamp(persisting, 0.0, 1.0);
      b.number(persisting, {cn, ck});
      b.share(matched, l.n, {cn, ck});
    } else {
      b.number(NAN);
      b.number(NAN);
    }
  }
  for (auto& [a, cells] : persons_line) b.line(cells);
  for (auto& [a, cells] : listed_line) b.line(cells);
  ReportTable table = b.finish(options.threshold);
  // A flag says something of its ratio: hidden with it.
  for (auto& row : table.rows)
    if (row[10].suppressed)
      for (std::size_t col = 16; col < row.size(); ++col) row[col].suppressed = true;
  tables.push_back(std::move(table));
}

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
