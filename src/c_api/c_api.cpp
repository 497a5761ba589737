// The C ABI over the C++ library. Every entry point runs its body inside guard(): exceptions
// become a status and the thread's last error, nothing crosses the boundary.
#include "aiguillage.h"

#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/audit/replay.hpp"
#include "aiguillage/core/data_dir.hpp"
#include "aiguillage/core/version.hpp"
#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/explain.hpp"
#include "aiguillage/rules/json_lines.hpp"
#include "aiguillage/rules/registry.hpp"
#include "columnar.hpp"
#include "guard.hpp"

using namespace aiguillage;
using namespace aiguillage::capi;

struct aig_pack {
  Pack pack;
  Evaluator evaluator;
  std::vector<surfaces::OutputColumn> outputs;
  explicit aig_pack(Pack p)
      : pack(p), evaluator(std::move(p)), outputs(surfaces::output_columns(pack)) {}
};

struct aig_registry {
  Registry registry;
};

struct aig_batch {
  surfaces::ColumnarBatch columns;
};

struct aig_orienter {
  Orienter orienter;
};

struct aig_proposal {
  Proposal proposal;
  std::string json;
};

struct aig_decision {
  OrientationDecision decision;
  std::string json;
};

struct aig_log {
  DecisionLog log;
  explicit aig_log(const std::string& path) : log(path) {}
};

namespace {

std::optional<Date> optional_date(const char* text, const char* what) {
  if (!text) return std::nullopt;
  std::optional<Date> d = Date::parse(text);
  if (!d)
    throw Error(ErrorCode::invalid_date,
                std::string(what) + " must be a date YYYY-MM-DD, not \"" + text + "\"");
  return d;
}

Date required_date(const char* text, const char* what) {
  if (!text) throw invalid(std::string(what) + " is NULL: nothing reads the clock");
  return *optional_date(text, what);
}

const FieldSpec* input_spec(const aig_pack* p, int k) {
  if (!p || k < 0 || static_cast<std::size_t>(k) >= p->pack.inputs().size()) return nullptr;
  return &p->pack.inputs().field(static_cast<std::size_t>(k));
}

const surfaces::OutputColumn* output_spec(const aig_pack* p, int k) {
  if (!p || k < 0 || static_cast<std::size_t>(k) >= p->outputs.size()) return nullptr;
  return &p->outputs[static_cast<std::size_t>(k)];
}

const Decision* decision_spec(const aig_pack* p, int k) {
  if (!p || k < 0 || static_cast<std::size_t>(k) >= p->pack.decisions().size()) return nullptr;
  return &p->pack.decisions()[static_cast<std::size_t>(k)];
}

int type_code(FieldType t) {
  switch (t) {
    case FieldType::boolean:
      return AIG_TYPE_BOOL;
    case FieldType::integer:
      return AIG_TYPE_INTEGER;
    case FieldType::decimal:
      return AIG_TYPE_DECIMAL;
    case FieldType::string:
      return AIG_TYPE_STRING;
    case FieldType::enumeration:
      return AIG_TYPE_ENUM;
    case FieldType::date:
      return AIG_TYPE_DATE;
    case FieldType::list:
      return AIG_TYPE_LIST;
  }
  return -1;
}

int row_status(Status s) {
  return static_cast<int>(s);
}

}  // namespace

extern "C" {

/* ---- version and status ---- */

const char* aig_version(void) {
  return AIG_ENGINE_VERSION;
}
int aig_version_number(void) {
  return AIG_VERSION_MAJOR * 10000 + AIG_VERSION_MINOR * 100 + AIG_VERSION_PATCH;
}
aig_status aig_data_dir(char* buf, size_t size, size_t* needed) {
  return guard([&] { return write_string(data_dir(), buf, size, needed); });
}

const char* aig_status_str(aig_status status) {
  if (status == AIG_OK) return "ok";
  const std::string_view name = error_code_name(static_cast<ErrorCode>(status));
  // Names are literals: their data is terminated.
  return name.empty() ? "unknown" : name.data();
}

const char* aig_last_error_message(void) {
  return last_error.message.c_str();
}
const char* aig_last_error_pointer(void) {
  return last_error.pointer.c_str();
}
aig_status aig_last_error_code(void) {
  return last_error.code;
}

/* ---- packs ---- */

aig_status aig_pack_load_file(const char* path, aig_pack** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(path, "path");
    return create(out, Pack::load_file(path));
  });
}

aig_status aig_pack_load_json(const char* json, size_t size, aig_pack** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(json, "json");
    const std::size_t n = size == static_cast<size_t>(-1) ? std::strlen(json) : size;
    return create(out, Pack::load(std::string_view(json, n)));
  });
}

