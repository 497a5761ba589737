#include "aiguillage/audit/replay.hpp"

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/core/version.hpp"
#include "aiguillage/orientation/orientation.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

// Insertion order: recomputed outputs keep the pack's order, so diffs read in that order.
using Json = nlohmann::ordered_json;

std::string dump(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A member the record must have; a clear error instead of nlohmann's "key not found".
const Json& member(const Json& obj, const char* name, const char* where) {
  if (!obj.is_object())
    throw Error(ErrorCode::invalid_document, std::string(where) + " is not a JSON object");
  auto it = obj.find(name);
  if (it == obj.end())
    throw Error(ErrorCode::required_missing,
                "the record has no \"" + std::string(name) + "\" in " + where,
                "/" + std::string(name));
  return *it;
}

std::string text_of(const Json& v) {
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::string_view outcome_name(ReplayItem::Outcome o) {
  switch (o) {
    case ReplayItem::Outcome::identical:
      return "identical";
    case ReplayItem::Outcome::different:
      return "different";
    case ReplayItem::Outcome::pack_missing:
      return "pack_missing";
    case ReplayItem::Outcome::error:
      return "error";
  }
  return "error";
}

// "name: old -> new; ..." over the union of the names, recomputed order first. Values compare
// as JSON values (2 equals 2.0); an absent output reads as null.
std::string diff_outputs(const Json& recorded, const Json& recomputed) {
  std::string out;
  auto add = [&](const std::string& name, const Json& before, const Json& after) {
    if (before == after) return;
    if (!out.empty()) out += "; ";
    out += name + ": " + dump(before) + " -> " + dump(after);
  };
  const Json null_value;
  auto get = [&](const Json& obj, const std::string& name) -> const Json& {
    if (!obj.is_object()) return null_value;
    auto it = obj.find(name);
    return it == obj.end() ? null_value : *it;
  };
  if (recomputed.is_object())
    for (auto it = recomputed.begin(); it != recomputed.end(); ++it)
      add(it.key(), get(recorded, it.key()), it.value());
  if (recorded.is_object())
    for (auto it = recorded.begin(); it != recorded.end(); ++it)
      if (!recomputed.is_object() || !recomputed.contains(it.key()))
        add(it.key(), it.value(), null_value);
  return out;
}

// The person as the pack reads it: the recorded inputs that had a value. Inputs the pack does
// not declare (replaying under another version) are left out and listed in `ignored`.
std::string person_of(const Json& record, const Pack& pack, std::string& ignored) {
  Json person = Json::object();
  const Json& inputs = member(record, "inputs", "the record");
  for (auto it = inputs.begin(); it != inputs.end(); ++it) {
    const Json& value = it.value().is_object() && it.value().contains("value")
                            ? it.value().at("value")
                            : it.value();
    if (value.is_null()) continue;
    if (pack.inputs().index_of(it.key()) < 0) {
      ignored += (ignored.empty() ? "" : ", ") + it.key();
      continue;
    }
    person[it.key()] = value;
  }
  return dump(person);
}

struct Replayer {
  std::map<std::string, std::unique_ptr<Orienter>, std::less<>> orienters;

  const Orienter& orienter_for(const Pack& pack) {
    auto it = orienters.find(pack.hash());
    if (it == orienters.end())
      it = orienters.emplace(pack.hash(), std::make_unique<Orienter>(pack)).first;
    return *it->second;
  }
};

struct Recomputed {
  bool ok = false;
  Json outputs;
  std::string message;
};

Recomputed recompute(Replayer& replayer, const Pack& pack, const Json& record,
                     std::string& ignored) {
  Recomputed r;
  const auto date = Date::parse(text_of(member(record, "reference_date", "the record")));
  if (!date) {
    r.message = "the record's reference_date is not a date";
    return r;
  }
  const Proposal p = replayer.orienter_for(pack).propose(person_of(record, pack, ignored), *date);
  if (!p.errors.empty()) {
    r.message = "the person is rejected now: " + p.errors.front().describe();
    return r;
  }
  r.outputs = Json::parse(p.outputs_json);
  r.ok = true;
  return r;
}

std::string engine_note(const Json& record) {
  auto it = record.find("engine");
  if (it == record.end() || !it->is_string() || *it == engine_version()) return {};
  return "recorded with engine " + it->get<std::string>() + ", replayed with " +
         std::string(engine_version());
}

void count(ReplayReport& report, ReplayItem item) {
  switch (item.outcome) {
    case ReplayItem::Outcome::identical:
      ++report.identical;
      break;
    case ReplayItem::Outcome::different:
      ++report.different;
      break;
    case ReplayItem::Outcome::pack_missing:
      ++report.pack_missing;
      break;
    case ReplayItem::Outcome::error:
      ++report.errors;
      break;
  }
  report.items.push_back(std::move(item));
}

// The decision part of a record, checked against the proposal it decides: a policy decision
// confirms the proposal's outputs unchanged; a human decision names a role, gives a reason
// when it changes the proposal, and every decision has a valid timestamp. "" when sound.
std::string check_decision(const Json& record) {
  const Json& decision = member(record, "decision", "the record");
  const Json& proposal = member(record, "proposal", "the record");
  const std::string action = text_of(member(decision, "action", "the decision"));
  const std::string by = text_of(member(decision, "decided_by", "the decision"));
  std::string problems;
  auto add = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
  if (action != "confirm" && action != "override" && action != "reorient")
    add("the decision's action \"" + bounded_text(action, 32) + "\" is unknown");
  try {
    check_timestamp(text_of(member(decision, "decided_at", "the decision")));
  } catch (const Error& e) {
    add(e.message());
  }
  const Json& decided = member(decision, "outputs", "the decision");
  const Json& proposed = member(proposal, "outputs", "the proposal");
  if (by == "policy") {
    if (action != "confirm") add("a policy decision may only confirm, not " + action);
    if (!decided.is_null() && !diff_outputs(proposed, decided).empty())
      add("a policy decision changed the proposal's outputs (" +
          bounded_text(diff_outputs(proposed, decided)) + ")");
  } else if (by == "human") {
    try {
      check_actor_role(text_of(member(decision, "actor_role", "the decision")));
    } catch (const Error& e) {
      add(e.message());
    }
    const Json& reason = member(decision, "reason", "the decision");
    if (action != "confirm" && (!reason.is_string() || reason.get<std::string>().empty()))
      add("a human " + action + " without a reason");
    if (action == "confirm" && !decided.is_null() && decided != proposed)
      add("a confirmation changed the proposal's outputs (" +
          bounded_text(diff_outputs(proposed, decided)) + ")");
  } else {
    add("decided_by \"" + bounded_text(by, 32) + "\" is neither policy nor human");
  }
  return problems;
}

template <typename Body>
ReplayReport replay_each(const std::vector<std::string>& records, std::uint64_t first_line,
                         Body body) {
  ReplayReport report;
  for (std::size_t k = 0; k < records.size(); ++k) {
    ReplayItem item;
    item.line = first_line + k;
    try {
      const Json record = Json::parse(records[k]);
      if (auto it = record.find("person"); it != record.end() && it->is_string())
        item.person = it->get<std::string>();
      body(record, item);
    } catch (const Error& e) {
      item.outcome = ReplayItem::Outcome::error;
      item.message = e.describe();
    } catch (const std::exception& e) {
      item.outcome = ReplayItem::Outcome::error;
      item.message = std::string("the record is not a decision record: ") + e.what();
    }
    count(report, std::move(item));
  }
  return report;
}

void append_note(std::string& message, const std::string& note) {
  if (note.empty()) return;
  if (!message.empty()) message += "; ";
  message += note;
}

}  // namespace

std::string ReplayReport::to_text() const {
  std::string out;
  for (const ReplayItem& item : items) {
    if (item.outcome == ReplayItem::Outcome::identical && item.message.empty()) continue;
    out += "line " + std::to_string(item.line) + " " + std::string(outcome_name(item.outcome));
    if (!item.person.empty()) out += " " + item.person;
    std::string detail = item.diff;
    append_note(detail, item.message);
    if (!detail.empty()) out += ": " + detail;
    out += '\n';
  }
  out += std::to_string(items.size()) + " records: " + std::to_string(identical) + " identical, " +
         std::to_string(different) + " different, " + std::to_string(pack_missing) +
         " pack missing, " + std::to_string(errors) + " errors\n";
  return out;
}

std::string ReplayReport::to_json() const {
  std::string items_text = "[";
  for (const ReplayItem& item : items) {
    if (item.outcome == ReplayItem::Outcome::identical && item.message.empty()) continue;
    Json o;
    o["line"] = item.line;
    o["outcome"] = outcome_name(item.outcome);
    o["person"] = item.person;
    o["diff"] = item.diff;
    o["message"] = item.message;
    if (items_text.size() > 1) items_text += ',';
    items_text += dump(o);
  }
  items_text += ']';
  Json out;
  out["records"] = items.size();
  out["identical"] = identical;
  out["different"] = different;
  out["pack_missing"] = pack_missing;
  out["errors"] = errors;
  std::string text = dump(out);
  text.insert(text.size() - 1, ",\"items\":" + items_text);
  return text;
}

ReplayReport replay_log(const std::string& log_path, const Registry& packs) {
  return replay_records(read_log_records(log_path), packs);
}

ReplayReport replay_log_against(const std::string& log_path, const Pack& against) {
  return replay_records_against(read_log_records(log_path), against);
}

ReplayReport replay_records(const std::vector<std::string>& records, const Registry& packs,
                            std::uint64_t first_line) {
  Replayer replayer;
  return replay_each(records, first_line, [&](const Json& record, ReplayItem& item) {
    const Json& pack_ref = member(record, "pack", "the record");
    const std::string hash = text_of(member(pack_ref, "hash", "the record's pack"));
    const Pack* pack = packs.find_hash(hash);
    if (!pack) {
      item.outcome = ReplayItem::Outcome::pack_missing;
      item.message = "no pack " + pack_ref.value("id", std::string("?")) + " " +
                     pack_ref.value("version", std::string("?")) + " with hash " + hash;
      return;
    }
    std::string ignored;
    const Recomputed r = recompute(replayer, *pack, record, ignored);
    if (!r.ok) {
      item.outcome = ReplayItem::Outcome::error;
      item.message = r.message;
      return;
    }
    item.diff = diff_outputs(
        member(member(record, "proposal", "the record"), "outputs", "the proposal"), r.outputs);
    item.outcome =
        item.diff.empty() ? ReplayItem::Outcome::identical : ReplayItem::Outcome::different;
    if (item.outcome == ReplayItem::Outcome::different)
      append_note(item.message, engine_note(record));
    // The proposal replays; the decision taken on it must hold too.
    // A different proposal is reported as such (with its diff); an identical one with an
    // unsound decision is an error.
    if (const std::string problems = check_decision(record); !problems.empty()) {
      if (item.outcome == ReplayItem::Outcome::identical) item.outcome = ReplayItem::Outcome::error;
      append_note(item.message, "decision: " + problems);
    }
    if (!ignored.empty()) append_note(item.message, "inputs the pack does not declare: " + ignored);
  });
}

ReplayReport replay_records_against(const std::vector<std::string>& records, const Pack& against,
                                    std::uint64_t first_line) {
  Replayer replayer;
  return replay_each(records, first_line, [&](const Json& record, ReplayItem& item) {
    std::string ignored;
    const Recomputed r = recompute(replayer, against, record, ignored);
    if (!r.ok) {
      item.outcome = ReplayItem::Outcome::error;
      item.message = r.message;
      return;
    }
    item.diff = diff_outputs(
        member(member(record, "proposal", "the record"), "outputs", "the proposal"), r.outputs);
    item.outcome =
        item.diff.empty() ? ReplayItem::Outcome::identical : ReplayItem::Outcome::different;
    // What the counsellor decided matters as much as what was proposed: a rule change may
    // agree with past overrides, or move people a human had confirmed.
    // A confirmed decision has the proposal's outputs: only overrides say something more.
    const Json& decision = member(record, "decision", "the record");
    const std::string action = decision.value("action", std::string("confirm"));
    if (auto it = decision.find("outputs");
        action != "confirm" && it != decision.end() && it->is_object()) {
      const std::string vs_decision = diff_outputs(*it, r.outputs);
      append_note(item.message, vs_decision.empty()
                                    ? "now agrees with the counsellor's " + action
                                    : "vs the counsellor's " + action + ": " + vs_decision);
    }
    if (!ignored.empty()) append_note(item.message, "inputs the pack does not declare: " + ignored);
  });
}

}  // namespace v1
}  // namespace aiguillage
