// The Boost.Graph graphs behind a Referential; private to the library.
#pragma once

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>

#include "aiguillage/matching/referential.hpp"

namespace aiguillage {
inline namespace v1 {

struct CreditEdgeProperty {
  CreditEdge kind = CreditEdge::to_macro_competence;
};
struct MobilityEdgeProperty {
  int order = 0;
};

using ItemGraph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, CreditEdgeProperty,
                                       boost::no_property, std::uint32_t, std::uint32_t>;
using OccupationGraph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, MobilityEdgeProperty,
                                       boost::no_property, std::uint32_t, std::uint32_t>;

// Item graph vertices: items [0, I), then each occupation twice: as the fiche an item is core
// of, [I, I + O), and as a fiche reached by mobility, [I + O, I + 2 O). Core items are reached
// only from the second copy, so credit through fiches always takes at least one mobility step
// (two items of the same fiche are not related by that fact alone).
struct Referential::Graphs {
  ItemGraph items;
  ItemGraph reverse_items;              // the same edges reversed, for credits_to
  OccupationGraph occupations;          // ROME mobility, sorted by numero_ordre within each fiche
  OccupationGraph reverse_occupations;  // the same edges reversed
  std::uint32_t item_count = 0;
  std::uint32_t occupation_count = 0;
};

}  // namespace v1
}  // namespace aiguillage