aig_status aig_pack_import_dmn(const char* xml, size_t size, aig_pack** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(xml, "xml");
    const std::size_t n = size == static_cast<size_t>(-1) ? std::strlen(xml) : size;
    return create(out, Pack::load(import_dmn(std::string_view(xml, n))));
  });
}

void aig_pack_destroy(aig_pack* pack) {
  delete pack;
}

const char* aig_pack_id(const aig_pack* p) {
  return p ? p->pack.id().c_str() : nullptr;
}
const char* aig_pack_version(const aig_pack* p) {
  return p ? p->pack.version().c_str() : nullptr;
}
const char* aig_pack_hash(const aig_pack* p) {
  return p ? p->pack.hash().c_str() : nullptr;
}
const char* aig_pack_title(const aig_pack* p) {
  return p ? p->pack.title().c_str() : nullptr;
}

int aig_pack_input_count(const aig_pack* p) {
  return p ? static_cast<int>(p->pack.inputs().size()) : -1;
}
int aig_pack_input_index(const aig_pack* p, const char* name) {
  return p && name ? p->pack.inputs().index_of(name) : -1;
}
const char* aig_pack_input_name(const aig_pack* p, int k) {
  const FieldSpec* f = input_spec(p, k);
  return f ? f->name.c_str() : nullptr;
}
int aig_pack_input_type(const aig_pack* p, int k) {
  const FieldSpec* f = input_spec(p, k);
  return f ? type_code(f->type) : -1;
}
int aig_pack_input_value_count(const aig_pack* p, int k) {
  const FieldSpec* f = input_spec(p, k);
  return f ? static_cast<int>(f->values.size()) : -1;
}
const char* aig_pack_input_value(const aig_pack* p, int k, int code) {
  const FieldSpec* f = input_spec(p, k);
  if (!f || code < 0 || static_cast<std::size_t>(code) >= f->values.size()) return nullptr;
  return f->values[static_cast<std::size_t>(code)].c_str();
}

int aig_pack_output_count(const aig_pack* p) {
  return p ? static_cast<int>(p->outputs.size()) : -1;
}
const char* aig_pack_output_name(const aig_pack* p, int k) {
  const auto* o = output_spec(p, k);
  return o ? o->name.c_str() : nullptr;
}
int aig_pack_output_type(const aig_pack* p, int k) {
  const auto* o = output_spec(p, k);
  if (!o) return -1;
  const StaticType t = p->pack.slot_type(o->slot);
  switch (t.kind) {
    case TypeKind::boolean:
      return AIG_TYPE_BOOL;
    case TypeKind::integer:
      return AIG_TYPE_INTEGER;
    case TypeKind::decimal:
      return AIG_TYPE_DECIMAL;
    case TypeKind::date:
      return AIG_TYPE_DATE;
    case TypeKind::string:
      return t.domain ? AIG_TYPE_ENUM : AIG_TYPE_STRING;
    case TypeKind::list:
      return AIG_TYPE_LIST;
    default:
      return AIG_TYPE_STRING;
  }
}
int aig_pack_output_value_count(const aig_pack* p, int k) {
  const auto* o = output_spec(p, k);
  return o ? (o->values ? static_cast<int>(o->values->size()) : 0) : -1;
}
const char* aig_pack_output_value(const aig_pack* p, int k, int code) {
  const auto* o = output_spec(p, k);
  if (!o || !o->values || code < 0 || static_cast<std::size_t>(code) >= o->values->size())
    return nullptr;
  return (*o->values)[static_cast<std::size_t>(code)].c_str();
}

int aig_pack_decision_count(const aig_pack* p) {
  return p ? static_cast<int>(p->pack.decisions().size()) : -1;
}
const char* aig_pack_decision_id(const aig_pack* p, int k) {
  const Decision* d = decision_spec(p, k);
  return d ? d->id.c_str() : nullptr;
}
int aig_pack_rule_count(const aig_pack* p, int k) {
  const Decision* d = decision_spec(p, k);
  return d ? static_cast<int>(d->rules.size()) : -1;
}
const char* aig_pack_rule_id(const aig_pack* p, int k, int rule) {
  const Decision* d = decision_spec(p, k);
  if (!d || rule < 0 || static_cast<std::size_t>(rule) >= d->rules.size()) return nullptr;
  return d->rules[static_cast<std::size_t>(rule)].id.c_str();
}

/* ---- one record ---- */

