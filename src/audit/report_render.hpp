// report.json and report.html from the report's tables; private.
#pragma once

#include <string>
#include <vector>

#include "report_model.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

struct RenderInput {
  struct Version {
    std::vector<std::string> headlines;
    std::vector<std::string> flagged;  // gaps outside the band and significant
  };
  const Model* model = nullptr;
  const ReportOptions* options = nullptr;
  std::string source;
  std::vector<Version> versions;
  const std::vector<ReportTable>* tables = nullptr;
};

std::string render_json(const RenderInput& in);
std::string render_html(const RenderInput& in);
std::string cell_text(const ReportTable::Cell& c, std::string_view lang, int threshold,
                      bool is_share);

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
