#include "report_model.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "aiguillage/core/error.hpp"
#include "core/json_read.hpp"
#include "core/parallel.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::json;

class FileSource final : public DecisionSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  // A log that verifies is read once: its records are kept for read().
  LogVerification verify() override {
    try {
      records_ = read_log_records(path_);
      LogVerification v;
      v.lines = records_.size();
      return v;
    } catch (const Error&) {
      records_.clear();
      return verify_log(path_);
    }
  }
  void read(const std::function<void(std::uint64_t, std::string_view)>& sink,
            bool verified) override {
    if (verified) {
      if (records_.empty()) records_ = read_log_records(path_);
      for (std::size_t k = 0; k < records_.size(); ++k) sink(k + 1, records_[k]);
      records_.clear();
      records_.shrink_to_fit();
      return;
    }
    // A damaged log: every line that still holds a record, whatever its chain says.
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot open the decision log " + path_);
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      const Json doc = Json::parse(line, nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) continue;
      auto it = doc.find("record");
      if (it == doc.end() || !it->is_object()) continue;
      sink(number, it->dump());
    }
  }
  std::string description() const override {
    const auto slash = path_.find_last_of('/');
    return "file " + (slash == std::string::npos ? path_ : path_.substr(slash + 1));
  }

 private:
  std::string path_;
  std::vector<std::string> records_;
};

}  // namespace

std::unique_ptr<DecisionSource> open_file_source(const std::string& path) {
  return std::make_unique<FileSource>(path);
}

