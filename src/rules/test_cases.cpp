#include "aiguillage/rules/test_cases.hpp"

#include <algorithm>
#include <filesystem>
#include <unordered_set>

#include "aiguillage/core/hash.hpp"
#include "core/file.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {

using detail::child;
using detail::json;

namespace {

// Finds the byte span of every /cases/<k>/input value in a document nlohmann already accepted,
// so that a case's input reaches the schema exactly as written (a number keeps its digits
// instead of going through a double).
class InputSpans {
 public:
  explicit InputSpans(std::string_view text) : s_(text) {}

  std::vector<std::string_view> scan() {
    std::vector<std::string_view> spans;
    ws();
    if (!at('{')) return spans;
    ++i_;
    each_member([&](std::string_view key) {
      if (key != "cases" || !at('[')) return skip_value();
      ++i_;
      for (std::size_t k = 0;; ++k) {
        ws();
        if (at(']') || i_ >= s_.size()) break;
        if (spans.size() <= k) spans.resize(k + 1);
        if (at('{')) {
          ++i_;
          each_member([&](std::string_view case_key) {
            const std::size_t start = i_;
            skip_value();
            if (case_key == "input") spans[k] = s_.substr(start, i_ - start);
          });
        } else {
          skip_value();
        }
        ws();
        if (at(',')) ++i_;
      }
      ++i_;
    });
    return spans;
  }

 private:
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  // Leaves i_ after the closing quote; returns the raw content (escapes left as written, so an
  // escaped key never matches a plain name: such a document falls back to the parsed value).
  std::string_view string() {
    const std::size_t start = ++i_;
    while (i_ < s_.size() && s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
    std::string_view raw = s_.substr(start, std::min(i_, s_.size()) - start);
    ++i_;
    return raw.find('\\') == std::string_view::npos ? raw : std::string_view("\\");
  }
  void skip_value() {
    ws();
    if (at('"')) {
      string();
      return;
    }
    if (at('{') || at('[')) {
      int depth = 0;
      while (i_ < s_.size()) {
        const char c = s_[i_];
        if (c == '"') {
          string();
          continue;
        }
        ++i_;
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && --depth == 0) return;
      }
      return;
    }
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' &&
           s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '\t')
      ++i_;
  }
  // At the first member of an object (after '{'); calls f with i_ on each value, which f must
  // consume; leaves i_ after the closing '}'.
  template <typename F>
  void each_member(F&& f) {
    while (i_ < s_.size()) {
      ws();
      if (at('}')) {
        ++i_;
        return;
      }
      if (!at('"')) return;
      std::string_view key = string();
      ws();
      if (at(':')) ++i_;
      ws();
      f(key);
      ws();
      if (at(',')) ++i_;
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

std::vector<std::string> string_list(const json& v, const std::string& pointer,
                                     std::string_view what) {
  std::vector<std::string> out;
  detail::expect_array(v, pointer, what);
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (!v[k].is_string())
      throw Error(ErrorCode::type_mismatch, std::string(what) + " must hold strings",
                  child(pointer, k));
    out.push_back(v[k].get<std::string>());
  }
  return out;
}

bool known_error_name(std::string_view name) {
  // Codes are grouped by hundreds per layer, all negative and above -1000.
  for (int code = -1; code > -1000; --code)
    if (error_code_name(static_cast<ErrorCode>(code)) == name) return true;
  return false;
}

std::string show_rules(const std::vector<std::string>& ids) {
  if (ids.empty()) return "none";
  if (ids.size() == 1) return ids[0];
  std::string out = "[";
  for (std::size_t k = 0; k < ids.size(); ++k) out += (k ? ", " : "") + ids[k];
  return out + "]";
}

std::string show_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t k = 0; k < names.size(); ++k) out += (k ? ", " : "") + names[k];
  return out + "]";
}

std::string first_error(const Evaluation& e) {
  return e.errors.empty() ? std::string() : " (" + e.errors.front().describe() + ")";
}

}  // namespace

