// The C ABI over the matching layer: referentials, scoring configurations, sets of offers and
// profiles, scores and explanations as JSON or text, the numeric retrieval index and the
// assignment solvers over caller arrays. Same discipline as c_api.cpp: one guard per body.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage.h"
#include "aiguillage/matching/assignment.hpp"
#include "aiguillage/matching/explain_listed.hpp"
#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "aiguillage/matching/offer.hpp"
#include "aiguillage/matching/profile.hpp"
#include "aiguillage/matching/referential.hpp"
#include "aiguillage/matching/retrieval.hpp"
#include "aiguillage/matching/scoring.hpp"
#include "core/file.hpp"
#include "guard.hpp"
#include "matching/score_json.hpp"

using namespace aiguillage;
using namespace aiguillage::capi;

struct aig_referential {
  Referential referential;
};

struct aig_scoring {
  ScoringConfig config;
};

// A set keeps the referential it was resolved against: item and occupation ids mean nothing
// under another one, so mixing them is refused rather than silently mis-scored.
struct aig_offers {
  const Referential* referential;
  OfferBatch batch;
};

struct aig_profiles {
  const Referential* referential;
  ProfileBatch batch;
};

// A bank keeps the referential it was built on, to refuse sets read against another one.
struct aig_offer_bank {
  const Referential* referential;
  OfferBank bank;
};

struct aig_profile_bank {
  const Referential* referential;
  ProfileBank bank;
};

struct aig_index {
  CompetenceIndex index;
};

namespace {

using Json = nlohmann::ordered_json;

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string_view text_arg(const char* text, std::size_t size) {
  return std::string_view(text, size == static_cast<std::size_t>(-1) ? std::strlen(text) : size);
}

std::string read_whole_file(const char* path) {
  return detail::read_file(path);
}

const ScoringConfig& config_of(const aig_scoring* s) {
  static const ScoringConfig defaults{};
  return s ? s->config : defaults;
}

// Parses one document of a pair; its errors point into the pair {"profile": ..., "offer": ...}.
Profile profile_arg(const char* json, const Referential& referential) {
  require(json, "profile_json");
  try {
    return parse_profile(json, referential);
  } catch (const Error& e) {
    throw Error(e.code(), "profile: " + e.message(), "/profile" + e.pointer(), e.column());
  }
}

Offer offer_arg(const char* json, const Referential& referential) {
  require(json, "offer_json");
  try {
    return parse_offer(json, referential);
  } catch (const Error& e) {
    throw Error(e.code(), "offer: " + e.message(), "/offer" + e.pointer(), e.column());
  }
}

ExplanationLanguage lang_arg(const char* lang) {
  if (!lang || std::strcmp(lang, "fr") == 0) return ExplanationLanguage::fr;
  if (std::strcmp(lang, "en") == 0) return ExplanationLanguage::en;
  throw invalid(std::string("lang must be \"fr\" or \"en\", not \"") + lang + "\"");
}

Json line_errors_json(const std::vector<LineError>& errors) {
  Json a = Json::array();
  for (const LineError& le : errors)
    a.push_back({{"line", le.line},
                 {"code", static_cast<int>(le.error.code())},
                 {"name", std::string(error_code_name(le.error.code()))},
                 {"message", le.error.message()},
                 {"pointer", le.error.pointer()}});
  return a;
}

Json optional_json(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

std::string score_json(const Profile& profile, const Offer& offer, const Score& s) {
  Json j = Json::object();
  j["profile_id"] = profile.id;
  j["offer_id"] = offer.id;
  j["score"] = s.score;
  j["excluded"] = s.excluded;
  j["intercept"] = s.intercept;
  j["terms"] = detail::score_terms_json(s.terms);
  j["penalties"] = detail::penalties_json(s.penalties);
  j["reason_codes"] = s.reasons;
  j["reasons"] = detail::reasons_json(principal_reasons(s));
  Json competences = Json::array();
  for (const CompetenceCover& c : s.competences)
    competences.push_back(
        {{"code", offer.competences.at(c.offer_index).code},
         {"requirement", c.requirement == Requirement::required ? "required" : "desired"},
         {"credit", c.credit.value},
         {"evidence", c.evidence},
         {"value", c.value},
         {"unknown_code", c.unknown_code}});
  j["competences"] = competences;
  j["distance_km"] = optional_json(s.distance_km);
  j["mobility_steps"] = s.mobility_steps ? Json(*s.mobility_steps) : Json(nullptr);
  return dump(j);
}

MatchExplanation explain_pair(const aig_referential* r, const aig_scoring* s,
                              const char* profile_json, const char* offer_json,
                              const aig_offers* cohort, std::size_t top) {
  require(r, "referential");
  if (cohort && cohort->referential != &r->referential)
    throw invalid("the cohort was loaded with another referential");
  const Profile profile = profile_arg(profile_json, r->referential);
  const Offer offer = offer_arg(offer_json, r->referential);
  ExplainOptions options;
  if (top > 0) options.top = top;
  const std::span<const Offer> others =
      cohort ? std::span<const Offer>(cohort->batch.offers) : std::span<const Offer>();
  return explain_match(profile, offer, r->referential, config_of(s), others, options);
}

// ---- retrieval ----

std::span<const std::int64_t> checked_indptr(const std::int64_t* indptr, std::size_t n,
                                             const char* what) {
  require(indptr, "indptr");
  if (indptr[0] != 0) throw Error(ErrorCode::invalid_argument, "indptr[0] must be 0", "/indptr/0");
  for (std::size_t i = 0; i < n; ++i)
    if (indptr[i + 1] < indptr[i])
      throw Error(ErrorCode::invalid_argument,
                  std::string("indptr decreases at ") + what + " " + std::to_string(i),
                  "/indptr/" + std::to_string(i + 1));
  return {indptr, n + 1};
}

RetrievalFilters filters_arg(const aig_retrieval_filters* f) {
  RetrievalFilters out;
  if (!f) return out;
  if (f->has_origin) {
    out.origin = GeoPoint{f->origin_lat, f->origin_lon};
    out.max_km = f->max_km;
  }
  if (f->departement_count > 0) {
    require(f->departements, "filters.departements");
    out.departements.assign(f->departements, f->departements + f->departement_count);
  }
  out.contract_mask = f->contract_mask;
  return out;
}

std::size_t thread_count(unsigned threads) {
  return threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads;
}

void write_hits(const std::vector<Hit>& hits, std::size_t k, std::int64_t* index, double* score) {
  for (std::size_t i = 0; i < k; ++i) {
    if (i < hits.size()) {
      if (index) index[i] = hits[i].index;
      if (score) score[i] = hits[i].score;
    } else {
      if (index) index[i] = -1;
      if (score) score[i] = std::numeric_limits<double>::quiet_NaN();
    }
  }
}

// ---- assignment ----

Objective objective_arg(int objective) {
  if (objective == AIG_MINIMIZE) return Objective::minimize;
  if (objective == AIG_MAXIMIZE) return Objective::maximize;
  throw invalid("objective must be AIG_MINIMIZE or AIG_MAXIMIZE, not " + std::to_string(objective));
}

aig_status write_assignment(const Assignment& a, std::int64_t* col_of_row, std::int64_t* row_of_col,
                            double* total_cost) {
  if (col_of_row) std::copy(a.col_of_row.begin(), a.col_of_row.end(), col_of_row);
  if (row_of_col) std::copy(a.row_of_col.begin(), a.row_of_col.end(), row_of_col);
  if (total_cost) *total_cost = a.total_cost;
  return AIG_OK;
}

std::size_t checked_product(std::size_t a, std::size_t b, const char* what) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a)
    throw Error(ErrorCode::dimension_mismatch, std::string(what) + " overflows");
  return a * b;
}

