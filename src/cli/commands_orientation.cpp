// orient, decide, notice, log verify and replay: orientation proposals, the decisions humans
// (or the deployment's policy) take on them, the notices, and the audit of the decision log.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/audit/replay.hpp"
#include "aiguillage/core/version.hpp"
#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"
#include "cli.hpp"
#include "core/json_read.hpp"
#include "person_input.hpp"
#include "progress.hpp"
#include "service/server.hpp"

namespace aiguillage::cli {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMinKeyBytes = kMinPseudonymKeyBytes;

std::string dump(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Date required_date(const Args& args) {
  auto d = args.get("--date");
  if (!d) throw UsageError("--date YYYY-MM-DD is required: nothing reads the clock");
  auto date = Date::parse(*d);
  if (!date) throw UsageError("--date must be a valid date YYYY-MM-DD, not \"" + *d + "\"");
  return *date;
}

std::string language(const Args& args) {
  std::string lang = args.get("--lang").value_or("fr");
  if (lang != "fr" && lang != "en")
    throw UsageError("--lang must be fr or en, not \"" + lang + "\"");
  return lang;
}

std::string errors_json(const std::vector<Error>& errors) {
  std::string out = "[";
  for (std::size_t k = 0; k < errors.size(); ++k) {
    const Error& e = errors[k];
    if (k) out += ',';
    out += "{\"code\":" + std::to_string(static_cast<int>(e.code())) + ",\"name\":\"" +
           std::string(error_code_name(e.code())) + "\",\"message\":" + json_string(e.message()) +
           ",\"pointer\":" + json_string(e.pointer()) + '}';
  }
  return out + ']';
}

std::string error_line(std::size_t line, const std::vector<Error>& errors) {
  return "{\"line\":" + std::to_string(line) +
         ",\"status\":\"error\",\"errors\":" + errors_json(errors) + "}\n";
}

// A person as read from the input: "person_id" identifies the person to the deployment and is
// no input of the pack, so it is taken out before evaluation.
struct Person {
  std::string text;  // what the pack reads
  std::optional<std::string> id;
  bool id_integer = false;  // the identifier was a JSON integer, not a string
  std::optional<Error> error;
};

// Identifiers of different JSON types are different persons ("1" is not 1).
std::string person_key(const std::string& id, bool integer) {
  return (integer ? "i:" : "s:") + id;
}

// Finds the top-level member "person_id" of a JSON object text without parsing the whole
// object: [begin, end) is the text to remove with one adjacent comma, `value` the member's
// value. False when the text is not a plain object holding that member; the caller then falls
// back to a full parse, which also reports malformed text.
bool find_person_id(std::string_view text, std::size_t& begin, std::size_t& end,
                    std::string_view& value) {
  constexpr std::string_view kKey = "\"person_id\"";
  auto ws = [&](std::size_t i) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
      ++i;
    return i;
  };
  std::size_t i = ws(0);
  if (i >= text.size() || text[i] != '{') return false;
  int depth = 0;
  bool in_string = false, expect_key = false;
  std::size_t last_comma = std::string_view::npos;  // of the previous member, at depth 1
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      if (depth == 1 && expect_key && text.substr(i, kKey.size()) == kKey) {
        std::size_t colon = ws(i + kKey.size());
        if (colon >= text.size() || text[colon] != ':') return false;
        const std::size_t value_begin = ws(colon + 1);
        // The value ends at the next comma or closing brace of this object.
        int d = 0;
        bool s = false;
        std::size_t k = value_begin;
        for (; k < text.size(); ++k) {
          const char x = text[k];
          if (s) {
            if (x == '\\')
              ++k;
            else if (x == '"')
              s = false;
          } else if (x == '"') {
            s = true;
          } else if (x == '{' || x == '[') {
            ++d;
          } else if (x == '}' || x == ']') {
            if (d == 0) break;
            --d;
          } else if (x == ',' && d == 0) {
            break;
          }
        }
        if (k >= text.size()) return false;
        std::size_t value_end = k;
        while (value_end > value_begin &&
               (text[value_end - 1] == ' ' || text[value_end - 1] == '\t' ||
                text[value_end - 1] == '\n' || text[value_end - 1] == '\r'))
          --value_end;
        value = text.substr(value_begin, value_end - value_begin);
        if (text[k] == ',') {
          begin = i;
          end = ws(k + 1);
        } else {
          begin = last_comma != std::string_view::npos ? last_comma : i;
          end = value_end;
        }
        return true;
      }
      in_string = true;
      expect_key = false;
    } else if (c == '{' || c == '[') {
      ++depth;
      expect_key = depth == 1;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
      last_comma = i;
    }
  }
  return false;
}

