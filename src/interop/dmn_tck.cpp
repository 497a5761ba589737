#include "aiguillage/interop/dmn_tck.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"
#include "feel_translate.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using Node = pugi::xml_node;

constexpr std::size_t kMaxMessage = 300;

std::string bounded(std::string s) {
  if (s.size() > kMaxMessage) s = s.substr(0, kMaxMessage) + "...";
  return s;
}

std::string local(Node n) {
  std::string name = n.name();
  if (auto p = name.find(':'); p != std::string::npos) name.erase(0, p + 1);
  return name;
}
Node child(Node n, std::string_view name) {
  for (Node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local(c) == name) return c;
  return Node();
}
std::vector<Node> children(Node n, std::string_view name) {
  std::vector<Node> out;
  for (Node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local(c) == name) out.push_back(c);
  return out;
}
bool is_nil(Node value) {
  for (pugi::xml_attribute a : value.attributes()) {
    std::string_view n = a.name();
    if ((n == "xsi:nil" || n.ends_with(":nil")) && std::string_view(a.value()) == "true")
      return true;
  }
  return false;
}
std::string xsd_type(Node value) {
  for (pugi::xml_attribute a : value.attributes()) {
    std::string_view n = a.name();
    if (n == "xsi:type" || n.ends_with(":type")) {
      std::string t = a.value();
      if (auto p = t.find(':'); p != std::string::npos) t.erase(0, p + 1);
      return t;
    }
  }
  return "";
}
bool is_number_type(const std::string& t) {
  return t == "decimal" || t == "double" || t == "integer" || t == "int" || t == "long" ||
         t == "float" || t == "short";
}

class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The JSON of an input value: <value>, a structure of <component>s or a <list> of <item>s.
ojson input_json(Node holder) {
  if (Node list = child(holder, "list")) {
    ojson out = ojson::array();
    for (Node item : children(list, "item")) out.push_back(input_json(item));
    return out;
  }
  std::vector<Node> components = children(holder, "component");
  if (!components.empty()) {
    ojson out = ojson::object();
    for (Node c : components)
      out[detail::feel_identifier(c.attribute("name").value())] = input_json(c);
    return out;
  }
  Node value = child(holder, "value");
  if (!value || is_nil(value)) return nullptr;
  std::string type = xsd_type(value);
  std::string text = value.child_value();
  if (is_number_type(type)) {
    ojson number = ojson::parse(text, nullptr, false);
    if (!number.is_number()) throw Failure("the input value \"" + text + "\" is not a number");
    return number;
  }
  if (type == "boolean") return text == "true";
  if (type == "string" || type == "date" || type.empty()) return text;
  throw Failure("input values of type xsd:" + type + " are outside the mapped subset");
}

std::string show(const Value& v) {
  return v.to_json();
}

// Why `actual` is not what `holder` expects; nullopt when it is.
std::optional<std::string> compare(Node holder, const Value& actual) {
  if (Node list = child(holder, "list")) {
    if (actual.type() != Type::list) return "expected a list, got " + show(actual);
    std::vector<Node> items = children(list, "item");
    if (items.size() != actual.list_size())
      return "expected " + std::to_string(items.size()) + " items, got " + show(actual);
    for (std::size_t k = 0; k < items.size(); ++k)
      if (auto why = compare(items[k], actual[k]))
        return "item " + std::to_string(k + 1) + ": " + *why;
    return std::nullopt;
  }
  if (child(holder, "component")) return "expected a structure, got " + show(actual);
  Node value = child(holder, "value");
  if (!value || is_nil(value)) {
    if (actual.is_null()) return std::nullopt;
    return "expected null, got " + show(actual);
  }
  std::string type = xsd_type(value);
  std::string text = value.child_value();
  if (is_number_type(type)) {
    if (!actual.is_number()) return "expected " + text + ", got " + show(actual);
    double expected = std::strtod(text.c_str(), nullptr);
    double got = actual.type() == Type::integer ? static_cast<double>(actual.as_int())
                                                : actual.as_decimal().to_double();
    // The engine's decimals have 6 places: equal when they agree to that precision.
    if (std::fabs(got - expected) <= 1e-6 * std::max(1.0, std::fabs(expected))) return std::nullopt;
    return "expected " + text + ", got " + show(actual);
  }
  if (type == "boolean") {
    if (actual.type() == Type::boolean && actual.as_bool() == (text == "true")) return std::nullopt;
    return "expected " + text + ", got " + show(actual);
  }
  if (type == "date") {
    if (actual.type() == Type::date && actual.as_date().to_string() == text) return std::nullopt;
    return "expected date " + text + ", got " + show(actual);
  }
  if (type == "string" || type.empty()) {
    if (actual.type() == Type::string && actual.as_string() == text) return std::nullopt;
    return "expected \"" + text + "\", got " + show(actual);
  }
  return "expected values of type xsd:" + type + " are outside the mapped subset";
}

