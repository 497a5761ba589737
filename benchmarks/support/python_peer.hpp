// Running a Python peer (numpy/scipy) from a benchmark and reading back its "key=value" line.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace aiguillage::bench {

inline bool smoke() {
  const char* s = std::getenv("AIG_BENCH_SMOKE");
  return s && *s && std::string(s) != "0";
}

inline std::string python_path() {
  const char* env = std::getenv("AIG_PYTHON");
  return env && *env ? env : "/usr/bin/python3";
}

// A fresh directory under the system temp dir, removed with its content at destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() /
              ("aig_" + tag + "_" + std::to_string(static_cast<long>(::getpid())))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

template <class T>
void write_raw(const std::filesystem::path& file, const std::vector<T>& data) {
  std::ofstream f(file, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()),
          static_cast<std::streamsize>(data.size() * sizeof(T)));
}

// Runs `python script args...`; returns the key=value pairs of its last output line, or
// nullopt (with a note on stderr) when python, numpy or scipy is missing or the script fails.
inline std::optional<std::map<std::string, std::string>> run_peer(const std::string& script,
                                                                  const std::string& args) {
  const std::string check = python_path() + " -c \"import numpy, scipy.sparse\" >/dev/null 2>&1";
  if (std::system(check.c_str()) != 0) {
    std::fprintf(stderr, "note: %s with numpy/scipy not found, peer skipped\n",
                 python_path().c_str());
    return std::nullopt;
  }
  const std::string cmd = python_path() + " " + std::string(AIG_SOURCE_DIR) +
                          "/benchmarks/peers/scipy/" + script + " " + args;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out, last;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  if (::pclose(pipe) != 0) {
    std::fprintf(stderr, "note: peer failed: %s\n%s\n", cmd.c_str(), out.c_str());
    return std::nullopt;
  }
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) last = line;
  std::map<std::string, std::string> kv;
  std::istringstream words(last);
  for (std::string w; words >> w;) {
    const auto eq = w.find('=');
    if (eq != std::string::npos) kv[w.substr(0, eq)] = w.substr(eq + 1);
  }
  return kv;
}

}  // namespace aiguillage::bench