aig_status aig_pack_evaluate_json(const aig_pack* p, const char* record_json,
                                  const char* reference_date, unsigned flags, char* buf,
                                  size_t size, size_t* needed) {
  return guard([&] {
    require(p, "pack");
    require(record_json, "record_json");
    EvalOptions options;
    options.reference_date = optional_date(reference_date, "reference_date");
    options.trace = (flags & AIG_EVAL_TRACE) != 0;
    options.unknown_fields =
        (flags & AIG_EVAL_IGNORE_UNKNOWN) ? UnknownFields::ignore : UnknownFields::reject;
    Evaluation e;
    p->evaluator.evaluate_json(record_json, e, options);
    return write_string(evaluation_to_json(p->pack, e, options.trace), buf, size, needed);
  });
}

aig_status aig_pack_evaluate_jsonl(const aig_pack* p, const char* text, size_t size,
                                   const char* reference_date, unsigned flags,
                                   aig_result_line_fn fn, void* user) {
  return guard([&] {
    require(p, "pack");
    require(text, "text");
    if (!fn) throw invalid("fn is NULL");
    EvalOptions options;
    options.reference_date = optional_date(reference_date, "reference_date");
    options.trace = (flags & AIG_EVAL_TRACE) != 0;
    options.unknown_fields =
        (flags & AIG_EVAL_IGNORE_UNKNOWN) ? UnknownFields::ignore : UnknownFields::reject;
    const std::string_view all =
        size == static_cast<size_t>(-1) ? std::string_view(text) : std::string_view(text, size);
    evaluate_json_lines(p->evaluator, all, options, [&](std::size_t line, std::string_view r) {
      // The line is a std::string's contents, hence NUL-terminated.
      if (fn(user, line, r.data(), r.size()) != 0)
        throw Error(ErrorCode::cancelled,
                    "the result callback stopped the evaluation at line " + std::to_string(line));
    });
    return AIG_OK;
  });
}

aig_status aig_pack_explain(const aig_pack* p, const char* record_json, const char* reference_date,
                            const char* lang, char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(p, "pack");
    require(record_json, "record_json");
    EvalOptions options;
    options.reference_date = optional_date(reference_date, "reference_date");
    options.trace = true;
    Evaluation e;
    p->evaluator.evaluate_json(record_json, e, options);
    return write_string(explain_text(p->pack, e, lang ? lang : "fr"), buf, size, needed);
  });
}

/* ---- registries ---- */

aig_status aig_registry_create(aig_registry** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    return create(out);
  });
}
void aig_registry_destroy(aig_registry* r) {
  delete r;
}

aig_status aig_registry_add(aig_registry* r, const aig_pack* p) {
  return guard([&] {
    require(r, "registry");
    require(p, "pack");
    r->registry.add(p->pack);
    return AIG_OK;
  });
}

aig_status aig_registry_load_dir(aig_registry* r, const char* dir, size_t* loaded) {
  if (loaded) *loaded = 0;
  return guard([&] {
    require(r, "registry");
    require(dir, "dir");
    const std::size_t n = r->registry.load_dir(dir);
    if (loaded) *loaded = n;
    return AIG_OK;
  });
}

size_t aig_registry_size(const aig_registry* r) {
  return r ? r->registry.packs().size() : 0;
}

aig_status aig_registry_select(const aig_registry* r, const char* id, const char* date,
                               aig_pack** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(r, "registry");
    require(id, "id");
    const Date d = required_date(date, "date");
    return create(out, r->registry.select(id, d));
  });
}

/* ---- batches ---- */

aig_status aig_batch_create(const aig_pack* p, size_t rows, aig_batch** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(p, "pack");
    *out = new aig_batch{surfaces::ColumnarBatch(p->pack, rows)};
    return AIG_OK;
  });
}
void aig_batch_destroy(aig_batch* b) {
  delete b;
}
size_t aig_batch_rows(const aig_batch* b) {
  return b ? b->columns.rows() : 0;
}
size_t aig_batch_bad_rows(const aig_batch* b) {
  return b ? b->columns.bad_rows() : 0;
}

