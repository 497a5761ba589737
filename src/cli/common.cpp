#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "core/file.hpp"
#include "core/json_read.hpp"
#include "progress.hpp"

namespace aiguillage::cli {

namespace {

constexpr std::size_t kChunk = 1u << 20;

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

Args parse_args(int argc, char** argv, int first, const std::vector<OptionSpec>& specs,
                std::size_t min_positional, std::size_t max_positional) {
  Args args;
  bool options_done = false;
  for (int k = first; k < argc; ++k) {
    std::string_view arg = argv[k];
    if (options_done || arg == "-" || arg.size() < 2 || arg[0] != '-') {
      args.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      args.help = true;
      continue;
    }
    std::string_view name = arg;
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = std::string(arg.substr(eq + 1));
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) throw UsageError("unknown option " + std::string(name));
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (k + 1 < argc) {
        value = argv[++k];
      } else {
        throw UsageError("option " + std::string(name) + " needs a value");
      }
    } else if (inline_value) {
      throw UsageError("option " + std::string(name) + " takes no value");
    }
    args.options[std::string(name)] = std::move(value);
  }
  if (!args.help) {
    if (args.positional.size() < min_positional)
      throw UsageError(min_positional == 1 ? "missing argument" : "missing arguments");
    if (args.positional.size() > max_positional)
      throw UsageError("unexpected argument " + args.positional[max_positional]);
  }
  return args;
}

int report(const Error& error, int code) {
  std::string line = "error: " + error.describe() + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  return error.code() == ErrorCode::io ? kExitIo : code;
}

Pack load_pack(const std::string& path) {
  std::error_code ec;
  namespace fs = std::filesystem;
  if (fs::is_directory(path, ec) && !fs::exists(fs::path(path) / "pack.json", ec))
    throw Error(ErrorCode::io, "no pack.json in the folder " + path);
  return Pack::load_file(path);
}

std::string read_file(const std::string& path) {
  return path == "-" ? detail::read_descriptor(0, "standard input") : detail::read_file(path);
}

RecordReader::RecordReader(const std::string& path) : path_(path.empty() ? "-" : path) {
  if (path_ == "-") return;
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw Error(ErrorCode::io, "cannot open " + path_ + ": " + errno_text());
  owned_ = true;
}

RecordReader::~RecordReader() {
  if (owned_) ::close(fd_);
}

bool RecordReader::read_more() {
  if (eof_) return false;
  const bool more = detail::read_chunk(fd_, buf_, kChunk, path_ == "-" ? "standard input" : path_);
  eof_ = !more;
  return more;
}

bool RecordReader::whole_document() {
  std::size_t i;
  while ((i = buf_.find_first_not_of(" \t\r\n")) == std::string::npos)
    if (!read_more()) return false;
  if (buf_[i] != '{') return false;
  std::size_t nl;
  while ((nl = buf_.find('\n', i)) == std::string::npos) {
    if (buf_.size() > detail::kMaxJsonLineBytes) return false;  // JSON Lines reports it
    if (!read_more()) return false;  // a single line: JSON Lines reads it
  }
  if (nlohmann::json::accept(buf_.begin() + static_cast<std::ptrdiff_t>(i),
                             buf_.begin() + static_cast<std::ptrdiff_t>(nl)))
    return false;
  // The first line is not a record by itself: maybe the input is one pretty-printed object
  // (no longer than a line may be).
  while (buf_.size() <= detail::kMaxJsonLineBytes && read_more()) {
  }
  if (buf_.size() > detail::kMaxJsonLineBytes) return false;
  if (!nlohmann::json::accept(buf_.begin() + static_cast<std::ptrdiff_t>(i), buf_.end()))
    return false;
  std::size_t line = 1;
  for (std::size_t k = 0; k < i; ++k) line += buf_[k] == '\n';
  std::size_t end = buf_.find_last_not_of(" \t\r\n") + 1;
  block_.push_back(RecordLine{line, std::string_view(buf_).substr(i, end - i)});
  return true;
}

void RecordReader::too_long(std::size_t line) const {
  throw Error(ErrorCode::too_long,
              (path_ == "-" ? std::string("standard input") : path_) + " line " +
                  std::to_string(line) + " is longer than " +
                  std::to_string(detail::kMaxJsonLineBytes) +
                  " bytes; records after it are not read",
              "");
}

const std::vector<RecordLine>* RecordReader::next() {
  progress::records(block_.size());  // the block handed out before is done
  block_.clear();
  if (consumed_ > 0) {
    buf_.erase(0, consumed_);
    consumed_ = 0;
  }
  if (first_) {
    first_ = false;
    // A UTF-8 byte-order mark (editors on Windows write one) is no part of the first record.
    while (buf_.size() < 3 && read_more()) {
    }
    if (buf_.starts_with("\xEF\xBB\xBF")) buf_.erase(0, 3);
    if (whole_document()) {
      consumed_ = buf_.size();
      return &block_;
    }
  }
  for (;;) {
    std::size_t end = buf_.rfind('\n');
    if (end == std::string::npos) {
      // A line may not grow without end (an endless stream without a newline).
      if (buf_.size() > detail::kMaxJsonLineBytes) too_long(line_ + 1);
      if (read_more()) continue;
      end = buf_.size();  // the last line has no newline
      if (end == 0) return nullptr;
    } else {
      ++end;
    }
    for (std::size_t pos = 0; pos < end;) {
      // Blocks are bounded in records too, so that the output a command buffers for a block
      // (an explanation, a notice, a trace per record) stays bounded whatever the lines' size.
      if (block_.size() == kMaxBlockRecords) {
        end = pos;
        break;
      }
      std::size_t nl = buf_.find('\n', pos);
      if (nl == std::string::npos || nl > end) nl = end;
      ++line_;
      if (nl - pos > detail::kMaxJsonLineBytes) {
        // Records before this one are handed out first; the error comes with the next call.
        if (!block_.empty()) {
          --line_;
          end = pos;
          break;
        }
        too_long(line_);
      }
      std::size_t stop = nl;
      while (stop > pos &&
             (buf_[stop - 1] == '\r' || buf_[stop - 1] == ' ' || buf_[stop - 1] == '\t'))
        --stop;
      std::size_t begin = pos;
      while (begin < stop && (buf_[begin] == ' ' || buf_[begin] == '\t')) ++begin;
      if (begin < stop)
        block_.push_back(RecordLine{line_, std::string_view(buf_).substr(begin, stop - begin)});
      pos = nl + 1;
    }
    consumed_ = end;
    if (!block_.empty()) return &block_;
    buf_.erase(0, consumed_);
    consumed_ = 0;
  }
}

void write_out(std::string_view text) {
  if (text.empty()) return;
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size())
    throw Error(ErrorCode::io, "cannot write to standard output: " + errno_text());
}

std::string json_string(std::string_view s) {
  // Printable ASCII without a quote or a backslash is its own JSON text.
  if (std::all_of(s.begin(), s.end(),
                  [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; })) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
  }
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace aiguillage::cli
