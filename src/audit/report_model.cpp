#include "report_model.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <set>
#include <thread>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "core/json_read.hpp"
#include "core/parallel.hpp"
#include "report_json_view.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

namespace {

using Json = nlohmann::json;
namespace jv = json_view;

// Runs fn(k) for k in [0, n) on up to `threads` threads, in contiguous ranges.
template <typename Fn>
void parallel_for(std::size_t n, unsigned threads, Fn&& fn) {
  threads = std::max(1u, std::min<unsigned>(threads, 8));
  if (n < 64 || threads == 1) {
    for (std::size_t k = 0; k < n; ++k) fn(k);
    return;
  }
  auto range = [&](unsigned t) {
    const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
    for (std::size_t k = begin; k < end; ++k) fn(k);
  };
  detail::run_on_threads(threads, [&](std::size_t t) { range(static_cast<unsigned>(t)); });
}

std::int32_t date_days(std::string_view v) {
  std::string_view text;
  std::string decoded;
  if (!jv::plain_string(v, text)) {
    if (!jv::string_value(v, decoded)) return kNull;
    text = decoded;
  }
  const auto d = Date::parse(text.substr(0, 10));
  return d ? d->days : kNull;
}

std::int32_t years_between(std::int32_t from_days, std::int32_t to_days) {
  if (from_days == kNull || to_days == kNull) return kNull;
  int y0, m0, d0, y1, m1, d1;
  Date{from_days}.to_ymd(y0, m0, d0);
  Date{to_days}.to_ymd(y1, m1, d1);
  int years = y1 - y0;
  if (m1 < m0 || (m1 == m0 && d1 < d0)) --years;
  return years;
}

VersionModel make_version(const Pack& pack) {
  static std::atomic<std::uint64_t> serials{0};
  VersionModel v;
  v.serial = ++serials;
  v.pack = &pack;
  v.id = pack.id();
  v.version = pack.version();
  v.hash = pack.hash();
  const auto& decisions = pack.decisions();
  for (std::size_t d = 0; d < decisions.size(); ++d)
    for (const OutputSpec& o : decisions[d].outputs) {
      if (o.type != FieldType::enumeration && o.type != FieldType::boolean) continue;
      // A collecting table gives a list (the review reasons): counted apart.
      if (decisions[d].kind == Decision::Kind::table && !is_single_hit(decisions[d].hit_policy))
        continue;
      ReportedOutput r;
      r.name = o.name;
      r.slot = o.slot;
      r.decision = static_cast<int>(d);
      r.spec = &o;
      if (o.type == FieldType::boolean) {
        r.categories.intern("true");
        r.categories.intern("false");
      } else {
        for (const std::string& value : o.values) r.categories.intern(Json(value).dump());
      }
      r.categories.intern("null");
      v.outputs.push_back(std::move(r));
    }
  for (std::size_t d = 0; d < decisions.size(); ++d)
    for (const OutputSpec& o : decisions[d].outputs)
      if (o.name == "review_reasons")
        for (const std::string& value : o.values) v.reasons.intern(value);
  v.strings.resize(pack.inputs().size());
  v.rule_ids.resize(decisions.size());
  for (std::size_t d = 0; d < decisions.size(); ++d) {
    v.decision_ids.intern(decisions[d].id);
    // The last rule of an id wins, as a search from the first would find it last.
    for (std::size_t k = 0; k < decisions[d].rules.size(); ++k) {
      v.rule_ids[d].intern(decisions[d].rules[k].id);
      v.rule_ids[d].index[decisions[d].rules[k].id] = static_cast<std::int32_t>(k);
    }
  }
  return v;
}

bool wanted(const Row& row, const Model& m, const ReportOptions& options) {
  if (options.from && (row.reference_days == kNull || row.reference_days < options.from->days))
    return false;
  if (options.to && (row.reference_days == kNull || row.reference_days > options.to->days))
    return false;
  if (!options.territories.empty()) {
    if (row.territory == kNull) return false;
    const std::string& t = m.territories.items[static_cast<std::size_t>(row.territory)];
    if (std::find(options.territories.begin(), options.territories.end(), t) ==
        options.territories.end())
      return false;
  }
  return true;
}

// A log line in the layout every backend writes:
// {"seq":N,"prev":"sha256:…","record":R,"hash":"sha256:…"}.
struct LineParts {
  bool ok = false;
  std::string_view seq, prev, record, hash;
};

LineParts split_line(std::string_view line) {
  constexpr std::string_view kSeq = "{\"seq\":", kPrev = ",\"prev\":\"",
                             kRecord = "\",\"record\":", kHash = ",\"hash\":\"", kEnd = "\"}";
  constexpr std::size_t kHashSize = 71;  // "sha256:" and 64 hex digits
  LineParts p;
  if (line.size() > detail::kMaxJsonLineBytes || line.substr(0, kSeq.size()) != kSeq) return p;
  std::size_t j = kSeq.size();
  while (j < line.size() && line[j] >= '0' && line[j] <= '9') ++j;
  p.seq = line.substr(kSeq.size(), j - kSeq.size());
  if (line.substr(j, kPrev.size()) != kPrev) return p;
  j += kPrev.size();
  p.prev = line.substr(j, kHashSize);
  j += kHashSize;
  if (line.substr(j, kRecord.size()) != kRecord) return p;
  j += kRecord.size();
  const std::size_t tail = kHash.size() + kHashSize + kEnd.size();
  if (line.size() < j + tail) return p;
  const std::size_t record_end = line.size() - tail;
  if (line.substr(record_end, kHash.size()) != kHash ||
      line.substr(line.size() - kEnd.size()) != kEnd)
    return p;
  p.record = line.substr(j, record_end - j);
  p.hash = line.substr(record_end + kHash.size(), kHashSize);
  p.ok = true;
  return p;
}

// Everything of a line but its place in the chain: the layout, the record's canonical form and
// the line's own hash. With the seq and prev checked in order, this is what verify_log checks.
bool line_verifies(const LineParts& p, std::string& scratch, TopMembers& top) {
  if (!p.ok || p.record.empty() || p.record.front() != '{') return false;
  if (!is_canonical_record(p.record, &top)) return false;
  scratch.assign(p.prev);
  scratch.append(p.record);
  const std::string hex = to_hex(sha256(scratch));
  return p.hash.size() == 7 + hex.size() && p.hash.substr(0, 7) == "sha256:" &&
         p.hash.substr(7) == hex;
}

// The members of a record the report reads.
struct RecordSpans {
  std::string_view pack, reference_date, inputs, territory, person, proposal, decision;
  bool has_reference_date = false, has_inputs = false;
};

void record_member(std::string_view key, std::string_view value, RecordSpans& s) {
  {
    switch (key.empty() ? 0 : key[0]) {
      case 'd':
        if (key == "decision") s.decision = value;
        break;
      case 'i':
        if (key == "inputs") {
          s.inputs = value;
          s.has_inputs = true;
        }
        break;
      case 'p':
        if (key == "pack")
          s.pack = value;
        else if (key == "person")
          s.person = value;
        else if (key == "proposal")
          s.proposal = value;
        break;
      case 'r':
        if (key == "reference_date") {
          s.reference_date = value;
          s.has_reference_date = true;
        }
        break;
      case 't':
        if (key == "territory") s.territory = value;
        break;
      default:
        break;
    }
  }
}

bool record_spans(std::string_view record, RecordSpans& s) {
  return jv::members(
      record, [&](std::string_view key, std::string_view value) { record_member(key, value, s); });
}

// A string met while reading a row in parallel that its dictionary did not hold yet: interned
// afterwards, in the order of the records, so that numbering stays deterministic.
struct Miss {
  enum class Kind : std::uint8_t { proposed, decided, reason, input, territory, attribute };
  Kind kind;
  std::uint32_t index;  // output, reason position, input field or attribute
  std::string text;
};

struct Pending {
  std::uint64_t line = 0;
  std::string owned;  // the record's text when it is not a view of the source's line
  std::string_view record;
  RecordSpans spans;
  int version = -1;  // -1: unreadable, -2: pack missing
  bool read = false;
  Row row;
  std::vector<Miss> misses;
};

std::int32_t category_code(const ReportedOutput& o, std::string_view value, Pending& pending,
                           Miss::Kind kind, std::size_t index) {
  std::string_view plain;
  bool exact = value == "true" || value == "false" || value == "null";
  if (!exact && jv::plain_string(value, plain)) {
    exact = true;
    for (char c : plain)
      if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20)
        exact = false;
  }
  std::string text = exact ? std::string() : jv::dump(value);
  const std::int32_t code = o.categories.find(exact ? value : std::string_view(text));
  if (code != kNull) return code;
  pending.misses.push_back(
      {kind, static_cast<std::uint32_t>(index), exact ? std::string(value) : std::move(text)});
  return kNull;
}

