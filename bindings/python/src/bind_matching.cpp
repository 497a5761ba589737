// Matching: referentials, scoring configurations, offers and profiles, scores and
// explanations, the numeric competence index and the assignment solvers. The idiomatic API is
// aiguillage/_matching.py; this file only converts and releases the GIL around the work.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aiguillage/matching/assignment.hpp"
#include "aiguillage/matching/explain_listed.hpp"
#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "aiguillage/matching/offer.hpp"
#include "aiguillage/matching/profile.hpp"
#include "aiguillage/matching/referential.hpp"
#include "aiguillage/matching/retrieval.hpp"
#include "aiguillage/matching/scoring.hpp"
#include "common.hpp"

namespace aiguillage::python {

namespace {

template <class T>
using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;

// The classes of aiguillage/_matching.py: ReferentialError, MatchingInputError, and
// InfeasibleError for every infeasible problem.
[[noreturn]] void raise_matching(const char* kind, const Error& e) {
  py::gil_scoped_acquire gil;
  py::object cls = py::module_::import("aiguillage._matching")
                       .attr("matching_error_class")(kind, static_cast<int>(e.code()));
  py::object exc = cls(e.message(), static_cast<int>(e.code()),
                       std::string(error_code_name(e.code())), e.pointer(), e.column());
  PyErr_SetObject(cls.ptr(), exc.ptr());
  throw py::error_already_set();
}

template <class F>
auto guarded(const char* kind, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    raise_matching(kind, e);
  }
}

[[noreturn]] void bad_input(ErrorCode code, const std::string& message,
                            const std::string& pointer = {}) {
  raise_matching("MatchingInputError", Error(code, message, pointer));
}

// Documents parsed against one referential, with the records that were refused.
template <class Document>
struct Documents {
  std::shared_ptr<const Referential> referential;
  std::vector<Document> documents;
  std::vector<std::size_t> lines;
  std::vector<LineError> errors;
};
using NativeOffers = Documents<Offer>;
using NativeProfiles = Documents<Profile>;

py::list error_list(const std::vector<LineError>& errors) {
  py::list out;
  for (const LineError& le : errors) {
    py::dict d;
    d["line"] = le.line;
    d["code"] = static_cast<int>(le.error.code());
    d["name"] = std::string(error_code_name(le.error.code()));
    d["pointer"] = le.error.pointer();
    d["message"] = le.error.message();
    out.append(d);
  }
  return out;
}

template <class Document, class Parse>
Documents<Document> parse_each(std::shared_ptr<const Referential> referential,
                               const std::vector<std::string>& texts, Parse parse) {
  Documents<Document> out;
  out.referential = std::move(referential);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    try {
      out.documents.push_back(parse(texts[i], *out.referential));
      out.lines.push_back(i + 1);
    } catch (const Error& e) {
      out.errors.push_back({i + 1, e});
    }
  }
  return out;
}

// The Python class of a set of offers or of profiles: read from JSON Lines or from one text
// per document, bad records kept apart with their line and error.
template <class Document, class Batch>
void bind_documents(py::module_& m, const char* name, const std::string& what,
                    std::vector<Document> Batch::*documents,
                    Batch (*load)(std::string_view, const Referential&),
                    Document (*parse)(std::string_view, const Referential&)) {
  using Native = Documents<Document>;
  py::class_<Native, std::shared_ptr<Native>>(m, name)
      .def_static(
          "from_jsonl",
          [documents, load](std::shared_ptr<Referential> referential, const std::string& text) {
            auto out = std::make_shared<Native>();
            out->referential = referential;
            py::gil_scoped_release release;
            Batch batch = load(text, *referential);
            out->documents = std::move(batch.*documents);
            out->lines = std::move(batch.lines);
            out->errors = std::move(batch.errors);
            return out;
          })
      .def_static(
          "from_texts",
          [parse](std::shared_ptr<Referential> referential, const std::vector<std::string>& texts) {
            py::gil_scoped_release release;
            return std::make_shared<Native>(parse_each<Document>(
                referential, texts,
                [parse](const std::string& t, const Referential& r) { return parse(t, r); }));
          })
      .def("__len__", [](const Native& d) { return d.documents.size(); })
      .def("get",
           [what](const Native& d, std::size_t i) {
             if (i >= d.documents.size()) throw py::index_error(what + " index out of range");
             return d.documents[i];
           })
      .def_property_readonly("ids",
                             [](const Native& d) {
                               py::list out;
                               for (const Document& doc : d.documents) out.append(doc.id);
                               return out;
                             })
      .def_readonly("lines", &Native::lines)
      .def_property_readonly("rejected", [](const Native& d) { return error_list(d.errors); });
}

py::list unknown_list(const std::vector<UnknownReference>& unknown) {
  py::list out;
  for (const UnknownReference& u : unknown) out.append(py::make_tuple(u.pointer, u.code));
  return out;
}

const char* requirement_name(Requirement r) {
  return r == Requirement::required ? "required" : "desired";
}