TestSuite load_test_cases(std::string_view json_text) {
  json doc = detail::parse_document(json_text);
  const int minor =
      detail::check_schema_header(doc, kTestCasesSchema, kTestCasesMajor, kTestCasesMinor);
  // A newer minor version only adds optional fields: read what this engine knows.
  const bool lenient = minor > kTestCasesMinor;
  detail::check_keys(doc, {"schema", "schema_version", "description", "cases"}, "", lenient);
  const json& cases = detail::require(doc, "cases", "");
  detail::expect_array(cases, "/cases", "cases");
  std::vector<std::string_view> spans = InputSpans(json_text).scan();

  TestSuite suite;
  std::unordered_set<std::string> names;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const std::string p = child("/cases", k);
    const json& c = cases[k];
    detail::expect_object(c, p, "a test case");
    detail::check_keys(c, {"name", "rationale", "reference_date", "input", "expected"}, p, lenient);
    TestCase t;
    t.pointer = p;
    t.name = detail::get_string(c, "name", p);
    if (t.name.empty())
      throw Error(ErrorCode::invalid_document, "a test case needs a name", child(p, "name"));
    if (!names.insert(t.name).second)
      throw Error(ErrorCode::duplicate_name, "test case \"" + t.name + "\" is defined twice",
                  child(p, "name"));
    t.rationale = detail::get_string(c, "rationale", p, false);
    t.reference_date = detail::get_date(c, "reference_date", p);
    const json& input = detail::require(c, "input", p);
    detail::expect_object(input, child(p, "input"), "input");
    t.input = k < spans.size() && !spans[k].empty() ? std::string(spans[k]) : input.dump();

    const std::string ep = child(p, "expected");
    const json& ex = detail::require(c, "expected", p);
    detail::expect_object(ex, ep, "expected");
    detail::check_keys(ex, {"status", "outputs", "rules", "missing", "error"}, ep, lenient);
    if (ex.empty())
      throw Error(ErrorCode::invalid_document,
                  "expected states nothing (status, outputs, rules, missing or error)", ep);
    if (ex.contains("status")) {
      const std::string s = detail::get_string(ex, "status", ep);
      if (s == "complete")
        t.status = Status::complete;
      else if (s == "incomplete")
        t.status = Status::incomplete;
      else if (s == "error")
        t.status = Status::error;
      else
        throw Error(ErrorCode::invalid_document,
                    "status must be \"complete\", \"incomplete\" or \"error\"",
                    child(ep, "status"));
    }
    if (auto it = ex.find("outputs"); it != ex.end()) {
      const std::string op = child(ep, "outputs");
      detail::expect_object(*it, op, "outputs");
      for (auto o = it->begin(); o != it->end(); ++o)
        t.outputs.push_back(
            ExpectedOutput{o.key(), canonical_json(o.value().dump()), child(op, o.key())});
    }
    if (auto it = ex.find("rules"); it != ex.end()) {
      const std::string rp = child(ep, "rules");
      detail::expect_object(*it, rp, "rules");
      for (auto r = it->begin(); r != it->end(); ++r) {
        ExpectedRules er{r.key(), {}, child(rp, r.key())};
        if (r.value().is_string()) {
          er.rules.push_back(r.value().get<std::string>());
        } else if (r.value().is_array()) {
          er.rules = string_list(r.value(), er.pointer, "a list of rules");
        } else if (!r.value().is_null()) {
          throw Error(ErrorCode::type_mismatch,
                      "expected rules are a rule id, a list of rule ids or null", er.pointer);
        }
        t.rules.push_back(std::move(er));
      }
    }
    if (auto it = ex.find("missing"); it != ex.end()) {
      t.missing_pointer = child(ep, "missing");
      t.missing = string_list(*it, t.missing_pointer, "missing");
    }
    if (ex.contains("error")) {
      std::string name = detail::get_string(ex, "error", ep);
      if (!known_error_name(name))
        throw Error(ErrorCode::invalid_document, "\"" + name + "\" is not an error code name",
                    child(ep, "error"));
      t.error = std::move(name);
    }
    suite.cases.push_back(std::move(t));
  }
  return suite;
}

CaseResult run_test_case(const Evaluator& evaluator, const TestCase& test, Evaluation& e) {
  const Pack& pack = evaluator.pack();
  EvalOptions options;
  options.reference_date = test.reference_date;
  evaluator.evaluate_json(test.input, e, options);

  CaseResult result;
  auto differ = [&](std::string what, const std::string& expected, const std::string& got) {
    result.differences.push_back(std::move(what) + " expected " + expected + ", got " + got);
  };
  const bool evaluated = !e.frame.empty();

  if (test.status && *test.status != e.status)
    differ("status", std::string(status_name(*test.status)),
           std::string(status_name(e.status)) + first_error(e));
  if (test.error) {
    if (e.errors.empty())
      differ("error", *test.error, "none");
    else if (error_code_name(e.errors.front().code()) != *test.error)
      differ("error", *test.error, e.errors.front().describe());
  } else if (!e.errors.empty() && test.status != Status::error) {
    // An error nobody expected must not pass as "no rule fired" or "output null".
    differ("error", "none", e.errors.front().describe());
  }

  for (const ExpectedOutput& o : test.outputs) {
    const int slot = pack.slot_of(o.name);
    if (slot < 0) {
      result.differences.push_back("unknown output \"" + o.name + "\" at " + o.pointer);
      continue;
    }
    if (!evaluated) {
      differ("output " + o.name, o.value, "nothing (the record was rejected)");
      continue;
    }
    const std::string actual = e.frame[static_cast<std::size_t>(slot)].to_json();
    if (canonical_json(actual) != o.value) differ("output " + o.name, o.value, actual);
  }

  for (const ExpectedRules& r : test.rules) {
    const auto& decisions = pack.decisions();
    auto it = std::find_if(decisions.begin(), decisions.end(),
                           [&](const DecisionTable& d) { return d.id == r.decision; });
    if (it == decisions.end() || it->kind != DecisionTable::Kind::table) {
      result.differences.push_back("unknown decision table \"" + r.decision + "\" at " + r.pointer);
      continue;
    }
    for (const std::string& id : r.rules)
      if (std::none_of(it->rules.begin(), it->rules.end(),
                       [&](const Rule& rule) { return rule.id == id; }))
        result.differences.push_back("unknown rule \"" + id + "\" of " + r.decision + " at " +
                                     r.pointer);
    std::vector<std::string> fired;
    const auto k = static_cast<std::size_t>(it - decisions.begin());
    if (k < e.decisions.size())
      for (int rule : e.decisions[k].fired)
        fired.push_back(it->rules[static_cast<std::size_t>(rule)].id);
    if (fired != r.rules) differ("rules of " + r.decision, show_rules(r.rules), show_rules(fired));
  }

  if (test.missing) {
    for (const std::string& name : *test.missing)
      if (pack.inputs().index_of(name) < 0)
        result.differences.push_back("unknown input \"" + name + "\" at " + test.missing_pointer);
    std::vector<std::string> got;
    for (const MissingInput& m : e.missing)
      got.push_back(pack.inputs().field(static_cast<std::size_t>(m.field)).name);
    if (got != *test.missing) differ("missing", show_names(*test.missing), show_names(got));
  }

  result.passed = result.differences.empty();
  return result;
}

