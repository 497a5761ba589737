#include "proposal_writer.hpp"

#include <algorithm>
#include <charconv>

#include "aiguillage/core/version.hpp"
#include "review.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

namespace {

std::string quoted(std::string_view s) {
  return Value::string(s).to_json();
}

std::string label_json(std::string_view fr, std::string_view en) {
  std::string out;
  append_label(out, fr, en);
  return out;
}

void append_int(std::string& out, int n) {
  char buffer[16];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, n).ptr;
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

}  // namespace

void append_inputs(std::string& out, const JsonNames& names, const Value* frame) {
  out += '{';
  bool first = true;
  if (frame)
    for (std::size_t f = 0; f < names.input_keys.size(); ++f) {
      if (frame[f].is_null()) continue;
      if (!first) out += ',';
      first = false;
      out += names.input_keys[f];
      frame[f].append_json(out);
    }
  out += '}';
}

void append_outputs(std::string& out, const JsonNames& names, const Value* frame) {
  out += '{';
  for (std::size_t k = 0; k < names.outputs.size(); ++k) {
    if (k) out += ',';
    out += names.outputs[k].key;
    frame[static_cast<std::size_t>(names.outputs[k].slot)].append_json(out);
  }
  out += '}';
}

void collect_reasons(const Pack& p, const Value* frame, Status status,
                     std::vector<std::string_view>& out) {
  out.clear();
  auto add = [&](std::string_view code) {
    if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(code);
  };
  const int reasons = p.slot_of(orientation_outputs::review_reasons);
  if (reasons >= static_cast<int>(p.inputs().size())) {
    const Value& v = frame[static_cast<std::size_t>(reasons)];
    if (v.type() == Type::string) add(v.as_string());
    if (v.type() == Type::list)
      for (std::size_t k = 0; k < v.list_size(); ++k)
        if (v[k].type() == Type::string) add(v[k].as_string());
  }
  if (status == Status::incomplete) add(kMissingInformation);
}

void ProposalWriter::SlotText::append(std::string& out, const Value& v) const {
  if (v.type() == Type::string) {
    // The same bytes when the value is one of the pack's strings: its address says so.
    const std::string_view s = v.as_string();
    for (std::size_t k = 0; k < values.size(); ++k)
      if (values[k].data() == s.data() && values[k].size() == s.size()) {
        out += texts[k];
        return;
      }
  }
  out += key;
  v.append_json(out);
}

