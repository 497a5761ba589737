#include "service/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "aiguillage/audit/checkpoint.hpp"
#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/audit/replay.hpp"
#include "aiguillage/core/error.hpp"
#include "aiguillage/core/version.hpp"
#include "aiguillage/matching/explain_listed.hpp"
#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/explain.hpp"
#include "aiguillage/rules/json_lines.hpp"
#include "aiguillage/rules/registry.hpp"
#include "cli/person_input.hpp"
#include "core/html.hpp"
#include "core/json_read.hpp"
#include "matching/score_json.hpp"
#include "service/http_message.hpp"
#include "service/http_transport.hpp"
#include "service/keys.hpp"
#include "service/log_backend.hpp"
#include "service/metrics.hpp"

namespace aiguillage::service {

extern const std::string_view kOpenApiJson;

namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMinPseudonymKeyBytes = 16;
constexpr const char* kJson = "application/json";
constexpr const char* kNdjson = "application/x-ndjson";

std::string dump(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::unauthorized:
      return 401;
    case ErrorCode::forbidden:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::payload_too_large:
    case ErrorCode::too_many_items:
      return 413;
    case ErrorCode::overloaded:
      return 429;
    case ErrorCode::json_syntax:
    case ErrorCode::too_deep:
    case ErrorCode::invalid_argument:
    case ErrorCode::unknown_field:
    case ErrorCode::schema_mismatch:
      return 400;
    case ErrorCode::internal:
      return 500;
    case ErrorCode::io:
    case ErrorCode::unavailable:
    case ErrorCode::request_timeout:
      return 503;
    default:
      return 422;
  }
}

Json error_json(const Error& e) {
  return Json{{"code", static_cast<int>(e.code())},
              {"name", std::string(error_code_name(e.code()))},
              {"message", e.message()},
              {"pointer", e.pointer()}};
}

// The error document (aiguillage.error 1.0).
std::string error_document(int status, const std::vector<Error>& errors) {
  Json doc{{"schema", "aiguillage.error"}, {"schema_version", "1.0"}, {"status", status}};
  doc["errors"] = Json::array();
  for (const Error& e : errors) doc["errors"].push_back(error_json(e));
  return dump(doc);
}

// A request refused as a whole: the handler throws it, the wrapper answers it.
struct Refusal {
  int status;
  std::vector<Error> errors;
};

[[noreturn]] void refuse(ErrorCode code, std::string message, std::string pointer = {}) {
  Error e(code, std::move(message), std::move(pointer));
  throw Refusal{http_status(code), {e}};
}

std::string json_string(std::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The notice as an HTML page: headings (lines ending with a colon, not indented) and
// paragraphs indented as in the text.
std::string notice_html(const std::string& text, std::string_view lang) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"" + std::string(lang) +
                    "\">\n<head><meta charset=\"utf-8\"><title>" +
                    (lang == "en" ? "Notice" : "Information") + "</title></head>\n<body>\n";
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::size_t indent = line.find_first_not_of(' ');
    const std::string body = line.substr(indent);
    if (indent == 0 && !body.empty() && body.back() == ':')
      out += "<h2>" + detail::html_escape(body) + "</h2>\n";
    else if (indent == 0)
      out += "<p>" + detail::html_escape(body) + "</p>\n";
    else
      out += "<p style=\"margin-left:" + std::to_string(indent / 2) + "em\">" +
             detail::html_escape(body) + "</p>\n";
  }
  return out + "</body>\n</html>\n";
}

struct PackEntry {
  const Pack* pack;
  std::unique_ptr<Orienter> orienter;
  std::vector<std::string> decision_roles;  // values of the output "decideur", if any
};

struct Route {
  std::string name;             // for metrics: "/v1/packs/{id}"
  std::set<std::string> roles;  // empty: any valid key; "*counsellor": every decision role
  bool open = false;            // no key needed
};

std::string read_text_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, std::string("cannot open ") + what + " " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

struct Service::Impl {
  ServiceConfig config;
  Registry registry;
  std::vector<PackEntry> packs;
  std::set<std::string> decision_roles;
  // Replaced whole by reload_keys(); a request keeps the store it was authorised with.
  mutable std::mutex keys_mutex;
  std::shared_ptr<const KeyStore> keys;
  std::unique_ptr<LogBackend> log;
  std::string pseudonym_key;
  std::string checkpoint_private, checkpoint_public;
  Metrics metrics;
  std::atomic<std::size_t> in_flight{0};
  // Matching, when configured.
  std::unique_ptr<Referential> referential;
  ScoringConfig scoring;
  std::vector<Offer> offers;
  std::unique_ptr<OfferBank> bank;
  std::unique_ptr<HttpTransport> transport;
  int port = 0;

  explicit Impl(ServiceConfig c) : config(std::move(c)) {}
  void load();
  void routes();
  std::shared_ptr<const KeyStore> load_keys() const;
  std::shared_ptr<const KeyStore> current_keys() const {
    std::lock_guard lock(keys_mutex);
    return keys;
  }

  // --- request plumbing
  struct Context {
    std::shared_ptr<const KeyStore> keys;  // holds `key` alive
    const ApiKey* key = nullptr;
    Clock::time_point deadline;
    const HttpRequest* req = nullptr;
  };
  using Handler = std::function<void(Context&, const HttpRequest&, HttpResponse&)>;
  struct RouteEntry {
    std::string method;
    std::regex pattern;  // the whole path; its groups go to HttpRequest::matches
    Route route;
    Handler handler;
  };
  std::vector<RouteEntry> table;  // tried in order: the first match serves
  void add(const char* method, const std::string& pattern, Route route, Handler handler);
  // Serves one request by the route table (404 with the error document when no route matches).
  void dispatch(HttpRequest& req, HttpResponse& res);
  // Whether serving the request may wait for the log (its commit, a read of the file or the
  // database) or run long (a batch): the transport then serves it off its event loop.
  static bool may_block(const HttpRequest& req);
  // The error document of a request the transport refuses by itself.
  void refusal(int status, HttpResponse& res);
  void answer(const Route& route, const Handler& handler, const HttpRequest& req,
              HttpResponse& res);
  void authorise(const Route& route, Context& ctx, const HttpRequest& req);