struct Model {
  std::optional<Error> error;
  DmnImport imported;
  std::unique_ptr<Evaluator> evaluator;
};

class Runner {
 public:
  void folder(const fs::path& dir, TckRun& run) {
    std::vector<fs::path> tests;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".xml") tests.push_back(e.path());
    std::sort(tests.begin(), tests.end());
    for (const fs::path& t : tests) test_file(dir, t, run);
  }

 private:
  std::map<fs::path, Model> models_;

  Model& model(const fs::path& path) {
    auto [it, fresh] = models_.try_emplace(path);
    Model& m = it->second;
    if (!fresh) return m;
    try {
      std::ifstream in(path, std::ios::binary);
      if (!in) throw Error(ErrorCode::io, "cannot read " + path.string());
      std::stringstream ss;
      ss << in.rdbuf();
      DmnImportOptions options;
      options.skip_unmappable_decisions = true;
      m.imported = import_dmn_model(ss.str(), options);
      m.evaluator = std::make_unique<Evaluator>(Pack::load(m.imported.pack));
    } catch (const Error& e) {
      m.error = e;
    }
    return m;
  }

  void test_file(const fs::path& dir, const fs::path& file, TckRun& run) {
    pugi::xml_document doc;
    pugi::xml_parse_result parsed = doc.load_file(file.c_str());
    Node root = doc.document_element();
    if (!parsed || local(root) != "testCases") return;  // not a test file
    Model& m = model(dir / child(root, "modelName").child_value());
    for (Node c : children(root, "testCase")) {
      TckCase tc;
      tc.folder = dir.filename().string();
      tc.file = file.filename().string();
      tc.id = c.attribute("id").value();
      std::string_view type = c.attribute("type").value();
      if (!type.empty() && type != "decision") {
        tc.result = TckCase::Result::ignored;
        tc.message = "test cases of type " + std::string(type) + " are not run";
      } else if (m.error) {
        tc.result = TckCase::Result::error;
        tc.message = bounded("import: " + m.error->describe());
      } else {
        try {
          check_case(m, c);
          tc.result = TckCase::Result::success;
        } catch (const Failure& f) {
          tc.result = TckCase::Result::error;
          tc.message = bounded(f.what());
        }
      }
      run.cases.push_back(std::move(tc));
    }
  }

  const DmnBinding* binding(const Model& m, std::string_view name, DmnBinding::Kind kind) const {
    for (const DmnBinding& b : m.imported.bindings)
      if (b.name == name && b.kind == kind) return &b;
    return nullptr;
  }

  void check_case(const Model& m, Node c) {
    ojson record = ojson::object();
    for (Node in : children(c, "inputNode")) {
      std::string name = in.attribute("name").value();
      const DmnBinding* b = binding(m, name, DmnBinding::Kind::input);
      if (!b) throw Failure("the input \"" + name + "\" is not an input of the model");
      record[detail::feel_identifier(name)] = input_json(in);
    }
    const Pack& pack = m.evaluator->pack();
    Evaluation e;
    EvalOptions options;
    options.reference_date = pack.valid_from();
    options.trace = false;
    bool accepted = m.evaluator->evaluate_json(record.dump(), e, options);
    std::string rejected;
    if (!accepted)
      for (const Error& err : e.errors) rejected += (rejected.empty() ? "" : "; ") + err.describe();
    for (Node r : children(c, "resultNode")) {
      std::string name = r.attribute("name").value();
      const DmnBinding* b = binding(m, name, DmnBinding::Kind::decision);
      if (!b) throw Failure("the result \"" + name + "\" is not a decision of the model");
      if (!b->skipped.empty()) throw Failure("\"" + name + "\" not imported: " + b->skipped);
      Node expected = child(r, "expected");
      std::optional<std::string> why;
      auto value_of = [&](const std::string& slot) -> Value {
        if (!accepted) return Value();
        for (std::size_t d = 0; d < pack.decisions().size(); ++d)
          if (owned_by(pack.decisions()[d].id, feel_slot(b->name)) && d < e.decisions.size() &&
              e.decisions[d].error)
            return Value();
        int s = pack.slot_of(slot);
        return s < 0 ? Value() : e.frame[s];
      };
      if (b->components.empty()) {
        why = compare(expected, value_of(b->slot));
      } else {
        why = compare_structure(expected, *b, value_of);
      }
      if (why) {
        std::string message = "\"" + name + "\": " + *why;
        if (!rejected.empty()) message += " (record rejected: " + rejected + ")";
        throw Failure(message);
      }
    }
  }

  // The pack decisions a DMN decision became: its own id, or id__table and id__<output>.
  static bool owned_by(const std::string& id, const std::string& slot) {
    return id == slot || (id.size() > slot.size() + 2 && id.compare(0, slot.size(), slot) == 0 &&
                          id.compare(slot.size(), 2, "__") == 0);
  }
  static std::string feel_slot(const std::string& name) { return detail::feel_identifier(name); }

  template <class ValueOf>
  std::optional<std::string> compare_structure(Node expected, const DmnBinding& b,
                                               const ValueOf& value_of) {
    auto component_holder = [](Node holder, const std::string& name) {
      for (Node c : children(holder, "component"))
        if (name == c.attribute("name").value()) return c;
      return Node();
    };
    if (!b.collection) {
      for (const auto& comp : b.components) {
        Node h = component_holder(expected, comp.name);
        if (!h) continue;
        if (auto why = compare(h, value_of(comp.slot))) return comp.name + ": " + *why;
      }
      return std::nullopt;
    }
    Node list = child(expected, "list");
    if (!list) {
      for (const auto& comp : b.components)
        if (!value_of(comp.slot).is_null()) return "expected null, got results";
      return child(expected, "value") && is_nil(child(expected, "value"))
                 ? std::nullopt
                 : std::optional<std::string>("expected a list of structures");
    }
    std::vector<Node> items = children(list, "item");
    for (const auto& comp : b.components) {
      Value actual = value_of(comp.slot);
      if (actual.type() != Type::list || actual.list_size() != items.size())
        return comp.name + ": expected " + std::to_string(items.size()) + " items, got " +
               show(actual);
      for (std::size_t k = 0; k < items.size(); ++k) {
        Node h = component_holder(items[k], comp.name);
        if (!h) continue;
        if (auto why = compare(h, actual[k]))
          return "item " + std::to_string(k + 1) + " " + comp.name + ": " + *why;
      }
    }
    return std::nullopt;
  }
};

