// Building the report's tables, with small-cell and complementary suppression; private.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aiguillage/audit/report.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

class TableBuilder {
 public:
  TableBuilder(std::string id, std::string section, std::string caption, int version);
  void column(std::string id, std::string label);
  std::size_t row();  // starts a row, returns its index
  void text(const std::string& s);
  std::size_t count(std::uint64_t n);  // returns the column
  // A figure derived from counts of the same row (columns): suppressed with any of them.
  void number(double x, std::vector<std::size_t> from = {});
  void share(std::uint64_t k, std::uint64_t n, std::vector<std::size_t> from);
  // Counts of these cells add up to a total shown elsewhere: one suppressed cell among them
  // would be recovered by subtraction, so another is suppressed with it.
  void line(std::vector<std::pair<std::size_t, std::size_t>> cells);
  // The count (row, k) is part of (row, n): when n - k is small, k reveals it.
  void complement(std::size_t row, std::size_t k, std::size_t n);
  void column_line(std::size_t column);  // every row of a count column
  std::size_t rows() const { return table_.rows.size(); }
  ReportTable finish(int threshold);

 private:
  ReportTable table_;
  std::vector<std::vector<std::vector<std::size_t>>> from_;
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> lines_;
  std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> complements_;
};

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
