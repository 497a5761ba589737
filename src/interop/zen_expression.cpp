#include "zen_expression.hpp"

#include "zen_chars.hpp"

#include <memory>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

namespace {

[[noreturn]] void refuse(const std::string& what) {
  throw Error(ErrorCode::unsupported_construct, what, "");
}

enum class Tok { end, number, string, templ, name, dollar, item, op };

struct Token {
  Tok kind = Tok::end;
  std::string text;
};

constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxLength = 8192;

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // 2.5e-3 written out (0.0025): the pack reads plain decimals, and shifting the point is exact.
  std::string exponent(const std::string& mantissa) {
    ++i_;  // e
    int sign = 1;
    if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) sign = s_[i_++] == '-' ? -1 : 1;
    if (i_ >= s_.size() || !is_digit(s_[i_])) refuse("exponent notation without digits");
    int e = 0;
    while (i_ < s_.size() && is_digit(s_[i_])) {
      e = e * 10 + (s_[i_++] - '0');
      if (e > 40) refuse("exponent notation beyond 1e40");
    }
    const std::size_t dot = mantissa.find('.');
    std::string digits = mantissa;
    int point = static_cast<int>(dot == std::string::npos ? mantissa.size() : dot);
    if (dot != std::string::npos) digits.erase(dot, 1);
    point += sign * e;
    if (point <= 0) {
      digits.insert(0, static_cast<std::size_t>(-point) + 1, '0');
      point = 1;
    }
    if (point > static_cast<int>(digits.size())) digits.append(point - digits.size(), '0');
    std::string whole = digits.substr(0, static_cast<std::size_t>(point));
    std::string fraction = digits.substr(static_cast<std::size_t>(point));
    whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    return fraction.empty() ? whole : whole + "." + fraction;
  }

  Token next() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    Token t;
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    if (is_digit(c)) {
      t.kind = Tok::number;
      while (i_ < s_.size() && (is_digit(s_[i_]) || s_[i_] == '_')) {
        if (s_[i_] != '_') t.text += s_[i_];
        ++i_;
      }
      if (i_ + 1 < s_.size() && s_[i_] == '.' && is_digit(s_[i_ + 1])) {
        t.text += s_[i_++];
        while (i_ < s_.size() && (is_digit(s_[i_]) || s_[i_] == '_')) {
          if (s_[i_] != '_') t.text += s_[i_];
          ++i_;
        }
      }
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) t.text = exponent(t.text);
      return t;
    }
    if (c == '\'' || c == '"') {
      t.kind = Tok::string;
      ++i_;
      while (i_ < s_.size() && s_[i_] != c) {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
          char e = s_[i_ + 1];
          t.text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          i_ += 2;
          continue;
        }
        t.text += s_[i_++];
      }
      if (i_ >= s_.size()) refuse("unterminated string");
      ++i_;
      return t;
    }
    if (c == '`') {
      t.kind = Tok::templ;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '`') t.text += s_[i_++];
      if (i_ >= s_.size()) refuse("unterminated template string");
      ++i_;
      return t;
    }
    if (is_name_start(c)) {
      t.kind = Tok::name;
      while (i_ < s_.size() && is_name_char(s_[i_])) t.text += s_[i_++];
      return t;
    }
    if (c == '$') {
      t.kind = Tok::dollar;
      ++i_;
      return t;
    }
    if (c == '#') {
      t.kind = Tok::item;
      ++i_;
      return t;
    }
    t.kind = Tok::op;
    for (std::string_view op : {"==", "!=", "<=", ">=", "??", "..", "&&", "||"})
      if (s_.substr(i_, 2) == op) {
        t.text = std::string(op);
        i_ += 2;
        return t;
      }
    if (std::string_view("+-*/%^<>!?:()[]{},.").find(c) == std::string_view::npos)
      refuse(std::string("character '") + c + "'");
    t.text = std::string(1, c);
    ++i_;
    return t;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

struct Ast;
using AstPtr = std::unique_ptr<Ast>;

enum class K {
  number,
  string,
  boolean,
  null,
  name,
  item,
  unary,
  binary,
  ternary,
  call,
  list,
  range,
  templ,
  object
};

struct Ast {
  K kind = K::null;
  std::string text;  // literal text, name path, operator, function name
  bool own = false;  // $.name
  bool low_open = false, high_open = false;
  std::vector<AstPtr> kids;
  std::vector<std::string> keys;  // object keys; template literal pieces
};

