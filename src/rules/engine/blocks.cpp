#include "rules/engine/blocks.hpp"

#include <algorithm>
#include <bit>
#include <utility>

#include "rules/engine/hit_policy.hpp"
#include "rules/engine/masks.hpp"
#include "rules/engine/missing.hpp"
#include "rules/engine/record.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

namespace {

// Rows [b0, b0 + n) of an input column as values, out[i * stride]; the type is switched on
// once per column, not once per cell.
void input_column(const Batch& batch, std::size_t c, std::size_t b0, std::size_t n, Value* out,
                  std::size_t stride) {
  const std::int64_t* data = batch.data(c) + b0;
  const std::uint8_t* present = batch.present(c) + b0;
  const FieldSpec& f = batch.schema().field(c);
  switch (f.type) {
    case FieldType::boolean:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = present[i] ? Value::boolean(data[i] != 0) : Value::null();
      return;
    case FieldType::integer:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = present[i] ? Value::integer(data[i]) : Value::null();
      return;
    case FieldType::decimal:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = present[i] ? Value::decimal(Decimal{data[i]}) : Value::null();
      return;
    case FieldType::date:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] =
            present[i] ? Value::date(Date{static_cast<std::int32_t>(data[i])}) : Value::null();
      return;
    case FieldType::enumeration:
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] =
            present[i] ? Value::string(f.values[static_cast<std::size_t>(data[i])]) : Value::null();
      return;
    default:
      for (std::size_t i = 0; i < n; ++i) out[i * stride] = batch.get(c, b0 + i);
      return;
  }
}

// Copies one per-record evaluation into a batch result.
void store_row(const Evaluation& e, std::size_t row, std::size_t rows, bool trace, BatchResult& out,
               const Evaluator::RowSink* sink, const Evaluator::RowResultSink* results) {
  out.status[row] = e.status;
  if (sink)
    (*sink)(row, e.status, e.frame.empty() || e.decisions.empty() ? nullptr : e.frame.data(),
            e.errors);
  else if (results) {
    RowResult r = row_result(e, std::any_of(e.errors.begin(), e.errors.end(), [](const Error& x) {
                               return x.code() == ErrorCode::input_constraint;
                             }));
    r.row = row;
    (*results)(r);
  } else
    for (const Error& err : e.errors) out.errors.emplace_back(row, err);
  for (std::size_t k = 0; k < out.first_hit.size(); ++k) {
    if (e.decisions.empty()) {  // rejected before any decision ran
      out.first_hit[k][row] = -1;
      continue;
    }
    const DecisionOutcome& o = e.decisions[k];
    out.first_hit[k][row] = o.fired.empty() ? -1 : o.fired[0];
    if (trace && o.evaluated)
      for (std::size_t c = 0; c < o.trace.keys.size(); ++c)
        out.keys[k][c * rows + row] = o.trace.keys[c];
  }
}

}  // namespace

// Rows go by blocks of frames laid out one after the other; variables, table columns and
// expression decisions run a column at a time over the block. Hits, keys and outputs never
// depend on the status, so only the status needs evaluate()'s reasoning. A row's status is
// incomplete as soon as one decision is: a table with undecided rules where they matter whose
// missing inputs could settle them (count_missing, on the row's keys and truths), or an
// expression decision waiting on a missing input. Until then nothing is uncertain, so the
// upstream checks of evaluate() have nothing to find; after, they could only make other
// decisions incomplete, which the row already is. Rows with an error to report (a broken
// constraint, a hit-policy violation, no valid reference date) are evaluated again by the
// per-record path, which owns the errors, so results never depend on the path taken.
namespace {

constexpr std::size_t kBlock = 64;
// The key of a number or a date depends on its value alone, and values repeat (ages): a
// small direct-mapped table per column, kept between blocks, skips the search over cut points.
struct NumberKey {
  std::int64_t value = 0;
  std::uint32_t key = 0;
  Type type = Type::null;  // null: empty
};
constexpr std::size_t kNumberKeys = 64;
// Tables of more than one word: a generic cell that holds (accept) or is unknown on a row adds
// its rules to its column's masks.
struct ExtraRules {
  const std::uint64_t* rules;
  bool accept;  // the cell holds; else it is unknown
};

// One table over one block: what every step of it reads.
struct TableStep {
  std::size_t k;  // the decision
  const DecisionTable& d;
  const CompiledTable& t;
  std::size_t b0, n;
  std::size_t W, n_cols, G;
  bool wide, first_policy, single;
  std::vector<std::uint32_t>& keys;  // column-major, kBlock per column
  std::vector<Truth>& truths;        // per row, G each
  std::int32_t* hit;
};

// A row's masks once built: matched and possible words, valid on [lo, hi).
struct RowMasks {
  const std::uint64_t* m;
  const std::uint64_t* q;
  std::size_t lo, hi;
};

class BlockPath {
 public:
  BlockPath(const Evaluator& evaluator, const Engine& engine, const Batch& batch, BatchResult& out,
            const EvalOptions& options, const Evaluator::RowSink* sink,
            const Evaluator::RowResultSink* results);
  void run(std::size_t begin, std::size_t end);

