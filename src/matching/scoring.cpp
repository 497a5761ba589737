#include "aiguillage/matching/scoring.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "aiguillage/matching/retrieval.hpp"
#include "matching/document_fields.hpp"
#include "matching/profile_tables.hpp"

namespace aiguillage {
inline namespace v1 {

using detail::child;
using detail::json;

std::string_view score_term_name(ScoreTermKind kind) noexcept {
  switch (kind) {
    case ScoreTermKind::required_competences:
      return "required_competences";
    case ScoreTermKind::desired_competences:
      return "desired_competences";
    case ScoreTermKind::project_fit:
      return "project_fit";
    case ScoreTermKind::experience:
      return "experience";
    case ScoreTermKind::diploma:
      return "diploma";
    case ScoreTermKind::languages:
      return "languages";
    case ScoreTermKind::licences:
      return "licences";
    case ScoreTermKind::distance:
      return "distance";
    case ScoreTermKind::contract:
      return "contract";
  }
  return "";
}

double haversine_km(double lat1, double lon1, double lat2, double lon2) {
  return haversine_km(GeoPoint{lat1, lon1}, GeoPoint{lat2, lon2});
}

namespace {

double finite_number(const json& obj, std::string_view key, const std::string& pointer,
                     double fallback, double min, double max) {
  return detail::opt_number(obj, key, pointer, min, max).value_or(fallback);
}

ConstraintRule parse_rule(const json& obj, const std::string& p, ConstraintRule rule,
                          bool lenient) {
  detail::check_keys(obj, {"policy", "penalty"}, p, lenient);
  const std::string policy = detail::opt_string(obj, "policy", p);
  if (policy == "exclude")
    rule.policy = ConstraintPolicy::exclude;
  else if (policy == "penalise")
    rule.policy = ConstraintPolicy::penalise;
  else if (policy == "ignore")
    rule.policy = ConstraintPolicy::ignore;
  else if (!policy.empty())
    throw Error(ErrorCode::enum_value, "\"policy\" is \"exclude\", \"penalise\" or \"ignore\"",
                child(p, "policy"));
  rule.penalty = finite_number(obj, "penalty", p, rule.penalty, -1e6, 0);
  return rule;
}

// Licence labels compare by their code: "B - Véhicule léger" and "b" are the same licence.
std::string licence_key(std::string_view label) {
  auto dash = label.find(" - ");
  if (dash != std::string_view::npos) label = label.substr(0, dash);
  while (!label.empty() && label.front() == ' ') label.remove_prefix(1);
  while (!label.empty() && label.back() == ' ') label.remove_suffix(1);
  std::string out(label);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void add_reason(Score& s, const std::string& r) {
  if (std::find(s.reasons.begin(), s.reasons.end(), r) == s.reasons.end()) s.reasons.push_back(r);
}

void apply(Score& s, const ConstraintRule& rule, const std::string& reason) {
  add_reason(s, reason);
  if (rule.policy == ConstraintPolicy::exclude) s.excluded = true;
  if (rule.policy == ConstraintPolicy::penalise) s.penalties.push_back({reason, rule.penalty});
}

}  // namespace

ScoringConfig parse_scoring(std::string_view json_text) {
  const json doc = detail::parse_document(json_text);
  const int minor = detail::check_schema_header(doc, "aiguillage.scoring", 1, 0);
  const bool lenient = minor > 0;
  detail::check_keys(doc,
                     {"schema", "schema_version", "id", "version", "description", "intercept",
                      "weights", "credit", "evidence", "project", "distance", "constraints"},
                     "", lenient);
  ScoringConfig c;
  c.id = detail::req_string(doc, "id", "");
  c.version = detail::req_string(doc, "version", "");
  c.intercept = finite_number(doc, "intercept", "", c.intercept, -1e6, 1e6);
  if (const json* w = detail::opt_object(doc, "weights", "")) {
    for (auto it = w->begin(); it != w->end(); ++it) {
      bool known = false;
      for (std::size_t k = 0; k < kScoreTermCount; ++k)
        if (it.key() == score_term_name(static_cast<ScoreTermKind>(k))) {
          c.weights[k] = finite_number(*w, it.key(), "/weights", c.weights[k], -1e6, 1e6);
          known = true;
        }
      if (!known && !lenient)
        throw Error(ErrorCode::unknown_field, "unknown term \"" + it.key() + "\"",
                    child("/weights", it.key()));
    }
  }
  if (const json* cr = detail::opt_object(doc, "credit", "")) {
    detail::check_keys(*cr, {"max_depth", "factors"}, "/credit", lenient);
    c.credit_depth = detail::opt_int(*cr, "max_depth", "/credit", 0, 8).value_or(c.credit_depth);
    if (const json* f = detail::opt_object(*cr, "factors", "/credit")) {
      double* slots[] = {&c.credit.to_macro_competence,
                         &c.credit.from_macro_competence,
                         &c.credit.esco_broader,
                         &c.credit.esco_narrower,
                         &c.credit.esco_related,
                         &c.credit.core_of_fiche,
                         &c.credit.mobility,
                         &c.credit.core_item_of_fiche};
      for (auto it = f->begin(); it != f->end(); ++it) {
        bool known = false;
        for (int k = 0; k < 8; ++k)
          if (it.key() == credit_edge_name(static_cast<CreditEdge>(k))) {
            *slots[k] = finite_number(*f, it.key(), "/credit/factors", *slots[k], 0, 1);
            known = true;
          }
        if (!known && !lenient)
          throw Error(ErrorCode::unknown_field, "unknown edge kind \"" + it.key() + "\"",
                      child("/credit/factors", it.key()));
      }
    }
  }
  if (const json* e = detail::opt_object(doc, "evidence", "")) {
    detail::check_keys(*e, {"declared", "validated", "certified"}, "/evidence", lenient);
    c.evidence_declared = finite_number(*e, "declared", "/evidence", c.evidence_declared, 0, 1);
    c.evidence_validated = finite_number(*e, "validated", "/evidence", c.evidence_validated, 0, 1);
    c.evidence_certified = finite_number(*e, "certified", "/evidence", c.evidence_certified, 0, 1);
  }
  if (const json* p = detail::opt_object(doc, "project", "")) {
    detail::check_keys(*p, {"decay", "max_steps"}, "/project", lenient);
    c.project_decay = finite_number(*p, "decay", "/project", c.project_decay, 0, 1);
    c.project_max_steps =
        detail::opt_int(*p, "max_steps", "/project", 0, 8).value_or(c.project_max_steps);
  }
  if (const json* d = detail::opt_object(doc, "distance", "")) {
    detail::check_keys(*d, {"default_max_km"}, "/distance", lenient);
    c.default_max_distance_km =
        finite_number(*d, "default_max_km", "/distance", c.default_max_distance_km, 0, 20000);
  }
  if (const json* k = detail::opt_object(doc, "constraints", "")) {
    detail::check_keys(*k, {"licence", "diploma", "distance"}, "/constraints", lenient);
    for (auto [key, rule] : {std::pair{"licence", &c.licence}, std::pair{"diploma", &c.diploma},
                             std::pair{"distance", &c.distance}})
      if (const json* r = detail::opt_object(*k, key, "/constraints"))
        *rule = parse_rule(*r, child("/constraints", key), *rule, lenient);
  }
  return c;
}

namespace {

// The score itself, with the two questions it asks the referential (the best credit for an
// offer competence, the mobility steps to the offer's fiche) answered by `lookups`: by searches
// in the referential for score(), by tables computed once per profile for the matcher. Both
// give the same numbers, so the same code makes the same sum.
template <class Lookups>
Score score_core(const Profile& profile, const Offer& offer, const Lookups& lookups,
                 const ScoringConfig& config) {
  Score s;
  s.intercept = config.intercept;
  std::array<double, kScoreTermCount> feature{};
  auto f = [&](ScoreTermKind k) -> double& { return feature[static_cast<std::size_t>(k)]; };

  if (!offer.unknown.empty()) add_reason(s, "unknown_offer_code");
  if (!profile.unknown.empty()) add_reason(s, "unknown_profile_code");

  double sum[2] = {0, 0};
  std::size_t count[2] = {0, 0};
  for (std::size_t i = 0; i < offer.competences.size(); ++i) {
    const OfferCompetence& oc = offer.competences[i];
    CompetenceCover cover;
    cover.offer_index = i;
    cover.requirement = oc.requirement;
    if (oc.item == kNoId) {
      cover.unknown_code = true;
      s.competences.push_back(std::move(cover));
      continue;
    }
    lookups.cover(oc.item, cover);
    const int r = oc.requirement == Requirement::required ? 0 : 1;
    sum[r] += cover.value;
    ++count[r];
    s.competences.push_back(std::move(cover));
  }
  // Nothing (resolvable) asked is nothing missing.
  f(ScoreTermKind::required_competences) = count[0] ? sum[0] / static_cast<double>(count[0]) : 1;
  f(ScoreTermKind::desired_competences) = count[1] ? sum[1] / static_cast<double>(count[1]) : 1;

  if (offer.occupation != kNoId) s.mobility_steps = lookups.mobility_steps(offer.occupation);
  f(ScoreTermKind::project_fit) =
      s.mobility_steps ? std::pow(config.project_decay, *s.mobility_steps) : 0.0;

  if (offer.experience == ExperienceRequirement::beginner_accepted) {
    f(ScoreTermKind::experience) = 1;
  } else {
    const int needed = offer.experience_months.value_or(12);
    int have = 0;
    for (const auto& e : profile.experience)
      if (e.occupation != kNoId && e.occupation == offer.occupation) have += e.months;
    f(ScoreTermKind::experience) =
        needed <= 0 ? 1.0 : std::min(1.0, static_cast<double>(have) / needed);
  }

  int best_diploma = 0;
  for (const auto& d : profile.diplomas) best_diploma = std::max(best_diploma, d.level);
  int asked = 0;
  bool diploma_missing = false;
  for (const auto& fm : offer.formations) {
    asked = std::max(asked, fm.level);
    if (fm.requirement == Requirement::required && fm.level > best_diploma) diploma_missing = true;
  }
  f(ScoreTermKind::diploma) = best_diploma >= asked ? 1.0 : 0.0;

  if (offer.languages.empty()) {
    f(ScoreTermKind::languages) = 1;
  } else {
    std::size_t have = 0;
    for (const auto& l : offer.languages)
      for (const auto& pl : profile.languages)
        if (lower(pl.label) == lower(l.label)) {
          ++have;
          break;
        }
    f(ScoreTermKind::languages) = static_cast<double>(have) / offer.languages.size();
  }

  bool licence_missing = false;
  if (offer.licences.empty()) {
    f(ScoreTermKind::licences) = 1;
  } else {
    std::size_t have = 0;
    for (const auto& l : offer.licences) {
      bool held_one = false;
      for (const auto& pl : profile.licences)
        held_one = held_one || licence_key(pl) == licence_key(l.label);
      have += held_one;
      if (!held_one && l.requirement == Requirement::required) licence_missing = true;
    }
    f(ScoreTermKind::licences) = static_cast<double>(have) / offer.licences.size();
  }

  bool too_far = false;
  if (profile.location.latitude && offer.place.latitude) {
    const double d = haversine_km(*profile.location.latitude, *profile.location.longitude,
                                  *offer.place.latitude, *offer.place.longitude);
    s.distance_km = d;
    const double max = profile.max_distance_km.value_or(config.default_max_distance_km);
    f(ScoreTermKind::distance) = max > 0 ? std::max(0.0, 1.0 - d / max) : (d == 0 ? 1.0 : 0.0);
    too_far = profile.max_distance_km && d > *profile.max_distance_km;
  } else {
    add_reason(s, "distance_unknown");
  }

  const bool contract_ok = profile.contract_types.empty() || offer.contract_type.empty() ||
                           std::find(profile.contract_types.begin(), profile.contract_types.end(),
                                     offer.contract_type) != profile.contract_types.end();
  const bool time_ok = profile.working_times.empty() ||
                       offer.working_time == WorkingTime::unknown ||
                       std::find(profile.working_times.begin(), profile.working_times.end(),
                                 offer.working_time) != profile.working_times.end();
  f(ScoreTermKind::contract) = (contract_ok ? 0.5 : 0.0) + (time_ok ? 0.5 : 0.0);

  if (licence_missing) apply(s, config.licence, "licence_missing");
  if (diploma_missing) apply(s, config.diploma, "diploma_missing");
  if (too_far) apply(s, config.distance, "distance_exceeded");

  // The displayed score is this very sum, in this order: nothing is rounded or recomputed.
  s.score = config.intercept;
  for (std::size_t k = 0; k < kScoreTermCount; ++k) {
    ScoreTerm t{static_cast<ScoreTermKind>(k), config.weights[k], feature[k],
                config.weights[k] * feature[k]};
    s.score += t.contribution;
    s.terms.push_back(t);
  }
  for (const auto& p : s.penalties) s.score += p.contribution;
  return s;
}

// The profile's held items grouped by evidence, strongest first, with their factors.
struct EvidenceGroups {
  std::array<std::vector<ItemId>, 3> held;  // certified, validated, declared
  double factors[3];
  EvidenceGroups(const Profile& profile, const ScoringConfig& config)
      : factors{config.evidence_certified, config.evidence_validated, config.evidence_declared} {
    for (const auto& pc : profile.competences) {
      if (pc.item == kNoId) continue;
      held[pc.evidence == Evidence::certified   ? 0
           : pc.evidence == Evidence::validated ? 1
                                                : 2]
          .push_back(pc.item);
    }
  }
};

// The person's own targets: fiches, and the fiches of target appellations.
std::vector<OccupationId> targets_of(const Profile& p, const Referential& r) {
  std::vector<OccupationId> targets;
  for (OccupationId o : p.target_occupations)
    if (o != kNoId) targets.push_back(o);
  for (AppellationId a : p.target_appellation_ids)
    if (a != kNoId) targets.push_back(r.appellations().at(a).occupation);
  return targets;
}

template <class K, class V>
const V* find_sorted(const std::vector<std::pair<K, V>>& table, K key) {
  auto it = std::lower_bound(table.begin(), table.end(), key,
                             [](const std::pair<K, V>& e, K k) { return e.first < k; });
  return it != table.end() && it->first == key ? &it->second : nullptr;
}

}  // namespace

Score score(const Profile& profile, const Offer& offer, const Referential& referential,
            const ScoringConfig& config) {
  return score_core(profile, offer, detail::ProfileTables(profile, referential, config), config);
}

namespace detail {

ProfileTables::ProfileTables(const Profile& profile, const Referential& referential,
                             const ScoringConfig& config) {
  const EvidenceGroups groups(profile, config);
  for (int g = 0; g < 3; ++g) {
    factors[g] = groups.factors[g];
    if (!groups.held[g].empty())
      credits[g] = referential.credit_table(groups.held[g], config.credit_depth, config.credit);
  }
  steps =
      referential.occupations_within(targets_of(profile, referential), config.project_max_steps);
}

// The best credit × evidence wins; on a tie, the better-evidenced item is named.
void ProfileTables::cover(ItemId need, CompetenceCover& cover) const {
  for (int g = 0; g < 3; ++g) {
    // A credit is at most 1: a group whose factor cannot beat the best so far is skipped.
    if (!credits[g] || factors[g] <= cover.value) continue;
    const double v = credits[g]->value(need) * factors[g];
    if (v > cover.value) {
      cover.value = v;
      cover.evidence = factors[g];
      cover.credit = credits[g]->credit(need);
    }
  }
}

std::optional<int> ProfileTables::mobility_steps(OccupationId fiche) const {
  const int* d = find_sorted(steps, fiche);
  return d ? std::optional<int>(*d) : std::nullopt;
}

double ProfileTables::credit(ItemId item) const {
  double best = 0;
  for (int g = 0; g < 3; ++g)
    if (credits[g]) best = std::max(best, credits[g]->value(item) * factors[g]);
  return best;
}

Score quick_score(const Profile& profile, const Offer& offer, const ProfileTables& tables,
                  const ScoringConfig& config) {
  return score_core(profile, offer, tables, config);
}

std::shared_ptr<const CreditsToCache::Entry> CreditsToCache::entry(ItemId need) const {
  {
    std::lock_guard lock(mutex_);
    auto it = lists_.find(need);
    if (it != lists_.end()) return it->second;
  }
  // Computed outside the lock: two threads may compute the same list, the first one is kept.
  auto made = std::make_shared<Entry>();
  made->by_item = referential_->credits_to(need, max_depth_, options_);
  made->by_credit.reserve(made->by_item.size());
  for (const auto& [item, credit] : made->by_item) made->by_credit.emplace_back(credit, item);
  std::sort(made->by_credit.begin(), made->by_credit.end(),
            [](const auto& x, const auto& y) { return x.first > y.first; });
  std::shared_ptr<const Entry> list = std::move(made);
  std::lock_guard lock(mutex_);
  return lists_.try_emplace(need, std::move(list)).first->second;
}

OfferTables::OfferTables(const Offer& offer, const Referential& referential,
                         const ScoringConfig& config, const CreditsToCache* cache) {
  for (const auto& c : offer.competences)
    if (c.item != kNoId) credits_to.emplace_back(c.item, nullptr);
  std::sort(credits_to.begin(), credits_to.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  credits_to.erase(std::unique(credits_to.begin(), credits_to.end(),
                               [](const auto& a, const auto& b) { return a.first == b.first; }),
                   credits_to.end());
  for (auto& [need, table] : credits_to)
    table = cache ? cache->get(need)
                  : std::make_shared<const CreditList>(
                        referential.credits_to(need, config.credit_depth, config.credit));
  if (offer.occupation != kNoId)
    reaching = referential.occupations_reaching(offer.occupation, config.project_max_steps);
}

namespace {

// One person against the offer of `tables`: each credit is the best of the person's items in
// the offer's backward tables.
struct ReverseLookups {
  const OfferTables& tables;
  EvidenceGroups groups;
  std::vector<OccupationId> targets;

  ReverseLookups(const OfferTables& t, const Profile& p, const Referential& r,
                 const ScoringConfig& c)
      : tables(t), groups(p, c), targets(targets_of(p, r)) {}
  void cover(ItemId need, CompetenceCover& cover) const {
    auto it = std::lower_bound(tables.credits_to.begin(), tables.credits_to.end(), need,
                               [](const auto& e, ItemId k) { return e.first < k; });
    if (it == tables.credits_to.end() || it->first != need) return;
    for (int g = 0; g < 3; ++g) {
      if (groups.held[g].empty() || groups.factors[g] <= cover.value) continue;
      double c = 0;
      for (ItemId h : groups.held[g])
        if (const double* v = find_sorted(*it->second, h)) c = std::max(c, *v);
      const double v = c * groups.factors[g];
      if (v > cover.value) {
        cover.value = v;
        cover.evidence = groups.factors[g];
        cover.credit.value = c;
      }
    }
  }
  std::optional<int> mobility_steps(OccupationId) const {
    std::optional<int> best;
    for (OccupationId t : targets)
      if (const int* d = find_sorted(tables.reaching, t))
        if (!best || *d < *best) best = *d;
    return best;
  }
};

}  // namespace

Score approx_score(const Profile& profile, const Offer& offer, const OfferTables& tables,
                   const Referential& referential, const ScoringConfig& config) {
  return score_core(profile, offer, ReverseLookups(tables, profile, referential, config), config);
}

}  // namespace detail

}  // namespace v1
}  // namespace aiguillage
