#include "review.hpp"

#include <algorithm>

namespace aiguillage {
inline namespace v1 {
namespace detail {

namespace {

void append_string(std::string& out, std::string_view s) {
  Value::string(s).append_json(out);
}

const std::string& label_or_name(const FieldSpec& f, const std::string& label) {
  return label.empty() ? f.name : label;
}

}  // namespace

std::vector<std::vector<int>> deciding_cells(const Pack& pack, const DecisionTable& d,
                                             const Rule& rule) {
  std::vector<std::vector<int>> cells;
  for (std::size_t c = 0; c < rule.when_text.size() && c < d.inputs.size(); ++c) {
    const std::string& cell = rule.when_text[c];
    if (cell.empty() || cell == "-") continue;
    std::vector<int>& read = cells.emplace_back();
    for (int s : d.inputs[c].expr.slots())
      for (int f : pack.slot_inputs(s)) read.push_back(f);
  }
  return cells;
}

void append_cell_inputs(const Pack& pack, const std::vector<std::vector<int>>& cells,
                        const Value* frame, std::vector<int>& open, std::vector<int>& all,
                        std::vector<int>& out) {
  open.clear();
  all.clear();
  for (const std::vector<int>& read : cells) {
    bool any_open = false;
    for (int f : read)
      if (frame[f].is_null() || pack.is_ask_value(f, frame[f])) {
        open.push_back(f);
        any_open = true;
      }
    if (!any_open) all.insert(all.end(), read.begin(), read.end());
  }
  out.insert(out.end(), open.begin(), open.end());
  out.insert(out.end(), all.begin(), all.end());
}

void append_label(std::string& out, std::string_view fr, std::string_view en) {
  out += "{\"fr\":";
  append_string(out, fr);
  out += ",\"en\":";
  append_string(out, en);
  out += '}';
}

std::vector<Question> build_questions(const Pack& pack, std::span<const MissingInput> missing) {
  std::vector<Question> out;
  out.reserve(missing.size());
  for (const MissingInput& m : missing) {
    const FieldSpec& f = pack.inputs().field(static_cast<std::size_t>(m.field));
    Question q{f.name, label_or_name(f, f.label_fr), label_or_name(f, f.label_en), m.rules, {}};
    if (f.type == FieldType::enumeration)
      for (const std::string& v : f.values) {
        if (pack.is_ask_value(m.field, Value::string(v))) continue;
        q.values.push_back(
            QuestionValue{v, pack.value_text(m.field, v, "fr"), pack.value_text(m.field, v, "en")});
      }
    out.push_back(std::move(q));
  }
  return out;
}

std::vector<ReviewReason> build_review(const Pack& pack, const Value* frame,
                                       std::span<const DecisionOutcome> decisions,
                                       std::span<const std::string_view> codes,
                                       const std::vector<Question>& questions) {
  std::vector<ReviewReason> out;
  const int slot = pack.slot_of(orientation_outputs::review_reasons);
  for (std::string_view code : codes) {
    ReviewReason r;
    r.code = std::string(code);
    if (code == kMissingInformation) {
      r.label_fr = "informations manquantes";
      r.label_en = "missing information";
      for (const Question& q : questions) r.inputs.push_back(q.input);
      out.push_back(std::move(r));
      continue;
    }
    // The pack's label of the code; without one (a 1.0 pack), the description of the rule
    // that raised it; else the code in words.
    const Label* label = pack.value_label(slot, code);
    std::string description;
    std::vector<int> fields, open_inputs, all_inputs;
    for (std::size_t k = 0; k < pack.decisions().size() && k < decisions.size(); ++k) {
      const Decision& d = pack.decisions()[k];
      for (std::size_t o = 0; o < d.outputs.size(); ++o) {
        if (d.outputs[o].slot != slot || d.kind != Decision::Kind::table) continue;
        for (int index : decisions[k].fired) {
          const Rule& rule = d.rules[static_cast<std::size_t>(index)];
          if (o >= rule.then.size() || !rule.then[o].is_constant()) continue;
          const Value v = rule.then[o].constant_value();
          if (v.type() != Type::string || v.as_string() != code) continue;
          append_cell_inputs(pack, deciding_cells(pack, d, rule), frame, open_inputs, all_inputs,
                             fields);
          if (description.empty()) description = rule.description;
        }
      }
    }
    r.label_fr = label                  ? label->fr
                 : !description.empty() ? description
                                        : pack.value_text(slot, code, "fr");
    r.label_en = label                  ? label->in("en")
                 : !description.empty() ? description
                                        : pack.value_text(slot, code, "en");
    // Each input once, the ones to ask first (as rule_inputs gave them).
    for (int f : fields) {
      const std::string& name = pack.inputs().field(static_cast<std::size_t>(f)).name;
      if (std::find(r.inputs.begin(), r.inputs.end(), name) == r.inputs.end())
        r.inputs.push_back(name);
    }
    out.push_back(std::move(r));
  }
  return out;
}

void append_review_reason_json(std::string& out, const ReviewReason& r) {
  out += "{\"reason\":";
  append_string(out, r.code);
  out += ",\"label\":";
  append_label(out, r.label_fr, r.label_en);
  out += ",\"inputs\":[";
  for (std::size_t i = 0; i < r.inputs.size(); ++i) {
    if (i) out += ',';
    append_string(out, r.inputs[i]);
  }
  out += "]}";
}

void append_review_json(std::string& out, const std::vector<ReviewReason>& reasons) {
  out += '[';
  for (std::size_t k = 0; k < reasons.size(); ++k) {
    if (k) out += ',';
    append_review_reason_json(out, reasons[k]);
  }
  out += ']';
}

void append_questions_json(std::string& out, const std::vector<Question>& questions) {
  out += '[';
  for (std::size_t k = 0; k < questions.size(); ++k) {
    const Question& q = questions[k];
    if (k) out += ',';
    out += "{\"input\":";
    append_string(out, q.input);
    out += ",\"label\":";
    append_label(out, q.label_fr, q.label_en);
    out += ",\"rules\":";
    out += std::to_string(q.rules);
    out += ",\"values\":[";
    for (std::size_t i = 0; i < q.values.size(); ++i) {
      if (i) out += ',';
      out += "{\"value\":";
      append_string(out, q.values[i].value);
      out += ",\"label\":";
      append_label(out, q.values[i].label_fr, q.values[i].label_en);
      out += '}';
    }
    out += "]}";
  }
  out += ']';
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
