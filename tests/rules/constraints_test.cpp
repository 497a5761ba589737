// Input constraints: the reference date among their inputs, one error per input they read,
// messages in French and English, the load errors of their format; and, over every shipped
// pack, that no record breaking one ever yields outputs, whatever the path.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/json_lines.hpp"
#include "support/pack_builder.hpp"
#include "support/shipped_packs.hpp"

using namespace aiguillage;

namespace {

std::string dated_pack(const std::string& constraints) {
  return R"({"schema":"aiguillage.ruleset","schema_version":"1.1","id":"t","version":"1",
  "valid_from":"2000-01-01","title":"t","sources":[{"id":"S","title":"s"}],
  "inputs":[{"name":"birth_date","type":"date"},{"name":"start","type":"date"},
            {"name":"end","type":"date"}],
  "constraints":)" +
         constraints + R"J(,
  "decisions":[{"id":"age","kind":"expression","expression":"years_between(birth_date, reference_date)",
    "output":{"name":"age","type":"integer"},"source":"S","status":"verified"}]})J";
}

const std::string kDated = dated_pack(R"([
  {"id":"born-before","expression":"birth_date <= reference_date",
   "message":{"fr":"naissance après la date de référence","en":"birth after the reference date"}},
  {"id":"start-end","expression":"start <= end","message":"la fin précède le début"}])");

Error load_error(const std::string& json) {
  try {
    Pack::load(json);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "the pack loaded";
  return Error(ErrorCode::ok, "");
}

std::vector<std::string> pointers(const std::vector<Error>& errors) {
  std::vector<std::string> out;
  for (const Error& e : errors) {
    EXPECT_EQ(e.code(), ErrorCode::input_constraint) << e.describe();
    out.push_back(e.pointer());
  }
  return out;
}

}  // namespace

TEST(ConstraintsTest, ReadTheReferenceDateAndPointAtEveryInputInvolved) {
  Pack pack = Pack::load(kDated);
  Evaluator ev(pack);
  Evaluation e;
  EvalOptions o;
  o.reference_date = Date::parse("2025-03-01");
  EXPECT_FALSE(ev.evaluate_json(R"({"birth_date":"2025-03-02"})", e, o));
  EXPECT_EQ(pointers(e.errors), (std::vector<std::string>{"/birth_date", "/reference_date"}));
  EXPECT_EQ(e.errors[0].message(),
            "naissance après la date de référence / birth after the reference date (born-before)");
  EXPECT_TRUE(std::none_of(e.decisions.begin(), e.decisions.end(),
                           [](const DecisionOutcome& d) { return d.evaluated; }));
  // Both broken: every pointer of each.
  EXPECT_FALSE(ev.evaluate_json(
      R"({"birth_date":"2030-01-01","start":"2024-05-02","end":"2024-05-01"})", e, o));
  EXPECT_EQ(pointers(e.errors),
            (std::vector<std::string>{"/birth_date", "/reference_date", "/start", "/end"}));
  EXPECT_EQ(e.errors[2].message(), "la fin précède le début (start-end)");  // 1.0 form: fr only
  // The reference date of the record, not only the caller's.
  EXPECT_FALSE(
      ev.evaluate_json(R"({"birth_date":"2020-01-01","reference_date":"2019-12-31"})", e, o));
  EXPECT_TRUE(ev.evaluate_json(R"({"birth_date":"2025-03-01","start":"2024-05-01"})", e, o));
  EXPECT_EQ(e.status, Status::complete);
  EXPECT_EQ(pack.constraints()[0].message.in("en"), "birth after the reference date");
  EXPECT_EQ(pack.constraints()[1].message.in("en"), "la fin précède le début");
}

