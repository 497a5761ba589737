#include "aiguillage/interop/jdm_import.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aiguillage/rules/pack.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using detail::child;
using detail::json;
using ojson = nlohmann::ordered_json;

constexpr std::string_view kSourceId = "jdm";
constexpr std::string_view kSourceTitle = "Imported from a GoRules JDM graph";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

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
std::string normalize_input_cell(std::string_view raw) {
  std::string text = strip_digit_separators(trim(raw));
  for (std::string_view word : {"and", "or"}) {
    auto parts = split_keyword(text, word);
    if (parts.size() < 2) continue;
    bool all_comparisons = std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
      return !p.empty() && !comparison_prefix(p).empty();
    });
    if (!all_comparisons) continue;
    if (word == "and" && parts.size() == 2) {
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
      out += "$ " + std::string(parts[k]);
    }
    return out;
  }
  return text;
}

std::string normalize_output_cell(std::string_view raw) {
  std::string_view t = trim(raw);
  // An empty output cell leaves the field unset in ZEN: null here.
  if (t.empty()) return "null";
  return strip_digit_separators(t);
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

struct Column {
  std::string id, field, name;
  bool is_input = true;  // false when the field is another table's output
};

struct Table {
  std::size_t node = 0;  // index in /nodes
  std::string decision_id, name;
  HitPolicy policy = HitPolicy::first;
  std::vector<Column> inputs, outputs;
  struct Row {
    std::string id, description;
    std::vector<std::string> when, then;
  };
  std::vector<Row> rules;
};

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

Table read_table(const json& node, std::size_t k) {
  Table t;
  t.node = k;
  const std::string np = node_pointer(k);
  t.name = string_or(node, "name");
  t.decision_id = string_or(node, "id");
  const json& content = detail::require(node, "content", np);
  const std::string cp = content_pointer(k);
  detail::expect_object(content, cp, "a decision table's content");

  std::string mode = string_or(content, "executionMode", "single");
  if (mode != "single")
    throw Error(ErrorCode::invalid_document,
                "execution mode \"" + mode + "\" is not supported: only single tables are imported",
                child(cp, "executionMode"));
  for (const char* key : {"inputField", "outputPath"}) {
    auto it = content.find(key);
    if (it != content.end() && !it->is_null() &&
        !(it->is_string() && it->get<std::string>().empty()))
      throw Error(
          ErrorCode::invalid_document,
          std::string(key) + " is not supported: the table must read and write the whole context",
          child(cp, key));
  }
  std::string hp = string_or(content, "hitPolicy", "first");
  auto policy = parse_hit_policy(hp);
  if (!policy)
    throw Error(ErrorCode::bad_hit_policy, "unknown hit policy \"" + hp + "\"",
                child(cp, "hitPolicy"));
  t.policy = *policy;

  auto read_columns = [&](std::string_view key, std::vector<Column>& into, bool inputs) {
    const json& cols = detail::require(content, key, cp);
    const std::string p = child(cp, key);
    detail::expect_array(cols, p, key);
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const std::string colp = child(p, c);
      detail::expect_object(cols[c], colp, "a column");
      Column col;
      col.id = detail::get_string(cols[c], "id", colp);
      col.name = string_or(cols[c], "name");
      col.field = std::string(trim(string_or(cols[c], "field")));
      if (inputs && !is_plain_name(col.field))
        throw Error(ErrorCode::invalid_document,
                    col.field.empty()
                        ? "a column without a field (cells as whole expressions) is not supported"
                        : "column field \"" + col.field +
                              "\" is not a plain name: only fields (customer.country) are imported",
                    child(colp, "field"));
      if (!inputs && col.field.empty())
        throw Error(ErrorCode::invalid_document, "an output column needs a field",
                    child(colp, "field"));
      into.push_back(std::move(col));
    }
  };
  read_columns("inputs", t.inputs, true);
  read_columns("outputs", t.outputs, false);
  if (t.outputs.empty())
    throw Error(ErrorCode::invalid_document, "a table needs at least one output",
                child(cp, "outputs"));

  const json& rules = detail::require(content, "rules", cp);
  const std::string rp = child(cp, "rules");
  detail::expect_array(rules, rp, "rules");
  std::unordered_set<std::string> ids;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const std::string p = child(rp, r);
    detail::expect_object(rules[r], p, "a rule");
    Table::Row row;
    row.id = string_or(rules[r], "_id");
    if (row.id.empty()) row.id = "r" + std::to_string(r + 1);
    // ZEN does not require unique ids; a pack does.
    if (!ids.insert(row.id).second) {
      row.id += "-" + std::to_string(r + 1);
      ids.insert(row.id);
    }
    row.description = string_or(rules[r], "_description");
    auto cell = [&](const Column& col) -> std::string {
      auto it = rules[r].find(col.id);
      if (it == rules[r].end() || it->is_null()) return {};
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number() || it->is_boolean()) return it->dump();
      throw Error(ErrorCode::type_mismatch, "a cell must be a string", child(p, col.id));
    };
    for (const Column& col : t.inputs) row.when.push_back(normalize_input_cell(cell(col)));
    for (const Column& col : t.outputs) row.then.push_back(normalize_output_cell(cell(col)));
    t.rules.push_back(std::move(row));
  }
  return t;
}

