#include "aiguillage/rules/pack.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>

#include "aiguillage/core/hash.hpp"
#include "aiguillage/rules/decision_table.hpp"
#include "core/file.hpp"
#include "core/json_read.hpp"
#include "rules/pack_document.hpp"

namespace aiguillage {
inline namespace v1 {

using detail::child;
using detail::json;

std::string_view rule_status_name(RuleStatus s) noexcept {
  return s == RuleStatus::verified ? "verified" : "interpretation";
}

std::string_view hit_policy_name(HitPolicy p) noexcept {
  switch (p) {
    case HitPolicy::unique:
      return "UNIQUE";
    case HitPolicy::any:
      return "ANY";
    case HitPolicy::priority:
      return "PRIORITY";
    case HitPolicy::first:
      return "FIRST";
    case HitPolicy::rule_order:
      return "RULE ORDER";
    case HitPolicy::output_order:
      return "OUTPUT ORDER";
    case HitPolicy::collect:
      return "COLLECT";
    case HitPolicy::collect_sum:
      return "COLLECT SUM";
    case HitPolicy::collect_min:
      return "COLLECT MIN";
    case HitPolicy::collect_max:
      return "COLLECT MAX";
    case HitPolicy::collect_count:
      return "COLLECT COUNT";
  }
  return "FIRST";
}

std::optional<HitPolicy> parse_hit_policy(std::string_view text) noexcept {
  std::string t;
  for (char c : text)
    t += (c == '_' || c == '-') ? ' '
                                : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, HitPolicy> table[] = {
      {"UNIQUE", HitPolicy::unique},
      {"U", HitPolicy::unique},
      {"ANY", HitPolicy::any},
      {"A", HitPolicy::any},
      {"PRIORITY", HitPolicy::priority},
      {"P", HitPolicy::priority},
      {"FIRST", HitPolicy::first},
      {"F", HitPolicy::first},
      {"RULE ORDER", HitPolicy::rule_order},
      {"R", HitPolicy::rule_order},
      {"OUTPUT ORDER", HitPolicy::output_order},
      {"O", HitPolicy::output_order},
      {"COLLECT", HitPolicy::collect},
      {"C", HitPolicy::collect},
      {"COLLECT SUM", HitPolicy::collect_sum},
      {"C+", HitPolicy::collect_sum},
      {"COLLECT MIN", HitPolicy::collect_min},
      {"C<", HitPolicy::collect_min},
      {"COLLECT MAX", HitPolicy::collect_max},
      {"C>", HitPolicy::collect_max},
      {"COLLECT COUNT", HitPolicy::collect_count},
      {"C#", HitPolicy::collect_count},
  };
  for (const auto& [name, p] : table)
    if (t == name) return p;
  return std::nullopt;
}

bool is_single_hit(HitPolicy p) noexcept {
  return p == HitPolicy::unique || p == HitPolicy::any || p == HitPolicy::priority ||
         p == HitPolicy::first;
}

struct Pack::Data {
  std::string id, version, title, purpose, hash, schema_version;
  bool human_decision_required = false;
  std::vector<Label> notice_rights;
  Date valid_from;
  std::optional<Date> valid_to;
  std::vector<Source> sources;
  InputSchema schema;
  int reference_field = -1;
  std::vector<Constraint> constraints;
  std::vector<Variable> variables;
  std::vector<DecisionTable> decisions;
  std::vector<Node> order;
  std::vector<std::string> slot_names;
  std::vector<StaticType> slot_types;
  std::vector<std::vector<int>> slot_inputs;
  std::unordered_map<std::string, int> slot_index;
  std::vector<int> unused;
  int schema_minor = 0;
  // Per slot: the enum values of an enum input or output (lists of enums: their items) and
  // their labels, parallel; null / empty elsewhere.
  std::vector<const std::vector<std::string>*> enum_values;
  std::vector<std::vector<Label>> enum_labels;
  std::vector<std::vector<std::string>> ask_values;  // per input field
  bool any_ask = false;
};

namespace {

StaticType static_type_of(const FieldSpec& f) {
  switch (f.type) {
    case FieldType::boolean:
      return StaticType::of(TypeKind::boolean);
    case FieldType::integer:
      return StaticType::of(TypeKind::integer);
    case FieldType::decimal:
      return StaticType::of(TypeKind::decimal);
    case FieldType::string:
      return StaticType::of(TypeKind::string);
    case FieldType::enumeration:
      return StaticType::of(TypeKind::string, &f.values);
    case FieldType::date:
      return StaticType::of(TypeKind::date);
    case FieldType::list:
      if (f.object_items) return StaticType::list_of(TypeKind::object);
      switch (f.item_type) {
        case FieldType::integer:
          return StaticType::list_of(TypeKind::integer);
        case FieldType::decimal:
          return StaticType::list_of(TypeKind::decimal);
        case FieldType::boolean:
          return StaticType::list_of(TypeKind::boolean);
        default:
          return StaticType::list_of(TypeKind::string,
                                     f.item_type == FieldType::enumeration ? &f.values : nullptr);
      }
  }
  return {};
}

StaticType static_type_of(const OutputSpec& o) {
  FieldSpec f;
  f.type = o.type;
  StaticType t = static_type_of(f);
  if (o.type == FieldType::enumeration) t.domain = &o.values;
  return t;
}

Label read_label(const json& obj, const std::string& pointer, const char* key = "label") {
  Label l;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return l;
  std::string p = child(pointer, key);
  if (it->is_string()) {
    l.fr = it->get<std::string>();
    return l;
  }
  detail::expect_object(*it, p, key);
  detail::check_keys(*it, {"fr", "en"}, p);
  l.fr = detail::get_string(*it, "fr", p, false);
  l.en = detail::get_string(*it, "en", p, false);
  return l;
}

std::vector<std::string> read_values(const json& obj, const std::string& pointer, bool required) {
  std::vector<std::string> values;
  auto it = obj.find("values");
  if (it == obj.end()) {
    if (required)
      throw Error(ErrorCode::required_missing, "an enum needs its closed list \"values\"",
                  child(pointer, "values"));
    return values;
  }
  std::string p = child(pointer, "values");
  detail::expect_array(*it, p, "values");
  // A hash set, not a search of the list per value: a 300,000-value enum loads in linear time.
  std::unordered_set<std::string> seen;
  seen.reserve(it->size());
  values.reserve(it->size());
  for (std::size_t k = 0; k < it->size(); ++k) {
    const json& v = (*it)[k];
    if (!v.is_string())
      throw Error(ErrorCode::type_mismatch, "enum values must be strings", child(p, k));
    std::string s = v.get<std::string>();
    if (!seen.insert(s).second)
      throw Error(ErrorCode::duplicate_name,
                  "enum value \"" + bounded_text(s) + "\" is listed twice", child(p, k));
    values.push_back(std::move(s));
  }
  if (values.empty() && required)
    throw Error(ErrorCode::invalid_document, "an enum needs at least one value", p);
  return values;
}

// "value_labels": {"<value>": {"fr": "...", "en": "..."}}: keys must be values of the enum and
// each label needs both languages. Values the object leaves out get empty labels (`check`
// reports them for 1.1 packs).
std::vector<Label> read_value_labels(const json& obj, const std::string& pointer,
                                     const std::vector<std::string>& values) {
  std::vector<Label> labels(values.size());
  auto it = obj.find("value_labels");
  if (it == obj.end() || it->is_null()) return labels;
  std::string p = child(pointer, "value_labels");
  detail::expect_object(*it, p, "value_labels");
  for (auto e = it->begin(); e != it->end(); ++e) {
    std::string vp = child(p, e.key());
    auto at = std::find(values.begin(), values.end(), e.key());
    if (at == values.end())
      throw Error(ErrorCode::enum_value,
                  "\"" + e.key().substr(0, 64) + "\" is not one of the enum's values", vp);
    detail::expect_object(e.value(), vp, "a value label");
    detail::check_keys(e.value(), {"fr", "en"}, vp);
    Label& l = labels[static_cast<std::size_t>(at - values.begin())];
    for (const char* lang : {"fr", "en"}) {
      std::string text = detail::get_string(e.value(), lang, vp, false);
      if (text.empty())
        throw Error(ErrorCode::required_missing,
                    std::string("the label of \"") + e.key().substr(0, 64) + "\" needs \"" + lang +
                        "\" text",
                    child(vp, lang));
      (lang[0] == 'f' ? l.fr : l.en) = std::move(text);
    }
  }
  return labels;
}

// "ask_values": values of an enum input that mean "to be asked" (e.g. ["unknown"]).
std::vector<std::string> read_ask_values(const json& in, const std::string& pointer,
                                         const FieldSpec& f) {
  std::vector<std::string> out;
  auto it = in.find("ask_values");
  if (it == in.end() || it->is_null()) return out;
  std::string p = child(pointer, "ask_values");
  if (f.type != FieldType::enumeration)
    throw Error(ErrorCode::invalid_document, "ask_values apply to enum inputs only", p);
  detail::expect_array(*it, p, "ask_values");
  for (std::size_t k = 0; k < it->size(); ++k) {
    const json& v = (*it)[k];
    if (!v.is_string())
      throw Error(ErrorCode::type_mismatch, "ask_values must be strings", child(p, k));
    std::string text = v.get<std::string>();
    if (f.enum_index(text) < 0)
      throw Error(ErrorCode::enum_value,
                  "\"" + text.substr(0, 64) + "\" is not one of the input's values", child(p, k));
    if (std::find(out.begin(), out.end(), text) != out.end())
      throw Error(ErrorCode::duplicate_name, "\"" + text.substr(0, 64) + "\" is listed twice",
                  child(p, k));
    out.push_back(std::move(text));
  }
  if (out.size() >= f.values.size())
    throw Error(ErrorCode::invalid_document,
                "ask_values must leave at least one value that answers the question", p);
  return out;
}

void no_value_labels(const json& obj, const std::string& pointer) {
  if (obj.contains("value_labels"))
    throw Error(ErrorCode::invalid_document, "value_labels apply to enums only",
                child(pointer, "value_labels"));
}

void set_value_labels(FieldSpec& f, const std::vector<Label>& labels) {
  f.value_labels_fr.clear();
  f.value_labels_en.clear();
  for (const Label& l : labels) {
    f.value_labels_fr.push_back(l.fr);
    f.value_labels_en.push_back(l.en);
  }
}

RuleStatus read_status(const json& obj, const std::string& pointer) {
  std::string s = detail::get_string(obj, "status", pointer);
  if (s == "verified") return RuleStatus::verified;
  if (s == "interpretation") return RuleStatus::interpretation;
  throw Error(ErrorCode::invalid_document, "status must be \"verified\" or \"interpretation\"",
              child(pointer, "status"));
}

// The fields of the items of a list of objects (ruleset 1.2): one companion input each,
// `<list>.<field>`, a list of one value per item.
std::vector<FieldSpec> read_item_fields(const json& in, const FieldSpec& list, int list_index,
                                        const std::string& p) {
  std::vector<FieldSpec> out;
  const json& items = in["items"];
  if (!items.contains("fields")) return out;
  const std::string fp = child(child(p, "items"), "fields");
  const json& fields = items["fields"];
  detail::expect_array(fields, fp, "fields");
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const std::string q = child(fp, k);
    detail::expect_object(fields[k], q, "a field");
    detail::check_keys(fields[k], {"name", "type", "label", "max_length"}, q);
    FieldSpec f;
    f.name = list.name + "." + detail::get_string(fields[k], "name", q);
    const std::string t = detail::get_string(fields[k], "type", q);
    auto type = parse_field_type(t);
    if (!type || (*type != FieldType::boolean && *type != FieldType::integer &&
                  *type != FieldType::decimal && *type != FieldType::string))
      throw Error(ErrorCode::invalid_document,
                  "fields of list items must be of type bool, integer, decimal or string",
                  child(q, "type"));
    f.type = FieldType::list;
    f.item_type = *type;
    f.items_of = list_index;
    f.source = list.source;
    f.max_length = detail::get_count(fields[k], "max_length", q);
    Label l = read_label(fields[k], q);
    f.label_fr = l.fr;
    f.label_en = l.en;
    out.push_back(std::move(f));
  }
  return out;
}

FieldSpec read_field(const json& in, const std::string& p, int minor) {
  detail::expect_object(in, p, "an input");
  detail::check_keys(
      in,
      {"name", "type", "values", "value_labels", "ask_values", "items", "min", "max", "max_length",
       "max_items", "required", "label", "source_kind", "description", "monitored", "territorial"},
      p);
  FieldSpec f;
  f.name = detail::get_string(in, "name", p);
  std::string tname = detail::get_string(in, "type", p);
  auto t = parse_field_type(tname);
  if (!t)
    throw Error(ErrorCode::invalid_document,
                "unknown type \"" + tname + "\" (bool, integer, decimal, string, enum, date, list)",
                child(p, "type"));
  f.type = *t;
  if (f.type == FieldType::enumeration) {
    f.values = read_values(in, p, true);
    set_value_labels(f, read_value_labels(in, p, f.values));
  } else {
    no_value_labels(in, p);
  }
  if (f.type == FieldType::list) {
    const json& items = detail::require(in, "items", p);
    std::string ip = child(p, "items");
    detail::expect_object(items, ip, "items");
    detail::check_keys(items, {"type", "values", "value_labels", "fields"}, ip);
    std::string it = detail::get_string(items, "type", ip);
    if (it == "object") {
      if (minor < 2)
        throw Error(ErrorCode::invalid_document, "lists of objects need schema_version 1.2",
                    child(ip, "type"));
      f.object_items = true;  // the items' fields: read_item_fields()
      f.item_type = FieldType::integer;
    } else if (items.contains("fields")) {
      throw Error(ErrorCode::invalid_document, "only lists of objects have fields",
                  child(ip, "fields"));
    } else if (it == "enum") {
      f.item_type = FieldType::enumeration;
      f.values = read_values(items, ip, true);
      set_value_labels(f, read_value_labels(items, ip, f.values));
    } else if (it == "string") {
      no_value_labels(items, ip);
      f.item_type = FieldType::string;
    } else if ((it == "integer" || it == "decimal" || it == "bool") && minor >= 2) {
      no_value_labels(items, ip);  // ruleset 1.2: lists of numbers and of bools
      f.item_type = *parse_field_type(it);
    } else {
      throw Error(ErrorCode::invalid_document,
                  minor >= 2 ? "list items must be of type enum, string, integer, decimal, bool "
                               "or object"
                             : "list items must be of type enum or string (integer, decimal and "
                               "bool items need schema_version 1.2)",
                  child(ip, "type"));
    }
  }
  if (f.type == FieldType::integer || f.type == FieldType::decimal) {
    f.min = detail::get_decimal(in, "min", p);
    f.max = detail::get_decimal(in, "max", p);
    if (f.type == FieldType::integer &&
        ((f.min && !f.min->is_integral()) || (f.max && !f.max->is_integral())))
      throw Error(ErrorCode::type_mismatch, "bounds of an integer must be integers", p);
  } else if (f.type == FieldType::date) {
    f.min_date = detail::get_date(in, "min", p);
    f.max_date = detail::get_date(in, "max", p);
  } else if (in.contains("min") || in.contains("max")) {
    throw Error(ErrorCode::invalid_document,
                "min and max apply to integer, decimal and date inputs",
                child(p, in.contains("min") ? "min" : "max"));
  }
  f.max_length = detail::get_count(in, "max_length", p);
  f.max_items = detail::get_count(in, "max_items", p);
  f.required = detail::get_bool(in, "required", p, false);
  Label l = read_label(in, p);
  f.label_fr = l.fr;
  f.label_en = l.en;
  f.description = detail::get_string(in, "description", p, false);
  std::string sk = detail::get_string(in, "source_kind", p, false, "declared");
  auto k = parse_source_kind(sk);
  if (!k || *k == SourceKind::context)
    throw Error(ErrorCode::invalid_document,
                "source_kind must be declared, counsellor or administrative_record",
                child(p, "source_kind"));
  f.source = *k;
  f.monitored = detail::get_bool(in, "monitored", p, false);
  f.territorial = detail::get_bool(in, "territorial", p, false);
  return f;
}

OutputSpec read_output(const json& o, const std::string& p) {
  detail::expect_object(o, p, "an output");
  detail::check_keys(o, {"name", "type", "values", "value_labels", "label"}, p);
  OutputSpec out;
  out.name = detail::get_string(o, "name", p);
  std::string tname = detail::get_string(o, "type", p);
  auto t = parse_field_type(tname);
  if (!t || *t == FieldType::list)
    throw Error(ErrorCode::invalid_document,
                "output type must be bool, integer, decimal, string, enum or date",
                child(p, "type"));
  out.type = *t;
  if (out.type == FieldType::enumeration) {
    out.values = read_values(o, p, true);
    out.value_labels = read_value_labels(o, p, out.values);
  } else {
    no_value_labels(o, p);
  }
  out.label = read_label(o, p);
  return out;
}

// Resolves names to slots; `provisional` makes every derived name `any` so that the first
// pass can collect dependencies before types are known.
class PackScope : public Scope {
 public:
  PackScope(const std::unordered_map<std::string, int>& index, const std::vector<StaticType>& types)
      : index_(index), types_(types) {}
  std::optional<Entry> lookup(std::string_view name) const override {
    auto it = index_.find(std::string(name));
    if (it == index_.end()) return std::nullopt;
    return Entry{it->second, types_[static_cast<std::size_t>(it->second)]};
  }

 private:
  const std::unordered_map<std::string, int>& index_;
  const std::vector<StaticType>& types_;
};

Expression compile_at(std::string_view text, const Scope& scope, const std::string& pointer,
                      const Limits& limits, const StaticType* dollar = nullptr) {
  try {
    return Expression::compile(text, scope, dollar, limits);
  } catch (const Error& e) {
    throw e.with_pointer_prefix(pointer);
  }
}

Expression compile_cell(std::string_view text, const Scope& scope, const std::string& pointer,
                        const StaticType& dollar, const Limits& limits) {
  try {
    return Expression::compile_unary(text, scope, dollar, limits);
  } catch (const Error& e) {
    throw e.with_pointer_prefix(pointer);
  }
}

bool assignable(const StaticType& got, const OutputSpec& o) {
  if (got.kind == TypeKind::any || got.kind == TypeKind::null) return true;
  switch (o.type) {
    case FieldType::boolean:
      return got.kind == TypeKind::boolean;
    case FieldType::integer:
      return got.kind == TypeKind::integer;
    case FieldType::decimal:
      return got.is_number();
    case FieldType::string:
    case FieldType::enumeration:
      return got.kind == TypeKind::string;
    case FieldType::date:
      return got.kind == TypeKind::date;
    case FieldType::list:
      return got.kind == TypeKind::list;
  }
  return false;
}

void check_output_value(const Expression& e, const OutputSpec& o, const std::string& pointer) {
  if (!assignable(e.type(), o))
    throw Error(ErrorCode::type_error,
                "output " + o.name + " is " + std::string(field_type_name(o.type)) +
                    " but this is " + e.type().to_string(),
                pointer, 1);
  if (o.type == FieldType::enumeration && e.is_constant()) {
    Value v = e.constant_value();
    if (v.type() == Type::string &&
        std::find(o.values.begin(), o.values.end(), v.as_string()) == o.values.end())
      throw Error(ErrorCode::type_error,
                  "\"" + std::string(v.as_string()) + "\" is not a value of output " + o.name,
                  pointer, 1);
  }
}

}  // namespace

Pack::Pack() : data_(std::make_shared<Data>()) {}

Pack Pack::load_file(const std::string& path, const PackLimits& limits) {
  std::string file = path;
  {
    std::ifstream probe(path + "/pack.json");
    if (probe) file = path + "/pack.json";
  }
  return load(detail::read_file(file), limits);
}

namespace {

// Reads a pack document a section at a time, in the order each needs the ones before: the
// header, the sources, the inputs, the constraints, the declarations of variables and decisions
// (their slots), the dependency graph and its order, then every expression compiled in that
// order with the real types.
class PackLoader {
 public:
  PackLoader(std::string_view text, const PackLimits& pack_limits)
      : text_(text), limits(pack_limits), data(std::make_shared<Pack::Data>()), d(*data) {}
  // A document already read (by an importer that built it): no text to parse, none to hash.
  PackLoader(json document, const PackLimits& pack_limits)
      : limits(pack_limits),
        data(std::make_shared<Pack::Data>()),
        d(*data),
        doc(std::move(document)),
        parsed(true) {}