TEST(ConstraintsTest, FormatErrorsNameTheirPointer) {
  Error e = load_error(dated_pack(
      R"([{"id":"c","expression":"birth_date <= reference_date","message":{"fr":"x"}}])"));
  EXPECT_EQ(e.code(), ErrorCode::required_missing);
  EXPECT_EQ(e.pointer(), "/constraints/0/message/en");
  e = load_error(dated_pack(
      R"([{"id":"c","expression":"birth_date <= reference_date","message":{"fr":"x","en":"y","de":"z"}}])"));
  EXPECT_EQ(e.code(), ErrorCode::unknown_field);
  e = load_error(dated_pack(R"([{"id":"c","expression":"1 < 2","message":"m"}])"));
  EXPECT_EQ(e.code(), ErrorCode::invalid_document);
  EXPECT_EQ(e.pointer(), "/constraints/0/expression");
  // Well-typed: a date is not a number, a constraint is a boolean.
  e = load_error(dated_pack(R"([{"id":"c","expression":"birth_date <= 3","message":"m"}])"));
  EXPECT_EQ(e.code(), ErrorCode::type_error);
  EXPECT_EQ(e.pointer().rfind("/constraints/0/expression", 0), 0u) << e.pointer();
  e = load_error(dated_pack(
      R"J([{"id":"c","expression":"years_between(birth_date, reference_date)","message":"m"}])J"));
  EXPECT_EQ(e.code(), ErrorCode::type_error);
  // Only inputs: a derived value does not exist yet when constraints run.
  e = load_error(dated_pack(R"([{"id":"c","expression":"age < 120","message":"m"}])"));
  EXPECT_EQ(e.code(), ErrorCode::unknown_name);
}

namespace {

// A random record for a pack: every input now and then missing, dates on both sides of the
// reference date (up to 120 years before, 3 after), integers inside their bounds.
std::string random_person(std::mt19937& rng, const Pack& pack, Date reference) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::string json = "{";
  for (const FieldSpec& f : pack.inputs().fields()) {
    if (f.name == kReferenceDate || pick(8) == 0) continue;
    std::string v;
    switch (f.type) {
      case FieldType::boolean:
        v = pick(2) ? "true" : "false";
        break;
      case FieldType::integer: {
        const std::int64_t lo = f.min ? f.min->units / Decimal::kOne : 0;
        const std::int64_t hi = f.max ? f.max->units / Decimal::kOne : 100;
        v = std::to_string(
            lo + static_cast<std::int64_t>(rng() % static_cast<unsigned>(std::min<std::int64_t>(
                                                       hi - lo + 1, pick(2) ? 400 : 30))));
        break;
      }
      case FieldType::date:
        v = test::quote(Date{reference.days - pick(120 * 366) + pick(3 * 366)}.to_string());
        break;
      case FieldType::enumeration:
        v = test::quote(
            f.values[static_cast<std::size_t>(pick(static_cast<int>(f.values.size())))]);
        break;
      default:
        v = test::quote(pick(2) ? "75" : "93");
        break;
    }
    json += (json.size() > 1 ? "," : "") + test::quote(f.name) + ":" + v;
  }
  return json + "}";
}

// The constraints a record breaks, from their expressions alone.
std::vector<const Constraint*> broken(const Pack& pack, const std::string& json, Date reference) {
  Record r;
  r.reset(pack.inputs().size());
  EXPECT_TRUE(pack.inputs().parse_record(json, r).empty()) << json;
  std::vector<Value> frame(pack.slot_count(), Value::null());
  std::copy(r.values.begin(), r.values.end(), frame.begin());
  frame[static_cast<std::size_t>(pack.reference_date_field())] = Value::date(reference);
  Arena arena;
  EvalContext ctx{frame.data(), Value::null(), &arena};
  std::vector<const Constraint*> out;
  for (const Constraint& c : pack.constraints()) {
    Value ok = c.expression.evaluate(ctx);
    if (ok.type() == Type::boolean && !ok.as_bool()) out.push_back(&c);
  }
  return out;
}

}  // namespace

