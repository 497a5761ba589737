// The C ABI over pack export: a pack document written as a DMN model or a JDM graph. Same
// discipline as c_api.cpp: one guard per body.
#include <cstring>
#include <string>
#include <string_view>

#include "aiguillage.h"
#include "aiguillage/interop/pack_export.hpp"
#include "guard.hpp"

using namespace aiguillage;
using namespace aiguillage::capi;

extern "C" {

aig_status aig_pack_export_dmn(const char* pack_json, size_t json_size, char* buf, size_t size,
                               size_t* needed) {
  if (needed) *needed = 0;
  return guard([&] {
    require(pack_json, "pack_json");
    const std::size_t n = json_size == static_cast<size_t>(-1) ? std::strlen(pack_json) : json_size;
    return write_string(export_dmn(std::string_view(pack_json, n)), buf, size, needed);
  });
}

aig_status aig_pack_export_jdm(const char* pack_json, size_t json_size, char* buf, size_t size,
                               size_t* needed) {
  if (needed) *needed = 0;
  return guard([&] {
    require(pack_json, "pack_json");
    const std::size_t n = json_size == static_cast<size_t>(-1) ? std::strlen(pack_json) : json_size;
    return write_string(export_jdm(std::string_view(pack_json, n)), buf, size, needed);
  });
}

}  // extern "C"
