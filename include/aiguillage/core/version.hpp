// The engine version; part of every result so that a replay knows what produced it.
#pragma once

#include <string_view>

#include "aiguillage/version.h"

namespace aiguillage {
inline namespace v1 {

#define AIG_ENGINE_VERSION AIG_VERSION_STRING
inline constexpr std::string_view engine_version() {
  return AIG_ENGINE_VERSION;
}

}  // namespace v1
}  // namespace aiguillage