// The identifier when the value is a plain string (no escape) or a plain integer: taken from
// the text as a JSON parser would read it, without one.
std::optional<std::string> plain_id(std::string_view value) {
  if (value.size() >= 3 && value.front() == '"' && value.back() == '"' &&
      value.find_first_of("\\\"", 1) == value.size() - 1 &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
    return std::string(value.substr(1, value.size() - 2));
  const std::string_view digits = value.substr(!value.empty() && value[0] == '-');
  if (!digits.empty() && digits.size() <= 18 && (digits[0] != '0' || digits.size() == 1) &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      value != "-0")
    return std::string(value);
  return std::nullopt;
}

// Reads a person into `p`, reusing its memory.
void read_person(std::string_view text, Person& p) {
  p.text.assign(text);
  p.id.reset();
  p.id_integer = false;
  p.error.reset();
  if (text.find("\"person_id\"") == std::string_view::npos) return;
  Json id;
  std::size_t begin = 0, end = 0;
  std::string_view value;
  if (find_person_id(text, begin, end, value)) {
    // Cheaper than parsing and writing back the whole object, record after record.
    p.text.erase(begin, end - begin);
    if ((p.id = plain_id(value))) {
      p.id_integer = value.front() != '"';
      return;
    }
    if (detail::find_too_deep(value) != std::string_view::npos) {
      p.error = Error(ErrorCode::type_mismatch,
                      "person_id must be a non-empty string or an integer, not a nested value",
                      "/person_id");
      return;
    }
    id = Json::parse(value, nullptr, false);
  } else {
    // The pack's reader reports what is wrong with a text nested too deep, with its pointer.
    if (detail::find_too_deep(text) != std::string_view::npos) return;
    Json doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("person_id"))
      return;  // the pack's reader reports what is wrong, with its pointer
    id = doc["person_id"];
    doc.erase("person_id");
    p.text = dump(doc);
  }
  if (id.is_string() && !id.get_ref<const std::string&>().empty()) {
    p.id = id.get<std::string>();
  } else if (id.is_number_integer()) {
    p.id = id.dump();
    p.id_integer = true;
  } else {
    p.error = Error(ErrorCode::type_mismatch,
                    "person_id must be a non-empty string or an integer, not " +
                        bounded_text(id.is_discarded() ? std::string(value) : dump(id)),
                    "/person_id");
  }
}

Person read_person(std::string_view text) {
  Person p;
  read_person(text, p);
  return p;
}

Proposal propose(const Orienter& orienter, const Person& person, Date date,
                 bool with_trace = true) {
  if (person.error) {
    Proposal p;
    p.reference_date = date;
    p.status = Status::error;
    p.pack_id = orienter.pack().id();
    p.pack_version = orienter.pack().version();
    p.pack_hash = orienter.pack().hash();
    p.engine_version = std::string(engine_version());
    p.errors.push_back(*person.error);
    return p;
  }
  return orienter.propose(person.text, date, with_trace);
}

// A decision taken outside the tool (an interview, a counsellor's screen), one JSON object per
// line: {"line": N | "person_id": ID, "action", "reason", "outputs", "decided_at", "actor",
// "observations", "legitimate_reason", "contract_signed_at"} (observations and
// legitimate_reason: the hearing some packs require; contract_signed_at: when the engagement
// contract was signed, recorded for the report's contract deadlines).
struct PlannedDecision {
  std::size_t source_line = 0;  // in the decisions file
  std::optional<std::size_t> line;
  std::optional<std::string> person_id;
  bool person_integer = false;
  Action action = Action::confirm;
  std::string reason, outputs, decided_at, actor, contract_signed_at;
  Hearing hearing;
  bool used = false;
};

struct DecisionPlan {
  std::vector<PlannedDecision> items;
  std::map<std::size_t, std::size_t> by_line;
  std::map<std::string, std::size_t, std::less<>> by_person;

