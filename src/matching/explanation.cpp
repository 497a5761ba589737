#include "aiguillage/matching/explanation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include <nlohmann/json.hpp>

#include "matching/score_json.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::ordered_json;

bool is_en(ExplanationLanguage l) {
  return l == ExplanationLanguage::en;
}

// Fixed formatting: two decimals, a decimal comma in French, never "-0.00".
std::string num(double v, ExplanationLanguage lang, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  if (!is_en(lang))
    for (char& c : s)
      if (c == '.') c = ',';
  return s;
}

std::string signed_num(double v, ExplanationLanguage lang) {
  std::string s = num(v, lang);
  return s[0] == '-' ? s : "+" + s;
}

std::string percent(double v, ExplanationLanguage lang) {
  return num(100.0 * v, lang, 0) + (is_en(lang) ? "%" : " %");
}

std::string ordinal(std::size_t n, ExplanationLanguage lang) {
  const std::string d = std::to_string(n);
  if (!is_en(lang)) return d + (n == 1 ? "re" : "e");
  const std::size_t t = n % 100;
  if (t >= 11 && t <= 13) return d + "th";
  switch (n % 10) {
    case 1:
      return d + "st";
    case 2:
      return d + "nd";
    case 3:
      return d + "rd";
    default:
      return d + "th";
  }
}

std::string quoted(const std::string& s, ExplanationLanguage lang) {
  return is_en(lang) ? "\"" + s + "\"" : "« " + s + " »";
}

std::string term_label(ScoreTermKind k, ExplanationLanguage lang) {
  const bool en = is_en(lang);
  switch (k) {
    case ScoreTermKind::required_competences:
      return en ? "required competences" : "compétences exigées";
    case ScoreTermKind::desired_competences:
      return en ? "desired competences" : "compétences souhaitées";
    case ScoreTermKind::project_fit:
      return en ? "your project" : "votre projet";
    case ScoreTermKind::experience:
      return en ? "experience" : "expérience";
    case ScoreTermKind::diploma:
      return en ? "diploma" : "diplôme";
    case ScoreTermKind::languages:
      return en ? "languages" : "langues";
    case ScoreTermKind::licences:
      return en ? "licences" : "permis";
    case ScoreTermKind::distance:
      return "distance";  // the same word in both languages
    case ScoreTermKind::contract:
      return en ? "contract and working time" : "contrat et temps de travail";
  }
  return "";
}

std::string constraint_text(const std::string& code, ExplanationLanguage lang) {
  const bool en = is_en(lang);
  if (code == "licence_missing")
    return en ? "a required licence is missing" : "un permis exigé manque";
  if (code == "diploma_missing")
    return en ? "the required diploma level is not reached"
              : "le niveau de diplôme exigé n'est pas atteint";
  if (code == "distance_exceeded")
    return en ? "beyond your maximum distance" : "au-delà de votre distance maximale";
  return code;
}

// What the end of a referential step is to its start, in words.
std::string edge_text(CreditEdge edge, ExplanationLanguage lang) {
  const bool en = is_en(lang);
  switch (edge) {
    case CreditEdge::to_macro_competence:
      return en ? "its macro-competence" : "sa macro-compétence";
    case CreditEdge::from_macro_competence:
      return en ? "a competence of that macro-competence"
                : "une compétence de cette macro-compétence";
    case CreditEdge::esco_broader:
      return en ? "a broader skill" : "une compétence plus large";
    case CreditEdge::esco_narrower:
      return en ? "a narrower skill" : "une compétence plus précise";
    case CreditEdge::esco_related:
      return en ? "a related skill" : "une compétence apparentée";
    case CreditEdge::core_of_fiche:
      return en ? "an occupation it is core to" : "un métier dont elle est le cœur";
    case CreditEdge::mobility:
      return en ? "an occupation of its mobility" : "un métier de mobilité";
    case CreditEdge::core_item_of_fiche:
      return en ? "a core competence of that occupation" : "une compétence cœur de ce métier";
  }
  return "";
}