namespace report_detail {

namespace {

std::int32_t date_days(const Json& v) {
  if (!v.is_string()) return kNull;
  const std::string& s = v.get_ref<const std::string&>();
  const auto d = Date::parse(std::string_view(s).substr(0, 10));
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
  VersionModel v;
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
  return v;
}

std::int32_t encode_input(VersionModel& v, std::size_t field, const Json& value) {
  if (value.is_null()) return kNull;
  const FieldSpec& spec = v.pack->inputs().field(field);
  switch (spec.type) {
    case FieldType::boolean:
      return value.is_boolean() ? (value.get<bool>() ? 1 : 0) : kNull;
    case FieldType::integer:
      return value.is_number_integer() ? static_cast<std::int32_t>(std::clamp<std::int64_t>(
                                             value.get<std::int64_t>(), INT32_MIN + 1, INT32_MAX))
                                       : kNull;
    case FieldType::enumeration:
      return value.is_string() ? spec.enum_index(value.get_ref<const std::string&>()) : kNull;
    case FieldType::date:
      return date_days(value);
    case FieldType::string:
      return value.is_string() ? v.strings[field].intern(value.get<std::string>()) : kNull;
    default:
      return v.strings[field].intern(value.dump());  // decimals and lists: as their JSON text
  }
}

std::int32_t category(ReportedOutput& o, const Json& outputs) {
  if (!outputs.is_object()) return o.categories.find("null");
  auto it = outputs.find(o.name);
  if (it == outputs.end()) return o.categories.find("null");
  return o.categories.intern(it->dump());
}

void fill_row(VersionModel& v, Model& m, const Json& record, Row& row,
              const ReportOptions& options) {
  const Pack& pack = *v.pack;
  const InputSchema& schema = pack.inputs();
  row.reference_days = date_days(record.at("reference_date"));
  const Json& inputs = record.at("inputs");
  row.inputs.assign(schema.size(), kNull);
  for (std::size_t f = 0; f < schema.size(); ++f) {
    if (static_cast<int>(f) == pack.reference_date_field()) {
      row.inputs[f] = row.reference_days;
      continue;
    }
    auto it = inputs.find(schema.field(f).name);
    if (it == inputs.end()) continue;
    const Json& value = it->is_object() && it->contains("value") ? it->at("value") : *it;
    row.inputs[f] = encode_input(v, f, value);
  }
  if (auto t = record.find("territory"); t != record.end() && t->is_string())
    row.territory = m.territories.intern(t->get<std::string>());
  if (const int f = schema.index_of("registration_date"); f >= 0)
    row.registration_days = row.inputs[static_cast<std::size_t>(f)];
  if (const int f = schema.index_of("birth_date"); f >= 0)
    row.age = years_between(row.inputs[static_cast<std::size_t>(f)], row.reference_days);

  const Json& proposal = record.at("proposal");
  const Json& decision = record.at("decision");
  row.evident = proposal.value("evident", false);
  const std::string action = decision.value("action", std::string("confirm"));
  row.action = action == "override" ? 1 : action == "reorient" ? 2 : 0;
  row.policy = decision.value("decided_by", std::string()) == "policy";
  row.decided_days = date_days(decision.value("decided_at", Json()));
  const Json& proposed = proposal.contains("outputs") ? proposal.at("outputs") : Json();
  const Json& decided = decision.contains("outputs") ? decision.at("outputs") : Json();
  if (proposed.is_object())
    if (auto it = proposed.find("date_limite_orientation"); it != proposed.end())
      row.deadline_days = date_days(*it);
  for (ReportedOutput& o : v.outputs) {
    row.proposed.push_back(category(o, proposed));
    row.decided.push_back(category(o, decided.is_object() ? decided : proposed));
    if (row.decided.back() != row.proposed.back()) row.changed = true;
  }
  if (auto r = proposal.find("review_reasons"); r != proposal.end() && r->is_array())
    for (const Json& code : *r)
      if (code.is_string()) row.reasons.push_back(v.reasons.intern(code.get<std::string>()));
  if (auto q = proposal.find("questions"); q != proposal.end() && q->is_array())
    for (const Json& name : *q)
      if (name.is_string())
        if (const int f = schema.index_of(name.get<std::string>()); f >= 0)
          row.questions.push_back(f);
  const auto& decisions = pack.decisions();
  row.fired.assign(decisions.size(), kNull);
  if (auto fired = proposal.find("fired"); fired != proposal.end() && fired->is_object())
    for (std::size_t d = 0; d < decisions.size(); ++d) {
      auto it = fired->find(decisions[d].id);
      if (it == fired->end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) continue;
      const std::string& rule = (*it)[0].get_ref<const std::string&>();
      for (std::size_t k = 0; k < decisions[d].rules.size(); ++k)
        if (decisions[d].rules[k].id == rule) row.fired[d] = static_cast<std::int32_t>(k);
    }
  if (!m.attribute_names.empty()) {
    row.attributes.assign(m.attribute_names.size(), kNull);
    auto person = record.find("person");
    if (person != record.end() && person->is_string()) {
      auto found = options.persons.find(person->get_ref<const std::string&>());
      if (found != options.persons.end())
        for (std::size_t a = 0; a < m.attribute_names.size(); ++a)
          if (auto it = found->second.find(m.attribute_names[a]); it != found->second.end())
            row.attributes[a] = m.attribute_values[a].intern(it->second);
    }
  }
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
  Model m;
  m.verification = source.verify();
  if (!m.verification.ok && !options.unverified)
    throw Error(ErrorCode::invalid_document, "the decision log does not verify (first bad line " +
                                                 std::to_string(m.verification.first_bad) + ": " +
                                                 m.verification.message +
                                                 "); give --unverified to report it anyway");
  {
    std::set<std::string> names;
    for (const auto& [person, attributes] : options.persons)
      for (const auto& [name, value] : attributes) names.insert(name);
    m.attribute_names.assign(names.begin(), names.end());
    m.attribute_values.resize(m.attribute_names.size());
  }
  std::map<std::string, std::size_t, std::less<>> version_of;
  // Records are parsed by blocks on the worker threads, then folded in order.
  constexpr std::size_t kBlock = 4096;
  std::vector<std::string> texts;
  std::vector<std::uint64_t> lines;
  std::vector<Json> parsed;
  auto flush = [&] {
    parsed.assign(texts.size(), Json());
    const unsigned threads = std::max(1u, std::min<unsigned>(options.threads, 8));
    auto work = [&](unsigned t) {
      for (std::size_t k = t; k < texts.size(); k += threads)
        parsed[k] = Json::parse(texts[k], nullptr, false);
    };
    detail::run_on_threads(threads, [&](std::size_t t) { work(static_cast<unsigned>(t)); });
    for (std::size_t k = 0; k < texts.size(); ++k) {
      ++m.records;
      const Json& record = parsed[k];
      if (record.is_discarded() || !record.is_object() || !record.contains("pack")) {
        ++m.unreadable;
        continue;
      }
      try {
        const std::string hash = record.at("pack").at("hash").get<std::string>();
        auto it = version_of.find(hash);
        if (it == version_of.end()) {
          const Pack* pack = packs.find_hash(hash);
          if (!pack) {
            ++m.pack_missing;
            continue;
          }
          it = version_of.emplace(hash, m.versions.size()).first;
          m.versions.push_back(make_version(*pack));
        }
        VersionModel& v = m.versions[it->second];
        Row row;
        row.line = lines[k];
        fill_row(v, m, record, row, options);
        if (!wanted(row, m, options)) {
          ++m.outside;
          continue;
        }
        v.rows.push_back(std::move(row));
      } catch (const std::exception&) {
        ++m.unreadable;
      }
    }
    texts.clear();
    lines.clear();
  };
  source.read(
      [&](std::uint64_t line, std::string_view text) {
        texts.emplace_back(text);
        lines.push_back(line);
        if (texts.size() == kBlock) flush();
      },
      m.verification.ok);
  flush();
  return m;
}

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
