// Columnar batches filled straight from numpy arrays, evaluated with the GIL released, results
// as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <datetime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common.hpp"
#include "handles.hpp"

namespace aiguillage::python {

namespace {

template <class T>
using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;

struct NativeBatch {
  surfaces::ColumnarBatch columns;
};

template <class T>
const T* checked(const Array<T>& a, std::size_t rows, const char* what) {
  if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != rows)
    raise_as("InputError", Error(ErrorCode::invalid_argument,
                                 std::string(what) + " must be a 1-dimensional array of " +
                                     std::to_string(rows) + " items"));
  return a.data();
}

const std::uint8_t* present_of(const std::optional<Array<std::uint8_t>>& p, std::size_t rows) {
  return p ? checked(*p, rows, "present") : nullptr;
}

template <class F>
void fill(F&& f) {
  translate("InputError", [&] {
    py::gil_scoped_release release;
    f();
  });
}

bool is_missing(PyObject* o) {
  if (o == Py_None) return true;
  if (PyFloat_Check(o)) return std::isnan(PyFloat_AS_DOUBLE(o));
  // pandas.NA and pandas.NaT, recognised by their type names (pandas is not a dependency).
  const char* name = Py_TYPE(o)->tp_name;
  return std::strcmp(name, "NAType") == 0 || std::strcmp(name, "NaTType") == 0;
}

// A float holds a decimal of the library when it is, up to the float's own precision, a whole
// number of millionths: 0.1 is accepted, 0.1234567 is refused rather than rounded.
bool whole_millionths(double v) {
  const double units = v * 1e6;
  const double tolerance = std::max(1e-3, std::fabs(units) * 4 * 2.220446049250313e-16);
  return std::fabs(units - std::nearbyint(units)) <= tolerance;
}

bool same_text_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// The input policy of docs/python.md ("One input policy") for one Python object: every entry
// point of the package reads cells through here or through the typed array paths of
// _columns.py, which the table's tests hold to the same answers.
class ObjectCells {
 public:
  ObjectCells(surfaces::ColumnarBatch& batch, int input)
      : b_(batch),
        input_(input),
        field_(batch.pack().inputs().field(static_cast<std::size_t>(input))),
        token_(json_pointer_token(field_.name)) {}

  void set(std::size_t row, PyObject* o, bool numpy_unwrapped = false) {
    // Strings and booleans are never missing: tested first, they skip the type-name checks.
    if (PyUnicode_Check(o)) return text(row, o);
    if (PyBool_Check(o)) return boolean(row, o == Py_True);
    if (is_missing(o)) return b_.set_text(input_, row, std::nullopt);
    if (PyLong_Check(o)) return integer(row, o);
    if (PyFloat_Check(o)) return real(row, PyFloat_AS_DOUBLE(o));
    if (PyDate_Check(o)) return date(row, o);
    if (!numpy_unwrapped && is_numpy_scalar(o)) {
      // numpy.bool_, numpy.int64, numpy.float32, numpy.datetime64...: their Python value.
      py::object item = py::reinterpret_steal<py::object>(PyObject_CallMethod(o, "item", nullptr));
      if (!item) {
        PyErr_Clear();
      } else {
        return set(row, item.ptr(), true);
      }
    }
    reject(row, ErrorCode::type_mismatch,
           field_.name + ": a value of type " + Py_TYPE(o)->tp_name + " cannot be an input");
  }

 private:
  static bool is_numpy_scalar(PyObject* o) {
    return std::strncmp(Py_TYPE(o)->tp_name, "numpy.", 6) == 0;
  }

  std::string where(std::size_t row) const {
    std::string p = "/";
    p += std::to_string(row);
    p += '/';
    p += token_;
    return p;
  }

  void reject(std::size_t row, ErrorCode code, const std::string& message) {
    b_.reject(row, Error(code, message, where(row)));
  }

  void text(std::size_t row, PyObject* o) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (!data) {
      PyErr_Clear();
      return reject(row, ErrorCode::type_mismatch, "a string that is not UTF-8");
    }
    const std::string_view t(data, static_cast<std::size_t>(size));
    if (field_.type == FieldType::boolean) {
      // Text booleans: "true" and "false" in any case; "1", "0", "yes" are refused.
      if (same_text_ignoring_case(t, "true")) return set_bool(row, true);
      if (same_text_ignoring_case(t, "false")) return set_bool(row, false);
      return reject(row, ErrorCode::type_mismatch,
                    field_.name + " expects true or false, not \"" + bounded_text(t) + "\"");
    }
    b_.set_text(input_, row, t);
  }

  void set_bool(std::size_t row, bool v) { b_.set_value(input_, row, Value::boolean(v)); }

  void boolean(std::size_t row, bool v) {
    if (field_.type != FieldType::boolean)
      return reject(row, ErrorCode::type_mismatch,
                    field_.name + " expects " + std::string(field_type_name(field_.type)) +
                        ", not a boolean");
    set_bool(row, v);
  }