  // --- helpers
  const PackEntry& entry_for(const std::string& id, Date date) const;
  const PackEntry& default_entry(const HttpRequest& req, Date date) const;
  // The proposal for the person in the body of /v1/orient or /v1/notice (its date from ?date or
  // its reference_date); a rejected person is a 422 refusal.
  struct Proposed {
    const PackEntry* entry = nullptr;
    Proposal proposal;
    std::optional<std::string> id;
  };
  Proposed propose_body(const HttpRequest& req, bool trace) const;
  Json parse_body(const std::string& body, const char* what) const;
  std::vector<std::string_view> batch_lines(const std::string& body) const;
  static std::optional<Date> query_date(const HttpRequest& req);
  static std::string lang_of(const HttpRequest& req);
  static void check_deadline(const Context& ctx);

  // --- handlers
  void packs_list(Context&, const HttpRequest&, HttpResponse&);
  void pack_detail(Context&, const HttpRequest&, HttpResponse&);
  void evaluate(Context&, const HttpRequest&, HttpResponse&);
  void orient(Context&, const HttpRequest&, HttpResponse&);
  void orient_batch(Context&, const HttpRequest&, HttpResponse&);
  void notice(Context&, const HttpRequest&, HttpResponse&);
  void decide(Context&, const HttpRequest&, HttpResponse&);
  void decision_get(Context&, const HttpRequest&, HttpResponse&);
  void log_verify(Context&, const HttpRequest&, HttpResponse&);
  void checkpoint(Context&, const HttpRequest&, HttpResponse&);
  void replay(Context&, const HttpRequest&, HttpResponse&);
  void match(Context&, const HttpRequest&, HttpResponse&);
  void explain_match(Context&, const HttpRequest&, HttpResponse&);
  Checkpoint sign_head(std::uint64_t seq, const std::string& hash);
};

void Service::Impl::load() {
  if (config.packs.empty()) throw Error(ErrorCode::invalid_argument, "--packs DIR is required");
  if (config.keys.empty()) throw Error(ErrorCode::invalid_argument, "--keys FILE is required");
  if (config.log_file.empty() == config.db_url.empty())
    throw Error(ErrorCode::invalid_argument, "give exactly one of --log FILE and --db URL");
  if (config.threads < 1 || config.threads > 1024)
    throw Error(ErrorCode::invalid_argument, "--threads must be 1..1024");
  registry.load_dir(config.packs);
  if (registry.packs().empty())
    throw Error(ErrorCode::invalid_argument, "no pack.json under " + config.packs);
  for (const Pack& pack : registry.packs()) {
    PackEntry e{&pack, std::make_unique<Orienter>(pack), {}};
    for (const Decision& d : pack.decisions())
      for (const OutputSpec& o : d.outputs)
        if (o.name == orientation_outputs::decideur) e.decision_roles = o.values;
    decision_roles.insert(e.decision_roles.begin(), e.decision_roles.end());
    packs.push_back(std::move(e));
  }
  if (config.default_pack.empty()) {
    // The orientation pack, when there is one id with decision roles.
    std::set<std::string> ids;
    for (const PackEntry& e : packs)
      if (!e.decision_roles.empty()) ids.insert(e.pack->id());
    if (ids.size() == 1) config.default_pack = *ids.begin();
  }
  keys = load_keys();
  std::string key;
  if (!config.pseudonym_key_file.empty())
    key = read_text_file(config.pseudonym_key_file, "the pseudonymisation key");
  else if (const char* env = std::getenv("AIG_PSEUDONYM_KEY"))
    key = env;
  pseudonym_key = trim(key);
  if (pseudonym_key.size() < kMinPseudonymKeyBytes)
    throw Error(ErrorCode::invalid_argument,
                "a pseudonymisation key of at least 16 bytes is required (--pseudonym-key-file "
                "FILE or AIG_PSEUDONYM_KEY)");
  if (!config.checkpoint_key.empty()) {
    checkpoint_private = read_text_file(config.checkpoint_key, "the checkpoint key");
    checkpoint_public = checkpoint_public_key(checkpoint_private);
  }
  if (!config.referential.empty()) {
    referential = std::make_unique<Referential>(Referential::load(config.referential, config.esco));
    if (!config.scoring.empty())
      scoring = parse_scoring(read_text_file(config.scoring, "the scoring file"));
    if (!config.offers.empty()) {
      OfferBatch batch =
          load_offers_jsonl(read_text_file(config.offers, "the offers file"), *referential);
      if (!batch.errors.empty())
        throw Error(batch.errors.front().error.code(),
                    config.offers + " line " + std::to_string(batch.errors.front().line) + ": " +
                        batch.errors.front().error.message());
      offers = std::move(batch.offers);
      bank = std::make_unique<OfferBank>(offers, *referential, scoring);
    }
  }
  log = config.db_url.empty()
            ? open_file_backend(config.log_file)
            : open_pg_backend(config.db_url,
                              config.db_connections ? config.db_connections : config.threads);
}

std::shared_ptr<const KeyStore> Service::Impl::load_keys() const {
  auto store = std::make_shared<const KeyStore>(KeyStore::load(config.keys));
  for (const ApiKey& k : store->keys())
    if (k.role != kRoleAdmin && k.role != kRoleAuditor && !decision_roles.count(k.role))
      throw Error(ErrorCode::invalid_document,
                  "key " + k.id + " has role " + k.role +
                      ", which is neither admin, auditor nor a decision role of the packs",
                  "/keys");
  return store;
}

// --- plumbing ---------------------------------------------------------------------------------

void Service::Impl::add(const char* method, const std::string& pattern, Route route,
                        Handler handler) {
  table.push_back({method, std::regex(pattern), std::move(route), std::move(handler)});
}