 private:
  void start_block(std::size_t b0, std::size_t n);
  void expression_decision(std::size_t k, std::size_t b0, std::size_t n);
  void table_decision(std::size_t k, std::size_t b0, std::size_t n);
  const Value* column_values(const TableStep& s, std::size_t c, std::size_t& stride);
  void column_keys(const TableStep& s, std::size_t c, const Value* vals, std::size_t stride,
                   std::uint32_t* kc);
  void add_column(const TableStep& s, std::size_t c, const Value* vals, std::size_t stride,
                  const std::uint32_t* kc);
  RowMasks row_masks(const TableStep& s, std::size_t i);
  void resolve_row(const TableStep& s, std::size_t i, const RowMasks& r);
  void write_outputs(const TableStep& s, std::size_t i, const RowMasks& r, int first);
  void finish_block(std::size_t begin, std::size_t b0, std::size_t n);
  void per_record(std::size_t row);

  const Evaluator& evaluator_;
  const Engine& engine_;
  const Pack& p_;
  const Batch& batch_;
  BatchResult& out_;
  const EvalOptions& options_;
  const Evaluator::RowSink* sink_;
  const Evaluator::RowResultSink* results_;
  const std::size_t rows_, n_inputs_, S_, n_dec_;
  Evaluation e_;
  std::vector<Value> frames_, scratch_, column_, values_;
  // redo: the row goes to the per-record path (an error to report); incomplete: a decision of
  // the row is incomplete. settled: no value is uncertain (evaluate()'s flags, all clear).
  std::vector<char> redo_, incomplete_, asked_, settled_;
  RowAnalysis analysis_;
  // Rows holding "to be asked" values, again without them (a block of their own) and the
  // missing inputs found for each.
  std::vector<int> asked_index_;
  std::vector<std::vector<MissingInput>> asked_missing_;
  std::vector<char> unused_input_;
  // With results: the fired rules of every row's decisions (the last block's, reused).
  std::vector<DecisionOutcome> outcomes_;
  EvaluationScratch resolve_;
  std::vector<int> blocking_;
  // Per decision: the block's keys and generic truths, kept until the block's rows are
  // written: the questions of an incomplete row are worked out from them (analyse_row).
  std::vector<std::vector<std::uint32_t>> block_keys_;
  std::vector<std::vector<Truth>> block_truths_;
  const std::vector<Error> no_errors_;
  Words matched_, possible_, a_, u_, all_;
  // Per column of a table with sparse columns, the row's region masks (rebuilt into
  // region_scratch_ for the sparse ones).
  std::vector<CompiledTable::Rows> region_rows_;
  Words region_scratch_;
  // Tables of more than one word: per row, the first word that can hold a possible rule; per
  // column with generic cells, the row's cells that hold or are unknown
  // (extras_[row_extra_[c] .. row_extra_[c + 1]]).
  std::vector<std::uint32_t> start_word_;
  std::vector<std::size_t> row_extra_;
  std::vector<ExtraRules> extras_;
  Arena arena_;
  std::vector<std::vector<NumberKey>> number_keys_;
};

BlockPath::BlockPath(const Evaluator& evaluator, const Engine& engine, const Batch& batch,
                     BatchResult& out, const EvalOptions& options, const Evaluator::RowSink* sink,
                     const Evaluator::RowResultSink* results)
    : evaluator_(evaluator),
      engine_(engine),
      p_(evaluator.pack()),
      batch_(batch),
      out_(out),
      options_(options),
      sink_(sink),
      results_(results),
      rows_(batch.rows()),
      n_inputs_(p_.inputs().size()),
      S_(p_.slot_count()),
      n_dec_(p_.decisions().size()),
      frames_(kBlock * S_),
      column_(kBlock),
      redo_(kBlock),
      incomplete_(kBlock),
      asked_(kBlock),
      settled_(S_, 0),
      unused_input_(n_inputs_, 0),
      outcomes_(results ? kBlock * n_dec_ : 0),
      block_keys_(n_dec_),
      block_truths_(n_dec_),
      start_word_(kBlock),
      number_keys_(n_dec_) {
  for (int f : p_.unused_inputs()) unused_input_[static_cast<std::size_t>(f)] = 1;
  resolve_.counts.assign(n_inputs_, 0);
  for (std::size_t k = 0; k < n_dec_; ++k)
    if (p_.decisions()[k].kind == DecisionTable::Kind::table)
      number_keys_[k].resize(p_.decisions()[k].compiled->columns().size() * kNumberKeys);
}

void BlockPath::run(std::size_t begin, std::size_t end) {
  if (results_ && p_.has_ask_values())
    evaluate_without_asked(evaluator_, engine_.plan.ask_fields, batch_, begin, end, options_,
                           asked_index_, asked_missing_);
  for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
    const std::size_t n = std::min(kBlock, end - b0);
    start_block(b0, n);
    for (const Node& node : p_.order()) {
      const auto k = static_cast<std::size_t>(node.index);
      if (node.kind == Node::Kind::variable) {
        const Variable& v = p_.variables()[k];
        v.expression.evaluate_rows(frames_.data(), S_, n, frames_.data() + v.slot, S_, scratch_,
                                   &arena_);
      } else if (p_.decisions()[k].kind == DecisionTable::Kind::expression) {
        expression_decision(k, b0, n);
      } else {
        table_decision(k, b0, n);
      }
    }
    finish_block(begin, b0, n);
  }
}

