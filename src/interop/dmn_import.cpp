#include "aiguillage/interop/dmn_import.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/pack_export.hpp"
#include "aiguillage/rules/pack.hpp"
#include "feel_translate.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using detail::feel_identifier;
using detail::FeelFunction;
using detail::FeelMode;
using detail::FeelScope;
using detail::translate_feel;
using ojson = nlohmann::ordered_json;
using Node = pugi::xml_node;

constexpr std::string_view kSourceId = "dmn";

// The model namespaces of DMN 1.1 to 1.5.
constexpr std::string_view kNamespaces[] = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd", "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/", "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
};

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// XPath-like pointer of an element: ids where they exist, positions among same-named siblings
// otherwise.
std::string xpath(Node n) {
  std::vector<std::string> steps;
  for (; n && n.type() == pugi::node_element; n = n.parent()) {
    std::string step = n.name();
    if (auto p = step.find(':'); p != std::string::npos) step.erase(0, p + 1);
    if (const char* id = n.attribute("id").value(); *id) {
      step += "[@id='" + std::string(id) + "']";
    } else if (n.parent() && n.parent().type() == pugi::node_element) {
      int index = 0, count = 0;
      for (Node s = n.parent().first_child(); s; s = s.next_sibling())
        if (std::string_view(s.name()) == n.name()) {
          ++count;
          if (s == n) index = count;
        }
      if (count > 1) step += "[" + std::to_string(index) + "]";
    }
    steps.push_back(std::move(step));
  }
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) out += "/" + *it;
  return out;
}

[[noreturn]] void fail(ErrorCode code, const std::string& message, Node at) {
  throw Error(code, message, xpath(at));
}

struct TypeComponent;

struct TypeInfo {
  std::string type = "decimal";  // pack field type
  std::vector<std::string> values;
  bool collection = false;
  // A named struct rather than a std::pair: clang refuses a pair of the type being defined
  // (still incomplete there), which GCC accepts.
  std::vector<TypeComponent> components;
};

struct TypeComponent {
  std::string name;
  TypeInfo type;
};

// Parses `"a", "b"` (FEEL string literals separated by commas); nullopt when it is not that.
std::optional<std::vector<std::string>> string_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  for (;;) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] != '"') return std::nullopt;
    std::string value;
    ++i;
    while (i < text.size() && text[i] != '"') {
      if (text[i] == '\\') return std::nullopt;
      value += text[i++];
    }
    if (i >= text.size()) return std::nullopt;
    ++i;
    out.push_back(std::move(value));
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
    if (i == text.size()) return out;
    if (text[i] != ',') return std::nullopt;
    ++i;
  }
}

class Importer {
 public:
  Importer(const DmnImportOptions& options) : options_(options) {}

  DmnImport run(std::string_view xml) {
    if (xml.size() > options_.max_bytes)
      throw Error(ErrorCode::limit_exceeded, "the DMN document is " + std::to_string(xml.size()) +
                                                 " bytes, over the limit of " +
                                                 std::to_string(options_.max_bytes));
    pugi::xml_parse_result parsed =
        doc_.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
    if (!parsed)
      throw Error(ErrorCode::xml_syntax, std::string("malformed XML at byte ") +
                                             std::to_string(parsed.offset) + ": " +
                                             parsed.description());
    root_ = doc_.document_element();
    check_namespace();
    find_extension_prefix();
    index_elements(root_);
    read_types();
    read_named();
    check_requirements();
    for (;;) {
      try {
        return build();
      } catch (const Skip& skip) {
        if (!skipped_.emplace(skip.name, skip.why).second) throw;  // no progress: give up
      }
    }
  }

 private:
  const DmnImportOptions& options_;
  pugi::xml_document doc_;
  Node root_;
  std::string prefix_;  // "dmn:" when the model elements are prefixed
  std::unordered_map<std::string, Node> by_id_;
  std::map<std::string, Node> item_definitions_;
  std::vector<Node> inputs_, decisions_, bkms_;
  std::vector<FeelFunction> functions_;
  std::unordered_map<std::string, std::string> slot_of_name_;  // DMN name -> identifier
  // JSON pointer in the pack -> the element it came from, to report pack errors in DMN terms.
  std::vector<std::pair<std::string, Node>> origin_;
  // Values with inferred types (a list when a multiple-hit table falls back on its defaults).
  ojson variables_ = ojson::array();
  // Decisions left out (skip_unmappable_decisions): DMN name -> why.
  std::map<std::string, std::string> skipped_;
  struct Skip {
    std::string name, why;
  };
  std::vector<std::string> pack_decision_owner_;  // pack decision index -> DMN decision name
  // "aig:" when the model declares the aiguillage extension namespace (models written by
  // export_dmn): its attributes restore what DMN has no element for.
  std::string aig_;