void Service::Impl::dispatch(HttpRequest& req, HttpResponse& res) {
  std::smatch m;
  for (const RouteEntry& e : table) {
    if (e.method != req.method || !std::regex_match(req.path, m, e.pattern)) continue;
    req.matches.assign(m.begin(), m.end());
    return answer(e.route, e.handler, req, res);
  }
  res.status = 404;
  res.set_content(error_document(404, {Error(ErrorCode::not_found, "no such route")}), kJson);
  metrics.error(std::string(error_code_name(ErrorCode::not_found)));
}

void Service::Impl::authorise(const Route& route, Context& ctx, const HttpRequest& req) {
  if (route.open) return;
  std::string presented = req.api_key;
  const std::string auth = req.authorization;
  if (presented.empty() && auth.rfind("Bearer ", 0) == 0) presented = auth.substr(7);
  if (presented.empty())
    refuse(ErrorCode::unauthorized,
           "an API key is required (header Authorization: Bearer KEY or X-API-Key)");
  ctx.keys = current_keys();
  ctx.key = ctx.keys->find(presented);
  if (!ctx.key) refuse(ErrorCode::unauthorized, "the API key is unknown or revoked");
  if (route.roles.empty()) return;
  const std::string& role = ctx.key->role;
  if (route.roles.count(role) || (route.roles.count("*counsellor") && decision_roles.count(role)))
    return;
  std::string allowed;
  for (const std::string& r : route.roles)
    allowed += (allowed.empty() ? "" : ", ") + (r == "*counsellor" ? "a counsellor role" : r);
  refuse(ErrorCode::forbidden,
         "the role " + role + " may not use " + route.name + " (allowed: " + allowed + ")");
}

void Service::Impl::answer(const Route& route, const Handler& handler, const HttpRequest& req,
                           HttpResponse& res) {
  const auto start = Clock::now();
  Context ctx;
  ctx.req = &req;
  ctx.deadline = start + std::chrono::milliseconds(config.limits.request_timeout_ms);
  // Liveness, readiness and the API document are always answered: a load balancer must see
  // an overloaded process as alive.
  const std::size_t now_in_flight = route.open ? 0 : in_flight.fetch_add(1) + 1;
  std::string error_code;
  try {
    if (now_in_flight > config.limits.max_in_flight)
      refuse(ErrorCode::overloaded, "too many requests in flight (" +
                                        std::to_string(config.limits.max_in_flight) +
                                        "); retry later");
    authorise(route, ctx, req);
    handler(ctx, req, res);
  } catch (const Refusal& r) {
    res.status = r.status;
    res.set_content(error_document(r.status, r.errors), kJson);
    error_code = std::string(error_code_name(r.errors.front().code()));
  } catch (const Error& e) {
    const int status = http_status(e.code());
    res.status = status;
    res.set_content(error_document(status, {e}), kJson);
    error_code = std::string(error_code_name(e.code()));
  } catch (const std::exception& e) {
    res.status = 500;
    res.set_content(error_document(500, {Error(ErrorCode::internal, e.what())}), kJson);
    error_code = "internal";
  }
  if (!route.open) in_flight.fetch_sub(1);
  if (res.status >= 400) res.set_header("Cache-Control", "no-store");
  if (res.status == 429 || res.status == 503) res.set_header("Retry-After", "1");
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  metrics.request(route.name, res.status, seconds);
  if (!error_code.empty()) metrics.error(error_code);
  // Route, status, time and key id only: never a body, a query or a person.
  if (config.access_log) {
    std::string line = req.method + " " + route.name + " " + std::to_string(res.status) + " " +
                       std::to_string(static_cast<long long>(seconds * 1e6)) +
                       "us key=" + (ctx.key ? ctx.key->id : std::string("-")) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

void Service::Impl::check_deadline(const Context& ctx) {
  if (Clock::now() > ctx.deadline)
    refuse(ErrorCode::request_timeout, "the request ran over its time limit");
}

Json Service::Impl::parse_body(const std::string& body, const char* what) const {
  if (detail::find_too_deep(body, config.limits.max_json_depth) != std::string_view::npos)
    refuse(ErrorCode::too_deep, std::string(what) + " is nested deeper than " +
                                    std::to_string(config.limits.max_json_depth) + " levels");
  Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded()) refuse(ErrorCode::json_syntax, std::string(what) + " is not valid JSON");
  if (!doc.is_object())
    refuse(ErrorCode::invalid_document, std::string(what) + " must be an object");
  return doc;
}

std::vector<std::string_view> Service::Impl::batch_lines(const std::string& body) const {
  std::vector<std::string_view> lines;
  const std::string_view text = body;
  std::size_t number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (lines.size() == config.limits.max_batch_records)
      refuse(
          ErrorCode::too_many_items,
          "a batch holds at most " + std::to_string(config.limits.max_batch_records) + " records");
    if (detail::find_too_deep(line, config.limits.max_json_depth) != std::string_view::npos)
      refuse(ErrorCode::too_deep, "line " + std::to_string(number) + " is nested deeper than " +
                                      std::to_string(config.limits.max_json_depth) + " levels");
    lines.push_back(line);
  }
  return lines;
}

std::optional<Date> Service::Impl::query_date(const HttpRequest& req) {
  if (!req.has_param("date")) return std::nullopt;
  const std::string text = req.param("date");
  auto d = Date::parse(text);
  if (!d) refuse(ErrorCode::invalid_date, "date must be YYYY-MM-DD, not \"" + text + "\"", "?date");
  return d;
}

std::string Service::Impl::lang_of(const HttpRequest& req) {
  std::string lang = req.has_param("lang") ? req.param("lang") : "fr";
  if (req.has_param("explain") && !req.has_param("lang")) lang = req.param("explain");
  if (lang != "fr" && lang != "en") refuse(ErrorCode::invalid_argument, "lang must be fr or en");
  return lang;
}

const PackEntry& Service::Impl::entry_for(const std::string& id, Date date) const {
  bool known = false;
  for (const PackEntry& e : packs) known = known || e.pack->id() == id;
  if (!known) refuse(ErrorCode::not_found, "no pack " + id);
  const Pack& pack = registry.select(id, date);
  for (const PackEntry& e : packs)
    if (e.pack == &pack) return e;
  refuse(ErrorCode::internal, "pack index out of step");
}

