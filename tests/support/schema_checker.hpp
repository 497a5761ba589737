// A validator for the subset of JSON Schema 2020-12 that rules/schemas/ uses (local $ref, type,
// const, enum, properties, required, additionalProperties, items, min/max constraints, pattern,
// allOf/anyOf/oneOf/not, if/then/else), so that tests need no validator dependency.
#pragma once

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aiguillage {
namespace test {

using nlohmann::json;

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

}  // namespace test
}  // namespace aiguillage
