#include "aiguillage/rules/pack.hpp"

#include <gtest/gtest.h>

#include "aiguillage/rules/registry.hpp"
#include "support/pack_builder.hpp"

namespace aiguillage {
namespace {

using test::pack_json;
using test::table_json;
using test::TableSpec;

const std::string kAge = R"({"name":"age","type":"integer","min":0,"max":130})";
const std::string kBenefit = R"({"name":"benefit","type":"enum","values":["RSA","ASS"]})";

TableSpec simple() {
  TableSpec t;
  t.columns = {"age", "benefit"};
  t.outputs = {{"x", "integer"}};
  t.rules = {{{"< 26", "\"RSA\""}, {"1"}}, {{"-", "-"}, {"2"}}};
  return t;
}

Error load_error(const std::string& json) {
  try {
    Pack::load(json);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a load error";
  return Error(ErrorCode::ok, "");
}

TEST(PackTest, LoadsMetadataAndSlots) {
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(simple())}));
  EXPECT_EQ(p.id(), "test/pack");
  EXPECT_EQ(p.version(), "1.0.0");
  EXPECT_EQ(p.valid_from().to_string(), "2000-01-01");
  EXPECT_FALSE(p.valid_to().has_value());
  EXPECT_EQ(p.inputs().size(), 3u);  // reference_date appended
  EXPECT_EQ(p.inputs().field(2).name, "reference_date");
  EXPECT_EQ(p.slot_of("x"), 3);
  EXPECT_EQ(p.hash().rfind("sha256:", 0), 0u);
  EXPECT_EQ(p.hash().size(), 7u + 64u);
}

TEST(PackTest, HashIgnoresKeyOrderAndWhitespace) {
  std::string a = pack_json({kAge, kBenefit}, {table_json(simple())});
  std::string b = R"({ "decisions": )" + std::string("[") + table_json(simple()) + R"(],
    "variables": [], "inputs": [ {"type":"integer","max":130,"min":0,"name":"age"},
      {"values":["RSA","ASS"],"name":"benefit","type":"enum"} ],
    "sources": [{"title":"Test source","id":"S"}], "purpose":"Tests", "title":"Test",
    "valid_from":"2000-01-01", "version":"1.0.0", "id":"test/pack",
    "schema_version":"1.0", "schema":"aiguillage.ruleset" })";
  EXPECT_EQ(Pack::load(a).hash(), Pack::load(b).hash());
  TableSpec changed = simple();
  changed.rules[0].first[0] = "< 27";
  EXPECT_NE(Pack::load(a).hash(),
            Pack::load(pack_json({kAge, kBenefit}, {table_json(changed)})).hash());
}

TEST(PackTest, ErrorsCarryCodePointerAndColumn) {
  TableSpec t = simple();
  t.rules[1].first[1] = "\"RSAA\"";
  Error e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::type_error);
  EXPECT_EQ(e.pointer(), "/decisions/0/rules/1/when/1");
  EXPECT_EQ(e.column(), 1);

  t = simple();
  t.rules[0].first[0] = "< \"x\"";
  e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::type_error);
  EXPECT_EQ(e.pointer(), "/decisions/0/rules/0/when/0");

  t = simple();
  t.rules[0].first[0] = "[1..";
  e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::syntax);
  EXPECT_GT(e.column(), 0);

  t = simple();
  t.columns[0] = "agee";
  e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::unknown_name);
  EXPECT_EQ(e.pointer(), "/decisions/0/inputs/0/expression");

  t = simple();
  t.rules[0].first.pop_back();
  e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::cell_count);
  EXPECT_EQ(e.pointer(), "/decisions/0/rules/0/when");

  t = simple();
  t.hit_policy = "SOMETIMES";
  e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::bad_hit_policy);
  EXPECT_EQ(e.pointer(), "/decisions/0/hit_policy");

  t = simple();
  t.rules[0].second[0] = "\"one\"";
  e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::type_error);
  EXPECT_EQ(e.pointer(), "/decisions/0/rules/0/then/0");
}

