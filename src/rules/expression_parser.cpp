#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "rules/expression_impl.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {
namespace {

using Impl = Expression::Impl;

// Whatever depth a caller allows, deeper parsing would risk the stack (about ten frames per
// level of nesting).
constexpr std::size_t kDepthCeiling = 256;
// How many enum values an error message lists before "...".
constexpr std::size_t kListedValues = 12;

enum class Tok : std::uint8_t {
  end,
  integer,
  decimal,
  string,
  name,
  kw_true,
  kw_false,
  kw_null,
  kw_and,
  kw_or,
  kw_not,
  kw_if,
  kw_then,
  kw_else,
  kw_in,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  plus,
  minus,
  star,
  slash,
  comma,
  lparen,
  rparen,
  lbracket,
  rbracket,
  dotdot,
  dollar,
  hash,
};

struct Token {
  Tok kind = Tok::end;
  std::uint32_t offset = 0;  // bytes into the text
  std::uint32_t length = 0;
  Value value;  // literals; strings already unescaped, in the Impl's arena
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

// Columns count characters, not bytes, so they match what an editor shows.
int column_at(std::string_view text, std::size_t offset) {
  int column = 1;
  for (std::size_t k = 0; k < offset && k < text.size(); ++k)
    if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) ++column;
  return column;
}

[[noreturn]] void fail(ErrorCode code, std::string message, std::string_view text,
                       std::size_t offset) {
  throw Error(code, std::move(message), std::string(), column_at(text, offset));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The closest candidate within two edits, or "".
template <typename Names>
std::string closest(std::string_view name, const Names& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    std::string_view c(candidate);
    std::size_t d = edit_distance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Lexer

std::string number_error(std::string_view literal) {
  // Tell "too precise" from "too large": the places a literal needs are its fraction digits
  // without trailing zeros, less its exponent.
  std::size_t dot = literal.find('.');
  std::size_t exp = literal.find_first_of("eE");
  std::int64_t places = 0;
  if (dot != std::string_view::npos) {
    std::string_view fraction = literal.substr(
        dot + 1, exp == std::string_view::npos ? std::string_view::npos : exp - dot - 1);
    std::size_t last = fraction.find_last_not_of('0');
    places = last == std::string_view::npos ? 0 : static_cast<std::int64_t>(last + 1);
  }
  if (exp != std::string_view::npos) {
    std::int64_t e = 0;
    bool negative = false;
    for (std::size_t k = exp + 1; k < literal.size(); ++k) {
      if (literal[k] == '-') negative = true;
      if (is_digit(literal[k]) && e < 1'000'000) e = e * 10 + (literal[k] - '0');
    }
    places += negative ? e : -e;
  }
  if (places > Decimal::kScale)
    return "number " + std::string(literal) + " has more than 6 decimal places";
  return "number " + std::string(literal) + " is out of range";
}

// Checks the expression's length in characters (UTF-8 continuation bytes do not count).
void check_length(std::string_view text, const Limits& limits) {
  std::size_t characters = 0;
  for (std::size_t k = 0; k < text.size(); ++k) {
    if ((static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) continue;
    if (++characters > limits.max_length)
      fail(ErrorCode::limit_exceeded,
           "expression longer than " + std::to_string(limits.max_length) + " characters", text, k);
  }
}

// A number from text[start]: an integer, or a decimal (a fraction or an exponent). i ends past it.
void lex_number(std::string_view text, std::size_t start, std::size_t& i, Token& t) {
  const std::size_t n = text.size();
  while (i < n && is_digit(text[i])) ++i;
  bool fractional = false;
  if (i + 1 < n && text[i] == '.' && is_digit(text[i + 1])) {
    fractional = true;
    ++i;
    while (i < n && is_digit(text[i])) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < n && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < n && is_digit(text[j])) {
      fractional = true;
      i = j;
      while (i < n && is_digit(text[i])) ++i;
    }
  }
  if (i < n && is_name_char(text[i])) {
    while (i < n && is_name_char(text[i])) ++i;
    fail(ErrorCode::syntax, "malformed number '" + std::string(text.substr(start, i - start)) + "'",
         text, start);
  }
  std::string_view literal = text.substr(start, i - start);
  if (fractional) {
    std::optional<Decimal> d = Decimal::parse(literal);
    if (!d) fail(ErrorCode::syntax, number_error(literal), text, start);
    t.kind = Tok::decimal;
    t.value = Value::decimal(*d);
  } else {
    std::int64_t v = 0;
    for (char digit : literal) {
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit - '0', &v))
        fail(ErrorCode::syntax, "integer " + std::string(literal) + " is out of range", text,
             start);
    }
    t.kind = Tok::integer;
    t.value = Value::integer(v);
  }
}

// A string quoted by text[start] (" or '), its escapes resolved into the arena.
void lex_string(std::string_view text, std::size_t start, std::size_t& i, Token& t,
                std::string& buffer, Arena& arena) {
  const std::size_t n = text.size();
  const char c = text[start];
  buffer.clear();
  ++i;
  for (;;) {
    if (i >= n) fail(ErrorCode::syntax, "unterminated string", text, start);
    char ch = text[i];
    if (ch == c) {
      ++i;
      break;
    }
    if (ch == '\\') {
      if (i + 1 >= n) fail(ErrorCode::syntax, "unterminated string", text, start);
      char e = text[i + 1];
      switch (e) {
        case '"':
        case '\'':
        case '\\':
          buffer += e;
          break;
        case 'n':
          buffer += '\n';
          break;
        case 't':
          buffer += '\t';
          break;
        default:
          fail(ErrorCode::syntax,
               "unknown escape '\\" + std::string(1, e) + "' (use \\\" \\' \\\\ \\n or \\t)", text,
               i);
      }
      i += 2;
      continue;
    }
    buffer += ch;
    ++i;
  }
  t.kind = Tok::string;
  t.value = Value::string(arena.copy(buffer));
}

// A name (dotted parts included) or a keyword.
void lex_name(std::string_view text, std::size_t start, std::size_t& i, Token& t) {
  const std::size_t n = text.size();
  while (i < n && is_name_char(text[i])) ++i;
  while (i + 1 < n && text[i] == '.' && is_name_start(text[i + 1])) {
    ++i;
    while (i < n && is_name_char(text[i])) ++i;
  }
  std::string_view word = text.substr(start, i - start);
  static const std::pair<std::string_view, Tok> keywords[] = {
      {"true", Tok::kw_true}, {"false", Tok::kw_false}, {"null", Tok::kw_null},
      {"and", Tok::kw_and},   {"or", Tok::kw_or},       {"not", Tok::kw_not},
      {"if", Tok::kw_if},     {"then", Tok::kw_then},   {"else", Tok::kw_else},
      {"in", Tok::kw_in}};
  t.kind = Tok::name;
  for (const auto& [keyword, kind] : keywords)
    if (word == keyword) t.kind = kind;
}

// An operator or a punctuation sign, one or two characters.
void lex_symbol(std::string_view text, std::size_t& i, Token& t) {
  const std::size_t n = text.size();
  const char c = text[i];
  auto next_is = [&](char x) { return i + 1 < n && text[i + 1] == x; };
  std::size_t width = 1;
  switch (c) {
    case '=':
      t.kind = Tok::equal;
      if (next_is('=')) width = 2;
      break;
    case '!':
      if (!next_is('=')) fail(ErrorCode::syntax, "unexpected '!' (write 'not' or '!=')", text, i);
      t.kind = Tok::not_equal;
      width = 2;
      break;
    case '<':
      t.kind = next_is('=') ? Tok::less_equal : Tok::less;
      if (next_is('=')) width = 2;
      break;
    case '>':
      t.kind = next_is('=') ? Tok::greater_equal : Tok::greater;
      if (next_is('=')) width = 2;
      break;
    case '.':
      if (!next_is('.')) fail(ErrorCode::syntax, "unexpected '.'", text, i);
      t.kind = Tok::dotdot;
      width = 2;
      break;
    case '+':
      t.kind = Tok::plus;
      break;
    case '-':
      t.kind = Tok::minus;
      break;
    case '*':
      t.kind = Tok::star;
      break;
    case '/':
      t.kind = Tok::slash;
      break;
    case ',':
      t.kind = Tok::comma;
      break;
    case '(':
      t.kind = Tok::lparen;
      break;
    case ')':
      t.kind = Tok::rparen;
      break;
    case '[':
      t.kind = Tok::lbracket;
      break;
    case ']':
      t.kind = Tok::rbracket;
      break;
    case '$':
      t.kind = Tok::dollar;
      break;
    case '#':
      t.kind = Tok::hash;
      // "#.field" (dotted parts included): a field of the current item of a list of objects.
      if (next_is('.') && i + 2 < n && is_name_start(text[i + 2])) {
        std::size_t j = i + 1;
        while (j + 1 < n && text[j] == '.' && is_name_start(text[j + 1])) {
          ++j;
          while (j < n && is_name_char(text[j])) ++j;
        }
        width = j - i;
      }
      break;
    default: {
      std::size_t end = i + 1;
      while (end < n && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
      fail(ErrorCode::syntax, "unexpected character '" + std::string(text.substr(i, end - i)) + "'",
           text, i);
    }
  }
  i += width;
}

std::vector<Token> tokenize(std::string_view text, const Limits& limits, Arena& arena) {
  check_length(text, limits);
  std::vector<Token> out;
  std::string buffer;
  const std::size_t n = text.size();
  std::size_t i = 0;
  for (;;) {
    while (i < n && is_space(text[i])) ++i;
    Token t;
    t.offset = static_cast<std::uint32_t>(i);
    if (i >= n) {
      out.push_back(t);
      return out;
    }
    const std::size_t start = i;
    const char c = text[i];
    if (is_digit(c))
      lex_number(text, start, i, t);
    else if (c == '"' || c == '\'')
      lex_string(text, start, i, t, buffer, arena);
    else if (is_name_start(c))
      lex_name(text, start, i, t);
    else
      lex_symbol(text, i, t);
    t.length = static_cast<std::uint32_t>(i - start);
    out.push_back(t);
  }
}

// ---------------------------------------------------------------------------------------------
// Types

bool loose(TypeKind k) {
  return k == TypeKind::any || k == TypeKind::null;
}
bool loose(const StaticType& t) {
  return loose(t.kind);
}
bool numeric(TypeKind k) {
  return k == TypeKind::integer || k == TypeKind::decimal;
}

bool compatible_kinds(TypeKind a, TypeKind b) {
  return loose(a) || loose(b) || (numeric(a) && numeric(b)) || a == b;
}

bool compatible(const StaticType& a, const StaticType& b) {
  if (!compatible_kinds(a.kind, b.kind)) return false;
  if (a.kind == TypeKind::list && b.kind == TypeKind::list) return compatible_kinds(a.item, b.item);
  return true;
}

bool orderable(const StaticType& t) {
  return loose(t) || numeric(t.kind) || t.kind == TypeKind::string || t.kind == TypeKind::date;
}

StaticType element_of(const StaticType& list) {
  if (list.kind != TypeKind::list) return StaticType{};
  return StaticType{list.item, TypeKind::any, list.domain};
}

std::optional<TypeKind> unify_kinds(TypeKind a, TypeKind b) {
  if (loose(a)) return b;
  if (loose(b)) return a;
  if (numeric(a) && numeric(b)) return a == b ? a : TypeKind::decimal;
  if (a == b) return a;
  return std::nullopt;
}

// The type of a value that may come from either side (if/else, coalesce, list items).
std::optional<StaticType> unify(const StaticType& a, const StaticType& b) {
  std::optional<TypeKind> kind = unify_kinds(a.kind, b.kind);
  if (!kind) return std::nullopt;
  if (loose(a)) return b;
  if (loose(b)) return a;
  StaticType out{*kind, TypeKind::any, a.domain == b.domain ? a.domain : nullptr};
  if (*kind == TypeKind::list) {
    std::optional<TypeKind> item = unify_kinds(a.item, b.item);
    if (!item) return std::nullopt;
    out.item = *item;
  }
  return out;
}

StaticType type_of(const Value& v) {
  switch (v.type()) {
    case Type::null:
      return StaticType{};
    case Type::boolean:
      return StaticType::of(TypeKind::boolean);
    case Type::integer:
      return StaticType::of(TypeKind::integer);
    case Type::decimal:
      return StaticType::of(TypeKind::decimal);
    case Type::string:
      return StaticType::of(TypeKind::string);
    case Type::date:
      return StaticType::of(TypeKind::date);
    case Type::list: {
      TypeKind item = TypeKind::any;
      for (std::size_t k = 0; k < v.list_size(); ++k) {
        std::optional<TypeKind> u = unify_kinds(item, type_of(v[k]).kind);
        if (!u) return StaticType::list_of(TypeKind::any);
        item = *u;
      }
      return StaticType::list_of(item);
    }
  }
  return StaticType{};
}

// ---------------------------------------------------------------------------------------------
// Parser

// Compile-time facts about one node, parallel to Impl::nodes.
struct Info {
  StaticType type;
  std::uint8_t depends = 0;    // kReadsSlot | kReadsDollar | kReadsItem
  bool literal_null = false;   // the keyword null, which turns = and != into null tests
  std::uint32_t start = 0;     // offset of the first token, for errors about the operand
  std::uint32_t position = 0;  // offset of the operator, for errors about the operation
  std::uint32_t height = 1;
  // A list literal's items, still readable after the literal was folded to a constant, so that
  // an enum error points at the offending item.
  std::uint32_t items_begin = 0, items_count = 0;
  bool has_items = false;
  // A list of objects: the input it was read from (its items' fields are `<origin>.<field>`).
  std::string_view origin;
};

constexpr std::uint8_t kReadsSlot = 1;
constexpr std::uint8_t kReadsDollar = 2;
constexpr std::uint8_t kReadsItem = 4;

// One item of a unary test, as far as the table compiler's structure cares.
struct CellItem {
  enum class Form : std::uint8_t { compare, equal, not_equal, range, member, other };
  Form form = Form::other;
  Op op = Op::equal;
  std::int32_t node = -1;
  std::int32_t value = -1;  // compared value, range low end, or list
  std::int32_t high = -1;   // range high end
  bool low_open = false, high_open = false;
};

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, const Scope& scope,
         const StaticType* dollar, const Limits& limits, Impl& impl)
      : text_(text),
        tokens_(std::move(tokens)),
        scope_(scope),
        dollar_(dollar),
        limits_(limits),
        max_depth_(std::min(limits.max_depth, kDepthCeiling)),
        impl_(impl) {}

