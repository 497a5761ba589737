// Graphs of a Referential and the searches over them: bounded-depth partial credit between
// items, mobility distance between fiches.
#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "aiguillage/core/error.hpp"
#include "aiguillage/matching/referential.hpp"
#include "matching/referential_graphs.hpp"

namespace aiguillage {
inline namespace v1 {

void Referential::build_graphs() {
  auto g = std::make_unique<Graphs>();
  const auto ni = static_cast<std::uint32_t>(items_.size());
  const auto no = static_cast<std::uint32_t>(occupations_.size());
  g->item_count = ni;
  g->occupation_count = no;
  const std::uint32_t out_base = ni, in_base = ni + no;

  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  std::vector<CreditEdgeProperty> kinds;
  auto add = [&](std::uint32_t a, std::uint32_t b, CreditEdge k) {
    edges.emplace_back(a, b);
    kinds.push_back({k});
  };
  for (ItemId i = 0; i < ni; ++i) {
    const Item& it = items_[i];
    if (it.kind == ItemKind::rome_competence && it.parent != kNoId) {
      add(i, it.parent, CreditEdge::to_macro_competence);
      add(it.parent, i, CreditEdge::from_macro_competence);
    }
  }
  for (auto [a, b] : esco_broader_) {
    add(a, b, CreditEdge::esco_broader);
    add(b, a, CreditEdge::esco_narrower);
  }
  for (auto [a, b] : esco_related_) {
    add(a, b, CreditEdge::esco_related);
    add(b, a, CreditEdge::esco_related);
  }
  for (OccupationId o = 0; o < no; ++o) {
    if (occupations_[o].kind != OccupationKind::rome_fiche) continue;
    for (const auto& link : occupations_[o].items) {
      if (!is_core(link.role)) continue;
      add(link.item, out_base + o, CreditEdge::core_of_fiche);
      add(in_base + o, link.item, CreditEdge::core_item_of_fiche);
    }
  }
  std::vector<MobilityEdge> mob = mobility_;
  std::stable_sort(mob.begin(), mob.end(), [](const MobilityEdge& a, const MobilityEdge& b) {
    return a.from != b.from ? a.from < b.from : a.order < b.order;
  });
  std::vector<std::pair<std::uint32_t, std::uint32_t>> occ_edges;
  std::vector<MobilityEdgeProperty> orders;
  for (const auto& m : mob) {
    add(out_base + m.from, in_base + m.to, CreditEdge::mobility);
    add(in_base + m.from, in_base + m.to, CreditEdge::mobility);
    occ_edges.emplace_back(m.from, m.to);
    orders.push_back({m.order});
  }
  g->items = ItemGraph(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(),
                       kinds.begin(), ni + 2 * no);
  for (auto& [a, b] : edges) std::swap(a, b);
  g->reverse_items = ItemGraph(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(),
                               kinds.begin(), ni + 2 * no);
  g->occupations = OccupationGraph(boost::edges_are_sorted, occ_edges.begin(), occ_edges.end(),
                                   orders.begin(), no);
  for (auto& [a, b] : occ_edges) std::swap(a, b);
  g->reverse_occupations = OccupationGraph(boost::edges_are_unsorted_multi_pass, occ_edges.begin(),
                                           occ_edges.end(), orders.begin(), no);
  graphs_ = std::move(g);
}

std::vector<OccupationId> Referential::mobility_targets(OccupationId fiche) const {
  if (fiche >= occupations_.size())
    throw Error(ErrorCode::invalid_argument, "occupation id out of range");
  std::vector<OccupationId> out;
  for (auto e : boost::make_iterator_range(boost::out_edges(fiche, graphs_->occupations)))
    out.push_back(boost::target(e, graphs_->occupations));
  return out;
}

std::optional<int> Referential::occupation_distance(OccupationId from, OccupationId to,
                                                    int max_depth) const {
  if (from >= occupations_.size() || to >= occupations_.size())
    throw Error(ErrorCode::invalid_argument, "occupation id out of range");
  if (from == to) return 0;
  const auto& g = graphs_->occupations;
  // Breadth-first by layers, stopping at max_depth: the answer is the first layer holding `to`.
  std::vector<std::uint32_t> frontier{from}, next;
  std::unordered_map<std::uint32_t, bool> seen{{from, true}};
  for (int depth = 1; depth <= max_depth && !frontier.empty(); ++depth) {
    next.clear();
    for (auto u : frontier)
      for (auto e : boost::make_iterator_range(boost::out_edges(u, g))) {
        auto v = boost::target(e, g);
        if (v == to) return depth;
        if (seen.emplace(v, true).second) next.push_back(v);
      }
    frontier.swap(next);
  }
  return std::nullopt;
}

Credit Referential::item_credit(ItemId have, ItemId need, int max_depth,
                                const CreditOptions& options) const {
  return item_credit(std::span<const ItemId>(&have, 1), need, max_depth, options);
}

namespace {

struct Label {
  double credit;
  std::uint32_t pred;
  CreditEdge kind;
  std::uint8_t depth;                 // edges of the walk that produced it
  std::uint32_t older = 0xFFFFFFFFu;  // the label it replaced at a smaller depth, in the history
};
constexpr std::uint32_t kSource = kNoId;
constexpr std::uint32_t kNoOlder = 0xFFFFFFFFu;

struct CreditFactors {
  double f[8];
  double operator[](CreditEdge k) const { return f[static_cast<int>(k)]; }
};

CreditFactors checked_factors(const CreditOptions& options) {
  CreditFactors out;
  for (int k = 0; k < 8; ++k) {
    out.f[k] = options.factor(static_cast<CreditEdge>(k));
    if (!(out.f[k] >= 0.0 && out.f[k] <= 1.0))
      throw Error(ErrorCode::invalid_argument,
                  "credit factor " + std::string(credit_edge_name(static_cast<CreditEdge>(k))) +
                      " must lie in [0, 1]");
  }
  return out;
}

// The labels of one search, sorted by vertex (items first: their ids are the smallest).
struct LabelMap {
  std::vector<std::pair<std::uint32_t, Label>> entries;
  const Label* find(std::uint32_t v) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), v,
                               [](const auto& e, std::uint32_t x) { return e.first < x; });
    return it != entries.end() && it->first == v ? &it->second : nullptr;
  }
  const Label& at(std::uint32_t v) const {
    const Label* l = find(v);
    if (!l) throw Error(ErrorCode::internal, "credit path refers to a vertex without a label");
    return *l;
  }
};