TEST(PackTest, DocumentErrors) {
  std::string good = pack_json({kAge, kBenefit}, {table_json(simple())});
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_EQ(load_error("{").code(), ErrorCode::json_syntax);
  EXPECT_EQ(load_error(replace("aiguillage.ruleset", "other")).code(), ErrorCode::schema_mismatch);
  EXPECT_EQ(load_error(replace("\"1.0\"", "\"2.0\"")).code(), ErrorCode::schema_version_too_new);
  EXPECT_EQ(load_error(replace("\"1.0\"", "\"0.9\"")).code(), ErrorCode::schema_version_too_old);
  // A newer minor version may add optional fields: they are read past.
  EXPECT_NO_THROW(
      Pack::load(replace("\"schema_version\":\"1.0\"", "\"schema_version\":\"1.3\",\"future\":1")));
  Error e = load_error(replace("\"title\"", "\"titel\":\"x\",\"title\""));
  EXPECT_EQ(e.code(), ErrorCode::unknown_field);
  EXPECT_EQ(e.pointer(), "/titel");
  e = load_error(replace("\"source\":\"S\"", "\"source\":\"T\""));
  EXPECT_EQ(e.code(), ErrorCode::unknown_source);
  EXPECT_EQ(e.pointer(), "/decisions/0/rules/0/source");
  e = load_error(replace("\"status\":\"verified\"", "\"status\":\"maybe\""));
  EXPECT_EQ(e.code(), ErrorCode::invalid_document);
  e = load_error(replace("\"type\":\"integer\",\"min\"", "\"type\":\"integr\",\"min\""));
  EXPECT_EQ(e.code(), ErrorCode::invalid_document);
  EXPECT_EQ(e.pointer(), "/inputs/0/type");
  e = load_error(pack_json({kAge, kAge}, {table_json(simple())}));
  EXPECT_EQ(e.code(), ErrorCode::duplicate_name);
  EXPECT_EQ(e.pointer(), "/inputs/1/name");
}

TEST(PackTest, CyclesAreNamed) {
  TableSpec a;
  a.id = "a";
  a.columns = {"y"};
  a.outputs = {{"x", "integer"}};
  a.rules = {{{"-"}, {"1"}}};
  Error e =
      load_error(pack_json({kAge}, {table_json(a)}, R"([{"name":"y","expression":"x + age"}])"));
  EXPECT_EQ(e.code(), ErrorCode::cycle);
  EXPECT_NE(e.message().find("variable y"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("decision a"), std::string::npos) << e.message();
  e = load_error(pack_json({kAge}, {}, R"([{"name":"y","expression":"y + 1"}])"));
  EXPECT_EQ(e.code(), ErrorCode::cycle);
}

TEST(PackTest, LimitsAreErrorsNotCrashes) {
  TableSpec t = simple();
  t.rules[0].first[0] = std::string(5000, '(') + "1" + std::string(5000, ')');
  Error e = load_error(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(e.code(), ErrorCode::limit_exceeded);
  PackLimits small;
  small.max_rules = 1;
  try {
    Pack::load(pack_json({kAge, kBenefit}, {table_json(simple())}), small);
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::limit_exceeded);
  }
  small = PackLimits{};
  small.max_bytes = 10;
  EXPECT_THROW(Pack::load(pack_json({kAge, kBenefit}, {table_json(simple())}), small), Error);
}

TEST(PackTest, UnusedInputsAreListed) {
  Pack p = Pack::load(
      pack_json({kAge, kBenefit, R"({"name":"spare","type":"bool"})"}, {table_json(simple())}));
  ASSERT_EQ(p.unused_inputs().size(), 1u);
  EXPECT_EQ(p.inputs().field(static_cast<std::size_t>(p.unused_inputs()[0])).name, "spare");
}

TEST(RegistryTest, PicksTheVersionValidAtTheReferenceDate) {
  auto version = [&](const std::string& v, const std::string& from, const std::string& to) {
    std::string s = pack_json({kAge, kBenefit}, {table_json(simple())}, "[]",
                              to.empty() ? "" : "\"valid_to\":\"" + to + "\",");
    s.replace(s.find("\"1.0.0\""), 7, "\"" + v + "\"");
    s.replace(s.find("\"2000-01-01\""), 12, "\"" + from + "\"");
    return Pack::load(s);
  };
  Registry r;
  r.add(version("1.0.0", "2024-01-01", "2024-12-31"));
  r.add(version("2.0.0", "2025-01-01", ""));
  EXPECT_EQ(r.select("test/pack", *Date::parse("2024-06-01")).version(), "1.0.0");
  EXPECT_EQ(r.select("test/pack", *Date::parse("2024-12-31")).version(), "1.0.0");
  EXPECT_EQ(r.select("test/pack", *Date::parse("2025-01-01")).version(), "2.0.0");
  try {
    r.select("test/pack", *Date::parse("2023-01-01"));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::no_valid_version);
  }
  r.add(version("2.1.0", "2025-06-01", ""));
  try {
    r.select("test/pack", *Date::parse("2025-07-01"));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ambiguous_version);
  }
  EXPECT_THROW(r.add(version("2.1.0", "2026-01-01", "")), Error);
  EXPECT_NE(r.find_hash(r.packs()[0].hash()), nullptr);
}

}  // namespace
}  // namespace aiguillage