py::dict score_dict(const Score& s, const Offer& offer) {
  py::dict d;
  d["score"] = s.score;
  d["intercept"] = s.intercept;
  py::list terms;
  for (const ScoreTerm& t : s.terms) {
    py::dict term;
    term["term"] = std::string(score_term_name(t.kind));
    term["weight"] = t.weight;
    term["feature"] = t.feature;
    term["contribution"] = t.contribution;
    terms.append(term);
  }
  d["terms"] = terms;
  py::list penalties;
  for (const Penalty& p : s.penalties) {
    py::dict penalty;
    penalty["reason"] = p.reason;
    penalty["contribution"] = p.contribution;
    penalties.append(penalty);
  }
  d["penalties"] = penalties;
  d["reasons"] = s.reasons;
  d["excluded"] = s.excluded;
  py::list competences;
  for (const CompetenceCover& c : s.competences) {
    py::dict cover;
    cover["code"] = offer.competences.at(c.offer_index).code;
    cover["requirement"] = requirement_name(c.requirement);
    cover["unknown_code"] = c.unknown_code;
    cover["credit"] = c.credit.value;
    cover["evidence"] = c.evidence;
    cover["value"] = c.value;
    competences.append(cover);
  }
  d["competences"] = competences;
  d["distance_km"] = s.distance_km;
  d["mobility_steps"] = s.mobility_steps;
  return d;
}

ExplanationLanguage language(const std::string& lang) {
  if (lang == "fr") return ExplanationLanguage::fr;
  if (lang == "en") return ExplanationLanguage::en;
  bad_input(ErrorCode::invalid_argument, "lang must be \"fr\" or \"en\", not \"" + lang + "\"");
}

py::tuple explanation_texts(const MatchExplanation& e, ExplanationLanguage lang) {
  return py::make_tuple(e.to_json(lang), e.to_text(lang), e.summary_text(lang),
                        e.employer_text(lang));
}

py::dict item_dict(const Referential& r, ItemId id) {
  const Item& item = r.item(id);
  py::dict d;
  d["code"] = item.code;
  d["label"] = item.label;
  d["kind"] = std::string(item_kind_name(item.kind));
  d["parent"] = item.parent == kNoId ? py::object(py::none()) : py::str(r.item(item.parent).code);
  d["category"] = item.category;
  d["subcategory"] = item.subcategory;
  return d;
}

py::dict occupation_dict(const Referential& r, OccupationId id) {
  const Occupation& o = r.occupation(id);
  py::dict d;
  d["code"] = o.code;
  d["label"] = o.label;
  d["kind"] = o.kind == OccupationKind::rome_fiche ? "rome_fiche" : "esco_occupation";
  d["executive"] = o.executive;
  d["grand_domaine"] = o.grand_domaine;
  d["domaine"] = o.domaine;
  d["isco_code"] = o.isco_code;
  py::list items;
  for (const OccupationLink& link : o.items)
    items.append(py::make_tuple(r.item(link.item).code, std::string(link_role_name(link.role))));
  d["items"] = items;
  py::list mobility;
  for (OccupationId t : r.mobility_targets(id)) mobility.append(r.occupation(t).code);
  d["mobility"] = mobility;
  return d;
}

py::dict statistics_dict(const LoadStatistics& s) {
  py::dict d;
  d["fiches"] = s.fiches;
  d["appellations"] = s.appellations;
  d["competences"] = s.competences;
  d["macro_competences"] = s.macro_competences;
  d["savoirs"] = s.savoirs;
  d["work_contexts"] = s.work_contexts;
  d["coherence_links"] = s.coherence_links;
  d["core_links"] = s.core_links;
  d["mobility_edges"] = s.mobility_edges;
  d["esco_skills"] = s.esco_skills;
  d["esco_skill_groups"] = s.esco_skill_groups;
  d["esco_occupations"] = s.esco_occupations;
  d["esco_occupation_skill_links"] = s.esco_occupation_skill_links;
  d["esco_essential_links"] = s.esco_essential_links;
  d["esco_broader_links"] = s.esco_broader_links;
  d["esco_related_links"] = s.esco_related_links;
  d["unknown_codes"] = s.unknown_codes;
  py::list examples;
  for (const UnknownCode& u : s.unknown_examples) {
    py::dict e;
    e["file"] = u.file;
    e["line"] = u.line;
    e["code"] = u.code;
    e["context"] = u.context;
    examples.append(e);
  }
  d["unknown_examples"] = examples;
  return d;
}

py::dict scoring_dict(const ScoringConfig& c) {
  py::dict d;
  d["id"] = c.id;
  d["version"] = c.version;
  d["intercept"] = c.intercept;
  py::dict weights;
  for (std::size_t k = 0; k < kScoreTermCount; ++k)
    weights[py::str(std::string(score_term_name(static_cast<ScoreTermKind>(k))))] = c.weights[k];
  d["weights"] = weights;
  d["credit_depth"] = c.credit_depth;
  d["project_decay"] = c.project_decay;
  d["project_max_steps"] = c.project_max_steps;
  d["default_max_distance_km"] = c.default_max_distance_km;
  return d;
}

