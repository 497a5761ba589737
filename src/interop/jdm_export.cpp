// A pack written as a GoRules JDM graph that ZEN evaluates to the pack's outputs. Every pack
// expression is rewritten from its compiled tree into ZEN's expression language with the pack's
// semantics made explicit: ZEN fails on null where the pack's three-valued logic gives null, so
// every operand that may be null is tested first; dates stay "YYYY-MM-DD" texts and go through
// ZEN's d(...) only to be compared, moved or counted. What ZEN cannot state exactly is
// inexpressible (-706) at the JSON pointer of the pack element.
#include "jdm_export.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/pack_export.hpp"
#include "aiguillage/rules/pack.hpp"
#include "rules/expression_impl.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using ojson = nlohmann::ordered_json;
using detail::Fn;
using detail::Op;

constexpr const char* kDateFormat = "'%Y-%m-%d'";
constexpr const char* kCollectPath = "aiguillage_collect";

[[noreturn]] void inexpressible(const std::string& message, const std::string& pointer) {
  throw Error(ErrorCode::inexpressible, message, pointer);
}

class CompileScope : public Scope {
 public:
  explicit CompileScope(const Pack& pack) : pack_(pack) {}
  std::optional<Entry> lookup(std::string_view name) const override {
    int slot = pack_.slot_of(name);
    if (slot < 0) return std::nullopt;
    return Entry{slot, pack_.slot_type(slot)};
  }

 private:
  const Pack& pack_;
};

// A ZEN expression and whether it may yield null. A test guarded against null operands also
// keeps its two halves, so that a table cell can say "$ != null and $ > 24".
struct Zen {
  Zen() = default;
  Zen(std::string t, bool n = true, std::string p = {}, std::string c = {})
      : text(std::move(t)), nullable(n), present(std::move(p)), test(std::move(c)) {}
  std::string text;
  bool nullable = true;
  std::string present;  // "x != null and ...": the operands that may be null are not
  std::string test;     // the comparison itself, true or false once they are present
};

// A name, a number, a quoted text without quotes inside, "$" or "#": no parentheses needed.
bool is_atom(const std::string& t) {
  if (t.empty()) return false;
  if ((t.front() == '\'' || t.front() == '"') && t.size() >= 2 && t.back() == t.front())
    return t.find(t.front(), 1) == t.size() - 1;
  for (char c : t)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' ||
          c == '#'))
      return false;
  return true;
}

std::string paren(const Zen& z) {
  return is_atom(z.text) ? z.text : "(" + z.text + ")";
}

std::string quote(std::string_view s, const std::string& pointer) {
  for (char c : s)
    if (c == '\\' || c == '\n' || c == '\r')
      inexpressible("the text " + ojson(std::string(s)).dump() +
                        " holds a backslash or a line break, which a ZEN string cannot state",
                    pointer);
  if (s.find('\'') == std::string_view::npos) return "'" + std::string(s) + "'";
  if (s.find('"') == std::string_view::npos) return "\"" + std::string(s) + "\"";
  inexpressible("the text " + ojson(std::string(s)).dump() + " holds both quotes", pointer);
}

// One compiled expression of the pack rewritten into ZEN's language.
class Translator {
 public:
  // `column`: what "$" stands for in a table cell (the column's expression, written in place:
  // ZEN reads a cell of a column without a field as an ordinary expression).
  Translator(const Pack& pack, const Expression::Impl& impl, const std::string& pointer,
             TypeKind dollar, TypeKind item, const Zen* column = nullptr)
      : pack_(pack),
        impl_(impl),
        pointer_(pointer),
        dollar_(dollar),
        item_(item),
        column_(column) {}

  Zen run() { return node(impl_.root); }

