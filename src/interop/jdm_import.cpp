#include "aiguillage/interop/jdm_import.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aiguillage/rules/pack.hpp"
#include "core/json_read.hpp"
#include "jdm_export.hpp"
#include "pack_text.hpp"
#include "rules/pack_document.hpp"
#include "zen_chars.hpp"
#include "zen_expression.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using detail::child;
using detail::json;
using ojson = nlohmann::ordered_json;
using detail::split_zen_object;
using detail::translate_zen;
using detail::ZenNameUse;
using detail::ZenResolve;
using detail::ZenType;

constexpr std::string_view kSourceId = "jdm";
constexpr std::string_view kSourceTitle = "Imported from a GoRules JDM graph";

using detail::is_digit;
using detail::is_name_char;
using detail::is_name_start;
using detail::is_space;

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A plain (possibly dotted) name: what a column field must be to become an input.
bool is_plain_name(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = 0;
  for (;;) {
    if (i >= s.size() || !is_name_start(s[i])) return false;
    while (i < s.size() && is_name_char(s[i])) ++i;
    if (i == s.size()) return true;
    if (s[i] != '.') return false;
    ++i;
  }
}

bool is_keyword(std::string_view s) {
  static const std::string_view words[] = {"true", "false", "null", "and",  "or",
                                           "not",  "if",    "then", "else", "in"};
  return std::find(std::begin(words), std::end(words), s) != std::end(words);
}

// Length of the string literal starting at text[i] (a quote), closing quote included.
std::size_t literal_length(std::string_view text, std::size_t i) {
  const char quote = text[i];
  std::size_t j = i + 1;
  while (j < text.size() && text[j] != quote) j += text[j] == '\\' ? 2 : 1;
  return std::min(j + 1, text.size()) - i;
}

// ZEN writes 1_000_000; the expression language reads plain digits.
std::string strip_digit_separators(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      std::size_t n = literal_length(text, i);
      out.append(text.substr(i, n));
      i += n;
    } else if (is_name_start(c)) {
      while (i < text.size() && (is_name_char(text[i]) || text[i] == '.')) out += text[i++];
    } else if (is_digit(c)) {
      while (i < text.size() && (is_digit(text[i]) || text[i] == '_')) {
        bool separator = text[i] == '_' && i + 1 < text.size() && is_digit(text[i + 1]);
        if (!separator) out += text[i];
        ++i;
      }
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// Splits on a top-level keyword (" and " / " or "), outside literals and brackets.
std::vector<std::string_view> split_keyword(std::string_view text, std::string_view word) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      i += literal_length(text, i);
      continue;
    }
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0 && is_name_start(c) && (i == 0 || !is_name_char(text[i - 1]))) {
      std::size_t j = i;
      while (j < text.size() && is_name_char(text[j])) ++j;
      if (text.substr(i, j - i) == word) {
        parts.push_back(trim(text.substr(start, i - start)));
        start = j;
      }
      i = j;
      continue;
    }
    ++i;
  }
  parts.push_back(trim(text.substr(start)));
  return parts;
}

// The comparison operator a unary-test part starts with, or "".
std::string_view comparison_prefix(std::string_view part) {
  for (std::string_view op : {"<=", ">=", "==", "!=", "<", ">", "="})
    if (part.substr(0, op.size()) == op) return op;
  return {};
}

// ZEN's "> 2 and <= 4" becomes the range "(2..4]" (kept as a compiled interval); other
// conjunctions or disjunctions of comparisons are spelled with "$".
bool is_number_literal(std::string_view t);

bool is_literal(std::string_view p) {
  return !p.empty() &&
         (((p.front() == '"' || p.front() == '\'') && literal_length(p, 0) == p.size()) ||
          is_number_literal(p));
}

// Splits on top-level commas, outside literals and brackets.
std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      i += literal_length(text, i);
      continue;
    }
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
    ++i;
  }
  parts.push_back(trim(text.substr(start)));
  return parts;
}

// ZEN's date() in a cell is seconds since 1970, as in its expressions: the pack's timestamp(),
// and date('now') the reference date (see translate_zen). Texts in quotes are left alone.
std::string zen_dates(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"' || c == '\'' || c == '`') {
      const std::size_t n = literal_length(text, i);
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    // Not a member (a.date(...)), but a range bound (..date(...)) is a call.
    const bool member = i > 0 && text[i - 1] == '.' && !(i > 1 && text[i - 2] == '.');
    if (!is_name_start(c) || member ||
        (i > 0 && (is_name_char(text[i - 1]) || text[i - 1] == '$'))) {
      out += c;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_name_char(text[j])) ++j;
    std::size_t k = j;
    while (k < text.size() && is_space(text[k])) ++k;
    if (text.substr(i, j - i) != "date" || k >= text.size() || text[k] != '(') {
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    std::size_t a = k + 1;
    while (a < text.size() && is_space(text[a])) ++a;
    for (std::string_view now : {"'now'", "\"now\""}) {
      std::size_t b = a + now.size();
      while (b < text.size() && is_space(text[b])) ++b;
      if (text.substr(a, now.size()) == now && b < text.size() && text[b] == ')') {
        out += "timestamp(reference_date)";
        i = b + 1;
        break;
      }
    }
    if (i > k) continue;
    out += "timestamp(";
    i = k + 1;
  }
  return out;
}

std::string normalize_input_cell(std::string_view raw) {
  std::string text = strip_digit_separators(zen_dates(trim(raw)));
  // ZEN's "startsWith($, '61'), startsWith($, '62')": any of the tests.
  if (text.find('$') != std::string::npos) {
    auto parts = split_commas(text);
    if (parts.size() > 1) {
      std::string out;
      for (std::size_t k = 0; k < parts.size(); ++k)
        out += (k ? " or (" : "(") + std::string(parts[k]) + ")";
      return out;
    }
  }
  for (std::string_view word : {"and", "or"}) {
    auto parts = split_keyword(text, word);
    if (parts.size() < 2) continue;
    // ZEN's "'Conditional' or 'Approved'": one of the values.
    if (word == "or" && std::all_of(parts.begin(), parts.end(), is_literal)) {
      std::string out;
      for (std::size_t k = 0; k < parts.size(); ++k) out += (k ? ", " : "") + std::string(parts[k]);
      return out;
    }
    // ZEN's "[-10..0] and > -5": ranges and comparisons of the column's value.
    const auto is_range = [](std::string_view p) {
      return p.size() > 4 && (p.front() == '[' || p.front() == '(' || p.front() == ']') &&
             (p.back() == ']' || p.back() == ')' || p.back() == '[') &&
             p.find("..") != std::string_view::npos;
    };
    bool all_comparisons = std::all_of(parts.begin(), parts.end(), [&](std::string_view p) {
      return !p.empty() && (!comparison_prefix(p).empty() || is_range(p));
    });
    if (!all_comparisons) continue;
    const bool ranges = std::any_of(parts.begin(), parts.end(), is_range);
    if (word == "and" && parts.size() == 2 && !ranges) {
      std::string_view lo, hi, lo_op, hi_op;
      for (std::string_view p : parts) {
        std::string_view op = comparison_prefix(p);
        std::string_view bound = trim(p.substr(op.size()));
        if (op[0] == '>') lo = bound, lo_op = op;
        if (op[0] == '<') hi = bound, hi_op = op;
      }
      if (!lo.empty() && !hi.empty())
        return std::string(lo_op == ">" ? "(" : "[") + std::string(lo) + ".." + std::string(hi) +
               (hi_op == "<" ? ")" : "]");
    }
    std::string out;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (k) out += " " + std::string(word) + " ";
      out += (is_range(parts[k]) ? "$ in " : "$ ") + std::string(parts[k]);
    }
    return out;
  }
  // ZEN's "!= x" holds for null (null is not x), where the pack's comparison with null is
  // unknown: null is listed (found by the ZEN differential test).
  if (comparison_prefix(text) == "!=" && split_commas(text).size() == 1) return "null, " + text;
  return text;
}