// Working labels of a search, one slot per vertex, kept per thread between searches (a hash map
// per search cost more than the search itself).
struct DenseLabels {
  std::vector<Label> labels;
  std::vector<char> has;
  std::vector<std::uint32_t> touched;
};

DenseLabels& dense_labels(std::size_t vertices) {
  thread_local DenseLabels d;
  if (d.has.size() < vertices) {
    d.has.resize(vertices, 0);
    d.labels.resize(vertices);
  }
  return d;
}

// Layered search (Bellman-Ford by walk length): after layer d, best[v] is the best product of
// factors over walks of at most d edges from the sources. Only the vertices whose label improved
// at layer d are expanded at layer d + 1, each with the credit it had at the end of layer d (a
// snapshot: a label improved during layer d + 1 belongs to a longer walk and must not be
// expanded as if it were shorter, or the search would credit walks longer than max_depth, and
// differently in each direction). A label that does not improve best[v] is dominated: no better
// credit, no fewer edges. With a target, factors <= 1 let us skip walks that cannot beat what
// already reaches it. A label replaced at a later layer moves to `history`, so that the path of
// every label can be read back through the labels its predecessors had at that time.
void layered_search(const ItemGraph& g, std::span<const std::uint32_t> sources, int max_depth,
                    const CreditFactors& factors, std::uint32_t target, LabelMap& best,
                    std::vector<Label>* history) {
  max_depth = std::min(max_depth, 255);
  DenseLabels& d = dense_labels(boost::num_vertices(g));
  struct Reset {
    DenseLabels& d;
    ~Reset() {
      for (auto v : d.touched) d.has[v] = 0;
      d.touched.clear();
    }
  } reset{d};
  std::vector<std::pair<std::uint32_t, double>> frontier;
  std::vector<std::uint32_t> next;
  for (auto h : sources)
    if (!d.has[h]) {
      d.has[h] = 1;
      d.labels[h] = Label{1.0, kSource, CreditEdge::to_macro_competence, 0};
      d.touched.push_back(h);
      frontier.emplace_back(h, 1.0);
    }
  double target_best = 0;
  for (int depth = 1; depth <= max_depth && !frontier.empty(); ++depth) {
    next.clear();
    const auto d8 = static_cast<std::uint8_t>(depth);
    for (const auto& [u, cu] : frontier) {
      if (cu <= target_best) continue;
      for (auto e : boost::make_iterator_range(boost::out_edges(u, g))) {
        const CreditEdge kind = g[e].kind;
        const double c = cu * factors[kind];
        if (c <= target_best || c == 0) continue;
        const auto v = boost::target(e, g);
        if (!d.has[v]) {
          d.has[v] = 1;
          d.labels[v] = Label{c, u, kind, d8};
          d.touched.push_back(v);
        } else {
          Label& l = d.labels[v];
          if (c <= l.credit) continue;
          std::uint32_t older = l.older;
          if (l.depth < d8) {
            if (history) {
              older = static_cast<std::uint32_t>(history->size());
              history->push_back(l);
            } else {
              older = kNoOlder;
            }
          }
          l = Label{c, u, kind, d8, older};
        }
        if (v == target)
          target_best = c;
        else
          next.push_back(v);
      }
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    frontier.clear();
    for (auto v : next) frontier.emplace_back(v, d.labels[v].credit);
  }
  std::sort(d.touched.begin(), d.touched.end());
  best.entries.clear();
  best.entries.reserve(d.touched.size());
  for (auto v : d.touched) best.entries.emplace_back(v, d.labels[v]);
}

// The label `v` had after layer `depth` (its latest at a depth <= `depth`).
const Label& label_at(const LabelMap& best, const std::vector<Label>& history, std::uint32_t v,
                      int depth) {
  const Label* l = &best.at(v);
  while (l->depth > depth && l->older != kNoOlder) l = &history[l->older];
  return *l;
}

// The path of the label of `need` (best[need]), read back through its predecessors' labels.
void read_path(const LabelMap& best, const std::vector<Label>& history, std::uint32_t need,
               std::uint32_t item_count, std::uint32_t occupation_count,
               const CreditFactors& factors, Credit& result) {
  auto node = [&](std::uint32_t v) {
    if (v < item_count) return CreditNode{false, v};
    return CreditNode{true, v < item_count + occupation_count ? v - item_count
                                                              : v - item_count - occupation_count};
  };
  std::uint32_t v = need;
  const Label* l = &best.at(need);
  for (;;) {
    if (l->pred == kSource) {
      result.from = v;
      break;
    }
    result.path.push_back({l->kind, node(l->pred), node(v), factors[l->kind]});
    const int depth = l->depth;
    v = l->pred;
    l = &label_at(best, history, v, depth - 1);
  }
  std::reverse(result.path.begin(), result.path.end());
}

std::vector<std::pair<ItemId, double>> item_labels(const LabelMap& best, std::uint32_t item_count) {
  std::vector<std::pair<ItemId, double>> out;
  for (const auto& [v, l] : best.entries)
    if (v < item_count) out.emplace_back(v, l.credit);
  return out;
}

}  // namespace

