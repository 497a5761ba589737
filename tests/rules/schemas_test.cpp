// The JSON Schemas of rules/schemas/ against the documents under rules/ and against the loaders:
// what the schema accepts, the engine accepts, and the other way round.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aiguillage/rules/pack.hpp"
#include "aiguillage/rules/test_cases.hpp"

namespace aiguillage {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kSourceDir = AIG_SOURCE_DIR;

json read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// Evaluates the subset of JSON Schema 2020-12 that our schemas use (local $ref, type, const,
// enum, properties, required, additionalProperties, items, min/max constraints, pattern,
// allOf/anyOf/oneOf/not, if/then/else), so that no validator dependency is needed.
class SchemaChecker {
 public:
  explicit SchemaChecker(json root) : root_(std::move(root)) {}

  std::vector<std::string> validate(const json& doc) const {
    std::vector<std::string> errors;
    check(doc, root_, "", errors);
    return errors;
  }

  // Keys of closed objects that no applicable "properties" declares.
  std::vector<std::string> undeclared_keys(const json& doc) const {
    std::vector<std::string> out;
    walk(doc, {&root_}, "", out);
    return out;
  }

  // Every "$ref" of the schema, unresolvable ones included, for the self-check.
  std::vector<std::string> refs() const {
    std::vector<std::string> out;
    std::function<void(const json&)> scan = [&](const json& s) {
      if (s.is_object()) {
        if (s.contains("$ref")) out.push_back(s["$ref"].get<std::string>());
        for (const auto& item : s.items()) scan(item.value());
      } else if (s.is_array()) {
        for (const json& item : s) scan(item);
      }
    };
    scan(root_);
    return out;
  }

  const json* resolve(const std::string& ref) const {
    if (ref.rfind("#", 0) != 0) return nullptr;
    try {
      const json& target = root_.at(json::json_pointer(ref.substr(1)));
      return &target;
    } catch (const std::exception&) {
      return nullptr;
    }
  }

 private:
  bool valid(const json& v, const json& s) const {
    std::vector<std::string> errors;
    check(v, s, "", errors);
    return errors.empty();
  }

  static bool has_type(const json& v, const std::string& t) {
    if (t == "null") return v.is_null();
    if (t == "boolean") return v.is_boolean();
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "number") return v.is_number();
    if (t == "integer")
      return v.is_number_integer() ||
             (v.is_number_float() &&
              v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
    return false;
  }

  static std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }

