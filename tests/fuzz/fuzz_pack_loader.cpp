// Any bytes given to the pack loader yield a pack or an Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aiguillage/rules/pack.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    aiguillage::Pack::load(text);
  } catch (const aiguillage::Error&) {
  }
  return 0;
}