std::vector<std::vector<std::uint32_t>> preference_lists(std::size_t n, const std::int64_t* indptr,
                                                         const std::uint32_t* prefs,
                                                         const char* side) {
  std::vector<std::vector<std::uint32_t>> lists(n);
  if (n == 0) return lists;
  const std::string name = std::string(side) + "_indptr";
  require(indptr, name.c_str());
  if (indptr[0] != 0)
    throw Error(ErrorCode::invalid_argument, name + "[0] must be 0", "/" + name + "/0");
  for (std::size_t i = 0; i < n; ++i) {
    if (indptr[i + 1] < indptr[i])
      throw Error(ErrorCode::invalid_argument, name + " decreases at " + std::to_string(i),
                  "/" + name + "/" + std::to_string(i + 1));
    if (indptr[i + 1] > indptr[i]) require(prefs, (std::string(side) + "_prefs").c_str());
    lists[i].assign(prefs + indptr[i], prefs + indptr[i + 1]);
  }
  return lists;
}

// ---- banks ----

std::vector<std::string> strings_arg(const char* const* values, std::size_t count,
                                     const char* name) {
  std::vector<std::string> out;
  if (count == 0) return out;
  if (!values) throw invalid(std::string("filters.") + name + " is NULL but its count is not 0");
  for (std::size_t i = 0; i < count; ++i) {
    if (!values[i])
      throw Error(ErrorCode::invalid_argument,
                  std::string("filters.") + name + "[" + std::to_string(i) + "] is NULL",
                  std::string("/filters/") + name + "/" + std::to_string(i));
    out.emplace_back(values[i]);
  }
  return out;
}

MatchFilters match_filters_arg(const aig_match_filters* f) {
  MatchFilters out;
  if (!f) return out;
  out.departements = strings_arg(f->departements, f->departement_count, "departements");
  out.contract_types = strings_arg(f->contract_types, f->contract_type_count, "contract_types");
  if (f->has_max_km) out.max_km = f->max_km;
  return out;
}