// Inferred types, in decreasing precedence when cells disagree.
enum class Kind : int { none = 0, boolean = 1, decimal = 2, string = 3, date = 4 };

std::string_view type_name(Kind k) {
  switch (k) {
    case Kind::boolean:
      return "bool";
    case Kind::decimal:
      return "decimal";
    case Kind::date:
      return "date";
    default:
      return "string";
  }
}

Kind merge(Kind a, Kind b) {
  return static_cast<int>(b) > static_cast<int>(a) ? b : a;
}

struct Scan {
  bool has_literal = false, has_digit = false, has_dollar = false, has_date = false;
  std::vector<std::string> names;  // bare words that are not keywords or function names
};

Scan scan(std::string_view text) {
  Scan s;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      s.has_literal = true;
      i += literal_length(text, i);
    } else if (c == '$') {
      s.has_dollar = true;
      ++i;
    } else if (is_name_start(c)) {
      std::size_t j = i;
      while (j < text.size() && (is_name_char(text[j]) || text[j] == '.')) ++j;
      std::string_view word = text.substr(i, j - i);
      std::size_t k = j;
      while (k < text.size() && is_space(text[k])) ++k;
      bool call = k < text.size() && text[k] == '(';
      if (call && (word == "date" || word == "d")) s.has_date = true;
      if (!call && !is_keyword(word)) s.names.emplace_back(word);
      i = j;
    } else {
      if (is_digit(c)) s.has_digit = true;
      ++i;
    }
  }
  return s;
}

Kind input_kind(std::string_view cell) {
  std::string_view t = trim(cell);
  if (t.empty() || t == "-" || t == "null") return Kind::none;
  Scan s = scan(t);
  if (s.has_date) return Kind::date;
  if (s.has_literal) return Kind::string;
  std::string bare;
  for (char c : t)
    if (!is_space(c) && c != ',' && c != '(' && c != ')') bare += c;
  if (bare == "true" || bare == "false" || bare == "nottrue" || bare == "notfalse" ||
      bare == "truefalse" || bare == "falsetrue")
    return Kind::boolean;
  // In a "$" expression a digit may count characters or items: it says nothing of "$".
  if (s.has_dollar) {
    std::string_view after = trim(t.substr(t.find('$') + 1));
    if (t.front() == '$' && !comparison_prefix(after).empty() && s.has_digit) return Kind::decimal;
    return Kind::none;
  }
  if (s.has_digit) return Kind::decimal;
  return Kind::none;
}

bool is_number_literal(std::string_view t) {
  if (!t.empty() && t.front() == '-') t.remove_prefix(1);
  if (t.empty() || !is_digit(t.front())) return false;
  bool dot = false;
  for (char c : t) {
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (!is_digit(c)) return false;
  }
  return is_digit(t.back());
}

Kind kind_of(ZenType t) {
  switch (t) {
    case ZenType::boolean:
      return Kind::boolean;
    case ZenType::number:
      return Kind::decimal;
    case ZenType::string:
      return Kind::string;
    default:
      return Kind::none;
  }
}

std::string node_pointer(std::size_t node) {
  return child("/nodes", node);
}
std::string content_pointer(std::size_t node) {
  return child(node_pointer(node), "content");
}

std::string string_or(const json& obj, std::string_view key, std::string fallback = {}) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::string join_path(const std::string& prefix, const std::string& name) {
  if (prefix.empty()) return name;
  if (name.empty()) return prefix;
  return prefix + "." + name;
}

// Reads an optional path option (inputField, outputPath): "" when absent, null or empty.
std::string path_option(const json& content, const char* key, const std::string& cp) {
  auto it = content.find(key);
  if (it == content.end() || it->is_null()) return {};
  if (!it->is_string())
    throw Error(ErrorCode::type_mismatch, std::string(key) + " must be a string", child(cp, key));
  std::string s(trim(it->get<std::string>()));
  if (!s.empty() && !is_plain_name(s))
    throw Error(ErrorCode::unsupported_construct,
                std::string(key) + " \"" + s + "\" is not a plain (dotted) name", child(cp, key));
  return s;
}

void single_mode_only(const json& content, const std::string& cp) {
  std::string mode = string_or(content, "executionMode", "single");
  if (mode != "single")
    throw Error(ErrorCode::unsupported_construct,
                "execution mode \"" + mode +
                    "\" is not supported: a node run once per item gives a list of objects, "
                    "and a pack's outputs and variables hold none (lists of objects are inputs)",
                child(cp, "executionMode"));
}

struct GraphVariable {
  std::string name, expression, label, pointer;
};

struct TableOut {
  std::string name, label, pointer;
  Kind kind = Kind::none;
};

struct GraphColumn {
  std::string expression, label, pointer;
};

struct TableDecision {
  std::string id, label, pointer;
  HitPolicy policy = HitPolicy::first;
  std::vector<GraphColumn> inputs;
  std::vector<TableOut> outputs;
  struct Row {
    std::string id, description, pointer;
    std::vector<std::string> when, then;
    std::vector<std::string> when_pointers, then_pointers;
    std::vector<ZenType> then_types;  // what each output cell's form says of its type
  };
  std::vector<Row> rules;
};

struct InputInfo {
  std::string name, label, pointer;
  Kind cells = Kind::none;  // what the table cells testing it say
  Kind usage = Kind::none;  // what expressions reading it say
};

// Cells already translated in a table, per column: a table of thousands of rows repeats a few
// texts, and each text gives the same pack text and reads the same names wherever it appears.
class CellMemo {
 public:
  struct Entry {
    std::string text;                 // the pack's text of the cell
    std::vector<ZenNameUse> uses;     // names an expression cell reads (as translate read them)
    std::vector<std::string> names;   // names a unary cell reads
    Kind kind = Kind::none;           // what a unary cell says of its column's type
    ZenType type = ZenType::unknown;  // what an output cell's form says of its type
  };
  CellMemo(std::size_t inputs, std::size_t outputs) : in_(inputs), out_(outputs) {}
  const Entry* find(bool output, std::size_t column, const std::string& text) const {
    const auto& m = (output ? out_ : in_)[column];
    auto it = m.find(text);
    return it == m.end() ? nullptr : &it->second;
  }
  void add(bool output, std::size_t column, std::string text, Entry entry) {
    (output ? out_ : in_)[column].emplace(std::move(text), std::move(entry));
  }

 private:
  std::vector<std::unordered_map<std::string, Entry>> in_, out_;
};