  PlannedDecision* find(std::size_t line, const std::optional<std::string>& person_id,
                        bool integer) {
    if (person_id)
      if (auto it = by_person.find(person_key(*person_id, integer)); it != by_person.end())
        return &items[it->second];
    if (auto it = by_line.find(line); it != by_line.end()) return &items[it->second];
    return nullptr;
  }
};

DecisionPlan load_decisions(const std::string& path) {
  DecisionPlan plan;
  const std::string text = read_file(path);
  std::size_t line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view body = std::string_view(text).substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (body.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = path + " line " + std::to_string(line);
    auto fail = [&](const std::string& what, const std::string& pointer = "") {
      return Error(ErrorCode::invalid_document, where + ": " + what, pointer);
    };
    if (body.size() > detail::kMaxJsonLineBytes)
      throw Error(ErrorCode::too_long, where + ": the line is longer than " +
                                           std::to_string(detail::kMaxJsonLineBytes) + " bytes");
    if (const std::size_t deep = detail::find_too_deep(body); deep != std::string_view::npos)
      throw Error(ErrorCode::too_deep, where + ": " + detail::too_deep_message(deep));
    Json doc = Json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) throw fail("not a JSON object");
    PlannedDecision d;
    d.source_line = line;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string& key = it.key();
      const Json& v = it.value();
      const std::string pointer = "/" + json_pointer_token(key);
      if (key == "line") {
        if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0)
          throw fail("line must be a positive integer", pointer);
        d.line = v.get<std::size_t>();
      } else if (key == "person_id") {
        if (v.is_string())
          d.person_id = v.get<std::string>();
        else if (v.is_number_integer())
          d.person_id = v.dump(), d.person_integer = true;
        else
          throw fail("person_id must be a string or an integer", pointer);
      } else if (key == "action") {
        auto a = v.is_string() ? parse_action(v.get<std::string>()) : std::nullopt;
        if (!a) throw fail("action must be confirm, override or reorient", pointer);
        d.action = *a;
      } else if (key == "reason" || key == "decided_at" || key == "actor") {
        if (!v.is_string()) throw fail(key + " must be a string", pointer);
        (key == "reason"  ? d.reason
         : key == "actor" ? d.actor
                          : d.decided_at) = v.get<std::string>();
      } else if (key == "contract_signed_at") {
        if (!v.is_string()) throw fail(key + " must be a string", pointer);
        try {
          check_timestamp(v.get<std::string>(), "contract_signed_at");
        } catch (const Error& e) {
          throw Error(e.code(), where + ": " + e.what(), pointer);
        }
        d.contract_signed_at = v.get<std::string>();
      } else if (key == "observations" || key == "legitimate_reason") {
        if (!v.is_string()) throw fail(key + " must be a string", pointer);
        (key == "observations" ? d.hearing.observations : d.hearing.legitimate_reason) =
            v.get<std::string>();
      } else if (key == "outputs") {
        if (!v.is_object()) throw fail("outputs must be an object", pointer);
        d.outputs = dump(v);
      } else {
        throw fail("unknown field " + bounded_text(key) +
                       " (line, person_id, action, reason, outputs, decided_at, actor, "
                       "observations, legitimate_reason, contract_signed_at)",
                   pointer);
      }
    }
    if (!doc.contains("action")) throw fail("action is required", "/action");
    if (!d.line && !d.person_id) throw fail("line or person_id is required");
    const std::size_t index = plan.items.size();
    if (d.person_id &&
        !plan.by_person.emplace(person_key(*d.person_id, d.person_integer), index).second)
      throw fail("a second decision for person " + bounded_text(*d.person_id), "/person_id");
    if (d.line && !plan.by_line.emplace(*d.line, index).second)
      throw fail("a second decision for line " + std::to_string(*d.line), "/line");
    plan.items.push_back(std::move(d));
  }
  return plan;
}

// Settings shared by decide and notice: who decides what, and when.
struct Deciding {
  std::optional<DecisionPlan> plan;
  std::string actor;  // default role for planned decisions
  std::string at;     // default timestamp
};

Deciding read_deciding(const Args& args, Date date) {
  Deciding s;
  s.actor = args.get("--actor").value_or("");
  s.at = args.get("--at").value_or(date.to_string());
  if (s.at.empty()) throw UsageError("--at needs a timestamp");
  return s;
}