void write_ranked(const std::vector<RankedMatch>& hits, std::size_t k, std::int64_t* index,
                  double* score) {
  for (std::size_t i = 0; i < k; ++i) {
    if (i < hits.size()) {
      if (index) index[i] = static_cast<std::int64_t>(hits[i].index);
      if (score) score[i] = hits[i].score.score;
    } else {
      if (index) index[i] = -1;
      if (score) score[i] = std::numeric_limits<double>::quiet_NaN();
    }
  }
}

void require_outputs(std::size_t cells, const std::int64_t* index, const double* score) {
  if (cells == 0) return;
  require(index, "out_index");
  require(score, "out_score");
}

// One line of a bank's answer: the pair, its rank and score, its principal reasons in words.
std::string ranked_line(const Profile& profile, const Offer& offer, std::size_t index,
                        std::size_t rank, const Score& s, ExplanationLanguage lang) {
  // The reasons' words need only the pair's own facts, not a cohort.
  Json j = Json::object();
  j["profile_id"] = profile.id;
  j["offer_id"] = offer.id;
  j["index"] = index;
  j["rank"] = rank;
  j["score"] = s.score;
  j["reason_codes"] = s.reasons;
  j["reasons"] = detail::pair_reasons_json(s, profile, offer, lang);
  return dump(j) + "\n";
}

// The format a bank explanation is asked in.
std::string explanation_in(const MatchExplanation& e, const char* format,
                           ExplanationLanguage lang) {
  const std::string f = format ? format : "json";
  if (f == "json") return e.to_json(lang);
  if (f == "text") return e.to_text(lang);
  if (f == "summary") return e.summary_text(lang);
  if (f == "employer") return e.employer_text(lang);
  throw Error(ErrorCode::invalid_argument,
              "format must be json, text, summary or employer, not \"" + bounded_text(f) + "\"",
              "/format");
}

ExplainOptions explain_options(size_t top) {
  ExplainOptions options;
  if (top > 0) options.top = top;
  return options;
}

}  // namespace

extern "C" {

/* ---- referentials ---- */

aig_status aig_referential_load(const char* rome_dir, const char* esco_dir, aig_referential** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(rome_dir, "rome_dir");
    return create(out, Referential::load(rome_dir, esco_dir ? esco_dir : ""));
  });
}

void aig_referential_destroy(aig_referential* r) {
  delete r;
}

aig_status aig_referential_statistics_json(const aig_referential* r, char* buf, size_t size,
                                           size_t* needed) {
  return guard([&] {
    require(r, "referential");
    const LoadStatistics& s = r->referential.statistics();
    Json j = Json::object();
    j["fiches"] = s.fiches;
    j["appellations"] = s.appellations;
    j["competences"] = s.competences;
    j["macro_competences"] = s.macro_competences;
    j["savoirs"] = s.savoirs;
    j["work_contexts"] = s.work_contexts;
    j["coherence_links"] = s.coherence_links;
    j["core_links"] = s.core_links;
    j["mobility_edges"] = s.mobility_edges;
    j["esco_skills"] = s.esco_skills;
    j["esco_skill_groups"] = s.esco_skill_groups;
    j["esco_occupations"] = s.esco_occupations;
    j["esco_occupation_skill_links"] = s.esco_occupation_skill_links;
    j["esco_essential_links"] = s.esco_essential_links;
    j["esco_broader_links"] = s.esco_broader_links;
    j["esco_related_links"] = s.esco_related_links;
    j["items"] = r->referential.item_count();
    j["occupations"] = r->referential.occupation_count();
    j["unknown_codes"] = s.unknown_codes;
    Json examples = Json::array();
    for (const UnknownCode& u : s.unknown_examples)
      examples.push_back(
          {{"file", u.file}, {"line", u.line}, {"code", u.code}, {"context", u.context}});
    j["unknown_examples"] = examples;
    return write_string(dump(j), buf, size, needed);
  });
}

size_t aig_referential_item_count(const aig_referential* r) {
  return r ? r->referential.item_count() : 0;
}
size_t aig_referential_occupation_count(const aig_referential* r) {
  return r ? r->referential.occupation_count() : 0;
}

int64_t aig_referential_find_item(const aig_referential* r, const char* code) {
  if (!r || !code) return -1;
  const ItemId id = r->referential.find_item(code);
  return id == kNoId ? -1 : static_cast<int64_t>(id);
}
int64_t aig_referential_find_occupation(const aig_referential* r, const char* code) {
  if (!r || !code) return -1;
  const OccupationId id = r->referential.find_occupation(code);
  return id == kNoId ? -1 : static_cast<int64_t>(id);
}