aig_status aig_batch_set_bools(aig_batch* b, int input, const uint8_t* values,
                               const uint8_t* present) {
  return guard([&] {
    require(b, "batch");
    if (b->columns.rows()) require(values, "values");
    b->columns.set_bools(input, values, present);
    return AIG_OK;
  });
}
aig_status aig_batch_set_int64s(aig_batch* b, int input, const int64_t* values,
                                const uint8_t* present) {
  return guard([&] {
    require(b, "batch");
    if (b->columns.rows()) require(values, "values");
    b->columns.set_int64s(input, values, present);
    return AIG_OK;
  });
}
aig_status aig_batch_set_doubles(aig_batch* b, int input, const double* values,
                                 const uint8_t* present) {
  return guard([&] {
    require(b, "batch");
    if (b->columns.rows()) require(values, "values");
    b->columns.set_doubles(input, values, present);
    return AIG_OK;
  });
}
aig_status aig_batch_set_dates(aig_batch* b, int input, const int32_t* days,
                               const uint8_t* present) {
  return guard([&] {
    require(b, "batch");
    if (b->columns.rows()) require(days, "days");
    b->columns.set_dates(input, days, present);
    return AIG_OK;
  });
}
aig_status aig_batch_set_enum_codes(aig_batch* b, int input, const int32_t* codes) {
  return guard([&] {
    require(b, "batch");
    if (b->columns.rows()) require(codes, "codes");
    b->columns.set_enum_codes(input, codes);
    return AIG_OK;
  });
}
aig_status aig_batch_set_text(aig_batch* b, int input, size_t row, const char* text) {
  return guard([&] {
    require(b, "batch");
    b->columns.set_text(input, row, text ? std::optional<std::string_view>(text) : std::nullopt);
    return AIG_OK;
  });
}

aig_status aig_pack_evaluate_batch(const aig_pack* p, const aig_batch* b,
                                   const char* reference_date, unsigned threads,
                                   const aig_batch_results* results) {
  return guard([&] {
    require(p, "pack");
    require(b, "batch");
    require(results, "results");
    surfaces::BatchOutputs out;
    out.status = results->status;
    out.first_fired = results->first_fired;
    out.outputs = results->outputs;
    out.first_error = results->first_error;
    surfaces::run_batch(p->evaluator, p->outputs, b->columns,
                        optional_date(reference_date, "reference_date"), threads, out);
    return AIG_OK;
  });
}

/* ---- orientation ---- */

aig_status aig_orienter_create(const aig_pack* p, int auto_confirm_evident, aig_orienter** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(p, "pack");
    OrientationPolicy policy;
    policy.auto_confirm_evident = auto_confirm_evident != 0;
    *out = new aig_orienter{Orienter(p->pack, policy)};
    return AIG_OK;
  });
}
void aig_orienter_destroy(aig_orienter* o) {
  delete o;
}

aig_status aig_orienter_propose(const aig_orienter* o, const char* person_json,
                                const char* reference_date, int with_trace, aig_proposal** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(o, "orienter");
    require(person_json, "person_json");
    const Date d = required_date(reference_date, "reference_date");
    auto* p = new aig_proposal{o->orienter.propose(person_json, d, with_trace != 0), {}};
    try {
      p->json = proposal_to_json(p->proposal, with_trace != 0);
    } catch (...) {
      delete p;
      throw;
    }
    *out = p;
    return AIG_OK;
  });
}
void aig_proposal_destroy(aig_proposal* p) {
  delete p;
}

aig_status aig_proposal_json(const aig_proposal* p, char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(p, "proposal");
    return write_string(p->json, buf, size, needed);
  });
}
int aig_proposal_evident(const aig_proposal* p) {
  return p && p->proposal.evident ? 1 : 0;
}
int aig_proposal_status(const aig_proposal* p) {
  return p ? row_status(p->proposal.status) : AIG_ROW_ERROR;
}

aig_status aig_orienter_decide(const aig_orienter* o, const aig_proposal* p, const char* actor_role,
                               const char* action, const char* reason, const char* decided_at,
                               const char* override_outputs_json, aig_decision** out) {
  return aig_orienter_decide_heard(o, p, actor_role, action, reason, decided_at,
                                   override_outputs_json, nullptr, nullptr, out);
}

aig_status aig_orienter_decide_heard(const aig_orienter* o, const aig_proposal* p,
                                     const char* actor_role, const char* action, const char* reason,
                                     const char* decided_at, const char* override_outputs_json,
                                     const char* observations, const char* legitimate_reason,
                                     aig_decision** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(o, "orienter");
    require(p, "proposal");
    require(actor_role, "actor_role");
    require(action, "action");
    require(decided_at, "decided_at");
    const std::optional<Action> a = parse_action(action);
    if (!a)
      throw invalid(std::string("action must be confirm, override or reorient, not \"") + action +
                    "\"");
    OrientationDecision d = o->orienter.decide(
        p->proposal, actor_role, *a, reason ? reason : "", decided_at,
        override_outputs_json ? override_outputs_json : "",
        Hearing{observations ? observations : "", legitimate_reason ? legitimate_reason : ""});
    std::string json = decision_to_json(d);
    *out = new aig_decision{std::move(d), std::move(json)};
    return AIG_OK;
  });
}