CohortRank rank_in(CohortKind kind, bool excluded, double score, const std::string& id,
                   const std::vector<std::tuple<bool, double, std::string>>& others) {
  CohortRank r;
  r.kind = kind;
  r.size = others.size() + 1;
  for (const auto& [x, s, i] : others)
    if (ranks_before(x, s, i, excluded, score, id)) ++r.rank;
  return r;
}

bool better(const Score& a, const Score& b) {  // a strictly improves on b
  if (a.excluded != b.excluded) return !a.excluded;
  return a.score > b.score;
}

struct Candidate {
  Counterfactual change;
  Score score;
};

// Every change the person could make that the offer asks for, in a fixed order.
std::vector<Counterfactual> candidate_changes(const Profile& profile, const Offer& offer,
                                              const Score& s, const Referential& referential,
                                              const ExplainOptions& options) {
  std::vector<Counterfactual> out;
  for (const CompetenceCover& c : s.competences) {
    if (c.unknown_code || c.requirement != Requirement::required || c.value >= 1) continue;
    const OfferCompetence& oc = offer.competences[c.offer_index];
    Counterfactual ch;
    ch.kind = ChangeKind::add_competence;
    ch.code = oc.code;
    ch.label = !oc.label.empty() ? oc.label : referential.item(oc.item).label;
    ch.evidence = options.competence_evidence;
    out.push_back(std::move(ch));
  }
  // A licence already held is not proposed: held ones are recognised by re-scoring, since the
  // scorer compares licences by their code.
  for (const OfferCondition& l : offer.licences) {
    Counterfactual ch;
    ch.kind = ChangeKind::add_licence;
    ch.code = l.label;
    ch.label = l.label;
    out.push_back(std::move(ch));
  }
  int best = 0;
  for (const auto& d : profile.diplomas) best = std::max(best, d.level);
  for (const OfferFormation& f : offer.formations) {
    if (f.level <= best) continue;
    Counterfactual ch;
    ch.kind = ChangeKind::add_diploma;
    ch.code = f.level_label;
    ch.label = f.level_label;
    ch.diploma_level = f.level;
    out.push_back(std::move(ch));
  }
  if (s.distance_km && profile.max_distance_km && *s.distance_km > *profile.max_distance_km) {
    Counterfactual ch;
    ch.kind = ChangeKind::widen_distance;
    const double step = options.distance_step_km > 0 ? options.distance_step_km : 1;
    ch.max_distance_km = std::ceil(*s.distance_km / step) * step;
    if (ch.max_distance_km < *s.distance_km) ch.max_distance_km += step;
    out.push_back(std::move(ch));
  }
  return out;
}

void fill(MatchExplanation& e, const Profile& profile, const Offer& offer, const Score& s,
          const Referential& referential, const ScoringConfig& config,
          const ExplainOptions& options) {
  e.profile_id = profile.id;
  e.offer_id = offer.id;
  e.offer_title = offer.title;
  e.offer_rome = offer.rome_code;
  e.scoring_id = config.id;
  e.scoring_version = config.version;
  e.score = s.score;
  e.intercept = s.intercept;
  e.excluded = s.excluded;
  e.terms = s.terms;
  e.penalties = s.penalties;
  e.reason_codes = s.reasons;
  for (const auto& r : s.reasons)
    if (r == "licence_missing" || r == "diploma_missing" || r == "distance_exceeded")
      e.constraints.push_back(r);
  e.distance_km = s.distance_km;
  e.max_distance_km = profile.max_distance_km;
  e.mobility_steps = s.mobility_steps;
  e.offer_experience = offer.experience;
  auto node = [&](const CreditNode& n) -> std::pair<std::string, std::string> {
    if (n.is_occupation) {
      const Occupation& o = referential.occupation(n.id);
      return {o.code, o.label};
    }
    const Item& i = referential.item(n.id);
    return {i.code, i.label};
  };
  for (const CompetenceCover& c : s.competences) {
    const OfferCompetence& oc = offer.competences[c.offer_index];
    ExplainedCompetence x;
    x.code = oc.code;
    x.label = oc.label;
    if (x.label.empty() && oc.item != kNoId) x.label = referential.item(oc.item).label;
    x.requirement = c.requirement;
    x.unknown_code = c.unknown_code;
    x.credit = c.credit.value;
    x.evidence = c.evidence;
    x.value = c.value;
    x.coverage = c.unknown_code           ? Coverage::unknown_code
                 : c.credit.from == kNoId ? Coverage::missing
                 : c.credit.path.empty()  ? Coverage::held
                                          : Coverage::related;
    if (c.credit.from != kNoId) {
      std::tie(x.held_code, x.held_label) = node(CreditNode{false, c.credit.from});
      for (const CreditStep& st : c.credit.path) {
        ExplainedStep step;
        step.edge = st.kind;
        std::tie(step.from_code, step.from_label) = node(st.from);
        std::tie(step.to_code, step.to_label) = node(st.to);
        step.factor = st.factor;
        x.path.push_back(std::move(step));
      }
    }
    e.competences.push_back(std::move(x));
  }
  for (const auto& u : offer.unknown) e.unknown.push_back({"offer", u.pointer, u.code});
  for (const auto& u : profile.unknown) e.unknown.push_back({"profile", u.pointer, u.code});
  e.reasons = principal_reasons(s, options.max_reasons);
}