// The graph rewritten into the pack's parts, in evaluation order. Built twice: the first pass
// finds which paths are read from the record, so that the second can give the last value
// written at a path the path's own name (what a caller reads) unless the record owns it.
class GraphBuilder {
 public:
  GraphBuilder(const json& doc, const std::unordered_set<std::string>* record_paths,
               const std::unordered_map<std::string, int>* write_totals)
      : doc_(doc), record_paths_(record_paths), write_totals_(write_totals) {}

  void build();

  std::vector<InputInfo> inputs;
  std::unordered_map<std::string, std::size_t> input_index;
  std::vector<GraphVariable> variables;
  std::vector<TableDecision> tables;
  std::unordered_map<std::string, int> writes;  // path -> how many times written
  // Decisions and variables interleaved, in evaluation order: (true: table k, false: var k).
  std::vector<std::pair<bool, std::size_t>> order;

 private:
  struct NodeRef {
    std::size_t index;
    std::string id, type, name;
  };

  std::vector<NodeRef> topological_order();
  [[noreturn]] void function_node(const NodeRef& n);
  std::string fresh_version(const std::string& path);
  std::string read_name(const std::string& path, ZenType hint, const std::string& pointer);
  std::string translate(std::string_view text, const std::string& in_prefix,
                        const std::string& out_prefix, const std::unordered_set<std::string>* own,
                        const std::string& pointer, ZenType* result = nullptr,
                        std::vector<ZenNameUse>* uses = nullptr);
  void replay_reads(const CellMemo::Entry& cell, const std::string& in_prefix,
                    const std::string& pointer);
  std::string add_guard_variable(const std::string& expression, const std::string& pointer);
  void expression_node(const json& node, std::size_t k, const std::string& guard);
  void table_node(const json& node, std::size_t k, const std::string& guard);
  std::vector<std::pair<std::string, std::string>> switch_node(const json& node, std::size_t k,
                                                               const std::string& guard);
  void write(const std::string& path, const std::string& name, Kind kind);

  const json& doc_;
  const std::unordered_set<std::string>* record_paths_;
  const std::unordered_map<std::string, int>* write_totals_;
  std::unordered_map<std::string, std::string> env_;  // path -> pack name of its value now
  std::unordered_map<std::string, Kind> kinds_;       // pack name -> kind, where known
  std::unordered_set<std::string> taken_;             // pack names used
  int guards_ = 0, temps_ = 0;
};

std::vector<GraphBuilder::NodeRef> GraphBuilder::topological_order() {
  const json& nodes = detail::require(doc_, "nodes", "");
  detail::expect_array(nodes, "/nodes", "nodes");
  std::vector<NodeRef> refs;
  std::unordered_map<std::string, std::size_t> by_id;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const std::string np = node_pointer(k);
    detail::expect_object(nodes[k], np, "a node");
    NodeRef r{k, detail::get_string(nodes[k], "id", np), detail::get_string(nodes[k], "type", np),
              string_or(nodes[k], "name")};
    if (!by_id.emplace(r.id, refs.size()).second)
      throw Error(ErrorCode::duplicate_id, "two nodes have the id \"" + r.id + "\"",
                  child(np, "id"));
    refs.push_back(std::move(r));
  }
  std::vector<std::vector<std::size_t>> next(refs.size());
  std::vector<int> in_degree(refs.size(), 0);
  if (doc_.contains("edges")) {
    const json& edges = doc_["edges"];
    detail::expect_array(edges, "/edges", "edges");
    for (std::size_t e = 0; e < edges.size(); ++e) {
      const std::string ep = child("/edges", e);
      detail::expect_object(edges[e], ep, "an edge");
      std::size_t ends[2];
      int i = 0;
      for (const char* end : {"sourceId", "targetId"}) {
        auto it = by_id.find(detail::get_string(edges[e], end, ep));
        if (it == by_id.end())
          throw Error(ErrorCode::invalid_document, std::string(end) + " names no node",
                      child(ep, end));
        ends[i++] = it->second;
      }
      next[ends[0]].push_back(ends[1]);
      ++in_degree[ends[1]];
    }
  }
  // Kahn's algorithm, smallest node index first so that the order is the document's.
  std::vector<NodeRef> out;
  std::vector<char> done(refs.size(), 0);
  for (std::size_t round = 0; round < refs.size(); ++round) {
    std::size_t pick = refs.size();
    for (std::size_t k = 0; k < refs.size(); ++k)
      if (!done[k] && in_degree[k] == 0) {
        pick = k;
        break;
      }
    if (pick == refs.size()) {
      for (std::size_t k = 0; k < refs.size(); ++k)
        if (!done[k])
          throw Error(ErrorCode::cycle,
                      "the edges form a cycle through node \"" + refs[k].name + "\"",
                      node_pointer(refs[k].index));
    }
    done[pick] = 1;
    for (std::size_t n : next[pick]) --in_degree[n];
    out.push_back(refs[pick]);
  }
  return out;
}

std::string GraphBuilder::fresh_version(const std::string& path) {
  int k = ++writes[path];
  int total = 1;  // first pass: as if each path were written once
  if (write_totals_) {
    total = 0;
    auto it = write_totals_->find(path);
    if (it != write_totals_->end()) total = it->second;
  }
  bool owned_by_record = record_paths_ && record_paths_->count(path);
  std::string name = path;
  if (k != total || owned_by_record || input_index.count(path))
    name = path + "__" + std::to_string(k);
  while (taken_.count(name)) name += "_";
  taken_.insert(name);
  return name;
}

void GraphBuilder::write(const std::string& path, const std::string& name, Kind kind) {
  env_[path] = name;
  kinds_[name] = kind;
}

std::string GraphBuilder::read_name(const std::string& path, ZenType hint,
                                    const std::string& pointer) {
  if (auto it = env_.find(path); it != env_.end()) {
    if (hint != ZenType::unknown && kinds_[it->second] == Kind::none)
      kinds_[it->second] = kind_of(hint);
    return it->second;
  }
  auto [it, fresh] = input_index.emplace(path, inputs.size());
  if (fresh) {
    inputs.push_back(InputInfo{path, "", pointer});
    taken_.insert(path);
  }
  InputInfo& info = inputs[it->second];
  if (hint == ZenType::list) {
    info.usage = Kind::none;  // a list: the record's value says of what
  } else {
    info.usage = merge(info.usage, kind_of(hint));
  }
  return path;
}

std::string GraphBuilder::translate(std::string_view text, const std::string& in_prefix,
                                    const std::string& out_prefix,
                                    const std::unordered_set<std::string>* own,
                                    const std::string& pointer, ZenType* result,
                                    std::vector<ZenNameUse>* uses) {
  ZenResolve resolve = [&](const ZenNameUse& use) -> std::string {
    if (use.own) {
      std::string path = join_path(out_prefix, use.path);
      if (!own || !own->count(path)) return "null";  // not computed yet by this node
      return env_.at(path);
    }
    return read_name(join_path(in_prefix, use.path), use.type, pointer);
  };
  try {
    return translate_zen(text, resolve, uses, result);
  } catch (const Error& e) {
    throw Error(e.code(), e.message() + " in \"" + std::string(text.substr(0, 200)) + "\"",
                pointer);
  }
}

