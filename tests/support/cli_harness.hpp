// The command-line tests' harness: a temporary folder per test, files written into it, and the
// built `aiguillage` command run as a user would, with its exit code and standard streams.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace aiguillage::test_support {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CliResult {
  int code = -1;
  bool signalled = false;  // killed by a signal, or a shell's 128+N for one
  std::string out, err;
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

// How one command runs. The deployment's variables (pseudonym key, data folder) are unset so
// that a developer's environment never changes a result; `env` sets what a test needs.
struct CliRun {
  std::string input;          // standard input (empty: an empty stream)
  std::string env;            // `NAME=value ...` for the command
  std::filesystem::path cwd;  // working directory; empty keeps the test runner's
};

// Mixed into a gtest fixture: call make_dir() in SetUp and remove_dir() in TearDown.
class CliHarness {
 protected:
  void make_dir() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name)
      if (c == '/') c = '_';  // parameterised tests
    const std::string suite =
        ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("aig_" + suite + "_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void remove_dir() { std::filesystem::remove_all(dir_); }

  // Writes `text` to `name` under the test's folder (parents created) and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path p = dir_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  static std::string read(const std::filesystem::path& p) { return read_file(p); }

  // Runs `aiguillage <args>`.
  CliResult run_cli(const std::string& args, const CliRun& how = {}) const {
    const std::filesystem::path in = dir_ / "stdin.txt", out = dir_ / "stdout.txt",
                                err = dir_ / "stderr.txt";
    std::ofstream(in, std::ios::binary) << how.input;
    std::string cmd;
    if (!how.cwd.empty()) cmd = "cd '" + how.cwd.string() + "' && ";
    cmd += "env -u AIG_PSEUDONYM_KEY -u AIG_DATA_DIR " + how.env + " " + AIG_CLI_PATH + " " + args +
           " < '" + in.string() + "' > '" + out.string() + "' 2> '" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.signalled = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) > 128);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read(out);
    r.err = read(err);
    return r;
  }

  std::filesystem::path dir_;
};

}  // namespace aiguillage::test_support