// Where a place of the generated pack came from in the graph, to report load errors there.
struct Origin {
  std::vector<std::string> input_pointer;  // pack input -> the column field that declared it
  std::vector<const Table*> tables;        // pack decision -> table
};

std::string map_pointer(const std::string& pointer, const Origin& origin) {
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
    if (k && *k < origin.input_pointer.size()) return origin.input_pointer[*k];
  }
  if (parts.size() >= 2 && parts[0] == "decisions") {
    auto d = index(parts[1]);
    if (!d || *d >= origin.tables.size()) return "";
    const Table& t = *origin.tables[*d];
    const std::string cp = content_pointer(t.node);
    if (parts.size() >= 4 && (parts[2] == "inputs" || parts[2] == "outputs")) {
      auto c = index(parts[3]);
      if (c) return child(child(cp, parts[2]), *c);
    }
    if (parts.size() >= 6 && parts[2] == "rules" && (parts[4] == "when" || parts[4] == "then")) {
      auto r = index(parts[3]);
      auto c = index(parts[5]);
      const auto& cols = parts[4] == "when" ? t.inputs : t.outputs;
      if (r && c && *c < cols.size()) return child(child(child(cp, "rules"), *r), cols[*c].id);
    }
    if (parts.size() >= 4 && parts[2] == "rules") {
      auto r = index(parts[3]);
      if (r) return child(child(cp, "rules"), *r);
    }
    return node_pointer(t.node);
  }
  return "";
}

}  // namespace