std::int32_t encode_input(const VersionModel& v, std::size_t field, std::string_view value,
                          Pending& pending) {
  if (value.empty() || jv::is_null(value)) return kNull;
  const FieldSpec& spec = v.pack->inputs().field(field);
  switch (spec.type) {
    case FieldType::boolean:
      return value == "true" ? 1 : value == "false" ? 0 : kNull;
    case FieldType::integer: {
      if (value.find_first_of(".eE") != std::string_view::npos) return kNull;
      const char* end = value.data() + value.size();
      std::int64_t n = 0;
      if (std::from_chars(value.data(), end, n).ptr != end) {
        std::uint64_t u = 0;
        if (std::from_chars(value.data(), end, u).ptr != end) return kNull;
        n = static_cast<std::int64_t>(u);
      }
      return static_cast<std::int32_t>(std::clamp<std::int64_t>(n, INT32_MIN + 1, INT32_MAX));
    }
    case FieldType::enumeration: {
      std::string_view text;
      std::string decoded;
      if (!jv::plain_string(value, text)) {
        if (!jv::string_value(value, decoded)) return kNull;
        text = decoded;
      }
      return spec.enum_index(text);
    }
    case FieldType::date:
      return date_days(value);
    case FieldType::string: {
      std::string text;
      if (!jv::string_value(value, text)) return kNull;
      const std::int32_t code = v.strings[field].find(text);
      if (code == kNull)
        pending.misses.push_back({Miss::Kind::input, static_cast<std::uint32_t>(field), text});
      return code;
    }
    default: {
      std::string text = jv::dump(value);  // decimals and lists: as their JSON text
      const std::int32_t code = v.strings[field].find(text);
      if (code == kNull)
        pending.misses.push_back(
            {Miss::Kind::input, static_cast<std::uint32_t>(field), std::move(text)});
      return code;
    }
  }
}