// The CSR offsets of `n` rows over `nnz` stored values: n + 1 non-decreasing offsets from 0.
void check_offsets(const Array<std::int64_t>& indptr, std::size_t nnz, const char* what) {
  const std::size_t n1 = static_cast<std::size_t>(indptr.size());
  if (indptr.ndim() != 1 || n1 == 0)
    bad_input(ErrorCode::dimension_mismatch,
              std::string(what) + " offsets must be a 1-D array of n + 1 values", "/indptr");
  const std::int64_t* p = indptr.data();
  if (p[0] != 0)
    bad_input(ErrorCode::invalid_argument, std::string(what) + " offsets must start at 0",
              "/indptr/0");
  for (std::size_t i = 1; i < n1; ++i)
    if (p[i] < p[i - 1])
      bad_input(ErrorCode::invalid_argument, std::string(what) + " offsets must not decrease",
                "/indptr/" + std::to_string(i));
  if (static_cast<std::size_t>(p[n1 - 1]) != nnz)
    bad_input(ErrorCode::dimension_mismatch,
              std::string(what) + " offsets end at " + std::to_string(p[n1 - 1]) + " but " +
                  std::to_string(nnz) + " values are given",
              "/indptr/" + std::to_string(n1 - 1));
}

template <class T>
void check_length(const Array<T>& a, std::size_t n, const char* name) {
  if (a.ndim() != 1 || static_cast<std::size_t>(a.size()) != n)
    bad_input(ErrorCode::dimension_mismatch,
              std::string(name) + " must be a 1-D array of " + std::to_string(n) + " values",
              std::string("/") + name);
}

// A numeric competence index with the arrays it was built from kept by the Python side.
struct NativeIndex {
  CompetenceIndex index;
};

py::tuple hits_arrays(const std::vector<Hit>& hits) {
  Array<std::int64_t> indices(static_cast<py::ssize_t>(hits.size()));
  Array<double> scores(static_cast<py::ssize_t>(hits.size()));
  auto* ip = indices.mutable_data();
  auto* sp = scores.mutable_data();
  for (std::size_t i = 0; i < hits.size(); ++i) {
    ip[i] = hits[i].index;
    sp[i] = hits[i].score;
  }
  return py::make_tuple(indices, scores);
}

py::tuple assignment_arrays(const Assignment& a) {
  Array<std::int64_t> col_of_row(static_cast<py::ssize_t>(a.col_of_row.size()));
  Array<std::int64_t> row_of_col(static_cast<py::ssize_t>(a.row_of_col.size()));
  std::copy(a.col_of_row.begin(), a.col_of_row.end(), col_of_row.mutable_data());
  std::copy(a.row_of_col.begin(), a.row_of_col.end(), row_of_col.mutable_data());
  return py::make_tuple(col_of_row, row_of_col, a.total_cost);
}

Objective objective_of(bool maximize) {
  return maximize ? Objective::maximize : Objective::minimize;
}

// Banks keep the referential their documents were resolved against alive (declared first, so
// destroyed last).
struct NativeOfferBank {
  std::shared_ptr<const Referential> referential;
  OfferBank bank;
};
struct NativeProfileBank {
  std::shared_ptr<const Referential> referential;
  ProfileBank bank;
};

// Bank files (docs/matching.md, "Bank files"): save, load, and what a loaded bank holds, for
// both kinds of bank.
template <class Native, class Bank, class Docs>
void bind_bank_file(py::class_<Native, std::shared_ptr<Native>>& cls,
                    const std::vector<Docs>& (Bank::*documents)() const) {
  cls.def(
         "save",
         [](const Native& b, const std::string& path) {
           guarded("MatchingInputError", [&] {
             py::gil_scoped_release release;
             b.bank.save(path);
           });
         },
         py::arg("path"))
      .def_static(
          "load",
          [](std::shared_ptr<Referential> referential, const std::string& path,
             std::size_t threads) {
            return guarded("MatchingInputError", [&] {
              py::gil_scoped_release release;
              return std::make_shared<Native>(
                  Native{referential,
                         Bank::load(path, *referential, {std::max<std::size_t>(1, threads)})});
            });
          },
          py::arg("referential"), py::arg("path"), py::arg("threads"))
      .def("documents",
           [documents](const Native& b) {
             auto out = std::make_shared<Documents<Docs>>();
             out->referential = b.referential;
             out->documents = (b.bank.*documents)();
             for (std::size_t i = 0; i < out->documents.size(); ++i) out->lines.push_back(i + 1);
             return out;
           })
      .def("scoring", [](const Native& b) { return b.bank.config(); });
}

MatchFilters match_filters(const std::vector<std::string>& departements,
                           const std::vector<std::string>& contract_types,
                           std::optional<double> max_km) {
  MatchFilters f;
  f.departements = departements;
  f.contract_types = contract_types;
  f.max_km = max_km;
  return f;
}

