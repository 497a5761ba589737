// Packs, registries, evaluation of one record and explanations.
#include <pybind11/stl.h>

#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/interop/pack_export.hpp"
#include "aiguillage/rules/explain.hpp"
#include "aiguillage/rules/json_lines.hpp"
#include "aiguillage/rules/registry.hpp"
#include "common.hpp"
#include "handles.hpp"

namespace aiguillage::python {

namespace {

const char* output_kind_name(surfaces::OutputKind k) {
  switch (k) {
    case surfaces::OutputKind::enumeration:
      return "enum";
    case surfaces::OutputKind::boolean:
      return "bool";
    case surfaces::OutputKind::integer:
      return "integer";
    case surfaces::OutputKind::decimal:
      return "decimal";
    case surfaces::OutputKind::date:
      return "date";
    case surfaces::OutputKind::enum_list:
      return "enum_list";
    case surfaces::OutputKind::other:
      return "other";
  }
  return "other";
}

EvalOptions options_for(const std::optional<std::string>& date, bool trace, bool ignore_unknown) {
  EvalOptions o;
  o.reference_date = parse_date(date, "date");
  o.trace = trace;
  o.unknown_fields = ignore_unknown ? UnknownFields::ignore : UnknownFields::reject;
  return o;
}

}  // namespace

void bind_rules(py::module_& m) {
  m.def(
      "import_dmn",
      [](const std::string& xml) {
        return translate("PackLoadError", [&] {
          py::gil_scoped_release release;
          return import_dmn(xml);
        });
      },
      py::arg("xml"));
  m.def(
      "export_dmn",
      [](const std::string& pack_json) {
        return translate("PackLoadError", [&] {
          py::gil_scoped_release release;
          return export_dmn(pack_json);
        });
      },
      py::arg("pack_json"));
  m.def(
      "export_jdm",
      [](const std::string& pack_json) {
        return translate("PackLoadError", [&] {
          py::gil_scoped_release release;
          return export_jdm(pack_json);
        });
      },
      py::arg("pack_json"));
  py::class_<NativePack, std::shared_ptr<NativePack>>(m, "NativePack")
      .def_static(
          "load_file",
          [](const std::string& path) {
            return translate("PackLoadError", [&] {
              py::gil_scoped_release release;
              return std::make_shared<NativePack>(Pack::load_file(path));
            });
          },
          py::arg("path"))
      .def_static(
          "load_json",
          [](const std::string& text) {
            return translate("PackLoadError", [&] {
              py::gil_scoped_release release;
              return std::make_shared<NativePack>(Pack::load(text));
            });
          },
          py::arg("text"))
      .def_property_readonly("id", [](const NativePack& p) { return p.pack.id(); })
      .def_property_readonly("version", [](const NativePack& p) { return p.pack.version(); })
      .def_property_readonly("title", [](const NativePack& p) { return p.pack.title(); })
      .def_property_readonly("hash", [](const NativePack& p) { return p.pack.hash(); })
      .def_property_readonly("valid_from",
                             [](const NativePack& p) { return p.pack.valid_from().to_string(); })
      .def_property_readonly("valid_to",
                             [](const NativePack& p) -> std::optional<std::string> {
                               if (auto d = p.pack.valid_to()) return d->to_string();
                               return std::nullopt;
                             })
      .def_property_readonly("inputs",
                             [](const NativePack& p) {
                               py::list out;
                               for (const FieldSpec& f : p.pack.inputs().fields()) {
                                 py::dict d;
                                 d["name"] = f.name;
                                 d["type"] = std::string(field_type_name(f.type));
                                 d["values"] = f.values;
                                 d["required"] = f.required;
                                 d["label_fr"] = f.label_fr;
                                 d["label_en"] = f.label_en;
                                 out.append(d);
                               }
                               return out;
                             })
      .def_property_readonly("outputs",
                             [](const NativePack& p) {
                               py::list out;
                               for (const auto& o : p.outputs) {
                                 py::dict d;
                                 d["name"] = o.name;
                                 d["kind"] = output_kind_name(o.kind);
                                 d["values"] = o.values ? *o.values : std::vector<std::string>{};
                                 out.append(d);
                               }
                               return out;
                             })
      .def_property_readonly("decisions",
                             [](const NativePack& p) {
                               py::list out;
                               for (const Decision& d : p.pack.decisions()) {
                                 py::dict x;
                                 x["id"] = d.id;
                                 std::vector<std::string> rules;
                                 for (const Rule& r : d.rules) rules.push_back(r.id);
                                 x["rules"] = rules;
                                 x["kind"] =
                                     d.kind == Decision::Kind::table ? "table" : "expression";
                                 out.append(x);
                               }
                               return out;
                             })
      .def(
          "evaluate_json",
          [](const NativePack& p, const std::string& record, std::optional<std::string> date,
             bool trace, bool ignore_unknown) {
            EvalOptions o = options_for(date, trace, ignore_unknown);
            return translate("EvaluationError", [&] {
              py::gil_scoped_release release;
              Evaluation e;
              p.evaluator.evaluate_json(record, e, o);
              return evaluation_to_json(p.pack, e, trace);
            });
          },
          py::arg("record"), py::arg("date") = py::none(), py::arg("trace") = false,
          py::arg("ignore_unknown") = false)
      .def(
          "evaluate_jsonl",
          [](const NativePack& p, const std::string& text, std::optional<std::string> date,
             bool trace, bool ignore_unknown) {
            EvalOptions o = options_for(date, trace, ignore_unknown);
            std::vector<std::string> lines = translate("EvaluationError", [&] {
              py::gil_scoped_release release;
              std::vector<std::string> out;
              evaluate_json_lines(p.evaluator, text, o,
                                  [&](std::size_t, std::string_view r) { out.emplace_back(r); });
              return out;
            });
            py::list result(lines.size());
            for (std::size_t k = 0; k < lines.size(); ++k) result[k] = py::str(lines[k]);
            return result;
          },
          py::arg("text"), py::arg("date") = py::none(), py::arg("trace") = false,
          py::arg("ignore_unknown") = false)
      .def(
          "explain_json",
          [](const NativePack& p, const std::string& record, std::optional<std::string> date,
             const std::string& lang) {
            EvalOptions o = options_for(date, true, false);
            return translate("EvaluationError", [&] {
              py::gil_scoped_release release;
              Evaluation e;
              p.evaluator.evaluate_json(record, e, o);
              return explain_text(p.pack, e, lang);
            });
          },
          py::arg("record"), py::arg("date") = py::none(), py::arg("lang") = "fr");

  py::class_<Registry, std::shared_ptr<Registry>>(m, "NativeRegistry")
      .def(py::init<>())
      .def(
          "add",
          [](Registry& r, const NativePack& p) {
            translate("PackLoadError", [&] { r.add(p.pack); });
          },
          py::arg("pack"))
      .def(
          "load_dir",
          [](Registry& r, const std::string& dir) {
            return translate("PackLoadError", [&] {
              py::gil_scoped_release release;
              return r.load_dir(dir);
            });
          },
          py::arg("dir"))
      .def("__len__", [](const Registry& r) { return r.packs().size(); })
      .def(
          "select",
          [](const Registry& r, const std::string& id, const std::string& date) {
            const Date d = *parse_date(date, "date");
            return translate("VersionSelectionError",
                             [&] { return std::make_shared<NativePack>(r.select(id, d)); });
          },
          py::arg("id"), py::arg("date"))
      .def("packs", [](const Registry& r) {
        std::vector<std::shared_ptr<NativePack>> out;
        for (const Pack& p : r.packs()) out.push_back(std::make_shared<NativePack>(p));
        return out;
      });
}

}  // namespace aiguillage::python