  // The value type of a node, as far as the rewriting needs it (dates and numbers apart).
  TypeKind kind(std::int32_t index) const {
    const detail::Node& n = at(index);
    switch (n.op) {
      case Op::constant:
        switch (n.value.type()) {
          case Type::null:
            return TypeKind::null;
          case Type::boolean:
            return TypeKind::boolean;
          case Type::integer:
            return TypeKind::integer;
          case Type::decimal:
            return TypeKind::decimal;
          case Type::string:
            return TypeKind::string;
          case Type::date:
            return TypeKind::date;
          case Type::list:
            return TypeKind::list;
        }
        return TypeKind::any;
      case Op::slot:
        return pack_.slot_type(n.a).kind;
      case Op::dollar:
        return dollar_;
      case Op::item:
        return item_;
      case Op::negate:
        return kind(n.a);
      case Op::add:
      case Op::subtract:
      case Op::multiply: {
        TypeKind a = kind(n.a), b = kind(n.b);
        return a == TypeKind::decimal || b == TypeKind::decimal ? TypeKind::decimal
                                                                : TypeKind::integer;
      }
      case Op::divide:
        return TypeKind::decimal;
      case Op::list:
        return TypeKind::list;
      case Op::if_then_else: {
        TypeKind t = kind(n.b);
        return t == TypeKind::null ? kind(n.c) : t;
      }
      case Op::call:
        switch (n.fn) {
          case Fn::coalesce:
          case Fn::min:
          case Fn::max:
            for (std::uint32_t k = 0; k < n.args_count; ++k) {
              TypeKind t = kind(arg(n, k));
              if (t != TypeKind::null) return t;
            }
            return TypeKind::null;
          case Fn::date:
          case Fn::add_days:
          case Fn::add_months:
            return TypeKind::date;
          case Fn::lower:
          case Fn::upper:
          case Fn::concat:
          case Fn::to_text:
          case Fn::trim:
            return TypeKind::string;
          case Fn::abs:
          case Fn::floor:
          case Fn::ceil:
          case Fn::round:
          case Fn::sum:
            return kind(arg(n, 0));
          case Fn::contains:
          case Fn::starts_with:
          case Fn::ends_with:
          case Fn::any:
          case Fn::all:
          case Fn::is_missing:
            return TypeKind::boolean;
          default:
            return TypeKind::integer;
        }
      default:
        return TypeKind::boolean;
    }
  }

 private:
  const Pack& pack_;
  const Expression::Impl& impl_;
  const std::string& pointer_;
  TypeKind dollar_, item_;
  const Zen* column_;

  const detail::Node& at(std::int32_t index) const {
    return impl_.nodes[static_cast<std::size_t>(index)];
  }
  std::int32_t arg(const detail::Node& n, std::uint32_t k) const {
    return impl_.args[n.args_begin + k];
  }

  [[noreturn]] void refuse(const std::string& what) const {
    inexpressible(what + " has no exact counterpart in ZEN's expression language", pointer_);
  }

  // body when no operand is null, else null: the pack's rule for comparisons, arithmetic and
  // functions; ZEN would fail on the null instead.
  static Zen guarded(const std::vector<const Zen*>& operands, const std::string& body) {
    std::string test, present;
    for (const Zen* z : operands)
      if (z->nullable) {
        test += (test.empty() ? "" : " or ") + paren(*z) + " == null";
        present += (present.empty() ? "" : " and ") + paren(*z) + " != null";
      }
    if (test.empty()) return Zen{body, false, "", body};
    return Zen{"(" + test + ") ? null : (" + body + ")", true, present, body};
  }

  static std::string date_of(const Zen& z) { return "d(" + z.text + ")"; }

  // A guarded value that is not a test of its own: a cell compares it with true.
  static Zen plain(Zen z) {
    z.present.clear();
    z.test.clear();
    return z;
  }

  std::string constant(const Value& v) const {
    switch (v.type()) {
      case Type::null:
        return "null";
      case Type::boolean:
        return v.as_bool() ? "true" : "false";
      case Type::integer:
        return std::to_string(v.as_int());
      case Type::decimal:
        return v.as_decimal().to_string();
      case Type::string:
        return quote(v.as_string(), pointer_);
      case Type::date:
        return "'" + v.as_date().to_string() + "'";
      case Type::list: {
        std::string out = "[";
        for (std::size_t k = 0; k < v.list_size(); ++k) out += (k ? ", " : "") + constant(v[k]);
        return out + "]";
      }
    }
    return "null";
  }

