// Columnar batches filled straight from numpy arrays, evaluated with the GIL released, results
// as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <datetime.h>

#include <cmath>
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

// Fills one column from Python objects: strings take the text path (enum values, dates
// "YYYY-MM-DD", numbers, "true"/"false"), bools, ints, floats and dates their own. The GIL is
// held: the objects are read in place, without conversion in Python.
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
  const std::string token =
      json_pointer_token(b.columns.pack().inputs().field(static_cast<std::size_t>(input)).name);
  auto where = [&](std::size_t row) {
    std::string p = "/";
    p += std::to_string(row);
    p += '/';
    p += token;
    return p;
  };
  if (!PyDateTimeAPI) PyDateTime_IMPORT;
  const py::array contiguous = py::array::ensure(objects, py::array::c_style);
  auto* const* data = static_cast<PyObject* const*>(contiguous.data());
  const FieldSpec& field = b.columns.pack().inputs().field(static_cast<std::size_t>(input));
  const bool enumeration = field.type == FieldType::enumeration;
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
      // Strings and booleans are never missing: tested first, they skip the type-name checks.
      if (!PyUnicode_Check(o) && !PyBool_Check(o) && is_missing(o)) {
        b.columns.set_text(input, row, std::nullopt);
      } else if (PyUnicode_Check(o)) {
        Py_ssize_t size = 0;
        const char* text = PyUnicode_AsUTF8AndSize(o, &size);
        if (!text) {
          PyErr_Clear();
          b.columns.reject(
              row, Error(ErrorCode::type_mismatch, "a string that is not UTF-8", where(row)));
          continue;
        }
        b.columns.set_text(input, row, std::string_view(text, static_cast<std::size_t>(size)));
      } else if (PyBool_Check(o)) {
        b.columns.set_value(input, row, Value::boolean(o == Py_True));
      } else if (PyLong_Check(o)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow)
          b.columns.reject(
              row, Error(ErrorCode::number_overflow, "the integer is too large", where(row)));
        else
          b.columns.set_value(input, row, Value::integer(v));
      } else if (PyFloat_Check(o)) {
        const double v = PyFloat_AS_DOUBLE(o);
        if (!std::isfinite(v) || std::fabs(v) > 9.0e12)
          b.columns.reject(
              row, Error(ErrorCode::number_overflow, "the number is too large", where(row)));
        else
          b.columns.set_value(
              input, row,
              Value::decimal(Decimal{static_cast<std::int64_t>(std::llround(v * 1e6))}));
      } else if (PyDate_Check(o)) {
        const auto d =
            Date::from_ymd(PyDateTime_GET_YEAR(o), PyDateTime_GET_MONTH(o), PyDateTime_GET_DAY(o));
        if (d)
          b.columns.set_value(input, row, Value::date(*d));
        else
          b.columns.reject(row, Error(ErrorCode::invalid_date, "a date out of range", where(row)));
      } else {
        b.columns.reject(row, Error(ErrorCode::type_mismatch,
                                    std::string("a value of type ") + Py_TYPE(o)->tp_name +
                                        " cannot be an input",
                                    where(row)));
      }
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
