// ESCO v1.1.1, read from the two zips as published (classification, relations).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aiguillage/core/error.hpp"
#include "aiguillage/matching/referential.hpp"
#include "matching/csv.hpp"
#include "matching/zip.hpp"

namespace aiguillage {
inline namespace v1 {

namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

fs::path find_zip(const fs::path& dir, std::string_view word) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 4 && name.substr(name.size() - 4) == ".zip" &&
        name.find(word) != std::string::npos)
      found.push_back(e.path());
  }
  if (ec) throw Error(ErrorCode::io, "cannot list " + dir.string() + ": " + ec.message());
  if (found.empty())
    throw Error(ErrorCode::referential_format,
                dir.string() + ": no ESCO *" + std::string(word) + "*.zip");
  std::sort(found.begin(), found.end());
  return found.back();
}

std::string member(const detail::ZipArchive& zip, const std::string& zip_name,
                   std::string_view name) {
  const detail::ZipEntry* e = zip.find(name);
  if (!e)
    throw Error(ErrorCode::referential_format,
                zip_name + ": member " + std::string(name) + " not found");
  return zip.extract(*e);
}

}  // namespace

void Referential::load_esco(const std::string& esco_dir) {
  const fs::path dir(esco_dir);
  if (!fs::is_directory(dir))
    throw Error(ErrorCode::io, "ESCO directory not found: " + dir.string());
  const fs::path cls_path = find_zip(dir, "classification");
  const fs::path rel_path = find_zip(dir, "relations");
  const std::string cls_name = cls_path.filename().string();
  const std::string rel_name = rel_path.filename().string();
  detail::ZipArchive cls(read_bytes(cls_path), cls_name);
  detail::ZipArchive rel(read_bytes(rel_path), rel_name);

  {
    const std::string text = member(cls, cls_name, "skills_en.csv");
    detail::CsvReader csv(text, cls_name + "/skills_en.csv");
    csv.read_header();
    const auto c_uri = csv.column("conceptUri"), c_label = csv.column("preferredLabel"),
               c_type = csv.column("skillType"), c_reuse = csv.column("reuseLevel");
    while (csv.next()) {
      Item item{csv.field(c_uri),  csv.field(c_label), ItemKind::esco_skill, kNoId,
                csv.field(c_type), csv.field(c_reuse)};
      if (item.code.empty()) csv.fail("empty conceptUri");
      if (add_item(std::move(item)) == kNoId) csv.fail("duplicate skill " + csv.field(c_uri));
      ++stats_.esco_skills;
    }
  }
  if (const detail::ZipEntry* e = cls.find("skillGroups_en.csv")) {
    const std::string text = cls.extract(*e);
    detail::CsvReader csv(text, cls_name + "/skillGroups_en.csv");
    csv.read_header();
    const auto c_uri = csv.column("conceptUri"), c_label = csv.column("preferredLabel");
    const bool has_code = csv.has_column("code");
    const auto c_code = has_code ? csv.column("code") : 0;
    while (csv.next()) {
      Item item{csv.field(c_uri),
                csv.field(c_label),
                ItemKind::esco_skill_group,
                kNoId,
                "skill group",
                has_code ? csv.field(c_code) : std::string()};
      if (item.code.empty()) csv.fail("empty conceptUri");
      if (add_item(std::move(item)) == kNoId) csv.fail("duplicate skill group " + csv.field(c_uri));
      ++stats_.esco_skill_groups;
    }
  }
  {
    const std::string text = member(cls, cls_name, "occupations_en.csv");
    detail::CsvReader csv(text, cls_name + "/occupations_en.csv");
    csv.read_header();
    const auto c_uri = csv.column("conceptUri"), c_label = csv.column("preferredLabel"),
               c_isco = csv.column("iscoGroup");
    while (csv.next()) {
      Occupation o;
      o.code = csv.field(c_uri);
      if (o.code.empty()) csv.fail("empty conceptUri");
      o.label = csv.field(c_label);
      o.kind = OccupationKind::esco_occupation;
      o.isco_code = csv.field(c_isco);
      if (add_occupation(std::move(o)) == kNoId)
        csv.fail("duplicate occupation " + csv.field(c_uri));
      ++stats_.esco_occupations;
    }
  }
  {
    const std::string file = rel_name + "/occupationSkillRelations.csv";
    const std::string text = member(rel, rel_name, "occupationSkillRelations.csv");
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_occ = csv.column("occupationUri"), c_type = csv.column("relationType"),
               c_skill = csv.column("skillUri");
    while (csv.next()) {
      OccupationId o = find_occupation(csv.field(c_occ));
      ItemId s = find_item(csv.field(c_skill));
      if (o == kNoId) {
        note_unknown(file, csv.line(), csv.field(c_occ), "occupation of an occupation-skill link");
        continue;
      }
      if (s == kNoId) {
        note_unknown(file, csv.line(), csv.field(c_skill),
                     "skill of occupation " + csv.field(c_occ));
        continue;
      }
      const std::string& t = csv.field(c_type);
      LinkRole role;
      if (t == "essential")
        role = LinkRole::essential;
      else if (t == "optional")
        role = LinkRole::optional;
      else
        csv.fail("unexpected relationType \"" + t + "\"");
      occupations_[o].items.push_back({s, role});
      ++stats_.esco_occupation_skill_links;
      if (role == LinkRole::essential) ++stats_.esco_essential_links;
    }
  }
  {
    const std::string file = rel_name + "/broaderRelationsSkillPillar.csv";
    const std::string text = member(rel, rel_name, "broaderRelationsSkillPillar.csv");
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_uri = csv.column("conceptUri"), c_broader = csv.column("broaderUri");
    while (csv.next()) {
      ItemId a = find_item(csv.field(c_uri));
      ItemId b = find_item(csv.field(c_broader));
      if (a == kNoId || b == kNoId) {
        note_unknown(file, csv.line(), a == kNoId ? csv.field(c_uri) : csv.field(c_broader),
                     "broader relation");
        continue;
      }
      esco_broader_.push_back({a, b});
      if (items_[a].parent == kNoId) items_[a].parent = b;
      ++stats_.esco_broader_links;
    }
  }
  {
    const std::string file = rel_name + "/skillSkillRelations.csv";
    const std::string text = member(rel, rel_name, "skillSkillRelations.csv");
    detail::CsvReader csv(text, file);
    csv.read_header();
    const auto c_a = csv.column("originalSkillUri"), c_b = csv.column("relatedSkillUri");
    while (csv.next()) {
      ItemId a = find_item(csv.field(c_a));
      ItemId b = find_item(csv.field(c_b));
      if (a == kNoId || b == kNoId) {
        note_unknown(file, csv.line(), a == kNoId ? csv.field(c_a) : csv.field(c_b),
                     "skill-skill relation");
        continue;
      }
      esco_related_.push_back({a, b});
      ++stats_.esco_related_links;
    }
  }
  build_graphs();
}

}  // namespace v1
}  // namespace aiguillage