ProposalWriter::ProposalWriter(const Orienter& orienter, Date reference_date)
    : orienter_(orienter), date_(reference_date) {
  const Pack& p = orienter.pack();
  auto slot_text = [](const std::string& name, std::vector<std::string_view> values) {
    SlotText t;
    t.key = quoted(name) + ':';
    for (std::string_view v : values)
      if (std::none_of(t.values.begin(), t.values.end(), [&](std::string_view x) {
            return x.data() == v.data() && x.size() == v.size();
          })) {
        t.values.push_back(v);
        t.texts.push_back(t.key + quoted(v));
      }
    return t;
  };
  for (const FieldSpec& f : p.inputs().fields()) {
    std::vector<std::string_view> values;
    if (f.type == FieldType::enumeration) values.assign(f.values.begin(), f.values.end());
    inputs_.push_back(slot_text(f.name, std::move(values)));
  }
  for (const DecisionTable& d : p.decisions())
    for (std::size_t o = 0; o < d.outputs.size(); ++o) {
      std::vector<std::string_view> values;
      if (d.kind == DecisionTable::Kind::table)
        for (const Rule& rule : d.rules)
          if (o < rule.then.size() && rule.then[o].is_constant()) {
            const Value v = rule.then[o].constant_value();
            if (v.type() == Type::string) values.push_back(v.as_string());
          }
      outputs_.push_back(slot_text(d.outputs[o].name, std::move(values)));
      output_slots_.push_back(static_cast<std::size_t>(d.outputs[o].slot));
    }
  tail_ = ",\"pack\":{\"id\":" + quoted(p.id()) + ",\"version\":" + quoted(p.version()) +
          ",\"hash\":" + quoted(p.hash()) + "},\"engine\":" + quoted(engine_version()) + '}';

  // A question, as append_questions_json writes it, around its number of rules.
  for (std::size_t k = 0; k < p.inputs().size(); ++k) {
    const FieldSpec& f = p.inputs().field(k);
    quoted_inputs_.push_back(quoted(f.name));
    const std::vector<Question> one =
        build_questions(p, std::vector<MissingInput>{MissingInput{static_cast<int>(k), 0}});
    std::string text;
    append_questions_json(text, one);
    // [{"input":...,"rules":0,"values":[...]}]: the head runs from '{' to the number, the
    // tail from the number to '}' (strings are escaped, so the members' text is found as is).
    const std::string rules = ",\"rules\":0,";
    const std::size_t number = text.find(rules) + rules.size() - 2;
    question_head_.push_back(text.substr(1, number - 1));
    question_tail_.push_back(text.substr(number + 1, text.size() - number - 2));
  }

  // The codes the tables raise into the review reasons, and what each rule reads.
  const int slot = p.slot_of(orientation_outputs::review_reasons);
  for (const DecisionTable& d : p.decisions()) {
    review_outputs_.emplace_back();
    rules_.emplace_back();
    if (d.kind != DecisionTable::Kind::table) continue;
    for (std::size_t o = 0; o < d.outputs.size(); ++o)
      if (d.outputs[o].slot == slot) review_outputs_.back().push_back(o);
    for (const Rule& rule : d.rules) {
      RuleFacts facts;
      for (std::size_t o : review_outputs_.back()) {
        int index = -1;
        if (o < rule.then.size() && rule.then[o].is_constant()) {
          const Value v = rule.then[o].constant_value();
          if (v.type() == Type::string && v.as_string() != kMissingInformation) {
            index = code_index(v.as_string());
            if (index < 0) {
              Code c;
              c.text = std::string(v.as_string());
              c.head = "{\"reason\":" + quoted(c.text) + ",\"label\":";
              if (const Label* label = p.value_label(slot, c.text))
                c.label = label_json(label->fr, label->in("en"));
              c.words =
                  label_json(p.value_text(slot, c.text, "fr"), p.value_text(slot, c.text, "en"));
              codes_.push_back(std::move(c));
              index = static_cast<int>(codes_.size()) - 1;
            }
          }
        }
        facts.raises.push_back(index);
      }
      if (!rule.description.empty())
        facts.description = label_json(rule.description, rule.description);
      facts.cells = deciding_cells(p, d, rule);
      rules_.back().push_back(std::move(facts));
    }
  }
}

void ProposalWriter::append_inputs(std::string& out, const Value* frame) const {
  out += '{';
  bool first = true;
  if (frame)
    for (std::size_t f = 0; f < inputs_.size(); ++f) {
      if (frame[f].is_null()) continue;
      if (!first) out += ',';
      first = false;
      inputs_[f].append(out, frame[f]);
    }
  out += '}';
}

void ProposalWriter::append_outputs(std::string& out, const Value* frame) const {
  out += '{';
  for (std::size_t k = 0; k < outputs_.size(); ++k) {
    if (k) out += ',';
    outputs_[k].append(out, frame[output_slots_[k]]);
  }
  out += '}';
}

int ProposalWriter::code_index(std::string_view text) const {
  for (std::size_t k = 0; k < codes_.size(); ++k)
    if (codes_[k].text == text) return static_cast<int>(k);
  return -1;
}

void ProposalWriter::append_questions(std::string& out,
                                      std::span<const MissingInput> missing) const {
  out += '[';
  for (std::size_t k = 0; k < missing.size(); ++k) {
    if (k) out += ',';
    const auto f = static_cast<std::size_t>(missing[k].field);
    out += question_head_[f];
    append_int(out, missing[k].rules);
    out += question_tail_[f];
  }
  out += ']';
}

