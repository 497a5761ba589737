// Every review names what would settle it: over every enum input of every shipped pack and the
// inputs of every test case of that pack, a value that means "to be asked" (the input's
// ask_values) or a missing value gives a question for that input, with its label and the
// answers allowed as labels, and the review reasons carry the inputs concerned. The notice and
// the explanation show those questions.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/explain.hpp"
#include "support/shipped_packs.hpp"

using namespace aiguillage;
using nlohmann::json;

namespace {

const Question* question_for(const Proposal& p, const std::string& input) {
  for (const Question& q : p.questions)
    if (q.input == input) return &q;
  return nullptr;
}

bool reason_names(const Proposal& p, const std::string& code, const std::string& input) {
  for (const ReviewReason& r : p.review_details)
    if (r.code == code) return std::find(r.inputs.begin(), r.inputs.end(), input) != r.inputs.end();
  return false;
}

bool is_used(const Pack& pack, int field) {
  const auto unused = pack.unused_inputs();
  return std::find(unused.begin(), unused.end(), field) == unused.end();
}

// The question for an enum input lists every value but the ask values, each by its labels.
void expect_answers(const Pack& pack, int field, const Question& q) {
  const FieldSpec& f = pack.inputs().field(static_cast<std::size_t>(field));
  EXPECT_EQ(q.label_fr, f.label_fr.empty() ? f.name : f.label_fr);
  EXPECT_EQ(q.label_en, f.label_en.empty() ? f.name : f.label_en);
  std::vector<std::string> want;
  for (const std::string& v : f.values)
    if (!pack.is_ask_value(field, Value::string(v))) want.push_back(v);
  ASSERT_EQ(q.values.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(q.values[k].value, want[k]);
    ASSERT_NE(pack.value_label(field, want[k]), nullptr) << want[k];
    EXPECT_EQ(q.values[k].label_fr, pack.value_label(field, want[k])->fr);
    EXPECT_EQ(q.values[k].label_en, pack.value_label(field, want[k])->en);
  }
}

// Whether the decisions that fired a pack's review reason read `field` with a deciding cell.
std::vector<std::string> pack_reasons_reading(const Pack& pack, const Proposal& p, int field) {
  std::vector<std::string> out;
  const int slot = pack.slot_of(orientation_outputs::review_reasons);
  for (std::size_t k = 0; k < pack.decisions().size(); ++k) {
    const Decision& d = pack.decisions()[k];
    if (d.kind != Decision::Kind::table) continue;
    for (std::size_t o = 0; o < d.outputs.size(); ++o) {
      if (d.outputs[o].slot != slot) continue;
      for (int r : p.evaluation.decisions[k].fired) {
        const Rule& rule = d.rules[static_cast<std::size_t>(r)];
        if (!rule.then[o].is_constant()) continue;
        for (std::size_t c = 0; c < rule.when_text.size(); ++c) {
          if (rule.when_text[c].empty() || rule.when_text[c] == "-") continue;
          for (int s : d.inputs[c].expr.slots()) {
            const auto& in = pack.slot_inputs(s);
            if (std::find(in.begin(), in.end(), field) != in.end())
              out.push_back(std::string(rule.then[o].constant_value().as_string()));
          }
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST(QuestionsSweepTest, EveryAskValueAndEveryMissingEnumNamesItsQuestion) {
  std::size_t asked = 0, missing = 0;
  for (const test::ShippedPack& shipped : test::shipped_packs()) {
    const Pack& pack = shipped.pack;
    Orienter orienter(pack);
    for (std::size_t f = 0; f < pack.inputs().size(); ++f) {
      const FieldSpec& spec = pack.inputs().field(f);
      const int field = static_cast<int>(f);
      if (spec.type != FieldType::enumeration) continue;
      // A value that reads "unknown" must be declared as one to ask: the design is general.
      if (std::find(spec.values.begin(), spec.values.end(), "unknown") != spec.values.end()) {
        EXPECT_TRUE(pack.is_ask_value(field, Value::string("unknown")))
            << shipped.dir << " " << spec.name;
      }
      if (!is_used(pack, field)) continue;
      for (const test::ShippedCase& c : shipped.cases) {
        json base = json::parse(c.input);
        if (!orienter.propose(c.input, c.reference).errors.empty()) continue;
        SCOPED_TRACE(shipped.dir + " " + c.file + ":" + c.name + " " + spec.name);
        for (const std::string& value : pack.ask_values(field)) {
          json person = base;
          person[spec.name] = value;
          Proposal p = orienter.propose(person.dump(), c.reference);
          ASSERT_TRUE(p.errors.empty());
          ++asked;
          EXPECT_FALSE(p.evident);
          EXPECT_EQ(p.status, Status::incomplete);
          const Question* q = question_for(p, spec.name);
          ASSERT_NE(q, nullptr) << proposal_to_json(p, false);
          EXPECT_GE(q->rules, 1);
          expect_answers(pack, field, *q);
          EXPECT_TRUE(reason_names(p, "missing_information", spec.name));
          for (const std::string& code : pack_reasons_reading(pack, p, field))
            EXPECT_TRUE(reason_names(p, code, spec.name)) << code;
        }
        json person = base;
        person.erase(spec.name);
        Proposal p = orienter.propose(person.dump(), c.reference);
        ASSERT_TRUE(p.errors.empty());
        if (const Question* q = question_for(p, spec.name)) {
          ++missing;
          expect_answers(pack, field, *q);
          EXPECT_TRUE(reason_names(p, "missing_information", spec.name));
        }
        // Any review for want of information names every input concerned, each missing or to
        // be asked, and only those.
        if (p.status == Status::incomplete) {
          ASSERT_FALSE(p.questions.empty());
          std::vector<std::string> names;
          for (const Question& each : p.questions) {
            const Value& v =
                p.evaluation.frame[static_cast<std::size_t>(pack.inputs().index_of(each.input))];
            EXPECT_TRUE(v.is_null() || pack.is_ask_value(pack.inputs().index_of(each.input), v))
                << each.input;
            names.push_back(each.input);
          }
          for (const ReviewReason& r : p.review_details)
            if (r.code == "missing_information") {
              EXPECT_EQ(r.inputs, names);
            }
        }
      }
    }
  }
  EXPECT_GT(asked, 100u);
  EXPECT_GT(missing, 100u);
}

TEST(QuestionsSweepTest, NoticeAndExplanationShowTheQuestions) {
  for (const test::ShippedPack& shipped : test::shipped_packs()) {
    const Pack& pack = shipped.pack;
    Orienter orienter(pack);
    for (std::size_t f = 0; f < pack.inputs().size(); ++f) {
      const int field = static_cast<int>(f);
      if (pack.ask_values(field).empty() || shipped.cases.empty()) continue;
      const FieldSpec& spec = pack.inputs().field(f);
      json person = json::parse(shipped.cases.front().input);
      person[spec.name] = pack.ask_values(field).front();
      Proposal p = orienter.propose(person.dump(), shipped.cases.front().reference);
      ASSERT_TRUE(p.errors.empty());
      SCOPED_TRACE(shipped.dir + " " + spec.name);
      const std::string first_answer = pack.value_label(field, p.questions.empty() ? "" : [&] {
        for (const std::string& v : spec.values)
          if (!pack.is_ask_value(field, Value::string(v))) return v;
        return std::string();
      }())->fr;
      for (const char* lang : {"fr", "en"}) {
        const bool en = std::string(lang) == "en";
        const std::string notice = notice_text(pack, p, nullptr, lang);
        const std::string label = en ? spec.label_en : spec.label_fr;
        const std::string heading = en ? "Information to collect:" : "Informations à recueillir :";
        const auto at = notice.find(heading);
        ASSERT_NE(at, std::string::npos) << notice;
        EXPECT_NE(notice.find(label, at), std::string::npos) << notice;
        const std::string answer =
            en ? pack.value_label(field,
                                  [&] {
                                    for (const std::string& v : spec.values)
                                      if (!pack.is_ask_value(field, Value::string(v))) return v;
                                    return std::string();
                                  }())
                     ->en
               : first_answer;
        EXPECT_NE(notice.find(answer, at), std::string::npos) << notice;
        const std::string text = explain_text(pack, p.evaluation, lang);
        const auto q = text.find(en ? "Questions to ask:" : "Questions à poser :");
        ASSERT_NE(q, std::string::npos) << text;
        EXPECT_NE(text.find(label, q), std::string::npos) << text;
        EXPECT_NE(text.find(answer, q), std::string::npos) << text;
      }
    }
  }
}