Credit Referential::item_credit(std::span<const ItemId> have, ItemId need, int max_depth,
                                const CreditOptions& options) const {
  if (need >= items_.size()) throw Error(ErrorCode::invalid_argument, "item id out of range");
  const CreditFactors factors = checked_factors(options);
  Credit result;
  for (ItemId h : have) {
    if (h >= items_.size()) throw Error(ErrorCode::invalid_argument, "item id out of range");
    if (h == need) {
      result.value = 1.0;
      result.from = h;
      return result;
    }
  }
  if (max_depth <= 0 || have.empty()) return result;

  LabelMap best;
  std::vector<Label> history;
  layered_search(graphs_->items, have, max_depth, factors, need, best, &history);
  const Label* found = best.find(need);
  if (!found) return result;
  result.value = found->credit;
  read_path(best, history, need, graphs_->item_count, graphs_->occupation_count, factors, result);
  return result;
}

struct CreditTable::Impl {
  LabelMap best;
  std::vector<Label> history;
  std::vector<std::pair<ItemId, double>> items;
  std::uint32_t item_count = 0, occupation_count = 0;
  CreditFactors factors;
  int max_depth = 0;
};

CreditTable::CreditTable() : impl_(std::make_unique<Impl>()) {}
CreditTable::~CreditTable() = default;
CreditTable::CreditTable(CreditTable&&) noexcept = default;
CreditTable& CreditTable::operator=(CreditTable&&) noexcept = default;

double CreditTable::value(ItemId need) const noexcept {
  const auto& v = impl_->items;
  auto it =
      std::lower_bound(v.begin(), v.end(), need,
                       [](const std::pair<ItemId, double>& e, ItemId k) { return e.first < k; });
  return it != v.end() && it->first == need ? it->second : 0.0;
}

