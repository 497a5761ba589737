// Decision tables compiled to per-column rule bitmasks.
//
// Every column's cells cut the column's domain into elementary regions (the points and open
// intervals between the constants of numeric and date cells; the literals and "anything else"
// of string, enum and boolean cells; null). A region's key indexes two masks: the rules whose
// cell accepts it, and the rules whose cell is unknown on it (a test on null). Evaluating a
// record is one key lookup and one AND per column, then a find-first-set; the keys are the
// trace, since every mask derives from them. Cells that are general expressions of "$" are
// evaluated once per distinct text and OR their rules in.
//
// Masks per region cost regions x rules bits, quadratic when every rule brings its own range
// (a ">= i" per rule sets n²/2 bits). A column whose masks would exceed the table's dense limit
// is kept sparse instead: each rule enters and leaves its ranges once, so the regions' accept
// masks are stored as checkpoints plus the rules toggled on entering each region (about as
// many words as the cells have intervals), and a region's mask is rebuilt on demand (one
// checkpoint copied, at most words() toggles applied) into the caller's scratch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/value.hpp"
#include "aiguillage/rules/expression.hpp"

namespace aiguillage {
inline namespace v1 {

struct DecisionTable;
using Decision = DecisionTable;  // the former name of DecisionTable, kept for callers

// Truth of a generic cell: false, true or unknown.
enum class Truth : std::uint8_t { no = 0, yes = 1, unknown = 2 };

class AIG_API CompiledTable {
 public:
  struct Column {
    enum class Kind : std::uint8_t { numeric, date, enumeration, boolean, strings, opaque };
    Kind kind = Kind::opaque;
    StaticType type;
    int slot = -1;                      // the frame slot when the column is a single name
    std::vector<std::int64_t> points;   // numeric (decimal units) or date (days), sorted
    std::vector<std::string> literals;  // strings: distinct literals; enums: the domain
    struct Hash {
      using is_transparent = void;
      std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> literal_index;
    std::uint32_t key_count = 0;         // the last key is null
    std::vector<std::uint64_t> accept;   // key_count x words
    std::vector<std::uint64_t> unknown;  // key_count x words
    std::vector<std::uint64_t> always;   // words: rules accepting every key, null included
    // Per key, the first word where accept or unknown has a bit (words() when none): a record's
    // possible rules all lie at or after the largest of its columns' first words, so large
    // tables skip the words before it.
    std::vector<std::uint32_t> first_word;
    // Integer and date columns whose cut points span a small range: key by direct lookup of the
    // plain value (an integer, or days), lut[x - lut_low]; below it key 0, above it the last
    // region.
    std::vector<std::uint32_t> lut;
    std::int64_t lut_low = 0;
    struct Generic {
      Expression cell;
      std::vector<std::uint64_t> rules;  // words
      std::uint32_t first_word = 0;      // the first word of `rules` with a bit
    };
    std::vector<Generic> generics;
    // A sparse column keeps `accept` and `unknown` empty. Only the null region has unknown
    // rules (a test on null), so it is kept whole; the other regions' accept masks are rebuilt
    // from the last checkpoint at or before them and the toggles of the regions since.
    bool sparse = false;
    struct SparseMasks {
      std::vector<std::uint32_t> checkpoint_keys;  // ascending, the first is 0
      std::vector<std::uint64_t> checkpoints;      // checkpoint_keys.size() x words
      std::vector<std::uint32_t> toggle_offsets;   // per non-null key + 1, into `toggles`
      std::vector<std::uint32_t> toggles;          // rules entering or leaving at each key
      std::vector<std::uint64_t> null_accept, null_unknown;  // words
    };
    SparseMasks sparse_masks;

    std::uint32_t null_key() const { return key_count - 1; }
  };

  // Columns whose regions x words exceed this keep sparse masks (tables of one word never do).
  static constexpr std::size_t kDenseWords = std::size_t{1} << 20;

  explicit CompiledTable(const Decision& decision, std::size_t dense_words = kDenseWords);

  std::size_t rules() const { return rules_; }
  std::size_t words() const { return words_; }
  const std::vector<Column>& columns() const { return columns_; }
  // Whether any column keeps sparse masks.
  bool has_sparse() const { return has_sparse_; }
  // Memory held by the compiled masks and indexes, in 64-bit words (32-bit entries count half).
  std::size_t footprint_words() const;

  // A region's accept and unknown words (words() each): pointers into the table for a dense
  // column; for a sparse one the accept words are rebuilt into `scratch` (words()) and point
  // there.
  struct Rows {
    const std::uint64_t* accept;
    const std::uint64_t* unknown;
  };
  Rows region_rows(std::size_t col, std::uint32_t key, std::uint64_t* scratch) const {
    const Column& c = columns_[col];
    if (!c.sparse) return {&c.accept[key * words_], &c.unknown[key * words_]};
    return sparse_rows(c, key, scratch);
  }

  // Key of a column value (null gives null_key()).
  std::uint32_t key_of(std::size_t col, const Value& v) const;
  // Key of a numeric column value given in decimal units, or a date column value in days.
  std::uint32_t key_of_scalar(std::size_t col, std::int64_t x) const {
    const auto& p = columns_[col].points;
    const std::size_t n = p.size();
    if (n == 0) return 0;
    // Branchless lower bound: the count of cut points below x.
    const std::int64_t* base = p.data();
    std::size_t len = n;
    while (len > 1) {
      const std::size_t half = len / 2;
      base += (base[half - 1] < x) ? half : 0;
      len -= half;
    }
    const std::size_t below = static_cast<std::size_t>(base - p.data()) + (*base < x);
    return static_cast<std::uint32_t>(2 * below + (below < n && p[below] == x));
  }
  // Key of an integer column's plain value, or a date column's days, through the lookup table
  // when there is one.
  std::uint32_t key_of_native(std::size_t col, std::int64_t x, bool integer) const {
    const Column& c = columns_[col];
    if (!c.lut.empty()) {
      if (x < c.lut_low) return 0;
      const auto i = static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(c.lut_low);
      return i < c.lut.size() ? c.lut[i] : static_cast<std::uint32_t>(2 * c.points.size());
    }
    if (integer) {
      constexpr std::int64_t kMax = INT64_MAX / 1'000'000;
      x = x > kMax ? INT64_MAX : (x < -kMax ? INT64_MIN : x * 1'000'000);
    }
    return key_of_scalar(col, x);
  }
  // A value falling in region `key` of a column, for counter-examples; nullopt when the region
  // holds no value of the column's type (e.g. no integer strictly between 1 and 2).
  std::optional<Value> representative(std::size_t col, std::uint32_t key, Arena& arena) const;
  // Readable description of a region: "< 26", "= 26", "entre 26 et 30", "\"RSA\"", "null".
  std::string describe_key(std::size_t col, std::uint32_t key) const;

  // Rule masks of a column for a value: accept and unknown, generic cells included.
  // `truths` receives one Truth per generic cell when not null.
  void column_masks(std::size_t col, const Value& v, std::uint32_t key, const EvalContext& ctx,
                    std::uint64_t* accept, std::uint64_t* unknown, Truth* truths) const;

  // Truths of a column's generic cells for a value, one per cell.
  void generic_truths(std::size_t col, const Value& v, const EvalContext& ctx, Truth* truths) const;

  // Masks of a column from a recorded key and generic truths (the trace, replayed).
  void masks_from_trace(std::size_t col, std::uint32_t key, const Truth* truths,
                        std::uint64_t* accept, std::uint64_t* unknown) const;

  // Offsets of each column's generic cells in a flat Truth array.
  std::size_t generic_offset(std::size_t col) const { return generic_offsets_[col]; }
  std::size_t generic_count() const { return generic_offsets_.back(); }

 private:
  Rows sparse_rows(const Column& c, std::uint32_t key, std::uint64_t* scratch) const;
  void compile_column(const Decision& d, std::size_t c, std::size_t dense_words);

  std::size_t rules_ = 0;
  std::size_t words_ = 1;
  bool has_sparse_ = false;
  std::vector<std::uint64_t> zeros_;  // words(): the unknown rules of a sparse non-null region
  std::vector<Column> columns_;
  std::vector<std::size_t> generic_offsets_;
};

}  // namespace v1
}  // namespace aiguillage