// The names a cell reads, read again where the same text appears in another row (the first
// reading of a name records where it was read; later ones merge what each use says).
void GraphBuilder::replay_reads(const CellMemo::Entry& cell, const std::string& in_prefix,
                                const std::string& pointer) {
  for (const ZenNameUse& use : cell.uses)
    if (!use.own) (void)read_name(join_path(in_prefix, use.path), use.type, pointer);
  for (const std::string& name : cell.names) {
    std::string path = join_path(in_prefix, name);
    if (!env_.count(path)) (void)read_name(path, ZenType::unknown, pointer);
  }
}

std::string GraphBuilder::add_guard_variable(const std::string& expression,
                                             const std::string& pointer) {
  std::string name = "jdm_guard_" + std::to_string(++guards_);
  taken_.insert(name);
  kinds_[name] = Kind::boolean;
  variables.push_back(GraphVariable{name, expression, "", pointer});
  order.emplace_back(false, variables.size() - 1);
  return name;
}

void GraphBuilder::expression_node(const json& node, std::size_t k, const std::string& guard) {
  const std::string cp = content_pointer(k);
  const json& content = detail::require(node, "content", node_pointer(k));
  detail::expect_object(content, cp, "an expression node's content");
  single_mode_only(content, cp);
  const std::string in_prefix = path_option(content, "inputField", cp);
  const std::string out_prefix = path_option(content, "outputPath", cp);
  const json& expressions = detail::require(content, "expressions", cp);
  const std::string ep = child(cp, "expressions");
  detail::expect_array(expressions, ep, "expressions");
  std::unordered_set<std::string> own;
  for (std::size_t e = 0; e < expressions.size(); ++e) {
    const std::string p = child(ep, e);
    detail::expect_object(expressions[e], p, "an expression");
    std::string key(trim(string_or(expressions[e], "key")));
    std::string value = string_or(expressions[e], "value");
    if (key.empty()) continue;  // ZEN skips an expression without a key
    if (!is_plain_name(key))
      throw Error(ErrorCode::unsupported_construct,
                  "key \"" + key + "\" is not a plain (dotted) name", child(p, "key"));
    if (trim(value).empty()) value = "null";
    std::vector<std::pair<std::string, std::string>> leaves;
    std::optional<std::vector<std::pair<std::string, std::string>>> object;
    try {
      object = split_zen_object(value);
    } catch (const Error& err) {
      throw Error(err.code(), err.message(), child(p, "value"));
    }
    if (object) {
      for (auto& [sub, text] : *object) leaves.emplace_back(join_path(key, sub), text);
    } else {
      leaves.emplace_back(key, value);
    }
    // An object copied whole (`breakdown.x = scores.x`, where earlier nodes wrote
    // scores.x.score and scores.x.category): one value per field written under it.
    {
      std::vector<std::pair<std::string, std::string>> expanded;
      for (const auto& [leaf, text] : leaves) {
        std::string_view name = trim(text);
        const bool own_name = name.substr(0, 2) == "$.";
        if (own_name) name.remove_prefix(2);
        std::vector<std::string> fields;
        if (is_plain_name(name)) {
          const std::string source =
              join_path(own_name ? out_prefix : in_prefix, std::string(name)) + ".";
          if (!env_.count(source.substr(0, source.size() - 1)))
            for (const auto& entry : env_)
              if (entry.first.compare(0, source.size(), source) == 0)
                fields.push_back(entry.first.substr(source.size()));
        }
        std::sort(fields.begin(), fields.end());
        if (fields.empty()) expanded.emplace_back(leaf, text);
        for (const std::string& f : fields)
          expanded.emplace_back(join_path(leaf, f), std::string(trim(text)) + "." + f);
      }
      leaves = std::move(expanded);
    }
    for (const auto& [leaf, text] : leaves) {
      ZenType type = ZenType::unknown;
      std::string expr = translate(text, in_prefix, out_prefix, &own, child(p, "value"), &type);
      const std::string path = join_path(out_prefix, leaf);
      auto prev = env_.find(path);
      std::string before = prev == env_.end() ? "null" : prev->second;
      if (!guard.empty()) expr = "if " + guard + " then " + expr + " else " + before;
      std::string name = fresh_version(path);
      Kind kind = kind_of(type);
      if (kind == Kind::none && is_plain_name(trim(expr)) && kinds_.count(std::string(trim(expr))))
        kind = kinds_[std::string(trim(expr))];
      variables.push_back(GraphVariable{name, expr, key, child(p, "value")});
      order.emplace_back(false, variables.size() - 1);
      write(path, name, kind);
      own.insert(path);
    }
  }
}

std::vector<std::pair<std::string, std::string>> GraphBuilder::switch_node(
    const json& node, std::size_t k, const std::string& guard) {
  const std::string cp = content_pointer(k);
  const json& content = detail::require(node, "content", node_pointer(k));
  detail::expect_object(content, cp, "a switch node's content");
  std::string policy = string_or(content, "hitPolicy", "first");
  if (policy != "first" && policy != "collect")
    throw Error(ErrorCode::bad_hit_policy, "a switch's hit policy is first or collect",
                child(cp, "hitPolicy"));
  const json& statements = detail::require(content, "statements", cp);
  const std::string sp = child(cp, "statements");
  detail::expect_array(statements, sp, "statements");
  std::vector<std::pair<std::string, std::string>> branches;  // statement id -> guard variable
  std::vector<std::string> earlier;
  for (std::size_t s = 0; s < statements.size(); ++s) {
    const std::string p = child(sp, s);
    detail::expect_object(statements[s], p, "a statement");
    std::string id = detail::get_string(statements[s], "id", p);
    std::string condition(trim(string_or(statements[s], "condition")));
    // ZEN takes a condition that is not true (false, null) as not met.
    std::string met = condition.empty()
                          ? "true"
                          : "coalesce(" +
                                translate(condition, "", "", nullptr, child(p, "condition")) +
                                ", false)";
    std::string expr = guard.empty() ? met : guard + " and " + met;
    if (policy == "first")
      for (const std::string& e : earlier) expr += " and not " + e;
    std::string name = add_guard_variable(expr, child(p, "condition"));
    earlier.push_back(condition.empty() ? "true" : "coalesce(" + name + ", false)");
    if (policy == "first" && !condition.empty()) earlier.back() = met;
    branches.emplace_back(id, name);
  }
  return branches;
}

