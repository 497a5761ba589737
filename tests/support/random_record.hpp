// Random records for any schema, for tests that compare evaluation paths.
#pragma once

#include <algorithm>
#include <random>
#include <string>

#include "aiguillage/core/schema.hpp"
#include "support/pack_builder.hpp"

namespace aiguillage::test {

// A random record for any schema: each field missing now and then, values drawn within the
// field's domain and around its bounds, dates around the reference date.
inline std::string random_record(std::mt19937& rng, const InputSchema& schema, Date reference) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::string json = "{";
  for (const FieldSpec& f : schema.fields()) {
    if (f.name == "reference_date" || (!f.required && pick(6) == 0)) continue;
    std::string v;
    switch (f.type) {
      case FieldType::boolean:
        v = pick(2) ? "true" : "false";
        break;
      case FieldType::integer: {
        const std::int64_t lo = f.min ? f.min->units / Decimal::kOne : -5;
        const std::int64_t hi = f.max ? f.max->units / Decimal::kOne : 60;
        v = std::to_string(
            lo + static_cast<std::int64_t>(
                     rng() % static_cast<unsigned>(std::min<std::int64_t>(hi - lo + 1, 100))));
        break;
      }
      case FieldType::decimal:
        v = std::to_string(pick(40)) + "." + std::to_string(pick(10));
        break;
      case FieldType::date:
        v = quote(Date{reference.days - pick(40 * 365)}.to_string());
        break;
      case FieldType::enumeration:
        v = quote(f.values[static_cast<std::size_t>(pick(static_cast<int>(f.values.size())))]);
        break;
      case FieldType::list: {
        v = "[";
        for (const std::string& item : f.values)
          if (pick(3) == 0) v += (v.size() > 1 ? "," : "") + quote(item);
        v += "]";
        break;
      }
      default: {
        const char* strings[] = {"75", "93", "59", "13", "x"};
        v = quote(strings[pick(5)]);
        break;
      }
    }
    json += (json.size() > 1 ? "," : "") + quote(f.name) + ":" + v;
  }
  return json + "}";
}

}  // namespace aiguillage::test
