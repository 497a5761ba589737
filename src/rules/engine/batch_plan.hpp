// The batch plan: per column of every table, how a value of a columnar batch becomes a key,
// worked out once per evaluator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/evaluator.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

// How the fast batch path turns a column of a batch into keys: integer inputs with bounds key
// through a table over their whole domain (one load, no branch); other numbers and dates through
// buckets of their range that each hold one to three cut points (a load and as many compares),
// or else a branchless search over cut points padded to a power of two; enums and booleans are
// their key. A missing value selects the null key with a conditional move, not a branch.
struct BatchPlan {
  struct Column {
    CompiledTable::Column::Kind kind;
    bool from_batch = false;  // the column is one input: keys straight from the batch
    std::size_t field = 0;
    bool integer = false;
    bool reference = false;
    std::uint32_t null_key = 0;
    std::uint32_t last_key = 0;        // the region above every cut point
    std::vector<std::int64_t> points;  // padded with INT64_MAX to a power of two above n_points
    std::size_t n_points = 0;
    std::vector<std::uint32_t> lut;
    std::int64_t lut_min = 0, lut_max = 0;
    // Buckets of [bucket_low, bucket_high] = [first cut point - 1, last cut point + 1], indexed
    // by (x - bucket_low) >> bucket_shift: the count of cut points below each bucket's start. A
    // bucket holds at most bucket_steps cut points, so as many compares finish the count below
    // x. bucket_steps 0: no buckets.
    std::vector<std::uint16_t> bucket_start;
    std::int64_t bucket_low = 0, bucket_high = 0;
    int bucket_shift = 0;
    int bucket_steps = 0;
    // Fast path only: per key, the accept words then the accept | unknown words (rules whose
    // cell accepts the region, or may), so that one row's two masks take one AND per word.
    std::vector<std::uint64_t> masks;
    // Keys of rows [b0, b0 + n) of this column of the batch, into kc.
    void keys(const Batch& batch, std::size_t b0, std::size_t n, const EvalOptions& options,
              const CompiledTable& t, std::size_t c, std::uint32_t* kc) const;
    // Buckets for the cut points, when they beat the padded search: the fewest buckets (up to
    // 4096) that hold at most one cut point each, else the layout with the fewest per bucket.
    void plan_buckets();
    // each_key for a block whose presence test is is_present(i).
    template <class F, class Has>
    void keys_of(const Batch& batch, std::size_t b0, std::size_t n, const EvalOptions& options,
                 const CompiledTable& t, std::size_t c, F f, const std::int64_t* data,
                 Has is_present) const;
    // ANDs the masks of each row's key into the row's matched and possible words (mq + i * 2 *
    // words) and, when ko is not null, stores the key in ko[i]. Out of line, so that the loops
    // keep their pointers in registers.
    [[gnu::noinline]] void and_masks(const Batch& batch, std::size_t b0, std::size_t n,
                                     const EvalOptions& options, const CompiledTable& t,
                                     std::size_t c, std::size_t words, std::uint64_t* mq,
                                     std::uint32_t* ko) const;
    // Calls f(i, key) for rows b0 + i, i < n, in order.
    template <class F>
    void each_key(const Batch& batch, std::size_t b0, std::size_t n, const EvalOptions& options,
                  const CompiledTable& t, std::size_t c, F f) const;
    // Keys of numbers and dates: x(i) is row i's value in the cut points' unit, has(i) whether
    // it is present.
    template <class X, class Has, class F>
    void number_keys(std::size_t n, X x, Has has, F f) const;
    // Keys given by key(i) (enum codes, or a table's entry), null where has(i) is false.
    template <class Key, class Has, class F>
    void number_keys(std::size_t n, Key key, Has has, F f, std::true_type) const;
    template <int Steps, class X, class Has, class F>
    void bucket_keys(std::size_t n, X x, Has has, F f) const;
    template <class X, class Has, class F>
    void search_keys(std::size_t n, X x, Has has, F f) const;
  };
  std::vector<std::vector<Column>> tables;  // per decision
  // Rule outputs, looked up instead of evaluated when constant: [decision][rule * outputs + o],
  // a null pointer when the output must be evaluated.
  std::vector<std::vector<const Expression*>> computed_outputs;
  std::vector<std::vector<Value>> constant_outputs;
  // The inputs the pack reads that have values meaning "to be asked".
  std::vector<std::size_t> ask_fields;
};

// The plan of a pack; `fast` adds the per-key masks of the fast batch path.
BatchPlan build_batch_plan(const Pack& pack, bool fast);

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