// The index found for the member name at each position of an object: canonical records sort
// their keys, so record after record the same names come at the same places, and a comparison
// of the name replaces a search.
class PositionCache {
 public:
  template <class Find>
  int get(std::size_t position, std::string_view name, Find&& find) {
    if (position < at_.size() && at_[position].first == name) return at_[position].second;
    const int found = find(name);
    if (position >= at_.size()) at_.resize(position + 1);
    at_[position] = {std::string(name), found};
    return found;
  }

 private:
  std::vector<std::pair<std::string, int>> at_;
};

// A reading thread's caches for one version (by its serial, never reused).
struct ReaderCaches {
  std::uint64_t serial = 0;
  PositionCache inputs, proposed, decided;
};

ReaderCaches& caches_for(const VersionModel& v) {
  thread_local std::vector<ReaderCaches> caches;
  for (ReaderCaches& c : caches)
    if (c.serial == v.serial) return c;
  if (caches.size() >= 8) caches.erase(caches.begin());
  caches.emplace_back();
  caches.back().serial = v.serial;
  return caches.back();
}

// The row of one record of version `v`; false when the record cannot be read. Reads the model
// and its dictionaries only: strings they lack go to pending.misses.
bool fill_row(const VersionModel& v, const Model& m, const ReportOptions& options,
              Pending& pending) {
  const RecordSpans& s = pending.spans;
  Row& row = pending.row;
  const Pack& pack = *v.pack;
  const InputSchema& schema = pack.inputs();
  if (!s.has_reference_date || !s.has_inputs || !jv::is_object(s.proposal) ||
      !jv::is_object(s.decision))
    return false;
  row.line = pending.line;
  row.reference_days = date_days(s.reference_date);
  ReaderCaches& cache = caches_for(v);
  row.inputs.assign(schema.size(), kNull);
  std::size_t position = 0;
  jv::members(s.inputs, [&](std::string_view name, std::string_view given) {
    const int f =
        cache.inputs.get(position++, name, [&](std::string_view n) { return schema.index_of(n); });
    if (f < 0 || f == pack.reference_date_field()) return;
    std::string_view value = given;
    if (jv::is_object(given)) {
      const std::string_view inner = jv::member(given, "value");
      if (!inner.empty()) value = inner;
    }
    row.inputs[static_cast<std::size_t>(f)] =
        encode_input(v, static_cast<std::size_t>(f), value, pending);
  });
  if (const int f = pack.reference_date_field(); f >= 0)
    row.inputs[static_cast<std::size_t>(f)] = row.reference_days;
  if (std::string territory; jv::string_value(s.territory, territory)) {
    row.territory = m.territories.find(territory);
    if (row.territory == kNull) pending.misses.push_back({Miss::Kind::territory, 0, territory});
  }
  if (const int f = schema.index_of("registration_date"); f >= 0)
    row.registration_days = row.inputs[static_cast<std::size_t>(f)];
  if (const int f = schema.index_of("birth_date"); f >= 0)
    row.age = years_between(row.inputs[static_cast<std::size_t>(f)], row.reference_days);

  // The proposal's and the decision's members, each in one pass.
  std::string_view evident, proposed, reasons, questions, fired;
  jv::members(s.proposal, [&](std::string_view key, std::string_view value) {
    switch (key.empty() ? 0 : key[0]) {
      case 'e':
        if (key == "evident") evident = value;
        break;
      case 'o':
        if (key == "outputs") proposed = value;
        break;
      case 'r':
        if (key == "review_reasons") reasons = value;
        break;
      case 'q':
        if (key == "questions") questions = value;
        break;
      case 'f':
        if (key == "fired") fired = value;
        break;
      default:
        break;
    }
  });
  std::string_view action = "\"confirm\"", decided_by, decided_at, decided, contract_signed_at;
  jv::members(s.decision, [&](std::string_view key, std::string_view value) {
    if (key == "action")
      action = value;
    else if (key == "decided_by")
      decided_by = value;
    else if (key == "decided_at")
      decided_at = value;
    else if (key == "outputs")
      decided = value;
    else if (key == "contract_signed_at")
      contract_signed_at = value;
  });
  // A member present with another type than expected makes the record unreadable.
  if (!evident.empty() && evident != "true" && evident != "false") return false;
  row.evident = evident == "true";
  std::string text;
  if (!jv::string_value(action, text)) return false;
  row.action = text == "override" ? 1 : text == "reorient" ? 2 : 0;
  text.clear();
  if (!decided_by.empty() && !jv::string_value(decided_by, text)) return false;
  row.policy = text == "policy";
  row.decided_days = date_days(decided_at);
  if (!contract_signed_at.empty()) row.contract_days = date_days(contract_signed_at);
  if (!jv::is_object(decided)) decided = jv::is_object(proposed) ? proposed : std::string_view();
  if (!jv::is_object(proposed)) proposed = {};
  const std::size_t n_out = v.outputs.size();
  row.proposed.assign(n_out, kNull);
  row.decided.assign(n_out, kNull);
  thread_local std::vector<std::string_view> proposed_values, decided_values;
  proposed_values.assign(n_out, {});
  decided_values.assign(n_out, {});
  // The reported output of a member name, or -1.
  const auto output_of = [&](std::string_view name) {
    for (std::size_t o = 0; o < n_out; ++o)
      if (v.outputs[o].name == name) return static_cast<int>(o);
    return -1;
  };
  auto collect = [&](std::string_view outputs, std::vector<std::string_view>& values) {
    PositionCache& names = &values == &proposed_values ? cache.proposed : cache.decided;
    std::size_t at = 0;
    jv::members(outputs, [&](std::string_view name, std::string_view value) {
      if (const int o = names.get(at++, name, output_of); o >= 0)
        values[static_cast<std::size_t>(o)] = value;
      if (&values == &proposed_values && name == "date_limite_orientation")
        row.deadline_days = date_days(value);
      if (&values == &proposed_values && name == "date_limite_contrat")
        row.contract_deadline_days = date_days(value);
    });
  };
  collect(proposed, proposed_values);
  collect(decided, decided_values);
  for (std::size_t o = 0; o < n_out; ++o) {
    const ReportedOutput& out = v.outputs[o];
    const std::string_view p = proposed_values[o].empty() ? "null" : proposed_values[o];
    const std::string_view d = decided_values[o].empty() ? "null" : decided_values[o];
    row.proposed[o] = category_code(out, p, pending, Miss::Kind::proposed, o);
    row.decided[o] = category_code(out, d, pending, Miss::Kind::decided, o);
  }
  jv::items(reasons, [&](std::string_view item) {
    std::string code;
    if (!jv::string_value(item, code)) return;
    const std::int32_t k = v.reasons.find(code);
    if (k == kNull)
      pending.misses.push_back(
          {Miss::Kind::reason, static_cast<std::uint32_t>(row.reasons.size()), code});
    row.reasons.push_back(k);
  });
  jv::items(questions, [&](std::string_view item) {
    std::string name;
    if (!jv::string_value(item, name)) return;
    if (const int f = schema.index_of(name); f >= 0) row.questions.push_back(f);
  });
  const auto& decisions = pack.decisions();
  row.fired.assign(decisions.size(), kNull);
  jv::members(fired, [&](std::string_view id, std::string_view rules) {
    std::string_view first;
    jv::items(rules, [&](std::string_view item) {
      if (first.empty()) first = item.empty() ? std::string_view("null") : item;
    });
    std::string rule;
    if (first.empty() || !jv::string_value(first, rule)) return;
    const std::int32_t d = v.decision_ids.find(id);
    if (d == kNull) return;
    const std::int32_t k = v.rule_ids[static_cast<std::size_t>(d)].find(rule);
    if (k != kNull) row.fired[static_cast<std::size_t>(d)] = k;
  });
  if (!m.attribute_names.empty()) {
    row.attributes.assign(m.attribute_names.size(), kNull);
    std::string person;
    if (jv::string_value(s.person, person)) {
      auto found = options.persons.find(person);
      if (found != options.persons.end())
        for (std::size_t a = 0; a < m.attribute_names.size(); ++a)
          if (auto it = found->second.find(m.attribute_names[a]); it != found->second.end()) {
            row.attributes[a] = m.attribute_values[a].find(it->second);
            if (row.attributes[a] == kNull)
              pending.misses.push_back(
                  {Miss::Kind::attribute, static_cast<std::uint32_t>(a), it->second});
          }
    }
  }
  return true;
}