// The block's frames: inputs from the batch, the rest null; the rows to redo (no valid
// reference date, a broken constraint) and those holding "to be asked" values.
void BlockPath::start_block(std::size_t b0, std::size_t n) {
  const auto ref_slot = static_cast<std::size_t>(p_.reference_date_field());
  arena_.reset();
  for (std::size_t i = 0; i < n; ++i)  // inputs are filled below, the rest starts null
    std::fill(frames_.begin() + static_cast<std::ptrdiff_t>(i * S_ + n_inputs_),
              frames_.begin() + static_cast<std::ptrdiff_t>((i + 1) * S_), Value::null());
  for (std::size_t c = 0; c < n_inputs_; ++c)
    input_column(batch_, c, b0, n, frames_.data() + c, S_);
  for (std::size_t i = 0; i < n; ++i) {
    Value& ref = frames_[i * S_ + ref_slot];
    if (ref.is_null() && options_.reference_date) ref = Value::date(*options_.reference_date);
    redo_[i] = ref.is_null() || !p_.valid_at(ref.as_date());
    incomplete_[i] = 0;
  }
  for (const Constraint& c : p_.constraints()) {
    c.expression.evaluate_rows(frames_.data(), S_, n, column_.data(), 1, scratch_, &arena_);
    for (std::size_t i = 0; i < n; ++i)
      if (column_[i].type() == Type::boolean && !column_[i].as_bool()) redo_[i] = 1;
  }
  // A value that means "to be asked" makes the row incomplete, as evaluate() decides it.
  std::fill(asked_.begin(), asked_.end(), 0);
  if (p_.has_ask_values())
    for (std::size_t i = 0; i < n; ++i) {
      const Value* f = frames_.data() + i * S_;
      for (std::size_t c : engine_.plan.ask_fields)
        if (p_.is_ask_value(static_cast<int>(c), f[c])) incomplete_[i] = asked_[i] = 1;
    }
}

void BlockPath::expression_decision(std::size_t k, std::size_t b0, std::size_t n) {
  const DecisionTable& d = p_.decisions()[k];
  std::int32_t* hit = out_.first_hit[k].data() + b0;
  const auto slot = static_cast<std::size_t>(d.outputs[0].slot);
  d.expression.evaluate_rows(frames_.data(), S_, n, frames_.data() + slot, S_, scratch_, &arena_);
  for (std::size_t i = 0; i < n; ++i) {
    hit[i] = -1;
    const Value* f = frames_.data() + i * S_;
    bool waiting = false;  // a null value that a missing input could change
    if (f[slot].is_null())
      for (int in : p_.slot_inputs(d.outputs[0].slot))
        if (f[static_cast<std::size_t>(in)].is_null()) waiting = true;
    if (waiting) incomplete_[i] = 1;
    if (results_) outcomes_[i * n_dec_ + k].fired.clear();
  }
}

