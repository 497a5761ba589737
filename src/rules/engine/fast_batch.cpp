#include <algorithm>
#include <bit>

#include "rules/engine/engine.hpp"
#include "rules/engine/hit_policy.hpp"
#include "rules/engine/masks.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

namespace {

constexpr std::size_t kBlock = 256;

// Every row of the block starts with every rule matched and possible.
[[gnu::always_inline]] inline void start_rows(std::uint64_t* mq, const Words& all, std::size_t n,
                                              std::size_t W) {
  if (W == 1) {
    for (std::size_t i = 0; i < n; ++i) {
      mq[2 * i] = all[0];
      mq[2 * i + 1] = all[0];
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) std::copy(all.begin(), all.end(), mq + i * 2 * W);
  }
}

// FIRST on a one-word table: the possible rules include the matched ones, so an undecided rule
// comes before the first match exactly when the first possible rule does (no rule at all counts
// as 64).
[[gnu::always_inline]] inline void first_hits_one_word(const std::uint64_t* mq, std::size_t n,
                                                       std::int32_t* hit, std::uint8_t* status) {
  for (std::size_t i = 0; i < n; ++i) {
    const int first = std::countr_zero(mq[2 * i]);
    const int first_possible = std::countr_zero(mq[2 * i + 1]);
    hit[i] = first == 64 ? -1 : first;
    status[i] = std::max(status[i], static_cast<std::uint8_t>(first_possible < first));
  }
}

// Any other table: each row's first hit, whether undecided rules before it (FIRST) or anywhere
// (UNIQUE) leave it open, and UNIQUE's violations.
void resolve_rows(const DecisionTable& d, const CompiledTable& t, const std::uint64_t* mq,
                  std::size_t b0, std::size_t n, std::size_t W, std::int32_t* hit,
                  BatchResult& out) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t row = b0 + i;
    const std::uint64_t* m = mq + i * 2 * W;
    const std::uint64_t* q = m + W;
    const int first = first_bit(m, W);
    hit[row] = first;
    bool open = false;
    const std::size_t limit = (d.hit_policy == HitPolicy::first && first >= 0)
                                  ? static_cast<std::size_t>(first)
                                  : t.rules();
    for (std::size_t w = 0; w < W && w * 64 < limit; ++w) {
      std::uint64_t und = q[w] & ~m[w];
      if (w * 64 + 64 > limit) und &= (std::uint64_t{1} << (limit - w * 64)) - 1;
      open |= und != 0;
    }
    if (d.hit_policy == HitPolicy::unique && first >= 0) {
      int count = 0;
      for (std::size_t w = 0; w < W; ++w) count += std::popcount(m[w]);
      if (count > 1) {
        out.status[row] = Status::error;
        out.errors.emplace_back(row, Error(ErrorCode::hit_policy_violation,
                                           "rules " + rule_list(d, bits_of(m, W)) +
                                               " all match under UNIQUE (" + d.id + ")",
                                           d.pointer));
        continue;
      }
    }
    if (open && out.status[row] == Status::complete) out.status[row] = Status::incomplete;
  }
}

}  // namespace

void evaluate_fast_batch(const Engine& engine, const Pack& p, const Batch& batch, BatchResult& out,
                         const EvalOptions& options, std::size_t begin, std::size_t end) {
  const std::size_t rows = batch.rows();
  const std::size_t n_dec = p.decisions().size();
  // Fast path: every table reads input columns directly. Rows go by blocks, column at a time:
  // each key ANDs its region's two masks (matched, possible) into the row's as soon as it is
  // known, and is stored only for the trace; then the hit and the status. The keys are the trace.
  static_assert(Status::complete < Status::incomplete && Status::incomplete < Status::error);
  std::fill(out.status.begin() + static_cast<std::ptrdiff_t>(begin),
            out.status.begin() + static_cast<std::ptrdiff_t>(end), Status::complete);
  Words rows_masks;  // per row of the block: matched words, then possible words
  for (std::size_t k = 0; k < n_dec; ++k) {
    const DecisionTable& d = p.decisions()[k];
    const CompiledTable& t = *d.compiled;
    const auto& plan = engine.plan.tables[k];
    const std::size_t n_cols = plan.size();
    const std::size_t W = t.words(), W2 = 2 * W;
    rows_masks.resize(kBlock * W2);
    Words all(W2);
    all_rules(all.data(), W, t.rules());
    std::copy(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(W),
              all.begin() + static_cast<std::ptrdiff_t>(W));
    std::uint32_t* keys_out = options.trace ? out.keys[k].data() : nullptr;
    std::int32_t* hit = out.first_hit[k].data();
    std::uint64_t* mq = rows_masks.data();
    for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
      const std::size_t n = std::min(kBlock, end - b0);
      start_rows(mq, all, n, W);
      for (std::size_t c = 0; c < n_cols; ++c) {
        std::uint32_t* ko = keys_out ? keys_out + c * rows + b0 : nullptr;
        plan[c].and_masks(batch, b0, n, options, t, c, W, mq, ko);
      }
      if (W == 1 && d.hit_policy == HitPolicy::first)
        first_hits_one_word(mq, n, hit + b0,
                            reinterpret_cast<std::uint8_t*>(out.status.data()) + b0);
      else
        resolve_rows(d, t, mq, b0, n, W, hit, out);
    }
  }
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