void GraphBuilder::table_node(const json& node, std::size_t k, const std::string& guard) {
  const std::string np = node_pointer(k);
  const std::string cp = content_pointer(k);
  const json& content = detail::require(node, "content", np);
  detail::expect_object(content, cp, "a decision table's content");
  single_mode_only(content, cp);
  const std::string in_prefix = path_option(content, "inputField", cp);
  const std::string out_prefix = path_option(content, "outputPath", cp);
  TableDecision t;
  t.pointer = np;
  t.label = string_or(node, "name");
  std::string hp = string_or(content, "hitPolicy", "first");
  auto policy = parse_hit_policy(hp);
  if (!policy)
    throw Error(ErrorCode::bad_hit_policy, "unknown hit policy \"" + hp + "\"",
                child(cp, "hitPolicy"));
  t.policy = *policy;

  struct Col {
    std::string id;
    bool whole = false;            // cells are whole expressions
    std::size_t input = SIZE_MAX;  // the record input it tests, if any
  };
  std::vector<Col> in_cols, out_cols;
  std::vector<std::string> out_paths;
  const json& cols = detail::require(content, "inputs", cp);
  detail::expect_array(cols, child(cp, "inputs"), "inputs");
  for (std::size_t c = 0; c < cols.size(); ++c) {
    const std::string colp = child(child(cp, "inputs"), c);
    detail::expect_object(cols[c], colp, "a column");
    Col col;
    col.id = detail::get_string(cols[c], "id", colp);
    std::string field(trim(string_or(cols[c], "field")));
    GraphColumn tc;
    tc.label = string_or(cols[c], "name");
    tc.pointer = child(colp, "field");
    if (field.empty()) {
      col.whole = true;
      tc.expression = "true";
    } else if (is_plain_name(field)) {
      const std::string path = join_path(in_prefix, field);
      bool from_record = !env_.count(path);
      tc.expression = read_name(path, ZenType::unknown, tc.pointer);
      if (from_record) {
        col.input = input_index.at(path);
        if (inputs[col.input].label.empty()) inputs[col.input].label = tc.label;
      }
    } else {
      tc.expression = translate(field, in_prefix, "", nullptr, tc.pointer);
    }
    in_cols.push_back(col);
    t.inputs.push_back(std::move(tc));
  }
  const json& outs = detail::require(content, "outputs", cp);
  detail::expect_array(outs, child(cp, "outputs"), "outputs");
  if (outs.empty())
    throw Error(ErrorCode::invalid_document, "a table needs at least one output",
                child(cp, "outputs"));
  for (std::size_t c = 0; c < outs.size(); ++c) {
    const std::string colp = child(child(cp, "outputs"), c);
    detail::expect_object(outs[c], colp, "a column");
    Col col;
    col.id = detail::get_string(outs[c], "id", colp);
    std::string field(trim(string_or(outs[c], "field")));
    if (field.empty())
      throw Error(ErrorCode::invalid_document, "an output column needs a field",
                  child(colp, "field"));
    if (!is_plain_name(field))
      throw Error(ErrorCode::unsupported_construct,
                  "output field \"" + field + "\" is not a plain (dotted) name",
                  child(colp, "field"));
    for (const std::string& earlier : out_paths)
      if (earlier == join_path(out_prefix, field))
        throw Error(ErrorCode::duplicate_name,
                    "output field \"" + field + "\" is written by two columns",
                    child(colp, "field"));
    out_paths.push_back(join_path(out_prefix, field));
    TableOut out;
    out.label = string_or(outs[c], "name");
    out.pointer = child(colp, "field");
    out_cols.push_back(col);
    t.outputs.push_back(std::move(out));
  }

  const json& rules = detail::require(content, "rules", cp);
  const std::string rp = child(cp, "rules");
  detail::expect_array(rules, rp, "rules");
  std::unordered_set<std::string> ids;
  CellMemo memo(in_cols.size(), out_cols.size());
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const std::string p = child(rp, r);
    detail::expect_object(rules[r], p, "a rule");
    TableDecision::Row row;
    row.pointer = p;
    row.id = string_or(rules[r], "_id");
    if (row.id.empty()) row.id = "r" + std::to_string(r + 1);
    // ZEN does not require unique ids; a pack does.
    if (!ids.insert(row.id).second) {
      row.id += "-" + std::to_string(r + 1);
      ids.insert(row.id);
    }
    row.description = string_or(rules[r], "_description");
    auto cell = [&](const Col& col) -> std::string {
      auto it = rules[r].find(col.id);
      if (it == rules[r].end() || it->is_null()) return {};
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number() || it->is_boolean()) return it->dump();
      throw Error(ErrorCode::type_mismatch, "a cell must be a string", child(p, col.id));
    };
    row.when.reserve(in_cols.size() + (guard.empty() ? 0 : 1));
    row.when_pointers.reserve(in_cols.size() + (guard.empty() ? 0 : 1));
    for (std::size_t c = 0; c < in_cols.size(); ++c) {
      const Col& col = in_cols[c];
      std::string text = cell(col);
      if (const CellMemo::Entry* seen = memo.find(false, c, text)) {
        // The same text earlier in this column: the same pack text, the same names read (none
        // of them new). The pack's loader reports an error at a text's first cell only, so a
        // repeated cell keeps no pointer (map_pointer then gives the row's).
        row.when.push_back(seen->text);
        replay_reads(*seen, in_prefix, p);
        if (col.input != SIZE_MAX)
          inputs[col.input].cells = merge(inputs[col.input].cells, seen->kind);
        row.when_pointers.emplace_back();
        continue;
      }
      std::string cell_pointer = child(p, col.id);
      if (col.whole) {
        std::string_view trimmed = trim(text);
        std::vector<ZenNameUse> uses;
        row.when.push_back(trimmed.empty() || trimmed == "-"
                               ? "-"
                               : "$ = " + translate(trimmed, in_prefix, "", nullptr, cell_pointer,
                                                    nullptr, &uses));
        memo.add(false, c, std::move(text), {row.when.back(), std::move(uses), {}, {}, {}});
      } else {
        row.when.push_back(normalize_input_cell(text));
        // A cell may compare with another field ("> customer.limit"): that field is read too.
        std::vector<std::string> names;
        for (std::string& name : scan(row.when.back()).names)
          if (name.find('.') != 0 && name != "reference_date")  // date('now'), see zen_dates
            names.push_back(std::move(name));
        CellMemo::Entry entry{row.when.back(), {}, std::move(names), {}, {}};
        if (col.input != SIZE_MAX) {
          entry.kind = input_kind(row.when.back());
          inputs[col.input].cells = merge(inputs[col.input].cells, entry.kind);
        }
        replay_reads(entry, in_prefix, cell_pointer);
        memo.add(false, c, std::move(text), std::move(entry));
      }
      row.when_pointers.push_back(std::move(cell_pointer));
    }
    row.then.reserve(out_cols.size());
    row.then_types.reserve(out_cols.size());
    row.then_pointers.reserve(out_cols.size());
    for (std::size_t c = 0; c < out_cols.size(); ++c) {
      const Col& col = out_cols[c];
      std::string text = cell(col);
      if (const CellMemo::Entry* seen = memo.find(true, c, text)) {
        row.then.push_back(seen->text);
        row.then_types.push_back(seen->type);
        replay_reads(*seen, in_prefix, p);
        row.then_pointers.emplace_back();
        continue;
      }
      std::string cell_pointer = child(p, col.id);
      {
        std::string_view trimmed = trim(text);
        ZenType type = ZenType::unknown;
        std::vector<ZenNameUse> uses;
        row.then.push_back(trimmed.empty() ? "null"
                                           : translate(trimmed, in_prefix, "", nullptr,
                                                       cell_pointer, &type, &uses));
        row.then_types.push_back(type);
        memo.add(true, c, std::move(text), {row.then.back(), std::move(uses), {}, {}, type});
      }
      row.then_pointers.push_back(std::move(cell_pointer));
    }
    t.rules.push_back(std::move(row));
  }

  // A table in a switch's branch: a last column holds the branch, so that no rule matches when
  // the branch is not taken.
  if (!guard.empty()) {
    t.inputs.push_back(GraphColumn{guard, "", np});
    for (auto& row : t.rules) {
      row.when.push_back("true");
      row.when_pointers.push_back(np);
    }
  }

  // Output kinds: literals say it; a name takes the named value's kind.
  for (std::size_t o = 0; o < t.outputs.size(); ++o) {
    Kind kind = Kind::none;
    for (const auto& row : t.rules) {
      std::string_view c = trim(row.then[o]);
      Kind cell = Kind::none;
      if (c == "null")
        cell = Kind::none;
      else if (c == "true" || c == "false")
        cell = Kind::boolean;
      else if (row.then_types[o] == ZenType::boolean)  // customer.age >= 18
        cell = Kind::boolean;
      else if (is_number_literal(c) || (c.size() > 2 && c.front() == '(' && c[1] == '-' &&
                                        is_number_literal(c.substr(2, c.size() - 3))))
        cell = Kind::decimal;
      else if (is_plain_name(c)) {
        if (auto it = kinds_.find(std::string(c)); it != kinds_.end())
          cell = it->second;
        else if (auto in = input_index.find(std::string(c)); in != input_index.end())
          cell = merge(inputs[in->second].cells, inputs[in->second].usage);
      } else {
        Scan s = scan(c);
        if (s.has_date)
          cell = Kind::date;
        else if (s.has_literal)
          cell = Kind::string;
        else if (s.has_digit)
          cell = Kind::decimal;
      }
      kind = merge(kind, cell);
    }
    t.outputs[o].kind = kind;
  }

  // Names: the path's next version; when an earlier value exists, the table's own output is
  // kept apart and the path's value is the table's where it gave one, the earlier one otherwise.
  std::vector<std::pair<std::string, std::string>> merges;  // path, temporary output
  for (std::size_t o = 0; o < t.outputs.size(); ++o) {
    const std::string& path = out_paths[o];
    if (env_.count(path)) {
      std::string temp = "jdm_table_" + std::to_string(++temps_) + "." + path;
      taken_.insert(temp);
      t.outputs[o].name = temp;
      merges.emplace_back(path, temp);
    } else {
      t.outputs[o].name = fresh_version(path);
    }
  }
  tables.push_back(std::move(t));
  order.emplace_back(true, tables.size() - 1);
  TableDecision& added = tables.back();
  for (std::size_t o = 0; o < added.outputs.size(); ++o) {
    kinds_[added.outputs[o].name] = added.outputs[o].kind;
    if (!env_.count(out_paths[o]))
      write(out_paths[o], added.outputs[o].name, added.outputs[o].kind);
  }
  // A collecting table under outputPath gives ZEN a list of rows there; its length is that of
  // any of its columns, so the path stands for the first one (len(rejectionReasons) == 0).
  if (!out_prefix.empty() && !is_single_hit(added.policy) && !env_.count(out_prefix))
    env_[out_prefix] = env_.at(out_paths[0]);
  for (const auto& [path, temp] : merges) {
    std::string before = env_.at(path);
    std::string name = fresh_version(path);
    Kind kind = kinds_[temp];
    variables.push_back(GraphVariable{name, "coalesce(" + temp + ", " + before + ")", "", np});
    order.emplace_back(false, variables.size() - 1);
    write(path, name, kind);
  }
}