// One word of rules: the column loop ANDs each row's mask in place. More: the column loop only
// finds keys and generic truths, and each row's masks are then built a word at a time, from the
// first word that can hold a possible rule (the largest of its columns' first words) and, under
// FIRST, up to the word of the first match: the rules after it change neither the hit nor the
// status. A large table of near copies whose rows mostly fall through to a catch-all costs a
// word per column, not the whole table.
void BlockPath::table_decision(std::size_t k, std::size_t b0, std::size_t n) {
  const DecisionTable& d = p_.decisions()[k];
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  TableStep s{k,
              d,
              t,
              b0,
              n,
              W,
              t.columns().size(),
              t.generic_count(),
              W > 1,
              d.hit_policy == HitPolicy::first,
              d.hit_policy == HitPolicy::first || d.hit_policy == HitPolicy::unique,
              block_keys_[k],
              block_truths_[k],
              out_.first_hit[k].data() + b0};
  all_.resize(W);
  all_rules(all_.data(), W, t.rules());
  if (s.wide) {
    matched_.resize(W);
    possible_.resize(W);
  } else {
    matched_.assign(n, all_[0]);
    possible_.assign(n, all_[0]);
  }
  s.keys.resize(s.n_cols * kBlock);
  a_.resize(W);
  u_.resize(W);
  s.truths.resize(n * s.G);
  if (s.wide)
    std::fill(start_word_.begin(), start_word_.begin() + static_cast<std::ptrdiff_t>(n), 0);
  for (std::size_t c = 0; c < s.n_cols; ++c) {
    std::size_t stride = 0;
    const Value* vals = column_values(s, c, stride);
    std::uint32_t* kc = s.keys.data() + c * kBlock;
    column_keys(s, c, vals, stride, kc);
    add_column(s, c, vals, stride, kc);
    if (options_.trace) std::copy(kc, kc + n, out_.keys[k].data() + c * rows_ + b0);
  }
  row_extra_.assign(s.n_cols + 1, 0);
  for (std::size_t i = 0; i < n; ++i) resolve_row(s, i, row_masks(s, i));
}

// The values of a table's column over the block: a slot of the frames, or its expression's.
const Value* BlockPath::column_values(const TableStep& s, std::size_t c, std::size_t& stride) {
  const auto& col = s.t.columns()[c];
  if (col.slot >= 0) {
    stride = S_;
    return frames_.data() + col.slot;
  }
  s.d.inputs[c].expr.evaluate_rows(frames_.data(), S_, s.n, column_.data(), 1, scratch_, &arena_);
  stride = 1;
  return column_.data();
}

void BlockPath::column_keys(const TableStep& s, std::size_t c, const Value* vals,
                            std::size_t stride, std::uint32_t* kc) {
  const auto& col = s.t.columns()[c];
  const std::size_t n = s.n;
  if (engine_.plan.tables[s.k][c].from_batch) {
    engine_.plan.tables[s.k][c].keys(batch_, s.b0, n, options_, s.t, c, kc);
    return;
  }
  if (col.kind == CompiledTable::Column::Kind::boolean) {
    // As key_of: true 1, false 0, anything else the null region.
    const std::uint32_t null_key = col.null_key();
    for (std::size_t i = 0; i < n; ++i) {
      const Value& v = vals[i * stride];
      kc[i] = v.type() == Type::boolean ? (v.as_bool() ? 1u : 0u) : null_key;
    }
    return;
  }
  // Texts repeat within a block (outputs, constants, enum values): within a block an address
  // names one text, so a small table of the addresses seen in this column gives their keys
  // again (the block's arena is reset only between blocks).
  NumberKey* numbers = number_keys_[s.k].data() + c * kNumberKeys;
  struct TextKey {
    const char* text = nullptr;
    std::size_t size = 0;
    std::uint32_t key = 0;
  };
  TextKey texts[8];
  for (std::size_t i = 0; i < n; ++i) {
    const Value& v = vals[i * stride];
    const Type type = v.type();
    if (type == Type::integer || type == Type::decimal || type == Type::date) {
      NumberKey& entry = numbers[static_cast<std::uint64_t>(v.as_int()) % kNumberKeys];
      if (entry.type != type || entry.value != v.as_int())
        entry = {v.as_int(), s.t.key_of(c, v), type};
      kc[i] = entry.key;
      continue;
    }
    if (type != Type::string) {
      kc[i] = s.t.key_of(c, v);
      continue;
    }
    const std::string_view text = v.as_string();
    const auto address = reinterpret_cast<std::uintptr_t>(text.data());
    TextKey& entry = texts[((address >> 3) ^ (address >> 7)) & 7];
    if (entry.text != text.data() || entry.size != text.size() || !entry.text)
      entry = {text.data(), text.size(), s.t.key_of(c, v)};
    kc[i] = entry.key;
  }
}