AstPtr make(K kind, std::string text = {}) {
  auto a = std::make_unique<Ast>();
  a->kind = kind;
  a->text = std::move(text);
  return a;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : lex_(s) { advance(); }

  AstPtr parse_all() {
    AstPtr e = expression();
    if (cur_.kind != Tok::end) refuse("unexpected \"" + cur_.text + "\"");
    return e;
  }

 private:
  void advance() { cur_ = lex_.next(); }
  bool is_op(std::string_view op) const { return cur_.kind == Tok::op && cur_.text == op; }
  bool is_word(std::string_view w) const { return cur_.kind == Tok::name && cur_.text == w; }
  void expect(std::string_view op) {
    if (!is_op(op)) refuse("expected \"" + std::string(op) + "\"");
    advance();
  }

  struct Depth {
    explicit Depth(std::size_t& d) : d_(d) {
      if (++d_ > kMaxDepth) refuse("expression nested too deep");
    }
    ~Depth() { --d_; }
    std::size_t& d_;
  };

  AstPtr expression() {
    Depth guard(depth_);
    AstPtr c = coalescing();
    if (!is_op("?")) return c;
    advance();
    AstPtr a = expression();
    expect(":");
    AstPtr b = expression();
    auto t = make(K::ternary);
    t->kids.push_back(std::move(c));
    t->kids.push_back(std::move(a));
    t->kids.push_back(std::move(b));
    return t;
  }

  AstPtr binary(AstPtr l, std::string op, AstPtr r) {
    auto b = make(K::binary, std::move(op));
    b->kids.push_back(std::move(l));
    b->kids.push_back(std::move(r));
    return b;
  }

  AstPtr coalescing() {
    AstPtr l = disjunction();
    while (is_op("??")) {
      advance();
      l = binary(std::move(l), "??", disjunction());
    }
    return l;
  }
  AstPtr disjunction() {
    AstPtr l = conjunction();
    while (is_word("or") || is_op("||")) {
      advance();
      l = binary(std::move(l), "or", conjunction());
    }
    return l;
  }
  AstPtr conjunction() {
    AstPtr l = comparison();
    while (is_word("and") || is_op("&&")) {
      advance();
      l = binary(std::move(l), "and", comparison());
    }
    return l;
  }
  AstPtr comparison() {
    AstPtr l = additive();
    for (;;) {
      if (cur_.kind == Tok::op && (cur_.text == "==" || cur_.text == "!=" || cur_.text == "<" ||
                                   cur_.text == "<=" || cur_.text == ">" || cur_.text == ">=")) {
        std::string op = cur_.text;
        advance();
        l = binary(std::move(l), op, additive());
      } else if (is_word("in")) {
        advance();
        l = binary(std::move(l), "in", additive());
      } else if (is_word("not")) {
        advance();
        if (!is_word("in")) refuse("\"not\" after an operand");
        advance();
        l = binary(std::move(l), "not in", additive());
      } else {
        return l;
      }
    }
  }
  AstPtr additive() {
    AstPtr l = multiplicative();
    while (is_op("+") || is_op("-")) {
      std::string op = cur_.text;
      advance();
      l = binary(std::move(l), op, multiplicative());
    }
    return l;
  }
  AstPtr multiplicative() {
    AstPtr l = power();
    while (is_op("*") || is_op("/") || is_op("%")) {
      std::string op = cur_.text;
      advance();
      l = binary(std::move(l), op, power());
    }
    return l;
  }
  AstPtr power() {
    AstPtr l = unary();
    if (is_op("^")) {
      advance();
      return binary(std::move(l), "^", power());
    }
    return l;
  }
  AstPtr unary() {
    Depth guard(depth_);
    if (is_op("-") || is_op("!") || is_word("not")) {
      std::string op = cur_.text == "-" ? "-" : "not";
      advance();
      auto u = make(K::unary, op);
      u->kids.push_back(unary());
      return u;
    }
    if (is_op("+")) {
      advance();
      return unary();
    }
    return postfix(primary());
  }
  AstPtr postfix(AstPtr a) {
    for (;;) {
      if (is_op(".")) {
        advance();
        if (cur_.kind != Tok::name) refuse("a member name after \".\"");
        if (a->kind != K::name && a->kind != K::item) refuse("a member of a computed value");
        a->text += a->text.empty() ? cur_.text : "." + cur_.text;
        advance();
      } else if (is_op("[")) {
        refuse("indexing with [ ]");
      } else {
        return a;
      }
    }
  }
  std::vector<AstPtr> list_items(std::string_view close) {
    std::vector<AstPtr> items;
    if (is_op(close)) {
      advance();
      return items;
    }
    for (;;) {
      items.push_back(expression());
      if (is_op(",")) {
        advance();
        if (is_op(close)) break;  // trailing comma
        continue;
      }
      break;
    }
    expect(close);
    return items;
  }
  AstPtr primary() {
    Token t = cur_;
    switch (t.kind) {
      case Tok::number:
        advance();
        return make(K::number, t.text);
      case Tok::string:
        advance();
        return make(K::string, t.text);
      case Tok::templ: {
        advance();
        return template_string(t.text);
      }
      case Tok::dollar: {
        advance();
        auto a = make(K::name);
        a->own = true;
        if (!is_op(".")) refuse("\"$\" as a whole (the node's output object)");
        return a;
      }
      case Tok::item:
        advance();
        return make(K::item);
      case Tok::name: {
        advance();
        if (t.text == "true" || t.text == "false") return make(K::boolean, t.text);
        if (t.text == "null") return make(K::null, t.text);
        if (is_op("(")) {
          advance();
          auto c = make(K::call, t.text);
          c->kids = list_items(")");
          return c;
        }
        return make(K::name, t.text);
      }
      case Tok::op:
        if (t.text == "(") {
          advance();
          AstPtr e = expression();
          if (is_op("..")) {  // an interval opened with "(": (1..10), (1..10]
            advance();
            auto r = make(K::range);
            r->low_open = true;
            r->kids.push_back(std::move(e));
            r->kids.push_back(expression());
            if (!is_op(")") && !is_op("]")) refuse("an interval's closing bracket");
            r->high_open = cur_.text == ")";
            advance();
            return r;
          }
          expect(")");
          return e;
        }
        if (t.text == "[" || t.text == "]") return bracket(t.text == "]");
        if (t.text == "{") {
          advance();
          return object();
        }
        refuse("unexpected \"" + t.text + "\"");
      case Tok::end:
        refuse("an incomplete expression");
    }
    refuse("unexpected token");
  }
  // A list `[a, b]` or an interval `[1..5]`, `(1..5)`, `]1..5[`.
  AstPtr bracket(bool low_open) {
    advance();
    std::vector<AstPtr> items;
    if (is_op("]")) {
      advance();
      return make(K::list);
    }
    AstPtr first = expression();
    if (is_op("..")) {
      advance();
      auto r = make(K::range);
      r->low_open = low_open;
      r->kids.push_back(std::move(first));
      r->kids.push_back(expression());
      if (is_op("]") || is_op(")")) {
        r->high_open = cur_.text == ")";
        advance();
      } else if (is_op("[")) {
        r->high_open = true;
        advance();
      } else {
        refuse("an interval's closing bracket");
      }
      return r;
    }
    if (low_open) refuse("a list opened with \"]\"");
    auto l = make(K::list);
    l->kids.push_back(std::move(first));
    while (is_op(",")) {
      advance();
      if (is_op("]")) break;
      l->kids.push_back(expression());
    }
    expect("]");
    return l;
  }
  AstPtr object() {
    auto o = make(K::object);
    while (!is_op("}")) {
      if (cur_.kind != Tok::string && cur_.kind != Tok::name) refuse("an object key");
      o->keys.push_back(cur_.text);
      advance();
      expect(":");
      o->kids.push_back(expression());
      if (is_op(","))
        advance();
      else if (!is_op("}"))
        refuse("expected \",\" or \"}\" in an object");
    }
    advance();
    return o;
  }
  AstPtr template_string(const std::string& s) {
    auto t = make(K::templ);
    std::string piece;
    for (std::size_t i = 0; i < s.size();) {
      if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
        std::size_t j = s.find('}', i + 2);
        if (j == std::string::npos) refuse("unterminated ${ } in a template string");
        t->keys.push_back(piece);
        piece.clear();
        t->kids.push_back(Parser(std::string_view(s).substr(i + 2, j - i - 2)).parse_all());
        i = j + 1;
        continue;
      }
      piece += s[i++];
    }
    t->keys.push_back(piece);
    return t;
  }

  Lexer lex_;
  Token cur_;
  std::size_t depth_ = 0;
};

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

