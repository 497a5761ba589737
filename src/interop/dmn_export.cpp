#include <pugixml.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/interop/pack_export.hpp"
#include "aiguillage/rules/pack.hpp"
#include "feel_translate.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using ojson = nlohmann::ordered_json;
using XNode = pugi::xml_node;

constexpr const char* kDmn13 = "https://www.omg.org/spec/DMN/20191111/MODEL/";
// The annotation columns of an exported table, read back by import_dmn in this order.
constexpr const char* kAnnotations[] = {"rule id", "source", "status", "description", "note"};
constexpr const char* kAnnotationKeys[] = {"id", "source", "status", "description", "note"};

std::string str(const ojson& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

[[noreturn]] void inexpressible(const std::string& message, const std::string& pointer) {
  throw Error(ErrorCode::inexpressible, message, pointer);
}

class DmnWriter {
 public:
  DmnWriter(const ojson& pack, const Pack& compiled) : pack_(pack), compiled_(compiled) {}

  std::string run() {
    XNode decl = doc_.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    root_ = doc_.append_child("definitions");
    root_.append_attribute("xmlns") = kDmn13;
    root_.append_attribute("xmlns:aig") = std::string(kDmnExtensionNamespace).c_str();
    root_.append_attribute("id") = "definitions";
    root_.append_attribute("name") = str(pack_, "id").c_str();
    root_.append_attribute("namespace") =
        ("urn:aiguillage:pack:" + str(pack_, "id") + ":" + str(pack_, "version")).c_str();
    root_.append_attribute("aig:id") = str(pack_, "id").c_str();
    root_.append_attribute("aig:version") = str(pack_, "version").c_str();
    root_.append_attribute("aig:valid_from") = str(pack_, "valid_from").c_str();
    if (!str(pack_, "valid_to").empty())
      root_.append_attribute("aig:valid_to") = str(pack_, "valid_to").c_str();
    if (!str(pack_, "title").empty())
      root_.append_child("description").text() = str(pack_, "title").c_str();
    for (const auto& in : pack_.value("inputs", ojson::array()))
      scope_.names.push_back({str(in, "name"), str(in, "name")});
    for (const auto& v : pack_.value("variables", ojson::array()))
      scope_.names.push_back({str(v, "name"), str(v, "name")});
    for (const auto& d : pack_.value("decisions", ojson::array()))
      scope_.names.push_back({str(d, "id"), str(d, "id")});
    scope_.sort_names();
    extensions();
    const ojson& inputs = pack_.at("inputs");
    for (std::size_t k = 0; k < inputs.size(); ++k)
      input(inputs[k], "/inputs/" + std::to_string(k));
    const ojson variables = pack_.value("variables", ojson::array());
    for (std::size_t k = 0; k < variables.size(); ++k)
      variable(variables[k], "/variables/" + std::to_string(k));
    const ojson& decisions = pack_.at("decisions");
    for (std::size_t k = 0; k < decisions.size(); ++k) {
      std::string p = "/decisions/" + std::to_string(k);
      if (str(decisions[k], "kind") == "expression")
        expression_decision(decisions[k], p);
      else
        table_decision(decisions[k], p);
    }
    requirements();
    std::ostringstream out;
    doc_.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
  }

 private:
  const ojson& pack_;
  const Pack& compiled_;
  pugi::xml_document doc_;
  // DRD element ids by pack name: inputData by input name, decision by variable name or by
  // decision id; the decision element of every variable and decision, in pack order.
  std::map<std::string, std::string> input_ids_, decision_ids_;
  std::vector<XNode> variable_elements_, decision_elements_;
  XNode root_;
  detail::FeelScope scope_;
  std::set<std::string> item_names_;
  int next_id_ = 0;

  std::string fresh_id(const std::string& stem) {
    std::string id;
    for (char c : stem)
      id += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
    return "_" + std::to_string(++next_id_) + "_" + id;
  }

  static void set_json_attribute(XNode n, const char* name, const ojson& value) {
    n.append_attribute(name) =
        value.is_string() ? value.get<std::string>().c_str() : value.dump().c_str();
  }

  // Text in FEEL when FEEL states it as the pack does (the importer's translation gives the
  // same text back); otherwise in the pack's own expression language, declared on the element.
  void text_child(XNode element, const std::string& text, detail::FeelMode mode) {
    bool feel = false;
    try {
      feel = detail::translate_feel(text, scope_, mode) == text;
    } catch (const Error&) {
      feel = false;
    }
    if (!feel)
      element.append_attribute("expressionLanguage") = std::string(kPackExpressionLanguage).c_str();
    element.append_child("text").text() = text.c_str();
  }

  // The DRD's arrows: for each variable and decision, an informationRequirement per input and
  // per other decision its expressions read (columns, cells, output entries), in slot order
  // (inputs, variables, decision outputs). reference_date has no inputData and gets no arrow.
  void requirements() {
    std::vector<std::string> owner(compiled_.slot_count());  // slot -> DRD element id
    std::vector<bool> is_input(compiled_.slot_count(), false);
    for (std::size_t s = 0; s < owner.size(); ++s) {
      const std::string& name = compiled_.slot_name(static_cast<int>(s));
      if (auto it = input_ids_.find(name); it != input_ids_.end()) {
        owner[s] = it->second;
        is_input[s] = true;
      }
    }
    for (const Variable& v : compiled_.variables())
      owner[static_cast<std::size_t>(v.slot)] = decision_ids_.at(v.name);
    for (const DecisionTable& d : compiled_.decisions())
      for (const OutputSpec& o : d.outputs)
        if (o.slot >= 0) owner[static_cast<std::size_t>(o.slot)] = decision_ids_.at(d.id);
    const auto& variables = compiled_.variables();
    for (std::size_t k = 0; k < variables.size(); ++k)
      add_requirements(variable_elements_[k], {&variables[k].expression}, owner, is_input);
    const auto& decisions = compiled_.decisions();
    for (std::size_t k = 0; k < decisions.size(); ++k) {
      const DecisionTable& d = decisions[k];
      std::vector<const Expression*> reads;
      if (d.kind == DecisionTable::Kind::expression) reads.push_back(&d.expression);
      for (const TableColumn& c : d.inputs) reads.push_back(&c.expr);
      for (const Rule& r : d.rules) {
        for (const Expression& e : r.when) reads.push_back(&e);
        for (const Expression& e : r.then) reads.push_back(&e);
      }
      add_requirements(decision_elements_[k], reads, owner, is_input);
    }
  }

  void add_requirements(XNode element, const std::vector<const Expression*>& reads,
                        const std::vector<std::string>& owner, const std::vector<bool>& is_input) {
    std::set<int> slots;
    for (const Expression* e : reads) slots.insert(e->slots().begin(), e->slots().end());
    const std::string self = element.attribute("id").value();
    std::set<std::string> seen;
    XNode before = element.child("decisionTable");
    if (!before) before = element.child("literalExpression");
    for (int s : slots) {
      const std::string& id = owner[static_cast<std::size_t>(s)];
      if (id.empty() || id == self || !seen.insert(id).second) continue;
      XNode r = element.insert_child_before("informationRequirement", before);
      r.append_attribute("id") =
          fresh_id(std::string(element.attribute("name").value()) + "_requires").c_str();
      XNode ref = r.append_child(is_input[static_cast<std::size_t>(s)] ? "requiredInput"
                                                                       : "requiredDecision");
      ref.append_attribute("href") = ("#" + id).c_str();
    }
  }

  void extensions() {
    XNode ext = root_.append_child("extensionElements");
    for (const auto& s : pack_.value("sources", ojson::array())) {
      XNode n = ext.append_child("aig:source");
      for (const char* key : {"id", "title", "url"})
        if (s.contains(key)) n.append_attribute(key) = str(s, key).c_str();
    }
    const ojson constraints = pack_.value("constraints", ojson::array());
    for (const auto& c : constraints) {
      XNode n = ext.append_child("aig:constraint");
      for (const char* key : {"id", "source", "status", "note"})
        if (c.contains(key)) n.append_attribute(key) = str(c, key).c_str();
      n.append_child("aig:expression").text() = str(c, "expression").c_str();
      if (c.contains("message")) {
        XNode m = n.append_child("aig:message");
        if (c["message"].is_string())  // one text for both languages
          m.text() = c["message"].get<std::string>().c_str();
        else
          for (const auto& [lang, text] : c["message"].items())
            m.append_attribute(lang.c_str()) = text.get<std::string>().c_str();
      }
    }
    if (ext.first_child().empty()) root_.remove_child(ext);
  }

  // The typeRef of a field: a DMN built-in type, or an item definition for enums and lists.
  std::string type_ref(const ojson& field, const std::string& stem, const std::string& pointer) {
    std::string type = str(field, "type");
    if (type == "bool") return "boolean";
    if (type == "integer" || type == "decimal") return "number";
    if (type == "string") return "string";
    if (type == "date") return "date";
    if (type == "enum" || type == "list") {
      std::string name = "t_" + stem;
      while (!item_names_.insert(name).second) name += "_";
      XNode def = root_.insert_child_before("itemDefinition", first_named_element());
      def.append_attribute("id") = fresh_id(name).c_str();
      def.append_attribute("name") = name.c_str();
      const ojson& item = type == "list" ? field.at("items") : field;
      std::string item_type = str(item, "type");
      if (item_type != "enum" && item_type != "string")
        inexpressible("a list of " + item_type + " values (DMN import reads lists of texts only)",
                      pointer);
      def.append_child("typeRef").text() = "string";
      if (item_type == "enum") {
        std::string values;
        for (const auto& v : item.at("values")) {
          if (!values.empty()) values += ",";
          std::string s = v.get<std::string>();
          if (s.find('"') != std::string::npos || s.find('\\') != std::string::npos)
            inexpressible("the enum value " + ojson(s).dump() +
                              " holds a quote or a backslash, which a FEEL list of allowed "
                              "values cannot state",
                          pointer);
          values += "\"" + s + "\"";
        }
        def.append_child("allowedValues").append_child("text").text() = values.c_str();
      }
      if (type == "list") def.append_attribute("isCollection") = "true";
      return name;
    }
    inexpressible("the type \"" + type + "\" has no DMN counterpart", pointer);
  }

  XNode first_named_element() {
    for (XNode c = root_.first_child(); c; c = c.next_sibling()) {
      std::string_view n = c.name();
      if (n == "inputData" || n == "decision") return c;
    }
    return XNode();
  }

  void input(const ojson& in, const std::string& pointer) {
    std::string name = str(in, "name");
    XNode n = root_.append_child("inputData");
    n.append_attribute("id") = fresh_id(name).c_str();
    input_ids_[name] = n.attribute("id").value();
    n.append_attribute("name") = name.c_str();
    if (in.contains("label")) n.append_attribute("label") = str(in["label"], "fr").c_str();
    for (const char* key : {"min", "max", "max_length", "max_items", "required", "ask_values"})
      if (in.contains(key)) set_json_attribute(n, (std::string("aig:") + key).c_str(), in[key]);
    if (str(in, "type") == "integer") n.append_attribute("aig:type") = "integer";
    if (in.contains("description"))
      n.prepend_child("description").text() = str(in, "description").c_str();
    XNode v = n.append_child("variable");
    v.append_attribute("id") = fresh_id(name + "_variable").c_str();
    v.append_attribute("name") = name.c_str();
    v.append_attribute("typeRef") = type_ref(in, name, pointer).c_str();
  }

  XNode decision_element(const std::string& name, const ojson& source) {
    XNode d = root_.append_child("decision");
    d.append_attribute("id") = fresh_id(name).c_str();
    decision_ids_[name] = d.attribute("id").value();
    d.append_attribute("name") = name.c_str();
    if (source.contains("label")) d.append_attribute("label") = str(source["label"], "fr").c_str();
    for (const char* key : {"source", "status", "note"})
      if (source.contains(key))
        d.append_attribute((std::string("aig:") + key).c_str()) = str(source, key).c_str();
    if (source.contains("description"))
      d.append_child("description").text() = str(source, "description").c_str();
    return d;
  }

  void variable(const ojson& v, const std::string& pointer) {
    (void)pointer;
    std::string name = str(v, "name");
    XNode d = decision_element(name, v);
    variable_elements_.push_back(d);
    d.append_attribute("aig:kind") = "variable";
    XNode var = d.append_child("variable");
    var.append_attribute("id") = fresh_id(name + "_variable").c_str();
    var.append_attribute("name") = name.c_str();
    XNode literal = d.append_child("literalExpression");
    text_child(literal, str(v, "expression"), detail::FeelMode::expression);
  }

  void output_variable(XNode d, const std::string& name, const ojson& output,
                       const std::string& pointer) {
    XNode var = d.append_child("variable");
    var.append_attribute("id") = fresh_id(name + "_variable").c_str();
    var.append_attribute("name") = name.c_str();
    var.append_attribute("typeRef") = type_ref(output, name, pointer).c_str();
    var.append_attribute("aig:name") = str(output, "name").c_str();
    if (str(output, "type") == "integer") var.append_attribute("aig:type") = "integer";
  }

  void expression_decision(const ojson& dj, const std::string& pointer) {
    std::string id = str(dj, "id");
    XNode d = decision_element(id, dj);
    decision_elements_.push_back(d);
    output_variable(d, id, dj.at("output"), pointer + "/output");
    XNode literal = d.append_child("literalExpression");
    text_child(literal, str(dj, "expression"), detail::FeelMode::expression);
  }

  void table_decision(const ojson& dj, const std::string& pointer) {
    std::string id = str(dj, "id");
    XNode d = decision_element(id, dj);
    decision_elements_.push_back(d);
    const ojson& outputs = dj.at("outputs");
    XNode var = d.append_child("variable");
    var.append_attribute("id") = fresh_id(id + "_variable").c_str();
    var.append_attribute("name") = id.c_str();
    XNode table = d.append_child("decisionTable");
    table.append_attribute("id") = fresh_id(id + "_table").c_str();
    std::optional<HitPolicy> hit = parse_hit_policy(str(dj, "hit_policy"));
    if (!hit) inexpressible("unknown hit policy", pointer + "/hit_policy");
    std::string policy(hit_policy_name(*hit));
    if (auto space = policy.find(' '); policy.rfind("COLLECT ", 0) == 0) {
      table.append_attribute("hitPolicy") = "COLLECT";
      table.append_attribute("aggregation") = policy.substr(space + 1).c_str();
    } else {
      table.append_attribute("hitPolicy") = policy.c_str();
    }
    if (dj.value("complete", false)) table.append_attribute("aig:complete") = "true";
    const ojson& columns = dj.at("inputs");
    for (std::size_t c = 0; c < columns.size(); ++c) {
      XNode in = table.append_child("input");
      in.append_attribute("id") = fresh_id(id + "_input").c_str();
      if (columns[c].contains("label"))
        in.append_attribute("label") = str(columns[c]["label"], "fr").c_str();
      XNode e = in.append_child("inputExpression");
      e.append_attribute("id") = fresh_id(id + "_expression").c_str();
      text_child(e, str(columns[c], "expression"), detail::FeelMode::expression);
    }
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      const ojson& out = outputs[o];
      std::string op = pointer + "/outputs/" + std::to_string(o);
      XNode x = table.append_child("output");
      x.append_attribute("id") = fresh_id(id + "_output").c_str();
      x.append_attribute("name") = str(out, "name").c_str();
      if (out.contains("label")) x.append_attribute("label") = str(out["label"], "fr").c_str();
      std::string type = str(out, "type");
      if (type == "list") inexpressible("a table output holding a list", op);
      x.append_attribute("typeRef") =
          (type == "enum" ? std::string("string") : type_ref(out, str(out, "name"), op)).c_str();
      x.append_attribute("aig:name") = str(out, "name").c_str();
      if (type == "integer") x.append_attribute("aig:type") = "integer";
      if (type == "enum") {
        std::string values;
        for (const auto& v : out.at("values")) {
          std::string s = v.get<std::string>();
          if (s.find('"') != std::string::npos || s.find('\\') != std::string::npos)
            inexpressible("the output value " + ojson(s).dump() + " holds a quote or a backslash",
                          op);
          values += (values.empty() ? "\"" : ",\"") + s + "\"";
        }
        x.append_child("outputValues").append_child("text").text() = values.c_str();
      }
    }
    for (const char* a : kAnnotations)
      table.append_child("annotation").append_attribute("name") = a;
    const ojson& rules = dj.at("rules");
    for (std::size_t r = 0; r < rules.size(); ++r) {
      const ojson& rule = rules[r];
      XNode x = table.append_child("rule");
      x.append_attribute("id") = fresh_id(id + "_" + str(rule, "id")).c_str();
      for (const auto& cell : rule.at("when")) {
        XNode e = x.append_child("inputEntry");
        e.append_attribute("id") = fresh_id(id + "_in").c_str();
        text_child(e, cell.get<std::string>(), detail::FeelMode::unary_tests);
      }
      for (const auto& cell : rule.at("then")) {
        XNode e = x.append_child("outputEntry");
        e.append_attribute("id") = fresh_id(id + "_out").c_str();
        text_child(e, cell.get<std::string>(), detail::FeelMode::expression);
      }
      for (const char* key : kAnnotationKeys)
        x.append_child("annotationEntry").append_child("text").text() = str(rule, key).c_str();
    }
  }
};

