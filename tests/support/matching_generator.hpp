// Random offers and profiles drawn from a referential, for the matching tests that compare the
// banks and the explanations with scoring every document.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "aiguillage/matching/offer.hpp"
#include "aiguillage/matching/profile.hpp"
#include "aiguillage/matching/referential.hpp"

namespace aiguillage::test_support {

struct MatchingGenerator {
  std::mt19937_64 rng;
  const Referential& ref;
  MatchingGenerator(std::uint64_t seed, const Referential& referential)
      : rng(seed), ref(referential) {}

  std::size_t uniform(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
  double real(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
  ItemId item() {
    // Most items from a small pool so that documents share them.
    return static_cast<ItemId>(chance(0.7) ? uniform(std::min<std::size_t>(60, ref.item_count()))
                                           : uniform(ref.item_count()));
  }
  OccupationId fiche() { return static_cast<OccupationId>(uniform(ref.occupation_count())); }
  std::pair<double, double> place() {
    // A few towns, so that distances cross the limits often.
    static const double towns[][2] = {{48.85, 2.35}, {45.76, 4.83}, {50.63, 3.06}, {43.30, 5.37}};
    const auto& t = towns[uniform(4)];
    return {t[0] + real(-0.6, 0.6), t[1] + real(-0.6, 0.6)};
  }
  static constexpr const char* kDepts[] = {"75", "69", "59", "13", "2A", "971"};
  static constexpr const char* kContracts[] = {"CDI", "CDD", "MIS", "SAI"};
  static constexpr const char* kLicences[] = {"B - Véhicule léger", "C - Poids lourd"};
  static constexpr const char* kLanguages[] = {"Français", "Anglais", "Espagnol"};

  Offer offer(std::size_t i) {
    Offer o;
    o.id = "O" + std::to_string(1000 + i);
    o.occupation = chance(0.9) ? fiche() : kNoId;
    const std::size_t n = uniform(8);
    for (std::size_t c = 0; c < n; ++c) {
      OfferCompetence oc;
      oc.requirement = chance(0.65) ? Requirement::required : Requirement::desired;
      oc.item = chance(0.92) ? item() : kNoId;
      oc.code = oc.item == kNoId ? "999999" : ref.item(oc.item).code;
      o.competences.push_back(oc);
    }
    if (chance(0.4))
      o.formations.push_back({"", "", "", static_cast<int>(3 + uniform(4)),
                              chance(0.5) ? Requirement::required : Requirement::desired});
    if (chance(0.3)) o.languages.push_back({kLanguages[uniform(3)], Requirement::required});
    if (chance(0.3))
      o.licences.push_back(
          {kLicences[uniform(2)], chance(0.6) ? Requirement::required : Requirement::desired});
    if (chance(0.4)) {
      o.experience = ExperienceRequirement::required;
      o.experience_months = static_cast<int>(uniform(36));
    }
    if (chance(0.85)) {
      auto [lat, lon] = place();
      o.place.latitude = lat;
      o.place.longitude = lon;
    }
    o.place.label = std::string(kDepts[uniform(6)]) + " - Ville";
    o.contract_type = chance(0.9) ? kContracts[uniform(4)] : "";
    o.working_time = static_cast<WorkingTime>(uniform(3));
    return o;
  }

  Profile profile(std::size_t i) {
    Profile p;
    p.id = "P" + std::to_string(1000 + i);
    const std::size_t n = uniform(10);
    for (std::size_t c = 0; c < n; ++c) {
      ProfileCompetence pc;
      pc.item = chance(0.95) ? item() : kNoId;
      pc.code = pc.item == kNoId ? "888888" : ref.item(pc.item).code;
      pc.evidence = static_cast<Evidence>(uniform(3));
      p.competences.push_back(pc);
    }
    for (std::size_t t = uniform(3); t > 0; --t) p.target_occupations.push_back(fiche());
    if (chance(0.5)) p.experience.push_back({"", static_cast<int>(uniform(48)), fiche()});
    if (chance(0.6)) p.diplomas.push_back({"", static_cast<int>(3 + uniform(5))});
    if (chance(0.6)) p.languages.push_back({kLanguages[uniform(3)], ""});
    if (chance(0.5)) p.licences.push_back(kLicences[uniform(2)]);
    if (chance(0.85)) {
      auto [lat, lon] = place();
      p.location.latitude = lat;
      p.location.longitude = lon;
    }
    p.location.departement = chance(0.9) ? kDepts[uniform(6)] : "";
    if (chance(0.7)) p.max_distance_km = real(0, 120);
    for (const char* c : kContracts)
      if (chance(0.3)) p.contract_types.push_back(c);
    if (chance(0.5)) p.working_times.push_back(static_cast<WorkingTime>(uniform(3)));
    return p;
  }
};

}  // namespace aiguillage::test_support