// The best single change for this pair, by re-scoring; nullopt when none improves the score.
std::optional<Candidate> best_change(const Profile& profile, const Offer& offer, const Score& s,
                                     const Referential& referential, const ScoringConfig& config,
                                     const ExplainOptions& options) {
  std::optional<Candidate> best;
  for (Counterfactual& ch : candidate_changes(profile, offer, s, referential, options)) {
    Score ns = score(apply_change(profile, ch, referential), offer, referential, config);
    if (!better(ns, best ? best->score : s)) continue;
    best = Candidate{std::move(ch), std::move(ns)};
  }
  return best;
}

void set_change(MatchExplanation& e, Candidate&& c, CohortRank after, std::size_t top) {
  c.change.score_before = e.score;
  c.change.excluded_before = e.excluded;
  c.change.score_after = c.score.score;
  c.change.excluded_after = c.score.excluded;
  c.change.rank_before = e.rank;
  c.change.rank_after = after;
  c.change.top = top;
  e.counterfactual = std::move(c.change);
}

std::string header_text(const MatchExplanation& e, ExplanationLanguage lang) {
  const bool en = is_en(lang);
  std::string out;
  if (en)
    out += "Offer " + e.offer_id + " " + quoted(e.offer_title, lang) + " (" + e.offer_rome +
           ") for profile " + e.profile_id + "\n";
  else
    out += "Offre " + e.offer_id + " " + quoted(e.offer_title, lang) + " (" + e.offer_rome +
           ") pour le profil " + e.profile_id + "\n";
  const bool offers = e.rank.kind == CohortKind::offers_for_profile;
  out += "Score " + num(e.score, lang) + " — " + ordinal(e.rank.rank, lang) +
         (en ? " of " : " sur ") + std::to_string(e.rank.size) + " " +
         (offers ? (en ? "offers" : "offres") : (en ? "candidates" : "candidatures")) + "\n";
  if (!e.constraints.empty()) {
    out += en ? (e.excluded ? "Excluded: " : "Hard constraints: ")
              : (e.excluded ? "Exclue : " : "Contraintes : ");
    for (std::size_t i = 0; i < e.constraints.size(); ++i)
      out +=
          (i ? "; " : "") + constraint_text(e.constraints[i], lang) + " (" + e.constraints[i] + ")";
    out += "\n";
  }
  return out;
}