  std::int32_t parse_root() {
    if (peek().kind == Tok::end) fail(ErrorCode::syntax, "empty expression", 0);
    std::int32_t root = parse_expr();
    expect_end();
    if (is_objects(info(root).type))
      fail(ErrorCode::type_error,
           "a list of objects is not a value of its own: read its items' fields (map(list, "
           "#.field))",
           info(root).start);
    return root;
  }

  // A unary test without "$": items, optionally wrapped in not(...).
  std::int32_t parse_cell(std::optional<UnaryStructure>& structure) {
    bool negated = false;
    std::vector<CellItem> items;
    if (peek().kind == Tok::kw_not && peek(1).kind == Tok::lparen) {
      Mark mark = save();
      next();
      next();
      items = parse_items();
      if (peek().kind == Tok::rparen && peek(1).kind == Tok::end) {
        next();
        negated = true;
      } else {
        // "not(a) or b" is an ordinary expression item, not a negated list.
        restore(mark);
        items.clear();
      }
    }
    if (!negated) items = parse_items();
    expect_end();

    std::int32_t root = items[0].node;
    if (items.size() > 1) {
      std::vector<std::int32_t> nodes;
      for (const CellItem& item : items) nodes.push_back(item.node);
      root = add_nary(Op::logical_or, nodes, StaticType::of(TypeKind::boolean), items[0].node);
    }
    if (negated) root = add_unary_node(Op::logical_not, root, StaticType::of(TypeKind::boolean));
    structure = cell_structure(items, negated);
    return root;
  }

