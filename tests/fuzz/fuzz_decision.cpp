// Any bytes as the fields of one line of a decisions file (actor, action, reason, decided_at,
// override outputs, separated by newlines): Orienter::decide refuses or decides, and a decision
// it takes becomes a record that canonical_json, the log and the notice all accept.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aiguillage;
  static const Pack pack =
      Pack::load_file(std::string(AIG_SOURCE_DIR) + "/rules/orientation/fr-2025/pack.json");
  static const Orienter orienter(pack);
  static const Proposal proposal = orienter.propose(
      R"({"birth_date": "1987-03-17", "rsa_beneficiary": false, "boe_status": "none"})",
      *Date::parse("2025-03-01"));
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> fields;
  for (std::size_t pos = 0; fields.size() < 5;) {
    const std::size_t nl = text.find('\n', pos);
    fields.push_back(text.substr(pos, nl == text.npos ? text.npos : nl - pos));
    if (nl == text.npos) break;
    pos = nl + 1;
  }
  fields.resize(5);
  const std::optional<Action> action = parse_action(fields[1]);
  try {
    const OrientationDecision d =
        orienter.decide(proposal, fields[0], action.value_or(Action::override_outputs), fields[2],
                        fields[3], fields[4]);
    DecisionRecordInput in{pseudonymise(std::string(16, 'k'), "p"), "", "2025-03-01"};
    const std::string record = make_decision_record(pack, proposal, d, in);
    if (canonical_json(record) != record) __builtin_trap();
    notice_text(pack, proposal, &d, "fr");
  } catch (const Error&) {
  }
  return 0;
}