// The answers of several queries as columns: one row per listed document, in the queries'
// order then by rank. `query_ids` and `listed_ids` name the two sides.
template <class Query, class Listed>
py::dict ranked_columns(const std::vector<Query>& queries,
                        const std::vector<std::vector<RankedMatch>>& answers,
                        const std::vector<Listed>& listed, const char* query_name,
                        const char* listed_name, const char* listed_index_name) {
  std::size_t rows = 0;
  for (const auto& a : answers) rows += a.size();
  py::list query_ids, listed_ids, reasons;
  Array<std::int64_t> query_index(static_cast<py::ssize_t>(rows));
  Array<std::int64_t> listed_index(static_cast<py::ssize_t>(rows));
  Array<std::int64_t> rank(static_cast<py::ssize_t>(rows));
  Array<double> scores(static_cast<py::ssize_t>(rows));
  std::size_t row = 0;
  for (std::size_t q = 0; q < answers.size(); ++q) {
    py::str qid(queries[q].id);
    for (std::size_t r = 0; r < answers[q].size(); ++r, ++row) {
      const RankedMatch& match = answers[q][r];
      query_ids.append(qid);
      listed_ids.append(listed[match.index].id);
      reasons.append(py::cast(match.score.reasons));
      query_index.mutable_data()[row] = static_cast<std::int64_t>(q);
      listed_index.mutable_data()[row] = static_cast<std::int64_t>(match.index);
      rank.mutable_data()[row] = static_cast<std::int64_t>(r + 1);
      scores.mutable_data()[row] = match.score.score;
    }
  }
  py::dict d;
  d[query_name] = query_ids;
  d[listed_name] = listed_ids;
  d["query_index"] = query_index;
  d[listed_index_name] = listed_index;
  d["rank"] = rank;
  d["score"] = scores;
  d["reason_codes"] = reasons;
  return d;
}

}  // namespace

