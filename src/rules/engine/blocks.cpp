#include "rules/engine/blocks.hpp"

#include <algorithm>
#include <bit>

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
void evaluate_blocks(const Evaluator& evaluator, const Engine& engine, const Batch& batch,
                     BatchResult& out, const EvalOptions& options, std::size_t begin,
                     std::size_t end, const Evaluator::RowSink* sink,
                     const Evaluator::RowResultSink* results) {
  const Pack& p = evaluator.pack();
  const std::size_t rows = batch.rows();
  const std::size_t n_inputs = p.inputs().size();
  const std::size_t S = p.slot_count();
  Evaluation e;
  if (!engine.batch_block) {
    for (std::size_t row = begin; row < end; ++row) {
      e.input.reset(n_inputs);
      for (std::size_t c = 0; c < n_inputs; ++c) e.input.values[c] = batch.get(c, row);
      evaluator.evaluate(e, options);
      store_row(e, row, rows, options.trace, out, sink, results);
    }
    return;
  }
  constexpr std::size_t kBlock = 64;
  const auto ref_slot = static_cast<std::size_t>(p.reference_date_field());
  std::vector<Value> frames(kBlock * S), scratch, column(kBlock), values;
  // redo: the row goes to the per-record path (an error to report); incomplete: a decision of
  // the row is incomplete. settled: no value is uncertain (evaluate()'s flags, all clear).
  std::vector<char> redo(kBlock), incomplete(kBlock), asked(kBlock), settled(S, 0);
  RowAnalysis analysis;
  // Rows holding "to be asked" values, again without them (a block of their own) and the
  // missing inputs found for each.
  std::vector<int> asked_index;
  std::vector<std::vector<MissingInput>> asked_missing;
  if (results && p.has_ask_values())
    evaluate_without_asked(evaluator, engine.plan.ask_fields, batch, begin, end, options,
                           asked_index, asked_missing);
  std::vector<char> unused_input(n_inputs, 0);
  for (int f : p.unused_inputs()) unused_input[static_cast<std::size_t>(f)] = 1;
  // With `results`: the fired rules of every row's decisions (the last block's, reused).
  const std::size_t n_dec = p.decisions().size();
  std::vector<DecisionOutcome> outcomes(results ? kBlock * n_dec : 0);
  EvaluationScratch resolve;
  resolve.counts.assign(n_inputs, 0);
  std::vector<int> blocking;
  // Per decision: the block's keys (column-major, kBlock per column) and generic truths (per
  // row), kept until the block's rows are written: the questions of an incomplete row are
  // worked out from them (analyse_row).
  std::vector<std::vector<std::uint32_t>> block_keys(p.decisions().size());
  std::vector<std::vector<Truth>> block_truths(p.decisions().size());
  const std::vector<Error> no_errors;
  Words matched, possible, a, u, all;
  // Tables of more than one word: per row, the first word that can hold a possible rule; per
  // column with generic cells, the row's cells that hold or are unknown, which add their rules
  // to the column's masks (extras[row_extra[c] .. row_extra[c + 1]]).
  struct ExtraRules {
    const std::uint64_t* rules;
    bool accept;  // the cell holds; else it is unknown
  };
  std::vector<std::uint32_t> start_word(kBlock);
  std::vector<std::size_t> row_extra;
  std::vector<ExtraRules> extras;
  Arena arena;
  const auto& computed_outputs = engine.plan.computed_outputs;
  const auto& constant_outputs = engine.plan.constant_outputs;
  // The key of a number or a date depends on its value alone, and values repeat (ages): a
  // small direct-mapped table per column, kept between blocks, skips the search over cut points.
  struct NumberKey {
    std::int64_t value = 0;
    std::uint32_t key = 0;
    Type type = Type::null;  // null: empty
  };
  constexpr std::size_t kNumberKeys = 64;
  std::vector<std::vector<NumberKey>> number_keys(p.decisions().size());
  for (std::size_t k = 0; k < p.decisions().size(); ++k)
    if (p.decisions()[k].kind == Decision::Kind::table)
      number_keys[k].resize(p.decisions()[k].compiled->columns().size() * kNumberKeys);
  for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
    const std::size_t n = std::min(kBlock, end - b0);
    arena.reset();
    for (std::size_t i = 0; i < n; ++i)  // inputs are filled below, the rest starts null
      std::fill(frames.begin() + static_cast<std::ptrdiff_t>(i * S + n_inputs),
                frames.begin() + static_cast<std::ptrdiff_t>((i + 1) * S), Value::null());
    for (std::size_t c = 0; c < n_inputs; ++c) input_column(batch, c, b0, n, frames.data() + c, S);
    for (std::size_t i = 0; i < n; ++i) {
      Value& ref = frames[i * S + ref_slot];
      if (ref.is_null() && options.reference_date) ref = Value::date(*options.reference_date);
      redo[i] = ref.is_null() || !p.valid_at(ref.as_date());
      incomplete[i] = 0;
    }
    for (const Constraint& c : p.constraints()) {
      c.expression.evaluate_rows(frames.data(), S, n, column.data(), 1, scratch, &arena);
      for (std::size_t i = 0; i < n; ++i)
        if (column[i].type() == Type::boolean && !column[i].as_bool()) redo[i] = 1;
    }
    // A value that means "to be asked" makes the row incomplete, as evaluate() decides it.
    std::fill(asked.begin(), asked.end(), 0);
    if (p.has_ask_values())
      for (std::size_t i = 0; i < n; ++i) {
        const Value* f = frames.data() + i * S;
        for (std::size_t c : engine.plan.ask_fields)
          if (p.is_ask_value(static_cast<int>(c), f[c])) incomplete[i] = asked[i] = 1;
      }
    for (const Node& node : p.order()) {
      if (node.kind == Node::Kind::variable) {
        const Variable& v = p.variables()[static_cast<std::size_t>(node.index)];
        v.expression.evaluate_rows(frames.data(), S, n, frames.data() + v.slot, S, scratch, &arena);
        continue;
      }
      const auto k = static_cast<std::size_t>(node.index);
      const Decision& d = p.decisions()[k];
      std::int32_t* hit = out.first_hit[k].data() + b0;
      if (d.kind == Decision::Kind::expression) {
        const auto slot = static_cast<std::size_t>(d.outputs[0].slot);
        d.expression.evaluate_rows(frames.data(), S, n, frames.data() + slot, S, scratch, &arena);
        for (std::size_t i = 0; i < n; ++i) {
          hit[i] = -1;
          const Value* f = frames.data() + i * S;
          bool waiting = false;  // a null value that a missing input could change
          if (f[slot].is_null())
            for (int in : p.slot_inputs(d.outputs[0].slot))
              if (f[static_cast<std::size_t>(in)].is_null()) waiting = true;
          if (waiting) incomplete[i] = 1;
          if (results) outcomes[i * n_dec + k].fired.clear();
        }
        continue;
      }
      const CompiledTable& t = *d.compiled;
      const auto& cols = t.columns();
      const std::size_t W = t.words();
      const std::size_t n_cols = cols.size();
      const bool first_policy = d.hit_policy == HitPolicy::first;
      // One word of rules: the column loop ANDs each row's mask in place. More: the column loop
      // only finds keys and generic truths, and each row's masks are then built a word at a
      // time, from the first word that can hold a possible rule (the largest of its columns'
      // first words) and, under FIRST, up to the word of the first match: the rules after it
      // change neither the hit nor the status. A large table of near copies whose rows mostly
      // fall through to a catch-all costs a word per column, not the whole table.
      const bool wide = W > 1;
      all.resize(W);
      all_rules(all.data(), W, t.rules());
      if (wide) {
        matched.resize(W);
        possible.resize(W);
      } else {
        matched.assign(n, all[0]);
        possible.assign(n, all[0]);
      }
      std::vector<std::uint32_t>& keys = block_keys[k];
      keys.resize(n_cols * kBlock);
      a.resize(W);
      u.resize(W);
      const std::size_t G = t.generic_count();
      std::vector<Truth>& truths = block_truths[k];
      truths.resize(n * G);
      if (wide)
        std::fill(start_word.begin(), start_word.begin() + static_cast<std::ptrdiff_t>(n), 0);
      for (std::size_t c = 0; c < n_cols; ++c) {
        const Value* vals;
        std::size_t stride;
        if (cols[c].slot >= 0) {
          vals = frames.data() + cols[c].slot;
          stride = S;
        } else {
          d.inputs[c].expr.evaluate_rows(frames.data(), S, n, column.data(), 1, scratch, &arena);
          vals = column.data();
          stride = 1;
        }
        std::uint32_t* kc = keys.data() + c * kBlock;
        if (engine.plan.tables[k][c].from_batch)
          engine.plan.tables[k][c].keys(batch, b0, n, options, t, c, kc);
        else if (cols[c].kind == CompiledTable::Column::Kind::boolean) {
          // As key_of: true 1, false 0, anything else the null region.
          const std::uint32_t null_key = cols[c].null_key();
          for (std::size_t i = 0; i < n; ++i) {
            const Value& v = vals[i * stride];
            kc[i] = v.type() == Type::boolean ? (v.as_bool() ? 1u : 0u) : null_key;
          }
        } else {
          // Texts repeat within a block (outputs, constants, enum values): within a block an
          // address names one text, so a small table of the addresses seen in this column gives
          // their keys again (the block's arena is reset only between blocks).
          NumberKey* numbers = number_keys[k].data() + c * kNumberKeys;
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
                entry = {v.as_int(), t.key_of(c, v), type};
              kc[i] = entry.key;
              continue;
            }
            if (type != Type::string) {
              kc[i] = t.key_of(c, v);
              continue;
            }
            const std::string_view text = v.as_string();
            const auto address = reinterpret_cast<std::uintptr_t>(text.data());
            TextKey& entry = texts[((address >> 3) ^ (address >> 7)) & 7];
            if (entry.text != text.data() || entry.size != text.size() || !entry.text)
              entry = {text.data(), text.size(), t.key_of(c, v)};
            kc[i] = entry.key;
          }
        }
        if (wide) {
          const std::uint32_t* first_word = cols[c].first_word.data();
          if (cols[c].generics.empty()) {
            for (std::size_t i = 0; i < n; ++i)
              start_word[i] = std::max(start_word[i], first_word[kc[i]]);
          } else {
            EvalContext ctx{nullptr, Value::null(), &arena};
            for (std::size_t i = 0; i < n; ++i) {
              ctx.slots = frames.data() + i * S;
              Truth* tr = truths.data() + i * G + t.generic_offset(c);
              t.generic_truths(c, vals[i * stride], ctx, tr);
              std::uint32_t from = first_word[kc[i]];
              for (std::size_t g = 0; g < cols[c].generics.size(); ++g)
                if (tr[g] != Truth::no) from = std::min(from, cols[c].generics[g].first_word);
              start_word[i] = std::max(start_word[i], from);
            }
          }
        } else if (cols[c].generics.empty()) {
          const std::uint64_t* acc = cols[c].accept.data();
          const std::uint64_t* unk = cols[c].unknown.data();
          for (std::size_t i = 0; i < n; ++i) {
            matched[i] &= acc[kc[i]];
            possible[i] &= acc[kc[i]] | unk[kc[i]];
          }
        } else {
          EvalContext ctx{nullptr, Value::null(), &arena};
          for (std::size_t i = 0; i < n; ++i) {
            ctx.slots = frames.data() + i * S;
            t.column_masks(c, vals[i * stride], kc[i], ctx, a.data(), u.data(),
                           truths.data() + i * G + t.generic_offset(c));
            matched[i] &= a[0];
            possible[i] &= a[0] | u[0];
          }
        }
        if (options.trace) std::copy(kc, kc + n, out.keys[k].data() + c * rows + b0);
      }
      const bool single = d.hit_policy == HitPolicy::first || d.hit_policy == HitPolicy::unique;
      row_extra.assign(n_cols + 1, 0);
      for (std::size_t i = 0; i < n; ++i) {
        Value* f = frames.data() + i * S;
        // The row's matched and possible masks, valid on words [lo, hi); none outside.
        std::size_t lo = 0, hi = W;
        const std::uint64_t* m = matched.data() + (wide ? 0 : i);
        const std::uint64_t* q = possible.data() + (wide ? 0 : i);
        if (wide) {
          // Each column's words: its key's masks, ORed with those of its generic cells that
          // hold (accept) or are unknown (unknown) on this row.
          if (G) {
            extras.clear();
            for (std::size_t c = 0; c < n_cols; ++c) {
              row_extra[c] = extras.size();
              const Truth* tr = truths.data() + i * G + t.generic_offset(c);
              for (std::size_t g = 0; g < cols[c].generics.size(); ++g)
                if (tr[g] != Truth::no)
                  extras.push_back({cols[c].generics[g].rules.data(), tr[g] == Truth::yes});
            }
            row_extra[n_cols] = extras.size();
          }
          std::uint64_t* mw = matched.data();
          std::uint64_t* qw = possible.data();
          lo = hi = start_word[i];
          for (std::size_t w = lo; w < W; ++w) {
            std::uint64_t mword = all[w], qword = all[w];
            for (std::size_t c = 0; c < n_cols; ++c) {
              const std::size_t at = std::size_t{keys[c * kBlock + i]} * W + w;
              std::uint64_t acc = cols[c].accept[at], unk = cols[c].unknown[at];
              for (std::size_t x = row_extra[c]; x < row_extra[c + 1]; ++x)
                (extras[x].accept ? acc : unk) |= extras[x].rules[w];
              mword &= acc;
              qword &= acc | unk;
            }
            mw[w] = mword;
            qw[w] = qword;
            hi = w + 1;
            if (first_policy && mword) break;
          }
        }
        int first = -1;
        for (std::size_t w = lo; w < hi; ++w)
          if (m[w]) {
            first = static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(m[w])));
            break;
          }
        hit[i] = first;
        // Undecided rules before the first match (FIRST) or anywhere (the others) matter.
        const std::size_t limit =
            (first_policy && first >= 0) ? static_cast<std::size_t>(first) : t.rules();
        bool open = false;
        if (!wide) {  // the rules below the lowest match: one mask, no shift by a variable
          const std::uint64_t before = (first_policy && m[0]) ? (m[0] & (~m[0] + 1)) - 1 : ~0ull;
          open = (q[0] & ~m[0] & before) != 0;
        } else {
          for (std::size_t w = lo; w < hi && w * 64 < limit; ++w) {
            std::uint64_t und = q[w] & ~m[w];
            if (w * 64 + 64 > limit) und &= (std::uint64_t{1} << (limit - w * 64)) - 1;
            open |= und != 0;
          }
        }
        if (d.hit_policy == HitPolicy::unique && first >= 0) {
          std::size_t count = 0;
          for (std::size_t w = lo; w < hi; ++w)
            count += static_cast<std::size_t>(std::popcount(m[w]));
          if (count > 1) redo[i] = 1;  // a hit-policy error: the per-record path reports it
        }
        // Undecided rules in a row still complete: incomplete when a missing input could
        // settle them, as evaluate() decides it, on this row's keys and truths.
        if (open && !redo[i] && !incomplete[i]) {
          blocking.clear();
          for (std::size_t w = lo; w < hi && w * 64 < limit; ++w)
            for (std::uint64_t x = q[w] & ~m[w]; x; x &= x - 1) {
              const std::size_t r = w * 64 + static_cast<std::size_t>(std::countr_zero(x));
              if (r >= limit) break;
              blocking.push_back(static_cast<int>(r));
            }
          if (count_missing(p, d, blocking, keys.data() + i, kBlock, truths.data() + i * G, f,
                            settled.data(), resolve))
            incomplete[i] = 1;
        }
        if (results) {  // the rules that fired: the first hit, or every match in rule order
          std::vector<int>& fired = outcomes[i * n_dec + k].fired;
          fired.clear();
          if (single) {
            if (first >= 0) fired.push_back(first);
          } else {
            for (std::size_t w = lo; w < hi; ++w)
              for (std::uint64_t x = m[w]; x; x &= x - 1)
                fired.push_back(static_cast<int>(w * 64 + std::countr_zero(x)));
          }
        }
        EvalContext ctx{f, Value::null(), &arena};
        const std::size_t n_out = d.outputs.size();
        auto output = [&](std::size_t r, std::size_t o) {
          const Expression* x = computed_outputs[k][r * n_out + o];
          return x ? x->evaluate(ctx) : constant_outputs[k][r * n_out + o];
        };
        if (single) {
          for (std::size_t o = 0; o < n_out; ++o)
            f[d.outputs[o].slot] =
                first < 0 ? Value::null() : output(static_cast<std::size_t>(first), o);
          continue;
        }
        for (std::size_t o = 0; o < n_out; ++o) {
          values.clear();
          for (std::size_t w = lo; w < hi; ++w)
            for (std::uint64_t x = m[w]; x; x &= x - 1)
              values.push_back(output(w * 64 + static_cast<std::size_t>(std::countr_zero(x)), o));
          if (d.hit_policy == HitPolicy::rule_order || d.hit_policy == HitPolicy::collect) {
            Value* items = arena.allocate_values(values.size());
            std::copy(values.begin(), values.end(), items);
            f[d.outputs[o].slot] = Value::list(items, values.size());
          } else {
            f[d.outputs[o].slot] = aggregate(d.hit_policy, values, arena);
          }
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = b0 + i;
      // An incomplete row's questions come from its keys and truths (analyse_row), as
      // evaluate() finds them; those of its "to be asked" values from its copy without them.
      bool analysed = false;
      const int copy = asked[i] && !asked_index.empty() ? asked_index[row - begin] : -1;
      if (!redo[i] && results && incomplete[i] && (!asked[i] || copy >= 0)) {
        analyse_row(p, frames.data() + i * S, i, kBlock, block_keys, block_truths, analysis);
        if (asked[i])
          add_asked(p, frames.data() + i * S, unused_input,
                    asked_missing[static_cast<std::size_t>(copy)], analysis);
        analysed = true;
      }
      if (!redo[i] && (!(results && incomplete[i]) || analysed)) {
        const Status st = incomplete[i] ? Status::incomplete : Status::complete;
        out.status[row] = st;
        if (sink) (*sink)(row, st, frames.data() + i * S, no_errors);
        if (results) {
          RowResult r;
          r.row = row;
          r.status = st;
          r.frame = frames.data() + i * S;
          r.decisions = std::span<const DecisionOutcome>(outcomes.data() + i * n_dec, n_dec);
          if (analysed) r.missing = analysis.missing;
          (*results)(r);
        }
        continue;
      }

      e.input.reset(n_inputs);
      for (std::size_t c = 0; c < n_inputs; ++c) e.input.values[c] = batch.get(c, row);
      evaluator.evaluate(e, options);
      store_row(e, row, rows, options.trace, out, sink, results);
    }
  }
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