  void find_extension_prefix() {
    for (pugi::xml_attribute a = root_.first_attribute(); a; a = a.next_attribute()) {
      std::string_view name = a.name();
      if (name.substr(0, 6) == "xmlns:" && std::string_view(a.value()) == kDmnExtensionNamespace)
        aig_ = std::string(name.substr(6)) + ":";
    }
  }
  // An aiguillage extension attribute of n ("" when absent or when the model has none).
  std::string ext(Node n, const char* key) const {
    if (aig_.empty() || !n) return "";
    return n.attribute((aig_ + key).c_str()).value();
  }
  ojson ext_json(Node n, const char* key) const {
    std::string text = ext(n, key);
    ojson value = ojson::parse(text, nullptr, false);
    if (value.is_discarded())
      fail(ErrorCode::unsupported_construct,
           "the attribute " + aig_ + key + " is not a JSON value (\"" + text.substr(0, 80) + "\")",
           n);
    return value;
  }
  // Input bounds, integer type, required flag and ask values of an exported input.
  void apply_field_extensions(ojson& field, Node n) const {
    if (ext(n, "type") == "integer" && field["type"] == "decimal") field["type"] = "integer";
    for (const char* key : {"min", "max", "max_length", "max_items", "required", "ask_values"})
      if (!ext(n, key).empty()) field[key] = ext_json(n, key);
  }
  // The pack's sources and constraints an exported model carries in its extension elements.
  void read_pack_extensions(ojson& pack) {
    Node extension = child(root_, "extensionElements");
    if (aig_.empty() || !extension) return;
    ojson constraints = ojson::array();
    for (Node n = extension.first_child(); n; n = n.next_sibling()) {
      std::string name = n.name();
      if (name == aig_ + "source") {
        ojson source = ojson::object();
        for (const char* key : {"id", "title", "url"})
          if (n.attribute(key)) source[key] = n.attribute(key).value();
        pack["sources"].push_back(std::move(source));
      } else if (name == aig_ + "constraint") {
        ojson c = ojson::object();
        c["id"] = n.attribute("id").value();
        c["expression"] = std::string(trim(n.child((aig_ + "expression").c_str()).child_value()));
        if (Node m = n.child((aig_ + "message").c_str()); m && !m.first_attribute()) {
          c["message"] = std::string(m.child_value());
        } else if (m) {
          ojson message = ojson::object();
          for (pugi::xml_attribute a = m.first_attribute(); a; a = a.next_attribute())
            message[a.name()] = a.value();
          c["message"] = std::move(message);
        }
        for (const char* key : {"source", "status", "note"})
          if (n.attribute(key)) c[key] = n.attribute(key).value();
        origin_.emplace_back("/constraints/" + std::to_string(constraints.size()), n);
        constraints.push_back(std::move(c));
      }
    }
    if (!constraints.empty()) pack["constraints"] = std::move(constraints);
  }
  // source, status and note of an exported decision or variable (else the DMN defaults).
  void put_provenance(ojson& out, Node d) const {
    out["source"] = ext(d, "source").empty() ? std::string(kSourceId) : ext(d, "source");
    out["status"] = ext(d, "status").empty() ? std::string("interpretation") : ext(d, "status");
    if (!ext(d, "note").empty()) out["note"] = ext(d, "note");
  }

  // The local name of a model element; "" for elements of other namespaces.
  std::string_view local(Node n) const {
    std::string_view name = n.name();
    if (prefix_.empty()) return name.find(':') == std::string_view::npos ? name : "";
    if (name.substr(0, prefix_.size()) != prefix_) return "";
    return name.substr(prefix_.size());
  }
  Node child(Node n, std::string_view name) const {
    for (Node c = n.first_child(); c; c = c.next_sibling())
      if (c.type() == pugi::node_element && local(c) == name) return c;
    return Node();
  }
  std::vector<Node> children(Node n, std::string_view name) const {
    std::vector<Node> out;
    for (Node c = n.first_child(); c; c = c.next_sibling())
      if (c.type() == pugi::node_element && local(c) == name) out.push_back(c);
    return out;
  }
  std::string text_of(Node n) const {
    Node t = child(n, "text");
    return std::string(trim(t ? t.child_value() : ""));
  }

  void check_namespace() {
    std::string name = root_.name();
    if (auto p = name.find(':'); p != std::string::npos) {
      prefix_ = name.substr(0, p + 1);
      name.erase(0, p + 1);
    }
    if (name != "definitions")
      fail(ErrorCode::unknown_namespace,
           "the root element is <" + std::string(root_.name()) + ">, not a DMN <definitions>",
           root_);
    std::string attribute =
        prefix_.empty() ? "xmlns" : "xmlns:" + prefix_.substr(0, prefix_.size() - 1);
    std::string_view ns = root_.attribute(attribute.c_str()).value();
    if (std::find(std::begin(kNamespaces), std::end(kNamespaces), ns) == std::end(kNamespaces))
      fail(ErrorCode::unknown_namespace,
           "the namespace \"" + std::string(ns) + "\" is not that of DMN 1.1 to 1.5", root_);
  }