const PackEntry& Service::Impl::default_entry(const HttpRequest& req, Date date) const {
  const std::string id = req.has_param("pack") ? req.param("pack") : config.default_pack;
  if (id.empty())
    refuse(ErrorCode::invalid_argument, "say which pack with ?pack=ID (no default pack)", "?pack");
  return entry_for(id, date);
}

// --- packs and evaluation ----------------------------------------------------------------------

Json pack_summary(const Pack& p) {
  Json j{{"id", p.id()},
         {"version", p.version()},
         {"title", p.title()},
         {"valid_from", p.valid_from().to_string()},
         {"valid_to", p.valid_to() ? Json(p.valid_to()->to_string()) : Json(nullptr)},
         {"hash", p.hash()}};
  return j;
}

void Service::Impl::packs_list(Context&, const HttpRequest&, HttpResponse& res) {
  Json doc{{"schema", "aiguillage.pack_list"}, {"schema_version", "1.0"}};
  doc["packs"] = Json::array();
  for (const PackEntry& e : packs) doc["packs"].push_back(pack_summary(*e.pack));
  res.set_content(dump(doc), kJson);
}

void Service::Impl::pack_detail(Context&, const HttpRequest& req, HttpResponse& res) {
  const std::string id = req.matches[1];
  Json doc{{"schema", "aiguillage.pack_detail"}, {"schema_version", "1.0"}, {"id", id}};
  doc["versions"] = Json::array();
  for (const PackEntry& e : packs) {
    const Pack& p = *e.pack;
    if (p.id() != id) continue;
    Json v = pack_summary(p);
    v["purpose"] = p.purpose();
    v["inputs"] = Json::array();
    for (const FieldSpec& f : p.inputs().fields()) {
      Json in{{"name", f.name},
              {"type", std::string(field_type_name(f.type))},
              {"required", f.required},
              {"label", {{"fr", f.label_fr}, {"en", f.label_en}}}};
      if (!f.values.empty()) in["values"] = f.values;
      v["inputs"].push_back(std::move(in));
    }
    v["outputs"] = Json::array();
    for (const Decision& d : p.decisions())
      for (const OutputSpec& o : d.outputs) {
        Json out{{"name", o.name},
                 {"type", std::string(field_type_name(o.type))},
                 {"decision", d.id},
                 {"label", {{"fr", o.label.fr}, {"en", o.label.en}}}};
        if (!o.values.empty()) out["values"] = o.values;
        v["outputs"].push_back(std::move(out));
      }
    v["decision_roles"] = e.decision_roles;
    doc["versions"].push_back(std::move(v));
  }
  if (doc["versions"].empty()) refuse(ErrorCode::not_found, "no pack " + id);
  res.set_content(dump(doc), kJson);
}

void Service::Impl::evaluate(Context& ctx, const HttpRequest& req, HttpResponse& res) {
  const std::string id = req.matches[1];
  const bool trace = req.has_param("trace") && req.param("trace") != "0";
  const bool explain = req.has_param("explain");
  const std::string lang = explain ? lang_of(req) : "fr";
  std::optional<Date> date = query_date(req);
  EvalOptions options;
  options.trace = trace || explain;
  options.reference_date = date;

  if (req.content_type.rfind(kNdjson, 0) == 0) {
    if (!date)
      refuse(ErrorCode::missing_reference_date,
             "a batch needs ?date=YYYY-MM-DD: it chooses the pack version", "?date");
    const std::vector<std::string_view> lines = batch_lines(req.body);
    const PackEntry& e = entry_for(id, *date);
    const Evaluator& evaluator = e.orienter->evaluator();
    std::string out;
    auto rejected = [&](std::size_t k, std::span<const Error> errors) {
      Json j{{"line", k + 1}, {"status", "error"}};
      j["errors"] = Json::array();
      for (const Error& err : errors) j["errors"].push_back(error_json(err));
      out += dump(j) + "\n";
    };
    if (!options.trace) {
      JsonLinesEvaluator runner(evaluator, options);
      runner.run(lines, [&](const RowResult& r) {
        if (r.rejected) return rejected(r.row, r.errors);
        evaluator.append_result_json(out, r);
        out += '\n';
      });
    } else {
      Evaluation ev;
      for (std::size_t k = 0; k < lines.size(); ++k) {
        if (k % 256 == 0) check_deadline(ctx);
        if (!JsonLinesEvaluator::evaluate_line(evaluator, lines[k], ev, options)) {
          rejected(k, ev.errors);
          continue;
        }
        std::string line = evaluation_to_json(*e.pack, ev, trace);
        if (explain)
          line.insert(line.size() - 1,
                      ",\"explanation\":" + json_string(explain_text(*e.pack, ev, lang)));
        out += line + "\n";
      }
    }
    check_deadline(ctx);
    res.set_content(out, kNdjson);
    return;
  }
  Json doc = parse_body(req.body, "the record");
  if (!date) {
    auto it = doc.find(std::string(kReferenceDate));
    if (it != doc.end() && it->is_string()) date = Date::parse(it->get<std::string>());
    if (!date)
      refuse(ErrorCode::missing_reference_date,
             "give the record's reference_date or ?date=YYYY-MM-DD", "/reference_date");
  }
  const PackEntry& e = entry_for(id, *date);
  Evaluation ev;
  if (!JsonLinesEvaluator::evaluate_line(e.orienter->evaluator(), req.body, ev, options))
    throw Refusal{422, ev.errors};
  std::string out = evaluation_to_json(*e.pack, ev, trace);
  if (explain)
    out.insert(out.size() - 1, ",\"explanation\":" + json_string(explain_text(*e.pack, ev, lang)));
  res.set_content(out, kJson);
}

// --- orientation ---------------------------------------------------------------------------------

// A person as posted: "person_id" identifies the person to the deployment and is no input of the
// pack. Returns the text the pack reads.
std::string person_text(Json& person, std::optional<std::string>& id) {
  auto it = person.find("person_id");
  if (it != person.end()) {
    if (it->is_string() && !it->get_ref<const std::string&>().empty())
      id = it->get<std::string>();
    else if (it->is_number_integer())
      id = it->dump();
    else
      refuse(ErrorCode::type_mismatch, "person_id must be a non-empty string or an integer",
             "/person_id");
    person.erase(it);
  }
  return dump(person);
}