  Zen logical(const detail::Node& n, bool is_or) {
    std::vector<Zen> items;
    bool nullable = false;
    for (std::uint32_t k = 0; k < n.args_count; ++k) {
      items.push_back(node(arg(n, k)));
      nullable = nullable || items.back().nullable;
    }
    const char* word = is_or ? " or " : " and ";
    std::string plain;
    for (const Zen& z : items) plain += (plain.empty() ? "" : word) + paren(z);
    if (!nullable) return Zen{plain, false};
    // Kleene: one decisive operand decides; else an unknown one makes the result unknown.
    std::string decisive, unknown;
    for (const Zen& z : items) {
      decisive += (decisive.empty() ? "" : " or ") + paren(z) + (is_or ? " == true" : " == false");
      if (z.nullable) unknown += (unknown.empty() ? "" : " or ") + paren(z) + " == null";
    }
    return Zen{"(" + decisive + ") ? " + (is_or ? "true" : "false") + " : ((" + unknown +
                   ") ? null : " + (is_or ? "false" : "true") + ")",
               true};
  }

  Zen compare(const detail::Node& n, const char* op) {
    Zen a = node(n.a), b = node(n.b);
    TypeKind ka = kind(n.a), kb = kind(n.b);
    bool equality = std::string_view(op) == "==" || std::string_view(op) == "!=";
    if (ka == TypeKind::date || kb == TypeKind::date) {
      if (equality) return guarded({&a, &b}, paren(a) + " " + op + " " + paren(b));
      return guarded({&a, &b}, date_of(a) + " " + op + " " + date_of(b));
    }
    if (!equality && !(is_number(ka) && is_number(kb)))
      refuse("ordering texts or booleans (\"" + impl_.text + "\")");
    return guarded({&a, &b}, paren(a) + " " + op + " " + paren(b));
  }

  static bool is_number(TypeKind k) { return k == TypeKind::integer || k == TypeKind::decimal; }

  Zen node(std::int32_t index) {
    const detail::Node& n = at(index);
    switch (n.op) {
      case Op::constant:
        return Zen{constant(n.value), n.value.is_null()};
      case Op::slot: {
        const std::string& name = pack_.slot_name(n.a);
        return Zen{name, name != kReferenceDate};
      }
      case Op::dollar:
        return column_ ? Zen{column_->text, column_->nullable} : Zen{"$", true};
      case Op::item:
        return Zen{"#", true};
      case Op::item_field:
        refuse("a field of a list's items (#.field)");
      case Op::negate: {
        Zen a = node(n.a);
        return plain(guarded({&a}, "-" + paren(a)));
      }
      case Op::logical_not: {
        Zen a = node(n.a);
        return plain(guarded({&a}, "not " + paren(a)));
      }
      case Op::logical_and:
        return logical(n, false);
      case Op::logical_or:
        return logical(n, true);
      case Op::equal:
        return compare(n, "==");
      case Op::not_equal:
        return compare(n, "!=");
      case Op::less:
        return compare(n, "<");
      case Op::less_equal:
        return compare(n, "<=");
      case Op::greater:
        return compare(n, ">");
      case Op::greater_equal:
        return compare(n, ">=");
      case Op::is_null:
        return Zen{paren(node(n.a)) + " == null", false};
      case Op::is_not_null:
        return Zen{paren(node(n.a)) + " != null", false};
      case Op::add:
      case Op::subtract:
      case Op::multiply: {
        if (n.op == Op::multiply && kind(index) == TypeKind::decimal)
          refuse("a product of decimals (rounded to 6 places in the pack)");
        Zen a = node(n.a), b = node(n.b);
        const char* op = n.op == Op::add ? " + " : n.op == Op::subtract ? " - " : " * ";
        return plain(guarded({&a, &b}, paren(a) + op + paren(b)));
      }
      case Op::divide:
        refuse("division (rounded half to even at 6 places in the pack)");
      case Op::in_range: {
        Zen x = node(n.a), lo = node(n.b), hi = node(n.c);
        bool date = kind(n.a) == TypeKind::date;
        auto v = [&](const Zen& z) { return date ? date_of(z) : paren(z); };
        std::string body = v(lo) + ((n.flags & detail::kLowOpen) ? " < " : " <= ") + v(x) +
                           " and " + v(x) + ((n.flags & detail::kHighOpen) ? " < " : " <= ") +
                           v(hi);
        return guarded({&x, &lo, &hi}, body);
      }
      case Op::in_list: {
        const detail::Node& list = at(n.b);
        if (list.op != Op::constant || list.value.type() != Type::list)
          refuse("a membership test in a list that is not a list of constants");
        Zen x = node(n.a);
        std::string body;
        for (std::size_t k = 0; k < list.value.list_size(); ++k) {
          if (list.value[k].is_null()) refuse("a membership test in a list holding null");
          body += (k ? " or " : "") + paren(x) + " == " + constant(list.value[k]);
        }
        if (body.empty()) body = "false";
        return guarded({&x}, body);
      }
      case Op::list: {
        std::string out = "[";
        for (std::uint32_t k = 0; k < n.args_count; ++k)
          out += (k ? ", " : "") + node(arg(n, k)).text;
        return Zen{out + "]", false};
      }
      case Op::if_then_else: {
        Zen c = node(n.a), t = node(n.b), e = node(n.c);
        std::string body = paren(c) + " ? " + paren(t) + " : " + paren(e);
        if (!c.nullable) return Zen{body, t.nullable || e.nullable};
        return Zen{paren(c) + " == null ? null : (" + body + ")", true};
      }
      case Op::call:
        return plain(call(n));
    }
    refuse("this construct");
  }