class Renderer {
 public:
  Renderer(const ZenResolve& resolve, std::vector<ZenNameUse>* uses)
      : resolve_(resolve), uses_(uses) {}

  // `hint`: what the context says of this operand's type.
  std::string render(const Ast& a, ZenType hint = ZenType::unknown) {
    switch (a.kind) {
      case K::number: {
        auto dot = a.text.find('.');
        if (dot != std::string::npos && a.text.size() - dot - 1 > 6)
          refuse("the number " + a.text + " has more than 6 decimal places");
        return a.text;
      }
      case K::string:
        return quote(a.text);
      case K::boolean:
      case K::null:
        return a.text;
      case K::item:
        // "#.field": a field of an item of a list of objects (the pack checks the list is one).
        return a.text.empty() ? "#" : "#." + a.text;
      case K::name: {
        ZenNameUse use{a.text, a.own, hint};
        if (uses_) uses_->push_back(use);
        return resolve_(use);
      }
      case K::unary:
        if (a.text == "-") return "(-" + render(*a.kids[0], ZenType::number) + ")";
        return "(not " + render(*a.kids[0], ZenType::boolean) + ")";
      case K::binary:
        return binary(a);
      case K::ternary: {
        // One at a time: names are reported in the order they are written.
        std::string c = render(*a.kids[0], ZenType::boolean);
        std::string x = render(*a.kids[1], hint);
        std::string y = render(*a.kids[2], hint);
        return "(if " + c + " then " + x + " else " + y + ")";
      }
      case K::list: {
        std::string out = "[";
        for (std::size_t i = 0; i < a.kids.size(); ++i) out += (i ? ", " : "") + render(*a.kids[i]);
        return out + "]";
      }
      case K::range:
        refuse("an interval outside \"in\"");
      case K::templ:
        return template_string(a);
      case K::object:
        refuse("an object literal inside an expression");
      case K::call:
        return call(a);
    }
    refuse("an unknown construct");
  }