void ProposalWriter::append_rule_inputs(std::string& out, int c, const RowResult& r) {
  const Pack& p = orienter_.pack();
  const std::size_t tables = std::min(p.decisions().size(), r.decisions.size());
  const std::string* description = nullptr;
  fields_.clear();
  for (std::size_t k = 0; k < tables; ++k)
    for (std::size_t o = 0; o < review_outputs_[k].size(); ++o)
      for (int index : r.decisions[k].fired) {
        const RuleFacts& rule = rules_[k][static_cast<std::size_t>(index)];
        if (rule.raises[o] != c) continue;
        append_cell_inputs(p, rule.cells, r.frame, open_, all_, fields_);
        if (!description && !rule.description.empty()) description = &rule.description;
      }
  const Code& code = codes_[static_cast<std::size_t>(c)];
  out += code.head;
  out += !code.label.empty() ? code.label : description ? *description : code.words;
  out += ",\"inputs\":[";
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const int f = fields_[i];
    if (std::find(fields_.begin(), fields_.begin() + static_cast<std::ptrdiff_t>(i), f) !=
        fields_.begin() + static_cast<std::ptrdiff_t>(i))
      continue;
    if (out.back() != '[') out += ',';
    out += quoted_inputs_[static_cast<std::size_t>(f)];
  }
  out += "]}";
}

void ProposalWriter::append_review(std::string& out, const RowResult& r) {
  out += '[';
  for (std::size_t k = 0; k < reasons_.size(); ++k) {
    if (k) out += ',';
    const std::string_view code = reasons_[k];
    if (code == kMissingInformation) {
      out +=
          "{\"reason\":\"missing_information\",\"label\":{\"fr\":\"informations manquantes\","
          "\"en\":\"missing information\"},\"inputs\":[";
      for (std::size_t m = 0; m < r.missing.size(); ++m) {
        if (m) out += ',';
        out += quoted_inputs_[static_cast<std::size_t>(r.missing[m].field)];
      }
      out += "]}";
      continue;
    }
    const int c = code_index(code);
    if (c >= 0) {
      append_rule_inputs(out, c, r);
      continue;
    }
    // A code no table rule sets as a constant: the general path.
    const Pack& p = orienter_.pack();
    const std::vector<ReviewReason> one =
        build_review(p, r.frame, r.decisions, std::span<const std::string_view>(&reasons_[k], 1),
                     build_questions(p, r.missing));
    append_review_reason_json(out, one.front());
  }
  out += ']';
}

// proposal_to_json(propose(line, date, false), false), written straight from the row: the
// same members in the same order.
bool ProposalWriter::append(std::string& out, const RowResult& r) {
  const Pack& p = orienter_.pack();
  const bool evaluated = r.frame != nullptr;
  const bool error = r.status == Status::error || !r.errors.empty() || !evaluated;
  Date reference = date_;
  if (evaluated) {
    const Value& ref = r.frame[static_cast<std::size_t>(p.reference_date_field())];
    if (ref.type() == Type::date) reference = ref.as_date();
  }
  reasons_.clear();
  if (!error) collect_reasons(p, r.frame, r.status, reasons_);
  out += "{\"status\":\"";
  out += status_name(error ? Status::error : r.status);
  out += "\",\"evident\":";
  out += !error && r.status == Status::complete && reasons_.empty() ? "true" : "false";
  out += ",\"review_reasons\":[";
  for (std::size_t k = 0; k < reasons_.size(); ++k) {
    if (k) out += ',';
    Value::string(reasons_[k]).append_json(out);
  }
  out += "],\"review_details\":";
  if (error) {
    out += "[],\"questions\":[]";
  } else {
    append_review(out, r);
    out += ",\"questions\":";
    append_questions(out, r.missing);
  }
  out += ",\"reference_date\":";
  Value::date(reference).append_json(out);
  out += ",\"outputs\":";
  if (error)
    out += "{}";
  else
    append_outputs(out, r.frame);
  out += ",\"inputs\":";
  append_inputs(out, r.frame);
  out += ",\"fired\":";
  orienter_.evaluator().append_fired_json(out, r.decisions);
  out += ",\"errors\":";
  append_errors_json(out, r.errors);
  out += tail_;
  return error;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