std::string counterfactual_text(const MatchExplanation& e, ExplanationLanguage lang) {
  const bool en = is_en(lang);
  if (!e.counterfactual)
    return en ? "No change to your competences, licences, diplomas or distance would raise this "
                "score.\n"
              : "Aucun changement de vos compétences, permis, diplômes ou distance n'élèverait ce "
                "score.\n";
  const Counterfactual& c = *e.counterfactual;
  std::string what;
  switch (c.kind) {
    case ChangeKind::add_competence:
      what = en ? "with the competence " + quoted(c.label, lang) + " (" + c.code + ", " +
                      std::string(evidence_name(c.evidence)) + ")"
                : "avec la compétence " + quoted(c.label, lang) + " (" + c.code + ", " +
                      std::string(c.evidence == Evidence::certified   ? "certifiée"
                                  : c.evidence == Evidence::validated ? "validée par un conseiller"
                                                                      : "déclarée") +
                      ")";
      break;
    case ChangeKind::add_licence:
      what = en ? "with the licence " + quoted(c.label, lang)
                : "avec le permis " + quoted(c.label, lang);
      break;
    case ChangeKind::add_diploma:
      what =
          en ? "with a diploma of level " + std::to_string(c.diploma_level) + " (" + c.label + ")"
             : "avec un diplôme de niveau " + std::to_string(c.diploma_level) + " (" + c.label +
                   ")";
      break;
    case ChangeKind::widen_distance:
      what = en ? "if you accepted to travel up to " + num(c.max_distance_km, lang, 0) + " km"
                : "si vous acceptiez de vous déplacer jusqu'à " + num(c.max_distance_km, lang, 0) +
                      " km";
      break;
  }
  const bool offers = c.rank_after.kind == CohortKind::offers_for_profile;
  std::string out = en ? "What would change it most: " : "Ce qui changerait le plus : ";
  out += what + (en ? ", the score would rise from " : ", le score passerait de ") +
         num(c.score_before, lang) + (en ? " to " : " à ") + num(c.score_after, lang);
  const bool unexcluded = c.excluded_before && !c.excluded_after;
  const bool enters_top = offers && c.rank_after.rank <= c.top && c.rank_before.rank > c.top;
  if (unexcluded)
    out += en ? " and the offer would no longer be excluded" : " et l'offre ne serait plus exclue";
  if (enters_top)
    out += std::string(unexcluded ? (en ? " and would enter your top " : " et entrerait dans vos ")
                                  : (en ? " and the offer would enter your top "
                                        : " et l'offre entrerait dans vos ")) +
           std::to_string(c.top) + (en ? "" : " premières");
  out += en ? " (rank " : " (rang ";
  out += std::to_string(c.rank_before.rank) + " → " + std::to_string(c.rank_after.rank) +
         (en ? " of " : " sur ") + std::to_string(c.rank_after.size) + ").\n";
  return out;
}

}  // namespace

bool ranks_before(bool excluded_a, double score_a, std::string_view id_a, bool excluded_b,
                  double score_b, std::string_view id_b) noexcept {
  if (excluded_a != excluded_b) return !excluded_a;
  if (score_a != score_b) return score_a > score_b;
  return id_a < id_b;
}

std::string_view change_kind_name(ChangeKind kind) noexcept {
  switch (kind) {
    case ChangeKind::add_competence:
      return "add_competence";
    case ChangeKind::add_licence:
      return "add_licence";
    case ChangeKind::add_diploma:
      return "add_diploma";
    case ChangeKind::widen_distance:
      return "widen_distance";
  }
  return "";
}

std::vector<MatchReason> principal_reasons(const Score& score, std::size_t max_reasons) {
  std::vector<MatchReason> all;
  for (const ScoreTerm& t : score.terms)
    if (t.contribution != 0)
      all.push_back(
          {false, t.kind, std::string(score_term_name(t.kind)), t.feature, t.contribution});
  for (const Penalty& p : score.penalties)
    if (p.contribution != 0) all.push_back({true, {}, p.reason, 0, p.contribution});
  // Stable: equal impacts keep the term order, penalties after terms.
  std::stable_sort(all.begin(), all.end(), [](const MatchReason& a, const MatchReason& b) {
    return std::fabs(a.contribution) > std::fabs(b.contribution);
  });
  if (all.size() > max_reasons) all.resize(max_reasons);
  return all;
}