  static ZenType literal_type(const Ast& a) {
    switch (a.kind) {
      case K::number:
        return ZenType::number;
      case K::string:
      case K::templ:
        return ZenType::string;
      case K::boolean:
        return ZenType::boolean;
      case K::list:
        return ZenType::list;
      case K::unary:
        return a.text == "-" ? ZenType::number : ZenType::boolean;
      case K::binary:
        if (a.text == "-" || a.text == "*" || a.text == "/" || a.text == "%" || a.text == "^")
          return ZenType::number;
        if (a.text == "+")
          return literal_type(*a.kids[0]) == ZenType::string ||
                         literal_type(*a.kids[1]) == ZenType::string
                     ? ZenType::string
                     : ZenType::number;
        if (a.text == "??") return literal_type(*a.kids[1]);
        return ZenType::boolean;
      case K::ternary: {
        ZenType t = literal_type(*a.kids[1]);
        return t != ZenType::unknown ? t : literal_type(*a.kids[2]);
      }
      case K::call:
        if (a.text == "len" || a.text == "count" || a.text == "sum" || a.text == "round" ||
            a.text == "date" || a.text == "floor" || a.text == "ceil" || a.text == "abs" ||
            a.text == "number" || a.text == "trunc" || a.text == "avg" || a.text == "median" ||
            a.text == "mode" || a.text == "year" || a.text == "monthOfYear" ||
            a.text == "dayOfMonth" || a.text == "dayOfWeek" || a.text == "dayOfYear" ||
            a.text == "weekOfYear")
          return ZenType::number;
        if (a.text == "lower" || a.text == "upper" || a.text == "string" || a.text == "trim")
          return ZenType::string;
        if (a.text == "contains" || a.text == "some" || a.text == "all" || a.text == "startsWith" ||
            a.text == "endsWith")
          return ZenType::boolean;
        return ZenType::unknown;
      default:
        return ZenType::unknown;
    }
  }

