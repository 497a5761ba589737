// The proposal line of a bulk run, written from a row's result with the pack's fragments
// (questions, review reasons with their labels, the inputs each rule reads) worked out once:
// writing a proposal is then appending ready-made text and a few numbers, without building
// Question and ReviewReason values. The text is the one proposal_to_json writes for the same
// person (tests/orientation/bulk_proposer_test.cpp compares them line by line).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/orientation/orientation.hpp"
#include "rules/json_names.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

// The validated inputs used, {"name": value}, in schema order; missing ones left out.
void append_inputs(std::string& out, const JsonNames& names, const Value* frame);
// Every output, in pack order.
void append_outputs(std::string& out, const JsonNames& names, const Value* frame);
// The review reasons of an evaluated person: the pack's codes, then missing information when
// questions remain; each once, in order of first appearance.
void collect_reasons(const Pack& p, const Value* frame, Status status,
                     std::vector<std::string_view>& out);

class ProposalWriter {
 public:
  ProposalWriter(const Orienter& orienter, Date reference_date);
  // Appends the proposal of `r` to `out`; returns whether it has errors.
  bool append(std::string& out, const RowResult& r);

 private:
  // A review reason code the pack may raise.
  struct Code {
    std::string text;
    std::string head;   // {"reason":"code","label":
    std::string label;  // the pack's label of the code, {"fr":..,"en":..}; empty: none
    std::string words;  // the code in words (Pack::value_text), when neither label nor rule says
  };
  // A rule of a table: the codes it raises into the review reasons (per review output of its
  // table), its description as a label, and the inputs each of its deciding cells reads.
  struct RuleFacts {
    std::vector<int> raises;  // per review output of the table: a code index, or -1
    std::string description;  // {"fr":d,"en":d}; empty when the rule has none
    std::vector<std::vector<int>> cells;
  };
  // The text "name":value of a slot's value: ready-made when the value is one of the pack's
  // own strings (an enum input's value, a rule's constant output), else written.
  struct SlotText {
    std::string key;                       // "name":
    std::vector<std::string_view> values;  // the pack's strings this slot may hold
    std::vector<std::string> texts;        // "name":"value", parallel to values
    void append(std::string& out, const Value& v) const;
  };
  int code_index(std::string_view text) const;
  void append_inputs(std::string& out, const Value* frame) const;
  void append_outputs(std::string& out, const Value* frame) const;
  void append_questions(std::string& out, std::span<const MissingInput> missing) const;
  void append_review(std::string& out, const RowResult& r);
  // The inputs read by the fired rules that raised code c, as build_review lists them.
  void append_rule_inputs(std::string& out, int c, const RowResult& r);

  const Orienter& orienter_;
  Date date_;
  std::string tail_;               // the pack and engine members, the same on every line
  std::vector<SlotText> inputs_;   // per input field
  std::vector<SlotText> outputs_;  // every output, in pack order
  std::vector<std::size_t> output_slots_;
  std::vector<std::string> quoted_inputs_;                  // per input field: "name"
  std::vector<std::string> question_head_, question_tail_;  // per input field
  std::vector<Code> codes_;
  std::vector<std::vector<std::size_t>> review_outputs_;  // per table: outputs into the reasons
  std::vector<std::vector<RuleFacts>> rules_;             // per table and rule
  // Scratch reused from person to person.
  std::vector<std::string_view> reasons_;
  std::vector<int> open_, all_, fields_;
};

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