const char* aig_referential_item_code(const aig_referential* r, int64_t item) {
  if (!r || item < 0 || static_cast<uint64_t>(item) >= r->referential.item_count()) return nullptr;
  return r->referential.items()[static_cast<std::size_t>(item)].code.c_str();
}
const char* aig_referential_item_label(const aig_referential* r, int64_t item) {
  if (!r || item < 0 || static_cast<uint64_t>(item) >= r->referential.item_count()) return nullptr;
  return r->referential.items()[static_cast<std::size_t>(item)].label.c_str();
}
const char* aig_referential_occupation_code(const aig_referential* r, int64_t occupation) {
  if (!r || occupation < 0 ||
      static_cast<uint64_t>(occupation) >= r->referential.occupation_count())
    return nullptr;
  return r->referential.occupations()[static_cast<std::size_t>(occupation)].code.c_str();
}
const char* aig_referential_occupation_label(const aig_referential* r, int64_t occupation) {
  if (!r || occupation < 0 ||
      static_cast<uint64_t>(occupation) >= r->referential.occupation_count())
    return nullptr;
  return r->referential.occupations()[static_cast<std::size_t>(occupation)].label.c_str();
}

/* ---- scoring ---- */

aig_status aig_scoring_default(aig_scoring** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    return create(out);
  });
}

aig_status aig_scoring_load_json(const char* json, size_t size, aig_scoring** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(json, "json");
    return create(out, parse_scoring(text_arg(json, size)));
  });
}

aig_status aig_scoring_load_file(const char* path, aig_scoring** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(path, "path");
    return create(out, parse_scoring(read_whole_file(path)));
  });
}

void aig_scoring_destroy(aig_scoring* s) {
  delete s;
}

const char* aig_scoring_id(const aig_scoring* s) {
  return s ? s->config.id.c_str() : nullptr;
}
const char* aig_scoring_version(const aig_scoring* s) {
  return s ? s->config.version.c_str() : nullptr;
}

/* ---- sets of offers and profiles ---- */

aig_status aig_offers_load_jsonl(const aig_referential* r, const char* text, size_t size,
                                 aig_offers** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(text, "text");
    *out = new aig_offers{&r->referential, load_offers_jsonl(text_arg(text, size), r->referential)};
    return AIG_OK;
  });
}

aig_status aig_offers_load_file(const aig_referential* r, const char* path, aig_offers** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(path, "path");
    *out =
        new aig_offers{&r->referential, load_offers_jsonl(read_whole_file(path), r->referential)};
    return AIG_OK;
  });
}

void aig_offers_destroy(aig_offers* o) {
  delete o;
}
size_t aig_offers_count(const aig_offers* o) {
  return o ? o->batch.offers.size() : 0;
}
const char* aig_offers_id(const aig_offers* o, size_t i) {
  return o && i < o->batch.offers.size() ? o->batch.offers[i].id.c_str() : nullptr;
}
size_t aig_offers_line(const aig_offers* o, size_t i) {
  return o && i < o->batch.lines.size() ? o->batch.lines[i] : 0;
}
size_t aig_offers_error_count(const aig_offers* o) {
  return o ? o->batch.errors.size() : 0;
}
aig_status aig_offers_errors_json(const aig_offers* o, char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(o, "offers");
    return write_string(dump(line_errors_json(o->batch.errors)), buf, size, needed);
  });
}

aig_status aig_profiles_load_jsonl(const aig_referential* r, const char* text, size_t size,
                                   aig_profiles** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(text, "text");
    *out = new aig_profiles{&r->referential,
                            load_profiles_jsonl(text_arg(text, size), r->referential)};
    return AIG_OK;
  });
}

aig_status aig_profiles_load_file(const aig_referential* r, const char* path, aig_profiles** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(path, "path");
    *out = new aig_profiles{&r->referential,
                            load_profiles_jsonl(read_whole_file(path), r->referential)};
    return AIG_OK;
  });
}

void aig_profiles_destroy(aig_profiles* p) {
  delete p;
}
size_t aig_profiles_count(const aig_profiles* p) {
  return p ? p->batch.profiles.size() : 0;
}
const char* aig_profiles_id(const aig_profiles* p, size_t i) {
  return p && i < p->batch.profiles.size() ? p->batch.profiles[i].id.c_str() : nullptr;
}
size_t aig_profiles_line(const aig_profiles* p, size_t i) {
  return p && i < p->batch.lines.size() ? p->batch.lines[i] : 0;
}
size_t aig_profiles_error_count(const aig_profiles* p) {
  return p ? p->batch.errors.size() : 0;
}
aig_status aig_profiles_errors_json(const aig_profiles* p, char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(p, "profiles");
    return write_string(dump(line_errors_json(p->batch.errors)), buf, size, needed);
  });
}

/* ---- scores and explanations ---- */

aig_status aig_match_score_json(const aig_referential* r, const aig_scoring* s,
                                const char* profile_json, const char* offer_json, char* buf,
                                size_t size, size_t* needed) {
  return guard([&] {
    require(r, "referential");
    const Profile profile = profile_arg(profile_json, r->referential);
    const Offer offer = offer_arg(offer_json, r->referential);
    const Score sc = score(profile, offer, r->referential, config_of(s));
    return write_string(score_json(profile, offer, sc), buf, size, needed);
  });
}

