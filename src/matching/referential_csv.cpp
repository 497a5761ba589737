#include "aiguillage/core/error.hpp"
#include "matching/csv.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

CsvReader::CsvReader(std::string_view text, std::string file_name)
    : text_(text), file_name_(std::move(file_name)) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void CsvReader::fail(const std::string& message) const {
  throw Error(
      ErrorCode::referential_format,
      file_name_ + ":" + std::to_string(record_line_ ? record_line_ : line_) + ": " + message);
}

const std::vector<std::string>& CsvReader::read_header() {
  if (!read_record()) {
    record_line_ = line_;
    fail("empty file, a header line is expected");
  }
  header_ = fields_;
  return header_;
}

bool CsvReader::has_column(std::string_view name) const {
  for (const auto& h : header_)
    if (h == name) return true;
  return false;
}

std::size_t CsvReader::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return i;
  throw Error(ErrorCode::referential_format,
              file_name_ + ":1: missing column \"" + std::string(name) + "\"");
}

bool CsvReader::next() {
  for (;;) {
    if (!read_record()) return false;
    // A blank line (one empty unquoted field) between records carries nothing.
    if (fields_.size() == 1 && fields_[0].empty() && header_.size() != 1) continue;
    if (fields_.size() != header_.size())
      fail("expected " + std::to_string(header_.size()) + " fields, found " +
           std::to_string(fields_.size()));
    return true;
  }
}

bool CsvReader::read_record() {
  const std::size_t n = text_.size();
  if (pos_ >= n) return false;
  record_line_ = line_;
  std::size_t used = 0;
  auto next_field = [&]() -> std::string& {
    if (used == fields_.size()) fields_.emplace_back();
    std::string& f = fields_[used++];
    f.clear();
    return f;
  };
  for (;;) {
    std::string& f = next_field();
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      for (;;) {
        std::size_t q = text_.find('"', pos_);
        if (q == std::string_view::npos) fail("unterminated quoted field");
        for (std::size_t i = pos_; i < q; ++i)
          if (text_[i] == '\n') ++line_;
        f.append(text_.data() + pos_, q - pos_);
        pos_ = q + 1;
        if (pos_ < n && text_[pos_] == '"') {
          f.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r')
        fail("unexpected character after a closing quote");
    } else {
      std::size_t start = pos_;
      while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        if (text_[pos_] == '"') fail("quote inside an unquoted field");
        ++pos_;
      }
      f.assign(text_.data() + start, pos_ - start);
    }
    if (pos_ >= n) break;
    char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == '\r') {
      ++pos_;
      if (pos_ < n && text_[pos_] == '\n') ++pos_;
    } else {
      ++pos_;
    }
    ++line_;
    break;
  }
  fields_.resize(used);
  return true;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
