// Columnar evaluation shared by the C API and the Python extension: whole typed columns in
// (a bad cell marks its row, never the batch), typed columns out (status, first fired rule per
// decision, output codes). Private to the surfaces layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/evaluator.hpp"

namespace aiguillage {
inline namespace v1 {
namespace surfaces {

// How an output value is written as a 64-bit code.
enum class OutputKind : std::uint8_t {
  enumeration,  // index in the closed list
  boolean,      // 0 / 1
  integer,      // the value
  decimal,      // millionths
  date,         // days since 1970-01-01
  enum_list,    // bit mask of value indices (closed lists of at most 63 values)
  other         // strings and other lists: not representable, always null
};

inline constexpr std::int64_t kNullCode = INT64_MIN;

struct OutputColumn {
  std::string name;
  OutputKind kind = OutputKind::other;
  int slot = -1;
  const std::vector<std::string>* values = nullptr;  // enum and enum_list
};

// Every output of the pack, in pack order (decisions, then their outputs).
std::vector<OutputColumn> output_columns(const Pack& pack);

// A typed batch for one pack plus the first bad cell of each row.
class ColumnarBatch {
 public:
  ColumnarBatch(Pack pack, std::size_t rows);

  const Pack& pack() const { return pack_; }
  const Batch& batch() const { return batch_; }
  std::size_t rows() const { return batch_.rows(); }

  // Whole columns; `present` may be null (every cell present). A cell the field refuses
  // (type, bounds) leaves the cell missing and marks its row with the error.
  void set_bools(int input, const std::uint8_t* values, const std::uint8_t* present);
  void set_int64s(int input, const std::int64_t* values, const std::uint8_t* present);
  void set_doubles(int input, const double* values, const std::uint8_t* present);
  void set_dates(int input, const std::int32_t* days, const std::uint8_t* present);
  // Codes into the field's closed list: -1 missing, any other out-of-range code is an
  // enum_value error for the row (its text, when known, is `bad_text(code)`).
  void set_enum_codes(int input, const std::int32_t* codes);
  void set_enum_codes(int input, const std::int32_t* codes,
                      const std::vector<std::string>& unknown_values);
  // One cell by its index in the field's closed list; a code out of range marks the row.
  void set_enum_code(int input, std::size_t row, int code);
  // One cell from text (any scalar type); nullopt is a missing value.
  void set_text(int input, std::size_t row, std::optional<std::string_view> text);
  // One cell from a value of any type; a value the field refuses marks the row.
  void set_value(int input, std::size_t row, const Value& value);
  // Marks a row bad (first error kept).
  void reject(std::size_t row, Error error);

  std::size_t bad_rows() const { return errors_.size(); }
  // The first error of a row, null when the row is good.
  const Error* row_error(std::size_t row) const {
    return error_of_[row] ? &errors_[error_of_[row] - 1] : nullptr;
  }

 private:
  void check_input(int input, FieldType t1, std::optional<FieldType> t2 = std::nullopt) const;
  Pack pack_;
  Batch batch_;
  // Bad rows are few: an index per row (0: none, k: errors_[k - 1]) rather than an optional
  // error per row, which would cost about a hundred bytes per row to build and to free.
  std::vector<std::uint32_t> error_of_;
  std::vector<Error> errors_;
};

// Caller-owned outputs; any pointer may be null.
struct BatchOutputs {
  std::int32_t* status = nullptr;       // [rows]: 0 complete, 1 incomplete, 2 error
  std::int32_t* first_fired = nullptr;  // [decisions * rows]
  std::int64_t* outputs = nullptr;      // [outputs * rows]
  std::int32_t* first_error = nullptr;  // [rows]: ErrorCode of the first error, 0 when none
  std::vector<std::pair<std::size_t, Error>>* errors = nullptr;  // every error, by row
};

// True when both packs take the same inputs (names, types, closed lists, in order).
bool same_inputs(const Pack& a, const Pack& b);

// Evaluates every row on `threads` threads (0: hardware concurrency). Thread-safe on a const
// evaluator and batch.
void run_batch(const Evaluator& evaluator, const std::vector<OutputColumn>& outputs,
               const ColumnarBatch& batch, std::optional<Date> reference_date, unsigned threads,
               const BatchOutputs& out);

}  // namespace surfaces
}  // namespace v1
}  // namespace aiguillage