aig_status aig_match_explain_json(const aig_referential* r, const aig_scoring* s,
                                  const char* profile_json, const char* offer_json,
                                  const aig_offers* cohort, const char* lang, size_t top, char* buf,
                                  size_t size, size_t* needed) {
  return guard([&] {
    const ExplanationLanguage l = lang_arg(lang);
    const MatchExplanation e = explain_pair(r, s, profile_json, offer_json, cohort, top);
    return write_string(e.to_json(l), buf, size, needed);
  });
}

aig_status aig_match_explain_text(const aig_referential* r, const aig_scoring* s,
                                  const char* profile_json, const char* offer_json,
                                  const aig_offers* cohort, const char* lang, size_t top, char* buf,
                                  size_t size, size_t* needed) {
  return guard([&] {
    const ExplanationLanguage l = lang_arg(lang);
    const MatchExplanation e = explain_pair(r, s, profile_json, offer_json, cohort, top);
    return write_string(e.to_text(l), buf, size, needed);
  });
}

aig_status aig_match_explain_summary(const aig_referential* r, const aig_scoring* s,
                                     const char* profile_json, const char* offer_json,
                                     const aig_offers* cohort, const char* lang, size_t top,
                                     char* buf, size_t size, size_t* needed) {
  return guard([&] {
    const ExplanationLanguage l = lang_arg(lang);
    const MatchExplanation e = explain_pair(r, s, profile_json, offer_json, cohort, top);
    return write_string(e.summary_text(l), buf, size, needed);
  });
}

/* ---- banks ---- */

aig_status aig_offer_bank_create(const aig_referential* r, const aig_offers* offers,
                                 const aig_scoring* s, aig_offer_bank** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(offers, "offers");
    if (offers->referential != &r->referential)
      throw invalid("the offers were loaded with another referential");
    *out = new aig_offer_bank{&r->referential,
                              OfferBank(offers->batch.offers, r->referential, config_of(s))};
    return AIG_OK;
  });
}

aig_status aig_offer_bank_save(const aig_offer_bank* bank, const char* path) {
  return guard([&] {
    require(bank, "bank");
    require(path, "path");
    bank->bank.save(path);
    return AIG_OK;
  });
}

aig_status aig_offer_bank_load(const aig_referential* r, const char* path, unsigned threads,
                               aig_offer_bank** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(path, "path");
    *out = new aig_offer_bank{
        &r->referential,
        OfferBank::load(path, r->referential, {std::max<std::size_t>(1, threads)})};
    return AIG_OK;
  });
}

void aig_offer_bank_destroy(aig_offer_bank* bank) {
  delete bank;
}
size_t aig_offer_bank_size(const aig_offer_bank* bank) {
  return bank ? bank->bank.size() : 0;
}

aig_status aig_offer_bank_top(const aig_offer_bank* bank, const char* profile_json, size_t k,
                              const aig_match_filters* filters, int64_t* out_index,
                              double* out_score, size_t* found) {
  if (found) *found = 0;
  return guard([&] {
    require(bank, "bank");
    require_outputs(k, out_index, out_score);
    const Profile profile = profile_arg(profile_json, *bank->referential);
    const std::vector<RankedMatch> hits =
        bank->bank.top_offers(profile, k, match_filters_arg(filters));
    write_ranked(hits, k, out_index, out_score);
    if (found) *found = hits.size();
    return AIG_OK;
  });
}

aig_status aig_offer_bank_top_json(const aig_offer_bank* bank, const char* profile_json, size_t k,
                                   const aig_match_filters* filters, const char* lang, char* buf,
                                   size_t size, size_t* needed) {
  return guard([&] {
    require(bank, "bank");
    const ExplanationLanguage l = lang_arg(lang);
    const Profile profile = profile_arg(profile_json, *bank->referential);
    const std::vector<RankedMatch> hits =
        bank->bank.top_offers(profile, k, match_filters_arg(filters));
    std::string lines;
    for (std::size_t i = 0; i < hits.size(); ++i)
      lines += ranked_line(profile, bank->bank.offers()[hits[i].index], hits[i].index, i + 1,
                           hits[i].score, l);
    return write_string(lines, buf, size, needed);
  });
}

aig_status aig_offer_bank_top_batch(const aig_offer_bank* bank, const aig_profiles* profiles,
                                    size_t k, const aig_match_filters* filters, unsigned threads,
                                    int64_t* out_index, double* out_score) {
  return guard([&] {
    require(bank, "bank");
    require(profiles, "profiles");
    if (profiles->referential != bank->referential)
      throw invalid("the profiles were loaded with another referential than the bank");
    const std::size_t n = profiles->batch.profiles.size();
    require_outputs(checked_product(n, k, "documents * k"), out_index, out_score);
    MatchBatchOptions options;
    options.threads = thread_count(threads);
    const std::vector<std::vector<RankedMatch>> hits = bank->bank.top_offers(
        std::span<const Profile>(profiles->batch.profiles), k, match_filters_arg(filters), options);
    for (std::size_t q = 0; q < n; ++q)
      write_ranked(hits[q], k, out_index + q * k, out_score + q * k);
    return AIG_OK;
  });
}

