// Shared by the bind_<area>.cpp files of the Python extension.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "aiguillage/core/date.hpp"
#include "aiguillage/core/error.hpp"

namespace aiguillage::python {

namespace py = pybind11;

// Raises the exception class `kind` of aiguillage._errors ("PackLoadError", ...) for `e`,
// carrying .code, .name, .message and .pointer.
[[noreturn]] void raise_as(const char* kind, const Error& e);

// Runs `f`, turning an aiguillage::Error into the Python exception `kind`.
template <class F>
auto translate(const char* kind, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    raise_as(kind, e);
  }
}

// "YYYY-MM-DD" or None.
std::optional<Date> parse_date(const std::optional<std::string>& text, const char* what);

void bind_errors(py::module_& m);
void bind_rules(py::module_& m);
void bind_batch(py::module_& m);
void bind_orientation(py::module_& m);
void bind_audit(py::module_& m);

}  // namespace aiguillage::python
