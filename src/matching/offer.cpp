#include "aiguillage/matching/offer.hpp"

#include <cctype>

#include "matching/document_fields.hpp"

namespace aiguillage {
inline namespace v1 {

using detail::child;
using detail::json;

namespace {

std::string lower_no_space(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

Requirement requirement(const json& obj, const std::string& pointer) {
  std::string e = detail::opt_string(obj, "exigence", pointer);
  // Absent: treated as required, the stricter reading.
  if (e.empty() || e == "E") return Requirement::required;
  if (e == "S") return Requirement::desired;
  throw Error(ErrorCode::enum_value, "\"exigence\" must be \"E\" (required) or \"S\" (desired)",
              child(pointer, "exigence"));
}

// "6 mois", "2 ans", "1 An(s)", "24 Mois": the first number and the unit after it.
std::optional<int> experience_months(std::string_view label) {
  std::size_t i = 0;
  while (i < label.size() && !std::isdigit(static_cast<unsigned char>(label[i]))) ++i;
  if (i == label.size()) return std::nullopt;
  long n = 0;
  while (i < label.size() && std::isdigit(static_cast<unsigned char>(label[i])) && n < 1000)
    n = n * 10 + (label[i++] - '0');
  std::string rest = lower_no_space(label.substr(i));
  if (rest.rfind("mois", 0) == 0) return static_cast<int>(n);
  if (rest.rfind("an", 0) == 0) return static_cast<int>(n * 12);
  return std::nullopt;
}

void check_offer_keys(const json& obj, std::initializer_list<std::string_view> keys,
                      const std::string& pointer, bool strict) {
  detail::check_keys(obj, keys, pointer, !strict);
}

}  // namespace

int formation_level(std::string_view label) {
  const std::string s = lower_no_space(label);
  if (s.find("doctorat") != std::string::npos || s.find("bac+8") != std::string::npos) return 8;
  if (s.find("bac+5") != std::string::npos) return 7;
  if (s.find("bac+3") != std::string::npos || s.find("bac+4") != std::string::npos) return 6;
  if (s.find("bac+2") != std::string::npos) return 5;
  if (s.find("bac") != std::string::npos) return 4;
  if (s.find("cap") != std::string::npos || s.find("bep") != std::string::npos) return 3;
  return 0;
}

Offer parse_offer(std::string_view json_text, const Referential& referential) {
  const json doc = detail::parse_unique_keys(json_text);
  detail::expect_object(doc, "", "an offer");
  // A document says what it is; a bare offres-v2 object is read as the API sends it.
  const bool document = doc.contains("schema");
  if (document) {
    int minor = detail::check_schema_header(doc, "aiguillage.offer", 1, 0);
    if (minor == 0)
      detail::check_keys(doc,
                         {"schema",
                          "schema_version",
                          "id",
                          "intitule",
                          "romeCode",
                          "romeLibelle",
                          "appellationlibelle",
                          "competences",
                          "formations",
                          "langues",
                          "permis",
                          "experienceExige",
                          "experienceLibelle",
                          "lieuTravail",
                          "typeContrat",
                          "dureeTravailLibelle",
                          "dureeTravailLibelleConverti",
                          "accessibleTH",
                          "alternance",
                          "nombrePostes"},
                         "");
  }
  const bool strict = document && doc.value("schema_version", "") == "1.0";
  Offer o;
  o.id = detail::req_string(doc, "id", "");
  o.title = detail::opt_string(doc, "intitule", "");
  o.rome_code = detail::opt_string(doc, "romeCode", "");
  o.rome_label = detail::opt_string(doc, "romeLibelle", "");
  o.appellation_label = detail::opt_string(doc, "appellationlibelle", "");
  if (!o.rome_code.empty()) {
    o.occupation = referential.find_occupation(o.rome_code);
    if (o.occupation == kNoId) o.unknown.push_back({"/romeCode", o.rome_code});
  }
  if (const json* list = detail::opt_array(doc, "competences", "")) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string p = child("/competences", k);
      const json& c = (*list)[k];
      detail::expect_object(c, p, "a competence");
      check_offer_keys(c, {"code", "libelle", "exigence"}, p, strict);
      OfferCompetence oc;
      oc.code = detail::opt_string(c, "code", p);
      oc.label = detail::opt_string(c, "libelle", p);
      oc.requirement = requirement(c, p);
      oc.item = oc.code.empty() ? kNoId : referential.find_item(oc.code);
      // A competence without a code or with a code the referential lacks stays in the offer
      // and is reported: it can be shown, not matched.
      if (oc.item == kNoId) o.unknown.push_back({child(p, "code"), oc.code});
      o.competences.push_back(std::move(oc));
    }
  }
  if (const json* list = detail::opt_array(doc, "formations", "")) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string p = child("/formations", k);
      const json& f = (*list)[k];
      detail::expect_object(f, p, "a formation");
      check_offer_keys(
          f, {"codeFormation", "domaineLibelle", "niveauLibelle", "commentaire", "exigence"}, p,
          strict);
      OfferFormation of;
      of.code = detail::opt_string(f, "codeFormation", p);
      of.domain = detail::opt_string(f, "domaineLibelle", p);
      of.level_label = detail::opt_string(f, "niveauLibelle", p);
      detail::opt_string(f, "commentaire", p);
      of.level = formation_level(of.level_label);
      of.requirement = requirement(f, p);
      o.formations.push_back(std::move(of));
    }
  }
  for (auto [key, out] : {std::pair{"langues", &o.languages}, std::pair{"permis", &o.licences}}) {
    if (const json* list = detail::opt_array(doc, key, "")) {
      for (std::size_t k = 0; k < list->size(); ++k) {
        const std::string p = child(child("", key), k);
        const json& c = (*list)[k];
        detail::expect_object(c, p, "a condition");
        check_offer_keys(c, {"libelle", "exigence"}, p, strict);
        out->push_back({detail::req_string(c, "libelle", p), requirement(c, p)});
      }
    }
  }
  const std::string exp = detail::opt_string(doc, "experienceExige", "");
  if (exp.empty() || exp == "D")
    o.experience = ExperienceRequirement::beginner_accepted;
  else if (exp == "S")
    o.experience = ExperienceRequirement::desired;
  else if (exp == "E")
    o.experience = ExperienceRequirement::required;
  else
    throw Error(ErrorCode::enum_value, "\"experienceExige\" must be \"D\", \"S\" or \"E\"",
                "/experienceExige");
  o.experience_label = detail::opt_string(doc, "experienceLibelle", "");
  o.experience_months = experience_months(o.experience_label);
  if (const json* place = detail::opt_object(doc, "lieuTravail", "")) {
    const std::string p = "/lieuTravail";
    check_offer_keys(*place, {"libelle", "latitude", "longitude", "codePostal", "commune"}, p,
                     strict);
    o.place.label = detail::opt_string(*place, "libelle", p);
    o.place.latitude = detail::opt_number(*place, "latitude", p, -90, 90);
    o.place.longitude = detail::opt_number(*place, "longitude", p, -180, 180);
    if (o.place.latitude.has_value() != o.place.longitude.has_value())
      throw Error(ErrorCode::required_missing, "latitude and longitude go together",
                  o.place.latitude ? "/lieuTravail/longitude" : "/lieuTravail/latitude");
    o.place.postal_code = detail::opt_string(*place, "codePostal", p);
    o.place.commune = detail::opt_string(*place, "commune", p);
  }
  o.contract_type = detail::opt_string(doc, "typeContrat", "");
  o.working_time_label = detail::opt_string(doc, "dureeTravailLibelle", "");
  const std::string converted = detail::opt_string(doc, "dureeTravailLibelleConverti", "");
  if (converted == "Temps plein")
    o.working_time = WorkingTime::full_time;
  else if (converted == "Temps partiel")
    o.working_time = WorkingTime::part_time;
  o.accessible_th = detail::opt_bool(doc, "accessibleTH", "", false);
  o.alternance = detail::opt_bool(doc, "alternance", "", false);
  if (auto n = detail::opt_int(doc, "nombrePostes", "", 1, 100000))
    o.positions = static_cast<std::uint32_t>(*n);
  return o;
}

OfferBatch load_offers_jsonl(std::string_view text, const Referential& referential) {
  detail::SeenIds seen;
  return detail::load_lines<OfferBatch>(text, [&](OfferBatch& b, std::string_view row) {
    Offer offer = parse_offer(row, referential);
    seen.check(offer.id, "offer", b.lines);
    b.offers.push_back(std::move(offer));
  });
}

}  // namespace v1
}  // namespace aiguillage