// Property: over random records of every shipped pack, a record that breaks a constraint never
// yields outputs (per-record, JSON Lines by blocks, proposals one by one and in bulk), and
// carries one input_constraint error per input of each broken constraint; a record that breaks
// none has no such error.
TEST(ConstraintsTest, NoRecordBreakingAConstraintYieldsOutputs) {
  std::mt19937 rng(2025);
  const Date reference = *Date::parse("2025-06-15");
  std::size_t total_broken = 0;
  for (const test::ShippedPack& shipped : test::shipped_packs()) {
    const Pack& pack = shipped.pack;
    if (!pack.valid_at(reference)) continue;
    Orienter orienter(pack);
    Evaluator ev(pack);
    EvalOptions o;
    o.reference_date = reference;
    std::vector<std::string> lines;
    for (int k = 0; k < 600; ++k) lines.push_back(random_person(rng, pack, reference));
    std::vector<std::vector<const Constraint*>> expected;
    for (const std::string& line : lines) expected.push_back(broken(pack, line, reference));
    Evaluation e;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      SCOPED_TRACE(shipped.dir + ": " + lines[k]);
      const bool accepted = ev.evaluate_json(lines[k], e, o);
      std::vector<std::string> want;
      for (const Constraint* c : expected[k])
        for (int in : c->inputs) want.push_back("/" + json_pointer_token(pack.slot_name(in)));
      std::vector<std::string> got;
      for (const Error& err : e.errors)
        if (err.code() == ErrorCode::input_constraint) got.push_back(err.pointer());
      EXPECT_EQ(got, want);
      EXPECT_EQ(accepted, expected[k].empty());
      if (!expected[k].empty()) {
        ++total_broken;
        EXPECT_TRUE(std::none_of(e.decisions.begin(), e.decisions.end(),
                                 [](const DecisionOutcome& d) { return d.evaluated; }));
        Proposal p = orienter.propose(lines[k], reference);
        EXPECT_EQ(p.status, Status::error);
        EXPECT_EQ(p.outputs_json, "{}");
        EXPECT_FALSE(p.evident);
      }
    }
    std::vector<std::string_view> views(lines.begin(), lines.end());
    JsonLinesEvaluator batch(ev, o);
    batch.run(views, [&](const RowResult& r) {
      SCOPED_TRACE(shipped.dir + ": " + lines[r.row]);
      const bool constraint = std::any_of(r.errors.begin(), r.errors.end(), [](const Error& x) {
        return x.code() == ErrorCode::input_constraint;
      });
      EXPECT_EQ(constraint, !expected[r.row].empty());
      if (constraint) {
        EXPECT_TRUE(r.rejected);
        for (const DecisionOutcome& d : r.decisions) EXPECT_TRUE(d.fired.empty());
      }
    });
    BulkProposer bulk(orienter, reference);
    bulk.run(views, [&](std::size_t index, std::string_view text, bool rejected) {
      if (expected[index].empty()) return;
      EXPECT_TRUE(rejected) << text;
      EXPECT_NE(text.find("\"outputs\":{}"), std::string_view::npos) << text;
    });
  }
  EXPECT_GT(total_broken, 100u);  // the generator does reach the constraints
}

// Every shipped pack declares the constraints its dates imply: a birth date or a registration
// date after the reference date is refused.
TEST(ConstraintsTest, ShippedPacksRefuseDatesAfterTheReferenceDate) {
  for (const test::ShippedPack& shipped : test::shipped_packs()) {
    const Pack& pack = shipped.pack;
    for (const char* name : {"birth_date", "registration_date"}) {
      const int field = pack.inputs().index_of(name);
      if (field < 0) continue;
      SCOPED_TRACE(shipped.dir + " " + name);
      const bool declared = std::any_of(
          pack.constraints().begin(), pack.constraints().end(), [&](const Constraint& c) {
            return std::find(c.inputs.begin(), c.inputs.end(), field) != c.inputs.end() &&
                   std::find(c.inputs.begin(), c.inputs.end(), pack.reference_date_field()) !=
                       c.inputs.end();
          });
      EXPECT_TRUE(declared);
      Evaluator ev(pack);
      Evaluation e;
      EvalOptions o;
      o.reference_date = Date::parse("2025-06-15");
      std::string json = std::string("{\"") + name + "\":\"2025-06-16\"}";
      EXPECT_FALSE(ev.evaluate_json(json, e, o));
      EXPECT_TRUE(std::any_of(e.errors.begin(), e.errors.end(), [&](const Error& x) {
        return x.code() == ErrorCode::input_constraint && x.pointer() == std::string("/") + name;
      }));
      for (const Constraint& c : pack.constraints()) {
        EXPECT_FALSE(c.message.fr.empty()) << c.id;
        EXPECT_FALSE(c.message.en.empty()) << c.id;
      }
    }
  }
}