std::string import_jdm(std::string_view jdm_json, const JdmImportOptions& options) {
  json doc = detail::parse_document(jdm_json);
  detail::expect_object(doc, "", "a JDM graph");
  const json& nodes = detail::require(doc, "nodes", "");
  detail::expect_array(nodes, "/nodes", "nodes");

  std::unordered_set<std::string> node_ids;
  std::vector<Table> tables;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const std::string np = node_pointer(k);
    detail::expect_object(nodes[k], np, "a node");
    std::string type = detail::get_string(nodes[k], "type", np);
    node_ids.insert(string_or(nodes[k], "id"));
    if (type == "inputNode" || type == "outputNode") continue;
    if (type != "decisionTableNode")
      throw Error(
          ErrorCode::invalid_document,
          "node type \"" + type +
              "\" is not supported: only inputNode, decisionTableNode and outputNode are imported",
          np);
    tables.push_back(read_table(nodes[k], k));
  }
  if (tables.empty())
    throw Error(ErrorCode::invalid_document, "the graph has no decision table", "/nodes");
  if (doc.contains("edges")) {
    const json& edges = doc["edges"];
    detail::expect_array(edges, "/edges", "edges");
    for (std::size_t e = 0; e < edges.size(); ++e) {
      const std::string ep = child("/edges", e);
      detail::expect_object(edges[e], ep, "an edge");
      for (const char* end : {"sourceId", "targetId"})
        if (!node_ids.count(detail::get_string(edges[e], end, ep)))
          throw Error(ErrorCode::invalid_document, std::string(end) + " names no node",
                      child(ep, end));
    }
  }

  // Decision ids: the node's name when it is unique, else the node's id.
  {
    std::map<std::string, int> uses;
    for (const Table& t : tables) ++uses[t.name];
    std::unordered_set<std::string> taken;
    for (std::size_t k = 0; k < tables.size(); ++k) {
      Table& t = tables[k];
      std::string id = !t.name.empty() && uses[t.name] == 1 ? t.name : t.decision_id;
      if (id.empty() || taken.count(id)) id = "table" + std::to_string(k + 1);
      taken.insert(id);
      t.decision_id = id;
    }
  }

  // Every output field names one value; a column reading it refers to that value.
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>>
      outputs;  // field -> table, col
  for (std::size_t k = 0; k < tables.size(); ++k)
    for (std::size_t o = 0; o < tables[k].outputs.size(); ++o) {
      const std::string& f = tables[k].outputs[o].field;
      if (!outputs.emplace(f, std::make_pair(k, o)).second)
        throw Error(ErrorCode::duplicate_name,
                    "output field \"" + f + "\" is written by two columns",
                    child(child(child(content_pointer(tables[k].node), "outputs"), o), "field"));
    }

  // Inputs, in order of first use, with types inferred from every cell that tests them.
  struct InputInfo {
    std::string name, label, pointer;
    Kind kind = Kind::none;
  };
  std::vector<InputInfo> inputs;
  std::unordered_map<std::string, std::size_t> input_index;
  for (Table& t : tables)
    for (std::size_t c = 0; c < t.inputs.size(); ++c) {
      Column& col = t.inputs[c];
      col.is_input = !outputs.count(col.field);
      if (!col.is_input) continue;
      auto [it, fresh] = input_index.emplace(col.field, inputs.size());
      if (fresh)
        inputs.push_back(InputInfo{
            col.field, col.name, child(child(child(content_pointer(t.node), "inputs"), c), "field"),
            Kind::none});
      InputInfo& info = inputs[it->second];
      for (const auto& row : t.rules) info.kind = merge(info.kind, input_kind(row.when[c]));
    }

  // Output types: literals say it; a name takes the named value's type (resolved in rounds,
  // since an output may copy another table's output).
  std::vector<std::vector<Kind>> out_kinds(tables.size());
  for (std::size_t k = 0; k < tables.size(); ++k)
    out_kinds[k].assign(tables[k].outputs.size(), Kind::none);
  auto kind_of_name = [&](const std::string& name) -> Kind {
    if (auto it = input_index.find(name); it != input_index.end()) {
      Kind k = inputs[it->second].kind;
      return k == Kind::none ? Kind::string : k;
    }
    if (auto it = outputs.find(name); it != outputs.end())
      return out_kinds[it->second.first][it->second.second];
    return Kind::none;
  };
  for (int round = 0; round < 4; ++round)
    for (std::size_t k = 0; k < tables.size(); ++k)
      for (std::size_t o = 0; o < tables[k].outputs.size(); ++o) {
        Kind kind = Kind::none;
        for (const auto& row : tables[k].rules) {
          std::string_view t = trim(row.then[o]);
          Kind cell = Kind::none;
          if (t == "null")
            cell = Kind::none;
          else if (t == "true" || t == "false")
            cell = Kind::boolean;
          else if (is_number_literal(t))
            cell = Kind::decimal;
          else if (is_plain_name(t))
            cell = kind_of_name(std::string(t));
          else {
            Scan s = scan(t);
            if (s.has_date)
              cell = Kind::date;
            else if (s.has_literal)
              cell = Kind::string;
            else if (s.has_digit)
              cell = Kind::decimal;
            else if (!s.names.empty())
              cell = kind_of_name(s.names[0]);
          }
          kind = merge(kind, cell);
        }
        out_kinds[k][o] = kind;
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
      "Decision tables converted from a GoRules ZEN decision graph (JDM), to run the same rules "
      "here and in ZEN.";
  pack["sources"] = ojson::array({ojson{{"id", kSourceId}, {"title", kSourceTitle}}});
  ojson in = ojson::array();
  Origin origin;
  for (const InputInfo& info : inputs) {
    ojson f = ojson::object();
    f["name"] = info.name;
    f["type"] = type_name(info.kind);
    if (!info.label.empty()) f["label"] = ojson{{"fr", info.label}, {"en", info.label}};
    in.push_back(std::move(f));
    origin.input_pointer.push_back(info.pointer);
  }
  pack["inputs"] = std::move(in);
  ojson decisions = ojson::array();
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const Table& t = tables[k];
    origin.tables.push_back(&t);
    ojson d = ojson::object();
    d["id"] = t.decision_id;
    d["kind"] = "table";
    if (!t.name.empty()) d["label"] = ojson{{"fr", t.name}, {"en", t.name}};
    d["hit_policy"] = hit_policy_name(t.policy);
    ojson cols = ojson::array();
    for (const Column& c : t.inputs) {
      ojson col = ojson::object();
      col["expression"] = c.field;
      if (!c.name.empty()) col["label"] = ojson{{"fr", c.name}, {"en", c.name}};
      cols.push_back(std::move(col));
    }
    d["inputs"] = std::move(cols);
    ojson outs = ojson::array();
    for (std::size_t o = 0; o < t.outputs.size(); ++o) {
      ojson out = ojson::object();
      out["name"] = t.outputs[o].field;
      out["type"] = type_name(out_kinds[k][o]);
      if (!t.outputs[o].name.empty())
        out["label"] = ojson{{"fr", t.outputs[o].name}, {"en", t.outputs[o].name}};
      outs.push_back(std::move(out));
    }
    d["outputs"] = std::move(outs);
    ojson rules = ojson::array();
    for (const auto& row : t.rules) {
      ojson r = ojson::object();
      r["id"] = row.id;
      r["when"] = row.when;
      r["then"] = row.then;
      r["source"] = kSourceId;
      r["status"] = "interpretation";
      if (!row.description.empty()) r["description"] = row.description;
      rules.push_back(std::move(r));
    }
    d["rules"] = std::move(rules);
    decisions.push_back(std::move(d));
  }
  pack["decisions"] = std::move(decisions);
  std::string text = pack.dump(2) + "\n";

  // What does not translate (an unknown function, a name no column declares, a type clash)
  // is reported at its place in the graph, not in a document the caller never saw.
  try {
    (void)Pack::load(text);
  } catch (const Error& e) {
    throw Error(e.code(), e.message(), map_pointer(e.pointer(), origin), e.column());
  }
  return text;
}

}  // namespace v1
}  // namespace aiguillage
