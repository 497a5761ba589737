// Exact top-k by the full score, with the competence index as a source of upper bounds.
//
// For offers (a person's query) the bound is tight: an offer's entry weighs each of its
// competences by weight / count of its kind, the query carries the person's best credit ×
// evidence for every item they reach, so the retrieval score is the competence part of the
// score itself. For persons (an offer's query) the entry holds the person's items with their
// evidence factor and the query gives each item the credit it earns toward the offer's
// competences, summed: that can only overstate the competence part (the score takes the best
// item per competence, the sum takes them all), so it is capped by the competences' weights.
// Either way every other term is at most its weight and a penalty is never positive.
#include "aiguillage/matching/matcher.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "aiguillage/core/error.hpp"
#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/retrieval.hpp"
#include "core/parallel.hpp"
#include "matching/bank_codec.hpp"
#include "matching/bank_file.hpp"
#include "matching/geo_cells.hpp"
#include "matching/profile_tables.hpp"
#include "matching/retrieval_postings.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

// An item no referential holds: the part of the competence terms every document of an entry
// gets whatever it holds (an offer asking for no competence of a kind scores 1 on that term).
constexpr ItemId kAlways = 0xFFFFFFFEu;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Distances are checked by the index with its own formula: a radius that only serves to skip
// documents the score would exclude is widened by this much, so that the score decides.
constexpr double kRadiusSlack = 1e-6;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string departement_of_postal_code(std::string_view pc) {
  if (pc.size() != 5 || !all_digits(pc)) return "";
  if (pc.substr(0, 2) == "97" || pc.substr(0, 2) == "98") return std::string(pc.substr(0, 3));
  if (pc.substr(0, 2) == "20") return pc[2] <= '1' ? "2A" : "2B";
  return std::string(pc.substr(0, 2));
}

bool is_departement_code(std::string_view s) {
  return ((s.size() == 2 || s.size() == 3) && all_digits(s)) || s == "2A" || s == "2B";
}

void check_query(std::size_t k, const MatchFilters& filters) {
  if (k == 0) throw Error(ErrorCode::invalid_argument, "k must be at least 1", "/k");
  if (filters.max_km && (std::isnan(*filters.max_km) || *filters.max_km < 0))
    throw Error(ErrorCode::invalid_argument, "max_km must be >= 0", "/filters/max_km");
}

std::optional<GeoPoint> point(std::optional<double> lat, std::optional<double> lon) {
  if (!lat || !lon) return std::nullopt;
  return GeoPoint{*lat, *lon};
}

// Items for the terms other than competences that the index also carries, above every real
// item id: project (per fiche), experience (per fiche), diploma level, contract type, working
// time. Each is matched with weight 1 on one side and the term's weight (or a share of it) on
// the other, so the retrieval score carries those terms too (exactly, or from above).
constexpr ItemId kProject = 0x80000000u, kExperience = 0x90000000u, kDiploma = 0xA0000000u,
                 kContract = 0xB0000000u, kTime = 0xC0000000u;
constexpr ItemId kAnyContract = kContract + 0x0FFFFFFFu, kAnyTime = kTime + 0x0FFFFFFFu;

double w(const ScoringConfig& config, ScoreTermKind k) {
  return config.weight(k);
}

// A term the index carries only when its weight is positive; a term with a negative weight adds
// at most 0.
bool indexed(const ScoringConfig& config, ScoreTermKind k) {
  return w(config, k) > 0;
}

// What the terms the index does not carry (languages, licences, distance) add at most.
double upper_bound_of_other_terms(const ScoringConfig& config) {
  double u = config.intercept;
  for (ScoreTermKind k :
       {ScoreTermKind::languages, ScoreTermKind::licences, ScoreTermKind::distance})
    u += std::max(w(config, k), 0.0);
  return u;
}

bool competence_weights_usable(const ScoringConfig& config) {
  return config.weight(ScoreTermKind::required_competences) >= 0 &&
         config.weight(ScoreTermKind::desired_competences) >= 0;
}

// Codes of départements and contract types, numbered for the index (0: none).
class Codes {
 public:
  std::uint32_t departement(const std::string& d) {
    if (d.empty()) return 0;
    auto [it, inserted] =
        departements_.try_emplace(d, static_cast<std::uint32_t>(departements_.size() + 1));
    if (inserted) departement_names_.push_back(d);
    return it->second;
  }
  std::optional<std::uint32_t> find_departement(const std::string& d) const {
    auto it = departements_.find(d);
    return it == departements_.end() ? std::nullopt : std::optional(it->second);
  }
  // The département of a code (0: "").
  const std::string& departement_name(std::uint32_t code) const {
    static const std::string none;
    return code == 0 ? none : departement_names_[code - 1];
  }
  std::size_t departement_count() const { return departement_names_.size(); }
  // Contract types are numbered in the order seen.
  std::uint32_t contract_id(const std::string& c) {
    auto [it, inserted] = contracts_.try_emplace(c, static_cast<std::uint32_t>(contracts_.size()));
    if (inserted) contract_names_.push_back(c);
    return it->second;
  }
  std::optional<std::uint32_t> find_contract_id(const std::string& c) const {
    auto it = contracts_.find(c);
    return it == contracts_.end() ? std::nullopt : std::optional(it->second);
  }
  std::uint32_t contract_count() const { return static_cast<std::uint32_t>(contracts_.size()); }
  // Bit of a contract type in the index's masks: the first 31 types get their own, the others
  // share bit 31 (the exact type is checked afterwards).
  static std::uint32_t bit(std::uint32_t id) { return id < 31 ? 1u << id : 1u << 31; }
  std::uint32_t contract_bit(const std::string& c) { return bit(contract_id(c)); }
  std::uint32_t find_contract_bit(const std::string& c) const {
    auto id = find_contract_id(c);
    return id ? bit(*id) : 0;
  }

  // A bank file's section: both lists in their numbering order, and back.
  std::string encode() const {
    detail::Encoder e;
    for (const auto* names : {&departement_names_, &contract_names_}) {
      e.u32(static_cast<std::uint32_t>(names->size()));
      for (const auto& x : *names) e.str(x);
    }
    return std::move(e.out);
  }
  static Codes decode(std::string_view bytes) {
    detail::Decoder d(bytes, "codes");
    Codes c;
    for (std::size_t x = d.count(4); x > 0; --x) {
      const std::string name = d.str();
      if (name.empty() || c.find_departement(name)) d.fail("a département is empty or twice");
      c.departement(name);
    }
    for (std::size_t x = d.count(4); x > 0; --x) {
      const std::string name = d.str();
      if (c.find_contract_id(name)) d.fail("a contract type is listed twice");
      c.contract_id(name);
    }
    d.finish();
    return c;
  }

 private:
  std::unordered_map<std::string, std::uint32_t> departements_, contracts_;
  std::vector<std::string> departement_names_, contract_names_;
};

// One document's entry, with its own storage for the index's spans.
struct EntryData {
  std::vector<ItemId> items;
  std::vector<double> weights;
  void add(ItemId item, double weight) {
    if (!(weight > 0)) return;
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i] == item) {
        weights[i] += weight;
        return;
      }
    items.push_back(item);
    weights.push_back(weight);
  }
  // The item once, with the larger of its weights.
  void add_max(ItemId item, double weight) {
    if (!(weight > 0)) return;
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i] == item) {
        weights[i] = std::max(weights[i], weight);
        return;
      }
    items.push_back(item);
    weights.push_back(weight);
  }
};

// The documents of a bank split by whether their location is known, each part indexed.
struct Store {
  std::optional<CompetenceIndex> located, unlocated;
  std::vector<std::size_t> located_doc, unlocated_doc;  // entry → document
  std::vector<std::uint32_t> departement;               // per document
  std::vector<std::uint32_t> contract_mask;             // per document
  Codes codes;
  bool indexed = false;  // false: every query scores every document

  // `entries[d]` is document d's entry, its location set when `located[d]`.
  void build(std::span<const IndexEntry> entries, std::span<const char> is_located) {
    std::vector<IndexEntry> with, without;
    for (std::size_t d = 0; d < entries.size(); ++d) {
      if (is_located[d]) {
        with.push_back(entries[d]);
        located_doc.push_back(d);
      } else {
        without.push_back(entries[d]);
        unlocated_doc.push_back(d);
      }
    }
    located = CompetenceIndex::build(with);
    unlocated = CompetenceIndex::build(without);
    indexed = true;
  }
};

// A query's filters in the index's terms, and the user's filters checked exactly.
struct Plan {
  RetrievalQuery query;
  RetrievalFilters located, unlocated;
  bool use_unlocated = true;
  double fixed = 0;      // the bound's part that does not depend on the document
  double cap = kInf;     // the retrieval score counts for at most this much
  bool nothing = false;  // a filter no document can pass
};