std::optional<Date> record_date(const Json& person) {
  auto it = person.find(std::string(kReferenceDate));
  if (it == person.end() || !it->is_string()) return std::nullopt;
  return Date::parse(it->get<std::string>());
}

Service::Impl::Proposed Service::Impl::propose_body(const HttpRequest& req, bool trace) const {
  std::optional<Date> date = query_date(req);
  Proposed out;
  if (date) {
    // As `aiguillage orient` reads a line: person_id cut out of the text, which the pack's
    // reader then reads, without a document built and written again first.
    if (detail::find_too_deep(req.body, config.limits.max_json_depth) != std::string::npos)
      refuse(ErrorCode::too_deep, "the person is nested deeper than " +
                                      std::to_string(config.limits.max_json_depth) + " levels");
    cli::PersonInput person = cli::read_person_input(req.body);
    if (person.error) throw Refusal{http_status(person.error->code()), {*person.error}};
    out.id = std::move(person.id);
    out.entry = &default_entry(req, *date);
    out.proposal = out.entry->orienter->propose(person.text, *date, trace);
  } else {
    Json person = parse_body(req.body, "the person");
    if (!date) date = record_date(person);
    if (!date)
      refuse(ErrorCode::missing_reference_date,
             "give ?date=YYYY-MM-DD or the person's reference_date", "/reference_date");
    const std::string text = person_text(person, out.id);
    out.entry = &default_entry(req, *date);
    out.proposal = out.entry->orienter->propose(text, *date, trace);
  }
  if (!out.proposal.errors.empty()) {
    const ErrorCode first = out.proposal.errors.front().code();
    throw Refusal{first == ErrorCode::json_syntax ? 400 : 422, out.proposal.errors};
  }
  return out;
}

void Service::Impl::orient(Context& ctx, const HttpRequest& req, HttpResponse& res) {
  if (req.content_type.rfind(kNdjson, 0) == 0) return orient_batch(ctx, req, res);
  const bool trace = req.has_param("trace") && req.param("trace") != "0";
  const Proposed proposed = propose_body(req, trace);
  const Proposal& p = proposed.proposal;
  const std::optional<std::string>& id = proposed.id;
  std::string out = proposal_to_json(p, trace);
  if (id) out.insert(1, "\"person_id\":" + json_string(*id) + ",");
  res.set_content(out, kJson);
}

void Service::Impl::orient_batch(Context& ctx, const HttpRequest& req, HttpResponse& res) {
  const std::optional<Date> date = query_date(req);
  if (!date)
    refuse(ErrorCode::missing_reference_date,
           "a batch needs ?date=YYYY-MM-DD: the reference date of every person", "?date");
  const std::vector<std::string_view> lines = batch_lines(req.body);
  const PackEntry& e = default_entry(req, *date);
  // Persons without "person_id" go through as they are; the others lose it before the pack.
  std::vector<std::string> rewritten;
  std::vector<std::optional<std::string>> ids(lines.size());
  std::vector<std::string_view> texts(lines.begin(), lines.end());
  std::vector<std::optional<Error>> bad(lines.size());
  rewritten.reserve(lines.size());
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (lines[k].find("\"person_id\"") == std::string_view::npos) continue;
    Json person = Json::parse(lines[k], nullptr, false);
    if (person.is_discarded() || !person.is_object()) continue;  // the pack reports it
    try {
      rewritten.push_back(person_text(person, ids[k]));
      texts[k] = rewritten.back();
    } catch (const Refusal& r) {
      bad[k] = r.errors.front();
    }
  }
  check_deadline(ctx);
  std::string out;
  BulkProposer bulk(*e.orienter, *date);
  bulk.run(texts, [&](std::size_t k, std::string_view proposal, bool rejected) {
    out += '{';
    if (bad[k]) {
      out += "\"line\":" + std::to_string(k + 1) + ",\"status\":\"error\",\"errors\":[" +
             dump(error_json(*bad[k])) + "]}\n";
      return;
    }
    if (rejected)
      out += "\"line\":" + std::to_string(k + 1) + ",";
    else if (ids[k])
      out += "\"person_id\":" + json_string(*ids[k]) + ",";
    out.append(proposal.substr(1));
    out += '\n';
  });
  check_deadline(ctx);
  res.set_content(out, kNdjson);
}

void Service::Impl::notice(Context&, const HttpRequest& req, HttpResponse& res) {
  const std::string lang = lang_of(req);
  const std::string format = req.has_param("format") ? req.param("format") : "text";
  if (format != "text" && format != "html")
    refuse(ErrorCode::invalid_argument, "format must be text or html", "?format");
  const Proposed proposed = propose_body(req, true);
  const Proposal& p = proposed.proposal;
  const PackEntry& e = *proposed.entry;
  const std::string notice = notice_text(*e.pack, p, nullptr, lang);
  if (format == "html")
    res.set_content(notice_html(notice, lang), "text/html; charset=utf-8");
  else
    res.set_content(notice, "text/plain; charset=utf-8");
}

// --- decisions and the log -----------------------------------------------------------------------

std::string territory_of(const Pack& pack, const Proposal& p) {
  const int field = pack.inputs().index_of("territory");
  if (field < 0 || static_cast<std::size_t>(field) >= p.evaluation.input.values.size()) return {};
  const Value& v = p.evaluation.input.values[static_cast<std::size_t>(field)];
  return v.type() == Type::string ? std::string(v.as_string()) : std::string();
}