  Zen years_or_months(const Zen& from, const Zen& to, bool years) {
    // The pack's count (an age: the anniversary counts on the day, a 29 February one on 1
    // March of a common year, which the day test below gives too), signed when `to` is earlier.
    auto count = [&](const std::string& a, const std::string& b) {
      std::string ya = a + ".year()", yb = b + ".year()", ma = a + ".month()", mb = b + ".month()",
                  da = a + ".day()", db = b + ".day()";
      if (years)
        return "(" + yb + " - " + ya + " - ((" + mb + " < " + ma + " or (" + mb + " == " + ma +
               " and " + db + " < " + da + ")) ? 1 : 0))";
      // A month is complete on the same day of the month, or on the last day of a shorter one.
      return "((" + yb + " - " + ya + ") * 12 + " + mb + " - " + ma + " - ((" + db + " < " + da +
             " and " + b + ".add(1, 'd').day() != 1) ? 1 : 0))";
    };
    std::string a = date_of(from), b = date_of(to);
    std::string body = b + " < " + a + " ? -" + count(b, a) + " : " + count(a, b);
    return guarded({&from, &to}, body);
  }

  Zen call(const detail::Node& n) {
    std::vector<Zen> a;
    std::vector<const Zen*> all;
    auto take = [&](std::uint32_t k) {
      a.push_back(node(arg(n, k)));
      return a.back();
    };
    auto name_of = [&]() {
      for (const auto& s : detail::function_specs())
        if (s.fn == n.fn) return std::string(s.name);
      return std::string("?");
    };
    switch (n.fn) {
      case Fn::coalesce: {
        std::string body;
        bool nullable = true;
        for (std::uint32_t k = 0; k < n.args_count; ++k) {
          Zen z = node(arg(n, k));
          body += (k ? " ?? " : "") + paren(z);
          nullable = nullable && z.nullable;
        }
        return Zen{"(" + body + ")", nullable};
      }
      case Fn::is_missing:
        return Zen{paren(node(arg(n, 0))) + " == null", false};
      case Fn::years_between:
      case Fn::months_between: {
        Zen from = node(arg(n, 0)), to = node(arg(n, 1));
        return years_or_months(from, to, n.fn == Fn::years_between);
      }
      case Fn::days_between: {
        Zen from = node(arg(n, 0)), to = node(arg(n, 1));
        return guarded({&from, &to}, date_of(to) + ".diff(" + date_of(from) + ", 'day')");
      }
      case Fn::add_days:
      case Fn::add_months: {
        Zen d = node(arg(n, 0)), k = node(arg(n, 1));
        return guarded({&d, &k}, date_of(d) + ".add(" + k.text + ", '" +
                                     (n.fn == Fn::add_days ? "d" : "month") + "').format(" +
                                     kDateFormat + ")");
      }
      case Fn::count: {
        if (n.args_count == 1) {
          Zen l = node(arg(n, 0));
          return guarded({&l}, "len" + paren(l));
        }
        Zen l = node(arg(n, 0));
        Zen p = Translator(pack_, impl_, pointer_, dollar_, list_item(arg(n, 0)), column_)
                    .node_public(arg(n, 1));
        return guarded({&l}, "count(" + l.text + ", " + paren(p) + " == true)");
      }
      case Fn::any:
      case Fn::all: {
        Zen l = node(arg(n, 0));
        Zen p = Translator(pack_, impl_, pointer_, dollar_, list_item(arg(n, 0)), column_)
                    .node_public(arg(n, 1));
        bool any = n.fn == Fn::any;
        std::string body = "some(" + l.text + ", " + paren(p) + (any ? " == true" : " == false") +
                           ") ? " + (any ? "true" : "false") + " : (some(" + l.text + ", " +
                           paren(p) + " == null) ? null : " + (any ? "false" : "true") + ")";
        Zen r = guarded({&l}, body);
        r.nullable = true;
        return r;
      }
      case Fn::contains:
      case Fn::starts_with:
      case Fn::ends_with: {
        take(0);
        take(1);
        const char* zen = n.fn == Fn::contains      ? "contains("
                          : n.fn == Fn::starts_with ? "startsWith("
                                                    : "endsWith(";
        return guarded({&a[0], &a[1]}, zen + a[0].text + ", " + a[1].text + ")");
      }
      case Fn::len:
      case Fn::abs:
      case Fn::floor:
      case Fn::ceil: {
        take(0);
        return guarded({&a[0]}, name_of() + "(" + a[0].text + ")");
      }
      case Fn::concat: {
        std::string body;
        for (std::uint32_t k = 0; k < n.args_count; ++k) take(k);
        for (std::size_t k = 0; k < a.size(); ++k) {
          body += (k ? " + " : "") + paren(a[k]);
          all.push_back(&a[k]);
        }
        return guarded(all, body);
      }
      default:
        refuse("the function " + name_of() + "()");
    }
  }

