#include "rules/engine/missing.hpp"

#include <algorithm>

#include "rules/engine/masks.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

bool count_missing(const Pack& pack, const DecisionTable& d, const std::vector<int>& blocking,
                   const std::uint32_t* keys, std::size_t key_stride, const Truth* truths,
                   const Value* frame, const char* uncertain, EvaluationScratch& s) {
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  Words& a = s.a;
  Words& u = s.u;
  a.resize(W);
  u.resize(W);
  std::vector<std::vector<int>>& fields_per_rule = s.fields_per_rule;
  if (fields_per_rule.size() < blocking.size()) fields_per_rule.resize(blocking.size());
  for (std::size_t b = 0; b < blocking.size(); ++b) fields_per_rule[b].clear();
  std::vector<char>& open = s.open;
  open.assign(blocking.size(), 0);
  std::vector<int>& counts = s.counts;
  auto add_missing = [&](const std::vector<int>& slots, std::vector<int>& dst, bool& unsettled) {
    for (int slot : slots) {
      if (uncertain[static_cast<std::size_t>(slot)]) {
        unsettled = true;
        continue;
      }
      for (int f : pack.slot_inputs(slot))
        if (frame[static_cast<std::size_t>(f)].is_null()) dst.push_back(f);
    }
  };
  for (std::size_t c = 0; c < t.columns().size(); ++c) {
    t.masks_from_trace(c, keys[c * key_stride], truths + t.generic_offset(c), a.data(), u.data());
    std::vector<int>& missing_here = s.missing_here;
    missing_here.clear();
    bool column_unsettled = false;
    add_missing(d.inputs[c].expr.slots(), missing_here, column_unsettled);
    for (std::size_t b = 0; b < blocking.size(); ++b) {
      auto r = static_cast<std::size_t>(blocking[b]);
      if (!test_bit(u.data(), r)) continue;
      auto& dst = fields_per_rule[b];
      bool unsettled = column_unsettled;
      dst.insert(dst.end(), missing_here.begin(), missing_here.end());
      // A generic cell may read other values than its column.
      for (const auto& g : t.columns()[c].generics)
        if (test_bit(g.rules.data(), r)) add_missing(g.cell.slots(), dst, unsettled);
      if (unsettled) open[b] = 1;
    }
  }
  bool any_open = false;
  for (std::size_t b = 0; b < blocking.size(); ++b) {
    auto& fields = fields_per_rule[b];
    std::sort(fields.begin(), fields.end());
    fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
    for (int f : fields) ++counts[f];
    any_open = any_open || open[b] || !fields.empty();
  }
  return any_open;
}

bool upstream_open(const DecisionTable& d, const std::uint32_t* keys, std::size_t key_stride,
                   const Truth* truths, const char* uncertain, EvaluationScratch& s) {
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  std::vector<char>& unsettled = s.unsettled;
  unsettled.assign(d.inputs.size(), 0);
  bool any = false;
  for (std::size_t c = 0; c < d.inputs.size(); ++c)
    for (int slot : d.inputs[c].expr.slots())
      if (uncertain[static_cast<std::size_t>(slot)]) unsettled[c] = 1, any = true;
  if (!any) return false;
  Words& a = s.a;
  Words& u = s.u;
  Words& rejected = s.rejected;
  Words& accepted = s.accepted;
  a.resize(W);
  u.resize(W);
  rejected.assign(W, 0);
  accepted.resize(W);
  all_rules(accepted.data(), W, t.rules());
  for (std::size_t c = 0; c < d.inputs.size(); ++c) {
    if (unsettled[c]) {
      for (std::size_t w = 0; w < W; ++w) accepted[w] &= t.columns()[c].always[w];
      continue;
    }
    t.masks_from_trace(c, keys[c * key_stride], truths + t.generic_offset(c), a.data(), u.data());
    for (std::size_t w = 0; w < W; ++w) {
      rejected[w] |= ~(a[w] | u[w]);
      accepted[w] &= a[w];
    }
  }
  std::size_t limit = t.rules();
  if (d.hit_policy == HitPolicy::first) {
    int f = first_bit(accepted.data(), W);
    if (f >= 0) limit = static_cast<std::size_t>(f);
  }
  for (std::size_t r = 0; r < limit; ++r)
    if (!test_bit(rejected.data(), r) && !test_bit(accepted.data(), r)) return true;
  return false;
}