void Service::Impl::decide(Context& ctx, const HttpRequest& req, HttpResponse& res) {
  Json doc = parse_body(req.body, "the decision");
  static const std::set<std::string> known = {
      "person",     "action",         "reason", "outputs",
      "decided_at", "reference_date", "pack",   "contract_signed_at"};
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (!known.count(it.key()))
      refuse(ErrorCode::unknown_field,
             it.key() == "actor_role" || it.key() == "actor"
                 ? "the actor's role comes from the API key, never from the request"
                 : "unknown field " + it.key() +
                       " (person, action, reason, outputs, decided_at, reference_date, pack, "
                       "contract_signed_at)",
             "/" + json_pointer_token(it.key()));
  auto text_of = [&](const char* name, bool required) -> std::string {
    auto it = doc.find(name);
    if (it == doc.end()) {
      if (required)
        refuse(ErrorCode::required_missing, std::string(name) + " is required",
               std::string("/") + name);
      return {};
    }
    if (!it->is_string())
      refuse(ErrorCode::type_mismatch, std::string(name) + " must be a string",
             std::string("/") + name);
    return it->get<std::string>();
  };
  if (!doc.contains("person") || !doc["person"].is_object())
    refuse(ErrorCode::required_missing, "person (an object) is required", "/person");
  Json person = doc["person"];
  const auto action = parse_action(text_of("action", true));
  if (!action)
    refuse(ErrorCode::enum_value, "action must be confirm, override or reorient", "/action");
  const std::string reason = text_of("reason", false);
  const std::string decided_at = text_of("decided_at", true);
  // When the engagement contract was signed, if known when the decision is recorded (1.1).
  const std::string contract_signed_at = text_of("contract_signed_at", false);
  if (doc.contains("contract_signed_at")) check_timestamp(contract_signed_at, "contract_signed_at");
  std::string outputs;
  if (doc.contains("outputs")) {
    if (!doc["outputs"].is_object())
      refuse(ErrorCode::type_mismatch, "outputs must be an object", "/outputs");
    outputs = dump(doc["outputs"]);
  }
  std::optional<Date> date;
  if (doc.contains("reference_date")) date = Date::parse(text_of("reference_date", false));
  if (!date) date = record_date(person);
  if (!date)
    refuse(ErrorCode::missing_reference_date, "reference_date is required", "/reference_date");
  std::optional<std::string> id;
  const std::string text = person_text(person, id);
  if (!id)
    refuse(ErrorCode::required_missing,
           "person.person_id is required: it is pseudonymised into the record",
           "/person/person_id");
  const std::string pack_id = doc.contains("pack") ? text_of("pack", false) : config.default_pack;
  if (pack_id.empty())
    refuse(ErrorCode::required_missing, "pack is required (no default pack)", "/pack");
  const PackEntry& e = entry_for(pack_id, *date);
  const Proposal p = e.orienter->propose(text, *date, true);
  if (!p.errors.empty()) {
    std::vector<Error> errors;
    for (const Error& err : p.errors) errors.push_back(err.with_pointer_prefix("/person"));
    throw Refusal{422, errors};
  }
  const std::string& role = ctx.key->role;
  // The pack says who decides for this person; a counsellor of another structure may not.
  const Json proposed = Json::parse(p.outputs_json);
  if (auto it = proposed.find(std::string(orientation_outputs::decideur));
      it != proposed.end() && it->is_string() && it->get<std::string>() != role)
    refuse(ErrorCode::forbidden, "the pack reserves this decision to " + it->get<std::string>() +
                                     "; the key's role is " + role);
  OrientationDecision d;
  try {
    d = e.orienter->decide(p, role, *action, reason, decided_at, outputs);
  } catch (const Error& err) {
    if (err.code() != ErrorCode::invalid_argument) throw;
    throw Refusal{422, {err}};  // a decision the contract refuses, not a malformed request
  }
  d.contract_signed_at = contract_signed_at;
  DecisionRecordInput in;
  in.person_pseudonym = pseudonymise(pseudonym_key, *id);
  in.territory = territory_of(*e.pack, p);
  in.recorded_at = decided_at;
  const KeyedDecisionRecord keyed = make_keyed_decision_record(*e.pack, p, d, in);
  const std::string& record = keyed.record;
  check_deadline(ctx);
  const AppendResult appended = log->append(record, keyed.key);
  metrics.decision_written();
  if (config.checkpoint_every && !checkpoint_private.empty() &&
      appended.seq % config.checkpoint_every == 0)
    log->add_checkpoint(sign_checkpoint(checkpoint_private, appended.seq, appended.hash));
  res.status = 201;
  res.set_content(
      "{\"schema\":\"aiguillage.decision_receipt\",\"schema_version\":\"1.0\",\"seq\":" +
          std::to_string(appended.seq) + ",\"hash\":\"" + appended.hash +
          "\",\"record\":" + record + "}",
      kJson);
}

void Service::Impl::decision_get(Context&, const HttpRequest& req, HttpResponse& res) {
  const std::string text = req.matches[1];
  std::uint64_t seq = 0;
  try {
    seq = std::stoull(text);
  } catch (const std::exception&) {
  }
  if (seq == 0) refuse(ErrorCode::not_found, "no decision " + text);
  auto line = log->line(seq);
  if (!line) refuse(ErrorCode::not_found, "no decision " + text);
  res.set_content(*line, kJson);
}

void Service::Impl::log_verify(Context&, const HttpRequest&, HttpResponse& res) {
  std::string text = log->export_text(1, 0);
  LogVerification v = verify_log_text(text);
  // The backend's own check also compares the head row (PostgreSQL) or the torn tail (file).
  if (v.ok) v = log->verify();
  Json doc{{"schema", "aiguillage.log_verification"},
           {"schema_version", "1.0"},
           {"ok", v.ok},
           {"records", v.lines},
           {"first_bad", v.first_bad},
           {"torn_tail", v.torn_tail},
           {"message", v.message},
           {"last_hash", v.last_hash},
           {"backend", log->kind()}};
  if (!checkpoint_public.empty()) {
    const std::vector<Checkpoint> cps = log->checkpoints();
    std::string why;
    try {
      why = check_checkpoints(checkpoint_public, cps, log_text_line_hashes(text));
    } catch (const Error& e) {
      why = e.message();
    }
    doc["checkpoints"] = {{"count", cps.size()}, {"ok", why.empty()}, {"message", why}};
    if (!why.empty()) doc["ok"] = false;
  }
  res.set_content(dump(doc), kJson);
}