aig_status aig_profile_bank_create(const aig_referential* r, const aig_profiles* profiles,
                                   const aig_scoring* s, aig_profile_bank** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(profiles, "profiles");
    if (profiles->referential != &r->referential)
      throw invalid("the profiles were loaded with another referential");
    *out = new aig_profile_bank{
        &r->referential, ProfileBank(profiles->batch.profiles, r->referential, config_of(s))};
    return AIG_OK;
  });
}

aig_status aig_profile_bank_save(const aig_profile_bank* bank, const char* path) {
  return guard([&] {
    require(bank, "bank");
    require(path, "path");
    bank->bank.save(path);
    return AIG_OK;
  });
}

aig_status aig_profile_bank_load(const aig_referential* r, const char* path, unsigned threads,
                                 aig_profile_bank** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "referential");
    require(path, "path");
    *out = new aig_profile_bank{
        &r->referential,
        ProfileBank::load(path, r->referential, {std::max<std::size_t>(1, threads)})};
    return AIG_OK;
  });
}

void aig_profile_bank_destroy(aig_profile_bank* bank) {
  delete bank;
}
size_t aig_profile_bank_size(const aig_profile_bank* bank) {
  return bank ? bank->bank.size() : 0;
}

aig_status aig_profile_bank_top(const aig_profile_bank* bank, const char* offer_json, size_t k,
                                const aig_match_filters* filters, int64_t* out_index,
                                double* out_score, size_t* found) {
  if (found) *found = 0;
  return guard([&] {
    require(bank, "bank");
    require_outputs(k, out_index, out_score);
    const Offer offer = offer_arg(offer_json, *bank->referential);
    const std::vector<RankedMatch> hits =
        bank->bank.top_profiles(offer, k, match_filters_arg(filters));
    write_ranked(hits, k, out_index, out_score);
    if (found) *found = hits.size();
    return AIG_OK;
  });
}

aig_status aig_profile_bank_top_json(const aig_profile_bank* bank, const char* offer_json, size_t k,
                                     const aig_match_filters* filters, const char* lang, char* buf,
                                     size_t size, size_t* needed) {
  return guard([&] {
    require(bank, "bank");
    const ExplanationLanguage l = lang_arg(lang);
    const Offer offer = offer_arg(offer_json, *bank->referential);
    const std::vector<RankedMatch> hits =
        bank->bank.top_profiles(offer, k, match_filters_arg(filters));
    std::string lines;
    for (std::size_t i = 0; i < hits.size(); ++i)
      lines += ranked_line(bank->bank.profiles()[hits[i].index], offer, hits[i].index, i + 1,
                           hits[i].score, l);
    return write_string(lines, buf, size, needed);
  });
}

aig_status aig_profile_bank_explain(const aig_profile_bank* bank, const char* offer_json,
                                    size_t index, const aig_match_filters* filters,
                                    const char* lang, size_t top, const char* format, char* buf,
                                    size_t size, size_t* needed) {
  return guard([&] {
    require(bank, "bank");
    const ExplanationLanguage l = lang_arg(lang);
    const Offer offer = offer_arg(offer_json, *bank->referential);
    if (index >= bank->bank.size())
      throw Error(ErrorCode::invalid_argument, "index is past the bank's persons", "/index");
    const ExplainOptions options = explain_options(top);
    auto e = explain_in_bank(bank->bank, offer, index, match_filters_arg(filters), options);
    if (!e)  // never listed: ranked among the excluded by scoring the bank's persons
      e = explain_match(bank->bank.profiles()[index], offer, *bank->referential,
                        bank->bank.config(), std::span<const Profile>(bank->bank.profiles()),
                        options);
    return write_string(explanation_in(*e, format, l), buf, size, needed);
  });
}

aig_status aig_offer_bank_explain(const aig_offer_bank* bank, const char* profile_json,
                                  size_t index, const aig_match_filters* filters, const char* lang,
                                  size_t top, const char* format, char* buf, size_t size,
                                  size_t* needed) {
  return guard([&] {
    require(bank, "bank");
    const ExplanationLanguage l = lang_arg(lang);
    const Profile profile = profile_arg(profile_json, *bank->referential);
    if (index >= bank->bank.size())
      throw Error(ErrorCode::invalid_argument, "index is past the bank's offers", "/index");
    const ExplainOptions options = explain_options(top);
    auto e = explain_in_bank(bank->bank, profile, index, match_filters_arg(filters), options);
    if (!e)
      e = explain_match(profile, bank->bank.offers()[index], *bank->referential,
                        bank->bank.config(), std::span<const Offer>(bank->bank.offers()), options);
    return write_string(explanation_in(*e, format, l), buf, size, needed);
  });
}

