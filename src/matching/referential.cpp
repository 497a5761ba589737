#include "aiguillage/matching/referential.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "aiguillage/core/error.hpp"
#include "matching/csv.hpp"
#include "matching/referential_graphs.hpp"

namespace aiguillage {
inline namespace v1 {

namespace fs = std::filesystem;

std::string_view item_kind_name(ItemKind kind) noexcept {
  switch (kind) {
    case ItemKind::rome_competence:
      return "rome_competence";
    case ItemKind::rome_macro_competence:
      return "rome_macro_competence";
    case ItemKind::rome_savoir:
      return "rome_savoir";
    case ItemKind::rome_work_context:
      return "rome_work_context";
    case ItemKind::esco_skill:
      return "esco_skill";
    case ItemKind::esco_skill_group:
      return "esco_skill_group";
  }
  return "";
}

std::string_view link_role_name(LinkRole role) noexcept {
  switch (role) {
    case LinkRole::listed:
      return "listed";
    case LinkRole::principal:
      return "principal";
    case LinkRole::emerging:
      return "emerging";
    case LinkRole::essential:
      return "essential";
    case LinkRole::optional:
      return "optional";
  }
  return "";
}

std::string_view credit_edge_name(CreditEdge kind) noexcept {
  switch (kind) {
    case CreditEdge::to_macro_competence:
      return "to_macro_competence";
    case CreditEdge::from_macro_competence:
      return "from_macro_competence";
    case CreditEdge::esco_broader:
      return "esco_broader";
    case CreditEdge::esco_narrower:
      return "esco_narrower";
    case CreditEdge::esco_related:
      return "esco_related";
    case CreditEdge::core_of_fiche:
      return "core_of_fiche";
    case CreditEdge::mobility:
      return "mobility";
    case CreditEdge::core_item_of_fiche:
      return "core_item_of_fiche";
  }
  return "";
}

double CreditOptions::factor(CreditEdge kind) const noexcept {
  switch (kind) {
    case CreditEdge::to_macro_competence:
      return to_macro_competence;
    case CreditEdge::from_macro_competence:
      return from_macro_competence;
    case CreditEdge::esco_broader:
      return esco_broader;
    case CreditEdge::esco_narrower:
      return esco_narrower;
    case CreditEdge::esco_related:
      return esco_related;
    case CreditEdge::core_of_fiche:
      return core_of_fiche;
    case CreditEdge::mobility:
      return mobility;
    case CreditEdge::core_item_of_fiche:
      return core_item_of_fiche;
  }
  return 0;
}

namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
using CodeMap = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

std::uint32_t lookup(const CodeMap& map, std::string_view code) {
  auto it = map.find(code);
  return it == map.end() ? kNoId : it->second;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

// unix_<name>_v<digits>_utf8.csv in `dir`; the empty path when absent.
fs::path find_rome_file(const fs::path& dir, const std::string& name) {
  const std::string prefix = "unix_" + name + "_v";
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string file = entry.path().filename().string();
    if (file.rfind(prefix, 0) != 0 || file.size() < prefix.size() + 9) continue;
    std::string rest = file.substr(prefix.size());
    auto underscore = rest.find('_');
    if (underscore == 0 || underscore == std::string::npos) continue;
    if (!std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(underscore),
                     [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    if (rest.substr(underscore) != "_utf8.csv") continue;
    found.push_back(entry.path());
  }
  if (ec) throw Error(ErrorCode::io, "cannot list " + dir.string() + ": " + ec.message());
  if (found.empty()) return {};
  std::sort(found.begin(), found.end());
  return found.back();  // the highest version when several are present
}

bool flag_yes(const std::string& v) {
  return v == "O" || v == "o" || v == "Y" || v == "1";
}

}  // namespace

struct Referential::Index {
  CodeMap items;
  CodeMap occupations;
  CodeMap appellations;
};

Referential::Referential() : index_(std::make_unique<Index>()) {}
Referential::~Referential() = default;
Referential::Referential(Referential&&) noexcept = default;
Referential& Referential::operator=(Referential&&) noexcept = default;

ItemId Referential::find_item(std::string_view code) const {
  return lookup(index_->items, code);
}
OccupationId Referential::find_occupation(std::string_view code) const {
  return lookup(index_->occupations, code);
}
AppellationId Referential::find_appellation(std::string_view code) const {
  return lookup(index_->appellations, code);
}

std::vector<ItemId> Referential::resolve_items(std::span<const std::string> codes,
                                               std::vector<std::string>& unknown) const {
  std::vector<ItemId> out;
  out.reserve(codes.size());
  for (const auto& c : codes) {
    ItemId id = find_item(c);
    if (id == kNoId) unknown.push_back(c);
    out.push_back(id);
  }
  return out;
}

ItemId Referential::add_item(Item item) {
  const auto id = static_cast<ItemId>(items_.size());
  auto [it, inserted] = index_->items.emplace(item.code, id);
  if (!inserted) return kNoId;
  items_.push_back(std::move(item));
  return id;
}

OccupationId Referential::add_occupation(Occupation occupation) {
  const auto id = static_cast<OccupationId>(occupations_.size());
  auto [it, inserted] = index_->occupations.emplace(occupation.code, id);
  if (!inserted) return kNoId;
  occupations_.push_back(std::move(occupation));
  return id;
}

void Referential::note_unknown(const std::string& file, std::size_t line, const std::string& code,
                               std::string context) {
  ++stats_.unknown_codes;
  if (stats_.unknown_examples.size() < LoadStatistics::kMaxExamples)
    stats_.unknown_examples.push_back({file, line, code, std::move(context)});
}

void Referential::load_rome(const std::string& dir_text) {
  const fs::path dir(dir_text);
  if (!fs::is_directory(dir))
    throw Error(ErrorCode::io, "ROME directory not found: " + dir.string());
  auto open = [&](const std::string& name, bool required, std::string& text,
                  std::string& file) -> bool {
    fs::path p = find_rome_file(dir, name);
    if (p.empty()) {
      if (required)
        throw Error(ErrorCode::referential_format,
                    dir.string() + ": missing file unix_" + name + "_v*_utf8.csv");
      return false;
    }
    text = read_file(p);
    file = p.filename().string();
    return true;
  };
  std::string text, file;

  // Competences and macro-competences: one file, told apart by "nature".
  open("referentiel_competence", true, text, file);
  std::vector<std::pair<ItemId, std::pair<std::string, std::size_t>>> parents;
  {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_code = csv.column("code_ogr"), c_nature = csv.column("nature"),
               c_label = csv.column("libelle_competence"),
               c_macro = csv.column("code_ogr_macro_comp"), c_cat = csv.column("cat_comp"),
               c_sub = csv.column("sous_cat_comp");
    while (csv.next()) {
      Item item;
      item.code = csv.field(c_code);
      if (item.code.empty()) csv.fail("empty code_ogr");
      item.label = csv.field(c_label);
      const bool macro = csv.field(c_nature).rfind("Macro", 0) == 0;
      item.kind = macro ? ItemKind::rome_macro_competence : ItemKind::rome_competence;
      item.category = csv.field(c_cat);
      item.subcategory = csv.field(c_sub);
      ItemId id = add_item(std::move(item));
      if (id == kNoId) csv.fail("duplicate code_ogr " + csv.field(c_code));
      ++stats_.competences;
      if (macro) ++stats_.macro_competences;
      if (!csv.field(c_macro).empty()) parents.push_back({id, {csv.field(c_macro), csv.line()}});
    }
  }
  for (auto& [id, ref] : parents) {
    ItemId parent = find_item(ref.first);
    if (parent == kNoId || items_[parent].kind != ItemKind::rome_macro_competence) {
      note_unknown(file, ref.second, ref.first, "macro-competence of item " + items_[id].code);
      continue;
    }
    items_[id].parent = parent;
  }

  if (open("referentiel_savoir", false, text, file)) {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_code = csv.column("code_ogr_savoir"), c_label = csv.column("libelle_savoir"),
               c_cat = csv.column("categorie_savoir"), c_sub = csv.column("sous_categorie_savoir");
    while (csv.next()) {
      Item item{csv.field(c_code), csv.field(c_label), ItemKind::rome_savoir, kNoId,
                csv.field(c_cat),  csv.field(c_sub)};
      if (item.code.empty()) csv.fail("empty code_ogr_savoir");
      if (add_item(std::move(item)) == kNoId) csv.fail("duplicate code " + csv.field(c_code));
      ++stats_.savoirs;
    }
  }

  if (open("referentiel_contexte_travail", false, text, file)) {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_code = csv.column("code_ogr"), c_label = csv.column("libelle_cont_travail"),
               c_type = csv.column("libelle_type_cont_trav");
    while (csv.next()) {
      Item item{csv.field(c_code),           csv.field(c_label),
                ItemKind::rome_work_context, kNoId,
                csv.field(c_type),           {}};
      if (item.code.empty()) csv.fail("empty code_ogr");
      if (add_item(std::move(item)) == kNoId) csv.fail("duplicate code " + csv.field(c_code));
      ++stats_.work_contexts;
    }
  }

  open("referentiel_code_rome", true, text, file);
  {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_code = csv.column("code_rome"), c_label = csv.column("libelle_rome");
    const bool has_cadre = csv.has_column("emploi_cadre");
    const auto c_cadre = has_cadre ? csv.column("emploi_cadre") : 0;
    while (csv.next()) {
      Occupation o;
      o.code = csv.field(c_code);
      if (o.code.empty()) csv.fail("empty code_rome");
      o.label = csv.field(c_label);
      o.kind = OccupationKind::rome_fiche;
      o.executive = has_cadre && flag_yes(csv.field(c_cadre));
      if (add_occupation(std::move(o)) == kNoId)
        csv.fail("duplicate code_rome " + csv.field(c_code));
      ++stats_.fiches;
    }
  }

  if (open("cr_gd_dp", false, text, file)) {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_code = csv.column("code_rome"), c_gd = csv.column("code_grand_domaine");
    // The published header spells it "professionel".
    const auto c_dp = csv.has_column("code_domaine_professionel")
                          ? csv.column("code_domaine_professionel")
                          : csv.column("code_domaine_professionnel");
    while (csv.next()) {
      OccupationId o = find_occupation(csv.field(c_code));
      if (o == kNoId) {
        note_unknown(file, csv.line(), csv.field(c_code), "fiche of the domain tree");
        continue;
      }
      occupations_[o].grand_domaine = csv.field(c_gd);
      occupations_[o].domaine = csv.field(c_dp);
    }
  }

  if (open("referentiel_appellation", false, text, file)) {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_code = csv.column("code_ogr"), c_long = csv.column("libelle_appellation_long"),
               c_short = csv.column("libelle_appellation_court"), c_rome = csv.column("code_rome");
    const bool has_cadre = csv.has_column("emploi_cadre");
    const auto c_cadre = has_cadre ? csv.column("emploi_cadre") : 0;
    while (csv.next()) {
      OccupationId o = find_occupation(csv.field(c_rome));
      if (o == kNoId) {
        note_unknown(file, csv.line(), csv.field(c_rome),
                     "fiche of appellation " + csv.field(c_code));
        continue;
      }
      const auto id = static_cast<AppellationId>(appellations_.size());
      if (!index_->appellations.emplace(csv.field(c_code), id).second)
        csv.fail("duplicate appellation code_ogr " + csv.field(c_code));
      appellations_.push_back({csv.field(c_code), csv.field(c_long), csv.field(c_short), o,
                               has_cadre && flag_yes(csv.field(c_cadre))});
      ++stats_.appellations;
    }
  }

  open("coherence_item", true, text, file);
  {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_rome = csv.column("code_rome"), c_item = csv.column("code_ogr"),
               c_core = csv.column("coeur_metier");
    while (csv.next()) {
      OccupationId o = find_occupation(csv.field(c_rome));
      ItemId i = find_item(csv.field(c_item));
      if (o == kNoId) {
        note_unknown(file, csv.line(), csv.field(c_rome), "fiche citing item " + csv.field(c_item));
        continue;
      }
      if (i == kNoId) {
        note_unknown(file, csv.line(), csv.field(c_item), "item of fiche " + csv.field(c_rome));
        continue;
      }
      const std::string& core = csv.field(c_core);
      LinkRole role = LinkRole::listed;
      if (core == "Principale")
        role = LinkRole::principal;
      else if (core.rfind("\xC3\x89mergente", 0) == 0 || core == "Emergente")
        role = LinkRole::emerging;
      else if (!core.empty())
        csv.fail("unexpected coeur_metier \"" + core + "\"");
      occupations_[o].items.push_back({i, role});
      ++stats_.coherence_links;
      if (is_core(role)) ++stats_.core_links;
    }
  }

  if (open("rubrique_mobilite", false, text, file)) {
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_from = csv.column("code_rome"), c_to = csv.column("code_rome_cible");
    const bool has_order = csv.has_column("numero_ordre");
    const auto c_order = has_order ? csv.column("numero_ordre") : 0;
    while (csv.next()) {
      OccupationId a = find_occupation(csv.field(c_from));
      OccupationId b = find_occupation(csv.field(c_to));
      if (a == kNoId || b == kNoId) {
        note_unknown(file, csv.line(), a == kNoId ? csv.field(c_from) : csv.field(c_to),
                     "mobility " + csv.field(c_from) + " -> " + csv.field(c_to));
        continue;
      }
      int order = 0;
      if (has_order) {
        const std::string& t = csv.field(c_order);
        for (char c : t) {
          if (c < '0' || c > '9' || order > 1000000) csv.fail("numero_ordre is not a number");
          order = order * 10 + (c - '0');
        }
      }
      mobility_.push_back({a, b, order});
      ++stats_.mobility_edges;
    }
  }
}

Referential Referential::load(const std::string& rome_dir, const std::string& esco_dir) {
  Referential r;
  r.load_rome(rome_dir);
  if (!esco_dir.empty())
    r.load_esco(esco_dir);  // builds the graphs
  else
    r.build_graphs();
  return r;
}

}  // namespace v1
}  // namespace aiguillage
