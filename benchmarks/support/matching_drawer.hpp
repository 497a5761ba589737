// Offers and persons drawn from the real ROME 4.0 referential when ../shared/data is present
// (else from the bundled subset), shared by the matching benchmarks: each picks a fiche métier,
// then competences among the fiche's items (core ones more often), a town, a contract type;
// persons target their fiche. Fixed seeds.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "aiguillage/matching/matcher.hpp"
#include "support/rome_synthetic.hpp"

namespace aiguillage::bench {

inline const Referential& referential() {
  static const Referential r = [] {
    const std::string full = aiguillage::bench::shared_data_dir() + "/rome-v460";
    if (std::filesystem::is_directory(full)) return Referential::load(full);
    return Referential::load(std::string(AIG_SOURCE_DIR) + "/data/rome-subset");
  }();
  return r;
}

inline const ScoringConfig& config() {
  static const ScoringConfig c = [] {
    std::ifstream in(std::string(AIG_SOURCE_DIR) + "/rules/matching/scoring-default.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_scoring(ss.str());
  }();
  return c;
}

struct Town {
  double lat, lon;
  const char* departement;
};
inline constexpr Town kTowns[] = {{48.86, 2.35, "75"},  {45.76, 4.84, "69"},  {43.30, 5.37, "13"},
                                  {43.60, 1.44, "31"},  {47.22, -1.55, "44"}, {48.57, 7.75, "67"},
                                  {44.84, -0.58, "33"}, {50.63, 3.06, "59"},  {48.11, -1.68, "35"},
                                  {45.19, 5.72, "38"}};
inline constexpr const char* kContracts[] = {"CDI", "CDI", "CDD", "MIS", "SAI"};

class Drawer {
 public:
  explicit Drawer(std::uint64_t seed) : rng_(seed) {
    const Referential& ref = referential();
    for (OccupationId o = 0; o < ref.occupation_count(); ++o)
      if (ref.occupation(o).kind == OccupationKind::rome_fiche && !ref.occupation(o).items.empty())
        fiches_.push_back(o);
  }

  Offer offer(std::size_t i) {
    const Referential& ref = referential();
    Offer o;
    o.id = "O" + std::to_string(i);
    o.occupation = fiches_[rng_() % fiches_.size()];
    for (ItemId item : pick(o.occupation, 12 + rng_() % 9)) {
      OfferCompetence c;
      c.item = item;
      c.code = ref.item(item).code;
      c.requirement = unit() < 0.7 ? Requirement::required : Requirement::desired;
      o.competences.push_back(std::move(c));
    }
    place(o.place.latitude, o.place.longitude, o.place.label);
    o.contract_type = kContracts[rng_() % 5];
    if (unit() < 0.3) {
      o.experience = ExperienceRequirement::required;
      o.experience_months = 12;
    }
    if (unit() < 0.2) o.licences.push_back({"B - Véhicule léger", Requirement::required});
    return o;
  }

  Profile profile(std::size_t i) {
    const Referential& ref = referential();
    Profile p;
    p.id = "P" + std::to_string(i);
    const OccupationId fiche = fiches_[rng_() % fiches_.size()];
    p.target_occupations.push_back(fiche);
    for (ItemId item : pick(fiche, 6 + rng_() % 7)) {
      ProfileCompetence c;
      c.item = item;
      c.code = ref.item(item).code;
      c.evidence = static_cast<Evidence>(rng_() % 3);
      p.competences.push_back(std::move(c));
    }
    std::string label;
    place(p.location.latitude, p.location.longitude, label);
    p.location.departement = label.substr(0, label.find(' '));
    p.max_distance_km = 20 + static_cast<double>(rng_() % 40);
    if (unit() < 0.6) p.licences.push_back("B - Véhicule léger");
    p.experience.push_back({"", static_cast<int>(rng_() % 36), fiche});
    return p;
  }

 private:
  double unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  std::vector<ItemId> pick(OccupationId fiche, std::size_t n) {
    std::vector<ItemId> items;
    for (const auto& link : referential().occupation(fiche).items)
      if (is_core(link.role) || unit() < 0.5) items.push_back(link.item);
    std::shuffle(items.begin(), items.end(), rng_);
    items.erase(std::unique(items.begin(), items.end()), items.end());
    if (items.size() > n) items.resize(n);
    return items;
  }
  void place(std::optional<double>& lat, std::optional<double>& lon, std::string& label) {
    const Town& t = kTowns[rng_() % (sizeof kTowns / sizeof kTowns[0])];
    std::normal_distribution<double> spread(0.0, 0.25);
    lat = t.lat + spread(rng_);
    lon = t.lon + spread(rng_) * 1.4;
    label = std::string(t.departement) + " - Ville";
  }
  std::mt19937_64 rng_;
  std::vector<OccupationId> fiches_;
};

}  // namespace aiguillage::bench
