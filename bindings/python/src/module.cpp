// aiguillage._aiguillage: a thin layer over the C++ library; the idiomatic API is the
// pure-Python package around it.
#include "aiguillage/core/data_dir.hpp"
#include "aiguillage/core/version.hpp"
#include "common.hpp"

namespace aiguillage::python {
void bind_matching(py::module_& m);    // bind_matching.cpp
void bind_pack_tools(py::module_& m);  // bind_pack_tools.cpp
}  // namespace aiguillage::python

PYBIND11_MODULE(_aiguillage, m) {
  using namespace aiguillage::python;
  m.doc() = "Native core of the aiguillage package (use the aiguillage package instead).";
  m.attr("engine_version") = std::string(aiguillage::engine_version());
  // The installed data (packs, schemas, referential): share/aiguillage beside the package.
  m.def("data_dir", &aiguillage::data_dir);
  bind_errors(m);
  bind_rules(m);
  bind_batch(m);
  bind_orientation(m);
  bind_audit(m);
  bind_matching(m);
  bind_pack_tools(m);
}
