#include "pack_checks.hpp"

#include <string>

namespace aiguillage {
inline namespace v1 {

namespace {

void missing(const std::string& at, const std::string& what, const std::string& value,
             std::vector<Finding>& out) {
  Finding f;
  f.kind = Finding::Kind::missing_label;
  f.severity = Finding::Severity::error;
  f.pointer = at + "/value_labels/" + json_pointer_token(value);
  f.message = what + " has no label (fr and en) for its value \"" + value.substr(0, 64) + "\"";
  out.push_back(std::move(f));
}

}  // namespace

void check_pack_labels(const Pack& pack, std::vector<Finding>& out) {
  if (pack.schema_minor() < 1) return;  // 1.0 packs predate value labels
  const InputSchema& in = pack.inputs();
  for (std::size_t k = 0; k < in.size(); ++k) {
    const FieldSpec& f = in.field(k);
    const bool list = f.type == FieldType::list && f.item_type == FieldType::enumeration;
    if (f.type != FieldType::enumeration && !list) continue;
    std::string at = "/inputs/" + std::to_string(k) + (list ? "/items" : "");
    for (const std::string& v : f.values)
      if (!pack.value_label(static_cast<int>(k), v)) missing(at, "input " + f.name, v, out);
  }
  for (const DecisionTable& d : pack.decisions())
    for (std::size_t o = 0; o < d.outputs.size(); ++o) {
      const OutputSpec& spec = d.outputs[o];
      if (spec.type != FieldType::enumeration) continue;
      std::string at =
          d.pointer + (d.kind == DecisionTable::Kind::expression ? std::string("/output")
                                                                 : "/outputs/" + std::to_string(o));
      for (const std::string& v : spec.values)
        if (!pack.value_label(spec.slot, v)) missing(at, "output " + spec.name, v, out);
    }
}

}  // namespace v1
}  // namespace aiguillage