void GraphBuilder::function_node(const NodeRef& n) {
  throw Error(ErrorCode::unsupported_construct,
              "function node \"" + n.name +
                  "\" runs JavaScript: a pack holds no code, only tables and expressions",
              node_pointer(n.index));
}

void GraphBuilder::build() {
  std::vector<NodeRef> nodes = topological_order();
  const json& all = doc_["nodes"];
  // Edge guards: for each edge, the guard of its source (and of its switch branch).
  std::unordered_map<std::string, std::string> node_guard;  // id -> guard
  std::unordered_map<std::string, std::vector<std::pair<std::string, std::string>>> branches;
  const json empty = json::array();
  const json& edges = doc_.contains("edges") ? doc_["edges"] : empty;
  bool any_table = false;
  // A graph that runs JavaScript is refused for that node, whatever else it holds.
  for (const NodeRef& n : nodes)
    if (n.type == "functionNode") function_node(n);
  for (const NodeRef& n : nodes) {
    const json& node = all[n.index];
    // The guard of this node: any incoming edge whose source ran (and whose branch was taken).
    std::vector<std::string> incoming;
    bool always = false;
    bool has_edge = false;
    for (const json& e : edges) {
      if (string_or(e, "targetId") != n.id) continue;
      has_edge = true;
      const std::string source = string_or(e, "sourceId");
      std::string g = node_guard[source];
      if (auto b = branches.find(source); b != branches.end()) {
        std::string handle = string_or(e, "sourceHandle");
        std::string branch = "false";
        for (const auto& [id, var] : b->second)
          if (id == handle) branch = var;
        g = branch;  // the branch variable already includes the switch's own guard
      }
      if (g.empty())
        always = true;
      else if (std::find(incoming.begin(), incoming.end(), g) == incoming.end())
        incoming.push_back(g);
    }
    std::string guard;
    if (has_edge && !always) {
      if (incoming.size() == 1) {
        guard = incoming[0];
      } else {
        std::string expr;
        for (std::size_t i = 0; i < incoming.size(); ++i)
          expr += (i ? " or " : "") + ("coalesce(" + incoming[i] + ", false)");
        guard = add_guard_variable(expr, node_pointer(n.index));
      }
    }
    node_guard[n.id] = guard;
    const std::string np = node_pointer(n.index);
    if (n.type == "inputNode" || n.type == "outputNode") continue;
    if (n.type == "decisionTableNode") {
      table_node(node, n.index, guard);
      any_table = true;
    } else if (n.type == "expressionNode") {
      expression_node(node, n.index, guard);
    } else if (n.type == "switchNode") {
      branches[n.id] = switch_node(node, n.index, guard);
    } else if (n.type == "functionNode") {
      function_node(n);
    } else {
      throw Error(ErrorCode::unsupported_construct,
                  "node \"" + n.name + "\" of type \"" + n.type +
                      "\" is not supported: input, output, decision table, expression and switch "
                      "nodes are imported",
                  np);
    }
  }
  if (!any_table && variables.empty())
    throw Error(ErrorCode::invalid_document, "the graph has no decision table or expression",
                "/nodes");
}

// The type a record's value says, for inputs nothing else types.
Kind kind_of_sample(const json& v) {
  if (v.is_boolean()) return Kind::boolean;
  if (v.is_number()) return Kind::decimal;
  if (v.is_string()) return Kind::string;
  return Kind::none;
}

// The kind of a list item or of an item's field in a test record: "string", "decimal" (ZEN's
// numbers), "bool"; nullptr for an object, a list or null.
const char* item_kind(const json& v) {
  return v.is_string() ? "string" : v.is_number() ? "decimal" : v.is_boolean() ? "bool" : nullptr;
}

