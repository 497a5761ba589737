// Errors: every aiguillage::Error reaching Python becomes an instance of the hierarchy defined
// in aiguillage/_errors.py, with its pinned code and JSON pointer.
#include "common.hpp"

namespace aiguillage::python {

[[noreturn]] void raise_as(const char* kind, const Error& e) {
  py::gil_scoped_acquire gil;
  py::object errors = py::module_::import("aiguillage._errors");
  py::object cls = errors.attr("error_class")(kind, static_cast<int>(e.code()));
  py::object exc = cls(e.message(), static_cast<int>(e.code()),
                       std::string(error_code_name(e.code())), e.pointer(), e.column());
  PyErr_SetObject(cls.ptr(), exc.ptr());
  throw py::error_already_set();
}

std::optional<Date> parse_date(const std::optional<std::string>& text, const char* what) {
  if (!text) return std::nullopt;
  std::optional<Date> d = Date::parse(*text);
  if (!d)
    raise_as("InputError",
             Error(ErrorCode::invalid_date,
                   std::string(what) + " must be a date YYYY-MM-DD, not \"" + *text + "\""));
  return d;
}

void bind_errors(py::module_& m) {
  // Anything not caught by a binding (an Error from an unexpected place) still gets its class.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      try {
        raise_as("Error", e);
      } catch (py::error_already_set& set) {
        set.restore();
      }
    }
  });
  m.def("error_code_name",
        [](int code) { return std::string(error_code_name(static_cast<ErrorCode>(code))); });
}

}  // namespace aiguillage::python