void analyse_row(const Pack& p, const Value* frame, std::size_t row, std::size_t stride,
                 const std::vector<std::vector<std::uint32_t>>& keys,
                 const std::vector<std::vector<Truth>>& truths, RowAnalysis& x) {
  const std::size_t n_inputs = p.inputs().size();
  x.uncertain.assign(p.slot_count(), 0);
  char* uncertain = x.uncertain.data();
  std::vector<int>& counts = x.scratch.counts;  // count_missing adds to it
  counts.assign(n_inputs, 0);
  for (const Node& node : p.order()) {
    const auto index = static_cast<std::size_t>(node.index);
    if (node.kind == Node::Kind::variable) {
      const Variable& v = p.variables()[index];
      for (int s : v.expression.slots())
        uncertain[static_cast<std::size_t>(v.slot)] |= uncertain[static_cast<std::size_t>(s)];
      continue;
    }
    const DecisionTable& d = p.decisions()[index];
    bool incomplete = false, upstream = false;
    if (d.kind == DecisionTable::Kind::expression) {
      for (int s : d.expression.slots()) upstream |= uncertain[static_cast<std::size_t>(s)] != 0;
      if (frame[static_cast<std::size_t>(d.outputs[0].slot)].is_null())
        for (int f : p.slot_inputs(d.outputs[0].slot))
          if (frame[static_cast<std::size_t>(f)].is_null()) {
            ++counts[static_cast<std::size_t>(f)];
            incomplete = true;
          }
    } else {
      const CompiledTable& t = *d.compiled;
      const std::size_t W = t.words();
      const std::uint32_t* k = keys[index].data() + row;
      const Truth* tr = truths[index].data() + row * t.generic_count();
      start_masks(x, W, t.rules());
      for (std::size_t c = 0; c < t.columns().size(); ++c) {
        t.masks_from_trace(c, k[c * stride], tr + t.generic_offset(c), x.a.data(), x.u.data());
        for (std::size_t w = 0; w < W; ++w) {
          x.matched[w] &= x.a[w];
          x.possible[w] &= x.a[w] | x.u[w];
        }
      }
      for (std::size_t w = 0; w < W; ++w) x.undecided[w] = x.possible[w] & ~x.matched[w];
      const int first = first_bit(x.matched.data(), W);
      const bool below_first = d.hit_policy == HitPolicy::first && first >= 0;
      bits_into(x.blocking, x.undecided.data(), W,
                below_first ? static_cast<std::size_t>(first) : SIZE_MAX);
      incomplete = !x.blocking.empty() &&
                   count_missing(p, d, x.blocking, k, stride, tr, frame, uncertain, x.scratch);
      upstream = upstream_open(d, k, stride, tr, uncertain, x.scratch);
    }
    if (incomplete || upstream)
      for (const OutputSpec& os : d.outputs) uncertain[static_cast<std::size_t>(os.slot)] = 1;
  }
  x.missing.clear();
  for (std::size_t field = 0; field < n_inputs; ++field)
    if (counts[field] > 0)
      x.missing.push_back(MissingInput{static_cast<int>(field), counts[field]});
  std::stable_sort(x.missing.begin(), x.missing.end(),
                   [](const MissingInput& l, const MissingInput& r) { return l.rules > r.rules; });
}

void add_asked(const Pack& p, const Value* frame, const std::vector<char>& unused_input,
               const std::vector<MissingInput>& without, RowAnalysis& x) {
  for (std::size_t f = 0; f < p.inputs().size(); ++f) {
    if (unused_input[f] || !p.is_ask_value(static_cast<int>(f), frame[f])) continue;
    int rules = 1;
    for (const MissingInput& m : without)
      if (m.field == static_cast<int>(f)) rules = std::max(rules, m.rules);
    x.missing.push_back(MissingInput{static_cast<int>(f), rules, true});
  }
  std::stable_sort(x.missing.begin(), x.missing.end(),
                   [](const MissingInput& l, const MissingInput& r) { return l.rules > r.rules; });
}

void evaluate_without_asked(const Evaluator& evaluator, const std::vector<std::size_t>& ask_fields,
                            const Batch& batch, std::size_t begin, std::size_t end,
                            const EvalOptions& options, std::vector<int>& index,
                            std::vector<std::vector<MissingInput>>& missing) {
  const Pack& p = evaluator.pack();
  const std::size_t n_inputs = p.inputs().size();
  index.assign(end - begin, -1);
  std::size_t m = 0;
  for (std::size_t row = begin; row < end; ++row)
    for (std::size_t c : ask_fields)
      if (index[row - begin] < 0 && p.is_ask_value(static_cast<int>(c), batch.get(c, row)))
        index[row - begin] = static_cast<int>(m++);
  if (m == 0) return;
  Batch without(p.inputs(), m);
  std::vector<char> ask_field(n_inputs, 0);
  for (std::size_t c : ask_fields) ask_field[c] = 1;
  for (std::size_t row = begin; row < end; ++row) {
    if (index[row - begin] < 0) continue;
    const auto j = static_cast<std::size_t>(index[row - begin]);
    for (std::size_t c = 0; c < n_inputs; ++c) {
      const Value v = batch.get(c, row);
      if (ask_field[c] && p.is_ask_value(static_cast<int>(c), v))
        without.set_null(c, j);
      else
        without.set(c, j, v);
    }
  }
  if (missing.size() < m) missing.resize(m);
  BatchResult result;
  EvalOptions o = options;
  o.trace = false;
  evaluator.evaluate_batch_results(without, result, o, 0, m, [&](const RowResult& r) {
    missing[r.row].assign(r.missing.begin(), r.missing.end());
  });
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
