// Competence referentials (ROME 4.0, optionally ESCO v1.1.1) held in memory: items and
// occupations with dense ids, the links between them, and the graphs that give bounded-depth
// partial credit between items and distances between occupations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

using ItemId = std::uint32_t;
using OccupationId = std::uint32_t;
using AppellationId = std::uint32_t;
inline constexpr std::uint32_t kNoId = 0xFFFFFFFFu;

enum class ItemKind : std::uint8_t {
  rome_competence,        // savoir-faire or savoir-être (unix_referentiel_competence)
  rome_macro_competence,  // nature "Macro-compétence" in the same file
  rome_savoir,            // unix_referentiel_savoir
  rome_work_context,      // unix_referentiel_contexte_travail (cited by fiches too)
  esco_skill,             // skills_en.csv (skill/competence, knowledge, ...)
  esco_skill_group,       // skillGroups_en.csv: inner nodes of the ESCO skill hierarchy
};
AIG_API std::string_view item_kind_name(ItemKind kind) noexcept;

enum class OccupationKind : std::uint8_t { rome_fiche, esco_occupation };

// How an item belongs to an occupation.
enum class LinkRole : std::uint8_t {
  listed,     // ROME: in the fiche, coeur_metier empty
  principal,  // ROME: coeur_metier "Principale"
  emerging,   // ROME: coeur_metier "Émergente"
  essential,  // ESCO: relationType essential
  optional,   // ESCO: relationType optional
};
AIG_API std::string_view link_role_name(LinkRole role) noexcept;
// Principal and emerging ROME items and essential ESCO skills are the occupation's core.
constexpr bool is_core(LinkRole role) noexcept {
  return role == LinkRole::principal || role == LinkRole::emerging || role == LinkRole::essential;
}

struct AIG_API Item {
  std::string code;   // ROME code_ogr ("100023") or ESCO concept URI
  std::string label;  // French for ROME, English for ESCO
  ItemKind kind = ItemKind::rome_competence;
  ItemId parent = kNoId;    // ROME: the macro-competence of a competence
  std::string category;     // ROME cat_comp / categorie_savoir; ESCO skillType
  std::string subcategory;  // ROME sous_cat_comp / sous_categorie_savoir; ESCO reuseLevel
};

struct AIG_API OccupationLink {
  ItemId item = kNoId;
  LinkRole role = LinkRole::listed;
};

struct AIG_API Occupation {
  std::string code;  // ROME code ("A1101") or ESCO occupation URI
  std::string label;
  OccupationKind kind = OccupationKind::rome_fiche;
  bool executive = false;             // ROME emploi_cadre
  std::string grand_domaine;          // ROME "A"
  std::string domaine;                // ROME "A11"
  std::string isco_code;              // ESCO iscoGroup
  std::vector<OccupationLink> items;  // in file order
};

struct AIG_API Appellation {
  std::string code;  // ROME code_ogr
  std::string label;
  std::string short_label;
  OccupationId occupation = kNoId;
  bool executive = false;
};

struct AIG_API MobilityEdge {
  OccupationId from = kNoId;
  OccupationId to = kNoId;
  int order = 0;  // ROME numero_ordre (position of the target in the fiche)
};

// A code a file cited that the referential does not hold: kept and counted, never fatal.
struct AIG_API UnknownCode {
  std::string file;
  std::size_t line = 0;
  std::string code;
  std::string context;  // what cited it ("fiche A1101", "skill of occupation ...")
};

struct AIG_API LoadStatistics {
  std::size_t fiches = 0;
  std::size_t appellations = 0;
  std::size_t competences = 0;  // ROME competence file rows, macro-competences included
  std::size_t macro_competences = 0;
  std::size_t savoirs = 0;
  std::size_t work_contexts = 0;
  std::size_t coherence_links = 0;
  std::size_t core_links = 0;
  std::size_t mobility_edges = 0;
  std::size_t esco_skills = 0;
  std::size_t esco_skill_groups = 0;
  std::size_t esco_occupations = 0;
  std::size_t esco_occupation_skill_links = 0;
  std::size_t esco_essential_links = 0;
  std::size_t esco_broader_links = 0;
  std::size_t esco_related_links = 0;
  std::size_t unknown_codes = 0;              // every unknown citation
  std::vector<UnknownCode> unknown_examples;  // the first kMaxExamples of them
  static constexpr std::size_t kMaxExamples = 20;
};

