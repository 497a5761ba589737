// The native objects held by the Python classes.
#pragma once

#include <memory>
#include <vector>

#include "aiguillage/orientation/orientation.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "columnar.hpp"

namespace aiguillage::python {

// A pack with its evaluator (built once) and its output columns.
struct NativePack {
  Pack pack;
  Evaluator evaluator;
  std::vector<surfaces::OutputColumn> outputs;
  explicit NativePack(Pack p)
      : pack(p), evaluator(std::move(p)), outputs(surfaces::output_columns(pack)) {}
};

struct NativeProposal {
  Proposal proposal;
  std::string json;
};

struct NativeDecision {
  OrientationDecision decision;
  std::string json;
};

}  // namespace aiguillage::python
