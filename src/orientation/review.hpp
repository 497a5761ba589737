// What would settle a proposal: its questions (with the answers allowed, as labels) and its
// review reasons with the inputs concerned. Shared by Orienter::propose and BulkProposer, so
// that both write the same text.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/orientation/orientation.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

// The review reason of a person with questions to ask.
inline constexpr std::string_view kMissingInformation = "missing_information";

// Appends {"fr": fr, "en": en}.
void append_label(std::string& out, std::string_view fr, std::string_view en);

// The inputs each deciding cell of a rule reads (cells "-" or empty left out), in column order.
std::vector<std::vector<int>> deciding_cells(const Pack& pack, const DecisionTable& d,
                                             const Rule& rule);
// Appends to `out` the inputs of a fired rule's deciding cells: those missing or to be asked
// when some are, else all of them (`open`, `all`: scratch).
void append_cell_inputs(const Pack& pack, const std::vector<std::vector<int>>& cells,
                        const Value* frame, std::vector<int>& open, std::vector<int>& all,
                        std::vector<int>& out);

std::vector<Question> build_questions(const Pack& pack, std::span<const MissingInput> missing);

// `codes`: the review reasons in order (missing_information last, when present).
std::vector<ReviewReason> build_review(const Pack& pack, const Value* frame,
                                       std::span<const DecisionOutcome> decisions,
                                       std::span<const std::string_view> codes,
                                       const std::vector<Question>& questions);

// [{"reason":..., "label":{"fr","en"}, "inputs":[...]}, ...]
void append_review_json(std::string& out, const std::vector<ReviewReason>& reasons);
// One of them: {"reason":..., "label":{"fr","en"}, "inputs":[...]}
void append_review_reason_json(std::string& out, const ReviewReason& r);
// [{"input":..., "label":{"fr","en"}, "rules":N, "values":[{"value", "label"}]}, ...]
void append_questions_json(std::string& out, const std::vector<Question>& questions);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