  void index_elements(Node n) {
    for (Node c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element || local(c).empty()) continue;
      if (const char* id = c.attribute("id").value(); *id)
        if (!by_id_.emplace(id, c).second)
          fail(ErrorCode::duplicate_id, "the id \"" + std::string(id) + "\" is used twice", c);
      index_elements(c);
    }
  }

  void read_types() {
    for (Node n : children(root_, "itemDefinition")) {
      std::string name = n.attribute("name").value();
      if (!item_definitions_.emplace(name, n).second)
        fail(ErrorCode::duplicate_id, "two item definitions are named \"" + name + "\"", n);
    }
  }

  TypeInfo builtin_type(std::string_view ref, Node at) const {
    if (ref.substr(0, 5) == "feel:") ref.remove_prefix(5);
    TypeInfo t;
    if (ref == "number")
      t.type = "decimal";
    else if (ref == "string")
      t.type = "string";
    else if (ref == "boolean")
      t.type = "bool";
    else if (ref == "date")
      t.type = "date";
    else if (ref.empty())
      fail(ErrorCode::unsupported_construct,
           "no typeRef: the pack needs the type of every input and output", at);
    else if (ref == "time" || ref == "dateTime" || ref == "date and time" ||
             ref == "dayTimeDuration" || ref == "yearMonthDuration" ||
             ref == "days and time duration" || ref == "years and months duration" ||
             ref == "Any" || ref == "context" || ref == "function")
      fail(ErrorCode::unsupported_construct,
           "the type \"" + std::string(ref) + "\" is outside the mapped subset", at);
    else
      fail(ErrorCode::unresolved_reference,
           "the typeRef \"" + std::string(ref) + "\" names no item definition", at);
    return t;
  }

  TypeInfo resolve_type(std::string_view ref, Node at, int depth = 0) const {
    if (depth > 16) fail(ErrorCode::cycle, "item definitions refer to each other in a cycle", at);
    auto it = item_definitions_.find(std::string(ref));
    if (it == item_definitions_.end()) return builtin_type(ref, at);
    return item_type(it->second, depth);
  }

  TypeInfo item_type(Node def, int depth) const {
    TypeInfo t;
    std::vector<Node> components = children(def, "itemComponent");
    if (!components.empty()) {
      for (Node c : components)
        t.components.push_back(TypeComponent{c.attribute("name").value(), item_type(c, depth + 1)});
      t.type = "object";
    } else {
      Node ref = child(def, "typeRef");
      if (!ref) fail(ErrorCode::unsupported_construct, "an item definition without typeRef", def);
      t = resolve_type(trim(ref.child_value()), ref, depth + 1);
      if (Node allowed = child(def, "allowedValues")) {
        std::string text = text_of(allowed);
        auto values = string_list(text);
        if (t.type != "string" || !values)
          fail(ErrorCode::unsupported_construct,
               "allowed values other than a list of strings (\"" + text + "\")", allowed);
        t.type = "enum";
        t.values = *values;
      }
    }
    if (std::string_view(def.attribute("isCollection").value()) == "true") {
      if (t.collection) fail(ErrorCode::unsupported_construct, "a collection of collections", def);
      t.collection = true;
    }
    return t;
  }

  void read_named() {
    std::set<std::string> names, slots;
    for (Node n = root_.first_child(); n; n = n.next_sibling()) {
      std::string_view kind = local(n);
      if (kind == "inputData")
        inputs_.push_back(n);
      else if (kind == "decision")
        decisions_.push_back(n);
      else if (kind == "businessKnowledgeModel")
        bkms_.push_back(n);
      else if (kind == "decisionService" || kind == "import")
        fail(ErrorCode::unsupported_construct,
             "<" + std::string(kind) + "> is outside the mapped subset", n);
      else
        continue;
      std::string name = n.attribute("name").value();
      if (name.empty()) fail(ErrorCode::unsupported_construct, "an element without a name", n);
      if (!names.insert(name).second)
        fail(ErrorCode::duplicate_id, "two elements are named \"" + name + "\"", n);
      if (kind == "businessKnowledgeModel") continue;
      std::string slot = feel_identifier(name);
      if (slot == kReferenceDate || !slots.insert(slot).second)
        fail(ErrorCode::duplicate_id,
             "the name \"" + name + "\" maps to \"" + slot + "\", already taken", n);
      slot_of_name_[name] = slot;
    }
    for (Node b : bkms_) {
      Node logic = child(b, "encapsulatedLogic");
      Node body = logic ? child(logic, "literalExpression") : Node();
      if (!body)
        fail(ErrorCode::unsupported_construct,
             "a business knowledge model whose logic is not a literal expression", b);
      FeelFunction f;
      f.name = b.attribute("name").value();
      for (Node p : children(logic, "formalParameter"))
        f.parameters.push_back(p.attribute("name").value());
      f.body = text_of(body);
      functions_.push_back(std::move(f));
    }
  }

  Node resolve_href(Node requirement, std::string_view want) const {
    std::string_view href = requirement.attribute("href").value();
    if (href.empty() || href.front() != '#')
      fail(ErrorCode::unsupported_construct,
           "references to other models (\"" + std::string(href) + "\")", requirement);
    auto it = by_id_.find(std::string(href.substr(1)));
    if (it == by_id_.end() || local(it->second) != want)
      fail(ErrorCode::unresolved_reference,
           "\"" + std::string(href) + "\" names no <" + std::string(want) + ">", requirement);
    return it->second;
  }

  // Requirements are checked (every href resolves, no cycle); the pack's graph follows from
  // the names each expression reads.
  void check_requirements() {
    std::unordered_map<std::string, std::vector<std::pair<Node, Node>>> edges;  // id -> (req, dep)
    for (Node d : decisions_) {
      for (Node r : children(d, "informationRequirement")) {
        if (Node i = child(r, "requiredInput")) resolve_href(i, "inputData");
        if (Node rd = child(r, "requiredDecision"))
          edges[d.attribute("id").value()].emplace_back(rd, resolve_href(rd, "decision"));
      }
      for (Node r : children(d, "knowledgeRequirement"))
        if (Node k = child(r, "requiredKnowledge")) resolve_href(k, "businessKnowledgeModel");
    }
    std::unordered_map<std::string, int> state;  // 1 visiting, 2 done
    std::function<void(Node)> visit = [&](Node d) {
      std::string id = d.attribute("id").value();
      int& s = state[id];
      if (s == 2) return;
      if (s == 1)
        fail(ErrorCode::cycle,
             "the information requirements form a cycle through \"" +
                 std::string(d.attribute("name").value()) + "\"",
             d);
      s = 1;
      for (auto& [req, dep] : edges[id]) visit(dep);
      state[id] = 2;
    };
    for (Node d : decisions_) visit(d);
  }

  FeelScope scope() const {
    FeelScope s;
    for (const auto& [name, slot] : slot_of_name_) s.names.push_back({name, slot});
    s.functions = &functions_;
    s.sort_names();
    return s;
  }

  std::string feel(std::string_view text, FeelMode mode, Node at, const FeelScope& s) const {
    // Entries in the pack's own expression language (export_dmn writes them so when FEEL
    // cannot state them) are taken as they are; the pack's load checks them.
    if (std::string_view(at.attribute("expressionLanguage").value()) == kPackExpressionLanguage)
      return std::string(trim(text));
    try {
      return translate_feel(text, s, mode);
    } catch (const Error& e) {
      throw Error(e.code(), e.message() + " in \"" + std::string(text.substr(0, 200)) + "\"",
                  xpath(at));
    }
  }

  static ojson label(const std::string& text) { return ojson{{"fr", text}, {"en", text}}; }

  static void put_type(ojson& field, const TypeInfo& t) {
    if (t.collection) {
      if (t.type != "string" && t.type != "enum")
        throw Error(ErrorCode::unsupported_construct, "a list of " + t.type + " values");
      field["type"] = "list";
      ojson items{{"type", t.type}};
      if (t.type == "enum") items["values"] = t.values;
      field["items"] = std::move(items);
      return;
    }
    field["type"] = t.type;
    if (t.type == "enum") field["values"] = t.values;
  }

  void add_input(ojson& inputs, DmnBinding& b, const std::string& name,
                 const std::string& label_text, const TypeInfo& t, Node at) {
    if (!t.components.empty() && t.collection)
      fail(ErrorCode::unsupported_construct, "an input holding a list of structures", at);
    if (!t.components.empty()) {
      for (const auto& [component, type] : t.components) {
        if (!type.components.empty())
          fail(ErrorCode::unsupported_construct, "structures nested in structures", at);
        std::string slot = name + "." + feel_identifier(component);
        add_input(inputs, b, slot, label_text + "." + component, type, at);
        b.components.push_back({component, slot});
      }
      return;
    }
    ojson f = ojson::object();
    f["name"] = name;
    try {
      put_type(f, t);
    } catch (const Error& e) {
      fail(e.code(), e.message(), at);
    }
    f["label"] = label(label_text);
    origin_.emplace_back("/inputs/" + std::to_string(inputs.size()), at);
    inputs.push_back(std::move(f));
  }

  TypeInfo variable_type(Node element) const {
    Node v = child(element, "variable");
    std::string_view ref = v ? v.attribute("typeRef").value() : "";
    if (ref.empty()) {
      TypeInfo none;
      none.type.clear();
      return none;
    }
    return resolve_type(ref, v);
  }

  DmnImport build() {
    origin_.clear();
    variables_ = ojson::array();
    DmnImport result;
    ojson pack = ojson::object();
    pack["schema"] = kRulesetSchema;
    pack["schema_version"] = std::to_string(kRulesetMajor) + "." + std::to_string(kRulesetMinor);
    const DmnImportOptions defaults;
    auto pick = [&](const std::string& given, const std::string& fallback, const char* key) {
      return given == fallback && !ext(root_, key).empty() ? ext(root_, key) : given;
    };
    pack["id"] = pick(options_.id, defaults.id, "id");
    pack["version"] = pick(options_.version, defaults.version, "version");
    pack["valid_from"] = pick(options_.valid_from, defaults.valid_from, "valid_from");
    if (!ext(root_, "valid_to").empty())
      pack["valid_to"] = ext(root_, "valid_to");
    else
      pack["valid_to"] = nullptr;
    std::string model = root_.attribute("name").value();
    std::string title = "Imported from the DMN model \"" + model + "\"";
    pack["title"] = title;
    pack["purpose"] = "Decisions converted from a DMN model, to run the same logic here.";
    pack["sources"] = ojson::array({ojson{{"id", kSourceId}, {"title", title}}});
    read_pack_extensions(pack);

    ojson inputs = ojson::array();
    for (Node n : inputs_) {
      DmnBinding b;
      b.kind = DmnBinding::Kind::input;
      b.name = n.attribute("name").value();
      TypeInfo t = variable_type(n);
      if (t.type.empty()) fail(ErrorCode::unsupported_construct, "input data without a typeRef", n);
      std::string slot = slot_of_name_.at(b.name);
      add_input(inputs, b, slot, b.name, t, n);
      if (b.components.empty()) apply_field_extensions(inputs.back(), n);
      if (b.components.empty()) b.slot = slot;
      b.collection = t.collection;
      result.bindings.push_back(std::move(b));
    }
    pack["inputs"] = std::move(inputs);

    FeelScope s = scope();
    ojson decisions = ojson::array();
    pack_decision_owner_.clear();
    for (Node d : decisions_) {
      DmnBinding b;
      b.kind = DmnBinding::Kind::decision;
      b.name = d.attribute("name").value();
      if (auto it = skipped_.find(b.name); it != skipped_.end()) {
        b.skipped = it->second;
        result.bindings.push_back(std::move(b));
        continue;
      }
      try {
        decision(d, b, s, decisions);
      } catch (const Error& e) {
        if (!options_.skip_unmappable_decisions) throw;
        throw Skip{b.name, e.describe()};
      }
      pack_decision_owner_.resize(decisions.size(), b.name);
      result.bindings.push_back(std::move(b));
    }
    if (!variables_.empty()) pack["variables"] = std::move(variables_);
    pack["decisions"] = std::move(decisions);
    try {
      result.pack = pack.dump(2) + "\n";
    } catch (const ojson::type_error& e) {
      // Names, labels and literals are copied from the XML as they are: bytes that are not
      // UTF-8 cannot be written as JSON text.
      throw Error(ErrorCode::xml_syntax,
                  std::string("the document is not valid UTF-8: ") + bounded_text(e.what()),
                  "/definitions");
    }
    try {
      (void)Pack::load(result.pack);
    } catch (const Error& e) {
      if (options_.skip_unmappable_decisions) {
        std::size_t index = 0;
        if (std::sscanf(e.pointer().c_str(), "/decisions/%zu", &index) == 1 &&
            index < pack_decision_owner_.size())
          throw Skip{pack_decision_owner_[index],
                     Error(e.code(), e.message(), origin_of(e.pointer()), e.column()).describe()};
      }
      throw Error(e.code(), e.message(), origin_of(e.pointer()), e.column());
    }
    return result;
  }

  void decision(Node d, DmnBinding& b, const FeelScope& s, ojson& decisions) {
    {
      std::string pointer = "/decisions/" + std::to_string(decisions.size());
      origin_.emplace_back(pointer, d);
      Node table = child(d, "decisionTable");
      Node literal = child(d, "literalExpression");
      if (literal && ext(d, "kind") == "variable")
        pack_variable(d, literal, b, s);
      else if (table)
        decision_table(d, table, b, s, pointer, decisions);
      else if (literal)
        decisions.push_back(literal_decision(d, literal, b, s, pointer));
      else {
        Node logic;
        for (Node c = d.first_child(); c && !logic; c = c.next_sibling()) {
          std::string_view k = local(c);
          if (!k.empty() && k != "variable" && k != "informationRequirement" &&
              k != "knowledgeRequirement" && k != "authorityRequirement" && k != "description" &&
              k != "question" && k != "allowedAnswers" && k != "extensionElements")
            logic = c;
        }
        if (logic)
          fail(ErrorCode::unsupported_construct,
               "the boxed expression <" + std::string(local(logic)) +
                   "> is outside the mapped subset",
               logic);
        fail(ErrorCode::unsupported_construct, "a decision without logic", d);
      }
    }
  }

  std::string origin_of(const std::string& pointer) const {
    const std::pair<std::string, Node>* best = nullptr;
    for (const auto& o : origin_) {
      const std::string& p = o.first;
      bool prefix = pointer.compare(0, p.size(), p) == 0 &&
                    (pointer.size() == p.size() || pointer[p.size()] == '/');
      if (prefix && (!best || p.size() > best->first.size())) best = &o;
    }
    return best ? xpath(best->second) : xpath(root_);
  }

  // A decision export_dmn wrote for one of the pack's variables becomes that variable again.
  void pack_variable(Node d, Node literal, DmnBinding& b, const FeelScope& s) {
    b.slot = slot_of_name_.at(b.name);
    ojson v = ojson::object();
    v["name"] = b.slot;
    origin_.emplace_back("/variables/" + std::to_string(variables_.size()), literal);
    v["expression"] = feel(text_of(literal), FeelMode::expression, literal, s);
    v["label"] = label(d.attribute("label") ? d.attribute("label").value() : b.name);
    if (Node desc = child(d, "description"))
      v["description"] = std::string(trim(desc.child_value()));
    put_provenance(v, d);
    variables_.push_back(std::move(v));
  }

  ojson literal_decision(Node d, Node literal, DmnBinding& b, const FeelScope& s,
                         const std::string& pointer) {
    std::string slot = slot_of_name_.at(b.name);
    b.slot = slot;
    TypeInfo t = variable_type(d);
    std::string text = text_of(literal);
    if (t.type.empty()) t = infer_type(text);
    if (!t.components.empty())
      fail(ErrorCode::unsupported_construct, "a literal expression giving a structure", d);
    ojson out = ojson::object();
    out["id"] = slot;
    out["kind"] = "expression";
    out["label"] = label(b.name);
    if (Node desc = child(d, "description"))
      out["description"] = std::string(trim(desc.child_value()));
    origin_.emplace_back(pointer + "/expression", literal);
    out["expression"] = feel(text, FeelMode::expression, literal, s);
    ojson o = ojson::object();
    Node var = child(d, "variable");
    o["name"] = ext(var, "name").empty() ? slot : ext(var, "name");
    try {
      put_type(o, t);
    } catch (const Error& e) {
      fail(e.code(), e.message(), d);
    }
    if (ext(var, "type") == "integer" && o["type"] == "decimal") o["type"] = "integer";
    b.collection = t.collection;
    out["output"] = std::move(o);
    put_provenance(out, d);
    return out;
  }

  // The type of a literal expression without typeRef, from its text alone.
  static TypeInfo infer_type(std::string_view text) {
    TypeInfo t;
    text = trim(text);
    if (!text.empty() && text.front() == '"')
      t.type = "string";
    else if (text == "true" || text == "false")
      t.type = "bool";
    else
      t.type = "decimal";
    return t;
  }

  void decision_table(Node d, Node table, DmnBinding& b, const FeelScope& s,
                      const std::string& pointer, ojson& decisions) {
    std::string slot = slot_of_name_.at(b.name);
    ojson out = ojson::object();
    out["id"] = slot;
    out["kind"] = "table";
    out["label"] = label(b.name);
    if (Node desc = child(d, "description"))
      out["description"] = std::string(trim(desc.child_value()));
    std::string policy = table.attribute("hitPolicy").value();
    if (policy.empty()) policy = "UNIQUE";
    std::string aggregation = table.attribute("aggregation").value();
    std::vector<Node> outputs = children(table, "output");
    if (outputs.empty())
      fail(ErrorCode::unsupported_construct, "a decision table without output", table);
    if (!aggregation.empty()) {
      if (policy != "COLLECT")
        fail(ErrorCode::bad_hit_policy,
             "the aggregation " + aggregation + " is allowed only with COLLECT, not " + policy,
             table);
      if (aggregation != "SUM" && aggregation != "MIN" && aggregation != "MAX" &&
          aggregation != "COUNT")
        fail(ErrorCode::bad_hit_policy, "unknown aggregation \"" + aggregation + "\"", table);
      if (outputs.size() > 1)
        fail(ErrorCode::bad_hit_policy, "an aggregation over a table with several outputs", table);
      policy += " " + aggregation;
    }
    std::optional<HitPolicy> hit = parse_hit_policy(policy);
    if (!hit || policy.size() <= 2)
      fail(ErrorCode::bad_hit_policy, "unknown hit policy \"" + policy + "\"", table);
    out["hit_policy"] = std::string(hit_policy_name(*hit));
    if (ext(table, "complete") == "true") out["complete"] = true;
    bool collect = !is_single_hit(*hit) &&
                   !(*hit == HitPolicy::collect_sum || *hit == HitPolicy::collect_min ||
                     *hit == HitPolicy::collect_max || *hit == HitPolicy::collect_count);
    b.collection = collect;

    ojson cols = ojson::array();
    std::vector<Node> inputs = children(table, "input");
    for (std::size_t c = 0; c < inputs.size(); ++c) {
      Node in = inputs[c];
      Node expression = child(in, "inputExpression");
      if (!expression)
        fail(ErrorCode::unsupported_construct, "an input clause without inputExpression", in);
      ojson col = ojson::object();
      origin_.emplace_back(pointer + "/inputs/" + std::to_string(c), expression);
      col["expression"] = feel(text_of(expression), FeelMode::expression, expression, s);
      std::string l = in.attribute("label").value();
      if (l.empty()) l = text_of(expression);
      col["label"] = label(l);
      cols.push_back(std::move(col));
    }
    out["inputs"] = std::move(cols);

    TypeInfo declared = variable_type(d);
    // Default outputs (used when no rule matches): FIRST gets a last rule matching everything;
    // UNIQUE and ANY an expression coalesce(table output, default), exact only when no rule
    // can give null, so only when every entry of the column is a literal; RULE ORDER, OUTPUT
    // ORDER and COLLECT a list of the defaults when the table's list is empty (no rule matched).
    std::vector<std::string> defaults(outputs.size());
    bool has_default = false;
    for (std::size_t o = 0; o < outputs.size(); ++o)
      if (Node def = child(outputs[o], "defaultOutputEntry")) {
        defaults[o] = feel(text_of(def), FeelMode::expression, def, s);
        has_default = true;
      }
    bool coalesced = has_default && *hit != HitPolicy::first;
    const bool listed = *hit == HitPolicy::rule_order || *hit == HitPolicy::output_order ||
                        *hit == HitPolicy::collect;
    ojson listed_variables = ojson::array();
    if (coalesced && !listed) {
      if (*hit != HitPolicy::unique && *hit != HitPolicy::any)
        fail(ErrorCode::unsupported_construct,
             "default output entries with the hit policy " + policy, table);
      for (std::size_t o = 0; o < outputs.size(); ++o) {
        if (defaults[o].empty()) continue;
        for (Node rule : children(table, "rule")) {
          std::vector<Node> then = children(rule, "outputEntry");
          std::string text = o < then.size() ? text_of(then[o]) : "";
          if (!is_literal(text))
            fail(ErrorCode::unsupported_construct,
                 "a default output entry beside output entries that are not literals", then[o]);
        }
      }
    }
    const std::string table_slot = coalesced ? slot + "__table" : slot;
    if (coalesced) out["id"] = table_slot;
    ojson extra = ojson::array();
    ojson outs = ojson::array();
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      Node output = outputs[o];
      std::string name = output.attribute("name").value();
      TypeInfo t;
      t.type.clear();
      if (std::string_view ref = output.attribute("typeRef").value(); !ref.empty())
        t = resolve_type(ref, output);
      else if (outputs.size() == 1 && !declared.type.empty() && declared.components.empty())
        t = declared, t.collection = false;
      else
        for (const auto& [component, type] : declared.components)
          if (component == name) t = type;
      if (Node values = child(output, "outputValues")) {
        std::string text = text_of(values);
        auto list = string_list(text);
        if (!list)
          fail(ErrorCode::unsupported_construct,
               "output values other than a list of strings (\"" + text + "\")", values);
        t.type = "enum";
        t.values = *list;
        t.collection = false;
      }
      if (t.type.empty()) t = infer_output(table, o);
      if (t.collection || !t.components.empty())
        fail(ErrorCode::unsupported_construct, "an output column holding a list or a structure",
             output);
      std::string out_slot = table_slot;
      std::string public_slot = slot;
      if (std::string named = ext(output, "name"); !named.empty()) {
        if (coalesced)
          fail(ErrorCode::unsupported_construct,
               "an output named by " + aig_ + "name beside default output entries", output);
        out_slot = public_slot = named;
      } else if (outputs.size() > 1) {
        if (name.empty())
          fail(ErrorCode::unsupported_construct, "an output of several without a name", output);
        out_slot = table_slot + "." + feel_identifier(name);
        public_slot = slot + "." + feel_identifier(name);
      }
      if (coalesced && listed && !defaults[o].empty()) {
        ojson v = ojson::object();
        v["name"] = public_slot;
        v["expression"] =
            "if count(" + out_slot + ") = 0 then [" + defaults[o] + "] else " + out_slot;
        v["label"] = label(name.empty() ? b.name : name);
        v["source"] = kSourceId;
        v["status"] = "interpretation";
        listed_variables.push_back(std::move(v));
      } else if (coalesced && !defaults[o].empty()) {
        ojson e = ojson::object();
        e["id"] = public_slot == slot ? slot : slot + "__" + feel_identifier(name);
        e["kind"] = "expression";
        e["label"] = label(name.empty() ? b.name : name);
        e["expression"] = "coalesce(" + out_slot + ", " + defaults[o] + ")";
        ojson spec = ojson::object();
        spec["name"] = public_slot;
        put_type(spec, t);
        e["output"] = std::move(spec);
        e["source"] = kSourceId;
        e["status"] = "interpretation";
        extra.push_back(std::move(e));
      } else {
        public_slot = out_slot;
      }
      if (outputs.size() > 1)
        b.components.push_back({name, public_slot});
      else
        b.slot = public_slot;
      ojson spec = ojson::object();
      spec["name"] = out_slot;
      put_type(spec, t);
      if (ext(output, "type") == "integer" && spec["type"] == "decimal") spec["type"] = "integer";
      spec["label"] = label(name.empty() ? b.name : name);
      origin_.emplace_back(pointer + "/outputs/" + std::to_string(o), output);
      outs.push_back(std::move(spec));
    }
    out["outputs"] = std::move(outs);

    ojson rules = ojson::array();
    std::vector<Node> rule_nodes = children(table, "rule");
    // Annotation columns named as export_dmn names them carry the rule's id, source, status,
    // description and note; other annotations are joined into the description.
    std::vector<std::string> annotation_keys;
    if (!aig_.empty()) {
      static const std::map<std::string, std::string> kKeys{{"rule id", "id"},
                                                            {"source", "source"},
                                                            {"status", "status"},
                                                            {"description", "description"},
                                                            {"note", "note"}};
      for (Node a : children(table, "annotation")) {
        auto it = kKeys.find(a.attribute("name").value());
        annotation_keys.push_back(it == kKeys.end() ? std::string() : it->second);
      }
    }
    for (std::size_t r = 0; r < rule_nodes.size(); ++r) {
      Node rule = rule_nodes[r];
      std::string rp = pointer + "/rules/" + std::to_string(r);
      origin_.emplace_back(rp, rule);
      std::vector<Node> when = children(rule, "inputEntry");
      std::vector<Node> then = children(rule, "outputEntry");
      if (when.size() != inputs.size() || then.size() != outputs.size())
        fail(ErrorCode::cell_count,
             "the rule has " + std::to_string(when.size()) + " input and " +
                 std::to_string(then.size()) + " output entries for " +
                 std::to_string(inputs.size()) + " inputs and " + std::to_string(outputs.size()) +
                 " outputs",
             rule);
      ojson j = ojson::object();
      std::string id = rule.attribute("id").value();
      j["id"] = id.empty() ? "R" + std::to_string(r + 1) : id;
      ojson w = ojson::array(), t = ojson::array();
      for (std::size_t c = 0; c < when.size(); ++c) {
        origin_.emplace_back(rp + "/when/" + std::to_string(c), when[c]);
        w.push_back(feel(text_of(when[c]), FeelMode::unary_tests, when[c], s));
      }
      for (std::size_t c = 0; c < then.size(); ++c) {
        origin_.emplace_back(rp + "/then/" + std::to_string(c), then[c]);
        std::string text = text_of(then[c]);
        if (trim(text).empty() || trim(text) == "-") text = "null";
        t.push_back(feel(text, FeelMode::expression, then[c], s));
      }
      j["when"] = std::move(w);
      j["then"] = std::move(t);
      j["source"] = kSourceId;
      j["status"] = "interpretation";
      std::string description;
      if (Node desc = child(rule, "description")) description = trim(desc.child_value());
      std::vector<Node> annotations = children(rule, "annotationEntry");
      for (std::size_t a = 0; a < annotations.size(); ++a) {
        std::string text = text_of(annotations[a]);
        if (text.empty()) continue;
        if (a < annotation_keys.size() && !annotation_keys[a].empty()) {
          if (annotation_keys[a] == "description")
            description = text;
          else
            j[annotation_keys[a]] = text;
          continue;
        }
        if (!description.empty()) description += " ; ";
        description += text;
      }
      if (!description.empty()) j["description"] = description;
      rules.push_back(std::move(j));
    }
    if (has_default && !coalesced) {
      ojson j = ojson::object();
      j["id"] = "default";
      j["when"] = ojson::array();
      for (std::size_t c = 0; c < inputs.size(); ++c) j["when"].push_back("-");
      j["then"] = ojson::array();
      for (const std::string& text : defaults) j["then"].push_back(text.empty() ? "null" : text);
      j["source"] = kSourceId;
      j["status"] = "interpretation";
      j["description"] = "default output entries (no other rule matches)";
      rules.push_back(std::move(j));
    }
    out["rules"] = std::move(rules);
    decisions.push_back(std::move(out));
    for (auto& e : extra) {
      origin_.emplace_back("/decisions/" + std::to_string(decisions.size()), d);
      decisions.push_back(std::move(e));
    }
    for (auto& v : listed_variables) {
      origin_.emplace_back("/variables/" + std::to_string(variables_.size()), d);
      variables_.push_back(std::move(v));
    }
  }

  static bool is_literal(std::string_view text) {
    text = trim(text);
    if (text.empty()) return false;
    if (text.front() == '"')
      return text.size() >= 2 && text.back() == '"' && text.find('"', 1) == text.size() - 1;
    if (text == "true" || text == "false") return true;
    std::size_t i = text.front() == '-' ? 1 : 0;
    bool digit = false;
    for (; i < text.size(); ++i) {
      if (text[i] >= '0' && text[i] <= '9')
        digit = true;
      else if (text[i] != '.')
        return false;
    }
    return digit;
  }

  // An output column without any type: from its entries (all strings, all numbers, all
  // booleans); anything else needs a typeRef.
  TypeInfo infer_output(Node table, std::size_t o) const {
    std::string kind;
    for (Node rule : children(table, "rule")) {
      std::vector<Node> then = children(rule, "outputEntry");
      if (o >= then.size()) continue;
      std::string text = text_of(then[o]);
      if (text.empty() || text == "null" || text == "-") continue;
      TypeInfo t = infer_type(text);
      if (!kind.empty() && kind != t.type)
        fail(ErrorCode::unsupported_construct,
             "an output column without typeRef whose entries are of several types", then[o]);
      kind = t.type;
    }
    TypeInfo t;
    t.type = kind.empty() ? "string" : kind;
    return t;
  }
};

}  // namespace

DmnImport import_dmn_model(std::string_view xml, const DmnImportOptions& options) {
  return Importer(options).run(xml);
}

std::string import_dmn(std::string_view xml, const DmnImportOptions& options) {
  return import_dmn_model(xml, options).pack;
}

}  // namespace v1
}  // namespace aiguillage