std::string reason_text(const MatchReason& r, const MatchExplanation& e, ExplanationLanguage lang) {
  const bool en = is_en(lang);
  std::string what;
  if (r.penalty) {
    what = constraint_text(r.name, lang) + (en ? " (penalty)" : " (pénalité)");
  } else {
    switch (r.term) {
      case ScoreTermKind::required_competences:
      case ScoreTermKind::desired_competences:
        what = term_label(r.term, lang) + (en ? " covered at " : " couvertes à ") +
               percent(r.feature, lang);
        break;
      case ScoreTermKind::project_fit:
        if (e.mobility_steps && *e.mobility_steps == 0)
          what = en ? "the occupation is part of your project"
                    : "le métier fait partie de votre projet";
        else if (e.mobility_steps)
          what = en ? "the occupation is " + std::to_string(*e.mobility_steps) +
                          " mobility step(s) from your project"
                    : "le métier est à " + std::to_string(*e.mobility_steps) +
                          " pas de mobilité de votre projet";
        else
          what =
              en ? "the occupation is outside your project" : "le métier est hors de votre projet";
        break;
      case ScoreTermKind::experience:
        if (e.offer_experience == ExperienceRequirement::beginner_accepted) {
          what = en ? "beginners accepted" : "débutant accepté";
          break;
        }
        what = en ? "experience: " + percent(r.feature, lang) + " of what is asked"
                  : "expérience : " + percent(r.feature, lang) + " de ce qui est demandé";
        break;
      case ScoreTermKind::diploma:
        what = r.feature >= 1
                   ? (en ? "diploma level reached" : "niveau de diplôme atteint")
                   : (en ? "diploma level not reached" : "niveau de diplôme non atteint");
        break;
      case ScoreTermKind::languages:
      case ScoreTermKind::licences:
        what = term_label(r.term, lang) + (en ? ": " : " : ") + percent(r.feature, lang) +
               (en ? " of those asked" : " de ceux demandés");
        break;
      case ScoreTermKind::distance:
        if (e.distance_km)
          what = (en ? "at " : "à ") + num(*e.distance_km, lang, 1) + " km" +
                 (e.max_distance_km ? (en ? " (your maximum " : " (votre maximum ") +
                                          num(*e.max_distance_km, lang, 0) + " km)"
                                    : std::string());
        else
          what = "distance";  // the same word in both languages
        break;
      case ScoreTermKind::contract:
        what = r.feature >= 1 ? (en ? "contract type and working time accepted"
                                    : "type de contrat et temps de travail acceptés")
                              : (en ? "contract type or working time partly accepted"
                                    : "type de contrat ou temps de travail acceptés en partie");
        break;
    }
  }
  return what + " (" + signed_num(r.contribution, lang) + ")";
}

Profile apply_change(const Profile& profile, const Counterfactual& change,
                     const Referential& referential) {
  Profile p = profile;
  switch (change.kind) {
    case ChangeKind::add_competence: {
      ProfileCompetence c;
      c.code = change.code;
      c.evidence = change.evidence;
      c.item = referential.find_item(change.code);
      p.competences.push_back(std::move(c));
      break;
    }
    case ChangeKind::add_licence:
      p.licences.push_back(change.code);
      break;
    case ChangeKind::add_diploma:
      p.diplomas.push_back({change.label, change.diploma_level});
      break;
    case ChangeKind::widen_distance:
      p.max_distance_km = change.max_distance_km;
      break;
  }
  return p;
}

MatchExplanation explain_match(const Profile& profile, const Offer& offer,
                               const Referential& referential, const ScoringConfig& config,
                               std::span<const Offer> cohort, const ExplainOptions& options) {
  MatchExplanation e;
  const Score s = score(profile, offer, referential, config);
  fill(e, profile, offer, s, referential, config, options);
  std::vector<const Offer*> others;
  for (const Offer& o : cohort)
    if (o.id != offer.id) others.push_back(&o);
  auto rank_of = [&](const Profile& p, const Score& own) {
    std::vector<std::tuple<bool, double, std::string>> scored;
    scored.reserve(others.size());
    for (const Offer* o : others) {
      Score x = score(p, *o, referential, config);
      scored.emplace_back(x.excluded, x.score, o->id);
    }
    return rank_in(CohortKind::offers_for_profile, own.excluded, own.score, offer.id, scored);
  };
  e.rank = rank_of(profile, s);
  if (auto c = best_change(profile, offer, s, referential, config, options)) {
    // The change also moves the person's other offers: the whole cohort is re-scored.
    const CohortRank after = rank_of(apply_change(profile, c->change, referential), c->score);
    set_change(e, std::move(*c), after, options.top);
  }
  return e;
}

