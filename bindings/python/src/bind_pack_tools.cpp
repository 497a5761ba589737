// A pack's static checks and its own test cases, as the CLI's `check --json` and `test --json`
// give them.
#include <pybind11/stl.h>

#include "aiguillage/rules/analysis.hpp"
#include "aiguillage/rules/statuses.hpp"
#include "aiguillage/rules/test_cases.hpp"
#include "common.hpp"
#include "handles.hpp"

namespace aiguillage::python {

void bind_pack_tools(py::module_& m) {
  m.def(
      "check_pack",
      [](const NativePack& p) {
        std::string out = translate("EvaluationError", [&] {
          py::gil_scoped_release release;
          return check_pack(p.pack).to_json();
        });
        // The same object as `aiguillage check --json`: the statuses and the decision mode join.
        out.pop_back();
        out += ",\"statuses\":" + status_split(p.pack).to_json() + ",\"human_decision_required\":" +
               (p.pack.human_decision_required() ? "true" : "false") + "}";
        return out;
      },
      py::arg("pack"));
  m.def(
      "test_pack",
      [](const NativePack& p, const std::vector<std::string>& files) {
        return translate("EvaluationError", [&] {
          py::gil_scoped_release release;
          return run_test_files(p.pack, files).to_json();
        });
      },
      py::arg("pack"), py::arg("files"));
  m.def(
      "test_files_of",
      [](const std::string& dir) {
        return translate("InputError", [&] { return test_files_of(dir); });
      },
      py::arg("pack_dir"));
}

}  // namespace aiguillage::python
