#include "report_tables.hpp"

#include <cmath>

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

using Kind = ReportTable::Cell::Kind;

TableBuilder::TableBuilder(std::string id, std::string section, std::string caption, int version) {
  table_.id = std::move(id);
  table_.section = std::move(section);
  table_.caption = std::move(caption);
  table_.version = version;
}

void TableBuilder::column(std::string id, std::string label) {
  table_.column_ids.push_back(std::move(id));
  table_.column_labels.push_back(std::move(label));
}

std::size_t TableBuilder::row() {
  table_.rows.emplace_back();
  from_.emplace_back();
  return table_.rows.size() - 1;
}

void TableBuilder::text(const std::string& s) {
  ReportTable::Cell c;
  c.kind = Kind::text;
  c.text = s;
  table_.rows.back().push_back(std::move(c));
  from_.back().emplace_back();
}

std::size_t TableBuilder::count(std::uint64_t n) {
  ReportTable::Cell c;
  c.kind = Kind::count;
  c.number = static_cast<double>(n);
  table_.rows.back().push_back(std::move(c));
  from_.back().emplace_back();
  return table_.rows.back().size() - 1;
}

void TableBuilder::number(double x, std::vector<std::size_t> from) {
  ReportTable::Cell c;
  c.kind = std::isfinite(x) ? Kind::number : Kind::none;
  c.number = std::isfinite(x) ? x : 0;
  table_.rows.back().push_back(std::move(c));
  from_.back().push_back(std::move(from));
}

void TableBuilder::share(std::uint64_t k, std::uint64_t n, std::vector<std::size_t> from) {
  number(n == 0 ? NAN : static_cast<double>(k) / static_cast<double>(n), std::move(from));
}

void TableBuilder::line(std::vector<std::pair<std::size_t, std::size_t>> cells) {
  lines_.push_back(std::move(cells));
}

void TableBuilder::complement(std::size_t row, std::size_t k, std::size_t n) {
  complements_.emplace_back(row, k, n);
}

void TableBuilder::column_line(std::size_t column) {
  std::vector<std::pair<std::size_t, std::size_t>> cells;
  for (std::size_t r = 0; r < table_.rows.size(); ++r) cells.emplace_back(r, column);
  line(std::move(cells));
}

ReportTable TableBuilder::finish(int threshold) {
  auto& rows = table_.rows;
  auto cell = [&](std::pair<std::size_t, std::size_t> at) -> ReportTable::Cell* {
    if (at.first >= rows.size() || at.second >= rows[at.first].size()) return nullptr;
    ReportTable::Cell& c = rows[at.first][at.second];
    return c.kind == Kind::count ? &c : nullptr;
  };
  const double t = threshold;
  for (auto& row : rows)
    for (auto& c : row)
      if (c.kind == Kind::count && c.number > 0 && c.number < t) c.suppressed = true;
  for (auto [r, k, n] : complements_) {
    ReportTable::Cell* ck = cell({r, k});
    ReportTable::Cell* cn = cell({r, n});
    if (ck && cn && !cn->suppressed) {
      const double rest = cn->number - ck->number;
      if (rest > 0 && rest < t) ck->suppressed = true;
    }
  }
  // Complementary suppression: no line may hold exactly one suppressed cell.
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& l : lines_) {
      std::size_t suppressed = 0;
      ReportTable::Cell* smallest = nullptr;
      for (const auto& at : l) {
        ReportTable::Cell* c = cell(at);
        if (!c) continue;
        if (c->suppressed) {
          ++suppressed;
        } else if (!smallest || (smallest->number == 0 && c->number > 0) ||
                   (c->number > 0 && c->number < smallest->number)) {
          smallest = c;
        }
      }
      if (suppressed == 1 && smallest) {
        smallest->suppressed = true;
        changed = true;
      }
    }
  }
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      for (std::size_t f : from_[r][c])
        if (f < rows[r].size() && rows[r][f].suppressed) rows[r][c].suppressed = true;
  return std::move(table_);
}

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