MatchExplanation explain_match(const Profile& profile, const Offer& offer,
                               const Referential& referential, const ScoringConfig& config,
                               std::span<const Profile> cohort, const ExplainOptions& options) {
  MatchExplanation e;
  const Score s = score(profile, offer, referential, config);
  fill(e, profile, offer, s, referential, config, options);
  std::vector<std::tuple<bool, double, std::string>> scored;
  for (const Profile& p : cohort) {
    if (p.id == profile.id) continue;
    Score x = score(p, offer, referential, config);
    scored.emplace_back(x.excluded, x.score, p.id);
  }
  e.rank = rank_in(CohortKind::profiles_for_offer, s.excluded, s.score, profile.id, scored);
  if (auto c = best_change(profile, offer, s, referential, config, options)) {
    // The other persons' scores for this offer do not depend on this person's change.
    const CohortRank after = rank_in(CohortKind::profiles_for_offer, c->score.excluded,
                                     c->score.score, profile.id, scored);
    set_change(e, std::move(*c), after, options.top);
  }
  return e;
}

MatchExplanation explain_pair(const Profile& profile, const Offer& offer,
                              const Referential& referential, const ScoringConfig& config,
                              const PairContext& context, const ExplainOptions& options) {
  MatchExplanation e;
  std::optional<Score> own;
  if (!context.score) own = score(profile, offer, referential, config);
  const Score& s = context.score ? *context.score : *own;
  fill(e, profile, offer, s, referential, config, options);
  e.rank = context.rank;
  if (auto c = best_change(profile, offer, s, referential, config, options)) {
    const CohortRank after =
        context.rank_after
            ? context.rank_after(apply_change(profile, c->change, referential), c->score)
            : context.rank;
    set_change(e, std::move(*c), after, options.top);
  }
  return e;
}

std::string_view coverage_name(Coverage coverage) noexcept {
  switch (coverage) {
    case Coverage::held:
      return "held";
    case Coverage::related:
      return "related";
    case Coverage::missing:
      return "missing";
    case Coverage::unknown_code:
      return "unknown_code";
  }
  return "";
}

std::string MatchExplanation::employer_text(ExplanationLanguage lang) const {
  const bool en = is_en(lang);
  std::string out;
  out += (en ? "Offer " : "Offre ") + quoted(offer_title, lang) +
         (en ? ", candidate " : ", candidature ") + profile_id + (en ? ": score " : " : score ") +
         num(score, lang);
  if (rank.size > 1)
    out += " — " + ordinal(rank.rank, lang) + (en ? " of " : " sur ") + std::to_string(rank.size);
  out += "\n";
  if (!constraints.empty()) {
    out += en ? (excluded ? "Excluded: " : "Hard constraints: ")
              : (excluded ? "Exclue : " : "Contraintes : ");
    for (std::size_t i = 0; i < constraints.size(); ++i)
      out += (i ? "; " : "") + constraint_text(constraints[i], lang);
    out += "\n";
  }
  const Coverage order[] = {Coverage::held, Coverage::related, Coverage::missing,
                            Coverage::unknown_code};
  for (Coverage kind : order) {
    std::string lines;
    for (const ExplainedCompetence& c : competences) {
      if (c.coverage != kind) continue;
      const std::string label = c.label.empty() ? c.code : c.label;
      lines += "  - " + quoted(label, lang) + " (" +
               (c.requirement == Requirement::required ? (en ? "required" : "exigée")
                                                       : (en ? "desired" : "souhaitée"));
      lines += ")";
      if (kind == Coverage::related) {
        lines += (en ? ", worth " : ", comptée à ") + percent(c.value, lang) +
                 (en ? ", through " : ", par ") + quoted(c.held_label, lang);
        for (const ExplainedStep& st : c.path)
          lines += " → " + quoted(st.to_label, lang) + " (" + edge_text(st.edge, lang) + ")";
      }
      lines += "\n";
    }
    if (lines.empty()) continue;
    switch (kind) {
      case Coverage::held:
        out += en ? "Competences of the offer the person holds:\n"
                  : "Compétences de l'offre que la personne détient :\n";
        break;
      case Coverage::related:
        out += en ? "Held through a related competence (referential path):\n"
                  : "Détenues par une compétence voisine (chemin du référentiel) :\n";
        break;
      case Coverage::missing:
        out += en ? "Missing:\n" : "Manquantes :\n";
        break;
      case Coverage::unknown_code:
        out += en ? "Not in the referential (shown, not counted):\n"
                  : "Absentes du référentiel (affichées, non comptées) :\n";
        break;
    }
    out += lines;
  }
  if (competences.empty())
    out += en ? "The offer names no competence.\n" : "L'offre ne cite aucune compétence.\n";
  return out;
}