// A column's part of each row's masks: a one-word table ANDs them in place; a wider one notes
// the first word that can hold a possible rule (and the truths of the generic cells).
void BlockPath::add_column(const TableStep& s, std::size_t c, const Value* vals, std::size_t stride,
                           const std::uint32_t* kc) {
  const auto& col = s.t.columns()[c];
  const std::size_t n = s.n;
  if (s.wide) {
    const std::uint32_t* first_word = col.first_word.data();
    if (col.generics.empty()) {
      for (std::size_t i = 0; i < n; ++i)
        start_word_[i] = std::max(start_word_[i], first_word[kc[i]]);
      return;
    }
    EvalContext ctx{nullptr, Value::null(), &arena_};
    for (std::size_t i = 0; i < n; ++i) {
      ctx.slots = frames_.data() + i * S_;
      Truth* tr = s.truths.data() + i * s.G + s.t.generic_offset(c);
      s.t.generic_truths(c, vals[i * stride], ctx, tr);
      std::uint32_t from = first_word[kc[i]];
      for (std::size_t g = 0; g < col.generics.size(); ++g)
        if (tr[g] != Truth::no) from = std::min(from, col.generics[g].first_word);
      start_word_[i] = std::max(start_word_[i], from);
    }
    return;
  }
  std::uint64_t* matched = matched_.data();
  std::uint64_t* possible = possible_.data();
  if (col.generics.empty()) {
    const std::uint64_t* acc = col.accept.data();
    const std::uint64_t* unk = col.unknown.data();
    for (std::size_t i = 0; i < n; ++i) {
      matched[i] &= acc[kc[i]];
      possible[i] &= acc[kc[i]] | unk[kc[i]];
    }
    return;
  }
  EvalContext ctx{nullptr, Value::null(), &arena_};
  for (std::size_t i = 0; i < n; ++i) {
    ctx.slots = frames_.data() + i * S_;
    s.t.column_masks(c, vals[i * stride], kc[i], ctx, a_.data(), u_.data(),
                     s.truths.data() + i * s.G + s.t.generic_offset(c));
    matched[i] &= a_[0];
    possible[i] &= a_[0] | u_[0];
  }
}

// Row i's matched and possible masks. One word: already built. More: each column's words are
// its key's masks, ORed with those of its generic cells that hold (accept) or are unknown
// (unknown) on this row, from the row's first possible word up to (FIRST) its first match.
RowMasks BlockPath::row_masks(const TableStep& s, std::size_t i) {
  if (!s.wide) return {matched_.data() + i, possible_.data() + i, 0, 1};
  const auto& cols = s.t.columns();
  if (s.G) {
    extras_.clear();
    for (std::size_t c = 0; c < s.n_cols; ++c) {
      row_extra_[c] = extras_.size();
      const Truth* tr = s.truths.data() + i * s.G + s.t.generic_offset(c);
      for (std::size_t g = 0; g < cols[c].generics.size(); ++g)
        if (tr[g] != Truth::no)
          extras_.push_back({cols[c].generics[g].rules.data(), tr[g] == Truth::yes});
    }
    row_extra_[s.n_cols] = extras_.size();
  }
  std::uint64_t* mw = matched_.data();
  std::uint64_t* qw = possible_.data();
  std::size_t lo = start_word_[i], hi = start_word_[i];
  // The row's words from `lo`, a column's region words given by `words_of`: read in place for
  // dense columns, rebuilt once per row for sparse ones.
  auto scan = [&](auto words_of) {
    for (std::size_t w = lo; w < s.W; ++w) {
      std::uint64_t mword = all_[w], qword = all_[w];
      for (std::size_t c = 0; c < s.n_cols; ++c) {
        auto [acc, unk] = words_of(c, w);
        for (std::size_t x = row_extra_[c]; x < row_extra_[c + 1]; ++x)
          (extras_[x].accept ? acc : unk) |= extras_[x].rules[w];
        mword &= acc;
        qword &= acc | unk;
      }
      mw[w] = mword;
      qw[w] = qword;
      hi = w + 1;
      if (s.first_policy && mword) break;
    }
  };
  if (!s.t.has_sparse()) {
    scan([&](std::size_t c, std::size_t w) {
      const std::size_t at = std::size_t{s.keys[c * kBlock + i]} * s.W + w;
      return std::pair{cols[c].accept[at], cols[c].unknown[at]};
    });
  } else if (lo < s.W) {
    region_rows_.resize(s.n_cols);
    region_scratch_.resize(s.n_cols * s.W);
    for (std::size_t c = 0; c < s.n_cols; ++c)
      region_rows_[c] =
          s.t.region_rows(c, s.keys[c * kBlock + i], region_scratch_.data() + c * s.W);
    scan([&](std::size_t c, std::size_t w) {
      return std::pair{region_rows_[c].accept[w], region_rows_[c].unknown[w]};
    });
  }
  return {mw, qw, lo, hi};
}

