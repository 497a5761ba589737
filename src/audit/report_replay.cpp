#include "report_replay.hpp"

#include "core/parallel.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

namespace {

// The cell of target field `f` from the row's recorded input `source` (a field of v's pack).
void set_cell(Batch& batch, std::size_t f, std::size_t r, const VersionModel& v, int source,
              std::int32_t code) {
  if (source < 0 || code == kNull) {
    batch.set_null(f, r);
    return;
  }
  const FieldSpec& spec = v.pack->inputs().field(static_cast<std::size_t>(source));
  switch (spec.type) {
    case FieldType::boolean:
      batch.set_bool(f, r, code != 0);
      return;
    case FieldType::integer:
      batch.set_int(f, r, code);
      return;
    case FieldType::enumeration:
      batch.set_enum(f, r, spec.values[static_cast<std::size_t>(code)]);
      return;
    case FieldType::date:
      batch.set_date(f, r, Date{code});
      return;
    case FieldType::string:
      batch.set_string(f, r, v.strings[static_cast<std::size_t>(source)].items[code]);
      return;
    default:
      // Decimals and lists are kept as their JSON text: read back through the schema.
      throw Error(ErrorCode::type_mismatch,
                  "the input " + spec.name + " cannot be replayed by the report's batch path");
  }
}

// Fills rows [0, count) of `batch` from rows begin.. of v; bad[r] when a value cannot be set.
void fill_block(Batch& batch, const VersionModel& v, const InputSchema& schema,
                const std::vector<int>& source, std::size_t begin, std::size_t count,
                std::vector<bool>& bad) {
  batch.clear();
  for (std::size_t r = 0; r < count; ++r) {
    const Row& row = v.rows[begin + r];
    bad[r] = false;
    try {
      for (std::size_t f = 0; f < schema.size(); ++f)
        set_cell(batch, f, r, v, source[f],
                 source[f] < 0 ? kNull : row.inputs[static_cast<std::size_t>(source[f])]);
    } catch (const Error&) {
      bad[r] = true;
      for (std::size_t f = 0; f < schema.size(); ++f) batch.set_null(f, r);
    }
  }
}

// What both replays set up alike: where each field of the pack's schema comes from in v, the
// slots of the outputs compared, the blocks of rows and the threads that share them.
struct ReplayPlan {
  std::vector<int> source, slots;
  std::size_t rows = 0, blocks = 0;
  unsigned threads = 1;
  EvalOptions options;
};

constexpr std::size_t kBlock = 2048;

ReplayPlan plan_replay(const VersionModel& v, const Pack& pack,
                       const std::vector<std::string>& output_names, unsigned threads) {
  const InputSchema& schema = pack.inputs();
  ReplayPlan plan;
  plan.source.assign(schema.size(), -1);
  for (std::size_t f = 0; f < schema.size(); ++f)
    plan.source[f] = v.pack->inputs().index_of(schema.field(f).name);
  for (const std::string& name : output_names) plan.slots.push_back(pack.slot_of(name));
  plan.rows = v.rows.size();
  plan.blocks = (plan.rows + kBlock - 1) / kBlock;
  plan.threads = std::max(
      1u,
      std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(1, plan.blocks))));
  plan.options.trace = false;
  return plan;
}

}  // namespace

