// The other half of the JDM export, for import_jdm: a graph that export_jdm wrote carries its
// pack under "aiguillage" (ZEN reads past it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aiguillage {
inline namespace v1 {
namespace detail {

// The pack a graph written by export_jdm carries, when the graph's nodes and edges are still
// exactly what export_jdm writes from that pack (nothing was edited since); nullopt otherwise,
// and the graph is then read from its ZEN expressions like any other.
std::optional<std::string> pack_of_exported_jdm(std::string_view jdm_json);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