std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c == '\n' || c == '\r' ? ' ' : c;
  }
  return out + "\"";
}

}  // namespace

std::size_t TckRun::passed() const {
  return static_cast<std::size_t>(std::count_if(cases.begin(), cases.end(), [](const TckCase& c) {
    return c.result == TckCase::Result::success;
  }));
}

TckRun run_dmn_tck(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::io, "not a folder: " + dir);
  std::vector<fs::path> folders;
  bool has_tests = false;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory()) folders.push_back(e.path());
    if (e.is_regular_file() && e.path().extension() == ".xml") has_tests = true;
  }
  if (has_tests) folders = {fs::path(dir)};
  std::sort(folders.begin(), folders.end());
  TckRun run;
  Runner runner;
  for (const fs::path& f : folders) runner.folder(f, run);
  return run;
}

std::string tck_results_csv(const TckRun& run) {
  std::string out;
  for (const TckCase& c : run.cases) {
    const char* result = c.result == TckCase::Result::success   ? "SUCCESS"
                         : c.result == TckCase::Result::ignored ? "IGNORED"
                                                                : "ERROR";
    out += csv_field(c.folder) + "," + csv_field(c.file) + "," + csv_field(c.id) + "," +
           csv_field(result) + "," + csv_field(c.message) + "\n";
  }
  return out;
}

}  // namespace v1
}  // namespace aiguillage