aig_status aig_profile_bank_top_batch(const aig_profile_bank* bank, const aig_offers* offers,
                                      size_t k, const aig_match_filters* filters, unsigned threads,
                                      int64_t* out_index, double* out_score) {
  return guard([&] {
    require(bank, "bank");
    require(offers, "offers");
    if (offers->referential != bank->referential)
      throw invalid("the offers were loaded with another referential than the bank");
    const std::size_t n = offers->batch.offers.size();
    require_outputs(checked_product(n, k, "documents * k"), out_index, out_score);
    MatchBatchOptions options;
    options.threads = thread_count(threads);
    const std::vector<std::vector<RankedMatch>> hits = bank->bank.top_profiles(
        std::span<const Offer>(offers->batch.offers), k, match_filters_arg(filters), options);
    for (std::size_t q = 0; q < n; ++q)
      write_ranked(hits[q], k, out_index + q * k, out_score + q * k);
    return AIG_OK;
  });
}

/* ---- retrieval ---- */

aig_status aig_index_build(size_t n, const int64_t* indptr, const uint32_t* items,
                           const double* weights, const double* lat, const double* lon,
                           const uint32_t* departement, const uint32_t* contract_mask,
                           const double* max_km, aig_index** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    const std::span<const std::int64_t> ptr = checked_indptr(indptr, n, "entry");
    if (ptr[n] > 0) {
      require(items, "items");
      require(weights, "weights");
    }
    std::vector<IndexEntry> entries(n);
    for (std::size_t e = 0; e < n; ++e) {
      IndexEntry& x = entries[e];
      const auto begin = static_cast<std::size_t>(ptr[e]);
      const auto count = static_cast<std::size_t>(ptr[e + 1] - ptr[e]);
      if (count > 0) {
        x.items = std::span<const std::uint32_t>(items + begin, count);
        x.weights = std::span<const double>(weights + begin, count);
      }
      x.location = GeoPoint{lat ? lat[e] : 0.0, lon ? lon[e] : 0.0};
      if (departement) x.departement = departement[e];
      if (contract_mask) x.contract_mask = contract_mask[e];
      if (max_km) x.max_km = max_km[e];
    }
    *out = new aig_index{CompetenceIndex::build(entries)};
    return AIG_OK;
  });
}

void aig_index_destroy(aig_index* index) {
  delete index;
}
size_t aig_index_size(const aig_index* index) {
  return index ? index->index.size() : 0;
}
size_t aig_index_item_count(const aig_index* index) {
  return index ? index->index.item_count() : 0;
}
size_t aig_index_nonzeros(const aig_index* index) {
  return index ? index->index.nonzeros() : 0;
}

aig_status aig_index_top_k(const aig_index* index, const uint32_t* items, const double* weights,
                           size_t n_items, size_t k, const aig_retrieval_filters* filters,
                           int64_t* out_index, double* out_score, size_t* found) {
  if (found) *found = 0;
  return guard([&] {
    require(index, "index");
    if (n_items > 0) {
      require(items, "items");
      require(weights, "weights");
    }
    if (k > 0) {
      require(out_index, "out_index");
      require(out_score, "out_score");
    }
    RetrievalQuery q;
    if (n_items > 0) {
      q.items = std::span<const std::uint32_t>(items, n_items);
      q.weights = std::span<const double>(weights, n_items);
    }
    const std::vector<Hit> hits = index->index.top_k(q, k, filters_arg(filters));
    write_hits(hits, k, out_index, out_score);
    if (found) *found = hits.size();
    return AIG_OK;
  });
}

aig_status aig_index_batch_top_k(const aig_index* index, size_t n_queries, const int64_t* indptr,
                                 const uint32_t* items, const double* weights,
                                 const aig_retrieval_filters* filters, size_t k, unsigned threads,
                                 int64_t* out_index, double* out_score) {
  return guard([&] {
    require(index, "index");
    const std::span<const std::int64_t> ptr = checked_indptr(indptr, n_queries, "query");
    if (ptr[n_queries] > 0) {
      require(items, "items");
      require(weights, "weights");
    }
    const std::size_t cells = checked_product(n_queries, k, "n_queries * k");
    if (cells > 0) {
      require(out_index, "out_index");
      require(out_score, "out_score");
    }
    std::vector<BatchQuery> queries(n_queries);
    for (std::size_t q = 0; q < n_queries; ++q) {
      const auto begin = static_cast<std::size_t>(ptr[q]);
      const auto count = static_cast<std::size_t>(ptr[q + 1] - ptr[q]);
      if (count > 0) {
        queries[q].query.items = std::span<const std::uint32_t>(items + begin, count);
        queries[q].query.weights = std::span<const double>(weights + begin, count);
      }
      if (filters) {
        try {
          queries[q].filters = filters_arg(&filters[q]);
        } catch (const Error& e) {
          throw e.with_pointer_prefix("/queries/" + std::to_string(q) + "/filters");
        }
      }
    }
    BatchOptions options;
    options.k = k;
    options.threads = thread_count(threads);
    const std::vector<std::vector<Hit>> hits = batch_top_k(index->index, queries, options);
    for (std::size_t q = 0; q < n_queries; ++q)
      write_hits(hits[q], k, out_index + q * k, out_score + q * k);
    return AIG_OK;
  });
}

