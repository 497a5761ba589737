// The engine version; part of every result so that a replay knows what produced it.
#pragma once

#include <string_view>

namespace aiguillage {
inline namespace v1 {

#define AIG_ENGINE_VERSION "0.1.0"
inline constexpr std::string_view engine_version() {
  return AIG_ENGINE_VERSION;
}

}  // namespace v1
}  // namespace aiguillage