std::string MatchExplanation::summary_text(ExplanationLanguage lang) const {
  const bool en = is_en(lang);
  std::string out = header_text(*this, lang);
  out += en ? "Principal reasons:\n" : "Principales raisons :\n";
  if (reasons.empty())
    out += en ? "  (none: every term is zero)\n" : "  (aucune : tous les termes sont nuls)\n";
  for (std::size_t i = 0; i < reasons.size(); ++i)
    out += "  " + std::to_string(i + 1) + ". " + reason_text(reasons[i], *this, lang) + "\n";
  out += counterfactual_text(*this, lang);
  return out;
}

std::string MatchExplanation::to_text(ExplanationLanguage lang) const {
  const bool en = is_en(lang);
  std::string out = summary_text(lang);
  if (!unknown.empty()) {
    out += en ? "Codes unknown to the referential (shown, not matched):\n"
              : "Codes inconnus du référentiel (affichés, non appariés) :\n";
    for (const auto& u : unknown)
      out += "  " +
             std::string(u.document == "offer" ? (en ? "offer" : "offre")
                                               : (en ? "profile" : "profil")) +
             " " + u.pointer + " " + u.code + "\n";
  }
  out += en ? "Terms (weight × value = contribution):\n"
            : "Termes (poids × valeur = contribution) :\n";
  char line[256];
  for (const ScoreTerm& t : terms) {
    std::snprintf(line, sizeof line, "  %-22s %s × %s = %s\n",
                  std::string(score_term_name(t.kind)).c_str(), num(t.weight, lang, 4).c_str(),
                  num(t.feature, lang, 4).c_str(), num(t.contribution, lang, 4).c_str());
    out += line;
  }
  for (const Penalty& p : penalties)
    out += "  " + std::string(en ? "penalty " : "pénalité ") + p.reason + " " +
           num(p.contribution, lang, 4) + "\n";
  out += "  " + std::string(en ? "intercept " : "constante ") + num(intercept, lang, 4) + "\n";
  out += "  " + std::string("score ") + num(score, lang, 4) + "\n";
  if (!competences.empty())
    out += en ? "Competences of the offer:\n" : "Compétences de l'offre :\n";
  for (const ExplainedCompetence& c : competences) {
    out += std::string("  [") + (c.requirement == Requirement::required ? "E" : "S") + "] " +
           c.code + " " + quoted(c.label, lang) + (en ? ": " : " : ");
    if (c.unknown_code) {
      out += en ? "unknown code, not counted\n" : "code inconnu, non compté\n";
      continue;
    }
    if (c.held_code.empty()) {
      out += en ? "not covered (0)\n" : "non couverte (0)\n";
      continue;
    }
    out += num(c.value, lang, 4) + " = " + (en ? "credit " : "crédit ") + num(c.credit, lang, 4) +
           " × " + (en ? "evidence " : "preuve ") + num(c.evidence, lang, 2) +
           (en ? ", from " : ", depuis ") + c.held_code;
    for (const ExplainedStep& st : c.path)
      out += " -[" + std::string(credit_edge_name(st.edge)) + " ×" + num(st.factor, lang, 2) +
             "]-> " + st.to_code;
    out += "\n";
  }
  return out;
}

