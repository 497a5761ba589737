// Orientation: proposals, decisions (human or by the deployment's policy), notices.
#include <pybind11/stl.h>

#include "aiguillage/orientation/notice.hpp"
#include "aiguillage/orientation/orientation.hpp"
#include "common.hpp"
#include "handles.hpp"

namespace aiguillage::python {

struct NativeOrienter {
  std::shared_ptr<NativePack> pack;
  Orienter orienter;
};

void bind_orientation(py::module_& m) {
  py::class_<NativeProposal, std::shared_ptr<NativeProposal>>(m, "NativeProposal")
      .def_property_readonly("json", [](const NativeProposal& p) { return p.json; })
      .def_property_readonly("evident", [](const NativeProposal& p) { return p.proposal.evident; })
      .def_property_readonly("status", [](const NativeProposal& p) {
        return std::string(status_name(p.proposal.status));
      });

  py::class_<NativeDecision, std::shared_ptr<NativeDecision>>(m, "NativeDecision")
      .def_property_readonly("json", [](const NativeDecision& d) { return d.json; });

  py::class_<NativeOrienter, std::shared_ptr<NativeOrienter>>(m, "NativeOrienter")
      .def(py::init([](std::shared_ptr<NativePack> pack, bool auto_confirm_evident) {
             OrientationPolicy policy;
             policy.auto_confirm_evident = auto_confirm_evident;
             Pack p = pack->pack;
             return translate("DecisionError", [&] {
               return std::make_shared<NativeOrienter>(NativeOrienter{pack, Orienter(p, policy)});
             });
           }),
           py::arg("pack"), py::arg("auto_confirm_evident") = false)
      .def(
          "propose",
          [](const NativeOrienter& o, const std::string& person, const std::string& date,
             bool trace) {
            const Date d = *parse_date(date, "date");
            return translate("EvaluationError", [&] {
              py::gil_scoped_release release;
              auto p = std::make_shared<NativeProposal>();
              p->proposal = o.orienter.propose(person, d, trace);
              p->json = proposal_to_json(p->proposal, trace);
              return p;
            });
          },
          py::arg("person"), py::arg("date"), py::arg("trace") = true)
      .def(
          "decide",
          [](const NativeOrienter& o, const NativeProposal& p, const std::string& actor_role,
             const std::string& action, const std::string& reason, const std::string& decided_at,
             const std::string& outputs, const std::string& observations,
             const std::string& legitimate_reason,
             const std::optional<std::string>& contract_signed_at) {
            return translate("DecisionError", [&] {
              const std::optional<Action> a = parse_action(action);
              if (!a)
                throw Error(ErrorCode::invalid_argument,
                            "action must be confirm, override or reorient, not \"" + action + "\"");
              if (contract_signed_at) check_timestamp(*contract_signed_at, "contract_signed_at");
              auto d = std::make_shared<NativeDecision>();
              d->decision = o.orienter.decide(p.proposal, actor_role, *a, reason, decided_at,
                                              outputs, Hearing{observations, legitimate_reason});
              if (contract_signed_at) d->decision.contract_signed_at = *contract_signed_at;
              d->json = decision_to_json(d->decision);
              return d;
            });
          },
          py::arg("proposal"), py::arg("actor_role"), py::arg("action"), py::arg("reason"),
          py::arg("decided_at"), py::arg("outputs"), py::arg("observations") = "",
          py::arg("legitimate_reason") = "", py::arg("contract_signed_at") = py::none())
      .def(
          "auto_decide",
          [](const NativeOrienter& o, const NativeProposal& p,
             const std::string& decided_at) -> std::shared_ptr<NativeDecision> {
            return translate("DecisionError", [&]() -> std::shared_ptr<NativeDecision> {
              auto d = o.orienter.auto_decide(p.proposal, decided_at);
              if (!d) return nullptr;
              auto out = std::make_shared<NativeDecision>();
              out->decision = std::move(*d);
              out->json = decision_to_json(out->decision);
              return out;
            });
          },
          py::arg("proposal"), py::arg("decided_at"))
      .def(
          "notice",
          [](const NativeOrienter& o, const NativeProposal& p, const NativeDecision* d,
             const std::string& lang) {
            return translate("Error", [&] {
              return notice_text(o.orienter.pack(), p.proposal, d ? &d->decision : nullptr, lang);
            });
          },
          py::arg("proposal"), py::arg("decision") = nullptr, py::arg("lang") = "fr")
      .def_property_readonly("pack", [](const NativeOrienter& o) { return o.pack; });
}

}  // namespace aiguillage::python