Checkpoint Service::Impl::sign_head(std::uint64_t seq, const std::string& hash) {
  Checkpoint c = sign_checkpoint(checkpoint_private, seq, hash);
  log->add_checkpoint(c);
  return c;
}

void Service::Impl::checkpoint(Context&, const HttpRequest&, HttpResponse& res) {
  if (checkpoint_private.empty())
    refuse(ErrorCode::unavailable, "no checkpoint key is configured (--checkpoint-key PEM)");
  const std::string text = log->export_text(1, 0);
  const std::vector<std::string> hashes = log_text_line_hashes(text);
  if (hashes.empty()) refuse(ErrorCode::invalid_argument, "the log is empty: nothing to sign");
  const Checkpoint c = sign_head(hashes.size(), hashes.back());
  res.status = 201;
  res.set_content(checkpoint_to_json(c), kJson);
}

void Service::Impl::replay(Context& ctx, const HttpRequest& req, HttpResponse& res) {
  Json doc = req.body.empty() ? Json::object() : parse_body(req.body, "the replay request");
  auto number = [&](const char* name) -> std::uint64_t {
    if (!doc.contains(name)) return 0;
    if (!doc[name].is_number_unsigned())
      refuse(ErrorCode::type_mismatch, std::string(name) + " must be a whole number",
             std::string("/") + name);
    return doc[name].get<std::uint64_t>();
  };
  const std::uint64_t from = std::max<std::uint64_t>(1, number("from"));
  const std::uint64_t to = number("to");
  // The chain is verified from its start, whatever the range.
  const std::vector<std::string> all = read_log_text_records(log->export_text(1, to));
  const std::vector<std::string> records(all.begin() + std::min<std::size_t>(from - 1, all.size()),
                                         all.end());
  check_deadline(ctx);
  ReplayReport report;
  if (doc.contains("against")) {
    if (!doc["against"].is_object())
      refuse(ErrorCode::type_mismatch, "against must be a pack document (aiguillage.ruleset)",
             "/against");
    Pack against;
    try {
      against = Pack::load(dump(doc["against"]));
    } catch (const Error& e) {
      throw Refusal{422, {e.with_pointer_prefix("/against")}};
    }
    report = replay_records_against(records, against, from);
  } else {
    report = replay_records(records, registry, from);
  }
  check_deadline(ctx);
  std::string out = report.to_json();
  out.insert(1, "\"schema\":\"aiguillage.replay_report\",\"schema_version\":\"1.0\",");
  res.set_content(out, kJson);
}

// --- matching ------------------------------------------------------------------------------------

Json reasons_json(const Score& s, const Profile& profile, const Offer& offer,
                  ExplanationLanguage lang) {
  return detail::pair_reasons_json(s, profile, offer, lang);
}

void Service::Impl::match(Context&, const HttpRequest& req, HttpResponse& res) {
  if (!bank) refuse(ErrorCode::unavailable, "matching is not configured (--referential, --offers)");
  const ExplanationLanguage lang =
      lang_of(req) == "en" ? ExplanationLanguage::en : ExplanationLanguage::fr;
  std::size_t top = 10;
  if (req.has_param("top")) {
    try {
      top = std::stoul(req.param("top"));
    } catch (const std::exception&) {
      top = 0;
    }
    if (top < 1 || top > 1000) refuse(ErrorCode::out_of_bounds, "top must be 1..1000", "?top");
  }
  parse_body(req.body, "the profile");
  const Profile profile = parse_profile(req.body, *referential);
  const std::vector<RankedMatch> best = bank->top_offers(profile, top);
  Json doc{
      {"schema", "aiguillage.match_list"}, {"schema_version", "1.0"}, {"profile_id", profile.id}};
  doc["matches"] = Json::array();
  for (std::size_t r = 0; r < best.size(); ++r) {
    const Offer& offer = offers[best[r].index];
    doc["matches"].push_back({{"offer_id", offer.id},
                              {"rank", r + 1},
                              {"cohort_size", offers.size()},
                              {"score", best[r].score.score},
                              {"reason_codes", best[r].score.reasons},
                              {"reasons", reasons_json(best[r].score, profile, offer, lang)}});
  }
  res.set_content(dump(doc), kJson);
}

void Service::Impl::explain_match(Context&, const HttpRequest& req, HttpResponse& res) {
  if (!bank) refuse(ErrorCode::unavailable, "matching is not configured (--referential, --offers)");
  const ExplanationLanguage lang =
      lang_of(req) == "en" ? ExplanationLanguage::en : ExplanationLanguage::fr;
  Json doc = parse_body(req.body, "the request");
  if (!doc.contains("profile") || !doc["profile"].is_object())
    refuse(ErrorCode::required_missing, "profile (an aiguillage.profile document) is required",
           "/profile");
  if (!doc.contains("offer_id") || !doc["offer_id"].is_string())
    refuse(ErrorCode::required_missing, "offer_id (a string) is required", "/offer_id");
  Profile profile;
  try {
    profile = parse_profile(dump(doc["profile"]), *referential);
  } catch (const Error& e) {
    throw Refusal{422, {e.with_pointer_prefix("/profile")}};
  }
  const std::string offer_id = doc["offer_id"].get<std::string>();
  const std::vector<Offer>& banked = bank->offers();
  std::size_t index = banked.size();
  for (std::size_t o = 0; o < banked.size() && index == banked.size(); ++o)
    if (banked[o].id == offer_id) index = o;
  if (index == banked.size()) refuse(ErrorCode::not_found, "no offer " + offer_id, "/offer_id");
  // Ranked by the bank's own search (no other offer scored); a pair the bank never lists (a
  // hard constraint excludes it) is ranked among the excluded by scoring the offers.
  std::optional<MatchExplanation> e = explain_in_bank(*bank, profile, index);
  if (!e)
    e = aiguillage::explain_match(profile, banked[index], *referential, scoring,
                                  std::span<const Offer>(banked));
  res.set_content(e->to_json(lang), kJson);
}

// --- routes --------------------------------------------------------------------------------------