  const Info& info(std::int32_t k) const { return info_[static_cast<std::size_t>(k)]; }

 private:
  struct Mark {
    std::size_t position, nodes, args;
  };

  class DepthGuard {
   public:
    DepthGuard(Parser& p, std::uint32_t offset) : p_(p) {
      if (++p_.depth_ > p_.max_depth_)
        p_.fail(ErrorCode::limit_exceeded,
                "expression nested deeper than " + std::to_string(p_.max_depth_) + " levels",
                offset);
    }
    ~DepthGuard() { --p_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& p_;
  };

  [[noreturn]] void fail(ErrorCode code, std::string message, std::size_t offset) const {
    detail::fail(code, std::move(message), text_, offset);
  }

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(position_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() {
    const Token& t = tokens_[position_];
    if (position_ + 1 < tokens_.size()) ++position_;
    return t;
  }

  std::string describe(const Token& t) const {
    if (t.kind == Tok::end) return "end of expression";
    std::string_view s = text_.substr(t.offset, t.length);
    if (s.size() > 24) {
      std::size_t cut = 21;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      return "'" + std::string(s.substr(0, cut)) + "...'";
    }
    return "'" + std::string(s) + "'";
  }

  const Token& expect(Tok kind, const char* what) {
    if (peek().kind != kind)
      fail(ErrorCode::syntax, std::string("expected ") + what + " but found " + describe(peek()),
           peek().offset);
    return next();
  }

  void expect_end() {
    if (peek().kind != Tok::end)
      fail(ErrorCode::syntax, "unexpected " + describe(peek()), peek().offset);
  }

  Mark save() const { return Mark{position_, impl_.nodes.size(), impl_.args.size()}; }
  void restore(const Mark& m) {
    position_ = m.position;
    impl_.nodes.resize(m.nodes);
    info_.resize(m.nodes);
    impl_.args.resize(m.args);
  }

  // --- node construction -----------------------------------------------------------------

  template <typename F>
  void for_each_child(const Node& n, F&& f) const {
    switch (n.op) {
      case Op::constant:
      case Op::slot:
      case Op::dollar:
      case Op::item:
      case Op::item_field:
        return;
      case Op::logical_and:
      case Op::logical_or:
      case Op::list:
      case Op::call:
        for (std::uint32_t k = 0; k < n.args_count; ++k) f(impl_.args[n.args_begin + k], k);
        return;
      default:
        if (n.a >= 0) f(n.a, 0u);
        if (n.b >= 0) f(n.b, 1u);
        if (n.c >= 0) f(n.c, 2u);
    }
  }

  // Appends a node, checks the tree height and folds it when it reads no input.
  std::int32_t add(const Node& node, Info info) {
    std::uint32_t height = 0;
    std::uint8_t depends = 0;
    if (node.op == Op::slot) depends = kReadsSlot;
    if (node.op == Op::dollar) depends = kReadsDollar;
    if (node.op == Op::item) depends = kReadsItem;
    if (node.op == Op::item_field) depends = kReadsItem | kReadsSlot;
    const bool predicate = node.op == Op::call && binds_item(node.fn);
    // The left operand of an arithmetic chain is walked, not recursed into (Node::up): it adds
    // no level; every other operand adds one.
    const bool chain = detail::is_arithmetic(node.op) &&
                       detail::is_arithmetic(impl_.nodes[static_cast<std::size_t>(node.a)].op);
    for_each_child(node, [&](std::int32_t child, std::uint32_t k) {
      const Info& c = info_[static_cast<std::size_t>(child)];
      if (is_objects(c.type) &&
          !(node.op == Op::call && k == 0 && (predicate || node.fn == Fn::len)))
        fail(ErrorCode::type_error,
             "a list of objects is read through its items' fields: len(list), count(list), or "
             "map, filter, any, all, none, one or count with #.field",
             c.start);
      height = std::max(height, chain && k == 0 ? c.height - 1 : c.height);
      std::uint8_t d = c.depends;
      if (predicate && k == 1) d &= static_cast<std::uint8_t>(~kReadsItem);  // "#" is bound here
      depends |= d;
    });
    info.height = height + 1;
    info.depends = depends;
    if (info.height > max_depth_)
      fail(ErrorCode::limit_exceeded,
           "expression nested deeper than " + std::to_string(max_depth_) + " levels",
           info.position);
    const auto index = static_cast<std::int32_t>(impl_.nodes.size());
    if (chain) impl_.nodes[static_cast<std::size_t>(node.a)].up = index;
    impl_.nodes.push_back(node);
    info_.push_back(info);
    if (depends == 0 && node.op != Op::constant) {
      EvalContext ctx;
      ctx.arena = &impl_.arena;
      Value v = impl_.eval(index, ctx, Value::null());
      Node folded;
      folded.value = v;
      impl_.nodes[static_cast<std::size_t>(index)] = folded;
      info_.back().height = 1;
    }
    return index;
  }

  static bool is_objects(const StaticType& t) {
    return t.kind == TypeKind::object || (t.kind == TypeKind::list && t.item == TypeKind::object);
  }

  Info info_at(std::uint32_t start, std::uint32_t position, const StaticType& type) const {
    Info i;
    i.start = start;
    i.position = position;
    i.type = type;
    return i;
  }

  std::int32_t add_binary(Op op, std::int32_t a, std::int32_t b, const StaticType& type,
                          std::uint32_t position) {
    Node n;
    n.op = op;
    n.a = a;
    n.b = b;
    return add(n, info_at(info(a).start, position, type));
  }

  std::int32_t add_unary_node(Op op, std::int32_t a, const StaticType& type) {
    Node n;
    n.op = op;
    n.a = a;
    return add(n, info_at(info(a).start, info(a).start, type));
  }

  std::int32_t add_nary(Op op, const std::vector<std::int32_t>& items, const StaticType& type,
                        std::int32_t first, Fn fn = Fn::contains) {
    Node n;
    n.op = op;
    n.fn = fn;
    n.args_begin = static_cast<std::uint32_t>(impl_.args.size());
    n.args_count = static_cast<std::uint32_t>(items.size());
    impl_.args.insert(impl_.args.end(), items.begin(), items.end());
    return add(n, info_at(info(first).start, info(first).position, type));
  }

  std::int32_t add_dollar(std::uint32_t offset) {
    Node n;
    n.op = Op::dollar;
    return add(n, info_at(offset, offset, *dollar_));
  }

  // --- type checks -----------------------------------------------------------------------

  std::string type_name(std::int32_t node) const { return info(node).type.to_string(); }

  void require_bool(std::int32_t node, const std::string& what) const {
    const StaticType& t = info(node).type;
    if (!loose(t) && t.kind != TypeKind::boolean)
      fail(ErrorCode::type_error, what + " must be bool, got " + t.to_string(), info(node).start);
  }

  void check_enum_string(const std::vector<std::string>& domain, std::string_view s,
                         std::uint32_t offset) const {
    if (std::find(domain.begin(), domain.end(), s) != domain.end()) return;
    std::string message = Value::string(s).to_json() + " is not a value of this enum (";
    for (std::size_t k = 0; k < domain.size() && k < kListedValues; ++k) {
      if (k) message += ", ";
      message += domain[k];
    }
    if (domain.size() > kListedValues) message += ", ...";
    message += ")";
    std::string suggestion = closest(s, domain);
    if (!suggestion.empty())
      message += "; did you mean " + Value::string(suggestion).to_json() + "?";
    fail(ErrorCode::type_error, std::move(message), offset);
  }

  // The string constants of `node` (a string, or a list of them) must belong to the domain.
  void check_enum_values(const std::vector<std::string>* domain, std::int32_t node) const {
    if (!domain) return;
    const Node& n = impl_.nodes[static_cast<std::size_t>(node)];
    const Info& i = info(node);
    if (n.op == Op::constant && n.value.type() == Type::string) {
      check_enum_string(*domain, n.value.as_string(), i.start);
    } else if (i.has_items) {
      for (std::uint32_t k = 0; k < i.items_count; ++k)
        check_enum_values(domain, impl_.args[i.items_begin + k]);
    } else if (n.op == Op::constant && n.value.type() == Type::list) {
      for (std::size_t k = 0; k < n.value.list_size(); ++k)
        if (n.value[k].type() == Type::string)
          check_enum_string(*domain, n.value[k].as_string(), i.start);
    }
  }

  static const std::vector<std::string>* enum_domain(const StaticType& t) {
    return t.kind == TypeKind::string ? t.domain : nullptr;
  }

  static const char* op_text(Op op) {
    switch (op) {
      case Op::equal:
        return "=";
      case Op::not_equal:
        return "!=";
      case Op::less:
        return "<";
      case Op::less_equal:
        return "<=";
      case Op::greater:
        return ">";
      case Op::greater_equal:
        return ">=";
      case Op::add:
        return "+";
      case Op::subtract:
        return "-";
      case Op::multiply:
        return "*";
      case Op::divide:
        return "/";
      default:
        return "?";
    }
  }

  std::int32_t build_compare(Op op, std::int32_t a, std::int32_t b, std::uint32_t position) {
    const StaticType bool_type = StaticType::of(TypeKind::boolean);
    if ((op == Op::equal || op == Op::not_equal) &&
        (info(a).literal_null || info(b).literal_null)) {
      std::int32_t tested = info(b).literal_null ? a : b;
      Node n;
      n.op = op == Op::equal ? Op::is_null : Op::is_not_null;
      n.a = tested;
      return add(n, info_at(info(a).start, position, bool_type));
    }
    const StaticType& ta = info(a).type;
    const StaticType& tb = info(b).type;
    bool ok = compatible(ta, tb);
    if (op != Op::equal && op != Op::not_equal) ok = ok && orderable(ta) && orderable(tb);
    if (!ok)
      fail(ErrorCode::type_error,
           "cannot compare " + ta.to_string() + " with " + tb.to_string() + " using '" +
               op_text(op) + "'",
           position);
    if (op == Op::equal || op == Op::not_equal) {
      check_enum_values(enum_domain(ta), b);
      check_enum_values(enum_domain(tb), a);
    }
    return add_binary(op, a, b, bool_type, position);
  }

  std::int32_t build_range(std::int32_t x, std::int32_t low, std::int32_t high, bool low_open,
                           bool high_open, std::uint32_t position) {
    const StaticType& tx = info(x).type;
    for (std::int32_t bound : {low, high}) {
      const StaticType& tb = info(bound).type;
      if (!orderable(tx) || !orderable(tb) || !compatible(tx, tb))
        fail(ErrorCode::type_error,
             "cannot test whether " + tx.to_string() + " is in a range of " + tb.to_string(),
             position);
    }
    Node n;
    n.op = Op::in_range;
    n.a = x;
    n.b = low;
    n.c = high;
    n.flags = static_cast<std::uint8_t>((low_open ? kLowOpen : 0) | (high_open ? kHighOpen : 0));
    return add(n, info_at(info(x).start, position, StaticType::of(TypeKind::boolean)));
  }

  std::int32_t build_in_list(std::int32_t x, std::int32_t list, std::uint32_t position) {
    const StaticType& tx = info(x).type;
    const StaticType& tl = info(list).type;
    if (!loose(tl) && tl.kind != TypeKind::list)
      fail(ErrorCode::type_error, "'in' needs a list or a range, got " + tl.to_string(), position);
    if (tl.kind == TypeKind::list && !compatible(tx, element_of(tl)))
      fail(ErrorCode::type_error, "cannot look for " + tx.to_string() + " in " + tl.to_string(),
           position);
    check_enum_values(enum_domain(tx), list);
    if (tl.kind == TypeKind::list) check_enum_values(tl.domain, x);
    return add_binary(Op::in_list, x, list, StaticType::of(TypeKind::boolean), position);
  }

  std::int32_t build_arithmetic(Op op, std::int32_t a, std::int32_t b, std::uint32_t position) {
    const StaticType& ta = info(a).type;
    const StaticType& tb = info(b).type;
    if (op == Op::add && ta.kind == TypeKind::string && tb.kind == TypeKind::string) {
      // Texts joined, as FEEL's "Hello " + name.
      Node n;
      n.op = Op::call;
      n.fn = Fn::concat;
      n.args_begin = static_cast<std::uint32_t>(impl_.args.size());
      n.args_count = 2;
      impl_.args.push_back(a);
      impl_.args.push_back(b);
      return add(n, info_at(info(a).start, position, StaticType::of(TypeKind::string)));
    }
    if ((!loose(ta) && !ta.is_number()) || (!loose(tb) && !tb.is_number()))
      fail(ErrorCode::type_error,
           std::string("'") + op_text(op) + "' needs numbers, got " + ta.to_string() + " and " +
               tb.to_string(),
           position);
    TypeKind kind = TypeKind::any;
    if (op == Op::divide || ta.kind == TypeKind::decimal || tb.kind == TypeKind::decimal)
      kind = TypeKind::decimal;
    else if (ta.kind == TypeKind::integer && tb.kind == TypeKind::integer)
      kind = TypeKind::integer;
    return add_binary(op, a, b, StaticType::of(kind), position);
  }

  // --- grammar ---------------------------------------------------------------------------

  std::int32_t parse_expr() {
    DepthGuard guard(*this, peek().offset);
    if (peek().kind != Tok::kw_if) return parse_or();
    const Token& t = next();
    std::int32_t condition = parse_expr();
    require_bool(condition, "the condition of 'if'");
    expect(Tok::kw_then, "'then'");
    std::int32_t then_value = parse_expr();
    const Token& else_token = expect(Tok::kw_else, "'else'");
    std::int32_t else_value = parse_expr();
    std::optional<StaticType> type = unify(info(then_value).type, info(else_value).type);
    if (!type)
      fail(ErrorCode::type_error,
           "'then' gives " + type_name(then_value) + " but 'else' gives " + type_name(else_value),
           else_token.offset);
    Node n;
    n.op = Op::if_then_else;
    n.a = condition;
    n.b = then_value;
    n.c = else_value;
    return add(n, info_at(t.offset, t.offset, *type));
  }

  std::int32_t parse_logical(Tok keyword) {
    const bool is_or = keyword == Tok::kw_or;
    std::int32_t first = is_or ? parse_logical(Tok::kw_and) : parse_not();
    if (peek().kind != keyword) return first;
    const char* name = is_or ? "or" : "and";
    std::vector<std::int32_t> operands{first};
    std::uint32_t position = peek().offset;
    while (peek().kind == keyword) {
      const Token& op = next();
      std::int32_t operand = is_or ? parse_logical(Tok::kw_and) : parse_not();
      std::int32_t previous = operands.back();
      for (std::int32_t k : {previous, operand}) {
        const StaticType& t = info(k).type;
        if (!loose(t) && t.kind != TypeKind::boolean)
          fail(ErrorCode::type_error,
               std::string("'") + name + "' needs bool operands, got " + type_name(previous) +
                   " and " + type_name(operand),
               op.offset);
      }
      operands.push_back(operand);
    }
    std::int32_t node = add_nary(is_or ? Op::logical_or : Op::logical_and, operands,
                                 StaticType::of(TypeKind::boolean), first);
    info_[static_cast<std::size_t>(node)].position = position;
    return node;
  }

  std::int32_t parse_or() { return parse_logical(Tok::kw_or); }

  std::int32_t parse_not() {
    if (peek().kind != Tok::kw_not) return parse_cmp();
    const Token& t = next();
    DepthGuard guard(*this, t.offset);
    std::int32_t operand = parse_not();
    const StaticType& type = info(operand).type;
    if (!loose(type) && type.kind != TypeKind::boolean)
      fail(ErrorCode::type_error, "'not' needs a bool, got " + type.to_string(), t.offset);
    Node n;
    n.op = Op::logical_not;
    n.a = operand;
    return add(n, info_at(t.offset, t.offset, StaticType::of(TypeKind::boolean)));
  }

  static std::optional<Op> comparison(Tok kind) {
    switch (kind) {
      case Tok::equal:
        return Op::equal;
      case Tok::not_equal:
        return Op::not_equal;
      case Tok::less:
        return Op::less;
      case Tok::less_equal:
        return Op::less_equal;
      case Tok::greater:
        return Op::greater;
      case Tok::greater_equal:
        return Op::greater_equal;
      default:
        return std::nullopt;
    }
  }

  static bool opens_range(Tok kind) {
    return kind == Tok::lbracket || kind == Tok::lparen || kind == Tok::rbracket;
  }

  std::int32_t parse_cmp() {
    std::int32_t left = parse_add();
    if (std::optional<Op> op = comparison(peek().kind)) {
      const Token& t = next();
      std::int32_t right = parse_add();
      return build_compare(*op, left, right, t.offset);
    }
    if (peek().kind != Tok::kw_in) return left;
    const Token& t = next();
    if (opens_range(peek().kind)) {
      if (std::optional<std::int32_t> range = try_range(left)) return *range;
    }
    std::int32_t list = parse_add();
    return build_in_list(left, list, t.offset);
  }

  // A range after "in" or as a cell item; nullopt (and nothing consumed) when the bracket
  // opens a list literal or a parenthesised expression instead.
  std::optional<std::int32_t> try_range(std::int32_t x) {
    if (peek().kind == Tok::lbracket && peek(1).kind == Tok::rbracket) return std::nullopt;
    Mark mark = save();
    const Token& opener = next();
    std::int32_t low = parse_expr();
    if (peek().kind != Tok::dotdot) {
      if (opener.kind == Tok::rbracket)
        fail(ErrorCode::syntax, "expected '..' but found " + describe(peek()), peek().offset);
      restore(mark);
      return std::nullopt;
    }
    next();
    std::int32_t high = parse_expr();
    const Token& closer = peek();
    if (closer.kind != Tok::rbracket && closer.kind != Tok::rparen && closer.kind != Tok::lbracket)
      fail(ErrorCode::syntax,
           "expected ']', ')' or '[' to close the range but found " + describe(closer),
           closer.offset);
    next();
    if (x < 0) x = add_dollar(opener.offset);
    return build_range(x, low, high, opener.kind != Tok::lbracket, closer.kind != Tok::rbracket,
                       opener.offset);
  }

  std::int32_t parse_add() {
    std::int32_t left = parse_mul();
    while (peek().kind == Tok::plus || peek().kind == Tok::minus) {
      const Token& t = next();
      std::int32_t right = parse_mul();
      left = build_arithmetic(t.kind == Tok::plus ? Op::add : Op::subtract, left, right, t.offset);
    }
    return left;
  }

  std::int32_t parse_mul() {
    std::int32_t left = parse_unary();
    while (peek().kind == Tok::star || peek().kind == Tok::slash) {
      const Token& t = next();
      std::int32_t right = parse_unary();
      left =
          build_arithmetic(t.kind == Tok::star ? Op::multiply : Op::divide, left, right, t.offset);
    }
    return left;
  }

  std::int32_t parse_unary() {
    if (peek().kind != Tok::minus) return parse_primary();
    const Token& t = next();
    DepthGuard guard(*this, t.offset);
    std::int32_t operand = parse_unary();
    const StaticType type = info(operand).type;
    if (!loose(type) && !type.is_number())
      fail(ErrorCode::type_error, "'-' needs a number, got " + type.to_string(), t.offset);
    Node n;
    n.op = Op::negate;
    n.a = operand;
    return add(n, info_at(t.offset, t.offset, StaticType::of(type.kind)));
  }

  std::int32_t add_constant(const Token& t, Value v, const StaticType& type) {
    Node n;
    n.value = v;
    return add(n, info_at(t.offset, t.offset, type));
  }

  std::int32_t parse_primary() {
    const Token& t = next();
    switch (t.kind) {
      case Tok::integer:
      case Tok::decimal:
      case Tok::string:
        return add_constant(t, t.value, type_of(t.value));
      case Tok::kw_true:
      case Tok::kw_false:
        return add_constant(t, Value::boolean(t.kind == Tok::kw_true),
                            StaticType::of(TypeKind::boolean));
      case Tok::kw_null: {
        std::int32_t k = add_constant(t, Value::null(), StaticType{});
        info_[static_cast<std::size_t>(k)].literal_null = true;
        return k;
      }
      case Tok::name:
        if (peek().kind == Tok::lparen) return parse_call(t);
        return parse_name(t);
      case Tok::dollar:
        if (!dollar_)
          fail(ErrorCode::unknown_name, "'$' is only available in a decision table cell", t.offset);
        return add_dollar(t.offset);
      case Tok::hash: {
        if (item_types_.empty())
          fail(ErrorCode::unknown_name,
               "'#' is only available inside the second argument of any, all, none, one, count, "
               "map or filter",
               t.offset);
        if (t.length > 1) return parse_item_field(t);
        if (item_types_.back().kind == TypeKind::object)
          fail(ErrorCode::type_error,
               "'#' is an item of a list of objects here: read one of its fields (#.field)",
               t.offset);
        Node n;
        n.op = Op::item;
        return add(n, info_at(t.offset, t.offset, item_types_.back()));
      }
      case Tok::lparen: {
        std::int32_t inner = parse_expr();
        expect(Tok::rparen, "')'");
        return inner;
      }
      case Tok::lbracket:
        return parse_list(t);
      case Tok::kw_if:
        fail(ErrorCode::syntax, "'if' inside an operation needs parentheses: (if ... )", t.offset);
      default:
        fail(ErrorCode::syntax, "unexpected " + describe(t), t.offset);
    }
  }

  // "#.field": the column `<list>.<field>` of the list of objects the innermost "#" ranges over.
  std::int32_t parse_item_field(const Token& t) {
    const std::string_view field = text_.substr(t.offset + 2, t.length - 2);
    const std::string_view origin = item_origins_.back();
    if (origin.empty())
      fail(ErrorCode::type_error,
           "'#." + std::string(field) + "' needs a list of objects read from an input, got " +
               item_types_.back().to_string() + " items",
           t.offset);
    const std::string name = std::string(origin) + "." + std::string(field);
    std::optional<Scope::Entry> entry = scope_.lookup(name);
    if (!entry || entry->type.kind != TypeKind::list)
      fail(ErrorCode::unknown_name,
           "the items of " + std::string(origin) + " have no field '" + std::string(field) +
               "' (declare it in the input's items.fields)",
           t.offset);
    Node n;
    n.op = Op::item_field;
    n.a = entry->slot;
    return add(n, info_at(t.offset, t.offset, element_of(entry->type)));
  }

  std::int32_t parse_name(const Token& t) {
    std::string_view name = text_.substr(t.offset, t.length);
    std::optional<Scope::Entry> entry = scope_.lookup(name);
    if (!entry) {
      std::string message = "unknown name '" + std::string(name) + "'";
      if (find_function(name))
        message += " ('" + std::string(name) + "' is a function: " + std::string(name) + "(...))";
      fail(ErrorCode::unknown_name, std::move(message), t.offset);
    }
    Node n;
    n.op = Op::slot;
    n.a = entry->slot;
    Info i = info_at(t.offset, t.offset, entry->type);
    if (is_objects(entry->type)) i.origin = name;
    return add(n, i);
  }

  std::int32_t parse_list(const Token& open) {
    std::vector<std::int32_t> items;
    if (peek().kind != Tok::rbracket) {
      for (;;) {
        if (items.size() >= limits_.max_list_items)
          fail(ErrorCode::limit_exceeded,
               "list longer than " + std::to_string(limits_.max_list_items) + " items",
               peek().offset);
        items.push_back(parse_expr());
        if (peek().kind != Tok::comma) break;
        next();
      }
    }
    expect(Tok::rbracket, "',' or ']'");
    StaticType item;
    const std::vector<std::string>* domain = nullptr;
    bool first_typed = true;
    for (std::int32_t k : items) {
      const StaticType& t = info(k).type;
      std::optional<StaticType> u = unify(item, t);
      if (!u)
        fail(ErrorCode::type_error,
             "list items must share one type, got " + item.to_string() + " and " + t.to_string(),
             info(k).start);
      item = *u;
      if (!loose(t)) {
        domain = first_typed ? t.domain : (domain == t.domain ? domain : nullptr);
        first_typed = false;
      }
    }
    Node n;
    n.op = Op::list;
    n.args_begin = static_cast<std::uint32_t>(impl_.args.size());
    n.args_count = static_cast<std::uint32_t>(items.size());
    impl_.args.insert(impl_.args.end(), items.begin(), items.end());
    Info i = info_at(open.offset, open.offset, StaticType::list_of(item.kind, domain));
    i.has_items = true;
    i.items_begin = n.args_begin;
    i.items_count = n.args_count;
    return add(n, i);
  }

  std::int32_t parse_call(const Token& name_token) {
    std::string_view name = text_.substr(name_token.offset, name_token.length);
    const FunctionSpec* spec = find_function(name);
    if (!spec) {
      std::string message = "unknown function '" + std::string(name) + "'";
      std::vector<std::string_view> names;
      for (const FunctionSpec& s : function_specs()) names.push_back(s.name);
      std::string suggestion = closest(name, names);
      if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
      fail(ErrorCode::unknown_function, std::move(message), name_token.offset);
    }
    next();  // "("
    std::vector<std::int32_t> arguments;
    if (peek().kind != Tok::rparen) {
      for (;;) {
        if (spec->predicate && arguments.size() == 1) {
          const StaticType& list = info(arguments[0]).type;
          if (!loose(list) && list.kind != TypeKind::list)
            fail(ErrorCode::type_error,
                 "'" + std::string(name) + "' needs a list, got " + list.to_string(),
                 info(arguments[0]).start);
          item_types_.push_back(element_of(list));
          item_origins_.push_back(info(arguments[0]).origin);
          std::int32_t predicate = parse_expr();
          item_types_.pop_back();
          item_origins_.pop_back();
          arguments.push_back(predicate);
        } else {
          arguments.push_back(parse_expr());
        }
        if (peek().kind != Tok::comma) break;
        next();
      }
    }
    expect(Tok::rparen, "',' or ')'");
    check_arity(*spec, name, arguments.size(), name_token.offset);
    StaticType type = check_call(*spec, name, arguments);
    Node n;
    n.op = Op::call;
    n.fn = spec->fn;
    n.args_begin = static_cast<std::uint32_t>(impl_.args.size());
    n.args_count = static_cast<std::uint32_t>(arguments.size());
    impl_.args.insert(impl_.args.end(), arguments.begin(), arguments.end());
    Info i = info_at(name_token.offset, name_token.offset, type);
    if (spec->fn == Fn::filter) i.origin = info(arguments[0]).origin;  // the same objects
    return add(n, i);
  }

  void check_arity(const FunctionSpec& spec, std::string_view name, std::size_t count,
                   std::uint32_t offset) const {
    if (count >= spec.min_args && (spec.max_args == kUnbounded || count <= spec.max_args)) return;
    auto plural = [](std::size_t k) {
      return std::to_string(k) + (k == 1 ? " argument" : " arguments");
    };
    std::string expected;
    if (spec.max_args == kUnbounded)
      expected = "at least " + plural(spec.min_args);
    else if (spec.min_args == spec.max_args)
      expected = plural(spec.min_args);
    else
      expected = std::to_string(spec.min_args) + " or " + plural(spec.max_args);
    fail(ErrorCode::arity,
         "'" + std::string(name) + "' takes " + expected + ", got " + std::to_string(count),
         offset);
  }

  StaticType check_call(const FunctionSpec& spec, std::string_view name,
                        const std::vector<std::int32_t>& arguments) const {
    auto type = [&](std::size_t k) -> const StaticType& { return info(arguments[k]).type; };
    auto require = [&](std::size_t k, bool ok, const char* what) {
      if (!ok)
        fail(ErrorCode::type_error,
             "'" + std::string(name) + "' needs " + what + " as argument " + std::to_string(k + 1) +
                 ", got " + type(k).to_string(),
             info(arguments[k]).start);
    };
    auto is = [&](std::size_t k, TypeKind kind) { return loose(type(k)) || type(k).kind == kind; };
    auto is_number = [&](std::size_t k) { return loose(type(k)) || type(k).is_number(); };
    const StaticType boolean = StaticType::of(TypeKind::boolean);
    const StaticType integer = StaticType::of(TypeKind::integer);

    switch (spec.fn) {
      case Fn::contains: {
        const StaticType& haystack = type(0);
        if (haystack.kind == TypeKind::string) {
          require(1, is(1, TypeKind::string), "a string");
        } else if (haystack.kind == TypeKind::list) {
          require(1, compatible(element_of(haystack), type(1)), "an item of the list's type");
          check_enum_values(haystack.domain, arguments[1]);
        } else {
          require(0, loose(haystack), "a string or a list");
        }
        return boolean;
      }
      case Fn::starts_with:
      case Fn::ends_with:
        require(0, is(0, TypeKind::string), "a string");
        require(1, is(1, TypeKind::string), "a string");
        return boolean;
      case Fn::lower:
      case Fn::upper:
        require(0, is(0, TypeKind::string), "a string");
        return StaticType::of(TypeKind::string);
      case Fn::len:
        require(0, is(0, TypeKind::string) || type(0).kind == TypeKind::list, "a string or a list");
        return integer;
      case Fn::map: {
        require(0, is(0, TypeKind::list), "a list");
        require(1, type(1).kind != TypeKind::list,
                "a single value (lists of lists are not values)");
        return StaticType::list_of(type(1).kind, type(1).domain);
      }
      case Fn::filter:
        require(0, is(0, TypeKind::list), "a list");
        require(1, is(1, TypeKind::boolean), "a bool predicate");
        return type(0).kind == TypeKind::list ? type(0) : StaticType::list_of(TypeKind::any);
      case Fn::count:
      case Fn::any:
      case Fn::all:
      case Fn::none:
      case Fn::one:
        require(0, is(0, TypeKind::list), "a list");
        if (arguments.size() == 2) require(1, is(1, TypeKind::boolean), "a bool predicate");
        return spec.fn == Fn::count ? integer : boolean;
      case Fn::min:
      case Fn::max: {
        if (arguments.size() == 1) {
          require(0, is(0, TypeKind::list), "a list (or two values or more)");
          TypeKind item = type(0).kind == TypeKind::list ? type(0).item : TypeKind::any;
          require(0, loose(item) || numeric(item) || item == TypeKind::date,
                  "a list of numbers or dates");
          return StaticType::of(item);
        }
        TypeKind kind = TypeKind::any;
        for (std::size_t k = 0; k < arguments.size(); ++k) {
          require(k, is_number(k) || type(k).kind == TypeKind::date, "a number or a date");
          std::optional<TypeKind> u = unify_kinds(kind, type(k).kind);
          require(k, u.has_value(), "values of one kind (numbers or dates)");
          kind = *u;
        }
        return StaticType::of(kind);
      }
      case Fn::sum: {
        require(0, is(0, TypeKind::list), "a list of numbers");
        TypeKind item = type(0).kind == TypeKind::list ? type(0).item : TypeKind::any;
        require(0, loose(item) || numeric(item), "a list of numbers");
        return StaticType::of(item);
      }
      case Fn::abs:
        require(0, is_number(0), "a number");
        return StaticType::of(type(0).kind);
      case Fn::floor:
      case Fn::ceil:
      case Fn::round:
        require(0, is_number(0), "a number");
        return integer;
      case Fn::date: {
        require(0, is(0, TypeKind::string) || type(0).kind == TypeKind::date, "a string");
        const Node& n = impl_.nodes[static_cast<std::size_t>(arguments[0])];
        if (n.op == Op::constant && n.value.type() == Type::string &&
            !Date::parse(n.value.as_string()))
          fail(ErrorCode::type_error,
               "invalid date " + n.value.to_json() + " (expected YYYY-MM-DD)",
               info(arguments[0]).start);
        return StaticType::of(TypeKind::date);
      }
      case Fn::years_between:
      case Fn::months_between:
      case Fn::days_between:
        require(0, is(0, TypeKind::date), "a date");
        require(1, is(1, TypeKind::date), "a date");
        return integer;
      case Fn::add_days:
      case Fn::add_months:
        require(0, is(0, TypeKind::date), "a date");
        require(1, is(1, TypeKind::integer), "an integer");
        return StaticType::of(TypeKind::date);
      case Fn::is_missing:
        return boolean;
      case Fn::concat:
        for (std::size_t k = 0; k < arguments.size(); ++k)
          require(k, is(k, TypeKind::string), "a text");
        return StaticType::of(TypeKind::string);
      case Fn::to_text:
        if (type(0).kind == TypeKind::list) require(0, false, "a single value");
        return StaticType::of(TypeKind::string);
      case Fn::timestamp:
        require(0, is(0, TypeKind::string) || is(0, TypeKind::date) || is_number(0),
                "a text, a date or a number");
        return integer;
      case Fn::trim:
        require(0, is(0, TypeKind::string), "a text");
        return StaticType::of(TypeKind::string);
      case Fn::trunc:
        require(0, is_number(0), "a number");
        if (arguments.size() == 1) return integer;
        require(1, is(1, TypeKind::integer), "an integer");
        return StaticType::of(TypeKind::decimal);
      case Fn::rem:
        require(0, is_number(0), "a number");
        require(1, is_number(1), "a number");
        return StaticType::of(type(0).kind == TypeKind::integer && type(1).kind == TypeKind::integer
                                  ? TypeKind::integer
                                  : TypeKind::decimal);
      case Fn::avg:
      case Fn::median:
      case Fn::mode: {
        require(0, is(0, TypeKind::list), "a list of numbers");
        TypeKind item = type(0).kind == TypeKind::list ? type(0).item : TypeKind::any;
        require(0, loose(item) || numeric(item), "a list of numbers");
        return StaticType::of(spec.fn == Fn::mode ? item : TypeKind::decimal);
      }
      case Fn::utc_date:
        require(0, is_number(0), "a number of seconds");
        return StaticType::of(TypeKind::date);
      case Fn::year:
      case Fn::month:
      case Fn::day:
      case Fn::weekday:
      case Fn::day_of_year:
      case Fn::iso_week:
        require(0, is(0, TypeKind::date), "a date");
        return integer;
      case Fn::power:
        require(0, is_number(0), "a number");
        require(1, is_number(1), "a number");
        return StaticType::of(TypeKind::decimal);
      case Fn::coalesce: {
        StaticType result;
        for (std::size_t k = 0; k < arguments.size(); ++k) {
          std::optional<StaticType> u = unify(result, type(k));
          if (!u)
            fail(ErrorCode::type_error,
                 "'coalesce' needs arguments of one type, got " + result.to_string() + " and " +
                     type(k).to_string(),
                 info(arguments[k]).start);
          result = *u;
        }
        return result;
      }
    }
    return StaticType{};
  }

  // --- unary tests -----------------------------------------------------------------------

  std::vector<CellItem> parse_items() {
    std::vector<CellItem> items;
    for (;;) {
      if (items.size() >= limits_.max_list_items)
        fail(ErrorCode::limit_exceeded,
             "cell with more than " + std::to_string(limits_.max_list_items) + " items",
             peek().offset);
      items.push_back(parse_item());
      if (peek().kind != Tok::comma) break;
      next();
    }
    return items;
  }

  CellItem parse_item() {
    DepthGuard guard(*this, peek().offset);
    CellItem item;
    const Token& t = peek();
    if (std::optional<Op> op = comparison(t.kind)) {
      next();
      std::int32_t value = parse_expr();
      std::int32_t dollar = add_dollar(t.offset);
      item.node = build_compare(*op, dollar, value, t.offset);
      item.value = value;
      item.op = *op;
      if (info(value).literal_null)
        item.form = CellItem::Form::other;
      else if (*op == Op::equal)
        item.form = CellItem::Form::equal;
      else if (*op == Op::not_equal)
        item.form = CellItem::Form::not_equal;
      else
        item.form = CellItem::Form::compare;
      return item;
    }
    if (opens_range(t.kind)) {
      if (std::optional<std::int32_t> range = try_range(-1)) {
        const Node& n = impl_.nodes[static_cast<std::size_t>(*range)];
        item.form = CellItem::Form::range;
        item.node = *range;
        if (n.op == Op::in_range) {
          item.value = n.b;
          item.high = n.c;
          item.low_open = n.flags & kLowOpen;
          item.high_open = n.flags & kHighOpen;
        } else {
          item.form = CellItem::Form::other;
        }
        return item;
      }
    }
    std::int32_t value = parse_expr();
    const StaticType tv = info(value).type;
    item.value = value;
    const std::uint32_t at = info(value).start;
    if (info(value).literal_null) {
      Node n;
      n.op = Op::is_null;
      n.a = add_dollar(at);
      item.node = add(n, info_at(at, at, StaticType::of(TypeKind::boolean)));
    } else if (tv.kind == TypeKind::list && dollar_->kind != TypeKind::list) {
      item.node = build_in_list(add_dollar(at), value, at);
      item.form = CellItem::Form::member;
    } else if (dollar_->kind == TypeKind::list && !loose(tv) && tv.kind != TypeKind::list) {
      // A value in a list column means "the list holds it".
      std::int32_t dollar = add_dollar(at);
      if (!compatible(element_of(*dollar_), tv))
        fail(ErrorCode::type_error,
             "cannot look for " + tv.to_string() + " in " + dollar_->to_string(), at);
      check_enum_values(dollar_->domain, value);
      Node n;
      n.op = Op::call;
      n.fn = Fn::contains;
      n.args_begin = static_cast<std::uint32_t>(impl_.args.size());
      n.args_count = 2;
      impl_.args.push_back(dollar);
      impl_.args.push_back(value);
      item.node = add(n, info_at(at, at, StaticType::of(TypeKind::boolean)));
    } else {
      item.node = build_compare(Op::equal, add_dollar(at), value, at);
      item.form = CellItem::Form::equal;
    }
    return item;
  }

  bool is_constant(std::int32_t node) const {
    return node >= 0 && impl_.nodes[static_cast<std::size_t>(node)].op == Op::constant;
  }
  const Value& constant(std::int32_t node) const {
    return impl_.nodes[static_cast<std::size_t>(node)].value;
  }

  // The table compiler's view of a cell; nullopt unless every item is a constant of one kind.
  std::optional<UnaryStructure> cell_structure(std::vector<CellItem> items, bool negated) const {
    for (const CellItem& item : items) {
      if (item.form == CellItem::Form::other) return std::nullopt;
      if (!is_constant(item.value)) return std::nullopt;
      if (item.form == CellItem::Form::range && !is_constant(item.high)) return std::nullopt;
    }
    if (items.size() == 1 && items[0].form == CellItem::Form::not_equal) {
      negated = !negated;
      items[0].form = CellItem::Form::equal;
    }
    UnaryStructure s;
    s.negated = negated;
    int family = 0;  // 1 numbers, 2 dates
    auto family_of = [](const Value& v) {
      return v.is_number() ? 1 : (v.type() == Type::date ? 2 : 0);
    };
    auto interval_value = [&](const Value& v) {
      int f = family_of(v);
      if (f == 0 || (family != 0 && f != family)) return false;
      family = f;
      return true;
    };
    auto point = [&](const Value& v) {
      if (v.type() == Type::string || v.type() == Type::boolean) {
        s.values.push_back(v);
        return true;
      }
      if (!interval_value(v)) return false;
      Interval i;
      i.lo = i.hi = v;
      s.intervals.push_back(i);
      return true;
    };
    for (const CellItem& item : items) {
      const Value& v = constant(item.value);
      switch (item.form) {
        case CellItem::Form::equal:
          if (!point(v)) return std::nullopt;
          break;
        case CellItem::Form::member:
          if (v.type() != Type::list) return std::nullopt;
          for (std::size_t k = 0; k < v.list_size(); ++k)
            if (!point(v[k])) return std::nullopt;
          break;
        case CellItem::Form::compare: {
          if (!interval_value(v)) return std::nullopt;
          Interval i;
          if (item.op == Op::less || item.op == Op::less_equal) {
            i.lo_inf = i.lo_open = true;
            i.hi = v;
            i.hi_open = item.op == Op::less;
          } else {
            i.hi_inf = i.hi_open = true;
            i.lo = v;
            i.lo_open = item.op == Op::greater;
          }
          s.intervals.push_back(i);
          break;
        }
        case CellItem::Form::range: {
          const Value& high = constant(item.high);
          if (!interval_value(v) || !interval_value(high)) return std::nullopt;
          Interval i;
          i.lo = v;
          i.hi = high;
          i.lo_open = item.low_open;
          i.hi_open = item.high_open;
          s.intervals.push_back(i);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    if (!s.intervals.empty() && !s.values.empty()) return std::nullopt;
    if (!s.intervals.empty()) {
      s.kind = UnaryStructure::Kind::intervals;
    } else if (!s.values.empty()) {
      s.kind = UnaryStructure::Kind::values;
    } else {
      // Only empty lists: the column's type says which shape the table expects.
      s.kind = dollar_->is_number() || dollar_->kind == TypeKind::date
                   ? UnaryStructure::Kind::intervals
                   : UnaryStructure::Kind::values;
    }
    return s;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t position_ = 0;
  const Scope& scope_;
  const StaticType* dollar_;
  const Limits& limits_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  Impl& impl_;
  std::vector<Info> info_;
  std::vector<StaticType> item_types_;          // the type of "#", innermost predicate last
  std::vector<std::string_view> item_origins_;  // the list of objects "#" ranges over, or ""
};

// The slots an expression reads and whether it reads "$". Iterative: a flat chain of thousands
// of terms is as deep as it is long.
void collect(const Impl& impl, std::int32_t root, std::vector<int>& slots, bool& dollar) {
  std::vector<std::int32_t> pending{root};
  while (!pending.empty()) {
    const Node& n = impl.nodes[static_cast<std::size_t>(pending.back())];
    pending.pop_back();
    switch (n.op) {
      case Op::constant:
      case Op::item:
        break;
      case Op::slot:
      case Op::item_field:
        slots.push_back(n.a);
        break;
      case Op::dollar:
        dollar = true;
        break;
      case Op::logical_and:
      case Op::logical_or:
      case Op::list:
      case Op::call:
        for (std::uint32_t k = 0; k < n.args_count; ++k)
          pending.push_back(impl.args[n.args_begin + k]);
        break;
      default:
        for (std::int32_t child : {n.a, n.b, n.c})
          if (child >= 0) pending.push_back(child);
    }
  }
}

void finish(Impl& impl, std::int32_t root, const StaticType& type) {
  impl.root = root;
  impl.type = type;
  const Node& n = impl.nodes[static_cast<std::size_t>(root)];
  impl.constant = n.op == Op::constant;
  if (impl.constant) impl.constant_value = n.value;
  impl.single_slot = n.op == Op::slot ? n.a : -1;
  bool dollar = false;
  collect(impl, root, impl.slots, dollar);
  std::sort(impl.slots.begin(), impl.slots.end());
  impl.slots.erase(std::unique(impl.slots.begin(), impl.slots.end()), impl.slots.end());
  impl.uses_dollar = dollar;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::shared_ptr<Impl> build_expression(std::string_view text, const Scope& scope,
                                       const StaticType* dollar, const Limits& limits) {
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  std::string_view source = impl->text;
  Parser parser(source, tokenize(source, limits, impl->arena), scope, dollar, limits, *impl);
  std::int32_t root = parser.parse_root();
  finish(*impl, root, parser.info(root).type);
  return impl;
}

std::shared_ptr<Impl> build_unary_test(std::string_view text, const Scope& scope,
                                       const StaticType& dollar, const Limits& limits) {
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  std::string_view source = impl->text;
  std::vector<Token> tokens = tokenize(source, limits, impl->arena);
  const StaticType boolean = StaticType::of(TypeKind::boolean);
  std::string_view body = trim(source);

  if (body.empty() || body == "-") {
    Node n;
    n.value = Value::boolean(true);
    impl->nodes.push_back(n);
    finish(*impl, 0, boolean);
    impl->structure = UnaryStructure{};
    return impl;
  }
  if (body == "null") {
    Node d;
    d.op = Op::dollar;
    Node n;
    n.op = Op::is_null;
    n.a = 0;
    impl->nodes.push_back(d);
    impl->nodes.push_back(n);
    finish(*impl, 1, boolean);
    UnaryStructure s;
    s.kind = UnaryStructure::Kind::is_null;
    impl->structure = s;
    return impl;
  }

  const bool reads_dollar = std::any_of(tokens.begin(), tokens.end(),
                                        [](const Token& t) { return t.kind == Tok::dollar; });
  Parser parser(source, std::move(tokens), scope, &dollar, limits, *impl);
  if (reads_dollar) {
    std::int32_t root = parser.parse_root();
    const StaticType& type = parser.info(root).type;
    if (!loose(type) && type.kind != TypeKind::boolean)
      fail(ErrorCode::type_error, "a cell using '$' must be a bool test, got " + type.to_string(),
           source, parser.info(root).start);
    finish(*impl, root, boolean);
    return impl;
  }
  std::optional<UnaryStructure> structure;
  std::int32_t root = parser.parse_cell(structure);
  finish(*impl, root, boolean);
  impl->structure = std::move(structure);
  return impl;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
