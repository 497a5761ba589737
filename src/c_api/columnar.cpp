#include "columnar.hpp"

#include "core/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace aiguillage {
inline namespace v1 {
namespace surfaces {

std::vector<OutputColumn> output_columns(const Pack& pack) {
  std::vector<OutputColumn> out;
  for (const Decision& d : pack.decisions())
    for (const OutputSpec& o : d.outputs) {
      OutputColumn c;
      c.name = o.name;
      c.slot = o.slot;
      const StaticType t = pack.slot_type(o.slot);
      switch (t.kind) {
        case TypeKind::boolean:
          c.kind = OutputKind::boolean;
          break;
        case TypeKind::integer:
          c.kind = OutputKind::integer;
          break;
        case TypeKind::decimal:
          c.kind = OutputKind::decimal;
          break;
        case TypeKind::date:
          c.kind = OutputKind::date;
          break;
        case TypeKind::string:
          if (!o.values.empty()) {
            c.kind = OutputKind::enumeration;
            c.values = &o.values;
          }
          break;
        case TypeKind::list:
          // A collected enum: a bit per value, so a row's set fits one code.
          if (!o.values.empty() && o.values.size() < 64) {
            c.kind = OutputKind::enum_list;
            c.values = &o.values;
          }
          break;
        default:
          break;
      }
      out.push_back(std::move(c));
    }
  return out;
}

bool same_inputs(const Pack& a, const Pack& b) {
  const InputSchema& x = a.inputs();
  const InputSchema& y = b.inputs();
  if (x.size() != y.size()) return false;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const FieldSpec& f = x.field(k);
    const FieldSpec& g = y.field(k);
    if (f.name != g.name || f.type != g.type || f.item_type != g.item_type || f.values != g.values)
      return false;
  }
  return true;
}

ColumnarBatch::ColumnarBatch(Pack pack, std::size_t rows)
    : pack_(std::move(pack)), batch_(pack_.inputs(), rows), error_of_(rows, 0) {
  if (rows > UINT32_MAX)
    throw Error(ErrorCode::invalid_argument, "a batch holds at most 2^32-1 rows");
}

void ColumnarBatch::reject(std::size_t row, Error error) {
  if (row >= error_of_.size() || error_of_[row]) return;
  errors_.push_back(std::move(error));
  error_of_[row] = static_cast<std::uint32_t>(errors_.size());
}

void ColumnarBatch::check_input(int input, FieldType t1, std::optional<FieldType> t2) const {
  if (input < 0 || static_cast<std::size_t>(input) >= batch_.columns())
    throw Error(ErrorCode::invalid_argument, "input index " + std::to_string(input) +
                                                 " is out of range (the pack has " +
                                                 std::to_string(batch_.columns()) + " inputs)");
  const FieldSpec& f = pack_.inputs().field(static_cast<std::size_t>(input));
  if (f.type != t1 && (!t2 || f.type != *t2))
    throw Error(ErrorCode::type_mismatch,
                "input " + f.name + " is of type " + std::string(field_type_name(f.type)) +
                    ", not " + std::string(field_type_name(t1)),
                "/" + json_pointer_token(f.name));
}

namespace {

// "/<row>/<field>", built by appending (concatenating temporaries trips a GCC 12 warning).
std::string cell_pointer(std::size_t row, const std::string& field) {
  std::string p = "/";
  p += std::to_string(row);
  p += '/';
  p += json_pointer_token(field);
  return p;
}

// Sets one cell through the batch's own checks; a refused cell stays missing and marks its row.
template <class Set>
void set_cell(Batch& batch, ColumnarBatch& owner, std::size_t col, std::size_t row, Set&& set) {
  try {
    set();
  } catch (const Error& e) {
    batch.set_null(col, row);
    owner.reject(row, e);
  }
}

}  // namespace

void ColumnarBatch::set_bools(int input, const std::uint8_t* values, const std::uint8_t* present) {
  check_input(input, FieldType::boolean);
  const auto col = static_cast<std::size_t>(input);
  for (std::size_t r = 0; r < rows(); ++r) {
    if (present && !present[r])
      batch_.set_null(col, r);
    else
      set_cell(batch_, *this, col, r, [&] { batch_.set_bool(col, r, values[r] != 0); });
  }
}

void ColumnarBatch::set_int64s(int input, const std::int64_t* values, const std::uint8_t* present) {
  check_input(input, FieldType::integer, FieldType::decimal);
  const auto col = static_cast<std::size_t>(input);
  const bool decimal = pack_.inputs().field(col).type == FieldType::decimal;
  constexpr std::int64_t kMaxWhole = INT64_MAX / Decimal::kOne;
  for (std::size_t r = 0; r < rows(); ++r) {
    if (present && !present[r]) {
      batch_.set_null(col, r);
      continue;
    }
    const std::int64_t v = values[r];
    if (decimal && (v > kMaxWhole || v < -kMaxWhole)) {
      batch_.set_null(col, r);
      reject(r, Error(ErrorCode::number_overflow, std::to_string(v) + " does not fit a decimal",
                      cell_pointer(r, pack_.inputs().field(col).name)));
      continue;
    }
    set_cell(batch_, *this, col, r, [&] {
      if (decimal)
        batch_.set_decimal(col, r, Decimal{v * Decimal::kOne});
      else
        batch_.set_int(col, r, v);
    });
  }
}

void ColumnarBatch::set_doubles(int input, const double* values, const std::uint8_t* present) {
  check_input(input, FieldType::decimal, FieldType::integer);
  const auto col = static_cast<std::size_t>(input);
  const FieldSpec& f = pack_.inputs().field(col);
  const bool decimal = f.type == FieldType::decimal;
  auto where = [&](std::size_t r) { return cell_pointer(r, f.name); };
  // Beyond this a double no longer holds every millionth, and units would overflow.
  constexpr double kMax = 9.0e12;
  for (std::size_t r = 0; r < rows(); ++r) {
    const double v = values[r];
    if ((present && !present[r]) || std::isnan(v)) {
      batch_.set_null(col, r);
      continue;
    }
    if (!std::isfinite(v) || std::fabs(v) > kMax) {
      batch_.set_null(col, r);
      reject(r,
             Error(ErrorCode::number_overflow, "the number is too large for " + f.name, where(r)));
      continue;
    }
    if (decimal) {
      set_cell(batch_, *this, col, r, [&] {
        batch_.set_decimal(col, r, Decimal{static_cast<std::int64_t>(std::llround(v * 1e6))});
      });
    } else if (v != std::trunc(v)) {
      batch_.set_null(col, r);
      reject(r,
             Error(ErrorCode::type_mismatch, f.name + " is an integer, not a fraction", where(r)));
    } else {
      set_cell(batch_, *this, col, r,
               [&] { batch_.set_int(col, r, static_cast<std::int64_t>(v)); });
    }
  }
}

void ColumnarBatch::set_dates(int input, const std::int32_t* days, const std::uint8_t* present) {
  check_input(input, FieldType::date);
  const auto col = static_cast<std::size_t>(input);
  for (std::size_t r = 0; r < rows(); ++r) {
    if (present && !present[r])
      batch_.set_null(col, r);
    else
      set_cell(batch_, *this, col, r, [&] { batch_.set_date(col, r, Date{days[r]}); });
  }
}

void ColumnarBatch::set_enum_codes(int input, const std::int32_t* codes) {
  set_enum_codes(input, codes, {});
}

void ColumnarBatch::set_enum_codes(int input, const std::int32_t* codes,
                                   const std::vector<std::string>& unknown_values) {
  check_input(input, FieldType::enumeration);
  const auto col = static_cast<std::size_t>(input);
  const FieldSpec& f = pack_.inputs().field(col);
  for (std::size_t r = 0; r < rows(); ++r) {
    const std::int32_t c = codes[r];
    if (c == -1) {
      batch_.set_null(col, r);
      continue;
    }
    if (c < -1) {
      // A value the caller could not map: name it when it is known.
      const auto k = static_cast<std::size_t>(-(static_cast<std::int64_t>(c) + 2));
      batch_.set_null(col, r);
      std::string what = k < unknown_values.size() ? "\"" + bounded_text(unknown_values[k]) +
                                                         "\" is not a value of " + f.name
                                                   : "unknown value for " + f.name;
      reject(r, Error(ErrorCode::enum_value, what, cell_pointer(r, f.name)));
      continue;
    }
    set_cell(batch_, *this, col, r, [&] { batch_.set_enum_code(col, r, c); });
  }
}

void ColumnarBatch::set_enum_code(int input, std::size_t row, int code) {
  if (input < 0 || static_cast<std::size_t>(input) >= batch_.columns())
    throw Error(ErrorCode::invalid_argument,
                "input index " + std::to_string(input) + " is out of range");
  if (row >= rows())
    throw Error(ErrorCode::invalid_argument, "row " + std::to_string(row) + " is out of range");
  const auto col = static_cast<std::size_t>(input);
  set_cell(batch_, *this, col, row, [&] { batch_.set_enum_code(col, row, code); });
}

void ColumnarBatch::set_text(int input, std::size_t row, std::optional<std::string_view> text) {
  if (input < 0 || static_cast<std::size_t>(input) >= batch_.columns())
    throw Error(ErrorCode::invalid_argument,
                "input index " + std::to_string(input) + " is out of range");
  if (row >= rows())
    throw Error(ErrorCode::invalid_argument, "row " + std::to_string(row) + " is out of range");
  const auto col = static_cast<std::size_t>(input);
  const FieldSpec& f = pack_.inputs().field(col);
  if (!text) {
    batch_.set_null(col, row);
    return;
  }
  // The pointer is built only for an error: setting a cell must stay cheap.
  auto where = [&] { return cell_pointer(row, f.name); };
  const std::string_view t = *text;
  set_cell(batch_, *this, col, row, [&] {
    switch (f.type) {
      case FieldType::boolean:
        if (t == "true" || t == "1")
          batch_.set_bool(col, row, true);
        else if (t == "false" || t == "0")
          batch_.set_bool(col, row, false);
        else
          throw Error(ErrorCode::type_mismatch,
                      "expected true or false, not \"" + bounded_text(t) + "\"", where());
        break;
      case FieldType::integer:
      case FieldType::decimal: {
        std::optional<Decimal> d = Decimal::parse(t);
        if (!d)
          throw Error(ErrorCode::invalid_decimal, "not a number: \"" + bounded_text(t) + "\"",
                      where());
        if (f.type == FieldType::integer) {
          if (!d->is_integral())
            throw Error(ErrorCode::type_mismatch, f.name + " is an integer, not a fraction",
                        where());
          batch_.set_int(col, row, d->units / Decimal::kOne);
        } else {
          batch_.set_decimal(col, row, *d);
        }
        break;
      }
      case FieldType::date: {
        std::optional<Date> d = Date::parse(t);
        if (!d)
          throw Error(ErrorCode::invalid_date, "not a date YYYY-MM-DD: \"" + bounded_text(t) + "\"",
                      where());
        batch_.set_date(col, row, *d);
        break;
      }
      case FieldType::enumeration: {
        // One lookup: the code is the value (set_enum would look it up twice more).
        const int code = f.enum_index(t);
        if (code < 0)
          throw Error(ErrorCode::enum_value,
                      "\"" + bounded_text(t) + "\" is not a value of " + f.name, where());
        batch_.set_enum_code(col, row, code);
        break;
      }
      case FieldType::string:
        batch_.set_string(col, row, t);
        break;
      case FieldType::list:
        throw Error(ErrorCode::type_mismatch, f.name + " is a list: it has no text form", where());
    }
  });
}

void ColumnarBatch::set_value(int input, std::size_t row, const Value& value) {
  if (input < 0 || static_cast<std::size_t>(input) >= batch_.columns())
    throw Error(ErrorCode::invalid_argument,
                "input index " + std::to_string(input) + " is out of range");
  if (row >= rows())
    throw Error(ErrorCode::invalid_argument, "row " + std::to_string(row) + " is out of range");
  const auto col = static_cast<std::size_t>(input);
  const FieldSpec& f = pack_.inputs().field(col);
  // A whole number is a fine decimal, and a whole decimal a fine integer.
  if (f.type == FieldType::integer && value.type() == Type::decimal &&
      value.as_decimal().is_integral()) {
    set_cell(batch_, *this, col, row,
             [&] { batch_.set_int(col, row, value.as_decimal().units / Decimal::kOne); });
    return;
  }
  set_cell(batch_, *this, col, row, [&] { batch_.set(col, row, value); });
}

namespace {

// Index of a text in a closed list. Consecutive rows mostly give the same value, so the last
// index found is tried first (one comparison, still by content).
std::int64_t value_index(const std::vector<std::string>& vals, std::string_view text,
                         std::size_t& last) {
  if (last < vals.size() && vals[last] == text) return static_cast<std::int64_t>(last);
  for (std::size_t k = 0; k < vals.size(); ++k)
    if (vals[k] == text) {
      last = k;
      return static_cast<std::int64_t>(k);
    }
  return -1;
}

std::int64_t output_code(const OutputColumn& o, const Value& v, std::size_t& last) {
  if (v.is_null()) return kNullCode;
  switch (o.kind) {
    case OutputKind::enumeration: {
      if (v.type() != Type::string) return kNullCode;
      const std::int64_t k = value_index(*o.values, v.as_string(), last);
      return k < 0 ? kNullCode : k;
    }
    case OutputKind::boolean:
      return v.type() == Type::boolean ? (v.as_bool() ? 1 : 0) : kNullCode;
    case OutputKind::integer:
      return v.type() == Type::integer ? v.as_int() : kNullCode;
    case OutputKind::decimal:
      return v.is_number() ? v.as_decimal().units : kNullCode;
    case OutputKind::date:
      return v.type() == Type::date ? v.as_date().days : kNullCode;
    case OutputKind::enum_list: {
      if (v.type() != Type::list) return kNullCode;
      std::int64_t mask = 0;
      const auto& vals = *o.values;
      for (std::size_t i = 0; i < v.list_size(); ++i) {
        const Value& item = v[i];
        if (item.type() != Type::string) continue;
        // The values of a closed list are distinct: the first equal one is the only one.
        std::size_t from = 0;
        const std::int64_t k = value_index(vals, item.as_string(), from);
        if (k >= 0) mask |= std::int64_t{1} << k;
      }
      return mask;
    }
    case OutputKind::other:
      return kNullCode;
  }
  return kNullCode;
}

void run_rows(const Evaluator& evaluator, const std::vector<OutputColumn>& outputs,
              const ColumnarBatch& cb, const EvalOptions& options, std::size_t begin,
              std::size_t end, const BatchOutputs& out,
              std::vector<std::pair<std::size_t, Error>>* errors, BatchResult& shared) {
  const Pack& p = evaluator.pack();
  const Batch& batch = cb.batch();
  const std::size_t rows = batch.rows();
  const std::size_t n_dec = p.decisions().size();
  auto fill_null = [&](std::size_t row) {
    if (out.first_fired)
      for (std::size_t k = 0; k < n_dec; ++k) out.first_fired[k * rows + row] = -1;
    if (out.outputs)
      for (std::size_t k = 0; k < outputs.size(); ++k) out.outputs[k * rows + row] = kNullCode;
  };
  // Rows come in order, each with its values: the evaluator's batch path (by blocks, a column
  // at a time) does the work, this only turns values into output codes.
  std::vector<std::size_t> last(outputs.size(), SIZE_MAX);
  const Evaluator::RowSink sink = [&](std::size_t row, Status status, const Value* frame,
                                      const std::vector<Error>& row_errors) {
    if (const Error* bad = cb.row_error(row)) {  // a cell that did not fit: the row is rejected
      if (out.status) out.status[row] = 2;
      if (out.first_error) out.first_error[row] = static_cast<std::int32_t>(bad->code());
      if (errors) errors->emplace_back(row, *bad);
      fill_null(row);
      return;
    }
    if (out.status) out.status[row] = static_cast<std::int32_t>(status);
    if (out.first_error)
      out.first_error[row] =
          row_errors.empty() ? 0 : static_cast<std::int32_t>(row_errors[0].code());
    if (errors)
      for (const Error& err : row_errors) {
        std::string prefix = "/";
        prefix += std::to_string(row);
        errors->emplace_back(row, err.with_pointer_prefix(prefix));
      }
    if (status == Status::error || frame == nullptr) {
      fill_null(row);
      return;
    }
    if (out.first_fired)
      for (std::size_t k = 0; k < n_dec; ++k)
        out.first_fired[k * rows + row] = shared.first_hit[k][row];
    if (out.outputs)
      for (std::size_t k = 0; k < outputs.size(); ++k)
        out.outputs[k * rows + row] =
            outputs[k].slot >= 0
                ? output_code(outputs[k], frame[static_cast<std::size_t>(outputs[k].slot)], last[k])
                : kNullCode;
  };
  evaluator.evaluate_batch(batch, shared, options, begin, end, sink);
}

}  // namespace

void run_batch(const Evaluator& evaluator, const std::vector<OutputColumn>& outputs,
               const ColumnarBatch& batch, std::optional<Date> reference_date, unsigned threads,
               const BatchOutputs& out) {
  if (!same_inputs(evaluator.pack(), batch.pack()))
    throw Error(ErrorCode::invalid_argument, "the batch was made for a pack with other inputs (" +
                                                 batch.pack().id() + " " + batch.pack().version() +
                                                 ")");
  EvalOptions options;
  options.reference_date = reference_date;
  options.trace = false;
  const std::size_t rows = batch.rows();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Below a few thousand rows a thread costs more than it saves.
  constexpr std::size_t kMinRowsPerThread = 4096;
  threads = static_cast<unsigned>(
      std::min<std::size_t>(threads, std::max<std::size_t>(1, rows / kMinRowsPerThread)));
  BatchResult shared;  // sized here, before any thread writes its own rows into it
  evaluator.evaluate_batch(batch.batch(), shared, options, 0, 0);
  if (threads <= 1) {
    run_rows(evaluator, outputs, batch, options, 0, rows, out, out.errors, shared);
    return;
  }
  std::vector<std::vector<std::pair<std::size_t, Error>>> errors(threads);
  detail::run_on_threads(threads, [&](std::size_t t) {
    const std::size_t begin = rows * t / threads, end = rows * (t + 1) / threads;
    run_rows(evaluator, outputs, batch, options, begin, end, out, out.errors ? &errors[t] : nullptr,
             shared);
  });
  if (out.errors)
    for (auto& part : errors)
      out.errors->insert(out.errors->end(), std::make_move_iterator(part.begin()),
                         std::make_move_iterator(part.end()));
}

}  // namespace surfaces
}  // namespace v1
}  // namespace aiguillage
