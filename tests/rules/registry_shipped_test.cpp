// The registry over the shipped packs picks the version valid on the reference date: the IAE
// criteria of the arrêté of 1 September 2021 until 6 September 2025 (valid_to inclusive), those
// of the arrêté of 4 September 2025 from the 7th.
#include <gtest/gtest.h>

#include <string>

#include "aiguillage/rules/registry.hpp"

namespace aiguillage {
namespace {

const std::string kSourceDir = AIG_SOURCE_DIR;

ErrorCode select_code(const Registry& r, std::string_view id, const char* date) {
  try {
    r.select(id, *Date::parse(date));
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

TEST(ShippedRegistry, IaeVersionByDate) {
  Registry r;
  EXPECT_GE(r.load_dir(kSourceDir + "/rules"), 5u);
  EXPECT_EQ(r.select("fr/iae-eligibility", *Date::parse("2021-12-01")).version(), "2025.1.1");
  EXPECT_EQ(r.select("fr/iae-eligibility", *Date::parse("2025-09-06")).version(), "2025.1.1");
  EXPECT_EQ(r.select("fr/iae-eligibility", *Date::parse("2025-09-07")).version(), "2025.2.0");
  EXPECT_EQ(r.select("fr/iae-eligibility", *Date::parse("2030-01-01")).version(), "2025.2.0");
  EXPECT_EQ(select_code(r, "fr/iae-eligibility", "2021-11-30"), ErrorCode::no_valid_version);
}

TEST(ShippedRegistry, EveryShippedPackHasOneVersionPerDay) {
  Registry r;
  r.load_dir(kSourceDir + "/rules");
  for (const char* id : {"fr/orientation", "fr/iae-eligibility", "fr/sanctions"})
    for (const char* date : {"2025-06-01", "2025-09-06", "2025-09-07", "2026-01-01"})
      EXPECT_EQ(select_code(r, id, date), ErrorCode::ok) << id << " " << date;
  EXPECT_EQ(select_code(r, "fr/sanctions", "2025-05-31"), ErrorCode::no_valid_version);
  EXPECT_TRUE(r.select("fr/sanctions", *Date::parse("2025-06-01")).human_decision_required());
}

}  // namespace
}  // namespace aiguillage