// The parts of a field that decide which values a record may hold.
ojson logic_field(const ojson& f) {
  ojson out = ojson::object();
  for (const char* key :
       {"name", "type", "values", "items", "min", "max", "max_length", "max_items", "ask_values"})
    if (f.contains(key)) out[key] = key == std::string("items") ? logic_field(f[key]) : f[key];
  if (f.contains("type") || f.contains("required")) out["required"] = f.value("required", false);
  return out;
}

}  // namespace

std::string export_dmn(std::string_view pack_json) {
  const Pack compiled = Pack::load(pack_json);  // only valid packs are exported
  ojson pack = ojson::parse(pack_json);
  return DmnWriter(pack, compiled).run();
}

std::string pack_logic_hash(std::string_view pack_json) {
  (void)Pack::load(pack_json);
  ojson pack = ojson::parse(pack_json);
  ojson logic = ojson::object();
  ojson inputs = ojson::array();
  for (const auto& in : pack.at("inputs")) inputs.push_back(logic_field(in));
  logic["inputs"] = std::move(inputs);
  ojson constraints = ojson::array();
  for (const auto& c : pack.value("constraints", ojson::array()))
    constraints.push_back(c.at("expression"));
  logic["constraints"] = std::move(constraints);
  ojson variables = ojson::array();
  for (const auto& v : pack.value("variables", ojson::array()))
    variables.push_back(ojson{{"name", v.at("name")}, {"expression", v.at("expression")}});
  logic["variables"] = std::move(variables);
  ojson decisions = ojson::array();
  for (const auto& d : pack.at("decisions")) {
    ojson out = ojson::object();
    out["id"] = d.at("id");
    out["kind"] = d.value("kind", "table");
    if (out["kind"] == "expression") {
      out["expression"] = d.at("expression");
      out["output"] = logic_field(d.at("output"));
      out["output"].erase("required");
    } else {
      auto hit = parse_hit_policy(d.value("hit_policy", "UNIQUE"));
      out["hit_policy"] = hit ? std::string(hit_policy_name(*hit)) : d.value("hit_policy", "");
      out["complete"] = d.value("complete", false);
      ojson columns = ojson::array();
      for (const auto& c : d.at("inputs")) columns.push_back(c.at("expression"));
      out["inputs"] = std::move(columns);
      ojson outputs = ojson::array();
      for (const auto& o : d.at("outputs")) {
        ojson spec = logic_field(o);
        spec.erase("required");
        outputs.push_back(std::move(spec));
      }
      out["outputs"] = std::move(outputs);
      ojson rules = ojson::array();
      for (const auto& r : d.at("rules"))
        rules.push_back(ojson{{"when", r.at("when")}, {"then", r.at("then")}});
      out["rules"] = std::move(rules);
    }
    decisions.push_back(std::move(out));
  }
  logic["decisions"] = std::move(decisions);
  return document_hash(logic.dump());
}

}  // namespace v1
}  // namespace aiguillage
