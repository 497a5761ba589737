#include "aiguillage/rules/expression.hpp"

#include <utility>

#include "rules/expression_impl.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

std::string_view kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::any:
      return "any";
    case TypeKind::null:
      return "null";
    case TypeKind::boolean:
      return "bool";
    case TypeKind::integer:
      return "integer";
    case TypeKind::decimal:
      return "decimal";
    case TypeKind::string:
      return "string";
    case TypeKind::date:
      return "date";
    case TypeKind::list:
      return "list";
    case TypeKind::object:
      return "object";
  }
  return "any";
}

// A default-constructed or moved-from expression: the constant null.
const std::shared_ptr<const Expression::Impl>& empty_impl() {
  static const std::shared_ptr<const Expression::Impl> empty = [] {
    auto impl = std::make_shared<Expression::Impl>();
    impl->nodes.emplace_back();
    impl->constant = true;
    return std::shared_ptr<const Expression::Impl>(std::move(impl));
  }();
  return empty;
}

}  // namespace

std::string StaticType::to_string() const {
  if (kind == TypeKind::list) {
    std::string out = "list<";
    out += domain ? std::string_view("enum") : kind_name(item);
    return out + ">";
  }
  if (kind == TypeKind::string && domain) return "enum";
  return std::string(kind_name(kind));
}

Expression::Expression() : impl_(empty_impl()) {}
Expression::~Expression() = default;
Expression::Expression(const Expression&) = default;
Expression& Expression::operator=(const Expression&) = default;
Expression::Expression(Expression&& other) noexcept
    : impl_(std::exchange(other.impl_, empty_impl())) {}
Expression& Expression::operator=(Expression&& other) noexcept {
  if (this != &other) impl_ = std::exchange(other.impl_, empty_impl());
  return *this;
}

Expression Expression::compile(std::string_view text, const Scope& scope, const StaticType* dollar,
                               const Limits& limits) {
  Expression e;
  e.impl_ = detail::build_expression(text, scope, dollar, limits);
  return e;
}

Expression Expression::compile_unary(std::string_view text, const Scope& scope,
                                     const StaticType& dollar, const Limits& limits) {
  Expression e;
  e.impl_ = detail::build_unary_test(text, scope, dollar, limits);
  return e;
}

const std::string& Expression::text() const {
  return impl_->text;
}
StaticType Expression::type() const {
  return impl_->type;
}
bool Expression::is_constant() const {
  return impl_->constant;
}
Value Expression::constant_value() const {
  return impl_->constant_value;
}
bool Expression::uses_dollar() const {
  return impl_->uses_dollar;
}
const std::vector<int>& Expression::slots() const {
  return impl_->slots;
}
const std::optional<UnaryStructure>& Expression::structure() const {
  return impl_->structure;
}
int Expression::single_slot() const {
  return impl_->single_slot;
}

Value Expression::evaluate(const EvalContext& ctx) const {
  if (impl_->constant) return impl_->constant_value;
  return impl_->eval(impl_->root, ctx, Value::null());
}

}  // namespace v1
}  // namespace aiguillage
