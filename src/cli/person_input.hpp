// A person as `aiguillage orient` reads it, for the service too: "person_id" identifies the
// person to the deployment and is no input of the pack, so it is taken out of the text (without
// parsing the whole object when the member is plain).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aiguillage/core/error.hpp"

namespace aiguillage::cli {

struct PersonInput {
  std::string text;  // what the pack reads
  std::optional<std::string> id;
  std::optional<Error> error;  // person_id of the wrong type (pointer /person_id)
};

PersonInput read_person_input(std::string_view text);

}  // namespace aiguillage::cli