  void integer(std::size_t row, PyObject* o) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow)
      return reject(row, ErrorCode::number_overflow,
                    field_.name + ": the integer does not fit a 64-bit signed integer");
    if (field_.type == FieldType::boolean) {
      if (v == 0 || v == 1) return set_bool(row, v == 1);
      return reject(row, ErrorCode::type_mismatch,
                    field_.name + " expects true or false (or 1 or 0), not " + std::to_string(v));
    }
    b_.set_value(input_, row, Value::integer(v));
  }

  void real(std::size_t row, double v) {
    if (std::isnan(v)) return b_.set_text(input_, row, std::nullopt);
    if (field_.type == FieldType::boolean) {
      if (v == 0.0 || v == 1.0) return set_bool(row, v == 1.0);
      return reject(row, ErrorCode::type_mismatch,
                    field_.name + " expects true or false (or 1.0 or 0.0), not " + number(v));
    }
    if (!std::isfinite(v) || std::fabs(v) > 9.0e12)
      return reject(row, ErrorCode::number_overflow, field_.name + ": the number is too large");
    if (field_.type == FieldType::integer && v != std::trunc(v))
      return reject(row, ErrorCode::type_mismatch,
                    field_.name + " is an integer, not a fraction (" + number(v) + ")");
    if (field_.type == FieldType::decimal && !whole_millionths(v))
      return reject(row, ErrorCode::invalid_decimal,
                    field_.name + " = " + number(v) + " has more than 6 decimal places");
    b_.set_value(input_, row,
                 Value::decimal(Decimal{static_cast<std::int64_t>(std::llround(v * 1e6))}));
  }

  void date(std::size_t row, PyObject* o) {
    // A datetime (pandas.Timestamp included, with or without a time zone) gives its own
    // calendar date, read on its own clock.
    const auto d =
        Date::from_ymd(PyDateTime_GET_YEAR(o), PyDateTime_GET_MONTH(o), PyDateTime_GET_DAY(o));
    if (!d) return reject(row, ErrorCode::invalid_date, field_.name + ": a date out of range");
    b_.set_value(input_, row, Value::date(*d));
  }

  static std::string number(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return buffer;
  }

  surfaces::ColumnarBatch& b_;
  int input_;
  const FieldSpec& field_;
  std::string token_;
};

// Fills one column from Python objects, read in place with the GIL held (no conversion in
// Python): enum texts by a fast path, everything else through ObjectCells.
void set_objects(NativeBatch& b, int input, const py::array& objects) {
  const std::size_t rows = b.columns.rows();
  if (objects.ndim() != 1 || static_cast<std::size_t>(objects.shape(0)) != rows ||
      objects.dtype().kind() != 'O')
    raise_as("InputError",
             Error(ErrorCode::invalid_argument, "values must be a 1-dimensional object array of " +
                                                    std::to_string(rows) + " items"));
  if (input < 0 || static_cast<std::size_t>(input) >= b.columns.pack().inputs().size())
    raise_as("InputError", Error(ErrorCode::invalid_argument,
                                 "input index " + std::to_string(input) + " is out of range"));
  if (!PyDateTimeAPI) PyDateTime_IMPORT;
  const py::array contiguous = py::array::ensure(objects, py::array::c_style);
  auto* const* data = static_cast<PyObject* const*>(contiguous.data());
  const FieldSpec& field = b.columns.pack().inputs().field(static_cast<std::size_t>(input));
  const bool enumeration = field.type == FieldType::enumeration;
  ObjectCells cells(b.columns, input);
  // Enum cells: the code of the object seen just before (the same str object, or the same
  // text, which pandas columns repeat), else a search of the closed list.
  PyObject* last_object = nullptr;
  int last_code = -1;
  translate("InputError", [&] {
    for (std::size_t row = 0; row < rows; ++row) {
      PyObject* o = data[row];
      if (enumeration && PyUnicode_CheckExact(o) && PyUnicode_IS_COMPACT_ASCII(o)) {
        if (o != last_object) {
          const std::string_view text(static_cast<const char*>(PyUnicode_DATA(o)),
                                      static_cast<std::size_t>(PyUnicode_GET_LENGTH(o)));
          if (last_code < 0 || !same_text(field.values[static_cast<std::size_t>(last_code)], text))
            last_code = field.enum_index(text);
          last_object = o;
        }
        if (last_code >= 0) {
          b.columns.set_enum_code(input, row, last_code);
          continue;
        }
        // Not a value of the list: the text path below reports it.
      }
      cells.set(row, o);
    }
  });
}

}  // namespace