  void check(const json& v, const json& s, const std::string& at,
             std::vector<std::string>& errors) const {
    auto fail = [&](const std::string& what) {
      errors.push_back((at.empty() ? "/" : at) + ": " + what);
    };
    if (s.is_boolean()) {
      if (!s.get<bool>()) fail("nothing is allowed here");
      return;
    }
    if (auto r = s.find("$ref"); r != s.end()) {
      const json* target = resolve(r->get<std::string>());
      if (!target) return fail("unresolved $ref " + r->get<std::string>());
      check(v, *target, at, errors);
    }
    if (auto t = s.find("type"); t != s.end()) {
      bool ok = false;
      if (t->is_string())
        ok = has_type(v, *t);
      else
        for (const json& one : *t) ok = ok || has_type(v, one);
      if (!ok) fail("type is not " + t->dump());
    }
    if (auto c = s.find("const"); c != s.end() && v != *c) fail("not " + c->dump());
    if (auto e = s.find("enum"); e != s.end() && std::find(e->begin(), e->end(), v) == e->end())
      fail(v.dump() + " is not one of " + e->dump());
    if (v.is_string()) {
      const std::string text = v.get<std::string>();
      if (auto m = s.find("minLength"); m != s.end() && code_points(text) < m->get<std::size_t>())
        fail("too short");
      if (auto p = s.find("pattern");
          p != s.end() &&
          !std::regex_search(text, std::regex(p->get<std::string>(), std::regex::ECMAScript)))
        fail("\"" + text + "\" does not match " + p->get<std::string>());
    }
    if (v.is_number()) {
      if (auto m = s.find("minimum"); m != s.end() && v.get<double>() < m->get<double>())
        fail("below minimum");
      if (auto m = s.find("maximum"); m != s.end() && v.get<double>() > m->get<double>())
        fail("above maximum");
    }
    if (v.is_object()) {
      if (auto r = s.find("required"); r != s.end())
        for (const json& key : *r)
          if (!v.contains(key.get<std::string>()))
            fail("\"" + key.get<std::string>() + "\" is required");
      if (auto m = s.find("minProperties"); m != s.end() && v.size() < m->get<std::size_t>())
        fail("too few properties");
      const json* props = s.contains("properties") ? &s["properties"] : nullptr;
      const json* extra = s.contains("additionalProperties") ? &s["additionalProperties"] : nullptr;
      for (const auto& item : v.items()) {
        const std::string p = at + "/" + item.key();
        if (props && props->contains(item.key()))
          check(item.value(), (*props)[item.key()], p, errors);
        else if (extra)
          check(item.value(), *extra, p, errors);
      }
    }
    if (v.is_array()) {
      if (auto m = s.find("minItems"); m != s.end() && v.size() < m->get<std::size_t>())
        fail("too few items");
      if (auto u = s.find("uniqueItems"); u != s.end() && u->get<bool>())
        for (std::size_t a = 0; a < v.size(); ++a)
          for (std::size_t b = a + 1; b < v.size(); ++b)
            if (v[a] == v[b]) fail("items are not unique");
      if (auto i = s.find("items"); i != s.end())
        for (std::size_t k = 0; k < v.size(); ++k)
          check(v[k], *i, at + "/" + std::to_string(k), errors);
    }
    if (auto all = s.find("allOf"); all != s.end())
      for (const json& sub : *all) check(v, sub, at, errors);
    if (auto any = s.find("anyOf"); any != s.end()) {
      bool ok = false;
      for (const json& sub : *any) ok = ok || valid(v, sub);
      if (!ok) fail("matches none of anyOf");
    }
    if (auto one = s.find("oneOf"); one != s.end()) {
      int n = 0;
      std::vector<std::string> first;
      for (const json& sub : *one) {
        std::vector<std::string> e;
        check(v, sub, at, e);
        if (e.empty())
          ++n;
        else if (first.empty() || e.size() < first.size())
          first = e;
      }
      if (n != 1) {
        fail("matches " + std::to_string(n) + " branches of oneOf");
        errors.insert(errors.end(), first.begin(), first.end());
      }
    }
    if (auto n = s.find("not"); n != s.end() && valid(v, *n)) fail("matches a forbidden shape");
    if (auto i = s.find("if"); i != s.end()) {
      if (valid(v, *i)) {
        if (auto t = s.find("then"); t != s.end()) check(v, *t, at, errors);
      } else if (auto e = s.find("else"); e != s.end()) {
        check(v, *e, at, errors);
      }
    }
  }

  // The schemas that may describe a value: through $ref and every combinator.
  void expand(const json* s, std::vector<const json*>& out) const {
    if (!s->is_object() || std::find(out.begin(), out.end(), s) != out.end()) return;
    out.push_back(s);
    if (auto r = s->find("$ref"); r != s->end())
      if (const json* target = resolve(r->get<std::string>())) expand(target, out);
    for (const char* k : {"allOf", "anyOf", "oneOf"})
      if (auto it = s->find(k); it != s->end())
        for (const json& sub : *it) expand(&sub, out);
    for (const char* k : {"then", "else"})
      if (auto it = s->find(k); it != s->end()) expand(&*it, out);
  }

  void walk(const json& v, const std::vector<const json*>& schemas, const std::string& at,
            std::vector<std::string>& out) const {
    std::vector<const json*> all;
    for (const json* s : schemas) expand(s, all);
    if (v.is_object()) {
      bool closed = false, open = false;
      for (const json* s : all)
        if (auto extra = s->find("additionalProperties"); extra != s->end())
          (extra->is_boolean() && !extra->get<bool>() ? closed : open) = true;
      for (const auto& item : v.items()) {
        std::vector<const json*> subs;
        for (const json* s : all) {
          if (auto props = s->find("properties"); props != s->end() && props->contains(item.key()))
            subs.push_back(&(*props)[item.key()]);
          else if (auto extra = s->find("additionalProperties");
                   extra != s->end() && extra->is_object())
            subs.push_back(&*extra);
        }
        if (subs.empty() && closed && !open) out.push_back(at + "/" + item.key());
        if (!subs.empty()) walk(item.value(), subs, at + "/" + item.key(), out);
      }
    } else if (v.is_array()) {
      std::vector<const json*> items;
      for (const json* s : all)
        if (auto it = s->find("items"); it != s->end()) items.push_back(&*it);
      if (!items.empty())
        for (std::size_t k = 0; k < v.size(); ++k)
          walk(v[k], items, at + "/" + std::to_string(k), out);
    }
  }

