#include "feel_translate.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

namespace {

constexpr int kMaxInlineDepth = 16;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_word_char(char c) {
  return is_letter(c) || is_digit(c);
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

[[noreturn]] void unsupported(std::string message) {
  throw Error(ErrorCode::unsupported_construct, std::move(message));
}

// FEEL built-in functions with a pack equivalent (multi-word names first: "date and time" is
// refused before "date" could match its first word).
struct Builtin {
  std::string_view feel, pack;
};
constexpr std::array<Builtin, 16> kBuiltins{{
    {"date and time", ""},
    {"date", "date"},
    {"string length", "len"},
    {"upper case", "upper"},
    {"lower case", "lower"},
    {"starts with", "starts_with"},
    {"ends with", "ends_with"},
    {"list contains", "contains"},
    {"contains", "contains"},
    {"abs", "abs"},
    {"floor", "floor"},
    {"ceiling", "ceil"},
    {"count", "count"},
    {"min", "min"},
    {"max", "max"},
    {"sum", "sum"},
}};
constexpr std::array<std::string_view, 9> kKeywords{"and",  "or",   "not",   "if",  "then",
                                                    "else", "true", "false", "null"};
constexpr std::array<std::string_view, 10> kRefusedKeywords{
    "between",   "instance", "for",    "some",     "every",
    "satisfies", "function", "return", "external", "in"};

// Length of the string literal at text[i] (a double quote), closing quote included.
std::size_t literal_length(std::string_view text, std::size_t i) {
  std::size_t j = i + 1;
  while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
  if (j >= text.size()) unsupported("unterminated string literal");
  return j + 1 - i;
}

// True when text[i..] starts with `word` followed by a word boundary.
bool starts_word(std::string_view text, std::size_t i, std::string_view word) {
  if (text.compare(i, word.size(), word) != 0) return false;
  std::size_t end = i + word.size();
  return end >= text.size() || !is_word_char(text[end]);
}

class Translator {
 public:
  Translator(const FeelScope& scope, FeelMode mode, int depth)
      : scope_(scope), mode_(mode), depth_(depth) {}

  std::string run(std::string_view text) {
    if (mode_ == FeelMode::unary_tests) {
      std::string_view t = trim(text);
      if (t.empty() || t == "-") return "-";
    }
    text_ = text;
    while (i_ < text_.size()) step();
    return out_;
  }

 private:
  const FeelScope& scope_;
  FeelMode mode_;
  int depth_;
  std::string_view text_;
  std::size_t i_ = 0;
  std::string out_;

  void step() {
    const char c = text_[i_];
    if (c == '"') {
      std::size_t n = literal_length(text_, i_);
      out_.append(text_.substr(i_, n));
      i_ += n;
    } else if (c == '.' && i_ + 1 < text_.size() && text_[i_ + 1] == '.') {
      out_ += "..";
      i_ += 2;
    } else if (is_digit(c) ||
               (c == '.' && i_ + 1 < text_.size() && is_digit(text_[i_ + 1]) && !after_name())) {
      number();
    } else if (c == '.' && after_name()) {
      // A path into a structure: loan.principal
      out_ += '.';
      ++i_;
      std::size_t j = i_;
      while (j < text_.size() && is_word_char(text_[j])) ++j;
      if (j == i_) unsupported("a path must name a component after '.'");
      out_ += feel_identifier(text_.substr(i_, j - i_));
      i_ = j;
    } else if (is_letter(c)) {
      name();
    } else if (c == '?') {
      if (mode_ != FeelMode::unary_tests) unsupported("'?' outside a unary test");
      out_ += '$';
      ++i_;
    } else if (c == '*' && i_ + 1 < text_.size() && text_[i_ + 1] == '*') {
      power();
    } else if (c == '@') {
      unsupported("temporal literals '@\"...\"'");
    } else if (c == '{' || c == '}') {
      unsupported("contexts '{...}'");
    } else if (c == ':') {
      unsupported("':' (contexts or named parameters)");
    } else {
      out_ += is_space(c) ? ' ' : c;
      ++i_;
    }
  }

  // a ** b becomes power(a, b): the operand already written before, the one read after (FEEL's
  // `**` binds tighter than `*` and unary minus: 1.2*10**3, 10**-5).
  void power() {
    i_ += 2;
    std::size_t end = out_.size();
    while (end > 0 && out_[end - 1] == ' ') --end;
    std::size_t start = end;
    if (start > 0 && out_[start - 1] == ')') {
      int level = 0;
      bool quoted = false;
      while (start > 0) {
        char p = out_[--start];
        if (p == '"') quoted = !quoted;
        if (quoted) continue;
        if (p == ')') ++level;
        if (p == '(' && --level == 0) break;
      }
      if (level != 0) unsupported("unbalanced parentheses before '**'");
    }
    while (start > 0 && (is_word_char(out_[start - 1]) || out_[start - 1] == '.')) --start;
    if (start == end) unsupported("'**' without a left operand");
    std::string left = out_.substr(start, end - start);
    out_.resize(start);
    std::size_t j = i_;
    while (j < text_.size() && is_space(text_[j])) ++j;
    std::size_t from = j;
    if (j < text_.size() && text_[j] == '-') ++j;
    while (j < text_.size() && is_space(text_[j])) ++j;
    if (j < text_.size() && text_[j] == '(') {
      int level = 0;
      for (; j < text_.size(); ++j) {
        if (text_[j] == '"') j += literal_length(text_, j) - 1;
        if (text_[j] == '(') ++level;
        if (text_[j] == ')' && --level == 0) break;
      }
      if (level != 0) unsupported("unbalanced parentheses after '**'");
      ++j;
    } else {
      while (j < text_.size() && (is_word_char(text_[j]) || text_[j] == '.')) ++j;
    }
    std::string_view right = trim(text_.substr(from, j - from));
    if (right.empty() || right == "-") unsupported("'**' without a right operand");
    out_ += "power(" + left + ", " +
            Translator(scope_, FeelMode::expression, depth_ + 1).run(right) + ")";
    i_ = j;
  }

  bool after_name() const {
    std::size_t k = out_.size();
    if (k == 0) return false;
    char p = out_[k - 1];
    return is_word_char(p) || p == ')' || p == ']';
  }

  void number() {
    std::size_t j = i_;
    while (j < text_.size() && is_digit(text_[j])) ++j;
    if (j == i_) out_ += '0';
    out_.append(text_.substr(i_, j - i_));
    if (j + 1 < text_.size() && text_[j] == '.' && is_digit(text_[j + 1])) {
      std::size_t k = j + 1;
      while (k < text_.size() && is_digit(text_[k])) ++k;
      out_.append(text_.substr(j, k - j));
      j = k;
    }
    i_ = j;
  }

  void name() {
    // Names of the model first: they may hold spaces and shadow nothing of FEEL's.
    for (const FeelScope::Name& n : scope_.names)
      if (starts_word(text_, i_, n.feel)) {
        i_ += n.feel.size();
        out_ += n.pack;
        return;
      }
    if (scope_.functions)
      for (const FeelFunction& f : *scope_.functions)
        if (starts_word(text_, i_, f.name)) {
          i_ += f.name.size();
          invoke(f);
          return;
        }
    for (const Builtin& b : kBuiltins)
      if (starts_word(text_, i_, b.feel)) {
        if (b.pack.empty()) unsupported("the FEEL function '" + std::string(b.feel) + "'");
        i_ += b.feel.size();
        out_ += b.pack;
        return;
      }
    std::size_t j = i_;
    while (j < text_.size() && is_word_char(text_[j])) ++j;
    std::string_view word = text_.substr(i_, j - i_);
    if (std::find(kRefusedKeywords.begin(), kRefusedKeywords.end(), word) !=
            kRefusedKeywords.end() &&
        !(word == "in" && mode_ == FeelMode::expression))
      unsupported("the FEEL construct '" + std::string(word) + "'");
    bool keyword = std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end();
    if (!keyword) {
      std::size_t k = j;
      while (k < text_.size() && is_space(text_[k])) ++k;
      if (k < text_.size() && text_[k] == '(')
        unsupported("the function '" + std::string(word) +
                    "' (neither a FEEL built-in of the subset nor a business knowledge model)");
    }
    out_.append(word);
    i_ = j;
  }

  // Business knowledge models are inlined: the body with each parameter replaced by its
  // argument in parentheses.
  void invoke(const FeelFunction& f) {
    if (depth_ >= kMaxInlineDepth)
      throw Error(ErrorCode::limit_exceeded, "business knowledge models nested deeper than " +
                                                 std::to_string(kMaxInlineDepth) +
                                                 " (recursion?) at '" + f.name + "'");
    while (i_ < text_.size() && is_space(text_[i_])) ++i_;
    if (i_ >= text_.size() || text_[i_] != '(')
      unsupported("the business knowledge model '" + f.name + "' used as a value");
    ++i_;
    std::vector<std::string_view> args;
    int level = 0;
    std::size_t start = i_;
    for (;;) {
      if (i_ >= text_.size()) unsupported("unclosed '(' after '" + f.name + "'");
      char c = text_[i_];
      if (c == '"') {
        i_ += literal_length(text_, i_);
        continue;
      }
      if (c == '(' || c == '[') ++level;
      if ((c == ')' || c == ',') && level == 0) {
        std::string_view arg = trim(text_.substr(start, i_ - start));
        if (!(c == ')' && arg.empty() && args.empty())) args.push_back(arg);
        start = i_ + 1;
        ++i_;
        if (c == ')') break;
        continue;
      }
      if (c == ')' || c == ']') --level;
      ++i_;
    }
    if (args.size() != f.parameters.size())
      throw Error(ErrorCode::arity, "'" + f.name + "' takes " +
                                        std::to_string(f.parameters.size()) + " arguments, not " +
                                        std::to_string(args.size()));
    FeelScope inner;
    inner.functions = scope_.functions;
    for (std::size_t k = 0; k < args.size(); ++k) {
      if (args[k].empty()) unsupported("an empty argument to '" + f.name + "'");
      std::string arg = Translator(scope_, FeelMode::expression, depth_ + 1).run(args[k]);
      inner.names.push_back({f.parameters[k], "(" + arg + ")"});
    }
    inner.sort_names();
    out_ += '(';
    out_ += Translator(inner, FeelMode::expression, depth_ + 1).run(f.body);
    out_ += ')';
  }
};

}  // namespace

void FeelScope::sort_names() {
  std::stable_sort(names.begin(), names.end(),
                   [](const Name& a, const Name& b) { return a.feel.size() > b.feel.size(); });
}

std::string translate_feel(std::string_view text, const FeelScope& scope, FeelMode mode) {
  return Translator(scope, mode, 0).run(text);
}

std::string feel_identifier(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
    out += keep ? c : '_';
  }
  if (out.empty() || is_digit(out.front())) out.insert(out.begin(), '_');
  if (std::find(kKeywords.begin(), kKeywords.end(), out) != kKeywords.end() || out == "in")
    out += '_';
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