// Interns the strings a row met first, in order; then the row is complete.
void resolve(VersionModel& v, Model& m, Pending& pending) {
  Row& row = pending.row;
  for (Miss& miss : pending.misses) switch (miss.kind) {
      case Miss::Kind::proposed:
        row.proposed[miss.index] = v.outputs[miss.index].categories.intern(miss.text);
        break;
      case Miss::Kind::decided:
        row.decided[miss.index] = v.outputs[miss.index].categories.intern(miss.text);
        break;
      case Miss::Kind::reason:
        row.reasons[miss.index] = v.reasons.intern(miss.text);
        break;
      case Miss::Kind::input:
        row.inputs[miss.index] = v.strings[miss.index].intern(miss.text);
        break;
      case Miss::Kind::territory:
        row.territory = m.territories.intern(miss.text);
        break;
      case Miss::Kind::attribute:
        row.attributes[miss.index] = m.attribute_values[miss.index].intern(miss.text);
        break;
    }
  for (std::size_t o = 0; o < row.proposed.size(); ++o)
    if (row.decided[o] != row.proposed[o]) row.changed = true;
}

// One pass over the source. `verified`: every line is checked as verify_log checks it and the
// pass stops at the first that fails (m.verification says where); otherwise every line that
// holds a record is read, whatever its chain says.
Model read_pass(DecisionSource& source, const Registry& packs, const ReportOptions& options,
                bool verified) {
  Model m;
  {
    std::set<std::string> names;
    for (const auto& [person, attributes] : options.persons)
      for (const auto& [name, value] : attributes) names.insert(name);
    m.attribute_names.assign(names.begin(), names.end());
    m.attribute_values.resize(m.attribute_names.size());
  }
  LogVerification& check = m.verification;
  check.last_hash = std::string(kLogGenesis);
  std::map<std::string, std::size_t, std::less<>> version_of;
  std::vector<Pending> pending;
  std::vector<LineParts> parts;
  const unsigned threads = options.threads;
  auto fail = [&](std::uint64_t line) {
    check.ok = false;
    check.first_bad = line;
    check.message = "line " + std::to_string(line) + " does not verify";
    return false;
  };
  source.lines([&](const DecisionSource::Block& block) {
    const std::size_t n = block.lines.size();
    pending.resize(n);
    parts.assign(n, LineParts{});
    std::vector<std::uint8_t> good(n, 0);
    // 1. Each line on its own: layout, canonical record and hash (verified), or the record
    // found by parsing the line (unverified); the record's members.
    parallel_for(n, threads, [&](std::size_t k) {
      Pending& p = pending[k];
      p = Pending{};
      p.line = block.first + k;
      if (verified) {
        thread_local std::string scratch;
        thread_local TopMembers top;
        parts[k] = split_line(block.lines[k]);
        if (!line_verifies(parts[k], scratch, top)) return;
        p.record = parts[k].record;
        if (!top.empty()) {
          // The check met the record's members on its way: no second pass.
          for (const auto& [key, value] : top) record_member(key, value, p.spans);
          good[k] = 1;
          p.read = true;
          return;
        }
      } else {
        const Json doc = Json::parse(block.lines[k], nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) return;
        auto it = doc.find("record");
        if (it == doc.end() || !it->is_object()) return;
        p.owned = it->dump(-1, ' ', false, Json::error_handler_t::replace);
        p.record = p.owned;
      }
      good[k] = 1;
      p.read = record_spans(p.record, p.spans);
    });
    // 2. In order: the chain, and the pack version of each record.
    std::size_t usable = n;
    for (std::size_t k = 0; k < n; ++k) {
      Pending& p = pending[k];
      if (verified) {
        if (!good[k] || parts[k].seq != std::to_string(p.line) ||
            parts[k].prev != check.last_hash) {
          usable = k;
          break;
        }
        check.last_hash.assign(parts[k].hash);
        check.lines = p.line;
      } else if (!good[k]) {
        p.version = -3;  // not a record: not counted
        continue;
      }
      std::string hash;
      const std::string_view hash_value = jv::member(p.spans.pack, "hash");
      if (!p.read || !jv::string_value(hash_value, hash)) continue;  // unreadable
      auto it = version_of.find(hash);
      if (it == version_of.end()) {
        const Pack* pack = packs.find_hash(hash);
        if (!pack) {
          p.version = -2;
          continue;
        }
        it = version_of.emplace(hash, m.versions.size()).first;
        m.versions.push_back(make_version(*pack));
      }
      p.version = static_cast<int>(it->second);
    }
    // 3. Each record's row, reading the dictionaries as they are.
    parallel_for(usable, threads, [&](std::size_t k) {
      Pending& p = pending[k];
      if (p.version < 0) return;
      try {
        if (!fill_row(m.versions[static_cast<std::size_t>(p.version)], m, options, p))
          p.version = -1;
      } catch (const std::exception&) {
        p.version = -1;
      }
    });
    // 4. In order: new strings interned, the period and territory filters, the counts.
    for (std::size_t k = 0; k < usable; ++k) {
      Pending& p = pending[k];
      if (p.version == -3) continue;
      ++m.records;
      if (p.version == -1) {
        ++m.unreadable;
        continue;
      }
      if (p.version == -2) {
        ++m.pack_missing;
        continue;
      }
      VersionModel& v = m.versions[static_cast<std::size_t>(p.version)];
      resolve(v, m, p);
      if (!wanted(p.row, m, options)) {
        ++m.outside;
        continue;
      }
      v.rows.push_back(std::move(p.row));
    }
    if (verified && usable < n) return fail(block.first + usable);
    if (verified && block.broken_tail) return fail(block.first + n);
    return true;
  });
  if (verified && check.ok) {
    LogVerification end = source.check_end(check.lines, check.last_hash);
    if (!end.ok) check = end;
  }
  return m;
}

}  // namespace