// Kinds of edge in the item graph; each names the reason of a partial credit.
enum class CreditEdge : std::uint8_t {
  to_macro_competence,    // ROME competence -> its macro-competence
  from_macro_competence,  // macro-competence -> one of its competences
  esco_broader,           // ESCO skill -> broader skill or group
  esco_narrower,          // ESCO skill or group -> narrower skill
  esco_related,           // ESCO skillSkillRelations, both ways
  core_of_fiche,          // item -> ROME fiche where it is core (principal or emerging)
  mobility,               // ROME fiche -> fiche listed in its mobility section
  core_item_of_fiche,     // fiche reached by mobility -> one of its core items
};
AIG_API std::string_view credit_edge_name(CreditEdge kind) noexcept;

// Credit factor per edge kind; the credit of a path is the product of its factors, the credit
// of an item is that of its best path. A factor of 0 disables the edge kind. Defaults make two
// competences of one macro-competence worth 0.49, a broader or narrower ESCO skill 0.7, a
// related ESCO skill 0.5, and a core item of a fiche one mobility step away 0.9 x 0.6 x 0.9 =
// 0.486: always less than holding the item itself, and falling with every step.
struct AIG_API CreditOptions {
  double to_macro_competence = 0.7;
  double from_macro_competence = 0.7;
  double esco_broader = 0.7;
  double esco_narrower = 0.7;
  double esco_related = 0.5;
  double core_of_fiche = 0.9;
  double mobility = 0.6;
  double core_item_of_fiche = 0.9;

  double factor(CreditEdge kind) const noexcept;
};

// A node of the item graph: an item, or a ROME fiche on the way.
struct AIG_API CreditNode {
  bool is_occupation = false;
  std::uint32_t id = kNoId;  // ItemId or OccupationId
};

struct AIG_API CreditStep {
  CreditEdge kind = CreditEdge::to_macro_competence;
  CreditNode from;
  CreditNode to;
  double factor = 0;
};

struct AIG_API Credit {
  double value = 0;              // in [0, 1]; 1 when `need` is held, 0 when out of reach
  ItemId from = kNoId;           // the held item the best path starts from
  std::vector<CreditStep> path;  // empty for value 1 (held) and 0 (no path)
};

// The best credits from a set of held items to every item within reach, with their paths: one
// search from the held items answers item_credit for every need at once (the same values).
class AIG_API CreditTable {
 public:
  CreditTable();
  ~CreditTable();
  CreditTable(CreditTable&&) noexcept;
  CreditTable& operator=(CreditTable&&) noexcept;

  // The best credit for `need`, 0 when out of reach.
  double value(ItemId need) const noexcept;
  // The same with the best path (a best path: among paths of equal credit, one of them).
  Credit credit(ItemId need) const;
  // Every item reached, with its credit, sorted by item id.
  const std::vector<std::pair<ItemId, double>>& items() const noexcept;

