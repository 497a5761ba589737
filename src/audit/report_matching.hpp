// Matching fairness in the report: the exposure of groups in a matching run's top-k; private.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/audit/report.hpp"
#include "report_model.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

// The report's age bands (the same in the disparities and in the matching exposure).
std::string age_band_label(std::int32_t age, std::string_view lang);

// The tables "matching_summary" and "matching_exposure" (version 0, section "matching"):
// `pack` labels the values of attributes that are its inputs; ages are taken at options.to,
// else at the latest reference date of the log.
void matching_tables(const MatchRun& run, const Model& model, const Pack& pack,
                     const ReportOptions& options, std::vector<ReportTable>& tables);

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