std::string input_value_text(const VersionModel& v, std::size_t field, std::int32_t code) {
  if (code == kNull) return "null";
  const FieldSpec& spec = v.pack->inputs().field(field);
  switch (spec.type) {
    case FieldType::boolean:
      return code ? "true" : "false";
    case FieldType::integer:
      return std::to_string(code);
    case FieldType::enumeration:
      return code >= 0 && static_cast<std::size_t>(code) < spec.values.size()
                 ? spec.values[static_cast<std::size_t>(code)]
                 : "?";
    case FieldType::date:
      return Date{code}.to_string();
    default:
      return v.strings[field].items[static_cast<std::size_t>(code)];
  }
}

Model read_model(DecisionSource& source, const Registry& packs, const ReportOptions& options) {
  Model m = read_pass(source, packs, options, true);
  if (m.verification.ok) return m;
  // The source's own verification names what is wrong.
  LogVerification exact = source.verify();
  if (exact.ok) {
    // Lines appended between the two reads (a database in use): read again.
    m = read_pass(source, packs, options, true);
    if (m.verification.ok) return m;
    exact = source.verify();
    if (exact.ok)
      throw Error(ErrorCode::internal, "line " + std::to_string(m.verification.first_bad) +
                                           " of the decision log verifies on its own but not "
                                           "in the report's reading");
  }
  if (!options.unverified)
    throw Error(ErrorCode::invalid_document, "the decision log does not verify (first bad line " +
                                                 std::to_string(exact.first_bad) + ": " +
                                                 exact.message +
                                                 "); give --unverified to report it anyway");
  m = read_pass(source, packs, options, false);
  m.verification = exact;
  return m;
}

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