void Service::Impl::routes() {
  using namespace std::placeholders;
  const std::set<std::string> any;
  const std::set<std::string> computing = {"*counsellor", std::string(kRoleAdmin)};
  const std::set<std::string> counsellor = {"*counsellor"};
  const std::set<std::string> audit = {std::string(kRoleAuditor), std::string(kRoleAdmin)};
  const std::set<std::string> admin = {std::string(kRoleAdmin)};
  auto bind = [this](void (Impl::*f)(Context&, const HttpRequest&, HttpResponse&)) {
    return Handler(
        [this, f](Context& c, const HttpRequest& q, HttpResponse& r) { (this->*f)(c, q, r); });
  };
  add("GET", "/health", {"/health", {}, true}, [](Context&, const HttpRequest&, HttpResponse& res) {
    res.set_content("{\"status\":\"ok\"}", kJson);
  });
  add("GET", "/ready", {"/ready", {}, true},
      [this](Context&, const HttpRequest&, HttpResponse& res) {
        const bool ok = !packs.empty() && log->ready();
        res.status = ok ? 200 : 503;
        res.set_content(dump(Json{{"status", ok ? "ready" : "not_ready"},
                                  {"packs", packs.size()},
                                  {"log", log->kind()},
                                  {"log_ready", ok}}),
                        kJson);
      });
  add("GET", "/openapi.json", {"/openapi.json", {}, true},
      [](Context&, const HttpRequest&, HttpResponse& res) {
        res.set_content(std::string(kOpenApiJson), kJson);
      });
  add("GET", "/metrics", {"/metrics", audit, false},
      [this](Context&, const HttpRequest&, HttpResponse& res) {
        res.set_content(metrics.render(), "text/plain; version=0.0.4");
      });
  add("GET", "/v1/packs", {"/v1/packs", any, false}, bind(&Impl::packs_list));
  add("POST", R"(/v1/packs/(.+)/evaluate)", {"/v1/packs/{id}/evaluate", computing, false},
      bind(&Impl::evaluate));
  add("GET", R"(/v1/packs/(.+))", {"/v1/packs/{id}", any, false}, bind(&Impl::pack_detail));
  add("POST", "/v1/orient", {"/v1/orient", computing, false}, bind(&Impl::orient));
  add("POST", "/v1/notice", {"/v1/notice", computing, false}, bind(&Impl::notice));
  add("POST", "/v1/decisions", {"/v1/decisions", counsellor, false}, bind(&Impl::decide));
  add("GET", R"(/v1/decisions/([^/]+))", {"/v1/decisions/{seq}", audit, false},
      bind(&Impl::decision_get));
  add("GET", "/v1/log/verify", {"/v1/log/verify", audit, false}, bind(&Impl::log_verify));
  add("POST", "/v1/log/checkpoints", {"/v1/log/checkpoints", admin, false},
      bind(&Impl::checkpoint));
  add("POST", "/v1/replay", {"/v1/replay", audit, false}, bind(&Impl::replay));
  add("POST", "/v1/match", {"/v1/match", computing, false}, bind(&Impl::match));
  add("POST", "/v1/explain-match", {"/v1/explain-match", computing, false},
      bind(&Impl::explain_match));
}

bool Service::Impl::may_block(const HttpRequest& req) {
  const std::string_view path = req.path;
  return req.content_type.rfind(kNdjson, 0) == 0 || path == "/ready" ||
         path.rfind("/v1/decisions", 0) == 0 || path.rfind("/v1/log/", 0) == 0 ||
         path == "/v1/replay";
}

void Service::Impl::refusal(int status, HttpResponse& res) {
  const ErrorCode code = status == 413   ? ErrorCode::payload_too_large
                         : status == 400 ? ErrorCode::invalid_argument
                         : status == 429 ? ErrorCode::overloaded
                                         : ErrorCode::internal;
  const std::string what = status == 413   ? "the request body is over the size limit"
                           : status == 400 ? "malformed HTTP request"
                           : status == 429 ? "too many connections (" +
                                                 std::to_string(config.limits.max_connections) +
                                                 "); retry later"
                                           : "internal error";
  res.status = status;
  res.set_content(error_document(status, {Error(code, what)}), kJson);
  if (status == 429 || status == 503) res.set_header("Retry-After", "1");
  metrics.error(std::string(error_code_name(code)));
}

Service::Service(ServiceConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  impl_->load();
  impl_->routes();
  Impl& d = *impl_;
  TransportOptions o;
  o.host = d.config.host;
  o.port = d.config.port;
  // The event loop needs no more threads than cores; the requests that wait for the log get
  // --threads threads of their own (as many decisions as wait together share one commit).
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  o.loop_threads = std::min(d.config.threads, cores);
  o.blocking_threads = d.config.threads;
  o.max_body_bytes = d.config.limits.max_body_bytes;
  // Receiving a request or sending an answer may take the request's time limit, one second at
  // least (the limit of the work itself, checked by the handlers, may be shorter).
  o.io_timeout =
      std::chrono::milliseconds(std::max<std::size_t>(1000, d.config.limits.request_timeout_ms));
  o.max_connections = d.config.limits.max_connections;
  TransportHandlers h;
  h.serve = [&d](HttpRequest& req, HttpResponse& res) { d.dispatch(req, res); };
  h.may_block = &Impl::may_block;
  h.refusal = [&d](int status, HttpResponse& res) { d.refusal(status, res); };
  d.transport = std::make_unique<HttpTransport>(std::move(o), std::move(h));
}

Service::~Service() = default;

int Service::bind() {
  Impl& d = *impl_;
  d.port = d.transport->bind();
  return d.port;
}

void Service::run() {
  impl_->transport->run();
  // run() returns once stopped and every request in flight has been answered.
  impl_->log->close();
}

void Service::stop() {
  impl_->transport->stop();
}

std::size_t Service::reload_keys() {
  Impl& d = *impl_;
  std::shared_ptr<const KeyStore> fresh = d.load_keys();
  std::size_t active = 0;
  for (const ApiKey& k : fresh->keys()) active += k.revoked ? 0 : 1;
  std::lock_guard lock(d.keys_mutex);
  d.keys = std::move(fresh);
  return active;
}

}  // namespace aiguillage::service