 private:
  std::string binary(const Ast& a) {
    const std::string& op = a.text;
    const Ast& l = *a.kids[0];
    const Ast& r = *a.kids[1];
    if (op == "and" || op == "or") {
      std::string x = render(l, ZenType::boolean);
      return "(" + x + " " + op + " " + render(r, ZenType::boolean) + ")";
    }
    if (op == "??") {
      std::string x = render(l, hint_of(r));
      return "coalesce(" + x + ", " + render(r, hint_of(l)) + ")";
    }
    if (op == "in" || op == "not in") {
      std::string out;
      if (r.kind == K::range) {
        std::string x = render(l, ZenType::number);
        std::string lo = render(*r.kids[0], ZenType::number);
        std::string hi = render(*r.kids[1], ZenType::number);
        out = "(" + x + " in " + (r.low_open ? "(" : "[") + lo + ".." + hi +
              (r.high_open ? ")" : "]") + ")";
      } else {
        ZenType item =
            r.kind == K::list && !r.kids.empty() ? literal_type(*r.kids[0]) : ZenType::unknown;
        std::string x = render(l, item);
        out = "(" + x + " in " + render(r, ZenType::list) + ")";
      }
      return op == "in" ? out : "(not " + out + ")";
    }
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      ZenType lt = literal_type(l), rt = literal_type(r);
      if (op != "==" && op != "!=") {
        if (lt == ZenType::unknown) lt = ZenType::number;
        if (rt == ZenType::unknown) rt = ZenType::number;
      }
      std::string x = render(l, rt);
      return "(" + x + " " + op + " " + render(r, lt) + ")";
    }
    if (op == "^") {
      std::string x = render(l, ZenType::number);
      return "power(" + x + ", " + render(r, ZenType::number) + ")";
    }
    if (op == "%") {
      std::string x = render(l, ZenType::number);
      return "rem(" + x + ", " + render(r, ZenType::number) + ")";
    }
    if (op == "+" && literal_type(a) == ZenType::string) {
      std::string x = render(l, ZenType::string);
      return "concat(" + x + ", " + render(r, ZenType::string) + ")";
    }
    std::string x = render(l, ZenType::number);
    return "(" + x + " " + op + " " + render(r, ZenType::number) + ")";
  }

  static ZenType hint_of(const Ast& a) { return literal_type(a); }

  std::string template_string(const Ast& a) {
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < a.keys.size(); ++i) {
      if (!a.keys[i].empty()) parts.push_back(quote(a.keys[i]));
      if (i < a.kids.size()) {
        const Ast& k = *a.kids[i];
        // ZEN writes any value into a template: a number as its digits.
        parts.push_back(literal_type(k) == ZenType::string ? render(k, ZenType::string)
                                                           : "string(" + render(k) + ")");
      }
    }
    if (parts.empty()) return "\"\"";
    if (parts.size() == 1) return parts[0];
    std::string out = "concat(";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    return out + ")";
  }

  std::string args(const Ast& a, std::initializer_list<ZenType> hints) {
    std::string out;
    std::size_t i = 0;
    for (ZenType h : hints) {
      if (i >= a.kids.size()) break;
      out += (i ? ", " : "") + render(*a.kids[i], h);
      ++i;
    }
    for (; i < a.kids.size(); ++i) out += (i ? ", " : "") + render(*a.kids[i]);
    return out;
  }

  void arity(const Ast& a, std::size_t lo, std::size_t hi) {
    if (a.kids.size() < lo || a.kids.size() > hi)
      refuse(a.text + "() with " + std::to_string(a.kids.size()) + " arguments");
  }

  std::string call(const Ast& a) {
    const std::string& f = a.text;
    struct Same {
      const char* zen;
      const char* pack;
      std::size_t lo, hi;
      ZenType first, second;
    };
    static const Same same[] = {
        {"len", "len", 1, 1, ZenType::unknown, ZenType::unknown},
        {"lower", "lower", 1, 1, ZenType::string, ZenType::unknown},
        {"upper", "upper", 1, 1, ZenType::string, ZenType::unknown},
        {"trim", "trim", 1, 1, ZenType::string, ZenType::unknown},
        {"contains", "contains", 2, 2, ZenType::unknown, ZenType::unknown},
        {"startsWith", "starts_with", 2, 2, ZenType::string, ZenType::string},
        {"endsWith", "ends_with", 2, 2, ZenType::string, ZenType::string},
        {"abs", "abs", 1, 1, ZenType::number, ZenType::unknown},
        {"floor", "floor", 1, 1, ZenType::number, ZenType::unknown},
        {"ceil", "ceil", 1, 1, ZenType::number, ZenType::unknown},
        {"min", "min", 1, 1, ZenType::list, ZenType::unknown},
        {"max", "max", 1, 1, ZenType::list, ZenType::unknown},
        {"sum", "sum", 1, 1, ZenType::list, ZenType::unknown},
        {"some", "any", 2, 2, ZenType::list, ZenType::boolean},
        {"all", "all", 2, 2, ZenType::list, ZenType::boolean},
        {"count", "count", 2, 2, ZenType::list, ZenType::boolean},
        {"none", "none", 2, 2, ZenType::list, ZenType::boolean},
        {"one", "one", 2, 2, ZenType::list, ZenType::boolean},
        {"filter", "filter", 2, 2, ZenType::list, ZenType::boolean},
        {"map", "map", 2, 2, ZenType::list, ZenType::unknown},
        {"string", "string", 1, 1, ZenType::unknown, ZenType::unknown},
    };
    for (const Same& s : same)
      if (f == s.zen) {
        arity(a, s.lo, s.hi);
        return std::string(s.pack) + "(" + args(a, {s.first, s.second}) + ")";
      }
    if (std::optional<std::string> mapped = number_or_date_call(a)) return *mapped;
    if (f == "number") {
      arity(a, 1, 1);
      // "* 1" keeps a number as it is and makes any other argument a type error when the pack
      // loads (the pack does not parse texts into numbers).
      return "(" + render(*a.kids[0], ZenType::number) + " * 1)";
    }
    if (f == "round") {
      arity(a, 1, 1);
      // ZEN rounds half away from zero; the pack's round() rounds half to even.
      std::string x = render(*a.kids[0], ZenType::number);
      return "(if " + x + " >= 0 then floor(" + x + " + 0.5) else (-floor((-" + x + ") + 0.5)))";
    }
    if (f == "date") {
      arity(a, 1, 1);
      // ZEN's date() is a number of seconds since 1970 (UTC). Its 'now' reads the clock; the
      // pack has none, and its "now" is the reference date of the evaluation (at 00:00 UTC).
      const Ast& x = *a.kids[0];
      if (x.kind == K::string && x.text == "now") return "timestamp(reference_date)";
      return "timestamp(" + render(x, ZenType::string) + ")";
    }
    if (f == "isNumeric" || f == "flatten" || f == "keys" || f == "values" || f == "split")
      refuse("the function " + f + "()");
    refuse("the unknown function " + f + "()");
  }

  // trunc, round with places, avg, median and the deprecated date-part functions: the pack's
  // functions of the same meaning (nullopt for any other function).
  std::optional<std::string> number_or_date_call(const Ast& a) {
    const std::string& f = a.text;
    if (f == "trunc") {
      arity(a, 1, 2);
      return "trunc(" + args(a, {ZenType::number, ZenType::number}) + ")";
    }
    if (f == "round" && a.kids.size() == 2) {
      // Half away from zero at `places` (a whole number written out); the pack's decimals have 6
      // places, so rounding at 6 or more changes nothing.
      const Ast& p = *a.kids[1];
      if (p.kind != K::number || p.text.empty() ||
          p.text.find_first_not_of("0123456789") != std::string::npos || p.text.size() > 2)
        refuse("round() with places other than a whole number written out");
      const int places = std::stoi(p.text);
      std::string x = render(*a.kids[0], ZenType::number);
      if (places >= 6) return "(" + x + " * 1)";
      const std::string scale = "1" + std::string(static_cast<std::size_t>(places), '0');
      std::string r = "(if " + x + " >= 0 then floor(" + x + " * " + scale +
                      " + 0.5) else (-floor((-" + x + ") * " + scale + " + 0.5)))";
      return places == 0 ? r : "(" + r + " / " + scale + ")";
    }
    if (f == "avg" || f == "median" || f == "mode") {
      arity(a, 1, 1);
      return f + "(" + args(a, {ZenType::list}) + ")";
    }
    static const std::pair<const char*, const char*> parts[] = {
        {"year", "year"},         {"monthOfYear", "month"},     {"dayOfMonth", "day"},
        {"dayOfWeek", "weekday"}, {"dayOfYear", "day_of_year"}, {"weekOfYear", "iso_week"},
    };
    for (const auto& [zen, pack] : parts)
      if (f == zen) {
        arity(a, 1, 1);
        // ZEN reads a date as a number of seconds or a text (its 'now' the clock: the pack's
        // reference date), in UTC.
        const Ast& x = *a.kids[0];
        std::string seconds = x.kind == K::string && x.text == "now"
                                  ? "timestamp(reference_date)"
                                  : "timestamp(" + render(x) + ")";
        return std::string(pack) + "(utc_date(" + seconds + "))";
      }
    return std::nullopt;
  }

  const ZenResolve& resolve_;
  std::vector<ZenNameUse>* uses_;
};