// The decision for one person: the planned one, else the policy's for an evident case, else
// none (the proposal waits for a counsellor). Throws Error for a refused decision.
std::optional<OrientationDecision> decision_for(const Orienter& orienter, Deciding& s,
                                                const Proposal& p, std::size_t line,
                                                const Person& person) {
  if (s.plan)
    if (PlannedDecision* planned = s.plan->find(line, person.id, person.id_integer)) {
      planned->used = true;
      const std::string& actor = planned->actor.empty() ? s.actor : planned->actor;
      if (actor.empty())
        throw Error(ErrorCode::invalid_argument,
                    "the decision on line " + std::to_string(planned->source_line) +
                        " of the decisions file names no actor (give \"actor\" or --actor ROLE)");
      OrientationDecision d =
          orienter.decide(p, actor, planned->action, planned->reason,
                          planned->decided_at.empty() ? s.at : planned->decided_at,
                          planned->outputs, planned->hearing);
      d.contract_signed_at = planned->contract_signed_at;
      return d;
    }
  // A pack never decided by policy waits for a human (the orienter refused --auto already).
  if (orienter.pack().human_decision_required()) return std::nullopt;
  return orienter.auto_decide(p, s.at);
}

// Planned decisions no person matched: a typo in a line number must not pass silently.
bool report_unused(const Deciding& s) {
  if (!s.plan) return false;
  bool any = false;
  for (const PlannedDecision& d : s.plan->items) {
    if (d.used) continue;
    any = true;
    std::string msg =
        "error: the decision on line " + std::to_string(d.source_line) +
        " of the decisions file matches no person (" +
        (d.person_id ? "person_id " + *d.person_id : "line " + std::to_string(d.line.value_or(0))) +
        ")\n";
    std::fwrite(msg.data(), 1, msg.size(), stderr);
  }
  return any;
}

std::string read_key(const Args& args) {
  std::string key;
  if (auto file = args.get("--key-file")) {
    key = read_file(*file);
  } else if (const char* env = std::getenv("AIG_PSEUDONYM_KEY")) {
    key = env;
  } else {
    throw UsageError(
        "a pseudonymisation key is required: --key-file FILE or the environment variable "
        "AIG_PSEUDONYM_KEY");
  }
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' '))
    key.pop_back();
  if (key.size() < kMinKeyBytes)
    throw UsageError("the pseudonymisation key must have at least " + std::to_string(kMinKeyBytes) +
                     " bytes");
  return key;
}

std::string territory_of(const Pack& pack, const Proposal& p) {
  const int field = pack.inputs().index_of("territory");
  if (field < 0 || static_cast<std::size_t>(field) >= p.evaluation.input.values.size()) return {};
  const Value& v = p.evaluation.input.values[static_cast<std::size_t>(field)];
  return v.type() == Type::string ? std::string(v.as_string()) : std::string();
}

std::string person_member(const Person& p) {
  if (!p.id) return {};
  return ",\"person_id\":" + (p.id_integer ? *p.id : json_string(*p.id));
}

}  // namespace