void replay_moves(const VersionModel& v, const Evaluator& evaluator,
                  const std::vector<std::string>& output_names, const std::string& field,
                  const std::vector<std::string>& values, unsigned threads,
                  const std::function<void(unsigned, const MovedRow&)>& visit) {
  const Pack& pack = evaluator.pack();
  const InputSchema& schema = pack.inputs();
  const ReplayPlan plan = plan_replay(v, pack, output_names, threads);
  const std::vector<int>& source = plan.source;
  const std::vector<int>& slots = plan.slots;
  const int moved = schema.index_of(field);
  if (moved < 0) return;
  const FieldSpec& spec = schema.field(static_cast<std::size_t>(moved));
  // Enum values by code (-1: not a value of the enum: every row is rejected for it).
  std::vector<int> codes(values.size(), -1);
  if (spec.type == FieldType::enumeration)
    for (std::size_t t = 0; t < values.size(); ++t)
      for (std::size_t k = 0; k < spec.values.size(); ++k)
        if (spec.values[k] == values[t]) codes[t] = static_cast<int>(k);
  const std::size_t n_out = std::min<std::size_t>(slots.size(), 64);
  const std::size_t n = plan.rows, blocks = plan.blocks;
  threads = plan.threads;
  const EvalOptions& options = plan.options;
  auto work = [&](unsigned t) {
    Batch batch(schema, kBlock);
    BatchResult base, result;
    std::vector<bool> bad(kBlock);
    std::vector<std::uint8_t> base_ok(kBlock), ok(kBlock);
    // The baseline's outputs: texts are copied (a string value may live in the evaluation's
    // memory, which the next row reuses), lists kept as JSON text (outputs reported are enums
    // and booleans: lists are the rare case).
    std::vector<Value> base_out(kBlock * n_out);
    std::vector<std::string> base_text(kBlock * n_out);
    std::vector<std::uint8_t> base_list(kBlock * n_out);
    auto keep = [&](std::size_t i, const Value& x) {
      base_list[i] = x.type() == Type::list;
      if (x.type() == Type::string) {
        base_text[i].assign(x.as_string());
        base_out[i] = Value::string(base_text[i]);
      } else if (base_list[i]) {
        base_text[i] = x.to_json();
        base_out[i] = Value();
      } else {
        base_out[i] = x;
      }
    };
    std::vector<std::uint64_t> changed(kBlock);
    for (std::size_t b = t; b < blocks; b += threads) {
      const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
      const std::size_t count = end - begin;
      fill_block(batch, v, schema, source, begin, count, bad);
      evaluator.evaluate_batch(
          batch, base, options, 0, count,
          [&](std::size_t r, Status status, const Value* frame, const std::vector<Error>&) {
            base_ok[r] = status != Status::error && frame != nullptr && !bad[r];
            for (std::size_t k = 0; k < n_out; ++k)
              keep(r * n_out + k, base_ok[r] && slots[k] >= 0
                                      ? frame[static_cast<std::size_t>(slots[k])]
                                      : Value());
          });
      for (std::size_t value = 0; value < values.size(); ++value) {
        const bool known = spec.type != FieldType::enumeration || codes[value] >= 0;
        for (std::size_t r = 0; r < count; ++r) {
          if (bad[r] || !known) {
            batch.set_null(static_cast<std::size_t>(moved), r);
          } else if (spec.type == FieldType::enumeration) {
            batch.set_enum_code(static_cast<std::size_t>(moved), r, codes[value]);
          } else {
            batch.set_string(static_cast<std::size_t>(moved), r, values[value]);
          }
        }
        evaluator.evaluate_batch(
            batch, result, options, 0, count,
            [&](std::size_t r, Status status, const Value* frame, const std::vector<Error>&) {
              ok[r] = known && status != Status::error && frame != nullptr && !bad[r];
              std::uint64_t mask = 0;
              if (ok[r] && base_ok[r])
                for (std::size_t k = 0; k < n_out; ++k) {
                  const Value& now =
                      slots[k] >= 0 ? frame[static_cast<std::size_t>(slots[k])] : Value();
                  const std::size_t i = r * n_out + k;
                  if (base_list[i] ? now.to_json() != base_text[i] : !(now == base_out[i]))
                    mask |= std::uint64_t{1} << k;
                }
              changed[r] = mask;
            });
        MovedRow m;
        m.value = value;
        m.base_fired = &base.first_hit;
        m.fired = &result.first_hit;
        for (std::size_t r = 0; r < count; ++r) {
          m.row = begin + r;
          m.block_row = r;
          m.ok = ok[r] && base_ok[r];
          m.base_ok = base_ok[r];
          m.changed = changed[r];
          visit(t, m);
        }
      }
    }
  };
  detail::run_on_threads(threads, [&](std::size_t t) { work(static_cast<unsigned>(t)); });
}

void replay_rows(const VersionModel& v, const Evaluator& evaluator,
                 const std::vector<std::string>& output_names, const std::string& field,
                 const std::string& value, unsigned threads,
                 const std::function<void(std::size_t, const ReplayedRow&)>& sink) {
  const Pack& pack = evaluator.pack();
  const InputSchema& schema = pack.inputs();
  const ReplayPlan plan = plan_replay(v, pack, output_names, threads);
  const std::vector<int>& source = plan.source;
  const std::vector<int>& slots = plan.slots;
  const int set_field = field.empty() ? -1 : schema.index_of(field);
  const std::size_t n = plan.rows, blocks = plan.blocks;
  threads = plan.threads;
  const EvalOptions& options = plan.options;
  auto work = [&](unsigned t) {
    Batch batch(schema, kBlock);
    BatchResult result;
    std::vector<ReplayedRow> rows(kBlock);
    std::vector<bool> bad(kBlock);
    for (std::size_t b = t; b < blocks; b += threads) {
      const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
      const std::size_t count = end - begin;
      batch.clear();
      for (std::size_t r = 0; r < count; ++r) {
        const Row& row = v.rows[begin + r];
        bad[r] = false;
        try {
          for (std::size_t f = 0; f < schema.size(); ++f) {
            if (static_cast<int>(f) == set_field) {
              if (schema.field(f).type == FieldType::enumeration)
                batch.set_enum(f, r, value);
              else
                batch.set_string(f, r, value);
              continue;
            }
            set_cell(batch, f, r, v, source[f],
                     source[f] < 0 ? kNull : row.inputs[static_cast<std::size_t>(source[f])]);
          }
        } catch (const Error&) {
          bad[r] = true;
          for (std::size_t f = 0; f < schema.size(); ++f) batch.set_null(f, r);
        }
      }
      evaluator.evaluate_batch(
          batch, result, options, 0, count,
          [&](std::size_t r, Status status, const Value* frame, const std::vector<Error>&) {
            ReplayedRow& out = rows[r];
            out.ok = status != Status::error && frame != nullptr && !bad[r];
            out.outputs.resize(slots.size());
            for (std::size_t k = 0; k < slots.size(); ++k)
              out.outputs[k] = out.ok && slots[k] >= 0
                                   ? frame[static_cast<std::size_t>(slots[k])].to_json()
                                   : std::string("null");
          });
      for (std::size_t r = 0; r < count; ++r) {
        ReplayedRow& out = rows[r];
        out.fired.resize(result.first_hit.size());
        for (std::size_t d = 0; d < result.first_hit.size(); ++d)
          out.fired[d] = result.first_hit[d][r];
        sink(begin + r, out);
      }
    }
  };
  // A failure on a worker is rethrown on the calling thread, never left to terminate.
  detail::run_on_threads(threads, [&](std::size_t t) { work(static_cast<unsigned>(t)); });
}

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
