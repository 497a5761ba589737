// Job offers in the shape of France Travail's "offres d'emploi v2" API, so that its responses
// load as they are, or wrapped in an aiguillage.offer 1.0 document.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/error.hpp"
#include "aiguillage/matching/referential.hpp"

namespace aiguillage {
inline namespace v1 {

// "exigence": E (exigé, required) or S (souhaité, desired).
enum class Requirement : std::uint8_t { required, desired };
// "experienceExige": D (débutant accepté), S (souhaitée), E (exigée).
enum class ExperienceRequirement : std::uint8_t { beginner_accepted, desired, required };
enum class WorkingTime : std::uint8_t { unknown, full_time, part_time };

// A code cited by a document that the referential does not hold: kept, never dropped.
struct AIG_API UnknownReference {
  std::string pointer;  // JSON pointer of the code in the document ("/competences/3/code")
  std::string code;
};

struct AIG_API OfferCompetence {
  std::string code;
  std::string label;
  Requirement requirement = Requirement::required;
  ItemId item = kNoId;  // kNoId when the code is unknown to the referential
};

struct AIG_API OfferFormation {
  std::string code;         // codeFormation (a domain code of the API's nomenclature)
  std::string domain;       // domaineLibelle
  std::string level_label;  // niveauLibelle ("CAP, BEP et équivalents", "Bac+2 ou ...")
  int level = 0;            // national level 3..8 read from niveauLibelle; 0 when not recognised
  Requirement requirement = Requirement::required;
};

struct AIG_API OfferCondition {  // langues[], permis[]
  std::string label;
  Requirement requirement = Requirement::required;
};

struct AIG_API Place {
  std::string label;  // lieuTravail.libelle ("75 - Paris 11e")
  std::optional<double> latitude, longitude;
  std::string postal_code;  // lieuTravail.codePostal
  std::string commune;      // INSEE code of the commune
};

struct AIG_API Offer {
  std::string id;
  std::string title;      // intitule
  std::string rome_code;  // romeCode
  std::string rome_label;
  std::string appellation_label;    // appellationlibelle
  OccupationId occupation = kNoId;  // romeCode resolved
  std::vector<OfferCompetence> competences;
  std::vector<OfferFormation> formations;
  std::vector<OfferCondition> languages;
  std::vector<OfferCondition> licences;
  ExperienceRequirement experience = ExperienceRequirement::beginner_accepted;
  std::string experience_label;  // experienceLibelle ("2 ans", "Débutant accepté")
  // Months read from experienceLibelle ("6 mois", "2 ans", "2 An(s)"); nullopt when absent.
  std::optional<int> experience_months;
  Place place;
  std::string contract_type;                        // typeContrat: CDI, CDD, MIS, SAI, LIB, ...
  std::string working_time_label;                   // dureeTravailLibelle
  WorkingTime working_time = WorkingTime::unknown;  // from dureeTravailLibelleConverti
  bool accessible_th = false;                       // accessibleTH
  bool alternance = false;
  std::uint32_t positions = 1;  // nombrePostes
  std::vector<UnknownReference> unknown;
};

// Level 3..8 of the national nomenclature from a niveauLibelle ("CAP" 3, "Bac" 4, "Bac+2" 5,
// "Bac+3, Bac+4" 6, "Bac+5" 7, doctorate 8); 0 when not recognised.
AIG_API int formation_level(std::string_view label);

// Parses one offer: a bare offres-v2 object (its many other fields ignored) or an
// aiguillage.offer 1.0 document (unknown fields refused, so that typos do not pass). Wrong
// types of known fields, values outside their lists (exigence, experienceExige), coordinates out
// of range and missing ids are errors with a pinned code and a JSON pointer. Codes unknown to
// `referential` are kept and listed in Offer::unknown.
AIG_API Offer parse_offer(std::string_view json_text, const Referential& referential);

// One record that a JSON Lines file could not give.
struct AIG_API LineError {
  std::size_t line = 0;  // 1-based
  Error error;
};

struct AIG_API OfferBatch {
  std::vector<Offer> offers;       // the good records, in file order
  std::vector<std::size_t> lines;  // the line of each good record
  std::vector<LineError> errors;   // one per rejected line; blank lines are skipped
};

// One offer per line; a bad line is rejected alone.
AIG_API OfferBatch load_offers_jsonl(std::string_view text, const Referential& referential);

}  // namespace v1
}  // namespace aiguillage
