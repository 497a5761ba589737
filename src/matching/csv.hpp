// RFC 4180 CSV reading for the referential files (ROME, ESCO); private to the library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aiguillage {
inline namespace v1 {
namespace detail {

// Reads comma-separated records from a text held by the caller: quoted fields with doubled
// quotes, commas and line breaks inside quotes, LF or CRLF line ends, an optional UTF-8 BOM.
// Malformed input (an unterminated quote, text after a closing quote, a record whose field
// count differs from the header's) is Error(referential_format) naming the file and the line.
class CsvReader {
 public:
  CsvReader(std::string_view text, std::string file_name);

  // Reads the header record; every later record must have as many fields.
  const std::vector<std::string>& read_header();
  // Index of a header column; Error(referential_format) when it is missing.
  std::size_t column(std::string_view name) const;
  // True when `name` is a header column.
  bool has_column(std::string_view name) const;

  // Reads the next record into fields(); false at the end of the text.
  bool next();
  const std::vector<std::string>& fields() const { return fields_; }
  const std::string& field(std::size_t i) const { return fields_[i]; }
  // 1-based line where the current record starts.
  std::size_t line() const { return record_line_; }
  const std::string& file_name() const { return file_name_; }

  // "file:line: message" as an Error(referential_format), for callers' own checks.
  [[noreturn]] void fail(const std::string& message) const;

 private:
  bool read_record();

  std::string_view text_;
  std::string file_name_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
};

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