/* ---- assignment ---- */

aig_status aig_assign_dense(const double* costs, size_t n_rows, size_t n_cols, int objective,
                            int64_t* col_of_row, int64_t* row_of_col, double* total_cost) {
  return guard([&] {
    const Objective o = objective_arg(objective);
    const std::size_t cells = checked_product(n_rows, n_cols, "n_rows * n_cols");
    if (cells > 0) require(costs, "costs");
    const Assignment a = solve_dense_assignment(
        cells > 0 ? std::span<const double>(costs, cells) : std::span<const double>(), n_rows,
        n_cols, o);
    return write_assignment(a, col_of_row, row_of_col, total_cost);
  });
}

aig_status aig_assign_sparse(size_t n_rows, size_t n_cols, const int64_t* indptr,
                             const int32_t* indices, const double* values, int objective,
                             int64_t* col_of_row, int64_t* row_of_col, double* total_cost) {
  return guard([&] {
    const Objective o = objective_arg(objective);
    // The edge count comes from the caller's indptr, checked whole first: the solver reads a
    // row's edges before it sees a later offset that decreases.
    checked_indptr(indptr, n_rows, "row");
    const auto edges = static_cast<std::size_t>(indptr[n_rows]);
    if (edges > 0) {
      require(indices, "indices");
      require(values, "values");
    }
    CsrView view;
    view.n_rows = n_rows;
    view.n_cols = n_cols;
    view.indptr = std::span<const std::int64_t>(indptr, n_rows + 1);
    if (edges > 0) {
      view.indices = std::span<const std::int32_t>(indices, edges);
      view.values = std::span<const double>(values, edges);
    }
    return write_assignment(solve_sparse_assignment(view, o), col_of_row, row_of_col, total_cost);
  });
}

aig_status aig_assign_capacitated(size_t n_persons, size_t n_offers, const uint32_t* positions,
                                  uint32_t max_per_person, size_t n_edges,
                                  const uint32_t* edge_person, const uint32_t* edge_offer,
                                  const double* edge_cost, int objective, uint8_t* chosen,
                                  size_t* n_chosen, double* total_cost) {
  return guard([&] {
    const Objective o = objective_arg(objective);
    if (n_offers > 0) require(positions, "positions");
    if (n_edges > 0) {
      require(edge_person, "edge_person");
      require(edge_offer, "edge_offer");
    }
    std::vector<CandidateEdge> edges(n_edges);
    for (std::size_t e = 0; e < n_edges; ++e)
      edges[e] = {edge_person[e], edge_offer[e], edge_cost ? edge_cost[e] : 0.0};
    const CapacitatedAssignment a = solve_capacitated_assignment(
        n_persons,
        n_offers > 0 ? std::span<const std::uint32_t>(positions, n_offers)
                     : std::span<const std::uint32_t>(),
        max_per_person, edges, o);
    if (chosen) {
      // The solver returns the chosen pairs; a pair names one input edge (it refuses
      // duplicates).
      std::fill(chosen, chosen + n_edges, std::uint8_t{0});
      std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> edge_of;
      for (std::size_t e = 0; e < n_edges; ++e) edge_of[{edges[e].person, edges[e].offer}] = e;
      for (const CandidateEdge& p : a.pairs) chosen[edge_of.at({p.person, p.offer})] = 1;
    }
    if (n_chosen) *n_chosen = a.pairs.size();
    if (total_cost) *total_cost = a.total_cost;
    return AIG_OK;
  });
}

aig_status aig_stable_match(size_t n_persons, const int64_t* person_indptr,
                            const uint32_t* person_prefs, size_t n_offers,
                            const int64_t* offer_indptr, const uint32_t* offer_prefs,
                            const uint32_t* capacity, int proposing, int64_t* offer_of_person) {
  return guard([&] {
    if (proposing != AIG_PERSONS_PROPOSE && proposing != AIG_OFFERS_PROPOSE)
      throw invalid("proposing must be AIG_PERSONS_PROPOSE or AIG_OFFERS_PROPOSE, not " +
                    std::to_string(proposing));
    if (n_offers > 0) require(capacity, "capacity");
    if (n_persons > 0) require(offer_of_person, "offer_of_person");
    const auto persons = preference_lists(n_persons, person_indptr, person_prefs, "person");
    const auto offers = preference_lists(n_offers, offer_indptr, offer_prefs, "offer");
    const StableMatching m = deferred_acceptance(
        persons, offers,
        n_offers > 0 ? std::span<const std::uint32_t>(capacity, n_offers)
                     : std::span<const std::uint32_t>(),
        proposing == AIG_OFFERS_PROPOSE ? Proposing::offers : Proposing::persons);
    std::copy(m.offer_of_person.begin(), m.offer_of_person.end(), offer_of_person);
    return AIG_OK;
  });
}

}  // extern "C"
