// Any bytes given as a record are validated into values or rejected with errors, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aiguillage/core/schema.hpp"

namespace {

aiguillage::InputSchema make_schema() {
  using namespace aiguillage;
  std::vector<FieldSpec> f(6);
  f[0].name = "age";
  f[0].type = FieldType::integer;
  f[0].min = Decimal::from_int(0);
  f[0].max = Decimal::from_int(130);
  f[1].name = "income";
  f[1].type = FieldType::decimal;
  f[2].name = "benefit";
  f[2].type = FieldType::enumeration;
  f[2].values = {"RSA", "ASS"};
  f[3].name = "customer.birth_date";
  f[3].type = FieldType::date;
  f[4].name = "tags";
  f[4].type = FieldType::list;
  f[4].item_type = FieldType::enumeration;
  f[4].values = {"x", "y"};
  f[4].max_items = 3;
  f[5].name = "name";
  f[5].type = FieldType::string;
  f[5].max_length = 8;
  f[5].required = true;
  return InputSchema(std::move(f));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const aiguillage::InputSchema schema = make_schema();
  aiguillage::Record record;
  schema.parse_record(std::string_view(reinterpret_cast<const char*>(data), size), record);
  schema.parse_record(std::string_view(reinterpret_cast<const char*>(data), size), record,
                      aiguillage::UnknownFields::ignore);
  // The plain reader and the general parser (forced by a byte-order mark) must agree.
  const std::string text(reinterpret_cast<const char*>(data), size);
  aiguillage::Record fast, general;
  auto e1 = schema.parse_record(text, fast);
  auto e2 = schema.parse_record("\xEF\xBB\xBF" + text, general);
  if (e1.size() != e2.size()) __builtin_trap();
  for (std::size_t k = 0; k < e1.size(); ++k)
    if (e1[k].code() != e2[k].code() || e1[k].pointer() != e2[k].pointer()) __builtin_trap();
  for (std::size_t f = 0; f < schema.size(); ++f)
    if (!(fast.values[f] == general.values[f])) __builtin_trap();
  return 0;
}