void bind_matching(py::module_& m) {
  // -- referential ----------------------------------------------------------------------------
  py::class_<Referential, std::shared_ptr<Referential>>(m, "NativeReferential")
      .def_static(
          "load",
          [](const std::string& rome_dir, const std::string& esco_dir) {
            return guarded("ReferentialError", [&] {
              py::gil_scoped_release release;
              return std::make_shared<Referential>(Referential::load(rome_dir, esco_dir));
            });
          },
          py::arg("rome_dir"), py::arg("esco_dir") = std::string())
      .def_property_readonly("statistics",
                             [](const Referential& r) { return statistics_dict(r.statistics()); })
      .def_property_readonly("item_count", &Referential::item_count)
      .def_property_readonly("occupation_count", &Referential::occupation_count)
      .def("item",
           [](const Referential& r, const std::string& code) -> py::object {
             const ItemId id = r.find_item(code);
             if (id == kNoId) return py::none();
             return item_dict(r, id);
           })
      .def("occupation",
           [](const Referential& r, const std::string& code) -> py::object {
             const OccupationId id = r.find_occupation(code);
             if (id == kNoId) return py::none();
             return occupation_dict(r, id);
           })
      .def("items_columns",
           [](const Referential& r) {
             py::list code, label, kind, category;
             for (const Item& item : r.items()) {
               code.append(item.code);
               label.append(item.label);
               kind.append(std::string(item_kind_name(item.kind)));
               category.append(item.category);
             }
             py::dict d;
             d["code"] = code;
             d["label"] = label;
             d["kind"] = kind;
             d["category"] = category;
             return d;
           })
      .def("occupations_columns", [](const Referential& r) {
        py::list code, label, kind, domaine;
        for (const Occupation& o : r.occupations()) {
          code.append(o.code);
          label.append(o.label);
          kind.append(o.kind == OccupationKind::rome_fiche ? "rome_fiche" : "esco_occupation");
          domaine.append(o.domaine);
        }
        py::dict d;
        d["code"] = code;
        d["label"] = label;
        d["kind"] = kind;
        d["domaine"] = domaine;
        return d;
      });

  // -- scoring configuration -------------------------------------------------------------------
  py::class_<ScoringConfig>(m, "NativeScoring")
      .def(py::init<>())
      .def_static(
          "parse",
          [](const std::string& text) {
            return guarded("MatchingInputError", [&] { return parse_scoring(text); });
          },
          py::arg("text"))
      .def("to_dict", &scoring_dict);

  // -- documents ---------------------------------------------------------------------------------
  py::class_<Offer>(m, "NativeOffer")
      .def_readonly("id", &Offer::id)
      .def_readonly("title", &Offer::title)
      .def_readonly("rome_code", &Offer::rome_code)
      .def_readonly("contract_type", &Offer::contract_type)
      .def_readonly("positions", &Offer::positions)
      .def_property_readonly("departement", [](const Offer& o) { return offer_departement(o); })
      .def_property_readonly("place",
                             [](const Offer& o) {
                               py::dict d;
                               d["label"] = o.place.label;
                               d["latitude"] = o.place.latitude;
                               d["longitude"] = o.place.longitude;
                               d["postal_code"] = o.place.postal_code;
                               d["commune"] = o.place.commune;
                               return d;
                             })
      .def_property_readonly(
          "competences",
          [](const Offer& o) {
            py::list out;
            for (const OfferCompetence& c : o.competences)
              out.append(py::make_tuple(c.code, c.label, requirement_name(c.requirement)));
            return out;
          })
      .def_property_readonly("unknown", [](const Offer& o) { return unknown_list(o.unknown); });

  py::class_<Profile>(m, "NativeProfile")
      .def_readonly("id", &Profile::id)
      .def_readonly("target_rome", &Profile::target_rome)
      .def_readonly("contract_types", &Profile::contract_types)
      .def_readonly("max_distance_km", &Profile::max_distance_km)
      .def_property_readonly("departement", [](const Profile& p) { return profile_departement(p); })
      .def_property_readonly("location",
                             [](const Profile& p) {
                               py::dict d;
                               d["latitude"] = p.location.latitude;
                               d["longitude"] = p.location.longitude;
                               d["postal_code"] = p.location.postal_code;
                               d["departement"] = p.location.departement;
                               return d;
                             })
      .def_property_readonly(
          "competences",
          [](const Profile& p) {
            py::list out;
            for (const ProfileCompetence& c : p.competences)
              out.append(py::make_tuple(
                  c.code, std::string(evidence_name(c.evidence)),
                  c.level ? py::object(py::int_(*c.level)) : py::object(py::none())));
            return out;
          })
      .def_property_readonly("unknown", [](const Profile& p) { return unknown_list(p.unknown); });

  bind_documents<Offer, OfferBatch>(m, "NativeOffers", "offer", &OfferBatch::offers,
                                    &load_offers_jsonl, &parse_offer);
  bind_documents<Profile, ProfileBatch>(m, "NativeProfiles", "profile", &ProfileBatch::profiles,
                                        &load_profiles_jsonl, &parse_profile);

  // -- scores and explanations -----------------------------------------------------------------
  m.def(
      "score",
      [](const Profile& profile, const Offer& offer, const Referential& referential,
         const ScoringConfig& config) {
        Score s = guarded("MatchingError", [&] {
          py::gil_scoped_release release;
          return score(profile, offer, referential, config);
        });
        return score_dict(s, offer);
      },
      py::arg("profile"), py::arg("offer"), py::arg("referential"), py::arg("config"));

  // Returns (json, text, summary_text).
  m.def(
      "explain_among_offers",
      [](const Profile& profile, const Offer& offer, const Referential& referential,
         const ScoringConfig& config, const NativeOffers* cohort, const std::string& lang,
         std::size_t top, std::size_t max_reasons) {
        const ExplanationLanguage l = language(lang);
        ExplainOptions options;
        options.top = top;
        options.max_reasons = max_reasons;
        MatchExplanation e = guarded("MatchingError", [&] {
          py::gil_scoped_release release;
          std::span<const Offer> others;
          if (cohort) others = cohort->documents;
          return explain_match(profile, offer, referential, config, others, options);
        });
        return explanation_texts(e, l);
      },
      py::arg("profile"), py::arg("offer"), py::arg("referential"), py::arg("config"),
      py::arg("cohort").none(true), py::arg("lang"), py::arg("top"), py::arg("max_reasons"));
  m.def(
      "explain_among_profiles",
      [](const Profile& profile, const Offer& offer, const Referential& referential,
         const ScoringConfig& config, const NativeProfiles* cohort, const std::string& lang,
         std::size_t top, std::size_t max_reasons) {
        const ExplanationLanguage l = language(lang);
        ExplainOptions options;
        options.top = top;
        options.max_reasons = max_reasons;
        MatchExplanation e = guarded("MatchingError", [&] {
          py::gil_scoped_release release;
          std::span<const Profile> others;
          if (cohort) others = cohort->documents;
          return explain_match(profile, offer, referential, config, others, options);
        });
        return explanation_texts(e, l);
      },
      py::arg("profile"), py::arg("offer"), py::arg("referential"), py::arg("config"),
      py::arg("cohort").none(true), py::arg("lang"), py::arg("top"), py::arg("max_reasons"));

  // -- banks
  // ---------------------------------------------------------------------------------------
  py::class_<NativeOfferBank, std::shared_ptr<NativeOfferBank>> offer_bank(m, "NativeOfferBank");
  bind_bank_file(offer_bank, &OfferBank::offers);
  offer_bank
      .def(py::init(
               [](const NativeOffers& offers, const ScoringConfig& config, std::size_t threads) {
                 return guarded("MatchingInputError", [&] {
                   py::gil_scoped_release release;
                   return std::make_shared<NativeOfferBank>(NativeOfferBank{
                       offers.referential, OfferBank(offers.documents, *offers.referential, config,
                                                     {std::max<std::size_t>(1, threads)})});
                 });
               }),
           py::arg("offers"), py::arg("config"), py::arg("threads") = 1)
      .def("__len__", [](const NativeOfferBank& b) { return b.bank.size(); })
      .def(
          "top_offers",
          [](const NativeOfferBank& b, const py::object& queries, std::size_t k,
             const std::vector<std::string>& departements,
             const std::vector<std::string>& contract_types, std::optional<double> max_km,
             std::size_t threads, const py::object& progress) {
            const MatchFilters filters = match_filters(departements, contract_types, max_km);
            // A whole collection is read in place; a list of documents is copied once.
            std::vector<Profile> listed;
            const std::vector<Profile>* profiles = nullptr;
            if (py::isinstance<NativeProfiles>(queries)) {
              profiles = &queries.cast<const NativeProfiles&>().documents;
            } else {
              listed = queries.cast<std::vector<Profile>>();
              profiles = &listed;
            }
            auto answers = guarded("MatchingInputError", [&] {
              py::gil_scoped_release release;
              MatchBatchOptions options;
              options.threads = threads == 0 ? 1 : threads;
              // progress(done, total), called on this thread with the GIL held.
              if (!progress.is_none())
                options.progress = [&progress](std::size_t done, std::size_t total) {
                  py::gil_scoped_acquire gil;
                  progress(done, total);
                };
              return b.bank.top_offers(*profiles, k, filters, options);
            });
            return ranked_columns(*profiles, answers, b.bank.offers(), "profile_id", "offer_id",
                                  "offer_index");
          },
          py::arg("queries"), py::arg("k"), py::arg("departements"), py::arg("contract_types"),
          py::arg("max_km").none(true), py::arg("threads"), py::arg("progress") = py::none());

  py::class_<NativeProfileBank, std::shared_ptr<NativeProfileBank>> profile_bank(
      m, "NativeProfileBank");
  bind_bank_file(profile_bank, &ProfileBank::profiles);
  profile_bank
      .def(py::init([](const NativeProfiles& profiles, const ScoringConfig& config,
                       std::size_t threads) {
             return guarded("MatchingInputError", [&] {
               py::gil_scoped_release release;
               return std::make_shared<NativeProfileBank>(NativeProfileBank{
                   profiles.referential, ProfileBank(profiles.documents, *profiles.referential,
                                                     config, {std::max<std::size_t>(1, threads)})});
             });
           }),
           py::arg("profiles"), py::arg("config"), py::arg("threads") = 1)
      .def("__len__", [](const NativeProfileBank& b) { return b.bank.size(); })
      .def(
          "top_profiles",
          [](const NativeProfileBank& b, const py::object& queries, std::size_t k,
             const std::vector<std::string>& departements,
             const std::vector<std::string>& contract_types, std::optional<double> max_km,
             std::size_t threads, const py::object& progress) {
            const MatchFilters filters = match_filters(departements, contract_types, max_km);
            // A whole collection is read in place; a list of documents is copied once.
            std::vector<Offer> listed;
            const std::vector<Offer>* offers = nullptr;
            if (py::isinstance<NativeOffers>(queries)) {
              offers = &queries.cast<const NativeOffers&>().documents;
            } else {
              listed = queries.cast<std::vector<Offer>>();
              offers = &listed;
            }
            auto answers = guarded("MatchingInputError", [&] {
              py::gil_scoped_release release;
              MatchBatchOptions options;
              options.threads = threads == 0 ? 1 : threads;
              // progress(done, total), called on this thread with the GIL held.
              if (!progress.is_none())
                options.progress = [&progress](std::size_t done, std::size_t total) {
                  py::gil_scoped_acquire gil;
                  progress(done, total);
                };
              return b.bank.top_profiles(*offers, k, filters, options);
            });
            return ranked_columns(*offers, answers, b.bank.profiles(), "offer_id", "profile_id",
                                  "profile_index");
          },
          py::arg("queries"), py::arg("k"), py::arg("departements"), py::arg("contract_types"),
          py::arg("max_km").none(true), py::arg("threads"), py::arg("progress") = py::none());

  // The pair of a query document and the bank's document `index`, ranked by the bank's search
  // (no cohort scoring): (json, text, summary, employer), or None when the bank never lists
  // the pair (a hard constraint or the filters exclude it).
  auto explain_in = [](const auto& bank, const auto& query, std::size_t index,
                       const char* out_of_range, const std::vector<std::string>& departements,
                       const std::vector<std::string>& contract_types, std::optional<double> max_km,
                       const std::string& lang, std::size_t top,
                       std::size_t max_reasons) -> py::object {
    const ExplanationLanguage l = language(lang);
    const MatchFilters filters = match_filters(departements, contract_types, max_km);
    ExplainOptions options;
    options.top = top;
    options.max_reasons = max_reasons;
    if (index >= bank.size()) throw py::index_error(out_of_range);
    auto e = guarded("MatchingError", [&] {
      py::gil_scoped_release release;
      return explain_in_bank(bank, query, index, filters, options);
    });
    if (!e) return py::none();
    return explanation_texts(*e, l);
  };
  m.def(
      "explain_in_offer_bank",
      [explain_in](const NativeOfferBank& b, const Profile& profile, std::size_t index,
                   const std::vector<std::string>& departements,
                   const std::vector<std::string>& contract_types, std::optional<double> max_km,
                   const std::string& lang, std::size_t top, std::size_t max_reasons) {
        return explain_in(b.bank, profile, index, "offer index out of range", departements,
                          contract_types, max_km, lang, top, max_reasons);
      },
      py::arg("bank"), py::arg("profile"), py::arg("index"), py::arg("departements"),
      py::arg("contract_types"), py::arg("max_km").none(true), py::arg("lang"), py::arg("top"),
      py::arg("max_reasons"));
  m.def(
      "explain_in_profile_bank",
      [explain_in](const NativeProfileBank& b, const Offer& offer, std::size_t index,
                   const std::vector<std::string>& departements,
                   const std::vector<std::string>& contract_types, std::optional<double> max_km,
                   const std::string& lang, std::size_t top, std::size_t max_reasons) {
        return explain_in(b.bank, offer, index, "profile index out of range", departements,
                          contract_types, max_km, lang, top, max_reasons);
      },
      py::arg("bank"), py::arg("offer"), py::arg("index"), py::arg("departements"),
      py::arg("contract_types"), py::arg("max_km").none(true), py::arg("lang"), py::arg("top"),
      py::arg("max_reasons"));

  // -- numeric competence index ----------------------------------------------------------------
  py::class_<NativeIndex, std::shared_ptr<NativeIndex>>(m, "NativeCompetenceIndex")
      .def(py::init([](const Array<std::int64_t>& indptr, const Array<std::uint32_t>& items,
                       const Array<double>& weights, const Array<double>& lat,
                       const Array<double>& lon, const Array<std::uint32_t>& departement,
                       const Array<std::uint32_t>& contract_mask, const Array<double>& max_km) {
             check_length(weights, static_cast<std::size_t>(items.size()), "weights");
             check_offsets(indptr, static_cast<std::size_t>(items.size()), "entry");
             const std::size_t n = static_cast<std::size_t>(indptr.size()) - 1;
             check_length(lat, n, "lat");
             check_length(lon, n, "lon");
             check_length(departement, n, "departement");
             check_length(contract_mask, n, "contract_mask");
             check_length(max_km, n, "max_km");
             return guarded("MatchingInputError", [&] {
               py::gil_scoped_release release;
               const std::int64_t* p = indptr.data();
               std::vector<IndexEntry> entries(n);
               for (std::size_t e = 0; e < n; ++e) {
                 const auto begin = static_cast<std::size_t>(p[e]);
                 const auto count = static_cast<std::size_t>(p[e + 1] - p[e]);
                 entries[e].items = {items.data() + begin, count};
                 entries[e].weights = {weights.data() + begin, count};
                 entries[e].location = {lat.data()[e], lon.data()[e]};
                 entries[e].departement = departement.data()[e];
                 entries[e].contract_mask = contract_mask.data()[e];
                 entries[e].max_km = max_km.data()[e];
               }
               return std::make_shared<NativeIndex>(NativeIndex{CompetenceIndex::build(entries)});
             });
           }),
           py::arg("indptr"), py::arg("items"), py::arg("weights"), py::arg("lat"), py::arg("lon"),
           py::arg("departement"), py::arg("contract_mask"), py::arg("max_km"))
      .def("__len__", [](const NativeIndex& i) { return i.index.size(); })
      .def_property_readonly("item_count",
                             [](const NativeIndex& i) { return i.index.item_count(); })
      .def_property_readonly("nonzeros", [](const NativeIndex& i) { return i.index.nonzeros(); })
      .def(
          "top_k",
          [](const NativeIndex& i, const Array<std::uint32_t>& items, const Array<double>& weights,
             std::size_t k, std::optional<std::pair<double, double>> origin, double max_km,
             const std::vector<std::uint32_t>& departements, std::uint32_t contract_mask) {
            check_length(weights, static_cast<std::size_t>(items.size()), "weights");
            RetrievalQuery q{{items.data(), static_cast<std::size_t>(items.size())},
                             {weights.data(), static_cast<std::size_t>(weights.size())}};
            RetrievalFilters f;
            if (origin) f.origin = GeoPoint{origin->first, origin->second};
            f.max_km = max_km;
            f.departements = departements;
            f.contract_mask = contract_mask;
            std::vector<Hit> hits = guarded("MatchingInputError", [&] {
              py::gil_scoped_release release;
              return i.index.top_k(q, k, f);
            });
            return hits_arrays(hits);
          },
          py::arg("items"), py::arg("weights"), py::arg("k"), py::arg("origin").none(true),
          py::arg("max_km"), py::arg("departements"), py::arg("contract_mask"))
      .def(
          "batch_top_k",
          [](const NativeIndex& i, const Array<std::int64_t>& indptr,
             const Array<std::uint32_t>& items, const Array<double>& weights, std::size_t k,
             const Array<double>& origin_lat, const Array<double>& origin_lon,
             const Array<double>& max_km, const Array<std::uint32_t>& contract_mask,
             const std::vector<std::uint32_t>& departements, std::size_t threads) {
            check_length(weights, static_cast<std::size_t>(items.size()), "weights");
            check_offsets(indptr, static_cast<std::size_t>(items.size()), "query");
            const std::size_t n = static_cast<std::size_t>(indptr.size()) - 1;
            check_length(origin_lat, n, "origin_lat");
            check_length(origin_lon, n, "origin_lon");
            check_length(max_km, n, "max_km");
            check_length(contract_mask, n, "contract_mask");
            if (k == 0) bad_input(ErrorCode::invalid_argument, "k must be at least 1", "/k");
            Array<std::int64_t> out_index(
                {static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(k)});
            Array<double> out_score({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(k)});
            std::int64_t* oi = out_index.mutable_data();
            double* os = out_score.mutable_data();
            guarded("MatchingInputError", [&] {
              py::gil_scoped_release release;
              const std::int64_t* p = indptr.data();
              std::vector<BatchQuery> queries(n);
              for (std::size_t q = 0; q < n; ++q) {
                const auto begin = static_cast<std::size_t>(p[q]);
                const auto count = static_cast<std::size_t>(p[q + 1] - p[q]);
                queries[q].query = {{items.data() + begin, count}, {weights.data() + begin, count}};
                const double la = origin_lat.data()[q], lo = origin_lon.data()[q];
                // NaN: no origin for this query.
                if (!std::isnan(la) || !std::isnan(lo))
                  queries[q].filters.origin = GeoPoint{la, lo};
                queries[q].filters.max_km = max_km.data()[q];
                queries[q].filters.departements = departements;
                queries[q].filters.contract_mask = contract_mask.data()[q];
              }
              BatchOptions options;
              options.k = k;
              options.threads = threads == 0 ? 1 : threads;
              std::vector<std::vector<Hit>> hits = batch_top_k(i.index, queries, options);
              for (std::size_t q = 0; q < n; ++q)
                for (std::size_t r = 0; r < k; ++r) {
                  const bool hit = r < hits[q].size();
                  oi[q * k + r] = hit ? static_cast<std::int64_t>(hits[q][r].index) : -1;
                  os[q * k + r] = hit ? hits[q][r].score : std::numeric_limits<double>::quiet_NaN();
                }
            });
            return py::make_tuple(out_index, out_score);
          },
          py::arg("indptr"), py::arg("items"), py::arg("weights"), py::arg("k"),
          py::arg("origin_lat"), py::arg("origin_lon"), py::arg("max_km"), py::arg("contract_mask"),
          py::arg("departements"), py::arg("threads"));

  // -- assignment
  // ----------------------------------------------------------------------------------
  m.def(
      "dense_assignment",
      [](const Array<double>& costs, bool maximize) {
        if (costs.ndim() != 2)
          bad_input(ErrorCode::dimension_mismatch, "the cost matrix must be 2-D", "/costs");
        const auto rows = static_cast<std::size_t>(costs.shape(0));
        const auto cols = static_cast<std::size_t>(costs.shape(1));
        Assignment a = guarded("MatchingInputError", [&] {
          py::gil_scoped_release release;
          return solve_dense_assignment({costs.data(), rows * cols}, rows, cols,
                                        objective_of(maximize));
        });
        return assignment_arrays(a);
      },
      py::arg("costs"), py::arg("maximize"));
  m.def(
      "sparse_assignment",
      [](std::size_t n_rows, std::size_t n_cols, const Array<std::int64_t>& indptr,
         const Array<std::int32_t>& indices, const Array<double>& values, bool maximize) {
        check_length(values, static_cast<std::size_t>(indices.size()), "values");
        check_length(indptr, n_rows + 1, "indptr");
        Assignment a = guarded("MatchingInputError", [&] {
          py::gil_scoped_release release;
          CsrView view;
          view.n_rows = n_rows;
          view.n_cols = n_cols;
          view.indptr = {indptr.data(), static_cast<std::size_t>(indptr.size())};
          view.indices = {indices.data(), static_cast<std::size_t>(indices.size())};
          view.values = {values.data(), static_cast<std::size_t>(values.size())};
          return solve_sparse_assignment(view, objective_of(maximize));
        });
        return assignment_arrays(a);
      },
      py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"), py::arg("indices"),
      py::arg("values"), py::arg("maximize"));
  m.def(
      "capacitated_assignment",
      [](std::size_t n_persons, const Array<std::uint32_t>& positions, std::uint32_t max_per_person,
         const Array<std::uint32_t>& persons, const Array<std::uint32_t>& offers,
         const Array<double>& costs, bool maximize) {
        const auto n = static_cast<std::size_t>(persons.size());
        check_length(offers, n, "offers");
        check_length(costs, n, "costs");
        CapacitatedAssignment a = guarded("MatchingInputError", [&] {
          py::gil_scoped_release release;
          std::vector<CandidateEdge> edges(n);
          for (std::size_t e = 0; e < n; ++e)
            edges[e] = {persons.data()[e], offers.data()[e], costs.data()[e]};
          return solve_capacitated_assignment(
              n_persons, {positions.data(), static_cast<std::size_t>(positions.size())},
              max_per_person, edges, objective_of(maximize));
        });
        const auto m_pairs = static_cast<py::ssize_t>(a.pairs.size());
        Array<std::int64_t> person(m_pairs), offer(m_pairs);
        Array<double> cost(m_pairs);
        for (std::size_t e = 0; e < a.pairs.size(); ++e) {
          person.mutable_data()[e] = a.pairs[e].person;
          offer.mutable_data()[e] = a.pairs[e].offer;
          cost.mutable_data()[e] = a.pairs[e].cost;
        }
        return py::make_tuple(person, offer, cost, a.total_cost);
      },
      py::arg("n_persons"), py::arg("positions"), py::arg("max_per_person"), py::arg("persons"),
      py::arg("offers"), py::arg("costs"), py::arg("maximize"));
  m.def(
      "stable_matching",
      [](const std::vector<std::vector<std::uint32_t>>& person_prefs,
         const std::vector<std::vector<std::uint32_t>>& offer_prefs,
         const Array<std::uint32_t>& capacity, bool offers_propose) {
        StableMatching s = guarded("MatchingInputError", [&] {
          py::gil_scoped_release release;
          return deferred_acceptance(person_prefs, offer_prefs,
                                     {capacity.data(), static_cast<std::size_t>(capacity.size())},
                                     offers_propose ? Proposing::offers : Proposing::persons);
        });
        Array<std::int64_t> offer_of_person(static_cast<py::ssize_t>(s.offer_of_person.size()));
        std::copy(s.offer_of_person.begin(), s.offer_of_person.end(),
                  offer_of_person.mutable_data());
        py::list persons_of_offer;
        for (const auto& persons : s.persons_of_offer) {
          Array<std::int64_t> a(static_cast<py::ssize_t>(persons.size()));
          std::copy(persons.begin(), persons.end(), a.mutable_data());
          persons_of_offer.append(a);
        }
        return py::make_tuple(offer_of_person, persons_of_offer);
      },
      py::arg("person_prefs"), py::arg("offer_prefs"), py::arg("capacity"),
      py::arg("offers_propose"));
}

}  // namespace aiguillage::python