 private:
  friend class Referential;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class AIG_API Referential {
 public:
  Referential();
  ~Referential();
  Referential(Referential&&) noexcept;
  Referential& operator=(Referential&&) noexcept;
  Referential(const Referential&) = delete;
  Referential& operator=(const Referential&) = delete;

  // Loads ROME 4.0 from a directory of unix_*_v460_utf8.csv files (the version suffix may
  // differ: the first file matching unix_<name>_*.csv is read). Required: referentiel_code_rome,
  // referentiel_competence, coherence_item. Optional: referentiel_savoir,
  // referentiel_contexte_travail, referentiel_appellation, rubrique_mobilite, cr_gd_dp.
  // Then, when `esco_dir` is not empty, ESCO from its two zips (classification and relations).
  static Referential load(const std::string& rome_dir, const std::string& esco_dir = {});
  // Adds ESCO from the two zips of `esco_dir` (*classification*.zip, *relations*.zip).
  void load_esco(const std::string& esco_dir);

  const LoadStatistics& statistics() const noexcept { return stats_; }

  std::size_t item_count() const noexcept { return items_.size(); }
  std::size_t occupation_count() const noexcept { return occupations_.size(); }
  const Item& item(ItemId id) const { return items_.at(id); }
  const Occupation& occupation(OccupationId id) const { return occupations_.at(id); }
  const std::vector<Item>& items() const noexcept { return items_; }
  const std::vector<Occupation>& occupations() const noexcept { return occupations_; }
  const std::vector<Appellation>& appellations() const noexcept { return appellations_; }
  const std::vector<MobilityEdge>& mobility_edges() const noexcept { return mobility_; }

  // Lookups by code; kNoId when the code is unknown.
  ItemId find_item(std::string_view code) const;
  OccupationId find_occupation(std::string_view code) const;
  AppellationId find_appellation(std::string_view code) const;
  // Resolves several codes at once; the unknown ones are appended to `unknown` (in order) and
  // get kNoId in the result, so that callers can report them.
  std::vector<ItemId> resolve_items(std::span<const std::string> codes,
                                    std::vector<std::string>& unknown) const;

  // The ROME fiches a fiche lists as mobility targets, in numero_ordre order.
  std::vector<OccupationId> mobility_targets(OccupationId fiche) const;
  // Number of mobility steps from `from` to `to` (0 when equal), following the edges as
  // published (directed); nullopt when `to` is not reachable within `max_depth` steps.
  std::optional<int> occupation_distance(OccupationId from, OccupationId to, int max_depth) const;

  // Partial credit that holding `have` gives for `need`, over paths of at most `max_depth`
  // edges of the item graph, with the path that produced it.
  Credit item_credit(ItemId have, ItemId need, int max_depth,
                     const CreditOptions& options = {}) const;
  // The best credit any of several held items gives for `need`.
  Credit item_credit(std::span<const ItemId> have, ItemId need, int max_depth,
                     const CreditOptions& options = {}) const;
  // Every item reachable from `have` within `max_depth` edges with its best credit, the items
  // of `have` themselves with 1: the value item_credit(have, i, ...) gives for each such i, to
  // the bit. Items only (fiches on the way are not listed); sorted by item id.
  std::vector<std::pair<ItemId, double>> credits_from(std::span<const ItemId> have, int max_depth,
                                                      const CreditOptions& options = {}) const;
  // The same search, kept: values and paths for any need.
  CreditTable credit_table(std::span<const ItemId> have, int max_depth,
                           const CreditOptions& options = {}) const;
  // Every item that reaches `need` within `max_depth` edges, with the best credit it gives for
  // `need` (1 for `need` itself); sorted by item id. The products are taken from `need`
  // backwards, so a value may differ from item_credit's in the last bit: use it as a bound.
  std::vector<std::pair<ItemId, double>> credits_to(ItemId need, int max_depth,
                                                    const CreditOptions& options = {}) const;
  // Every fiche within `max_steps` mobility steps of one of `from`, with the fewest steps (0
  // for `from` themselves): the minimum of occupation_distance over `from`; sorted by id.
  std::vector<std::pair<OccupationId, int>> occupations_within(std::span<const OccupationId> from,
                                                               int max_steps) const;
  // Every fiche from which `to` is within `max_steps` mobility steps, with the fewest steps:
  // occupation_distance(fiche, to, max_steps) for each; sorted by id.
  std::vector<std::pair<OccupationId, int>> occupations_reaching(OccupationId to,
                                                                 int max_steps) const;
  // "même macro-compétence « X » → ..." style one-line description of a credit path.
  std::string describe(const Credit& credit) const;

  // Internal: the graphs built after loading.
  struct Graphs;

 private:
  void build_graphs();
  ItemId add_item(Item item);
  OccupationId add_occupation(Occupation occupation);
  void note_unknown(const std::string& file, std::size_t line, const std::string& code,
                    std::string context);
  void load_rome(const std::string& dir);

  std::vector<Item> items_;
  std::vector<Occupation> occupations_;
  std::vector<Appellation> appellations_;
  std::vector<MobilityEdge> mobility_;
  std::vector<std::pair<ItemId, ItemId>> esco_broader_;  // (narrower, broader)
  std::vector<std::pair<ItemId, ItemId>> esco_related_;
  LoadStatistics stats_;
  struct Index;
  std::unique_ptr<Index> index_;
  std::unique_ptr<Graphs> graphs_;
};

}  // namespace v1
}  // namespace aiguillage