// The filters' codes; `nothing` when a list names only codes no document has. A contract type
// no document names gets `unknown_contract_bit` (persons who name none accept it).
void plan_codes(const Store& store, const MatchFilters& filters, Plan& plan,
                std::uint32_t unknown_contract_bit) {
  std::vector<std::uint32_t> depts;
  for (const auto& d : filters.departements)
    if (auto id = store.codes.find_departement(d)) depts.push_back(*id);
  if (!filters.departements.empty() && depts.empty()) plan.nothing = true;
  std::uint32_t mask = 0;
  for (const auto& c : filters.contract_types) {
    const std::uint32_t bit = store.codes.find_contract_bit(c);
    mask |= bit ? bit : unknown_contract_bit;
  }
  if (!filters.contract_types.empty() && mask == 0) plan.nothing = true;
  for (RetrievalFilters* f : {&plan.located, &plan.unlocated}) {
    f->departements = depts;
    f->contract_mask = mask;
  }
}

struct Candidate {
  std::size_t doc;
  double score;
};

// Top-k by the full score: candidates in order of their bound from the index, scored by
// `score_doc` (a Score of which only `score` and `excluded` are read), until the k-th best beats
// every bound left. `passes` checks the user's filters exactly; `id` gives the tie-breaking id.
// When `delta` > 0 the scores are within delta of the true ones: the answer is then every
// candidate that may belong to the true top k (those within 2 delta of the k-th), unsorted, for
// the caller to score exactly.
template <class ScoreDoc, class Passes, class Id>
std::vector<Candidate> search(const Store& store, std::size_t n_docs, const Plan& plan,
                              std::size_t k, double delta, const ScoreDoc& score_doc,
                              const Passes& passes, const Id& id,
                              MatchSearchStatistics* statistics) {
  MatchSearchStatistics local;
  MatchSearchStatistics& stats = statistics ? *statistics : local;
  stats = {};
  std::vector<Candidate> heap;  // the best k so far, the worst on top
  std::vector<Candidate> all;   // with delta > 0: every candidate not excluded
  if (plan.nothing) return heap;
  auto worse = [&](const Candidate& a, const Candidate& b) {
    return ranks_before(false, a.score, id(a.doc), false, b.score, id(b.doc));
  };
  std::vector<char> seen(n_docs, 0);
  auto consider = [&](std::size_t doc) {
    if (seen[doc]) return;
    seen[doc] = 1;
    if (!passes(doc)) return;
    ++stats.scored;
    const Score s = score_doc(doc);
    if (s.excluded) return;
    const Candidate c{doc, s.score};
    if (delta > 0) all.push_back(c);
    if (heap.size() < k) {
      heap.push_back(c);
      std::push_heap(heap.begin(), heap.end(), worse);
    } else if (worse(c, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      heap.back() = c;
      std::push_heap(heap.begin(), heap.end(), worse);
    }
  };
  bool scan = !store.indexed;
  if (store.indexed) {
    std::size_t m = std::max<std::size_t>(64, 4 * k);
    for (;;) {
      ++stats.rounds;
      double next = 0;  // the retrieval score no document left can exceed
      bool exhausted = true;
      auto round = [&](const CompetenceIndex& index, const std::vector<std::size_t>& doc,
                       const RetrievalFilters& filters) {
        const std::vector<Hit> hits = index.top_k(plan.query, m, filters);
        for (const Hit& h : hits) consider(doc[h.index]);
        if (hits.size() == m) {
          exhausted = false;
          next = std::max(next, hits.back().score);
        }
      };
      round(*store.located, store.located_doc, plan.located);
      if (plan.use_unlocated) round(*store.unlocated, store.unlocated_doc, plan.unlocated);
      const double bound = plan.fixed + std::min(next, plan.cap);
      if (heap.size() == k && heap.front().score - delta > bound + 1e-9 * (1 + std::abs(bound)))
        break;
      if (exhausted) {
        scan = true;
        break;
      }
      m *= 4;
    }
  }
  if (scan) {
    stats.full_scan = true;
    for (std::size_t d = 0; d < n_docs; ++d) consider(d);
  }
  if (delta > 0) {
    if (heap.size() < k) return all;
    const double floor = heap.front().score - 2 * delta;
    std::vector<Candidate> near;
    for (const Candidate& c : all)
      if (c.score >= floor) near.push_back(c);
    return near;
  }
  std::sort_heap(heap.begin(), heap.end(), worse);
  return heap;
}

// Runs fn(i) for i in [0, n) on `threads` threads (the project's run_on_threads), each thread
// taking the next query as it finishes one; progress is reported on the calling thread (thread
// 0) between its queries, and once more with done == n after every thread has finished. After a
// failure the threads take no new query and the first exception is rethrown.
template <class Fn>
void parallel_for(std::size_t n, const MatchBatchOptions& options, const Fn& fn) {
  const std::size_t threads = std::max<std::size_t>(1, std::min(options.threads, n));
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> stop{false};
  std::size_t reported = 0;
  detail::run_on_threads(threads, [&](std::size_t t) {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n || stop.load()) break;
      try {
        fn(i);
      } catch (...) {
        stop = true;
        throw;
      }
      const std::size_t d = done.fetch_add(1) + 1;
      if (t == 0 && options.progress && d < n && d != reported) {
        reported = d;
        try {
          options.progress(d, n);
        } catch (...) {
          stop = true;
          throw;
        }
      }
    }
  });
  if (options.progress) options.progress(n, n);
}

template <class Bank, class Query, class Top>
std::vector<std::vector<RankedMatch>> batch(const Bank& bank, std::span<const Query> queries,
                                            std::size_t k, const MatchFilters& filters,
                                            const MatchBatchOptions& options, const Top& top) {
  check_query(k, filters);
  std::vector<std::vector<RankedMatch>> out(queries.size());
  parallel_for(queries.size(), options, [&](std::size_t i) {
    try {
      out[i] = top(bank, queries[i]);
    } catch (const Error& e) {
      throw Error(e.code(), e.message(), "/queries/" + std::to_string(i) + e.pointer());
    }
  });
  return out;
}

}  // namespace

std::string offer_departement(const Offer& offer) {
  const std::string& label = offer.place.label;
  const auto dash = label.find(" - ");
  if (dash != std::string::npos && is_departement_code(std::string_view(label).substr(0, dash)))
    return label.substr(0, dash);
  return departement_of_postal_code(offer.place.postal_code);
}

std::string profile_departement(const Profile& profile) {
  if (!profile.location.departement.empty()) return profile.location.departement;
  return departement_of_postal_code(profile.location.postal_code);
}

// ---- offers ---------------------------------------------------------------------------------

struct OfferBank::Impl {
  std::vector<Offer> offers;
  const Referential* referential;
  ScoringConfig config;
  Store store;
  double other_terms = 0;
};

namespace {

// Entries of a range of offers, stored one after the other.
struct EntryChunk {
  std::vector<ItemId> items;
  std::vector<double> weights;
  std::vector<std::size_t> ends;  // per offer of the range, the end of its entry
};

// An offer's entry: each competence's share of its term's weight, and the other indexed terms.
void offer_entry(const Offer& offer, const ScoringConfig& cf, const Codes& codes, EntryData& data) {
  data.items.clear();
  data.weights.clear();
  std::size_t count[2] = {0, 0};
  for (const auto& c : offer.competences)
    if (c.item != kNoId) ++count[c.requirement == Requirement::required ? 0 : 1];
  const double wc[2] = {cf.weight(ScoreTermKind::required_competences),
                        cf.weight(ScoreTermKind::desired_competences)};
  for (const auto& c : offer.competences) {
    if (c.item == kNoId) continue;
    const int r = c.requirement == Requirement::required ? 0 : 1;
    data.add(c.item, wc[r] / static_cast<double>(count[r]));
  }
  double always = (count[0] ? 0 : wc[0]) + (count[1] ? 0 : wc[1]);
  if (indexed(cf, ScoreTermKind::project_fit) && offer.occupation != kNoId)
    data.add(kProject + offer.occupation, w(cf, ScoreTermKind::project_fit));
  if (indexed(cf, ScoreTermKind::experience)) {
    const int needed = offer.experience_months.value_or(12);
    if (offer.experience == ExperienceRequirement::beginner_accepted || needed <= 0)
      always += w(cf, ScoreTermKind::experience);
    else if (offer.occupation != kNoId)
      data.add(kExperience + offer.occupation, w(cf, ScoreTermKind::experience));
  }
  if (indexed(cf, ScoreTermKind::diploma)) {
    int asked = 0;
    for (const auto& f : offer.formations) asked = std::max(asked, f.level);
    data.add(kDiploma + static_cast<ItemId>(asked), w(cf, ScoreTermKind::diploma));
  }
  if (indexed(cf, ScoreTermKind::contract)) {
    const double half = w(cf, ScoreTermKind::contract) * 0.5;
    if (offer.contract_type.empty())
      always += half;
    else
      data.add(kContract + *codes.find_contract_id(offer.contract_type), half);
    if (offer.working_time == WorkingTime::unknown)
      always += half;
    else
      data.add(kTime + static_cast<ItemId>(offer.working_time), half);
  }
  data.add(kAlways, always);
}

// Threads worth starting for n documents.
std::size_t build_threads(const BankBuildOptions& options, std::size_t n) {
  return std::max<std::size_t>(1, std::min(options.threads, n / 4096 + 1));
}

}  // namespace

OfferBank::OfferBank(std::vector<Offer> offers, const Referential& referential,
                     ScoringConfig config)
    : OfferBank(std::move(offers), referential, std::move(config), BankBuildOptions{}) {}

