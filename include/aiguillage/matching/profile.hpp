// The profile of a person looking for work: competences with their evidence, the person's own
// project (target occupations), experience, diplomas, languages, licences, where and how they
// can work. Document aiguillage.profile 1.0.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/date.hpp"
#include "aiguillage/matching/offer.hpp"
#include "aiguillage/matching/referential.hpp"

namespace aiguillage {
inline namespace v1 {

// Who vouches for a competence: the person, a counsellor, a certificate.
enum class Evidence : std::uint8_t { declared, validated, certified };
AIG_API std::string_view evidence_name(Evidence e) noexcept;

struct AIG_API ProfileCompetence {
  std::string code;
  Evidence evidence = Evidence::declared;
  std::optional<int> level;  // 1 notions, 2 practised, 3 mastered, 4 expert
  ItemId item = kNoId;
};

struct AIG_API ProfileExperience {
  std::string rome_code;
  int months = 0;
  OccupationId occupation = kNoId;
};

struct AIG_API ProfileDiploma {
  std::string label;
  int level = 0;  // 3..8
};

struct AIG_API ProfileLanguage {
  std::string label;
  std::string level;  // CEFR A1..C2, or "" when not stated
};

struct AIG_API ProfileLocation {
  std::optional<double> latitude, longitude;
  std::string postal_code;
  std::string departement;
};

struct AIG_API Profile {
  std::string id;
  std::vector<ProfileCompetence> competences;
  std::vector<std::string> target_rome;  // the person's project
  std::vector<OccupationId> target_occupations;
  std::vector<std::string> target_appellations;
  std::vector<AppellationId> target_appellation_ids;
  std::vector<ProfileExperience> experience;
  std::vector<ProfileDiploma> diplomas;
  std::vector<ProfileLanguage> languages;
  std::vector<std::string> licences;
  ProfileLocation location;
  std::optional<double> max_distance_km;
  std::vector<std::string> contract_types;  // typeContrat codes accepted; empty: any
  std::vector<WorkingTime> working_times;   // accepted; empty: any
  std::optional<Date> available_from;
  bool rqth = false;
  std::vector<UnknownReference> unknown;
};

// Parses an aiguillage.profile 1.0 document. Every error has a pinned code and a JSON pointer;
// unknown competence, ROME and appellation codes are kept and listed in Profile::unknown.
AIG_API Profile parse_profile(std::string_view json_text, const Referential& referential);

struct AIG_API ProfileBatch {
  std::vector<Profile> profiles;
  std::vector<std::size_t> lines;
  std::vector<LineError> errors;
};

// One profile per line; a bad line is rejected alone.
AIG_API ProfileBatch load_profiles_jsonl(std::string_view text, const Referential& referential);

}  // namespace v1
}  // namespace aiguillage
