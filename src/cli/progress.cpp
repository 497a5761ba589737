#include "progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace aiguillage::cli::progress {

namespace {

using Clock = std::chrono::steady_clock;

struct State {
  bool on = false;
  bool terminal = false;
  bool shown = false;
  std::string command;
  std::size_t count = 0;
  Clock::time_point start;
  Clock::time_point last;
};

State& state() {
  static State s;
  return s;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void print(const std::string& line, bool final) {
  State& s = state();
  // On a terminal the line is rewritten in place; in a file each update is a line of its own.
  std::string out = s.terminal ? "\r\033[K" + line : line + "\n";
  if (final && s.terminal) out += "\n";
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
  s.shown = true;
}

std::string count_line(bool final) {
  const State& s = state();
  const double t = seconds_since(s.start);
  char buffer[160];
  if (s.count == 0) {
    std::snprintf(buffer, sizeof buffer, "aiguillage %s: %s%.1f s", s.command.c_str(),
                  final ? "done, " : "", t);
    return buffer;
  }
  std::snprintf(buffer, sizeof buffer, "aiguillage %s: %zu records, %.1f s%s", s.command.c_str(),
                s.count, t, final ? ", done" : "");
  std::string line = buffer;
  if (t > 0.5 && s.count > 0) {
    std::snprintf(buffer, sizeof buffer, " (%.0f records/s)", static_cast<double>(s.count) / t);
    line += buffer;
  }
  return line;
}

}  // namespace

bool take_flag(int& argc, char** argv) {
  bool found = false;
  int out = 0;
  bool options = true;
  for (int k = 0; k < argc; ++k) {
    const std::string_view a(argv[k]);
    if (a == "--") options = false;
    if (options && k >= 2 && a == "--progress") {
      found = true;
      continue;
    }
    argv[out++] = argv[k];
  }
  argc = out;
  return found;
}

bool wanted(std::string_view command, int& argc, char** argv) {
  static constexpr std::string_view kLong[] = {"eval",   "explain", "orient", "notice",
                                               "decide", "match",   "assign", "replay"};
  bool known = false;
  for (std::string_view c : kLong) known = known || c == command;
  if (!known) return false;
  const bool flag = take_flag(argc, argv);
  return flag || ::isatty(STDERR_FILENO) == 1;
}

void enable(std::string_view command) {
  State& s = state();
  s.on = true;
  s.terminal = ::isatty(STDERR_FILENO) == 1;
  s.command = std::string(command);
  s.start = s.last = Clock::now();
}

bool enabled() {
  return state().on;
}

void records(std::size_t n) {
  State& s = state();
  if (!s.on) return;
  s.count += n;
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - s.last).count() < (s.terminal ? 0.2 : 1.0)) return;
  s.last = now;
  print(count_line(false), false);
}

void stage(std::string_view what) {
  State& s = state();
  if (!s.on) return;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, " (%.1f s)", seconds_since(s.start));
  print("aiguillage " + s.command + ": " + std::string(what) + buffer, false);
}

void finish() {
  State& s = state();
  if (!s.on) return;
  print(count_line(true), true);
  s.on = false;
}

}  // namespace aiguillage::cli::progress
