// Columnar batches filled straight from numpy arrays, evaluated with the GIL released, results
// as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

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