  TypeKind list_item(std::int32_t index) const {
    const detail::Node& n = at(index);
    if (n.op == Op::slot) return pack_.slot_type(n.a).item;
    if (n.op == Op::list)
      for (std::uint32_t k = 0; k < n.args_count; ++k) {
        TypeKind t = kind(arg(n, k));
        if (t != TypeKind::null) return t;
      }
    return TypeKind::any;
  }

 public:
  Zen node_public(std::int32_t index) { return node(index); }
};

std::string str(const ojson& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class JdmWriter {
 public:
  JdmWriter(const ojson& document, const Pack& pack) : doc_(document), pack_(pack), scope_(pack) {}

  ojson run() {
    nodes_.push_back(node("request", "inputNode", "request"));
    constraints();
    for (const aiguillage::Node& step : pack_.order()) {
      if (step.kind == aiguillage::Node::Kind::variable)
        variable(step.index);
      else if (pack_.decisions()[static_cast<std::size_t>(step.index)].kind ==
               DecisionTable::Kind::expression)
        expression_decision(step.index);
      else
        table(step.index);
    }
    nodes_.push_back(node("response", "outputNode", "response"));
    ojson edges = ojson::array();
    for (std::size_t k = 0; k + 1 < nodes_.size(); ++k)
      edges.push_back(ojson{{"id", "edge-" + std::to_string(k + 1)},
                            {"sourceId", nodes_[k]["id"]},
                            {"targetId", nodes_[k + 1]["id"]},
                            {"type", "edge"}});
    ojson graph = ojson::object();
    graph["contentType"] = "application/vnd.gorules.decision";
    graph["nodes"] = nodes_;
    graph["edges"] = std::move(edges);
    graph["aiguillage"] = ojson{{"schema", "aiguillage.jdm_export"},
                                {"schema_version", "1.0"},
                                {"pack_hash", pack_.hash()},
                                {"pack", doc_}};
    return graph;
  }

 private:
  const ojson& doc_;
  const Pack& pack_;
  CompileScope scope_;
  ojson nodes_ = ojson::array();

  ojson node(const std::string& id, const char* type, const std::string& name) {
    double x = 240.0 * static_cast<double>(nodes_.size());
    return ojson{{"id", id}, {"type", type}, {"name", name}, {"position", {{"x", x}, {"y", 0}}}};
  }

  Zen translate(const std::string& text, const std::string& pointer,
                TypeKind dollar = TypeKind::any) {
    auto impl = detail::build_expression(text, scope_, nullptr, {});
    return Translator(pack_, *impl, pointer, dollar, TypeKind::any).run();
  }

  ojson expression_node(const std::string& id, const std::string& name, ojson expressions) {
    ojson n = node(id, "expressionNode", name);
    n["content"] = ojson{{"expressions", std::move(expressions)},
                         {"passThrough", true},
                         {"inputField", nullptr},
                         {"outputPath", nullptr},
                         {"executionMode", "single"}};
    return n;
  }

  // The list of the ids of the constraints a record breaks (false; unknown passes): the pack
  // refuses such a record, ZEN cannot refuse one and says which.
  void constraints() {
    const auto& cs = pack_.constraints();
    if (cs.empty()) return;
    std::string items;
    for (std::size_t k = 0; k < cs.size(); ++k) {
      std::string p = "/constraints/" + std::to_string(k) + "/expression";
      Zen z = translate(cs[k].text, p);
      items += (k ? ", " : "") + paren(z) + " == false ? " + quote(cs[k].id, p) + " : null";
    }
    ojson e = ojson::array({ojson{{"id", "constraint-violations"},
                                  {"key", "constraint_violations"},
                                  {"value", "filter([" + items + "], # != null)"}}});
    nodes_.push_back(expression_node("constraints", "constraints", std::move(e)));
  }

  void variable(int index) {
    const Variable& v = pack_.variables()[static_cast<std::size_t>(index)];
    Zen z = translate(v.text, "/variables/" + std::to_string(index) + "/expression");
    ojson e = ojson::array({ojson{
        {"id", "variable-" + std::to_string(index + 1)}, {"key", v.name}, {"value", z.text}}});
    nodes_.push_back(
        expression_node("variable-" + std::to_string(index + 1), v.name, std::move(e)));
  }

  void expression_decision(int index) {
    const DecisionTable& d = pack_.decisions()[static_cast<std::size_t>(index)];
    Zen z = translate(d.expression.text(), "/decisions/" + std::to_string(index) + "/expression");
    ojson e = ojson::array({ojson{{"id", "decision-" + std::to_string(index + 1) + "-output"},
                                  {"key", d.outputs.at(0).name},
                                  {"value", z.text}}});
    nodes_.push_back(expression_node("decision-" + std::to_string(index + 1), d.id, std::move(e)));
  }

  // A cell as a ZEN expression that is true exactly when the pack's cell holds, the column's
  // expression in place of "$": ZEN reads the cells of a column without a field as ordinary
  // expressions, where its unary form would take "(" for an interval and compare the value of
  // most other expressions with the column's.
  std::string cell(const std::string& text, const StaticType& type, const Zen& column,
                   const std::string& pointer) {
    auto impl = detail::build_unary_test(text, scope_, type, {});
    const detail::Node& root = impl->nodes[static_cast<std::size_t>(impl->root)];
    if (root.op == Op::constant)
      return root.value.type() == Type::boolean && root.value.as_bool() ? "" : "false";
    Zen z = Translator(pack_, *impl, pointer, type.kind, type.item, &column).run();
    if (!z.nullable) return z.text;
    if (!z.test.empty()) return z.present + " and " + paren(Zen{z.test});
    return paren(z) + " == true";
  }

  void table(int index) {
    const DecisionTable& d = pack_.decisions()[static_cast<std::size_t>(index)];
    const std::string p = "/decisions/" + std::to_string(index);
    const std::string id = "decision-" + std::to_string(index + 1);
    bool collect = false;
    std::string policy = "first";
    switch (d.hit_policy) {
      case HitPolicy::first:
      case HitPolicy::unique:  // at most one rule matches a record the pack accepts
      case HitPolicy::any:     // the matches agree on a record the pack accepts
        break;
      case HitPolicy::collect:
      case HitPolicy::rule_order:
      case HitPolicy::collect_count:
      case HitPolicy::collect_sum:
      case HitPolicy::collect_min:
      case HitPolicy::collect_max:
        collect = true;
        policy = "collect";
        break;
      default:
        inexpressible("the hit policy " + std::string(hit_policy_name(d.hit_policy)) +
                          " has no counterpart in ZEN (first and collect)",
                      p + "/hit_policy");
    }
    ojson content = ojson::object();
    content["hitPolicy"] = policy;
    ojson inputs = ojson::array();
    std::vector<StaticType> types;
    std::vector<Zen> columns;
    for (std::size_t c = 0; c < d.inputs.size(); ++c) {
      const std::string cp = p + "/inputs/" + std::to_string(c) + "/expression";
      columns.push_back(translate(d.inputs[c].text, cp));
      types.push_back(d.inputs[c].expr.type());
      inputs.push_back(
          ojson{{"id", id + "-in-" + std::to_string(c + 1)},
                {"name", d.inputs[c].label.fr.empty() ? d.inputs[c].text : d.inputs[c].label.fr}});
    }
    ojson outputs = ojson::array();
    for (std::size_t o = 0; o < d.outputs.size(); ++o) {
      const OutputSpec& out = d.outputs[o];
      if (out.type == FieldType::list)
        inexpressible("a table output holding a list", p + "/outputs/" + std::to_string(o));
      outputs.push_back(ojson{{"id", id + "-out-" + std::to_string(o + 1)},
                              {"name", out.label.fr.empty() ? out.name : out.label.fr},
                              {"field", out.name}});
    }
    ojson rules = ojson::array();
    for (std::size_t r = 0; r < d.rules.size(); ++r) {
      const Rule& rule = d.rules[r];
      const std::string rp = p + "/rules/" + std::to_string(r);
      ojson row = ojson::object();
      row["_id"] = rule.id;
      row["_description"] = rule.description;
      row["_source"] = rule.source;
      row["_status"] = std::string(rule_status_name(rule.status));
      if (!rule.note.empty()) row["_note"] = rule.note;
      for (std::size_t c = 0; c < rule.when_text.size(); ++c)
        row[inputs[c]["id"].get<std::string>()] =
            cell(rule.when_text[c], types[c], columns[c], rp + "/when/" + std::to_string(c));
      for (std::size_t o = 0; o < rule.then_text.size(); ++o)
        row[outputs[o]["id"].get<std::string>()] =
            translate(rule.then_text[o], rp + "/then/" + std::to_string(o)).text;
      rules.push_back(std::move(row));
    }
    content["inputs"] = std::move(inputs);
    content["outputs"] = std::move(outputs);
    content["rules"] = std::move(rules);
    content["passThrough"] = true;
    content["inputField"] = nullptr;
    const std::string path = std::string(kCollectPath) + "." + d.id;
    content["outputPath"] = collect ? ojson(path) : ojson(nullptr);
    content["executionMode"] = "single";
    ojson n = node(id, "decisionTableNode", d.id);
    n["content"] = std::move(content);
    nodes_.push_back(std::move(n));
    if (!collect) return;
    // The matches' outputs as the pack gives them: one list per output, their count, or their
    // sum, minimum or maximum (null when nothing matches or one of them is null).
    ojson e = ojson::array();
    const std::string matches = "(" + path + " ?? [])";
    for (std::size_t o = 0; o < d.outputs.size(); ++o) {
      const std::string& name = d.outputs[o].name;
      const std::string list = "map(" + matches + ", #." + name + ")";
      std::string value;
      switch (d.hit_policy) {
        case HitPolicy::collect_count:
          value = "len(" + matches + ")";
          break;
        case HitPolicy::collect_sum:
        case HitPolicy::collect_min:
        case HitPolicy::collect_max: {
          const char* fn = d.hit_policy == HitPolicy::collect_sum   ? "sum"
                           : d.hit_policy == HitPolicy::collect_min ? "min"
                                                                    : "max";
          value = "(len(" + matches + ") == 0 or some(" + matches + ", #." + name +
                  " == null)) ? null : " + fn + "(" + list + ")";
          break;
        }
        default:
          value = list;
      }
      e.push_back(
          ojson{{"id", id + "-collect-" + std::to_string(o + 1)}, {"key", name}, {"value", value}});
    }
    nodes_.push_back(expression_node(id + "-collect", d.id + " (collect)", std::move(e)));
  }
};

}  // namespace

std::string export_jdm(std::string_view pack_json) {
  const Pack pack = Pack::load(pack_json);  // only valid packs are exported
  ojson document = ojson::parse(pack_json);
  return JdmWriter(document, pack).run().dump(2) + "\n";
}

namespace detail {

std::optional<std::string> pack_of_exported_jdm(std::string_view jdm_json) {
  ojson graph = ojson::parse(jdm_json, nullptr, false);
  if (!graph.is_object()) return std::nullopt;
  auto meta = graph.find("aiguillage");
  if (meta == graph.end() || !meta->is_object() || !meta->contains("pack") ||
      str(*meta, "schema") != "aiguillage.jdm_export")
    return std::nullopt;
  std::string pack_text = (*meta)["pack"].dump();
  ojson again;
  try {
    again = ojson::parse(export_jdm(pack_text));
  } catch (const Error&) {
    return std::nullopt;
  }
  if (again["nodes"] != graph["nodes"] || again["edges"] != graph["edges"]) return std::nullopt;
  return (*meta)["pack"].dump(2) + "\n";
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
