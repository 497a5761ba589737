// What an Evaluator works out once from its pack: the batch plan, the pack's names escaped for
// the result writers, and which batch path the pack may take.
#pragma once

#include <memory>

#include "aiguillage/rules/evaluator.hpp"
#include "rules/engine/batch_plan.hpp"
#include "rules/json_names.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

struct Engine {
  explicit Engine(const Pack& pack);
  // Tables read only inputs, FIRST or UNIQUE, no generic cell, no value "to be asked": the
  // fast batch path (fast_batch.cpp).
  bool batch_fast = false;
  // Otherwise rows go by blocks (blocks.cpp), unless a hit policy's blocking rules are not the
  // undecided ones the masks show (ANY, PRIORITY, OUTPUT ORDER): then the per-record path.
  bool batch_block = false;
  BatchPlan plan;
  detail::JsonNames names;
};

// Rows [begin, end) of a batch on the fast path, into `out` (sized by the caller).
void evaluate_fast_batch(const Engine& engine, const Pack& pack, const Batch& batch,
                         BatchResult& out, const EvalOptions& options, std::size_t begin,
                         std::size_t end);

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