void flatten_object(const Ast& o, const std::string& prefix,
                    std::vector<std::pair<std::string, const Ast*>>& out) {
  for (std::size_t i = 0; i < o.keys.size(); ++i) {
    std::string key = prefix.empty() ? o.keys[i] : prefix + "." + o.keys[i];
    if (o.kids[i]->kind == K::object)
      flatten_object(*o.kids[i], key, out);
    else
      out.emplace_back(key, o.kids[i].get());
  }
}

}  // namespace

std::string translate_zen(std::string_view text, const ZenResolve& resolve,
                          std::vector<ZenNameUse>* uses, ZenType* result) {
  if (text.size() > kMaxLength) refuse("an expression over 8192 characters");
  AstPtr ast = Parser(text).parse_all();
  if (result) *result = Renderer::literal_type(*ast);
  return Renderer(resolve, uses).render(*ast);
}

// Kept as source text per key so that the caller translates each value with its own resolver.
std::optional<std::vector<std::pair<std::string, std::string>>> split_zen_object(
    std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i >= text.size() || text[i] != '{') return std::nullopt;
  if (text.size() > kMaxLength) refuse("an expression over 8192 characters");
  AstPtr ast = Parser(text).parse_all();
  if (ast->kind != K::object) return std::nullopt;
  std::vector<std::pair<std::string, const Ast*>> leaves;
  flatten_object(*ast, "", leaves);
  // Re-translating a sub-tree needs its text: render names back as written, without resolving.
  std::vector<std::pair<std::string, std::string>> out;
  (void)leaves;
  // Each leaf is re-parsed from a canonical ZEN rendering.
  struct Zen {
    static std::string text(const Ast& a) {
      switch (a.kind) {
        case K::number:
        case K::boolean:
        case K::null:
          return a.text;
        case K::string:
          return "'" + escape(a.text) + "'";
        case K::item:
          return a.text.empty() ? "#" : "#." + a.text;
        case K::name:
          return (a.own ? "$." : "") + a.text;
        case K::unary:
          return (a.text == "-" ? "(-" : "(not ") + text(*a.kids[0]) + ")";
        case K::binary:
          return "(" + text(*a.kids[0]) + " " + a.text + " " + text(*a.kids[1]) + ")";
        case K::ternary:
          return "(" + text(*a.kids[0]) + " ? " + text(*a.kids[1]) + " : " + text(*a.kids[2]) + ")";
        case K::call: {
          std::string out = a.text + "(";
          for (std::size_t i = 0; i < a.kids.size(); ++i) out += (i ? ", " : "") + text(*a.kids[i]);
          return out + ")";
        }
        case K::list: {
          std::string out = "[";
          for (std::size_t i = 0; i < a.kids.size(); ++i) out += (i ? ", " : "") + text(*a.kids[i]);
          return out + "]";
        }
        case K::range:
          return std::string(a.low_open ? "(" : "[") + text(*a.kids[0]) + ".." + text(*a.kids[1]) +
                 (a.high_open ? ")" : "]");
        case K::templ: {
          std::string out = "`";
          for (std::size_t i = 0; i < a.keys.size(); ++i) {
            out += a.keys[i];
            if (i < a.kids.size()) out += "${" + text(*a.kids[i]) + "}";
          }
          return out + "`";
        }
        case K::object:
          refuse("a nested object literal");
      }
      return "null";
    }
    static std::string escape(const std::string& s) {
      std::string out;
      for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
      }
      return out;
    }
  };
  for (const auto& [key, leaf] : leaves) out.emplace_back(key, Zen::text(*leaf));
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
