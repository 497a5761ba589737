// Audit: decision records, the chained decision log, verification and replay.
#include <pybind11/stl.h>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/audit/replay.hpp"
#include "aiguillage/audit/report.hpp"
#include "common.hpp"
#include "handles.hpp"

namespace aiguillage::python {

void bind_audit(py::module_& m) {
  m.def(
      "pseudonymise",
      [](const py::bytes& key, const std::string& person_id) {
        const std::string k = key;
        return translate("AuditError", [&] { return pseudonymise(k, person_id); });
      },
      py::arg("key"), py::arg("person_id"));

  m.def(
      "decision_record",
      [](const NativePack& pack, const NativeProposal& proposal, const NativeDecision& decision,
         const std::string& pseudonym, const std::string& territory,
         const std::string& recorded_at) {
        return translate("AuditError", [&] {
          DecisionRecordInput in{pseudonym, territory, recorded_at};
          return make_decision_record(pack.pack, proposal.proposal, decision.decision, in);
        });
      },
      py::arg("pack"), py::arg("proposal"), py::arg("decision"), py::arg("pseudonym"),
      py::arg("territory"), py::arg("recorded_at"));

  py::class_<DecisionLog>(m, "NativeDecisionLog")
      .def(py::init([](const std::string& path) {
             return translate("LogError", [&] { return new DecisionLog(path); });
           }),
           py::arg("path"))
      .def(
          "append",
          [](DecisionLog& log, const std::string& record) {
            return translate("LogError", [&] {
              py::gil_scoped_release release;
              return log.append(record);
            });
          },
          py::arg("record"))
      .def("__len__", [](const DecisionLog& log) { return log.size(); })
      .def_property_readonly("last_hash", [](const DecisionLog& log) { return log.last_hash(); });

  m.def(
      "verify_log",
      [](const std::string& path, std::optional<std::string> head,
         std::optional<std::uint64_t> lines) {
        LogVerification v = translate("LogError", [&] {
          if (!head && lines)
            throw Error(ErrorCode::invalid_argument, "lines needs head (the anchored hash)");
          py::gil_scoped_release release;
          return head ? verify_log(path, LogAnchor{*head, lines}) : verify_log(path);
        });
        py::dict d;
        d["ok"] = v.ok;
        d["lines"] = v.lines;
        d["first_bad"] = v.first_bad;
        d["torn_tail"] = v.torn_tail;
        d["message"] = v.message;
        d["last_hash"] = v.last_hash;
        return d;
      },
      py::arg("path"), py::arg("head") = py::none(), py::arg("lines") = py::none());
  m.def(
      "read_log_records",
      [](const std::string& path) {
        return translate("LogError", [&] { return read_log_records(path); });
      },
      py::arg("path"));
  m.def(
      "replay_log",
      [](const std::string& path, const Registry& registry) {
        return translate("LogError", [&] {
          py::gil_scoped_release release;
          return replay_log(path, registry).to_json();
        });
      },
      py::arg("path"), py::arg("registry"));
  m.def(
      "replay_log_against",
      [](const std::string& path, const NativePack& against) {
        return translate("LogError", [&] {
          py::gil_scoped_release release;
          return replay_log_against(path, against.pack).to_json();
        });
      },
      py::arg("path"), py::arg("against"));
  m.def(
      "report",
      [](const std::string& path, const std::string& db, const Registry& registry,
         const NativePack* against, const std::string& lang, int threshold, const std::string& from,
         const std::string& to, const std::vector<std::string>& territories,
         const std::vector<std::string>& group_by, bool unverified, bool territorial,
         unsigned threads, const std::string& matches, const std::string& match_persons,
         const std::string& match_profiles) {
        return translate("LogError", [&] {
          ReportOptions options;
          options.lang = lang;
          options.threshold = threshold;
          if (!from.empty()) options.from = Date::parse(from);
          if (!to.empty()) options.to = Date::parse(to);
          if ((!from.empty() && !options.from) || (!to.empty() && !options.to))
            throw Error(ErrorCode::invalid_date, "date_from and date_to are dates YYYY-MM-DD");
          options.territories = territories;
          options.group_by = group_by;
          options.unverified = unverified;
          options.territorial = territorial;
          options.threads = threads;
          if (against) options.against = &against->pack;
          py::gil_scoped_release release;
          std::optional<MatchRun> run;
          if (!matches.empty()) {
            run = read_match_run(matches, match_persons, match_profiles);
            options.matches = &*run;
          }
          auto source = db.empty() ? open_file_source(path) : open_db_source(db);
          Report r = build_report(*source, registry, options);
          return std::make_pair(std::move(r.json), std::move(r.html));
        });
      },
      py::arg("path"), py::arg("db"), py::arg("registry"), py::arg("against"), py::arg("lang"),
      py::arg("threshold"), py::arg("date_from"), py::arg("date_to"), py::arg("territories"),
      py::arg("group_by"), py::arg("unverified"), py::arg("territorial"), py::arg("threads"),
      py::arg("matches"), py::arg("match_persons"), py::arg("match_profiles") = "");
}

}  // namespace aiguillage::python