aig_status aig_orienter_auto_decide(const aig_orienter* o, const aig_proposal* p,
                                    const char* decided_at, aig_decision** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(o, "orienter");
    require(p, "proposal");
    require(decided_at, "decided_at");
    std::optional<OrientationDecision> d = o->orienter.auto_decide(p->proposal, decided_at);
    if (d) {
      std::string json = decision_to_json(*d);
      *out = new aig_decision{std::move(*d), std::move(json)};
    }
    return AIG_OK;
  });
}
void aig_decision_destroy(aig_decision* d) {
  delete d;
}

aig_status aig_decision_json(const aig_decision* d, char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(d, "decision");
    return write_string(d->json, buf, size, needed);
  });
}

aig_status aig_orienter_notice(const aig_orienter* o, const aig_proposal* p, const aig_decision* d,
                               const char* lang, char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(o, "orienter");
    require(p, "proposal");
    return write_string(notice_text(o->orienter.pack(), p->proposal, d ? &d->decision : nullptr,
                                    lang ? lang : "fr"),
                        buf, size, needed);
  });
}

/* ---- audit ---- */

aig_status aig_decision_record(const aig_orienter* o, const aig_proposal* p, const aig_decision* d,
                               const char* key, size_t key_size, const char* person_id,
                               const char* territory, const char* recorded_at, char* buf,
                               size_t size, size_t* needed) {
  return guard([&] {
    require(o, "orienter");
    require(p, "proposal");
    require(d, "decision");
    require(key, "key");
    require(person_id, "person_id");
    require(recorded_at, "recorded_at");
    // pseudonymise() refuses a key under 16 bytes (AIG_ERR_KEY_TOO_SHORT) and an empty
    // identifier (AIG_ERR_IDENTIFIER_MISSING).
    DecisionRecordInput in;
    in.person_pseudonym = pseudonymise(std::string_view(key, key_size), person_id);
    in.territory = territory ? territory : "";
    in.recorded_at = recorded_at;
    return write_string(make_decision_record(o->orienter.pack(), p->proposal, d->decision, in), buf,
                        size, needed);
  });
}

aig_status aig_log_open(const char* path, aig_log** out) {
  if (out) *out = nullptr;
  return guard([&] {
    require(out, "out");
    require(path, "path");
    *out = new aig_log(path);
    return AIG_OK;
  });
}
void aig_log_destroy(aig_log* log) {
  delete log;
}

aig_status aig_log_append(aig_log* log, const char* record_json, char* buf, size_t size,
                          size_t* needed) {
  return guard([&] {
    require(log, "log");
    require(record_json, "record_json");
    return write_string(log->log.append(record_json), buf, size, needed);
  });
}
uint64_t aig_log_size(const aig_log* log) {
  return log ? log->log.size() : 0;
}

namespace {
aig_status verification_json(const LogVerification& v, char* buf, size_t size, size_t* needed) {
  nlohmann::ordered_json j;
  j["ok"] = v.ok;
  j["lines"] = v.lines;
  j["first_bad"] = v.first_bad;
  j["torn_tail"] = v.torn_tail;
  j["message"] = v.message;
  j["last_hash"] = v.last_hash;
  return write_string(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), buf, size,
                      needed);
}
}  // namespace

aig_status aig_log_verify_anchored(const char* path, const char* head_hash, uint64_t lines,
                                   char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(path, "path");
    require(head_hash, "head_hash");
    LogAnchor anchor{head_hash, std::nullopt};
    if (lines > 0) anchor.lines = lines;
    return verification_json(verify_log(path, anchor), buf, size, needed);
  });
}

aig_status aig_log_verify(const char* path, char* buf, size_t size, size_t* needed) {
  return guard([&] {
    require(path, "path");
    const LogVerification v = verify_log(path);
    nlohmann::ordered_json j;
    j["ok"] = v.ok;
    j["lines"] = v.lines;
    j["first_bad"] = v.first_bad;
    j["torn_tail"] = v.torn_tail;
    j["message"] = v.message;
    j["last_hash"] = v.last_hash;
    return write_string(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), buf, size,
                        needed);
  });
}

aig_status aig_log_replay(const char* path, const aig_registry* r, char* buf, size_t size,
                          size_t* needed) {
  return guard([&] {
    require(path, "path");
    require(r, "registry");
    return write_string(replay_log(path, r->registry).to_json(), buf, size, needed);
  });
}

aig_status aig_log_replay_against(const char* path, const aig_pack* against, char* buf, size_t size,
                                  size_t* needed) {
  return guard([&] {
    require(path, "path");
    require(against, "against");
    return write_string(replay_log_against(path, against->pack).to_json(), buf, size, needed);
  });
}

}  // extern "C"