// The items of a list input, from the graph's test records: texts, numbers or bools, all of one
// kind; or objects, whose fields (texts, numbers or bools, each of one kind) become the
// `fields` of a list of objects (ruleset 1.2). Anything else is refused.
ojson list_items(const json& doc, const std::string& path, const InputInfo& info) {
  auto refuse = [&](const std::string& why) {
    throw Error(ErrorCode::unsupported_construct, "\"" + info.name + "\" " + why, info.pointer);
  };
  std::string kind;                                         // of the items
  std::vector<std::pair<std::string, std::string>> fields;  // of object items, in first-seen order
  for (const json& t : doc["tests"]) {
    if (!t.is_object() || !t.contains("input")) continue;
    const json* v = &t["input"];
    for (std::size_t i = 0; v && i <= path.size();) {
      std::size_t j = path.find('.', i);
      if (j == std::string::npos) j = path.size();
      const std::string part = path.substr(i, j - i);
      v = v->is_object() && v->contains(part) ? &(*v)[part] : nullptr;
      i = j + 1;
    }
    if (!v || !v->is_array()) continue;
    for (const json& item : *v) {
      const char* k = item.is_object() ? "object" : item_kind(item);
      if (!k) refuse("holds lists or nulls: a pack's lists hold texts, numbers, bools or objects");
      if (!kind.empty() && kind != k) refuse("is a list of values of different kinds");
      kind = k;
      if (!item.is_object()) continue;
      for (auto it = item.begin(); it != item.end(); ++it) {
        if (it->is_null()) continue;
        const char* fk = item_kind(*it);
        if (!fk) continue;  // a nested object or list: not readable as #.field, left out
        auto f = std::find_if(fields.begin(), fields.end(),
                              [&](const auto& x) { return x.first == it.key(); });
        if (f == fields.end())
          fields.emplace_back(it.key(), fk);
        else if (f->second != fk)
          refuse("has items whose field \"" + it.key() + "\" holds values of different kinds");
      }
    }
  }
  if (kind.empty()) kind = "string";
  ojson items = ojson{{"type", kind}};
  if (kind == "object") {
    ojson fs = ojson::array();
    for (const auto& [name, type] : fields) fs.push_back(ojson{{"name", name}, {"type", type}});
    items["fields"] = std::move(fs);
  }
  return items;
}

const json* sample_at(const json& doc, const std::string& path) {
  if (!doc.contains("tests") || !doc["tests"].is_array()) return nullptr;
  const json* empty_list = nullptr;
  for (const json& t : doc["tests"]) {
    if (!t.is_object() || !t.contains("input")) continue;
    const json* v = &t["input"];
    std::size_t i = 0;
    bool found = true;
    while (i <= path.size()) {
      std::size_t j = path.find('.', i);
      if (j == std::string::npos) j = path.size();
      std::string part = path.substr(i, j - i);
      if (!v->is_object() || !v->contains(part)) {
        found = false;
        break;
      }
      v = &(*v)[part];
      i = j + 1;
    }
    if (!found || v->is_null()) continue;
    // An empty list says nothing of its items: another test may.
    if (v->is_array() && v->empty()) {
      if (!empty_list) empty_list = v;
      continue;
    }
    return v;
  }
  return empty_list;
}

// Where a place of the generated pack came from in the graph, to report load errors there.
std::string map_pointer(const std::string& pointer, const GraphBuilder& g) {
  std::vector<std::string> parts;
  for (std::size_t i = 1; i <= pointer.size();) {
    std::size_t j = pointer.find('/', i);
    if (j == std::string::npos) j = pointer.size();
    parts.push_back(pointer.substr(i, j - i));
    i = j + 1;
  }
  auto index = [](const std::string& s) -> std::optional<std::size_t> {
    if (s.empty() || !std::all_of(s.begin(), s.end(), is_digit)) return std::nullopt;
    return static_cast<std::size_t>(std::stoull(s));
  };
  if (parts.size() >= 2 && parts[0] == "inputs") {
    auto k = index(parts[1]);
    if (k && *k < g.inputs.size()) return g.inputs[*k].pointer;
  }
  if (parts.size() >= 2 && parts[0] == "variables") {
    auto k = index(parts[1]);
    if (k && *k < g.variables.size()) return g.variables[*k].pointer;
  }
  if (parts.size() >= 2 && parts[0] == "decisions") {
    auto d = index(parts[1]);
    if (!d || *d >= g.tables.size()) return "";
    const TableDecision& t = g.tables[*d];
    if (parts.size() >= 4 && parts[2] == "inputs") {
      auto c = index(parts[3]);
      if (c && *c < t.inputs.size()) return t.inputs[*c].pointer;
    }
    if (parts.size() >= 4 && parts[2] == "outputs") {
      auto c = index(parts[3]);
      if (c && *c < t.outputs.size()) return t.outputs[*c].pointer;
    }
    if (parts.size() >= 4 && parts[2] == "rules") {
      auto r = index(parts[3]);
      if (r && *r < t.rules.size()) {
        const auto& row = t.rules[*r];
        auto c = parts.size() >= 6 ? index(parts[5]) : std::nullopt;
        if (c && parts[4] == "when" && *c < row.when_pointers.size() &&
            !row.when_pointers[*c].empty())
          return row.when_pointers[*c];
        if (c && parts[4] == "then" && *c < row.then_pointers.size() &&
            !row.then_pointers[*c].empty())
          return row.then_pointers[*c];
        return row.pointer;
      }
    }
    return t.pointer;
  }
  return "";
}

// The rules of a table, as the pack's loader reads them.
json rules_tree(const TableDecision& t) {
  json rules = json::array();
  rules.get_ref<json::array_t&>().reserve(t.rules.size());
  for (const auto& row : t.rules) {
    json r = json::object();
    r["id"] = row.id;
    r["when"] = row.when;
    r["then"] = row.then;
    r["source"] = kSourceId;
    r["status"] = "interpretation";
    if (!row.description.empty()) r["description"] = row.description;
    rules.push_back(std::move(r));
  }
  return rules;
}

// The pack document as dump(2) writes it, each decision's "rules" (its last member) written
// from the table's rows instead of a JSON document of thousands of objects.
std::string write_pack_text(const ojson& pack, const GraphBuilder& g) {
  std::string out;
  std::size_t cells = 0;
  for (const TableDecision& t : g.tables)
    for (const auto& row : t.rules) cells += row.when.size() + row.then.size() + 6;
  out.reserve(4096 + cells * 48);
  out += '{';
  bool first = true;
  for (auto it = pack.begin(); it != pack.end(); ++it) {
    if (!first) out += ',';
    first = false;
    detail::append_newline_indent(out, 1);
    detail::append_checked_json_string(out, it.key());
    out += ": ";
    if (it.key() != "decisions") {
      detail::append_json_indented(out, it.value(), 1);
      continue;
    }
    const ojson& decisions = it.value();
    if (decisions.empty()) {
      out += "[]";
      continue;
    }
    out += '[';
    for (std::size_t k = 0; k < decisions.size(); ++k) {
      if (k) out += ',';
      detail::append_newline_indent(out, 2);
      out += '{';
      for (auto m = decisions[k].begin(); m != decisions[k].end(); ++m) {
        if (m != decisions[k].begin()) out += ',';
        detail::append_newline_indent(out, 3);
        detail::append_checked_json_string(out, m.key());
        out += ": ";
        detail::append_json_indented(out, m.value(), 3);
      }
      out += ',';
      detail::append_newline_indent(out, 3);
      out += "\"rules\": ";
      const auto& rows = g.tables[k].rules;
      if (rows.empty()) out += "[]";
      for (std::size_t r = 0; r < rows.size(); ++r) {
        out += r ? "," : "[";
        detail::append_newline_indent(out, 4);
        out += '{';
        detail::append_newline_indent(out, 5);
        out += "\"id\": ";
        detail::append_checked_json_string(out, rows[r].id);
        for (const auto* cells_of : {&rows[r].when, &rows[r].then}) {
          out += ',';
          detail::append_newline_indent(out, 5);
          out += cells_of == &rows[r].when ? "\"when\": " : "\"then\": ";
          if (cells_of->empty()) out += "[]";
          for (std::size_t c = 0; c < cells_of->size(); ++c) {
            out += c ? "," : "[";
            detail::append_newline_indent(out, 6);
            detail::append_checked_json_string(out, (*cells_of)[c]);
          }
          if (!cells_of->empty()) {
            detail::append_newline_indent(out, 5);
            out += ']';
          }
        }
        out += ',';
        detail::append_newline_indent(out, 5);
        out += "\"source\": ";
        detail::append_checked_json_string(out, kSourceId);
        out += ',';
        detail::append_newline_indent(out, 5);
        out += "\"status\": \"interpretation\"";
        if (!rows[r].description.empty()) {
          out += ',';
          detail::append_newline_indent(out, 5);
          out += "\"description\": ";
          detail::append_checked_json_string(out, rows[r].description);
        }
        detail::append_newline_indent(out, 4);
        out += '}';
      }
      if (!rows.empty()) {
        detail::append_newline_indent(out, 3);
        out += ']';
      }
      detail::append_newline_indent(out, 2);
      out += '}';
    }
    detail::append_newline_indent(out, 1);
    out += ']';
  }
  if (!first) detail::append_newline_indent(out, 0);
  out += "}\n";
  return out;
}