int cmd_orient(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2, {{"--date", true}, {"--trace", false}}, 1, 2);
  const Date date = required_date(args);
  const bool trace = args.has("--trace");
  const std::string input = args.positional.size() > 1 ? args.positional[1] : "-";
  Pack pack;
  try {
    pack = load_pack(args.positional[0]);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  const Orienter orienter(pack);
  bool any_error = false;
  std::string out;
  // Results keep input order; the identifier lets a reader join them back anyway, and the line
  // says which record failed.
  auto emit = [&](std::string_view proposal, bool failed, std::size_t line,
                  const std::optional<std::string>& id) {
    out += '{';
    if (failed) {
      any_error = true;
      out += "\"line\":" + std::to_string(line) + ",";
    } else if (id) {
      out += "\"person_id\":";
      out += json_string(*id);
      out += ',';
    }
    out.append(proposal.substr(1));
    out += '\n';
  };
  // Without the trace, persons go by blocks through the batch path (BulkProposer).
  BulkProposer bulk(orienter, date);
  std::vector<Person> persons;
  std::vector<std::string_view> texts;
  std::vector<std::size_t> where;  // index in the block of each person in texts
  try {
    RecordReader reader(input);
    while (const std::vector<RecordLine>* block = reader.next()) {
      if (persons.size() < block->size()) persons.resize(block->size());
      for (std::size_t k = 0; k < block->size(); ++k) read_person((*block)[k].text, persons[k]);
      auto run_pending = [&] {
        bulk.run(texts, [&](std::size_t k, std::string_view proposal, bool rejected) {
          const std::size_t at = where[k];
          emit(proposal, rejected, (*block)[at].line, persons[at].id);
        });
        texts.clear();
        where.clear();
      };
      for (std::size_t k = 0; k < block->size(); ++k) {
        const Person& person = persons[k];
        if (trace || person.error) {
          run_pending();
          const Proposal p = propose(orienter, person, date, trace);
          emit(proposal_to_json(p, trace), !p.errors.empty(), (*block)[k].line, person.id);
          continue;
        }
        texts.push_back(person.text);
        where.push_back(k);
      }
      run_pending();
      write_out(out);
      out.clear();
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  return any_error ? kExitFailed : kExitOk;
}

int cmd_decide(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         {{"--date", true},
                          {"--actor", true},
                          {"--auto", false},
                          {"--log", true},
                          {"--key-file", true},
                          {"--decisions", true},
                          {"--at", true}},
                         2, 2);
  const Date date = required_date(args);
  auto log_path = args.get("--log");
  if (!log_path || log_path->empty())
    throw UsageError("--log FILE is required: every decision is recorded");
  if (!args.has("--auto") && !args.has("--decisions"))
    throw UsageError("nothing to decide: give --decisions FILE, --auto, or both");
  Deciding s = read_deciding(args, date);
  std::string key;
  try {
    key = read_key(args);
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  Pack pack;
  try {
    pack = load_pack(args.positional[0]);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  if (auto file = args.get("--decisions")) {
    try {
      s.plan = load_decisions(*file);
    } catch (const Error& e) {
      return report(e, kExitLoad);
    }
  }
  std::optional<Orienter> made;
  try {
    made.emplace(pack, OrientationPolicy{args.has("--auto")});  // --auto refused by some packs
  } catch (const Error& e) {
    return report(e, kExitFailed);
  }
  const Orienter& orienter = *made;

  std::size_t persons = 0, by_policy = 0, by_human = 0, pending = 0, errors = 0, before = 0;
  // Test hook: abort after this many records were appended, to prove that every acknowledged
  // decision is durable and that a re-run records each decision once.
  long crash_after = -1;
  if (const char* c = std::getenv("AIG_TEST_CRASH_AFTER_APPENDS")) crash_after = std::atol(c);
  long appended = 0;
  std::optional<DecisionLog> log;
  try {
    log.emplace(*log_path);
  } catch (const Error& e) {
    return report(e, e.code() == ErrorCode::io ? kExitIo : kExitFailed);
  }
  // Each result line is written and flushed as soon as it is known, and a decision's only after
  // its record was synced: what stdout acknowledges is on disk, whatever happens next.
  std::string out;
  auto flush = [&] {
    write_out(out);
    out.clear();
    std::fflush(stdout);
  };
  try {
    RecordReader reader(args.positional[1]);
    while (const std::vector<RecordLine>* block = reader.next()) {
      for (const RecordLine& r : *block) {
        flush();
        ++persons;
        const Person person = read_person(r.text);
        const Proposal p = propose(orienter, person, date);
        if (!p.errors.empty()) {
          ++errors;
          out += error_line(r.line, p.errors);
          continue;
        }
        std::optional<OrientationDecision> d;
        try {
          d = decision_for(orienter, s, p, r.line, person);
        } catch (const Error& e) {
          if (e.code() == ErrorCode::io) throw;
          ++errors;
          out += error_line(r.line, {e});
          continue;
        }
        if (!d) {
          ++pending;
          std::string questions = "[";
          for (const Question& q : p.questions)
            questions += (questions.size() > 1 ? "," : "") + json_string(q.input);
          std::string reasons = "[";
          for (const std::string& code : p.review_reasons)
            reasons += (reasons.size() > 1 ? "," : "") + json_string(code);
          out += "{\"line\":" + std::to_string(r.line) + person_member(person) +
                 ",\"status\":\"pending\",\"evident\":" + (p.evident ? "true" : "false") +
                 ",\"review_reasons\":" + reasons + "],\"questions\":" + questions + "]}\n";
          continue;
        }
        // A record without an identifier could not be joined to the person's other records,
        // or would be joined to someone else's: refused.
        if (!person.id) {
          ++errors;
          out += error_line(r.line, {Error(ErrorCode::identifier_missing,
                                           "the person has no person_id: a decision is recorded "
                                           "under the person's pseudonym, which needs one",
                                           "/person_id")});
          continue;
        }
        DecisionRecordInput in;
        in.person_pseudonym = pseudonymise(key, PersonId{*person.id, person.id_integer});
        in.territory = territory_of(pack, p);
        in.recorded_at = s.at;
        const LoggedRecord logged = log->append_once(make_decision_record(pack, p, *d, in));
        if (!logged.appended) {
          // The same decision on the same proposal is already recorded: a re-run of the same
          // decisions writes nothing twice.
          ++before;
          out += "{\"line\":" + std::to_string(r.line) + person_member(person) +
                 ",\"status\":\"already_recorded\",\"seq\":" + std::to_string(logged.seq) +
                 ",\"hash\":\"" + logged.hash + "\"}\n";
          continue;
        }
        (d->decided_by == DecidedBy::policy ? by_policy : by_human) += 1;
        out += "{\"line\":" + std::to_string(r.line) + person_member(person) +
               ",\"status\":\"decided\",\"seq\":" + std::to_string(logged.seq) + ",\"hash\":\"" +
               logged.hash + "\",\"decision\":" + decision_to_json(*d) + "}\n";
        flush();
        if (crash_after >= 0 && ++appended >= crash_after) std::abort();
      }
      flush();
    }
  } catch (const Error& e) {
    // What was printed so far was recorded; the rest was not.
    write_out(out);
    return report(e, kExitFailed);
  }
  const bool unused = report_unused(s);
  std::string summary =
      std::to_string(persons) + " persons: " + std::to_string(by_policy + by_human) + " decided (" +
      std::to_string(by_policy) + " by policy, " + std::to_string(by_human) + " by a person), " +
      std::to_string(pending) + " pending, " + std::to_string(before) + " already recorded, " +
      std::to_string(errors) + " errors; " + *log_path + ": " + std::to_string(log->size()) +
      " records, last hash " + log->last_hash() + "\n";
  std::fwrite(summary.data(), 1, summary.size(), stderr);
  return errors > 0 || unused ? kExitFailed : kExitOk;
}

int cmd_notice(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         {{"--date", true},
                          {"--lang", true},
                          {"--decisions", true},
                          {"--actor", true},
                          {"--auto", false},
                          {"--at", true}},
                         1, 2);
  const Date date = required_date(args);
  const std::string lang = language(args);
  Deciding s = read_deciding(args, date);
  const std::string input = args.positional.size() > 1 ? args.positional[1] : "-";
  Pack pack;
  try {
    pack = load_pack(args.positional[0]);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  if (auto file = args.get("--decisions")) {
    try {
      s.plan = load_decisions(*file);
    } catch (const Error& e) {
      return report(e, kExitLoad);
    }
  }
  std::optional<Orienter> made;
  try {
    made.emplace(pack, OrientationPolicy{args.has("--auto")});  // --auto refused by some packs
  } catch (const Error& e) {
    return report(e, kExitFailed);
  }
  const Orienter& orienter = *made;
  bool any_error = false, first = true;
  std::string out;
  try {
    RecordReader reader(input);
    while (const std::vector<RecordLine>* block = reader.next()) {
      for (const RecordLine& r : *block) {
        // A form feed between notices: each starts on its own page when printed.
        if (!first) out += "\f\n";
        first = false;
        const Person person = read_person(r.text);
        const Proposal p = propose(orienter, person, date);
        std::optional<OrientationDecision> d;
        std::vector<Error> errors = p.errors;
        if (errors.empty()) try {
            d = decision_for(orienter, s, p, r.line, person);
          } catch (const Error& e) {
            errors.push_back(e);
          }
        if (!errors.empty()) {
          any_error = true;
          for (const Error& e : errors)
            out += "line " + std::to_string(r.line) + ": error: " + e.describe() + "\n";
          continue;
        }
        std::string text = notice_text(pack, p, d ? &*d : nullptr, lang);
        if (!text.empty() && text.back() != '\n') text += '\n';
        out += text;
      }
      write_out(out);
      out.clear();
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  // A notice run may cover a few persons of a larger decisions file: unused entries are fine.
  return any_error ? kExitFailed : kExitOk;
}

int cmd_log(int argc, char** argv) {
  if (service::wants_log_backend(argc, argv)) return service::cmd_log_backend(argc, argv);
  if (argc < 3 || std::string_view(argv[2]) != "verify")
    throw UsageError(argc < 3 ? "missing log command (verify, export, import, checkpoint)"
                              : "unknown log command " + std::string(argv[2]) +
                                    " (verify, export, import, checkpoint)");
  Args args =
      parse_args(argc, argv, 3, {{"--json", false}, {"--head", true}, {"--lines", true}}, 1, 1);
  std::optional<LogAnchor> anchor;
  if (auto head = args.get("--head")) {
    if (head->size() != 71 || !head->starts_with("sha256:") ||
        head->find_first_not_of("0123456789abcdef", 7) != std::string::npos)
      throw UsageError("--head must be a line hash \"sha256:\" + 64 hexadecimal digits");
    anchor = LogAnchor{*head, std::nullopt};
    if (auto lines = args.get("--lines")) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(lines->c_str(), &end, 10);
      if (lines->empty() || *end != '\0' || n == 0 || (*lines)[0] == '-')
        throw UsageError("--lines must be a positive line count");
      anchor->lines = n;
    }
  } else if (args.has("--lines")) {
    throw UsageError("--lines needs --head HASH (the anchored line's hash)");
  }
  LogVerification v;
  try {
    v = anchor ? verify_log(args.positional[0], *anchor) : verify_log(args.positional[0]);
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  if (args.has("--json")) {
    write_out("{\"ok\":" + std::string(v.ok ? "true" : "false") + ",\"records\":" +
              std::to_string(v.lines) + ",\"first_bad\":" + std::to_string(v.first_bad) +
              ",\"torn_tail\":" + (v.torn_tail ? "true" : "false") + ",\"message\":" +
              json_string(v.message) + ",\"last_hash\":\"" + v.last_hash + "\"}\n");
  } else if (v.ok) {
    write_out("ok: " + std::to_string(v.lines) + " records, last hash " + v.last_hash + "\n");
  } else {
    write_out("broken at line " + std::to_string(v.first_bad) + ": " + v.message + "\n" +
              std::to_string(v.lines) + " valid records before it, last valid hash " + v.last_hash +
              "\n");
  }
  return v.ok ? kExitOk : kExitFailed;
}

int cmd_replay(int argc, char** argv) {
  if (service::wants_replay_db(argc, argv)) return service::cmd_replay_db(argc, argv);
  Args args =
      parse_args(argc, argv, 2, {{"--packs", true}, {"--against", true}, {"--json", false}}, 1, 1);
  auto packs_dir = args.get("--packs");
  auto against_path = args.get("--against");
  if (!packs_dir && !against_path) throw UsageError("--packs DIR is required (or --against PACK)");
  if (packs_dir && against_path)
    throw UsageError(
        "--packs and --against exclude each other: --against replays every record "
        "under one pack");
  const std::string& log_path = args.positional[0];
  progress::stage("replaying " + log_path);
  ReplayReport report;
  if (against_path) {
    Pack against;
    try {
      against = load_pack(*against_path);
    } catch (const Error& e) {
      return cli::report(e, kExitLoad);
    }
    try {
      report = replay_log_against(log_path, against);
    } catch (const Error& e) {
      return cli::report(e, kExitFailed);
    }
  } else {
    Registry registry;
    std::vector<Error> skipped;
    try {
      registry.load_dir(*packs_dir, skipped);
    } catch (const Error& e) {
      return cli::report(e, kExitLoad);
    }
    // A broken pack.json under the folder does not hide the others: records that need it come
    // out as "pack missing".
    for (const Error& e : skipped) {
      const std::string msg = "warning: skipped " + e.describe() + "\n";
      std::fwrite(msg.data(), 1, msg.size(), stderr);
    }
    try {
      report = replay_log(log_path, registry);
    } catch (const Error& e) {
      return cli::report(e, kExitFailed);
    }
  }
  write_out(args.has("--json") ? report.to_json() + "\n" : report.to_text());
  // Under another version differences are the answer sought; under the recorded one, nothing
  // explains them.
  const bool failed =
      report.errors > 0 || report.pack_missing > 0 || (!against_path && report.different > 0);
  return failed ? kExitFailed : kExitOk;
}

PersonInput read_person_input(std::string_view text) {
  Person p = read_person(text);
  return PersonInput{std::move(p.text), std::move(p.id), std::move(p.error)};
}

}  // namespace aiguillage::cli
