#include "rules/engine/engine.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

Engine::Engine(const Pack& pack) : names(pack) {
  const auto n_inputs = static_cast<int>(pack.inputs().size());
  batch_fast = pack.variables().empty() && !pack.decisions().empty();
  for (const DecisionTable& d : pack.decisions()) {
    if (d.kind != DecisionTable::Kind::table ||
        (d.hit_policy != HitPolicy::first && d.hit_policy != HitPolicy::unique)) {
      batch_fast = false;
      continue;
    }
    // Sparse masks are rebuilt per record, which the per-block masks of the fast path are not.
    if (d.compiled->has_sparse()) batch_fast = false;
    for (const auto& col : d.compiled->columns())
      if (col.slot < 0 || col.slot >= n_inputs || !col.generics.empty() ||
          col.kind == CompiledTable::Column::Kind::opaque)
        batch_fast = false;
  }
  // Values that mean "to be asked" need the per-record analysis, which the blocks path hands
  // their rows to.
  if (pack.has_ask_values()) batch_fast = false;
  plan = build_batch_plan(pack, batch_fast);
  // Hit policies whose blocking rules are exactly the undecided ones the masks show; the others
  // (ANY, PRIORITY, OUTPUT ORDER) keep the per-record path.
  batch_block = true;
  for (const DecisionTable& d : pack.decisions())
    if (d.kind == DecisionTable::Kind::table &&
        (d.hit_policy == HitPolicy::any || d.hit_policy == HitPolicy::priority ||
         d.hit_policy == HitPolicy::output_order))
      batch_block = false;
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
