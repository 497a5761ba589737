#include "aiguillage/matching/profile.hpp"

#include <algorithm>

#include "matching/document_fields.hpp"

namespace aiguillage {
inline namespace v1 {

using detail::child;
using detail::json;

std::string_view evidence_name(Evidence e) noexcept {
  switch (e) {
    case Evidence::declared:
      return "declared";
    case Evidence::validated:
      return "validated";
    case Evidence::certified:
      return "certified";
  }
  return "";
}

namespace {

const std::vector<std::string_view> kCefr = {"A1", "A2", "B1", "B2", "C1", "C2"};

// A list of non-empty strings.
std::vector<std::string> string_list(const json& obj, std::string_view key,
                                     const std::string& pointer) {
  std::vector<std::string> out;
  if (const json* list = detail::opt_array(obj, key, pointer)) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string p = child(child(pointer, key), k);
      std::string s = detail::check_string((*list)[k], p, "an item");
      if (s.empty()) throw Error(ErrorCode::required_missing, "an empty string", p);
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace

Profile parse_profile(std::string_view json_text, const Referential& referential) {
  const json doc = detail::parse_unique_keys(json_text);
  const int minor = detail::check_schema_header(doc, "aiguillage.profile", 1, 0);
  // In a 1.0 document an unknown field is a typo; a later minor may add optional fields.
  const bool lenient = minor > 0;
  detail::check_keys(doc,
                     {"schema", "schema_version", "id", "competences", "targets", "experience",
                      "diplomas", "languages", "licences", "location", "max_distance_km",
                      "contract_types", "working_times", "available_from", "rqth"},
                     "", lenient);
  Profile pr;
  pr.id = detail::req_string(doc, "id", "");
  if (const json* list = detail::opt_array(doc, "competences", "")) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string p = child("/competences", k);
      const json& c = (*list)[k];
      detail::expect_object(c, p, "a competence");
      detail::check_keys(c, {"code", "evidence", "level"}, p, lenient);
      ProfileCompetence pc;
      pc.code = detail::req_string(c, "code", p);
      const std::string ev = detail::opt_string(c, "evidence", p);
      if (ev.empty() || ev == "declared")
        pc.evidence = Evidence::declared;
      else if (ev == "validated")
        pc.evidence = Evidence::validated;
      else if (ev == "certified")
        pc.evidence = Evidence::certified;
      else
        throw Error(ErrorCode::enum_value,
                    "\"evidence\" must be \"declared\", \"validated\" or \"certified\"",
                    child(p, "evidence"));
      pc.level = detail::opt_int(c, "level", p, 1, 4);
      pc.item = referential.find_item(pc.code);
      if (pc.item == kNoId) pr.unknown.push_back({child(p, "code"), pc.code});
      pr.competences.push_back(std::move(pc));
    }
  }
  if (const json* targets = detail::opt_object(doc, "targets", "")) {
    detail::check_keys(*targets, {"rome", "appellations"}, "/targets", lenient);
    pr.target_rome = string_list(*targets, "rome", "/targets");
    for (std::size_t k = 0; k < pr.target_rome.size(); ++k) {
      OccupationId o = referential.find_occupation(pr.target_rome[k]);
      if (o == kNoId) pr.unknown.push_back({child("/targets/rome", k), pr.target_rome[k]});
      pr.target_occupations.push_back(o);
    }
    pr.target_appellations = string_list(*targets, "appellations", "/targets");
    for (std::size_t k = 0; k < pr.target_appellations.size(); ++k) {
      AppellationId a = referential.find_appellation(pr.target_appellations[k]);
      if (a == kNoId)
        pr.unknown.push_back({child("/targets/appellations", k), pr.target_appellations[k]});
      pr.target_appellation_ids.push_back(a);
    }
  }
  if (const json* list = detail::opt_array(doc, "experience", "")) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string p = child("/experience", k);
      const json& e = (*list)[k];
      detail::expect_object(e, p, "an experience");
      detail::check_keys(e, {"rome", "months"}, p, lenient);
      ProfileExperience pe;
      pe.rome_code = detail::req_string(e, "rome", p);
      auto months = detail::opt_int(e, "months", p, 0, 1200);
      if (!months)
        throw Error(ErrorCode::required_missing, "\"months\" is required", child(p, "months"));
      pe.months = *months;
      pe.occupation = referential.find_occupation(pe.rome_code);
      if (pe.occupation == kNoId) pr.unknown.push_back({child(p, "rome"), pe.rome_code});
      pr.experience.push_back(std::move(pe));
    }
  }
  if (const json* list = detail::opt_array(doc, "diplomas", "")) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string p = child("/diplomas", k);
      const json& d = (*list)[k];
      detail::expect_object(d, p, "a diploma");
      detail::check_keys(d, {"label", "level"}, p, lenient);
      ProfileDiploma pd;
      pd.label = detail::opt_string(d, "label", p);
      auto level = detail::opt_int(d, "level", p, 1, 8);
      if (!level)
        throw Error(ErrorCode::required_missing, "\"level\" is required", child(p, "level"));
      pd.level = *level;
      pr.diplomas.push_back(std::move(pd));
    }
  }
  if (const json* list = detail::opt_array(doc, "languages", "")) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string p = child("/languages", k);
      const json& l = (*list)[k];
      detail::expect_object(l, p, "a language");
      detail::check_keys(l, {"label", "level"}, p, lenient);
      ProfileLanguage pl;
      pl.label = detail::req_string(l, "label", p);
      pl.level = detail::opt_string(l, "level", p);
      if (!pl.level.empty() &&
          std::find(kCefr.begin(), kCefr.end(), std::string_view(pl.level)) == kCefr.end())
        throw Error(ErrorCode::enum_value, "\"level\" must be a CEFR level A1..C2",
                    child(p, "level"));
      pr.languages.push_back(std::move(pl));
    }
  }
  pr.licences = string_list(doc, "licences", "");
  if (const json* loc = detail::opt_object(doc, "location", "")) {
    const std::string p = "/location";
    detail::check_keys(*loc, {"latitude", "longitude", "postal_code", "departement"}, p, lenient);
    pr.location.latitude = detail::opt_number(*loc, "latitude", p, -90, 90);
    pr.location.longitude = detail::opt_number(*loc, "longitude", p, -180, 180);
    if (pr.location.latitude.has_value() != pr.location.longitude.has_value())
      throw Error(ErrorCode::required_missing, "latitude and longitude go together",
                  pr.location.latitude ? "/location/longitude" : "/location/latitude");
    pr.location.postal_code = detail::opt_string(*loc, "postal_code", p);
    pr.location.departement = detail::opt_string(*loc, "departement", p);
  }
  pr.max_distance_km = detail::opt_number(doc, "max_distance_km", "", 0, 20000);
  pr.contract_types = string_list(doc, "contract_types", "");
  const auto times = string_list(doc, "working_times", "");
  for (std::size_t k = 0; k < times.size(); ++k) {
    if (times[k] == "full_time")
      pr.working_times.push_back(WorkingTime::full_time);
    else if (times[k] == "part_time")
      pr.working_times.push_back(WorkingTime::part_time);
    else
      throw Error(ErrorCode::enum_value, "a working time is \"full_time\" or \"part_time\"",
                  child("/working_times", k));
  }
  pr.available_from = detail::get_date(doc, "available_from", "");
  pr.rqth = detail::opt_bool(doc, "rqth", "", false);
  return pr;
}

ProfileBatch load_profiles_jsonl(std::string_view text, const Referential& referential) {
  detail::SeenIds seen;
  return detail::load_lines<ProfileBatch>(text, [&](ProfileBatch& b, std::string_view row) {
    Profile profile = parse_profile(row, referential);
    seen.check(profile.id, "profile", b.lines);
    b.profiles.push_back(std::move(profile));
  });
}

}  // namespace v1
}  // namespace aiguillage