ojson label_of(const std::string& text) {
  return ojson{{"fr", text}, {"en", text}};
}

}  // namespace

std::string import_jdm(std::string_view jdm_json, const JdmImportOptions& options) {
  json doc = detail::parse_document(jdm_json);
  detail::expect_object(doc, "", "a JDM graph");
  // A graph export_jdm wrote and nobody edited since gives back its pack (jdm_export.cpp).
  if (std::optional<std::string> pack = detail::pack_of_exported_jdm(jdm_json)) return *pack;

  GraphBuilder first(doc, nullptr, nullptr);
  first.build();
  // Written once each, the first pass already named every value as the second would.
  const bool once = std::all_of(first.writes.begin(), first.writes.end(),
                                [](const auto& w) { return w.second == 1; });
  std::unordered_set<std::string> record_paths;
  std::optional<GraphBuilder> second;
  if (!once) {
    for (const InputInfo& in : first.inputs) record_paths.insert(in.name);
    second.emplace(doc, &record_paths, &first.writes);
    second->build();
  }
  GraphBuilder& g = once ? first : *second;

  // Decision ids: the node's name when it is unique, else its position.
  {
    std::map<std::string, int> uses;
    for (const TableDecision& t : g.tables) ++uses[t.label];
    std::unordered_set<std::string> taken;
    for (std::size_t k = 0; k < g.tables.size(); ++k) {
      TableDecision& t = g.tables[k];
      std::string id = !t.label.empty() && uses[t.label] == 1 ? t.label : "";
      if (id.empty() || taken.count(id)) id = "table" + std::to_string(k + 1);
      taken.insert(id);
      t.id = id;
    }
  }

  ojson pack = ojson::object();
  pack["schema"] = kRulesetSchema;
  pack["schema_version"] = std::to_string(kRulesetMajor) + "." + std::to_string(kRulesetMinor);
  pack["id"] = options.id;
  pack["version"] = options.version;
  pack["valid_from"] = options.valid_from;
  pack["valid_to"] = nullptr;
  pack["title"] = kSourceTitle;
  pack["purpose"] =
      "Decision tables and expressions converted from a GoRules ZEN decision graph (JDM), to run "
      "the same rules here and in ZEN.";
  pack["sources"] = ojson::array({ojson{{"id", kSourceId}, {"title", kSourceTitle}}});
  ojson in = ojson::array();
  for (const InputInfo& info : g.inputs) {
    ojson f = ojson::object();
    f["name"] = info.name;
    // Cells say most; then the graph's own test records; then how expressions use the value.
    Kind kind = info.cells;
    const json* sample = sample_at(doc, info.name);
    // A list in the records is a list whatever its cells test (contains($, 'premium')).
    if (kind == Kind::none || (sample && sample->is_array())) {
      if (sample && sample->is_array()) {
        f["type"] = "list";
        f["items"] = list_items(doc, info.name, info);
      } else if (sample && sample->is_object()) {
        throw Error(ErrorCode::unsupported_construct,
                    "\"" + info.name + "\" is read as a whole object: only its fields can be read",
                    info.pointer);
      } else if (sample) {
        kind = kind_of_sample(*sample);
      }
    }
    if (kind == Kind::none) kind = info.usage;
    if (!f.contains("type")) f["type"] = type_name(kind);
    if (!info.label.empty()) f["label"] = label_of(info.label);
    in.push_back(std::move(f));
  }
  pack["inputs"] = std::move(in);
  if (!g.variables.empty()) {
    ojson vars = ojson::array();
    for (const GraphVariable& v : g.variables) {
      ojson var = ojson::object();
      var["name"] = v.name;
      var["expression"] = v.expression;
      if (!v.label.empty()) var["label"] = label_of(v.label);
      var["source"] = kSourceId;
      var["status"] = "interpretation";
      vars.push_back(std::move(var));
    }
    pack["variables"] = std::move(vars);
  }
  ojson decisions = ojson::array();
  for (const TableDecision& t : g.tables) {
    ojson d = ojson::object();
    d["id"] = t.id;
    d["kind"] = "table";
    if (!t.label.empty()) d["label"] = label_of(t.label);
    d["hit_policy"] = hit_policy_name(t.policy);
    ojson cols = ojson::array();
    for (const GraphColumn& c : t.inputs) {
      ojson col = ojson::object();
      col["expression"] = c.expression;
      if (!c.label.empty()) col["label"] = label_of(c.label);
      cols.push_back(std::move(col));
    }
    d["inputs"] = std::move(cols);
    ojson outs = ojson::array();
    for (const TableOut& o : t.outputs) {
      ojson out = ojson::object();
      out["name"] = o.name;
      out["type"] = type_name(o.kind);
      if (!o.label.empty()) out["label"] = label_of(o.label);
      outs.push_back(std::move(out));
    }
    d["outputs"] = std::move(outs);
    // "rules" last, written from the rows (write_pack_text, rules_tree).
    decisions.push_back(std::move(d));
  }
  pack["decisions"] = std::move(decisions);
  // What does not translate (an unknown function, a type clash) is reported at its place in
  // the graph, not in a document the caller never saw. The tree is checked as built: writing it
  // out and reading it back would check the same document.
  try {
    json tree(pack);
    json& tree_decisions = tree["decisions"];
    for (std::size_t k = 0; k < g.tables.size(); ++k)
      tree_decisions[k]["rules"] = rules_tree(g.tables[k]);
    detail::check_pack_document(std::move(tree));
  } catch (const Error& e) {
    throw Error(e.code(), e.message(), map_pointer(e.pointer(), g), e.column());
  }
  return write_pack_text(pack, g);
}

}  // namespace v1
}  // namespace aiguillage
