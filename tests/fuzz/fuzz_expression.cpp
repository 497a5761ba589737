// Any text given to the expression and unary-test parsers compiles or fails with an Error;
// whatever compiles evaluates without crashing, on missing and present inputs alike.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aiguillage/rules/expression.hpp"

namespace {

using namespace aiguillage;

const std::vector<std::string> kBenefits{"RSA", "ASS", "ARE"};

class FuzzScope : public Scope {
 public:
  std::optional<Entry> lookup(std::string_view name) const override {
    if (name == "age") return Entry{0, StaticType::of(TypeKind::integer)};
    if (name == "income") return Entry{1, StaticType::of(TypeKind::decimal)};
    if (name == "benefit") return Entry{2, StaticType::of(TypeKind::string, &kBenefits)};
    if (name == "birth_date") return Entry{3, StaticType::of(TypeKind::date)};
    if (name == "tags") return Entry{4, StaticType::list_of(TypeKind::string)};
    if (name == "rqth") return Entry{5, StaticType::of(TypeKind::boolean)};
    return std::nullopt;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzScope scope;
  Value tags[2] = {Value::string("a"), Value::string("b")};
  Value present[6] = {Value::integer(25),   Value::decimal(Decimal{1'500'000}),
                      Value::string("RSA"), Value::date(Date{10'000}),
                      Value::list(tags, 2), Value::boolean(true)};
  Value missing[6];
  Arena arena;
  auto run = [&](const Expression& e) {
    for (const Value* frame : {present, missing}) {
      EvalContext ctx{frame, Value::integer(3), &arena};
      e.evaluate(ctx);
      ctx.dollar = Value::null();
      e.evaluate(ctx);
      arena.reset();
    }
  };
  try {
    StaticType dollar = StaticType::of(TypeKind::integer);
    run(Expression::compile(text, scope, &dollar));
  } catch (const Error&) {
  }
  try {
    run(Expression::compile_unary(text, scope, StaticType::of(TypeKind::integer)));
  } catch (const Error&) {
  }
  try {
    run(Expression::compile_unary(text, scope, StaticType::of(TypeKind::string, &kBenefits)));
  } catch (const Error&) {
  }
  return 0;
}