const std::vector<std::pair<ItemId, double>>& CreditTable::items() const noexcept {
  return impl_->items;
}

Credit CreditTable::credit(ItemId need) const {
  Credit result;
  const Label* found = impl_->best.find(need);
  if (!found || need >= impl_->item_count) return result;
  result.value = found->credit;
  read_path(impl_->best, impl_->history, need, impl_->item_count, impl_->occupation_count,
            impl_->factors, result);
  return result;
}

CreditTable Referential::credit_table(std::span<const ItemId> have, int max_depth,
                                      const CreditOptions& options) const {
  CreditTable table;
  CreditTable::Impl& t = *table.impl_;
  t.factors = checked_factors(options);
  for (ItemId h : have)
    if (h >= items_.size()) throw Error(ErrorCode::invalid_argument, "item id out of range");
  t.max_depth = std::max(max_depth, 0);
  t.item_count = graphs_->item_count;
  t.occupation_count = graphs_->occupation_count;
  layered_search(graphs_->items, have, t.max_depth, t.factors, kNoId, t.best, &t.history);
  t.items = item_labels(t.best, t.item_count);
  return table;
}

std::vector<std::pair<ItemId, double>> Referential::credits_from(
    std::span<const ItemId> have, int max_depth, const CreditOptions& options) const {
  CreditTable table = credit_table(have, max_depth, options);
  return std::move(table.impl_->items);
}

std::vector<std::pair<ItemId, double>> Referential::credits_to(ItemId need, int max_depth,
                                                               const CreditOptions& options) const {
  if (need >= items_.size()) throw Error(ErrorCode::invalid_argument, "item id out of range");
  const CreditFactors factors = checked_factors(options);
  LabelMap best;
  layered_search(graphs_->reverse_items, std::span<const ItemId>(&need, 1), std::max(max_depth, 0),
                 factors, kNoId, best, nullptr);
  return item_labels(best, graphs_->item_count);
}

namespace {

// Breadth-first by layers from several sources: the fewest steps to every vertex within reach.
std::vector<std::pair<OccupationId, int>> layers(const OccupationGraph& g,
                                                 std::span<const OccupationId> from,
                                                 int max_steps) {
  std::unordered_map<std::uint32_t, int> steps;
  std::vector<std::uint32_t> frontier, next;
  for (OccupationId o : from)
    if (steps.emplace(o, 0).second) frontier.push_back(o);
  for (int depth = 1; depth <= max_steps && !frontier.empty(); ++depth) {
    next.clear();
    for (auto u : frontier)
      for (auto e : boost::make_iterator_range(boost::out_edges(u, g))) {
        auto v = boost::target(e, g);
        if (steps.emplace(v, depth).second) next.push_back(v);
      }
    frontier.swap(next);
  }
  std::vector<std::pair<OccupationId, int>> out(steps.begin(), steps.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::pair<OccupationId, int>> Referential::occupations_within(
    std::span<const OccupationId> from, int max_steps) const {
  for (OccupationId o : from)
    if (o >= occupations_.size())
      throw Error(ErrorCode::invalid_argument, "occupation id out of range");
  return layers(graphs_->occupations, from, max_steps);
}

std::vector<std::pair<OccupationId, int>> Referential::occupations_reaching(OccupationId to,
                                                                            int max_steps) const {
  if (to >= occupations_.size())
    throw Error(ErrorCode::invalid_argument, "occupation id out of range");
  return layers(graphs_->reverse_occupations, std::span<const OccupationId>(&to, 1), max_steps);
}

std::string Referential::describe(const Credit& credit) const {
  if (credit.from == kNoId) return "aucun lien";
  auto name = [&](const CreditNode& n) {
    if (n.is_occupation)
      return "fiche " + occupations_[n.id].code + " « " + occupations_[n.id].label + " »";
    return items_[n.id].code + " « " + items_[n.id].label + " »";
  };
  std::string out = name(CreditNode{false, credit.from});
  for (const auto& s : credit.path) {
    char f[32];
    std::snprintf(f, sizeof f, "%.3g", s.factor);
    out += " -[" + std::string(credit_edge_name(s.kind)) + " x" + f + "]-> " + name(s.to);
  }
  char v[32];
  std::snprintf(v, sizeof v, "%.6g", credit.value);
  return out + " = " + v;
}

}  // namespace v1
}  // namespace aiguillage