  json root_;
};

const SchemaChecker& ruleset_schema() {
  static const SchemaChecker s(
      read_json(kSourceDir + "/rules/schemas/aiguillage.ruleset.schema.json"));
  return s;
}
const SchemaChecker& testcases_schema() {
  static const SchemaChecker s(
      read_json(kSourceDir + "/rules/schemas/aiguillage.testcases.schema.json"));
  return s;
}

// Every JSON document under rules/ (the schemas excepted), with the schema it declares.
std::vector<std::pair<fs::path, json>> documents(std::string_view schema) {
  std::vector<std::pair<fs::path, json>> out;
  for (const auto& entry : fs::recursive_directory_iterator(kSourceDir + "/rules")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    if (entry.path().parent_path().filename() == "schemas") continue;
    json doc = read_json(entry.path());
    if (doc.is_object() && doc.value("schema", "") == schema)
      out.emplace_back(entry.path(), std::move(doc));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(Schemas, AreDraft202012AndEveryRefResolves) {
  for (const char* name : {"aiguillage.ruleset.schema.json", "aiguillage.testcases.schema.json"}) {
    json s = read_json(kSourceDir + "/rules/schemas/" + name);
    EXPECT_EQ(s.value("$schema", ""), "https://json-schema.org/draft/2020-12/schema") << name;
    SchemaChecker checker(s);
    for (const std::string& ref : checker.refs())
      EXPECT_NE(checker.resolve(ref), nullptr) << name << " " << ref;
  }
}

TEST(Schemas, EveryKeyOfEveryPackIsDeclared) {
  auto packs = documents("aiguillage.ruleset");
  ASSERT_FALSE(packs.empty());
  bool example = false;
  for (const auto& [path, doc] : packs) {
    example = example || path.string().find("/rules/examples/") != std::string::npos;
    EXPECT_EQ(joined(ruleset_schema().undeclared_keys(doc)), "") << path;
    EXPECT_EQ(joined(ruleset_schema().validate(doc)), "") << path;
  }
  EXPECT_TRUE(example) << "no pack under rules/examples/";
}

TEST(Schemas, EveryKeyOfEveryTestFileIsDeclared) {
  auto files = documents("aiguillage.testcases");
  ASSERT_FALSE(files.empty());
  for (const auto& [path, doc] : files) {
    EXPECT_EQ(joined(testcases_schema().undeclared_keys(doc)), "") << path;
    EXPECT_EQ(joined(testcases_schema().validate(doc)), "") << path;
  }
}

bool loader_accepts_pack(const json& doc) {
  try {
    Pack::load(doc.dump());
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool loader_accepts_tests(const json& doc) {
  try {
    load_test_cases(doc.dump());
    return true;
  } catch (const Error&) {
    return false;
  }
}

// Small edits of the example pack, each accepted or refused alike by the schema and the engine.
TEST(Schemas, RulesetSchemaAgreesWithTheLoader) {
  const json base = read_json(kSourceDir + "/rules/examples/youth-guidance/pack.json");
  ASSERT_TRUE(loader_accepts_pack(base));
  struct Edit {
    const char* what;
    std::function<void(json&)> apply;
    bool accepted;
  };
  const std::vector<Edit> edits = {
      {"unknown top-level key", [](json& d) { d["foo"] = 1; }, false},
      {"unknown rule key", [](json& d) { d["decisions"][0]["rules"][0]["foo"] = 1; }, false},
      {"unknown input key", [](json& d) { d["inputs"][0]["foo"] = 1; }, false},
      {"unknown label language", [](json& d) { d["inputs"][0]["label"]["de"] = "x"; }, false},
      {"enum without values", [](json& d) { d["inputs"][2].erase("values"); }, false},
      {"min on a bool", [](json& d) { d["inputs"][1]["min"] = 0; }, false},
      {"context source kind", [](json& d) { d["inputs"][0]["source_kind"] = "context"; }, false},
      {"required as text", [](json& d) { d["inputs"][0]["required"] = "yes"; }, false},
      {"rule without status", [](json& d) { d["decisions"][0]["rules"][0].erase("status"); },
       false},
      {"unknown status", [](json& d) { d["decisions"][0]["rules"][0]["status"] = "draft"; }, false},
      {"unknown hit policy", [](json& d) { d["decisions"][0]["hit_policy"] = "FIRSTS"; }, false},
      {"expression decision without kind", [](json& d) { d["decisions"][2].erase("kind"); }, false},
      {"table without outputs", [](json& d) { d["decisions"][1]["outputs"] = json::array(); },
       false},
      {"missing title", [](json& d) { d.erase("title"); }, false},
      {"schema version 2.0", [](json& d) { d["schema_version"] = "2.0"; }, false},
      {"hit policy in lower case with underscore",
       [](json& d) { d["decisions"][0]["hit_policy"] = "rule_order"; }, true},
      {"hit policy letter", [](json& d) { d["decisions"][0]["hit_policy"] = "F"; }, true},
      {"label as one string", [](json& d) { d["inputs"][0]["label"] = "date de naissance"; }, true},
      {"null kind means table", [](json& d) { d["decisions"][0]["kind"] = nullptr; }, true},
      {"column id", [](json& d) { d["decisions"][0]["inputs"][0]["id"] = 3; }, true},
      {"source without url", [](json& d) { d["sources"][0].erase("url"); }, true},
      {"integer bounds as strings", [](json& d) { d["inputs"][4]["max"] = "600"; }, true},
      {"date bounds", [](json& d) { d["inputs"][0]["min"] = "1900-01-01"; }, true},
      {"no variables",
       [](json& d) {
         d.erase("variables");
         d["decisions"][0]["inputs"][0]["expression"] = "years_between(birth_date, reference_date)";
         d["decisions"][1]["inputs"][0]["expression"] = "years_between(birth_date, reference_date)";
       },
       true},
  };
  for (const Edit& edit : edits) {
    json doc = base;
    edit.apply(doc);
    EXPECT_EQ(loader_accepts_pack(doc), edit.accepted) << edit.what;
    EXPECT_EQ(ruleset_schema().validate(doc).empty(), edit.accepted)
        << edit.what << "\n"
        << joined(ruleset_schema().validate(doc));
  }
}

TEST(Schemas, TestCasesSchemaAgreesWithTheLoader) {
  const json base = read_json(kSourceDir + "/rules/examples/youth-guidance/tests/cases.json");
  ASSERT_TRUE(loader_accepts_tests(base));
  struct Edit {
    const char* what;
    std::function<void(json&)> apply;
    bool accepted;
  };
  const std::vector<Edit> edits = {
      {"unknown case key", [](json& d) { d["cases"][0]["foo"] = 1; }, false},
      {"unknown expectation", [](json& d) { d["cases"][0]["expected"]["foo"] = 1; }, false},
      {"empty expectation", [](json& d) { d["cases"][0]["expected"] = json::object(); }, false},
      {"unknown error name",
       [](json& d) {
         d["cases"][0]["expected"] = {{"error", "no_such_code"}};
       },
       false},
      {"rules as a number", [](json& d) { d["cases"][0]["expected"]["rules"]["cej_eligible"] = 3; },
       false},
      {"empty name", [](json& d) { d["cases"][0]["name"] = ""; }, false},
      {"input not an object", [](json& d) { d["cases"][0]["input"] = json::array(); }, false},
      {"unknown status", [](json& d) { d["cases"][0]["expected"]["status"] = "done"; }, false},
      {"missing as text", [](json& d) { d["cases"][0]["expected"]["missing"] = "birth_date"; },
       false},
      {"description", [](json& d) { d["description"] = "x"; }, true},
      {"rules as a list or null",
       [](json& d) {
         d["cases"][0]["expected"]["rules"]["cej_eligible"] = json::array({"C2"});
         d["cases"][0]["expected"]["rules"]["organisme_referent"] = nullptr;
       },
       true},
      {"no reference date", [](json& d) { d["cases"][0].erase("reference_date"); }, true},
  };
  for (const Edit& edit : edits) {
    json doc = base;
    edit.apply(doc);
    EXPECT_EQ(loader_accepts_tests(doc), edit.accepted) << edit.what;
    EXPECT_EQ(testcases_schema().validate(doc).empty(), edit.accepted)
        << edit.what << "\n"
        << joined(testcases_schema().validate(doc));
  }
}

}  // namespace
}  // namespace aiguillage