// Row i of a table: its hit, whether it stays open (incomplete, or an error for the per-record
// path), its fired rules and its outputs.
void BlockPath::resolve_row(const TableStep& s, std::size_t i, const RowMasks& r) {
  const std::uint64_t* m = r.m;
  const std::uint64_t* q = r.q;
  int first = -1;
  for (std::size_t w = r.lo; w < r.hi; ++w)
    if (m[w]) {
      first = static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(m[w])));
      break;
    }
  s.hit[i] = first;
  // Undecided rules before the first match (FIRST) or anywhere (the others) matter.
  const std::size_t limit =
      (s.first_policy && first >= 0) ? static_cast<std::size_t>(first) : s.t.rules();
  bool open = false;
  if (!s.wide) {  // the rules below the lowest match: one mask, no shift by a variable
    const std::uint64_t before = (s.first_policy && m[0]) ? (m[0] & (~m[0] + 1)) - 1 : ~0ull;
    open = (q[0] & ~m[0] & before) != 0;
  } else {
    for (std::size_t w = r.lo; w < r.hi && w * 64 < limit; ++w) {
      std::uint64_t und = q[w] & ~m[w];
      if (w * 64 + 64 > limit) und &= (std::uint64_t{1} << (limit - w * 64)) - 1;
      open |= und != 0;
    }
  }
  if (s.d.hit_policy == HitPolicy::unique && first >= 0) {
    std::size_t count = 0;
    for (std::size_t w = r.lo; w < r.hi; ++w)
      count += static_cast<std::size_t>(std::popcount(m[w]));
    if (count > 1) redo_[i] = 1;  // a hit-policy error: the per-record path reports it
  }
  // Undecided rules in a row still complete: incomplete when a missing input could settle
  // them, as evaluate() decides it, on this row's keys and truths.
  if (open && !redo_[i] && !incomplete_[i]) {
    blocking_.clear();
    for (std::size_t w = r.lo; w < r.hi && w * 64 < limit; ++w)
      for (std::uint64_t x = q[w] & ~m[w]; x; x &= x - 1) {
        const std::size_t rule = w * 64 + static_cast<std::size_t>(std::countr_zero(x));
        if (rule >= limit) break;
        blocking_.push_back(static_cast<int>(rule));
      }
    if (count_missing(p_, s.d, blocking_, s.keys.data() + i, kBlock, s.truths.data() + i * s.G,
                      frames_.data() + i * S_, settled_.data(), resolve_))
      incomplete_[i] = 1;
  }
  if (results_) {  // the rules that fired: the first hit, or every match in rule order
    std::vector<int>& fired = outcomes_[i * n_dec_ + s.k].fired;
    fired.clear();
    if (s.single) {
      if (first >= 0) fired.push_back(first);
    } else {
      for (std::size_t w = r.lo; w < r.hi; ++w)
        for (std::uint64_t x = m[w]; x; x &= x - 1)
          fired.push_back(static_cast<int>(w * 64 + std::countr_zero(x)));
    }
  }
  write_outputs(s, i, r, first);
}