OfferBank::OfferBank(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OfferBank::OfferBank(std::vector<Offer> offers, const Referential& referential,
                     ScoringConfig config, const BankBuildOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& b = *impl_;
  b.offers = std::move(offers);
  b.referential = &referential;
  b.config = std::move(config);
  b.other_terms = upper_bound_of_other_terms(b.config);
  const std::size_t n = b.offers.size();
  // Codes are numbered in document order, so that the bank is the same on any thread count.
  b.store.departement.resize(n);
  b.store.contract_mask.resize(n);
  for (std::size_t o = 0; o < n; ++o) {
    const Offer& offer = b.offers[o];
    b.store.departement[o] = b.store.codes.departement(offer_departement(offer));
    b.store.contract_mask[o] =
        offer.contract_type.empty() ? 0 : b.store.codes.contract_bit(offer.contract_type);
  }
  if (!competence_weights_usable(b.config)) return;
  // Each thread computes the entries of one range of offers.
  const std::size_t threads = build_threads(options, n);
  std::vector<EntryChunk> chunks(threads);
  std::vector<IndexEntry> entries(n);
  std::vector<char> located(n, 0);
  detail::run_on_threads(threads, [&](std::size_t t) {
    const std::size_t lo = n * t / threads, hi = n * (t + 1) / threads;
    EntryChunk& chunk = chunks[t];
    chunk.ends.reserve(hi - lo);
    EntryData data;
    for (std::size_t o = lo; o < hi; ++o) {
      offer_entry(b.offers[o], b.config, b.store.codes, data);
      chunk.items.insert(chunk.items.end(), data.items.begin(), data.items.end());
      chunk.weights.insert(chunk.weights.end(), data.weights.begin(), data.weights.end());
      chunk.ends.push_back(chunk.items.size());
    }
    std::size_t begin = 0;
    for (std::size_t o = lo; o < hi; ++o) {
      const std::size_t end = chunk.ends[o - lo];
      IndexEntry& e = entries[o];
      e.items = std::span<const ItemId>(chunk.items).subspan(begin, end - begin);
      e.weights = std::span<const double>(chunk.weights).subspan(begin, end - begin);
      e.departement = b.store.departement[o];
      e.contract_mask = b.store.contract_mask[o];
      const auto at = point(b.offers[o].place.latitude, b.offers[o].place.longitude);
      if (at) {
        e.location = *at;
        located[o] = 1;
      }
      begin = end;
    }
  });
  b.store.build(entries, located);
}

OfferBank::OfferBank(OfferBank&&) noexcept = default;
OfferBank& OfferBank::operator=(OfferBank&&) noexcept = default;
OfferBank::~OfferBank() = default;
std::size_t OfferBank::size() const noexcept {
  return impl_->offers.size();
}
const std::vector<Offer>& OfferBank::offers() const noexcept {
  return impl_->offers;
}
const ScoringConfig& OfferBank::config() const noexcept {
  return impl_->config;
}
const Referential& OfferBank::referential() const noexcept {
  return *impl_->referential;
}

std::vector<RankedMatch> OfferBank::top_offers(const Profile& profile, std::size_t k,
                                               const MatchFilters& filters,
                                               MatchSearchStatistics* statistics) const {
  check_query(k, filters);
  const Impl& b = *impl_;
  const detail::ProfileTables tables(profile, *b.referential, b.config);

  // The query: the person's best credit × evidence for every item they reach.
  std::vector<std::pair<ItemId, double>> reach;
  for (const auto& group : tables.credits)
    if (group)
      for (const auto& [item, c] : group->items()) reach.emplace_back(item, 0.0);
  std::sort(reach.begin(), reach.end());
  reach.erase(std::unique(reach.begin(), reach.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              reach.end());
  std::vector<ItemId> items;
  std::vector<double> weights;
  for (auto& [item, w] : reach) {
    const double c = tables.credit(item);
    if (c > 0) {
      items.push_back(item);
      weights.push_back(c);
    }
  }
  // The other indexed terms: what this person would get from each kind of offer.
  std::vector<std::pair<ItemId, double>> terms;
  const ScoringConfig& cf = b.config;
  if (indexed(cf, ScoreTermKind::project_fit))
    for (const auto& [fiche, steps] : tables.steps)
      terms.emplace_back(kProject + fiche, std::pow(cf.project_decay, steps));
  if (indexed(cf, ScoreTermKind::experience))
    for (const auto& e : profile.experience)
      if (e.occupation != kNoId && e.months > 0) terms.emplace_back(kExperience + e.occupation, 1);
  if (indexed(cf, ScoreTermKind::diploma)) {
    int best = 0;
    for (const auto& d : profile.diplomas) best = std::max(best, d.level);
    for (int level = 0; level <= best; ++level)
      terms.emplace_back(kDiploma + static_cast<ItemId>(level), 1);
  }
  if (indexed(cf, ScoreTermKind::contract)) {
    if (profile.contract_types.empty()) {
      for (std::uint32_t id = 0; id < b.store.codes.contract_count(); ++id)
        terms.emplace_back(kContract + id, 1);
    } else {
      for (const auto& c : profile.contract_types)
        if (auto id = b.store.codes.find_contract_id(c)) terms.emplace_back(kContract + *id, 1);
    }
    for (WorkingTime t : {WorkingTime::full_time, WorkingTime::part_time})
      if (profile.working_times.empty() ||
          std::find(profile.working_times.begin(), profile.working_times.end(), t) !=
              profile.working_times.end())
        terms.emplace_back(kTime + static_cast<ItemId>(t), 1);
  }
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              terms.end());
  for (const auto& [item, q] : terms) {
    items.push_back(item);
    weights.push_back(q);
  }
  items.push_back(kAlways);
  weights.push_back(1.0);

  Plan plan;
  plan.query = {items, weights};
  plan.fixed = b.other_terms;
  plan_codes(b.store, filters, plan, 0);
  const auto origin = point(profile.location.latitude, profile.location.longitude);
  if (origin) {
    double radius = filters.max_km.value_or(kInf);
    // Offers the score would exclude as too far need not be scored.
    if (b.config.distance.policy == ConstraintPolicy::exclude && profile.max_distance_km)
      radius = std::min(radius, *profile.max_distance_km * (1 + kRadiusSlack) + kRadiusSlack);
    if (std::isfinite(radius)) {
      plan.located.origin = origin;
      plan.located.max_km = radius;
    }
    plan.use_unlocated = !filters.max_km;
  }

  auto passes = [&](std::size_t o) {
    const Offer& offer = b.offers[o];
    if (!filters.departements.empty() &&
        std::find(filters.departements.begin(), filters.departements.end(),
                  b.store.codes.departement_name(b.store.departement[o])) ==
            filters.departements.end())
      return false;
    if (!filters.contract_types.empty() &&
        std::find(filters.contract_types.begin(), filters.contract_types.end(),
                  offer.contract_type) == filters.contract_types.end())
      return false;
    if (filters.max_km && origin) {
      const auto at = point(offer.place.latitude, offer.place.longitude);
      if (!at || haversine_km(*origin, *at) > *filters.max_km) return false;
    }
    return true;
  };
  auto quick = [&](std::size_t o) {
    return detail::quick_score(profile, b.offers[o], tables, b.config);
  };
  auto id = [&](std::size_t o) -> const std::string& { return b.offers[o].id; };
  std::vector<Candidate> best =
      search(b.store, b.offers.size(), plan, k, 0.0, quick, passes, id, statistics);
  // quick_score is score() itself, credit paths included.
  std::vector<RankedMatch> out;
  for (const Candidate& c : best) out.push_back({c.doc, quick(c.doc)});
  return out;
}

std::vector<std::vector<RankedMatch>> OfferBank::top_offers(
    std::span<const Profile> profiles, std::size_t k, const MatchFilters& filters,
    const MatchBatchOptions& options) const {
  return batch(*this, profiles, k, filters, options, [&](const OfferBank& bank, const Profile& p) {
    return bank.top_offers(p, k, filters);
  });
}

// ---- persons --------------------------------------------------------------------------------
//
// Persons are found by thresholds (the MaxScore idea) rather than through a CompetenceIndex.
// Each person's entry lists the items they hold (with their evidence factor) and one item per
// other indexed term; postings list the persons of each item. A query gives every item the most
// it can add to a person's bound. Items sorted by that amount, a person holding none of the
// first e items reaches at most `fixed` plus the largest M amounts of the rest (M: the longest
// entry of the bank); so only the postings of the first items give candidates, each bounded
// exactly from its own entry, and e grows only until the k-th best score beats what the others
// can reach.

namespace {

// The capped parts of a person's bound: each is at most its term's weight.
enum BoundPart : std::uint8_t {
  kRequiredPart,
  kDesiredPart,
  kProjectPart,
  kExperiencePart,
  kDiplomaPart,
  kContractPart,
  kPartCount
};

BoundPart part_of(ItemId term) {
  switch (term & 0xF0000000u) {
    case kProject:
      return kProjectPart;
    case kExperience:
      return kExperiencePart;
    case kDiploma:
      return kDiplomaPart;
    default:
      return kContractPart;  // contract type and working time share the contract term
  }
}

// Per-thread working memory of a person query, cleared by the query that dirtied it.
struct PersonScratch {
  std::vector<double> q[2];  // per item: required, desired
  std::vector<double> q_term;
  std::vector<char> in_prefix;  // per entry id: its postings already gave candidates
  std::vector<std::uint32_t> touched_items, touched_terms, prefix;
  std::vector<char> seen;
  std::vector<std::uint32_t> seen_list;
  // Per touched item: its range in `gives`, the (competence of the offer, credit) pairs it
  // counts toward (kNoSlot: none).
  std::vector<std::uint32_t> slot;
  std::vector<std::uint32_t> gives_offsets;
  std::vector<std::pair<std::uint32_t, double>> gives;
  std::vector<double> best;  // per competence of the offer: the best credit × evidence so far
  std::vector<std::uint32_t> best_touched;
  static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFu;
  void fit(std::size_t items, std::size_t terms, std::size_t persons) {
    if (slot.size() < items) slot.resize(items, kNoSlot);
    for (auto& v : q)
      if (v.size() < items) v.resize(items, 0.0);
    if (q_term.size() < terms) q_term.resize(terms, 0.0);
    if (in_prefix.size() < items + terms) in_prefix.resize(items + terms, 0);
    if (seen.size() < persons) seen.resize(persons, 0);
  }
  void clear() {
    for (std::uint32_t i : touched_items) {
      q[0][i] = q[1][i] = 0;
      slot[i] = kNoSlot;
    }
    gives.clear();
    gives_offsets.clear();
    for (std::uint32_t t : touched_terms) q_term[t] = 0;
    for (std::uint32_t p : seen_list) seen[p] = 0;
    for (std::uint32_t x : prefix) in_prefix[x] = 0;
    prefix.clear();
    touched_items.clear();
    touched_terms.clear();
    seen_list.clear();
  }
};

PersonScratch& person_scratch() {
  thread_local PersonScratch s;
  return s;
}

struct ScratchGuard {
  PersonScratch& s;
  ~ScratchGuard() { s.clear(); }
};

}  // namespace

struct ProfileBank::Impl {
  std::vector<Profile> profiles;
  const Referential* referential = nullptr;
  ScoringConfig config;
  double other_terms = 0;
  bool indexed = false;  // false: every query scores every person
  Codes codes;
  // Entry ids: [0, item_count) are items, the other terms are numbered after them.
  std::uint32_t item_count = 0;
  std::unordered_map<ItemId, std::uint32_t> term_ids;  // kProject + fiche, ... -> id - item_count
  std::vector<ItemId> term_keys;                       // by id - item_count
  std::vector<BoundPart> term_part;                    // by id - item_count
  double factor_of_code[4] = {0, 0, 0, 1};
  std::size_t longest_entry = 0;
  // The per-person arrays and the postings are views: of `owned` for a bank built here, of
  // the mapped file for a bank loaded from one.
  struct Arrays {
    std::vector<std::uint32_t> departement;  // per person, a code of `codes`
    std::vector<std::uint32_t> entry_offsets{0}, entry_ids;
    std::vector<std::uint8_t> entry_codes;
    std::vector<std::uint32_t> posting_offsets, posting_persons;
    std::vector<double> own_max_km, latitude, longitude, distance_scale;
  } owned;
  std::shared_ptr<const detail::BankFileReader> file;
  std::span<const std::uint32_t> departement;
  std::span<const std::uint32_t> entry_offsets, entry_ids;
  std::span<const std::uint8_t> entry_codes;  // declared, validated, certified, or 3 for 1.0
  std::span<const std::uint32_t> posting_offsets, posting_persons;
  std::span<const double> own_max_km;  // per person: beyond it the score excludes them (else inf)
  std::span<const double> latitude;    // per person, NaN when unknown: a cheap first distance test
  std::span<const double> longitude;   // per person, NaN when unknown
  // Per person: the distance at which the distance term reaches 0 (their own maximum, else the
  // scoring's default), so that a candidate's bound can carry its exact distance term.
  std::span<const double> distance_scale;
  std::unique_ptr<detail::CreditsToCache> cache;
  // Persons are numbered internally by geographic cell (detail::geo_cell), then by the
  // smallest item they hold, then by their index: the per-person arrays above, the entries and
  // the postings are in that order, so that the persons of the cells near an offer are a few
  // ranges of each posting list. original[internal] is the index into `profiles`.
  std::vector<std::uint32_t> original;
  std::vector<std::uint32_t> cell_start;  // internal numbers of cell c: [cell_start[c], [c + 1])
  std::uint32_t located_count = 0;        // persons with a valid place come first
  double farthest_own_km = 0;  // the largest own_max_km of a located person (inf: one has none)

  void view_owned() {
    departement = owned.departement;
    entry_offsets = owned.entry_offsets;
    entry_ids = owned.entry_ids;
    entry_codes = owned.entry_codes;
    posting_offsets = owned.posting_offsets;
    posting_persons = owned.posting_persons;
    own_max_km = owned.own_max_km;
    latitude = owned.latitude;
    longitude = owned.longitude;
    distance_scale = owned.distance_scale;
  }
  std::uint32_t term_id(ItemId term) {
    auto [it, inserted] = term_ids.try_emplace(term, static_cast<std::uint32_t>(term_part.size()));
    if (inserted) {
      term_part.push_back(part_of(term));
      term_keys.push_back(term);
    }
    return item_count + it->second;
  }
  std::optional<std::uint32_t> find_term(ItemId term) const {
    auto it = term_ids.find(term);
    return it == term_ids.end() ? std::nullopt : std::optional(item_count + it->second);
  }
  // Postings by counting: the persons of each id, in person order.
  void fill_postings() {
    Arrays& a = owned;
    const std::size_t ids = item_count + term_part.size();
    const std::size_t n = a.entry_offsets.size() - 1;
    a.posting_offsets.assign(ids + 1, 0);
    for (std::uint32_t id : a.entry_ids) ++a.posting_offsets[id + 1];
    for (std::size_t i = 0; i < ids; ++i) a.posting_offsets[i + 1] += a.posting_offsets[i];
    a.posting_persons.resize(a.entry_ids.size());
    std::vector<std::uint32_t> fill(a.posting_offsets.begin(), a.posting_offsets.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      for (std::uint32_t e = a.entry_offsets[i]; e < a.entry_offsets[i + 1]; ++e)
        a.posting_persons[fill[a.entry_ids[e]]++] = static_cast<std::uint32_t>(i);
  }
  // The cells of the internal numbering (see `original`) from the per-person arrays: located
  // persons first, by cell. False when the arrays are not in that order (a bank file made
  // otherwise), which the queries' cuts by cell rely on.
  bool place_cells() {
    const std::size_t n = latitude.size();
    cell_start.assign(detail::kCellCount + 1, 0);
    located_count = 0;
    farthest_own_km = 0;
    std::size_t last = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double lat = latitude[i], lon = longitude[i];
      if (!(lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0)) continue;
      const std::size_t cell = detail::geo_cell(lat, lon);
      if (i != located_count || cell < last) return false;
      last = cell;
      ++cell_start[cell + 1];
      ++located_count;
      farthest_own_km = std::max(farthest_own_km, own_max_km[i]);
    }
    for (std::size_t c = 0; c < detail::kCellCount; ++c) cell_start[c + 1] += cell_start[c];
    return true;
  }
  // What does not depend on the persons: set by the constructor and by load().
  void configure(const Referential& ref) {
    referential = &ref;
    other_terms = upper_bound_of_other_terms(config);
    item_count = static_cast<std::uint32_t>(ref.item_count());
    factor_of_code[0] = config.evidence_declared;
    factor_of_code[1] = config.evidence_validated;
    factor_of_code[2] = config.evidence_certified;
    cache = std::make_unique<detail::CreditsToCache>(ref, config.credit_depth, config.credit);
    indexed = competence_weights_usable(config);
  }
};

namespace {

// A person's entry before term ids are numbered: items (below the referential's item count)
// and the synthetic terms' keys (kProject + fiche, ...), each with its evidence code.
struct PersonChunk {
  std::vector<std::pair<ItemId, std::uint8_t>> entries;
  std::vector<std::size_t> ends;         // per person of the range
  std::vector<std::string> departement;  // per person of the range
};

void person_entry(const Profile& p, const Referential& referential, std::uint32_t item_count,
                  const double* factor_of_code, const Codes& codes,
                  std::vector<std::pair<ItemId, std::uint8_t>>& entry) {
  const std::size_t start = entry.size();
  auto add = [&](ItemId key, std::uint8_t code) {
    for (std::size_t k = start; k < entry.size(); ++k)
      if (entry[k].first == key) {
        if (factor_of_code[code] > factor_of_code[entry[k].second]) entry[k].second = code;
        return;
      }
    entry.emplace_back(key, code);
  };
  for (const auto& c : p.competences)
    if (c.item != kNoId && c.item < item_count) add(c.item, static_cast<std::uint8_t>(c.evidence));
  for (OccupationId t : p.target_occupations)
    if (t != kNoId) add(kProject + t, 3);
  for (AppellationId a : p.target_appellation_ids)
    if (a != kNoId) add(kProject + referential.appellations().at(a).occupation, 3);
  for (const auto& x : p.experience)
    if (x.occupation != kNoId && x.months > 0) add(kExperience + x.occupation, 3);
  int best = 0;
  for (const auto& d : p.diplomas) best = std::max(best, d.level);
  add(kDiploma + static_cast<ItemId>(std::clamp(best, 0, 0x0FFFFFFF)), 3);
  if (p.contract_types.empty()) add(kAnyContract, 3);
  for (const auto& c : p.contract_types) add(kContract + *codes.find_contract_id(c), 3);
  if (p.working_times.empty()) add(kAnyTime, 3);
  for (WorkingTime t : p.working_times) add(kTime + static_cast<ItemId>(t), 3);
}

}  // namespace

namespace {

// The bank's internal numbering (ProfileBank::Impl::original): located persons by geographic
// cell, then by the smallest item held (persons of one occupation sit together), then by index;
// then the persons without a valid place.
std::vector<std::uint32_t> internal_order(const std::vector<Profile>& profiles) {
  const std::size_t n = profiles.size();
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Profile& p = profiles[i];
    std::uint64_t cell = detail::kCellCount;
    if (p.location.latitude && p.location.longitude) {
      const double lat = *p.location.latitude, lon = *p.location.longitude;
      if (lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0)
        cell = detail::geo_cell(lat, lon);
    }
    ItemId smallest = kNoId;
    for (const auto& c : p.competences) smallest = std::min(smallest, c.item);
    keys[i] = {cell << 32 | smallest, static_cast<std::uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::uint32_t> order(n);
  for (std::size_t r = 0; r < n; ++r) order[r] = keys[r].second;
  return order;
}

}  // namespace

ProfileBank::ProfileBank(std::vector<Profile> profiles, const Referential& referential,
                         ScoringConfig config)
    : ProfileBank(std::move(profiles), referential, std::move(config), BankBuildOptions{}) {}

ProfileBank::ProfileBank(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProfileBank::ProfileBank(std::vector<Profile> profiles, const Referential& referential,
                         ScoringConfig config, const BankBuildOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& b = *impl_;
  b.profiles = std::move(profiles);
  b.config = std::move(config);
  b.configure(referential);
  const std::size_t n = b.profiles.size();
  if (n >= 0xFFFFFFFFu)
    throw Error(ErrorCode::invalid_argument, "a person bank holds fewer than 2^32 persons");
  Impl::Arrays& a = b.owned;
  for (const Profile& p : b.profiles)
    for (const auto& c : p.contract_types) b.codes.contract_id(c);
  b.original = internal_order(b.profiles);
  a.own_max_km.assign(n, kInf);
  a.latitude.resize(n);
  a.longitude.resize(n);
  a.distance_scale.resize(n);
  // Each thread reads one range of internal numbers; ids and codes are then numbered in that
  // order, so that the bank is the same on any thread count.
  const std::size_t threads = build_threads(options, n);
  std::vector<PersonChunk> chunks(threads);
  detail::run_on_threads(threads, [&](std::size_t t) {
    const std::size_t lo = n * t / threads, hi = n * (t + 1) / threads;
    PersonChunk& chunk = chunks[t];
    chunk.ends.reserve(hi - lo);
    chunk.departement.reserve(hi - lo);
    for (std::size_t i = lo; i < hi; ++i) {
      const Profile& p = b.profiles[b.original[i]];
      chunk.departement.push_back(profile_departement(p));
      const bool located = p.location.latitude && p.location.longitude;
      a.latitude[i] = located ? *p.location.latitude : std::nan("");
      a.longitude[i] = located ? *p.location.longitude : std::nan("");
      a.distance_scale[i] = p.max_distance_km.value_or(b.config.default_max_distance_km);
      if (b.config.distance.policy == ConstraintPolicy::exclude && p.max_distance_km)
        a.own_max_km[i] = *p.max_distance_km * (1 + kRadiusSlack) + kRadiusSlack;
      person_entry(p, referential, b.item_count, b.factor_of_code, b.codes, chunk.entries);
      chunk.ends.push_back(chunk.entries.size());
    }
  });
  std::size_t total = 0;
  for (const PersonChunk& chunk : chunks) total += chunk.entries.size();
  a.departement.reserve(n);
  a.entry_offsets.reserve(n + 1);
  a.entry_ids.reserve(total);
  a.entry_codes.reserve(total);
  for (PersonChunk& chunk : chunks) {
    std::size_t begin = 0;
    for (std::size_t j = 0; j < chunk.ends.size(); ++j) {
      a.departement.push_back(b.codes.departement(chunk.departement[j]));
      for (std::size_t k = begin; k < chunk.ends[j]; ++k) {
        const auto [key, code] = chunk.entries[k];
        a.entry_ids.push_back(key < b.item_count ? key : b.term_id(key));
        a.entry_codes.push_back(code);
      }
      b.longest_entry = std::max(b.longest_entry, chunk.ends[j] - begin);
      a.entry_offsets.push_back(static_cast<std::uint32_t>(a.entry_ids.size()));
      begin = chunk.ends[j];
    }
    chunk = {};
  }
  if (a.entry_ids.size() >= 0xFFFFFFFFu)
    throw Error(ErrorCode::invalid_argument, "a person bank holds fewer than 2^32 entries");
  b.fill_postings();
  b.view_owned();
  if (!b.place_cells())
    throw Error(ErrorCode::internal, "the person bank's numbering is not by geographic cell");
}

ProfileBank::ProfileBank(ProfileBank&&) noexcept = default;
ProfileBank& ProfileBank::operator=(ProfileBank&&) noexcept = default;
ProfileBank::~ProfileBank() = default;
std::size_t ProfileBank::size() const noexcept {
  return impl_->profiles.size();
}
const std::vector<Profile>& ProfileBank::profiles() const noexcept {
  return impl_->profiles;
}
const ScoringConfig& ProfileBank::config() const noexcept {
  return impl_->config;
}
const Referential& ProfileBank::referential() const noexcept {
  return *impl_->referential;
}

std::vector<RankedMatch> ProfileBank::top_profiles(const Offer& offer, std::size_t k,
                                                   const MatchFilters& filters,
                                                   MatchSearchStatistics* statistics) const {
  check_query(k, filters);
  const Impl& b = *impl_;
  const ScoringConfig& config = b.config;
  MatchSearchStatistics local;
  MatchSearchStatistics& stats = statistics ? *statistics : local;
  stats = {};
  const std::size_t n = b.profiles.size();
  const detail::OfferTables tables(offer, *b.referential, config, b.cache.get());

  const auto origin = point(offer.place.latitude, offer.place.longitude);
  auto passes = [&](std::size_t i) {
    const Profile& p = b.profiles[b.original[i]];
    if (!filters.departements.empty() &&
        std::find(filters.departements.begin(), filters.departements.end(),
                  b.codes.departement_name(b.departement[i])) == filters.departements.end())
      return false;
    if (!filters.contract_types.empty() && !p.contract_types.empty() &&
        std::none_of(filters.contract_types.begin(), filters.contract_types.end(),
                     [&](const std::string& c) {
                       return std::find(p.contract_types.begin(), p.contract_types.end(), c) !=
                              p.contract_types.end();
                     }))
      return false;
    if (origin && (filters.max_km || std::isfinite(b.own_max_km[i]))) {
      const auto at = point(p.location.latitude, p.location.longitude);
      if (filters.max_km && !at) return false;
      if (at) {
        const double km = haversine_km(*origin, *at);
        if (filters.max_km && km > *filters.max_km) return false;
        if (km > b.own_max_km[i]) return false;  // the score would exclude them as too far
      }
    }
    return true;
  };

  // A great-circle distance is at least the difference of latitudes times 111.195 km (a
  // degree of meridian on the sphere of haversine_km): persons farther in latitude than the
  // radius that applies to them are left out before anything else is computed.
  auto near_enough = [&](std::size_t i) {
    if (!origin) return true;
    const double lat = b.latitude[i];
    if (std::isnan(lat)) return !filters.max_km;
    const double limit = std::min(filters.max_km.value_or(kInf), b.own_max_km[i]);
    return !(std::abs(lat - origin->lat) * 111.19 > limit + 1e-3);
  };

  // Approximate scores from the offer's backward tables (they may differ from score() in the
  // last bits): every person within 2 delta of the k-th is kept and scored exactly at the end.
  double total_weight = std::abs(config.intercept);
  for (double wt : config.weights) total_weight += std::abs(wt);
  const double delta = 1e-9 * (1 + total_weight);
  // Persons by their internal number (Impl::original).
  auto id = [&](std::size_t i) -> const std::string& { return b.profiles[b.original[i]].id; };
  auto worse = [&](const Candidate& x, const Candidate& y) {
    return ranks_before(false, x.score, id(x.doc), false, y.score, id(y.doc));
  };
  std::vector<Candidate> heap, all;
  auto consider = [&](std::size_t i) {
    ++stats.scored;
    const Score s =
        detail::approx_score(b.profiles[b.original[i]], offer, tables, *b.referential, config);
    if (s.excluded) return;
    const Candidate c{i, s.score};
    all.push_back(c);
    if (heap.size() < k) {
      heap.push_back(c);
      std::push_heap(heap.begin(), heap.end(), worse);
    } else if (worse(c, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      heap.back() = c;
      std::push_heap(heap.begin(), heap.end(), worse);
    }
  };
  // What a candidate must reach to matter.
  auto threshold = [&] { return heap.size() < k ? -kInf : heap.front().score - 2 * delta; };

  // A département filter naming none of the bank's: nobody passes.
  const bool nothing =
      !filters.departements.empty() &&
      std::none_of(filters.departements.begin(), filters.departements.end(),
                   [&](const std::string& d) { return b.codes.find_departement(d).has_value(); });
  if (!nothing && !b.indexed) {
    stats.full_scan = true;
    for (std::size_t i = 0; i < n; ++i)
      if (passes(i)) consider(i);
  } else if (!nothing) {
    PersonScratch& s = person_scratch();
    s.fit(b.item_count, b.term_part.size(), n);
    ScratchGuard guard{s};
    // The query: what each item adds to a person's bound, part by part.
    std::size_t count[2] = {0, 0};
    for (const auto& c : offer.competences)
      if (c.item != kNoId) ++count[c.requirement == Requirement::required ? 0 : 1];
    const double wc[2] = {config.weight(ScoreTermKind::required_competences),
                          config.weight(ScoreTermKind::desired_competences)};
    double cap[kPartCount] = {};
    double fixed = b.other_terms;
    // The distance term of a candidate is computed exactly (below); for an offer without a
    // place it is 0 for everyone.
    const double wd = std::max(w(config, ScoreTermKind::distance), 0.0);
    if (!origin) fixed -= wd;
    std::vector<const detail::CreditList*> need_lists;
    std::vector<double> need_share;
    std::vector<int> need_part;
    for (int r = 0; r < 2; ++r) (count[r] ? cap[r] : fixed) += wc[r];
    for (const auto& c : offer.competences) {
      if (c.item == kNoId || c.item >= b.item_count) continue;
      const int r = c.requirement == Requirement::required ? 0 : 1;
      const double share = wc[r] / static_cast<double>(count[r]);
      if (!(share > 0)) continue;
      auto it = std::lower_bound(tables.credits_to.begin(), tables.credits_to.end(), c.item,
                                 [](const auto& e, ItemId x) { return e.first < x; });
      for (const auto& [item, credit] : *it->second) {
        if (s.q[0][item] == 0 && s.q[1][item] == 0) s.touched_items.push_back(item);
        s.q[r][item] += share * credit;
      }
      need_lists.push_back(it->second.get());
      need_share.push_back(share);
      need_part.push_back(r);
    }
    // Per touched item, the competences of the offer it counts toward, so that a candidate's
    // competence terms can be bounded as the score takes them (the best item per competence)
    // rather than by the sum above.
    for (std::uint32_t x = 0; x < s.touched_items.size(); ++x) s.slot[s.touched_items[x]] = x;
    s.gives_offsets.assign(s.touched_items.size() + 1, 0);
    for (const detail::CreditList* list : need_lists)
      for (const auto& [item, credit] : *list) ++s.gives_offsets[s.slot[item] + 1];
    for (std::size_t x = 0; x < s.touched_items.size(); ++x)
      s.gives_offsets[x + 1] += s.gives_offsets[x];
    s.gives.resize(s.gives_offsets.back());
    {
      std::vector<std::uint32_t> cursor(s.gives_offsets.begin(), s.gives_offsets.end() - 1);
      for (std::uint32_t j = 0; j < need_lists.size(); ++j)
        for (const auto& [item, credit] : *need_lists[j])
          s.gives[cursor[s.slot[item]]++] = {j, credit};
    }
    if (s.best.size() < need_lists.size()) s.best.resize(need_lists.size(), 0.0);
    auto earn = [&](ItemId term, double amount) {
      if (auto t = b.find_term(term)) {
        const std::uint32_t x = *t - b.item_count;
        if (s.q_term[x] == 0) s.touched_terms.push_back(x);
        s.q_term[x] += amount;
      }
    };
    if (indexed(config, ScoreTermKind::project_fit) && offer.occupation != kNoId) {
      for (const auto& [fiche, steps] : tables.reaching)
        earn(kProject + fiche,
             w(config, ScoreTermKind::project_fit) * std::pow(config.project_decay, steps));
      cap[kProjectPart] = w(config, ScoreTermKind::project_fit);
    }
    if (indexed(config, ScoreTermKind::experience)) {
      const double we = w(config, ScoreTermKind::experience);
      const int needed = offer.experience_months.value_or(12);
      if (offer.experience == ExperienceRequirement::beginner_accepted || needed <= 0) {
        fixed += we;
      } else if (offer.occupation != kNoId) {
        earn(kExperience + offer.occupation, we);
        cap[kExperiencePart] = we;
      }
    }
    if (indexed(config, ScoreTermKind::diploma)) {
      int asked = 0;
      for (const auto& f : offer.formations) asked = std::max(asked, f.level);
      for (const auto& [term, x] : b.term_ids)
        if (part_of(term) == kDiplomaPart && static_cast<int>(term - kDiploma) >= asked)
          earn(term, w(config, ScoreTermKind::diploma));
      cap[kDiplomaPart] = w(config, ScoreTermKind::diploma);
    }
    if (indexed(config, ScoreTermKind::contract)) {
      const double half = w(config, ScoreTermKind::contract) * 0.5;
      if (offer.contract_type.empty()) {
        fixed += half;
      } else {
        earn(kAnyContract, half);
        if (auto cid = b.codes.find_contract_id(offer.contract_type)) earn(kContract + *cid, half);
        cap[kContractPart] += half;
      }
      if (offer.working_time == WorkingTime::unknown) {
        fixed += half;
      } else {
        earn(kAnyTime, half);
        earn(kTime + static_cast<ItemId>(offer.working_time), half);
        cap[kContractPart] += half;
      }
    }
    double top_factor = 0;
    for (double f : b.factor_of_code) top_factor = std::max(top_factor, f);

    // The most each id adds, best first.
    std::vector<std::pair<double, std::uint32_t>> order;
    for (std::uint32_t i : s.touched_items) {
      const double u = (std::min(s.q[0][i], cap[0]) + std::min(s.q[1][i], cap[1])) * top_factor;
      if (u > 0) order.emplace_back(u, i);
    }
    // Diploma levels, contract types and working times are held by nearly everyone: their
    // postings would make everyone a candidate. They give no candidates; what they can add
    // (their parts' caps) is counted for every person instead.
    double dense = 0;
    for (BoundPart p : {kDiplomaPart, kContractPart}) dense += cap[p];
    for (std::uint32_t t : s.touched_terms) {
      const BoundPart p = b.term_part[t];
      if (p == kDiplomaPart || p == kContractPart) continue;
      const double u = std::min(s.q_term[t], cap[p]);
      if (u > 0) order.emplace_back(u, b.item_count + t);
    }
    std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    // What a person holding none of the first e ids can reach: per competence of the offer,
    // the best credit an item outside them gives (the score takes the best item per
    // competence); per other part, the largest M amounts left (M: the longest entry).
    struct Need {
      const std::vector<std::pair<double, ItemId>>* by_credit;
      std::size_t next = 0;
      double share;
      int part;
    };
    std::vector<Need> needs;
    std::vector<std::shared_ptr<const detail::CreditsToCache::Entry>> held_entries;
    for (const auto& c : offer.competences) {
      if (c.item == kNoId || c.item >= b.item_count) continue;
      const int r = c.requirement == Requirement::required ? 0 : 1;
      const double share = wc[r] / static_cast<double>(count[r]);
      if (!(share > 0)) continue;
      held_entries.push_back(b.cache->entry(c.item));
      needs.push_back({&held_entries.back()->by_credit, 0, share, r});
    }
    const std::size_t m = b.longest_entry;
    auto rest_bound = [&](std::size_t e) {
      double part[kPartCount] = {};
      for (Need& need : needs) {
        const auto& list = *need.by_credit;
        while (need.next < list.size() && s.in_prefix[list[need.next].second]) ++need.next;
        if (need.next < list.size()) part[need.part] += need.share * list[need.next].first;
      }
      for (int r = 0; r < 2; ++r) part[r] *= top_factor;
      std::size_t taken[kPartCount] = {};
      for (std::size_t j = e; j < order.size(); ++j) {
        const std::uint32_t x = order[j].second;
        if (x < b.item_count) continue;
        const BoundPart p = b.term_part[x - b.item_count];
        if (taken[p] < m) {
          ++taken[p];
          part[p] += order[j].first;
        }
      }
      double out = fixed + dense;
      for (int p = 0; p < kPartCount; ++p) out += std::min(part[p], cap[p]);
      return out + 1e-12 * (1 + std::abs(out));  // the sums above run in another order
    };
    auto bound_of = [&](std::size_t i) {
      double part[kPartCount] = {};
      for (std::uint32_t e = b.entry_offsets[i]; e < b.entry_offsets[i + 1]; ++e) {
        const std::uint32_t x = b.entry_ids[e];
        const double f = b.factor_of_code[b.entry_codes[e]];
        if (x < b.item_count) {
          part[kRequiredPart] += f * s.q[0][x];
          part[kDesiredPart] += f * s.q[1][x];
        } else {
          const std::uint32_t t = x - b.item_count;
          part[b.term_part[t]] += f * s.q_term[t];
        }
      }
      double out = fixed;
      for (int p = 0; p < kPartCount; ++p) out += std::min(part[p], cap[p]);
      return out;
    };
    // The bound of a candidate that passed bound_of: each competence of the offer counted once,
    // by the best item the person holds toward it, the project by the nearest target, and the
    // distance term exactly (the score's own haversine_km and scale).
    auto tight_bound_of = [&](std::size_t i) {
      double part[kPartCount] = {};
      for (std::uint32_t e = b.entry_offsets[i]; e < b.entry_offsets[i + 1]; ++e) {
        const std::uint32_t x = b.entry_ids[e];
        const double f = b.factor_of_code[b.entry_codes[e]];
        if (x < b.item_count) {
          const std::uint32_t at = s.slot[x];
          if (at == PersonScratch::kNoSlot) continue;
          for (std::uint32_t g = s.gives_offsets[at]; g < s.gives_offsets[at + 1]; ++g) {
            const auto [j, credit] = s.gives[g];
            const double v = credit * f;
            if (v > s.best[j]) {
              if (s.best[j] == 0) s.best_touched.push_back(j);
              s.best[j] = v;
            }
          }
        } else {
          const std::uint32_t t = x - b.item_count;
          const BoundPart p = b.term_part[t];
          const double v = f * s.q_term[t];
          part[p] = p == kProjectPart ? std::max(part[p], v) : part[p] + v;
        }
      }
      for (std::uint32_t j : s.best_touched) {
        part[need_part[j]] += need_share[j] * s.best[j];
        s.best[j] = 0;
      }
      s.best_touched.clear();
      double out = fixed;
      for (int p = 0; p < kPartCount; ++p) out += std::min(part[p], cap[p]);
      if (origin && wd > 0) {
        double feature = 0;
        if (!std::isnan(b.latitude[i])) {
          const double d = haversine_km(*origin, GeoPoint{b.latitude[i], b.longitude[i]});
          const double scale = b.distance_scale[i];
          feature = scale > 0 ? std::max(0.0, 1.0 - d / scale) : (d == 0 ? 1.0 : 0.0);
        }
        out -= wd * (1 - feature);
      }
      return out + 1e-12 * (1 + std::abs(out));  // the sums above run in another order
    };
    // The persons who can pass at all, as ranges of internal numbers: around the offer's place,
    // the cells within the radius that applies (the filter's, else the farthest a person of
    // the bank accepts when the score excludes beyond it), and the persons without a valid
    // place; without an offer's place, everyone. A person outside them is farther than that
    // radius, so `passes` and `near_enough` would leave them out.
    std::vector<std::pair<std::int32_t, std::int32_t>> ranges;
    const auto everyone = static_cast<std::int32_t>(n);
    const auto located = static_cast<std::int32_t>(b.located_count);
    if (!origin || !(std::abs(origin->lat) <= 90.0 && std::abs(origin->lon) <= 180.0)) {
      ranges.emplace_back(0, everyone);  // (the cells' geometry holds for valid places only)
    } else {
      const double radius = std::min(filters.max_km.value_or(kInf), b.farthest_own_km);
      if (std::isfinite(radius))
        detail::cell_ranges(b.cell_start, b.located_count, *origin, radius + 1e-3, ranges);
      else if (located > 0)
        ranges.emplace_back(0, located);
      if (located < everyone) ranges.emplace_back(located, everyone);
    }
    // Candidates best bound first; one not worth scoring when seen never will be (the
    // threshold only rises).
    std::vector<std::pair<double, std::uint32_t>> pending;  // a max-heap by bound
    std::size_t e = 0, step = 1;
    for (;;) {
      ++stats.rounds;
      const std::size_t next = std::min(order.size(), e + step);
      step *= 2;
      for (; e < next; ++e) {
        const std::uint32_t x = order[e].second;
        s.in_prefix[x] = 1;
        s.prefix.push_back(x);
        const std::uint32_t* const first = b.posting_persons.data() + b.posting_offsets[x];
        const std::uint32_t* const last = b.posting_persons.data() + b.posting_offsets[x + 1];
        const std::uint32_t* at = first;
        for (const auto& [from, to] : ranges) {
          at = std::lower_bound(at, last, static_cast<std::uint32_t>(from));
          for (; at != last && *at < static_cast<std::uint32_t>(to); ++at) {
            const std::uint32_t i = *at;
            if (s.seen[i]) continue;
            s.seen[i] = 1;
            s.seen_list.push_back(i);
            if (!near_enough(i)) continue;
            ++stats.bounded;
            if (bound_of(i) + delta < threshold()) continue;  // cheaper than the tight bound
            const double bound = tight_bound_of(i);
            if (bound + delta < threshold() || !passes(i)) continue;
            pending.emplace_back(bound, i);
            std::push_heap(pending.begin(), pending.end());
          }
        }
      }
      while (!pending.empty() && pending.front().first + delta >= threshold()) {
        std::pop_heap(pending.begin(), pending.end());
        const std::uint32_t i = pending.back().second;
        pending.pop_back();
        consider(i);
      }
      pending.clear();  // what is left cannot reach the threshold
      if (heap.size() == k && threshold() > rest_bound(e) + delta) break;
      if (e == order.size()) {
        // Persons holding none of the ids: at most `fixed` and the dense parts each.
        if (heap.size() == k && threshold() > fixed + dense + delta) break;
        stats.full_scan = true;
        for (std::size_t i = 0; i < n; ++i)
          if (!s.seen[i] && passes(i)) consider(i);
        break;
      }
    }
  }
  std::vector<RankedMatch> out;
  if (!heap.empty()) {
    std::sort_heap(heap.begin(), heap.end(), worse);
    const double floor = heap.size() < k ? -kInf : heap.back().score - 2 * delta;
    for (const Candidate& c : all) {
      if (c.score < floor) continue;
      Score sc = score(b.profiles[b.original[c.doc]], offer, *b.referential, config);
      if (!sc.excluded) out.push_back({b.original[c.doc], std::move(sc)});
    }
  }
  std::sort(out.begin(), out.end(), [&](const RankedMatch& x, const RankedMatch& y) {
    return ranks_before(false, x.score.score, b.profiles[x.index].id, false, y.score.score,
                        b.profiles[y.index].id);
  });
  if (out.size() > k) out.resize(k);
  return out;
}

std::vector<std::vector<RankedMatch>> ProfileBank::top_profiles(
    std::span<const Offer> offers, std::size_t k, const MatchFilters& filters,
    const MatchBatchOptions& options) const {
  return batch(*this, offers, k, filters, options, [&](const ProfileBank& bank, const Offer& o) {
    return bank.top_profiles(o, k, filters);
  });
}

}  // namespace v1
}  // namespace aiguillage

// ---- bank files -----------------------------------------------------------------------------
//
// What a bank holds beyond its documents is written as it is in memory; reading checks every
// array against the bounds the queries rely on (docs/matching.md, "Bank files").

namespace aiguillage {
inline namespace v1 {

namespace {

using namespace detail;

std::size_t document_count(const BankFileReader& f) {
  const std::uint64_t n = f.documents();
  if (n > f.text(kSectionDocBlob).size() || n >= 0xFFFFFFFFu)
    bank_corrupt("document count " + std::to_string(n) + " is out of range");
  return static_cast<std::size_t>(n);
}

template <class T>
void check_offsets(std::span<const T> offsets, std::size_t end, const char* what) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != end)
    bank_corrupt(std::string(what) + " do not span their array");
  for (std::size_t i = 1; i < offsets.size(); ++i)
    if (offsets[i] < offsets[i - 1]) bank_corrupt(std::string(what) + " are not in order");
}

template <class T>
std::vector<T> to_vector(std::span<const T> s) {
  return {s.begin(), s.end()};
}

template <class Impl>
void read_offer_bank(Impl& b, const BankFileReader& f, const Referential& referential,
                     const BankBuildOptions& options) {
  b.config = f.check(BankKind::offers, referential);
  b.referential = &referential;
  b.other_terms = upper_bound_of_other_terms(b.config);
  const std::size_t n = document_count(f);
  b.offers = decode_offers(f.array<std::uint64_t>(kSectionDocOffsets, n + 1, "document offsets"),
                           f.text(kSectionDocBlob), referential, options.threads);
  Store& store = b.store;
  store.codes = Codes::decode(f.text(kSectionCodes));
  store.departement =
      to_vector(f.array<std::uint32_t>(kSectionOfferDepartement, n, "départements"));
  store.contract_mask =
      to_vector(f.array<std::uint32_t>(kSectionOfferContractMask, n, "contract masks"));
  for (std::uint32_t d : store.departement)
    if (d > store.codes.departement_count()) bank_corrupt("a département code is out of range");
  if (!competence_weights_usable(b.config)) return;
  std::vector<char> seen(n, 0);
  auto part = [&](std::uint32_t docs_id, std::uint32_t index_id, std::vector<std::size_t>& docs,
                  std::optional<CompetenceIndex>& index) {
    for (std::uint64_t d : f.array<std::uint64_t>(docs_id, 0, "entry documents")) {
      if (d >= n || seen[d]) bank_corrupt("the index's entries do not list each offer once");
      seen[d] = 1;
      docs.push_back(static_cast<std::size_t>(d));
    }
    index = CompetenceIndexAccess::decode(f.text(index_id));
    if (index->size() != docs.size()) bank_corrupt("an index does not match its entries");
  };
  part(kSectionOfferLocated, kSectionOfferIndexLocated, store.located_doc, store.located);
  part(kSectionOfferUnlocated, kSectionOfferIndexUnlocated, store.unlocated_doc, store.unlocated);
  if (store.located_doc.size() + store.unlocated_doc.size() != n)
    bank_corrupt("the index's entries do not list each offer once");
  store.indexed = true;
}

template <class Impl>
void read_profile_bank(Impl& b, std::shared_ptr<const BankFileReader> file,
                       const Referential& referential, const BankBuildOptions& options) {
  const BankFileReader& f = *file;
  b.config = f.check(BankKind::persons, referential);
  b.configure(referential);
  const std::size_t n = document_count(f);
  b.profiles =
      decode_profiles(f.array<std::uint64_t>(kSectionDocOffsets, n + 1, "document offsets"),
                      f.text(kSectionDocBlob), referential, options.threads);
  b.codes = Codes::decode(f.text(kSectionCodes));
  const auto scalars = f.array<std::uint64_t>(kSectionPersonScalars, 1, "scalars");
  if (scalars[0] != b.item_count) bank_corrupt("the item count does not match the referential");
  for (ItemId key : f.array<ItemId>(kSectionPersonTerms, 0, "terms")) {
    if (key < kProject || key > kAnyTime || b.find_term(key))
      bank_corrupt("a term is out of range or listed twice");
    b.term_id(key);
  }
  const std::size_t ids = b.item_count + b.term_part.size();
  b.departement = f.array<std::uint32_t>(kSectionPersonDepartement, n, "départements");
  for (std::uint32_t d : b.departement)
    if (d > b.codes.departement_count()) bank_corrupt("a département code is out of range");
  b.entry_offsets = f.array<std::uint32_t>(kSectionPersonEntryOffsets, n + 1, "entry offsets");
  b.entry_ids = f.array<std::uint32_t>(kSectionPersonEntryIds, 0, "entry ids");
  b.entry_codes =
      f.array<std::uint8_t>(kSectionPersonEntryCodes, b.entry_ids.size(), "entry codes");
  check_offsets(b.entry_offsets, b.entry_ids.size(), "entry offsets");
  for (std::size_t i = 0; i < n; ++i)
    b.longest_entry =
        std::max<std::size_t>(b.longest_entry, b.entry_offsets[i + 1] - b.entry_offsets[i]);
  for (std::uint32_t x : b.entry_ids)
    if (x >= ids) bank_corrupt("an entry names an unknown id");
  for (std::uint8_t c : b.entry_codes)
    if (c > 3) bank_corrupt("an evidence code is out of range");
  b.posting_offsets =
      f.array<std::uint32_t>(kSectionPersonPostingOffsets, ids + 1, "posting offsets");
  b.posting_persons =
      f.array<std::uint32_t>(kSectionPersonPostingPersons, b.entry_ids.size(), "posting persons");
  check_offsets(b.posting_offsets, b.posting_persons.size(), "posting offsets");
  for (std::uint32_t i : b.posting_persons)
    if (i >= n) bank_corrupt("a posting names no person");
  b.own_max_km = f.array<double>(kSectionPersonOwnMaxKm, n, "maximum distances");
  b.latitude = f.array<double>(kSectionPersonLatitude, n, "latitudes");
  b.longitude = f.array<double>(kSectionPersonLongitude, n, "longitudes");
  b.distance_scale = f.array<double>(kSectionPersonDistanceScale, n, "distance scales");
  for (std::size_t i = 0; i < n; ++i) {
    const double lat = b.latitude[i], lon = b.longitude[i];
    if (std::isnan(b.own_max_km[i]) || b.own_max_km[i] < 0 || std::isnan(b.distance_scale[i]) ||
        std::isnan(lat) != std::isnan(lon))
      bank_corrupt("a person's location or distances are out of range");
  }
  // The internal numbering: a permutation of the persons, located ones first by cell.
  const auto original = f.array<std::uint32_t>(kSectionPersonOriginal, n, "internal numbering");
  std::vector<std::uint8_t> listed(n, 0);
  for (std::uint32_t i : original) {
    if (i >= n || listed[i]) bank_corrupt("the internal numbering does not list each person once");
    listed[i] = 1;
  }
  b.original.assign(original.begin(), original.end());
  if (!b.place_cells()) bank_corrupt("the persons are not numbered by geographic cell");
  b.file = std::move(file);
}

}  // namespace

void OfferBank::save(const std::string& path) const {
  const Impl& b = *impl_;
  std::vector<std::uint64_t> offsets;
  std::string blob;
  encode_offers(b.offers, offsets, blob);
  const std::string codes = b.store.codes.encode();
  BankFileWriter w(BankKind::offers, b.offers.size(), *b.referential, b.config);
  w.add_array<std::uint64_t>(kSectionDocOffsets, offsets);
  w.add_string(kSectionDocBlob, blob);
  w.add_string(kSectionCodes, codes);
  w.add_array<std::uint32_t>(kSectionOfferDepartement, b.store.departement);
  w.add_array<std::uint32_t>(kSectionOfferContractMask, b.store.contract_mask);
  std::vector<std::uint64_t> located, unlocated;
  std::string index_located, index_unlocated;
  if (b.store.indexed) {
    located.assign(b.store.located_doc.begin(), b.store.located_doc.end());
    unlocated.assign(b.store.unlocated_doc.begin(), b.store.unlocated_doc.end());
    index_located = CompetenceIndexAccess::encode(*b.store.located);
    index_unlocated = CompetenceIndexAccess::encode(*b.store.unlocated);
    w.add_array<std::uint64_t>(kSectionOfferLocated, located);
    w.add_array<std::uint64_t>(kSectionOfferUnlocated, unlocated);
    w.add_string(kSectionOfferIndexLocated, index_located);
    w.add_string(kSectionOfferIndexUnlocated, index_unlocated);
  }
  w.write(path);
}

OfferBank OfferBank::load(const std::string& path, const Referential& referential,
                          const BankBuildOptions& options) {
  auto impl = std::make_unique<Impl>();
  read_offer_bank(*impl, *BankFileReader::open(path), referential, options);
  return OfferBank(std::move(impl));
}

OfferBank OfferBank::load_bytes(std::string_view bytes, const Referential& referential,
                                const BankBuildOptions& options) {
  auto impl = std::make_unique<Impl>();
  read_offer_bank(*impl, *BankFileReader::from_bytes(bytes), referential, options);
  return OfferBank(std::move(impl));
}

void ProfileBank::save(const std::string& path) const {
  const Impl& b = *impl_;
  std::vector<std::uint64_t> offsets;
  std::string blob;
  encode_profiles(b.profiles, offsets, blob);
  const std::string codes = b.codes.encode();
  const std::uint64_t scalars[1] = {b.item_count};
  BankFileWriter w(BankKind::persons, b.profiles.size(), *b.referential, b.config);
  w.add_array<std::uint64_t>(kSectionDocOffsets, offsets);
  w.add_string(kSectionDocBlob, blob);
  w.add_string(kSectionCodes, codes);
  w.add_array<std::uint64_t>(kSectionPersonScalars, scalars);
  w.add_array<ItemId>(kSectionPersonTerms, b.term_keys);
  w.add_array(kSectionPersonDepartement, b.departement);
  w.add_array(kSectionPersonEntryOffsets, b.entry_offsets);
  w.add_array(kSectionPersonEntryIds, b.entry_ids);
  w.add_array(kSectionPersonEntryCodes, b.entry_codes);
  w.add_array(kSectionPersonPostingOffsets, b.posting_offsets);
  w.add_array(kSectionPersonPostingPersons, b.posting_persons);
  w.add_array(kSectionPersonOwnMaxKm, b.own_max_km);
  w.add_array(kSectionPersonLatitude, b.latitude);
  w.add_array(kSectionPersonLongitude, b.longitude);
  w.add_array(kSectionPersonDistanceScale, b.distance_scale);
  w.add_array<std::uint32_t>(kSectionPersonOriginal, b.original);
  w.write(path);
}

ProfileBank ProfileBank::load(const std::string& path, const Referential& referential,
                              const BankBuildOptions& options) {
  auto impl = std::make_unique<Impl>();
  read_profile_bank(*impl, BankFileReader::open(path), referential, options);
  return ProfileBank(std::move(impl));
}

ProfileBank ProfileBank::load_bytes(std::string_view bytes, const Referential& referential,
                                    const BankBuildOptions& options) {
  auto impl = std::make_unique<Impl>();
  read_profile_bank(*impl, BankFileReader::from_bytes(bytes), referential, options);
  return ProfileBank(std::move(impl));
}

}  // namespace v1
}  // namespace aiguillage
