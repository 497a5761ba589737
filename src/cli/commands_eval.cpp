// eval and explain: records in, one result per record out, in input order.
#include <algorithm>
#include <charconv>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/explain.hpp"
#include "aiguillage/rules/json_lines.hpp"
#include "cli.hpp"
#include "core/parallel.hpp"

namespace aiguillage::cli {
namespace {

struct EvalSettings {
  std::string pack;
  std::string input = "-";
  EvalOptions options;
  bool trace = false;
  std::size_t threads = 1;
  std::string lang = "fr";
};

EvalSettings read_settings(const Args& args) {
  EvalSettings s;
  s.pack = args.positional[0];
  if (args.positional.size() > 1) s.input = args.positional[1];
  if (auto d = args.get("--date")) {
    s.options.reference_date = Date::parse(*d);
    if (!s.options.reference_date)
      throw UsageError("--date must be a valid date YYYY-MM-DD, not \"" + *d + "\"");
  }
  if (args.has("--allow-unknown-fields")) s.options.unknown_fields = UnknownFields::ignore;
  s.trace = args.has("--trace");
  if (auto t = args.get("--threads")) {
    unsigned n = 0;
    auto r = std::from_chars(t->data(), t->data() + t->size(), n);
    if (r.ec != std::errc() || r.ptr != t->data() + t->size() || n < 1 || n > 256)
      throw UsageError("--threads must be a whole number from 1 to 256, not \"" + *t + "\"");
    s.threads = n;
  }
  if (auto l = args.get("--lang")) {
    if (*l != "fr" && *l != "en") throw UsageError("--lang must be fr or en, not \"" + *l + "\"");
    s.lang = *l;
  }
  return s;
}

void append_errors(std::string& out, std::span<const Error> errors) {
  out += "\"errors\":[";
  for (std::size_t k = 0; k < errors.size(); ++k) {
    const Error& e = errors[k];
    if (k) out += ',';
    out += "{\"code\":" + std::to_string(static_cast<int>(e.code())) + ",\"name\":\"";
    out += error_code_name(e.code());
    out +=
        "\",\"message\":" + json_string(e.message()) + ",\"pointer\":" + json_string(e.pointer());
    out += '}';
  }
  out += ']';
}

// Scratch state of one thread: reused record after record so that the loop stops allocating.
struct Worker {
  Evaluation evaluation;
  std::unique_ptr<JsonLinesEvaluator> lines;  // without --trace: records by blocks
  std::vector<std::string_view> texts;
  std::string out;
  bool any_error = false;
};

void write_rejected(std::size_t line, std::span<const Error> errors, Worker& w) {
  w.any_error = true;
  w.out += "{\"line\":" + std::to_string(line) + ",\"status\":\"error\",";
  append_errors(w.out, errors);
  w.out += "}\n";
}

// Says which record failed: results keep input order, but a reader filtering errors needs the
// line to go back to the input.
void mark_failed(std::size_t line, std::size_t start, Worker& w) {
  w.any_error = true;
  w.out.insert(start + 1, "\"line\":" + std::to_string(line) + ",");
}

void eval_range(const Evaluator& evaluator, const EvalSettings& s, const RecordLine* begin,
                const RecordLine* end, Worker& w) {
  if (!s.trace) {
    if (!w.lines) w.lines = std::make_unique<JsonLinesEvaluator>(evaluator, s.options);
    w.texts.clear();
    for (const RecordLine* r = begin; r != end; ++r) w.texts.push_back(r->text);
    w.lines->run(w.texts, [&](const RowResult& r) {
      const std::size_t line = begin[r.row].line;
      if (r.rejected) return write_rejected(line, r.errors, w);
      const std::size_t start = w.out.size();
      evaluator.append_result_json(w.out, r);
      if (r.status == Status::error) mark_failed(line, start, w);
      w.out += '\n';
    });
    return;
  }
  for (const RecordLine* r = begin; r != end; ++r) {
    if (!JsonLinesEvaluator::evaluate_line(evaluator, r->text, w.evaluation, s.options)) {
      write_rejected(r->line, w.evaluation.errors, w);
      continue;
    }
    const std::size_t start = w.out.size();
    w.out += evaluation_to_json(evaluator.pack(), w.evaluation, true);
    if (w.evaluation.status == Status::error) mark_failed(r->line, start, w);
    w.out += '\n';
  }
}

}  // namespace

int cmd_eval(int argc, char** argv) {
  Args args = parse_args(argc, argv, 2,
                         {{"--date", true},
                          {"--trace", false},
                          {"--allow-unknown-fields", false},
                          {"--threads", true}},
                         1, 2);
  EvalSettings s = read_settings(args);
  s.options.trace = s.trace;
  Pack pack;
  try {
    pack = load_pack(s.pack);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  const Evaluator evaluator(pack);
  std::vector<Worker> workers(s.threads);
  bool any_error = false;
  try {
    RecordReader reader(s.input);
    while (const std::vector<RecordLine>* block = reader.next()) {
      const RecordLine* data = block->data();
      const std::size_t n = block->size();
      // Below a few hundred records a thread costs more than it saves.
      const std::size_t used = std::min(s.threads, std::max<std::size_t>(1, n / 256));
      detail::run_on_threads(used, [&](std::size_t t) {
        eval_range(evaluator, s, data + n * t / used, data + n * (t + 1) / used, workers[t]);
      });
      for (std::size_t t = 0; t < used; ++t) {
        write_out(workers[t].out);
        workers[t].out.clear();
      }
      // Records may arrive one by one on a pipe from a process waiting for each answer.
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  for (const Worker& w : workers) any_error = any_error || w.any_error;
  return any_error ? kExitFailed : kExitOk;
}

int cmd_explain(int argc, char** argv) {
  Args args = parse_args(
      argc, argv, 2, {{"--date", true}, {"--lang", true}, {"--allow-unknown-fields", false}}, 1, 2);
  EvalSettings s = read_settings(args);
  s.options.trace = true;
  Pack pack;
  try {
    pack = load_pack(s.pack);
  } catch (const Error& e) {
    return report(e, kExitLoad);
  }
  const Evaluator evaluator(pack);
  Worker w;
  bool first = true;
  try {
    RecordReader reader(s.input);
    while (const std::vector<RecordLine>* block = reader.next()) {
      for (const RecordLine& r : *block) {
        if (!first) w.out += '\n';
        first = false;
        if (!JsonLinesEvaluator::evaluate_line(evaluator, r.text, w.evaluation, s.options)) {
          w.any_error = true;
          for (const Error& e : w.evaluation.errors)
            w.out += "line " + std::to_string(r.line) + ": error: " + e.describe() + "\n";
          continue;
        }
        if (w.evaluation.status == Status::error) w.any_error = true;
        std::string text = explain_text(pack, w.evaluation, s.lang);
        if (!text.empty() && text.back() != '\n') text += '\n';
        w.out += text;
      }
      write_out(w.out);
      w.out.clear();
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    return report(e, kExitIo);
  }
  return w.any_error ? kExitFailed : kExitOk;
}

}  // namespace aiguillage::cli