  std::shared_ptr<Pack::Data> load() {
    read_header();
    read_sources();
    read_inputs();
    read_constraints();
    declare_variables();
    declare_decisions();
    set_output_types();
    set_enum_tables();
    collect_dependencies();
    order_nodes();
    compile_in_order();
    find_unused_inputs();
    return data;
  }

 private:
  using Data = Pack::Data;
  std::string_view text_;
  const PackLimits& limits;
  std::shared_ptr<Data> data;
  Data& d;
  json doc;
  bool parsed = false;
  bool lenient = false;
  std::unordered_map<std::string, int> source_ids;
  std::unordered_map<std::string, int> names;  // every name -> slot
  std::size_t n_inputs = 0;
  const json* vars = nullptr;
  const json* decs = nullptr;
  std::unordered_map<std::string, int> decision_ids;
  std::size_t n_vars = 0;
  std::vector<int> producer;  // slot -> node
  std::vector<std::vector<int>> deps;
  std::vector<char> used;
  std::size_t total_rules = 0;

  const Limits& lim() const { return limits.expression; }

  void check_source(const std::string& id, const std::string& p) const {
    if (!source_ids.count(id))
      throw Error(ErrorCode::unknown_source, "\"" + id + "\" is not one of the pack's sources",
                  child(p, "source"));
  }
  void declare(const std::string& name, int slot, const std::string& p) {
    if (name.empty()) throw Error(ErrorCode::invalid_document, "a name cannot be empty", p);
    if (!names.emplace(name, slot).second)
      throw Error(ErrorCode::duplicate_name, "the name \"" + name + "\" is defined twice", p);
  }
  void add_deps(std::size_t node, const Expression& e) {
    for (int s : e.slots())
      if (producer[static_cast<std::size_t>(s)] >= 0)
        deps[node].push_back(producer[static_cast<std::size_t>(s)]);
  }
  void merge_inputs(std::vector<int>& into, const Expression& e) const {
    for (int s : e.slots()) {
      const auto& more = d.slot_inputs[static_cast<std::size_t>(s)];
      into.insert(into.end(), more.begin(), more.end());
    }
  }
  static void finish_inputs(std::vector<int>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  void mark_used(const Expression& e) {
    for (int s : e.slots())
      if (static_cast<std::size_t>(s) < n_inputs) used[static_cast<std::size_t>(s)] = 1;
  }

  // The members before the sections: schema, identity, validity, notice rights.
  void read_header() {
    if (!parsed) {
      if (text_.size() > limits.max_bytes)
        throw Error(ErrorCode::limit_exceeded,
                    "the pack is larger than " + std::to_string(limits.max_bytes) + " bytes", "");
      doc = detail::parse_document(text_);
    }
    int minor = detail::check_schema_header(doc, kRulesetSchema, kRulesetMajor, kRulesetMinor);
    // A newer minor version only adds optional fields: an older engine reads what it knows.
    lenient = minor > kRulesetMinor;
    detail::check_keys(doc,
                       {"schema", "schema_version", "id", "version", "valid_from", "valid_to",
                        "title", "purpose", "sources", "inputs", "constraints", "variables",
                        "decisions", "description", "human_decision_required", "notice_rights"},
                       "", lenient);

    d.schema_version = doc["schema_version"].get<std::string>();
    d.schema_minor = minor;
    d.id = detail::get_string(doc, "id", "");
    d.version = detail::get_string(doc, "version", "");
    d.title = detail::get_string(doc, "title", "");
    d.purpose = detail::get_string(doc, "purpose", "", false);
    detail::get_string(doc, "description", "", false);  // free text, but text
    d.valid_from = *detail::get_date(doc, "valid_from", "", true);
    d.valid_to = detail::get_date(doc, "valid_to", "");
    if (doc.contains("human_decision_required")) {
      if (!doc["human_decision_required"].is_boolean())
        throw Error(ErrorCode::invalid_document, "human_decision_required must be true or false",
                    "/human_decision_required");
      d.human_decision_required = doc["human_decision_required"].get<bool>();
    }
    if (doc.contains("notice_rights")) {
      const json& rights = doc["notice_rights"];
      detail::expect_array(rights, "/notice_rights", "notice_rights");
      for (std::size_t k = 0; k < rights.size(); ++k) {
        const std::string p = child("/notice_rights", k);
        detail::expect_object(rights[k], p, "a right");
        detail::check_keys(rights[k], {"fr", "en"}, p, lenient);
        d.notice_rights.push_back(
            Label{detail::get_string(rights[k], "fr", p), detail::get_string(rights[k], "en", p)});
      }
    }
    if (d.valid_to && *d.valid_to < d.valid_from)
      throw Error(ErrorCode::invalid_document, "valid_to is before valid_from", "/valid_to");
    if (!parsed) d.hash = document_hash(text_);
  }

  void read_sources() {
    if (doc.contains("sources")) {
      const json& ss = doc["sources"];
      detail::expect_array(ss, "/sources", "sources");
      for (std::size_t k = 0; k < ss.size(); ++k) {
        std::string p = child("/sources", k);
        detail::expect_object(ss[k], p, "a source");
        detail::check_keys(ss[k], {"id", "title", "url"}, p, lenient);
        Source s{detail::get_string(ss[k], "id", p), detail::get_string(ss[k], "title", p),
                 detail::get_string(ss[k], "url", p, false)};
        if (!source_ids.emplace(s.id, static_cast<int>(k)).second)
          throw Error(ErrorCode::duplicate_name, "source \"" + s.id + "\" is defined twice",
                      child(p, "id"));
        d.sources.push_back(std::move(s));
      }
    }
  }

  // The inputs, and reference_date when the pack does not declare it.
  void read_inputs() {
    std::vector<FieldSpec> fields;
    {
      const json& ins = detail::require(doc, "inputs", "");
      detail::expect_array(ins, "/inputs", "inputs");
      if (ins.size() > limits.max_inputs)
        throw Error(ErrorCode::limit_exceeded, "too many inputs", "/inputs");
      for (std::size_t k = 0; k < ins.size(); ++k) {
        std::string p = child("/inputs", k);
        FieldSpec f = read_field(ins[k], p, d.schema_minor);
        d.ask_values.push_back(read_ask_values(ins[k], p, f));
        d.any_ask = d.any_ask || !d.ask_values.back().empty();
        if (f.name == kReferenceDate && f.type != FieldType::date)
          throw Error(ErrorCode::type_mismatch, "reference_date must be a date", child(p, "type"));
        declare(f.name, static_cast<int>(fields.size()), child(p, "name"));
        std::vector<FieldSpec> item_fields;
        if (f.object_items)
          item_fields = read_item_fields(ins[k], f, static_cast<int>(fields.size()), p);
        fields.push_back(std::move(f));
        for (FieldSpec& c : item_fields) {
          declare(c.name, static_cast<int>(fields.size()), child(p, "items"));
          d.ask_values.emplace_back();
          fields.push_back(std::move(c));
        }
      }
      if (!names.count(std::string(kReferenceDate))) {
        FieldSpec f;
        f.name = std::string(kReferenceDate);
        f.type = FieldType::date;
        f.label_fr = "date de référence de la décision";
        f.label_en = "reference date of the decision";
        f.source = SourceKind::context;
        names.emplace(f.name, static_cast<int>(fields.size()));
        fields.push_back(std::move(f));
      }
    }
    d.ask_values.resize(fields.size());
    d.schema = InputSchema(std::move(fields));
    d.reference_field = d.schema.index_of(kReferenceDate);
    for (const FieldSpec& f : d.schema.fields()) {
      d.slot_names.push_back(f.name);
      d.slot_types.push_back(static_type_of(f));
    }
    n_inputs = d.schema.size();
  }

  // Constraints read inputs only: they are checked before anything is derived.
  void read_constraints() {
    if (doc.contains("constraints")) {
      const json& cs = doc["constraints"];
      detail::expect_array(cs, "/constraints", "constraints");
      std::unordered_map<std::string, int> input_names;
      for (std::size_t f = 0; f < n_inputs; ++f)
        input_names.emplace(d.schema.field(f).name, static_cast<int>(f));
      PackScope inputs_only(input_names, d.slot_types);
      for (std::size_t k = 0; k < cs.size(); ++k) {
        std::string p = child("/constraints", k);
        detail::expect_object(cs[k], p, "a constraint");
        detail::check_keys(cs[k], {"id", "expression", "message", "source", "status", "note"}, p,
                           lenient);
        Constraint c;
        c.id = detail::get_string(cs[k], "id", p);
        c.text = detail::get_string(cs[k], "expression", p);
        c.expression = compile_at(c.text, inputs_only, child(p, "expression"), limits.expression);
        if (c.expression.type().kind != TypeKind::boolean &&
            c.expression.type().kind != TypeKind::any)
          throw Error(ErrorCode::type_error, "a constraint must be a boolean expression",
                      child(p, "expression"), 1);
        c.inputs = c.expression.slots();
        std::sort(c.inputs.begin(), c.inputs.end());
        c.inputs.erase(std::unique(c.inputs.begin(), c.inputs.end()), c.inputs.end());
        if (c.inputs.empty())
          throw Error(ErrorCode::invalid_document, "a constraint must read at least one input",
                      child(p, "expression"));
        if (!detail::require(cs[k], "message", p).is_string()) {
          c.message = read_label(cs[k], p, "message");
          if (c.message.fr.empty() || c.message.en.empty())
            throw Error(ErrorCode::required_missing, "a constraint's message needs fr and en",
                        child(child(p, "message"), c.message.fr.empty() ? "fr" : "en"));
        } else {
          c.message.fr = detail::get_string(cs[k], "message", p);
        }
        if (c.message.fr.empty())
          throw Error(ErrorCode::required_missing, "a constraint needs a message",
                      child(p, "message"));
        c.source = detail::get_string(cs[k], "source", p, false);
        if (!c.source.empty()) check_source(c.source, p);
        c.status = cs[k].contains("status") ? read_status(cs[k], p) : RuleStatus::verified;
        c.note = detail::get_string(cs[k], "note", p, false);
        d.constraints.push_back(std::move(c));
      }
    }
  }

  // Variables and decisions: their slots are declared first (types provisional).
  void declare_variables() {
    if (doc.contains("variables")) {
      vars = &doc["variables"];
      detail::expect_array(*vars, "/variables", "variables");
      for (std::size_t k = 0; k < vars->size(); ++k) {
        std::string p = child("/variables", k);
        const json& v = (*vars)[k];
        detail::expect_object(v, p, "a variable");
        detail::check_keys(
            v, {"name", "expression", "label", "description", "source", "status", "note"}, p,
            lenient);
        Variable var;
        var.name = detail::get_string(v, "name", p);
        var.text = detail::get_string(v, "expression", p);
        var.label = read_label(v, p);
        var.description = detail::get_string(v, "description", p, false);
        var.source = detail::get_string(v, "source", p, false);
        if (!var.source.empty()) check_source(var.source, p);
        var.status = v.contains("status") ? read_status(v, p) : RuleStatus::verified;
        var.note = detail::get_string(v, "note", p, false);
        var.slot = static_cast<int>(d.slot_names.size());
        declare(var.name, var.slot, child(p, "name"));
        d.slot_names.push_back(var.name);
        d.slot_types.push_back(StaticType{});
        d.variables.push_back(std::move(var));
      }
    }
  }

  void declare_decisions() {
    decs = &detail::require(doc, "decisions", "");
    detail::expect_array(*decs, "/decisions", "decisions");
    if (decs->size() > limits.max_decisions)
      throw Error(ErrorCode::limit_exceeded, "too many decisions", "/decisions");
    for (std::size_t k = 0; k < decs->size(); ++k) d.decisions.push_back(declare_decision(k));
  }

  DecisionTable declare_decision(std::size_t k) {
    std::string p = child("/decisions", k);
    const json& j = (*decs)[k];
    detail::expect_object(j, p, "a decision");
    DecisionTable dec;
    dec.pointer = p;
    dec.id = detail::get_string(j, "id", p);
    if (!decision_ids.emplace(dec.id, static_cast<int>(k)).second)
      throw Error(ErrorCode::duplicate_name, "decision \"" + dec.id + "\" is defined twice",
                  child(p, "id"));
    std::string kind = detail::get_string(j, "kind", p, false, "table");
    dec.label = read_label(j, p);
    dec.description = detail::get_string(j, "description", p, false);
    if (kind == "table") {
      declare_table(j, p, dec);
    } else if (kind == "expression") {
      declare_expression(j, p, dec);
    } else {
      throw Error(ErrorCode::invalid_document, "kind must be \"table\" or \"expression\"",
                  child(p, "kind"));
    }
    return dec;
  }

  // A table's hit policy and outputs.
  void declare_table(const json& j, const std::string& p, DecisionTable& dec) {
    detail::check_keys(j,
                       {"id", "kind", "label", "description", "hit_policy", "complete", "inputs",
                        "outputs", "rules"},
                       p, lenient);
    dec.kind = DecisionTable::Kind::table;
    std::string hp = detail::get_string(j, "hit_policy", p, false, "FIRST");
    auto policy = parse_hit_policy(hp);
    if (!policy)
      throw Error(ErrorCode::bad_hit_policy,
                  "unknown hit policy \"" + hp +
                      "\" (UNIQUE, ANY, PRIORITY, FIRST, RULE ORDER, OUTPUT ORDER, COLLECT "
                      "[SUM|MIN|MAX|COUNT])",
                  child(p, "hit_policy"));
    dec.hit_policy = *policy;
    dec.complete = detail::get_bool(j, "complete", p, false);
    const json& outs = detail::require(j, "outputs", p);
    detail::expect_array(outs, child(p, "outputs"), "outputs");
    if (outs.empty())
      throw Error(ErrorCode::invalid_document, "a table needs at least one output",
                  child(p, "outputs"));
    for (std::size_t o = 0; o < outs.size(); ++o) {
      std::string op = child(child(p, "outputs"), o);
      OutputSpec spec = read_output(outs[o], op);
      if ((dec.hit_policy == HitPolicy::collect_sum || dec.hit_policy == HitPolicy::collect_min ||
           dec.hit_policy == HitPolicy::collect_max) &&
          spec.type != FieldType::integer && spec.type != FieldType::decimal)
        throw Error(ErrorCode::type_error,
                    std::string(hit_policy_name(dec.hit_policy)) + " needs numeric outputs",
                    child(op, "type"));
      spec.slot = static_cast<int>(d.slot_names.size());
      declare(spec.name, spec.slot, child(op, "name"));
      d.slot_names.push_back(spec.name);
      StaticType t = StaticType{};
      d.slot_types.push_back(t);
      dec.outputs.push_back(std::move(spec));
    }
    // As in DMN, outputs with a list of values rank the rules; the others do not.
    if ((dec.hit_policy == HitPolicy::priority || dec.hit_policy == HitPolicy::output_order) &&
        std::none_of(dec.outputs.begin(), dec.outputs.end(),
                     [](const OutputSpec& o) { return o.type == FieldType::enumeration; }))
      throw Error(ErrorCode::type_error,
                  std::string(hit_policy_name(dec.hit_policy)) +
                      " ranks outputs by their enum values: at least one output must be an enum",
                  child(child(child(p, "outputs"), 0), "type"));
  }

  void declare_expression(const json& j, const std::string& p, DecisionTable& dec) {
    detail::check_keys(
        j,
        {"id", "kind", "label", "description", "expression", "output", "source", "status", "note"},
        p, lenient);
    dec.kind = DecisionTable::Kind::expression;
    OutputSpec spec = read_output(detail::require(j, "output", p), child(p, "output"));
    spec.slot = static_cast<int>(d.slot_names.size());
    declare(spec.name, spec.slot, child(child(p, "output"), "name"));
    d.slot_names.push_back(spec.name);
    d.slot_types.push_back(StaticType{});
    dec.outputs.push_back(std::move(spec));
    dec.source = detail::get_string(j, "source", p);
    check_source(dec.source, p);
    dec.status = read_status(j, p);
    dec.note = detail::get_string(j, "note", p, false);
  }

  void set_output_types() {
    for (std::size_t k = 0; k < d.decisions.size(); ++k)
      for (const OutputSpec& o : d.decisions[k].outputs) {
        const DecisionTable& dec = d.decisions[k];
        StaticType t = static_type_of(o);
        if (dec.kind == DecisionTable::Kind::table) {
          if (dec.hit_policy == HitPolicy::collect_count)
            t = StaticType::of(TypeKind::integer);
          else if (!is_single_hit(dec.hit_policy) && dec.hit_policy != HitPolicy::collect_sum &&
                   dec.hit_policy != HitPolicy::collect_min &&
                   dec.hit_policy != HitPolicy::collect_max)
            t = StaticType::list_of(t.kind, t.domain);
        }
        d.slot_types[static_cast<std::size_t>(o.slot)] = t;
      }
    // Decision outputs keep pointers to their own values: fix them now that vectors are stable.
    for (auto& dec : d.decisions)
      for (const OutputSpec& o : dec.outputs)
        if (o.type == FieldType::enumeration)
          d.slot_types[static_cast<std::size_t>(o.slot)].domain = &o.values;
  }

  // Per slot: enum values and their labels.
  void set_enum_tables() {
    d.slot_index = names;
    d.enum_values.assign(d.slot_names.size(), nullptr);
    d.enum_labels.assign(d.slot_names.size(), {});
    for (std::size_t f = 0; f < n_inputs; ++f) {
      const FieldSpec& spec = d.schema.field(f);
      if (spec.type != FieldType::enumeration &&
          !(spec.type == FieldType::list && spec.item_type == FieldType::enumeration))
        continue;
      d.enum_values[f] = &spec.values;
      for (std::size_t k = 0; k < spec.values.size(); ++k)
        d.enum_labels[f].push_back(k < spec.value_labels_fr.size()
                                       ? Label{spec.value_labels_fr[k], spec.value_labels_en[k]}
                                       : Label{});
    }
    for (const auto& dec : d.decisions)
      for (const OutputSpec& o : dec.outputs)
        if (o.type == FieldType::enumeration) {
          d.enum_values[static_cast<std::size_t>(o.slot)] = &o.values;
          d.enum_labels[static_cast<std::size_t>(o.slot)] = o.value_labels;
        }
  }

  // Graph nodes: variables then decisions. First pass: dependencies with provisional types.
  void collect_dependencies() {
    n_vars = d.variables.size();
    const std::size_t n_nodes = n_vars + d.decisions.size();
    producer.assign(d.slot_names.size(), -1);
    for (std::size_t v = 0; v < n_vars; ++v)
      producer[static_cast<std::size_t>(d.variables[v].slot)] = static_cast<int>(v);
    for (std::size_t k = 0; k < d.decisions.size(); ++k)
      for (const OutputSpec& o : d.decisions[k].outputs)
        producer[static_cast<std::size_t>(o.slot)] = static_cast<int>(n_vars + k);

    std::vector<StaticType> provisional = d.slot_types;
    for (std::size_t s = n_inputs; s < provisional.size(); ++s) provisional[s] = StaticType{};
    PackScope loose(d.slot_index, provisional);
    deps.assign(n_nodes, {});
    for (std::size_t v = 0; v < n_vars; ++v) {
      std::string p = child(child("/variables", v), "expression");
      add_deps(v, compile_at(d.variables[v].text, loose, p, lim()));
    }
    for (std::size_t k = 0; k < d.decisions.size(); ++k) decision_dependencies(k, loose);
  }

  // A decision's dependencies: its expression, its columns and the values its cells name.
  void decision_dependencies(std::size_t k, const Scope& loose) {
    const json& j = (*decs)[k];
    std::string p = child("/decisions", k);
    if (d.decisions[k].kind == DecisionTable::Kind::expression) {
      add_deps(n_vars + k, compile_at(detail::get_string(j, "expression", p), loose,
                                      child(p, "expression"), lim()));
      return;
    }
    const json& cols = detail::require(j, "inputs", p);
    detail::expect_array(cols, child(p, "inputs"), "inputs");
    for (std::size_t c = 0; c < cols.size(); ++c) {
      std::string cp = child(child(p, "inputs"), c);
      detail::expect_object(cols[c], cp, "a table input");
      add_deps(n_vars + k, compile_at(detail::get_string(cols[c], "expression", cp), loose,
                                      child(cp, "expression"), lim()));
    }
    // Cells may name other values ("< max_age"): scan them too.
    const json& rules = detail::require(j, "rules", p);
    detail::expect_array(rules, child(p, "rules"), "rules");
    StaticType anything{};
    // Large tables repeat the same cell texts: each distinct text is compiled once.
    std::unordered_map<std::string, std::vector<int>> seen_cells[2];
    for (std::size_t r = 0; r < rules.size(); ++r) {
      // Pointers are written only for the cells compiled (the distinct ones).
      const auto rule_pointer = [&] { return child(child(p, "rules"), r); };
      if (!rules[r].is_object()) detail::expect_object(rules[r], rule_pointer(), "a rule");
      for (const char* part : {"when", "then"}) {
        const auto found = rules[r].find(part);
        if (found == rules[r].end() || !found->is_array()) continue;
        const json& cells = *found;
        for (std::size_t c = 0; c < cells.size(); ++c) {
          if (!cells[c].is_string()) continue;
          const std::string& text = cells[c].get_ref<const std::string&>();
          auto& seen = seen_cells[part[0] == 'w' ? 0 : 1];
          if (seen.count(text)) continue;
          std::string cp = child(child(rule_pointer(), part), c);
          Expression e = part[0] == 'w' ? compile_cell(text, loose, cp, anything, lim())
                                        : compile_at(text, loose, cp, lim());
          add_deps(n_vars + k, e);
          seen.emplace(text, e.slots());
        }
      }
    }
  }

  // Order by dependency (Boost.Graph); a cycle is a load error that names it.
  void order_nodes() {
    const std::size_t n_nodes = deps.size();
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    Graph g(n_nodes);
    for (std::size_t n = 0; n < n_nodes; ++n)
      for (int dep : deps[n]) boost::add_edge(static_cast<std::size_t>(dep), n, g);
    for (std::size_t n = 0; n < n_nodes; ++n)
      for (int dep : deps[n])
        if (static_cast<std::size_t>(dep) == n)
          throw Error(ErrorCode::cycle, "cycle: " + node_name(n) + " uses itself", node_pointer(n));
    std::vector<std::size_t> sorted;
    try {
      boost::topological_sort(g, std::back_inserter(sorted));
    } catch (const boost::not_a_dag&) {
      throw_cycle(n_nodes);
    }
    std::reverse(sorted.begin(), sorted.end());
    for (std::size_t n : sorted)
      d.order.push_back(n < n_vars ? Node{Node::Kind::variable, static_cast<int>(n)}
                                   : Node{Node::Kind::decision, static_cast<int>(n - n_vars)});
  }

  std::string node_name(std::size_t n) const {
    return n < n_vars ? "variable " + d.variables[n].name
                      : "decision " + d.decisions[n - n_vars].id;
  }
  std::string node_pointer(std::size_t n) const {
    return n < n_vars ? child("/variables", n) : child("/decisions", n - n_vars);
  }

  [[noreturn]] void throw_cycle(std::size_t n_nodes) const {
    // Find and name one cycle: depth-first search with colours.
    std::vector<int> colour(n_nodes, 0), parent(n_nodes, -1);
    std::string message;
    std::size_t first = 0;
    std::function<bool(std::size_t)> dfs = [&](std::size_t u) -> bool {
      colour[u] = 1;
      for (int dep : deps[u]) {
        std::size_t w = static_cast<std::size_t>(dep);
        if (colour[w] == 1) {
          std::vector<std::size_t> path{w};
          for (std::size_t x = u; x != w; x = static_cast<std::size_t>(parent[x]))
            path.push_back(x);
          path.push_back(w);
          message = "cycle: ";
          for (std::size_t i = 0; i < path.size(); ++i)
            message += (i ? " -> " : "") + node_name(path[path.size() - 1 - i]);
          first = w;
          return true;
        }
        if (colour[w] == 0) {
          parent[w] = static_cast<int>(u);
          if (dfs(w)) return true;
        }
      }
      colour[u] = 2;
      return false;
    };
    for (std::size_t n = 0; n < n_nodes; ++n)
      if (colour[n] == 0 && dfs(n)) break;
    throw Error(ErrorCode::cycle, message.empty() ? "cycle between derived values" : message,
                node_pointer(first));
  }

  // Second pass, in order: compile with real types.
  void compile_in_order() {
    const PackScope scope(d.slot_index, d.slot_types);
    d.slot_inputs.assign(d.slot_names.size(), {});
    for (std::size_t s = 0; s < n_inputs; ++s) d.slot_inputs[s] = {static_cast<int>(s)};
    used.assign(n_inputs, 0);
    for (const Node& node : d.order) {
      if (node.kind == Node::Kind::variable)
        compile_variable(node, scope);
      else
        compile_decision(node, scope);
    }
  }

  void compile_variable(const Node& node, const Scope& scope) {
    Variable& var = d.variables[static_cast<std::size_t>(node.index)];
    std::string p = child(child("/variables", static_cast<std::size_t>(node.index)), "expression");
    var.expression = compile_at(var.text, scope, p, lim());
    mark_used(var.expression);
    d.slot_types[static_cast<std::size_t>(var.slot)] = var.expression.type();
    merge_inputs(d.slot_inputs[static_cast<std::size_t>(var.slot)], var.expression);
    finish_inputs(d.slot_inputs[static_cast<std::size_t>(var.slot)]);
  }

  void compile_decision(const Node& node, const Scope& scope) {
    DecisionTable& dec = d.decisions[static_cast<std::size_t>(node.index)];
    const json& j = (*decs)[static_cast<std::size_t>(node.index)];
    const std::string& p = dec.pointer;
    std::vector<int> inputs_of;
    if (dec.kind == DecisionTable::Kind::expression) {
      dec.expression =
          compile_at(detail::get_string(j, "expression", p), scope, child(p, "expression"), lim());
      check_output_value(dec.expression, dec.outputs[0], child(p, "expression"));
      mark_used(dec.expression);
      merge_inputs(inputs_of, dec.expression);
    } else {
      compile_columns(j, p, dec, scope, inputs_of);
      compile_rules(j, p, dec, scope, inputs_of);
    }
    finish_inputs(inputs_of);
    for (const OutputSpec& o : dec.outputs)
      d.slot_inputs[static_cast<std::size_t>(o.slot)] = inputs_of;
  }

  void compile_columns(const json& j, const std::string& p, DecisionTable& dec, const Scope& scope,
                       std::vector<int>& inputs_of) {
    const json& cols = j["inputs"];
    if (cols.size() > limits.max_columns)
      throw Error(ErrorCode::limit_exceeded, "too many table inputs", child(p, "inputs"));
    for (std::size_t c = 0; c < cols.size(); ++c) {
      std::string cp = child(child(p, "inputs"), c);
      detail::check_keys(cols[c], {"expression", "label", "id"}, cp, lenient);
      TableColumn col;
      col.text = detail::get_string(cols[c], "expression", cp);
      col.expr = compile_at(col.text, scope, child(cp, "expression"), lim());
      col.label = read_label(cols[c], cp);
      mark_used(col.expr);
      merge_inputs(inputs_of, col.expr);
      dec.inputs.push_back(std::move(col));
    }
  }

  // A table's rules; each distinct cell text of a column is compiled once.
  void compile_rules(const json& j, const std::string& p, DecisionTable& dec, const Scope& scope,
                     std::vector<int>& inputs_of) {
    const json& rules = j["rules"];
    total_rules += rules.size();
    if (total_rules > limits.max_rules)
      throw Error(ErrorCode::limit_exceeded,
                  "too many rules (more than " + std::to_string(limits.max_rules) + ")",
                  child(p, "rules"));
    std::unordered_map<std::string, int> rule_ids;
    std::vector<std::unordered_map<std::string, Expression>> when_cache(dec.inputs.size()),
        then_cache(dec.outputs.size());
    for (std::size_t r = 0; r < rules.size(); ++r)
      dec.rules.push_back(read_rule(rules[r], child(child(p, "rules"), r), dec, scope, rule_ids,
                                    when_cache, then_cache, inputs_of));
    static_assert(PackLimits{}.table_dense_words == CompiledTable::kDenseWords);
    dec.compiled = std::make_shared<CompiledTable>(dec, limits.table_dense_words);
  }

  using CellCache = std::vector<std::unordered_map<std::string, Expression>>;
  Rule read_rule(const json& rj, const std::string& rp, const DecisionTable& dec,
                 const Scope& scope, std::unordered_map<std::string, int>& rule_ids,
                 CellCache& when_cache, CellCache& then_cache, std::vector<int>& inputs_of) {
    detail::check_keys(rj, {"id", "when", "then", "source", "status", "description", "note"}, rp,
                       lenient);
    Rule rule;
    rule.id = detail::get_string(rj, "id", rp);
    if (!rule_ids.emplace(rule.id, static_cast<int>(rule_ids.size())).second)
      throw Error(ErrorCode::duplicate_name, "rule \"" + rule.id + "\" is defined twice",
                  child(rp, "id"));
    rule.source = detail::get_string(rj, "source", rp);
    check_source(rule.source, rp);
    rule.status = read_status(rj, rp);
    rule.description = detail::get_string(rj, "description", rp, false);
    rule.note = detail::get_string(rj, "note", rp, false);
    read_when(rj, rp, dec, scope, when_cache, inputs_of, rule);
    read_then(rj, rp, dec, scope, then_cache, inputs_of, rule);
    return rule;
  }

  void read_when(const json& rj, const std::string& rp, const DecisionTable& dec,
                 const Scope& scope, CellCache& when_cache, std::vector<int>& inputs_of,
                 Rule& rule) {
    const json& when = detail::require(rj, "when", rp);
    detail::expect_array(when, child(rp, "when"), "when");
    if (when.size() != dec.inputs.size())
      throw Error(ErrorCode::cell_count,
                  "rule has " + std::to_string(when.size()) + " input cells, the table has " +
                      std::to_string(dec.inputs.size()) + " inputs",
                  child(rp, "when"));
    rule.when_text.reserve(when.size());
    rule.when.reserve(when.size());
    for (std::size_t c = 0; c < when.size(); ++c) {
      // The cell's pointer is written only when needed: a large table repeats its cells.
      if (!when[c].is_string())
        throw Error(ErrorCode::type_mismatch, "a cell must be a string",
                    child(child(rp, "when"), c));
      std::string text = when[c].get<std::string>();
      auto cached = when_cache[c].find(text);
      Expression cell;
      if (cached != when_cache[c].end()) {
        cell = cached->second;
      } else {
        StaticType ct = dec.inputs[c].expr.type();
        cell = compile_cell(text, scope, child(child(rp, "when"), c), ct, lim());
        mark_used(cell);
        merge_inputs(inputs_of, cell);
        when_cache[c].emplace(text, cell);
      }
      rule.when_text.push_back(std::move(text));
      rule.when.push_back(std::move(cell));
    }
  }

  void read_then(const json& rj, const std::string& rp, const DecisionTable& dec,
                 const Scope& scope, CellCache& then_cache, std::vector<int>& inputs_of,
                 Rule& rule) {
    const json& then = detail::require(rj, "then", rp);
    detail::expect_array(then, child(rp, "then"), "then");
    if (then.size() != dec.outputs.size())
      throw Error(ErrorCode::cell_count,
                  "rule has " + std::to_string(then.size()) + " output cells, the table has " +
                      std::to_string(dec.outputs.size()) + " outputs",
                  child(rp, "then"));
    rule.then_text.reserve(then.size());
    rule.then.reserve(then.size());
    for (std::size_t o = 0; o < then.size(); ++o) {
      if (!then[o].is_string())
        throw Error(ErrorCode::type_mismatch, "an output cell must be a string (an expression)",
                    child(child(rp, "then"), o));
      std::string text = then[o].get<std::string>();
      auto cached = then_cache[o].find(text);
      Expression e;
      if (cached != then_cache[o].end()) {
        e = cached->second;
      } else {
        const std::string cp = child(child(rp, "then"), o);
        e = compile_at(text, scope, cp, lim());
        check_output_value(e, dec.outputs[o], cp);
        mark_used(e);
        then_cache[o].emplace(text, e);
      }
      merge_inputs(inputs_of, e);
      rule.then_text.push_back(std::move(text));
      rule.then.push_back(std::move(e));
    }
  }

  void find_unused_inputs() {
    for (const Constraint& c : d.constraints) mark_used(c.expression);
    for (std::size_t s = 0; s < n_inputs; ++s)
      if (!used[s] && static_cast<int>(s) != d.reference_field)
        d.unused.push_back(static_cast<int>(s));
  }
};

}  // namespace

Pack Pack::load(std::string_view text, const PackLimits& limits) {
  Pack pack;
  pack.data_ = PackLoader(text, limits).load();
  return pack;
}

namespace detail {
void check_pack_document(json document, const PackLimits& limits) {
  (void)PackLoader(std::move(document), limits).load();
}
}  // namespace detail

const std::string& Pack::id() const {
  return data_->id;
}
const std::string& Pack::version() const {
  return data_->version;
}
const std::string& Pack::title() const {
  return data_->title;
}
const std::string& Pack::purpose() const {
  return data_->purpose;
}
Date Pack::valid_from() const {
  return data_->valid_from;
}
std::optional<Date> Pack::valid_to() const {
  return data_->valid_to;
}
bool Pack::human_decision_required() const {
  return data_->human_decision_required;
}

const std::vector<Label>& Pack::notice_rights() const {
  return data_->notice_rights;
}

bool Pack::valid_at(Date day) const {
  return day >= data_->valid_from && (!data_->valid_to || day <= *data_->valid_to);
}
const std::vector<Source>& Pack::sources() const {
  return data_->sources;
}
const std::string& Pack::hash() const {
  return data_->hash;
}
const std::string& Pack::schema_version() const {
  return data_->schema_version;
}
const InputSchema& Pack::inputs() const {
  return data_->schema;
}
int Pack::reference_date_field() const {
  return data_->reference_field;
}
const std::vector<Constraint>& Pack::constraints() const {
  return data_->constraints;
}
const std::vector<Variable>& Pack::variables() const {
  return data_->variables;
}
const std::vector<DecisionTable>& Pack::decisions() const {
  return data_->decisions;
}
const std::vector<Node>& Pack::order() const {
  return data_->order;
}
std::size_t Pack::slot_count() const {
  return data_->slot_names.size();
}
const std::string& Pack::slot_name(int slot) const {
  return data_->slot_names[static_cast<std::size_t>(slot)];
}
StaticType Pack::slot_type(int slot) const {
  return data_->slot_types[static_cast<std::size_t>(slot)];
}
const std::vector<int>& Pack::slot_inputs(int slot) const {
  return data_->slot_inputs[static_cast<std::size_t>(slot)];
}
int Pack::slot_of(std::string_view name) const {
  auto it = data_->slot_index.find(std::string(name));
  return it == data_->slot_index.end() ? -1 : it->second;
}
std::vector<int> Pack::unused_inputs() const {
  return data_->unused;
}
int Pack::schema_minor() const {
  return data_->schema_minor;
}
const std::vector<std::string>& Pack::ask_values(int field) const {
  static const std::vector<std::string> none;
  if (field < 0 || static_cast<std::size_t>(field) >= data_->ask_values.size()) return none;
  return data_->ask_values[static_cast<std::size_t>(field)];
}
bool Pack::is_ask_value(int field, const Value& v) const {
  if (v.type() != Type::string) return false;
  const auto& ask = ask_values(field);
  return std::find(ask.begin(), ask.end(), v.as_string()) != ask.end();
}
bool Pack::has_ask_values() const {
  return data_->any_ask;
}

std::string constraint_error_message(const Constraint& c) {
  std::string text = c.message.fr;
  if (!c.message.en.empty() && c.message.en != c.message.fr) text += " / " + c.message.en;
  return text + " (" + c.id + ")";
}

const Label* Pack::value_label(int slot, std::string_view value) const {
  if (slot < 0 || static_cast<std::size_t>(slot) >= data_->enum_values.size()) return nullptr;
  const auto s = static_cast<std::size_t>(slot);
  const std::vector<std::string>* values = data_->enum_values[s];
  if (!values) return nullptr;
  auto at = std::find(values->begin(), values->end(), value);
  if (at == values->end()) return nullptr;
  const Label& l = data_->enum_labels[s][static_cast<std::size_t>(at - values->begin())];
  return l.fr.empty() && l.en.empty() ? nullptr : &l;
}

std::string Pack::value_text(int slot, std::string_view value, std::string_view lang) const {
  if (const Label* l = value_label(slot, value)) return l->in(lang);
  // A derived value without labels of its own ("medium" from the barriers it reads) takes the
  // label the inputs it depends on give that value.
  if (slot >= 0 && static_cast<std::size_t>(slot) < data_->slot_inputs.size())
    for (int in : data_->slot_inputs[static_cast<std::size_t>(slot)])
      if (const Label* l = value_label(in, value)) return l->in(lang);
  std::string text(value);
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

}  // namespace v1
}  // namespace aiguillage