TestRun run_test_files(const Pack& pack, const std::vector<std::string>& files) {
  TestRun run;
  Evaluator evaluator(pack);
  Evaluation e;
  const auto& decisions = pack.decisions();
  std::vector<std::vector<char>> covered(decisions.size());
  for (std::size_t k = 0; k < decisions.size(); ++k) {
    covered[k].assign(decisions[k].rules.size(), 0);
    if (decisions[k].kind == DecisionTable::Kind::table) run.rules += decisions[k].rules.size();
  }

  for (const std::string& file : files) {
    const std::string text = detail::read_file(file);
    TestSuite suite;
    try {
      suite = load_test_cases(text);
    } catch (const Error& err) {
      ++run.failed;
      run.failures.push_back("FAIL " + file + ": " + err.describe());
      continue;
    }
    for (const TestCase& test : suite.cases) {
      CaseResult r = run_test_case(evaluator, test, e);
      for (std::size_t k = 0; k < e.decisions.size() && k < decisions.size(); ++k)
        for (int rule : e.decisions[k].fired) covered[k][static_cast<std::size_t>(rule)] = 1;
      if (r.passed) {
        ++run.passed;
        continue;
      }
      ++run.failed;
      for (const std::string& d : r.differences)
        run.failures.push_back("FAIL " + file + ":" + test.name + ": " + d);
    }
  }

  for (std::size_t k = 0; k < decisions.size(); ++k) {
    if (decisions[k].kind != DecisionTable::Kind::table) continue;
    for (std::size_t r = 0; r < decisions[k].rules.size(); ++r)
      if (!covered[k][r]) run.uncovered.emplace_back(decisions[k].id, decisions[k].rules[r].id);
  }
  return run;
}

std::vector<std::string> test_files_of(const std::string& pack_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir(pack_dir);
  if (fs::is_regular_file(dir, ec)) dir = dir.parent_path();
  const fs::path tests = dir / "tests";
  std::vector<std::string> files;
  if (!fs::is_directory(tests, ec)) return files;
  for (fs::directory_iterator it(tests, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json" && it->is_regular_file(ec))
      files.push_back(it->path().string());
  if (ec) throw Error(ErrorCode::io, "cannot list " + tests.string() + ": " + ec.message());
  // Sorted by name so that the report is the same on every file system.
  std::sort(files.begin(), files.end());
  return files;
}

TestRun run_test_dir(const Pack& pack, const std::string& pack_dir) {
  return run_test_files(pack, test_files_of(pack_dir));
}

std::string TestRun::to_text() const {
  std::string out;
  for (const std::string& f : failures) out += f + "\n";
  for (const auto& [decision, rule] : uncovered)
    out += "uncovered: " + decision + "/" + rule + "\n";
  if (uncovered.empty()) out += "coverage: all " + std::to_string(rules) + " rules fired\n";
  out += std::to_string(passed) + " passed, " + std::to_string(failed) + " failed\n";
  return out;
}

std::string TestRun::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["passed"] = passed;
  j["failed"] = failed;
  j["rules"] = rules;
  j["failures"] = failures;
  nlohmann::ordered_json u = nlohmann::ordered_json::array();
  for (const auto& [decision, rule] : uncovered)
    u.push_back({{"decision", decision}, {"rule", rule}});
  j["uncovered"] = std::move(u);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace v1
}  // namespace aiguillage