void bind_batch(py::module_& m) {
  py::class_<NativeBatch>(m, "NativeBatch")
      .def(py::init([](const NativePack& p, std::size_t rows) {
             return new NativeBatch{surfaces::ColumnarBatch(p.pack, rows)};
           }),
           py::arg("pack"), py::arg("rows"))
      .def_property_readonly("rows", [](const NativeBatch& b) { return b.columns.rows(); })
      .def_property_readonly("bad_rows", [](const NativeBatch& b) { return b.columns.bad_rows(); })
      .def("set_bools",
           [](NativeBatch& b, int input, const Array<std::uint8_t>& values,
              const std::optional<Array<std::uint8_t>>& present) {
             const auto* v = checked(values, b.columns.rows(), "values");
             const auto* p = present_of(present, b.columns.rows());
             fill([&] { b.columns.set_bools(input, v, p); });
           })
      .def("set_int64s",
           [](NativeBatch& b, int input, const Array<std::int64_t>& values,
              const std::optional<Array<std::uint8_t>>& present) {
             const auto* v = checked(values, b.columns.rows(), "values");
             const auto* p = present_of(present, b.columns.rows());
             fill([&] { b.columns.set_int64s(input, v, p); });
           })
      .def("set_doubles",
           [](NativeBatch& b, int input, const Array<double>& values,
              const std::optional<Array<std::uint8_t>>& present) {
             const auto* v = checked(values, b.columns.rows(), "values");
             const auto* p = present_of(present, b.columns.rows());
             fill([&] { b.columns.set_doubles(input, v, p); });
           })
      .def("set_dates",
           [](NativeBatch& b, int input, const Array<std::int32_t>& days,
              const std::optional<Array<std::uint8_t>>& present) {
             const auto* v = checked(days, b.columns.rows(), "days");
             const auto* p = present_of(present, b.columns.rows());
             fill([&] { b.columns.set_dates(input, v, p); });
           })
      .def("set_enum_codes",
           [](NativeBatch& b, int input, const Array<std::int32_t>& codes,
              const std::vector<std::string>& unknown_values) {
             const auto* v = checked(codes, b.columns.rows(), "codes");
             fill([&] { b.columns.set_enum_codes(input, v, unknown_values); });
           })
      .def("set_objects", &set_objects, py::arg("input"), py::arg("values"))
      .def("set_text",
           [](NativeBatch& b, int input, std::size_t row, std::optional<std::string> text) {
             translate("InputError", [&] {
               b.columns.set_text(input, row,
                                  text ? std::optional<std::string_view>(*text) : std::nullopt);
             });
           })
      .def("row_error",
           [](const NativeBatch& b, std::size_t row) -> py::object {
             if (row >= b.columns.rows()) return py::none();
             const Error* e = b.columns.row_error(row);
             if (!e) return py::none();
             return py::make_tuple(static_cast<int>(e->code()),
                                   std::string(error_code_name(e->code())), e->message(),
                                   e->pointer());
           })
      .def("reject",
           [](NativeBatch& b, std::size_t row, int code, const std::string& message,
              const std::string& pointer) {
             b.columns.reject(row, Error(static_cast<ErrorCode>(code), message, pointer));
           })
      .def(
          "evaluate",
          [](const NativeBatch& b, const NativePack& p, std::optional<std::string> date,
             unsigned threads) {
            const std::optional<Date> d = parse_date(date, "date");
            const std::size_t rows = b.columns.rows();
            const std::size_t n_dec = p.pack.decisions().size();
            const std::size_t n_out = p.outputs.size();
            Array<std::int32_t> status(static_cast<py::ssize_t>(rows));
            Array<std::int32_t> first_error(static_cast<py::ssize_t>(rows));
            Array<std::int32_t> fired(
                {static_cast<py::ssize_t>(n_dec), static_cast<py::ssize_t>(rows)});
            Array<std::int64_t> outputs(
                {static_cast<py::ssize_t>(n_out), static_cast<py::ssize_t>(rows)});
            std::vector<std::pair<std::size_t, Error>> errors;
            surfaces::BatchOutputs out;
            out.status = status.mutable_data();
            out.first_error = first_error.mutable_data();
            out.first_fired = fired.mutable_data();
            out.outputs = outputs.mutable_data();
            out.errors = &errors;
            translate("EvaluationError", [&] {
              py::gil_scoped_release release;
              surfaces::run_batch(p.evaluator, p.outputs, b.columns, d, threads, out);
            });
            py::list error_list;
            for (const auto& [row, e] : errors)
              error_list.append(py::make_tuple(row, static_cast<int>(e.code()),
                                               std::string(error_code_name(e.code())), e.message(),
                                               e.pointer()));
            py::dict result;
            result["status"] = status;
            result["first_error"] = first_error;
            result["fired"] = fired;
            result["outputs"] = outputs;
            result["errors"] = error_list;
            return result;
          },
          py::arg("pack"), py::arg("date") = py::none(), py::arg("threads") = 0);
}

}  // namespace aiguillage::python