std::string MatchExplanation::to_json(ExplanationLanguage lang) const {
  Json j = Json::object();
  j["schema"] = "aiguillage.match_explanation";
  j["schema_version"] = "1.1";
  j["profile_id"] = profile_id;
  j["offer_id"] = offer_id;
  j["offer_title"] = offer_title;
  j["offer_rome"] = offer_rome;
  j["scoring"] = {{"id", scoring_id}, {"version", scoring_version}};
  j["score"] = score;
  j["excluded"] = excluded;
  j["cohort"] = {{"kind", rank.kind == CohortKind::offers_for_profile ? "offers_for_profile"
                                                                      : "profiles_for_offer"},
                 {"rank", rank.rank},
                 {"size", rank.size}};
  j["constraints"] = constraints;
  j["reason_codes"] = reason_codes;
  j["reasons"] = detail::reasons_json(reasons, this, lang);
  if (counterfactual) {
    const Counterfactual& c = *counterfactual;
    Json cj = Json::object();
    cj["change"] = change_kind_name(c.kind);
    cj["code"] = c.code;
    cj["label"] = c.label;
    if (c.kind == ChangeKind::add_competence) cj["evidence"] = evidence_name(c.evidence);
    if (c.kind == ChangeKind::add_diploma) cj["diploma_level"] = c.diploma_level;
    if (c.kind == ChangeKind::widen_distance) cj["max_distance_km"] = c.max_distance_km;
    cj["score_before"] = c.score_before;
    cj["score_after"] = c.score_after;
    cj["excluded_before"] = c.excluded_before;
    cj["excluded_after"] = c.excluded_after;
    cj["rank_before"] = c.rank_before.rank;
    cj["rank_after"] = c.rank_after.rank;
    cj["cohort_size"] = c.rank_after.size;
    std::string t = counterfactual_text(*this, lang);
    if (!t.empty() && t.back() == '\n') t.pop_back();
    cj["text"] = t;
    j["counterfactual"] = cj;
  } else {
    j["counterfactual"] = nullptr;
  }
  j["terms"] = detail::score_terms_json(terms);
  j["penalties"] = detail::penalties_json(penalties);
  j["intercept"] = intercept;
  Json comp = Json::array();
  for (const ExplainedCompetence& c : competences) {
    Json cj = Json::object();
    cj["code"] = c.code;
    cj["label"] = c.label;
    cj["requirement"] = c.requirement == Requirement::required ? "required" : "desired";
    cj["unknown_code"] = c.unknown_code;
    cj["value"] = c.value;
    cj["credit"] = c.credit;
    cj["evidence"] = c.evidence;
    cj["held"] = c.held_code.empty() ? Json(nullptr) : Json(c.held_code);
    Json path = Json::array();
    for (const ExplainedStep& st : c.path)
      path.push_back({{"edge", credit_edge_name(st.edge)},
                      {"from", st.from_code},
                      {"to", st.to_code},
                      {"to_label", st.to_label},
                      {"factor", st.factor},
                      {"from_label", st.from_label}});
    cj["path"] = path;
    cj["coverage"] = coverage_name(c.coverage);
    cj["held_label"] = c.held_code.empty() ? Json(nullptr) : Json(c.held_label);
    comp.push_back(cj);
  }
  j["competences"] = comp;
  j["distance_km"] = distance_km ? Json(*distance_km) : Json(nullptr);
  j["max_distance_km"] = max_distance_km ? Json(*max_distance_km) : Json(nullptr);
  j["mobility_steps"] = mobility_steps ? Json(*mobility_steps) : Json(nullptr);
  Json unk = Json::array();
  for (const auto& u : unknown)
    unk.push_back({{"document", u.document}, {"pointer", u.pointer}, {"code", u.code}});
  j["unknown_codes"] = unk;
  return j.dump();
}

}  // namespace v1
}  // namespace aiguillage