void BlockPath::write_outputs(const TableStep& s, std::size_t i, const RowMasks& r, int first) {
  Value* f = frames_.data() + i * S_;
  EvalContext ctx{f, Value::null(), &arena_};
  const DecisionTable& d = s.d;
  const std::size_t n_out = d.outputs.size();
  const auto& computed = engine_.plan.computed_outputs[s.k];
  const auto& constant = engine_.plan.constant_outputs[s.k];
  auto output = [&](std::size_t rule, std::size_t o) {
    const Expression* x = computed[rule * n_out + o];
    return x ? x->evaluate(ctx) : constant[rule * n_out + o];
  };
  if (s.single) {
    for (std::size_t o = 0; o < n_out; ++o)
      f[d.outputs[o].slot] = first < 0 ? Value::null() : output(static_cast<std::size_t>(first), o);
    return;
  }
  for (std::size_t o = 0; o < n_out; ++o) {
    values_.clear();
    for (std::size_t w = r.lo; w < r.hi; ++w)
      for (std::uint64_t x = r.m[w]; x; x &= x - 1)
        values_.push_back(output(w * 64 + static_cast<std::size_t>(std::countr_zero(x)), o));
    if (d.hit_policy == HitPolicy::rule_order || d.hit_policy == HitPolicy::collect) {
      Value* items = arena_.allocate_values(values_.size());
      std::copy(values_.begin(), values_.end(), items);
      f[d.outputs[o].slot] = Value::list(items, values_.size());
    } else {
      f[d.outputs[o].slot] = aggregate(d.hit_policy, values_, arena_);
    }
  }
}

// Hands the block's rows on: an incomplete row's questions come from its keys and truths
// (analyse_row), as evaluate() finds them, those of its "to be asked" values from its copy
// without them; a row to redo goes to the per-record path.
void BlockPath::finish_block(std::size_t begin, std::size_t b0, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t row = b0 + i;
    bool analysed = false;
    const int copy = asked_[i] && !asked_index_.empty() ? asked_index_[row - begin] : -1;
    if (!redo_[i] && results_ && incomplete_[i] && (!asked_[i] || copy >= 0)) {
      analyse_row(p_, frames_.data() + i * S_, i, kBlock, block_keys_, block_truths_, analysis_);
      if (asked_[i])
        add_asked(p_, frames_.data() + i * S_, unused_input_,
                  asked_missing_[static_cast<std::size_t>(copy)], analysis_);
      analysed = true;
    }
    if (redo_[i] || (results_ && incomplete_[i] && !analysed)) {
      per_record(row);
      continue;
    }
    const Status st = incomplete_[i] ? Status::incomplete : Status::complete;
    out_.status[row] = st;
    if (sink_) (*sink_)(row, st, frames_.data() + i * S_, no_errors_);
    if (results_) {
      RowResult r;
      r.row = row;
      r.status = st;
      r.frame = frames_.data() + i * S_;
      r.decisions = std::span<const DecisionOutcome>(outcomes_.data() + i * n_dec_, n_dec_);
      if (analysed) r.missing = analysis_.missing;
      (*results_)(r);
    }
  }
}

void BlockPath::per_record(std::size_t row) {
  e_.input.reset(n_inputs_);
  for (std::size_t c = 0; c < n_inputs_; ++c) e_.input.values[c] = batch_.get(c, row);
  evaluator_.evaluate(e_, options_);
  store_row(e_, row, rows_, options_.trace, out_, sink_, results_);
}

}  // namespace

void evaluate_blocks(const Evaluator& evaluator, const Engine& engine, const Batch& batch,
                     BatchResult& out, const EvalOptions& options, std::size_t begin,
                     std::size_t end, const Evaluator::RowSink* sink,
                     const Evaluator::RowResultSink* results) {
  if (!engine.batch_block) {
    Evaluation e;
    const std::size_t n_inputs = evaluator.pack().inputs().size();
    for (std::size_t row = begin; row < end; ++row) {
      e.input.reset(n_inputs);
      for (std::size_t c = 0; c < n_inputs; ++c) e.input.values[c] = batch.get(c, row);
      evaluator.evaluate(e, options);
      store_row(e, row, batch.rows(), options.trace, out, sink, results);
    }
    return;
  }
  BlockPath(evaluator, engine, batch, out, options, sink, results).run(begin, end);
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
