// Builds small rule packs for tests, so that each test states only what it is about.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace aiguillage::test {

struct TableSpec {
  std::string id = "t";
  std::string hit_policy = "FIRST";
  bool complete = false;
  std::vector<std::string> columns;                          // column expressions
  std::vector<std::pair<std::string, std::string>> outputs;  // name, type
  std::vector<std::string> output_values;  // enum values of the first output (when enum)
  // rules: cells then outputs
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> rules;
};

inline std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

inline std::string table_json(const TableSpec& t) {
  std::string s = "{\"id\":" + quote(t.id) +
                  ",\"kind\":\"table\",\"hit_policy\":" + quote(t.hit_policy) +
                  ",\"complete\":" + (t.complete ? "true" : "false") + ",\"inputs\":[";
  for (std::size_t k = 0; k < t.columns.size(); ++k)
    s += std::string(k ? "," : "") + "{\"expression\":" + quote(t.columns[k]) + "}";
  s += "],\"outputs\":[";
  for (std::size_t k = 0; k < t.outputs.size(); ++k) {
    s += std::string(k ? "," : "") + "{\"name\":" + quote(t.outputs[k].first) +
         ",\"type\":" + quote(t.outputs[k].second);
    if (t.outputs[k].second == "enum") {
      s += ",\"values\":[";
      for (std::size_t j = 0; j < t.output_values.size(); ++j)
        s += std::string(j ? "," : "") + quote(t.output_values[j]);
      s += "]";
    }
    s += "}";
  }
  s += "],\"rules\":[";
  for (std::size_t r = 0; r < t.rules.size(); ++r) {
    s += std::string(r ? "," : "") + "{\"id\":\"R" + std::to_string(r + 1) + "\",\"when\":[";
    for (std::size_t c = 0; c < t.rules[r].first.size(); ++c)
      s += std::string(c ? "," : "") + quote(t.rules[r].first[c]);
    s += "],\"then\":[";
    for (std::size_t c = 0; c < t.rules[r].second.size(); ++c)
      s += std::string(c ? "," : "") + quote(t.rules[r].second[c]);
    s += "],\"source\":\"S\",\"status\":\"verified\"}";
  }
  return s + "]}";
}

// inputs: raw JSON objects of the input declarations; decisions: raw JSON of the decisions.
inline std::string pack_json(const std::vector<std::string>& inputs,
                             const std::vector<std::string>& decisions,
                             const std::string& variables = "[]", const std::string& extra = "") {
  std::string s =
      "{\"schema\":\"aiguillage.ruleset\",\"schema_version\":\"1.0\",\"id\":\"test/"
      "pack\",\"version\":\"1.0.0\","
      "\"valid_from\":\"2000-01-01\",\"title\":\"Test\",\"purpose\":\"Tests\"," +
      extra + "\"sources\":[{\"id\":\"S\",\"title\":\"Test source\"}],\"inputs\":[";
  for (std::size_t k = 0; k < inputs.size(); ++k) s += std::string(k ? "," : "") + inputs[k];
  s += "],\"variables\":" + variables + ",\"decisions\":[";
  for (std::size_t k = 0; k < decisions.size(); ++k) s += std::string(k ? "," : "") + decisions[k];
  return s + "]}";
}

}  // namespace aiguillage::test
