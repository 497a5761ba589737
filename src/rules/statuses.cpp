#include "aiguillage/rules/statuses.hpp"

#include <cstdio>

namespace aiguillage {
inline namespace v1 {

namespace {

// One decimal, fixed: the same text on every machine.
std::string percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return "0.0%";
  const std::size_t tenths = (part * 1000 + whole / 2) / whole;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

std::string share(std::size_t part, std::size_t whole) {
  if (whole == 0) return "0";
  const std::size_t thousandths = (part * 1000 + whole / 2) / whole;
  if (thousandths == 1000) return "1";
  char buf[16];
  std::snprintf(buf, sizeof buf, "0.%03zu", thousandths);
  return buf;
}

}  // namespace

std::string StatusSplit::to_text() const {
  const std::size_t n = interpretations_without_note.size();
  return std::to_string(verified) + " verified (" + percent(verified, total()) + "), " +
         std::to_string(interpretation) + " interpretation (" + percent(interpretation, total()) +
         ") of " + std::to_string(total()) + " rules; " + std::to_string(n) +
         (n == 1 ? " interpretation" : " interpretations") + " without a note";
}

std::string StatusSplit::to_json() const {
  std::string s = "{\"verified\":" + std::to_string(verified) +
                  ",\"interpretation\":" + std::to_string(interpretation) +
                  ",\"total\":" + std::to_string(total()) +
                  ",\"verified_share\":" + share(verified, total()) +
                  ",\"interpretations_without_note\":[";
  for (std::size_t k = 0; k < interpretations_without_note.size(); ++k) {
    if (k) s += ',';
    s += Value::string(interpretations_without_note[k]).to_json();
  }
  return s + "]}";
}

StatusSplit status_split(const Pack& pack) {
  StatusSplit out;
  auto count = [&](RuleStatus status, const std::string& note, const std::string& pointer) {
    if (status == RuleStatus::verified) {
      ++out.verified;
      return;
    }
    ++out.interpretation;
    if (note.empty()) out.interpretations_without_note.push_back(pointer);
  };
  for (std::size_t k = 0; k < pack.constraints().size(); ++k) {
    const Constraint& c = pack.constraints()[k];
    count(c.status, c.note, "/constraints/" + std::to_string(k));
  }
  for (std::size_t k = 0; k < pack.variables().size(); ++k) {
    const Variable& v = pack.variables()[k];
    count(v.status, v.note, "/variables/" + std::to_string(k));
  }
  for (const DecisionTable& d : pack.decisions()) {
    if (d.kind == DecisionTable::Kind::expression) {
      count(d.status, d.note, d.pointer);
      continue;
    }
    for (std::size_t r = 0; r < d.rules.size(); ++r)
      count(d.rules[r].status, d.rules[r].note, d.pointer + "/rules/" + std::to_string(r));
  }
  return out;
}

}  // namespace v1
}  // namespace aiguillage
