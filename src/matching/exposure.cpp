#include "aiguillage/matching/exposure.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

Exposure tally(std::span<const Profile> persons, const std::vector<char>& exposed,
               bool persons_for_offers, std::size_t queries, std::size_t top) {
  Exposure out;
  out.persons_for_offers = persons_for_offers;
  out.top = top;
  out.queries = queries;
  ExposureGroup all{"all", "", 0, 0, 0};
  std::map<std::string, ExposureGroup> by_departement;
  ExposureGroup rqth[2] = {{"rqth", "no", 0, 0, 0}, {"rqth", "yes", 0, 0, 0}};
  for (std::size_t i = 0; i < persons.size(); ++i) {
    std::string d = profile_departement(persons[i]);
    if (d.empty()) d = "unknown";
    auto [it, fresh] = by_departement.try_emplace(d, ExposureGroup{"departement", d, 0, 0, 0});
    for (ExposureGroup* g : {&all, &it->second, &rqth[persons[i].rqth ? 1 : 0]}) {
      ++g->persons;
      if (exposed[i]) ++g->exposed;
    }
  }
  out.groups.push_back(all);
  for (auto& [_, g] : by_departement) out.groups.push_back(g);
  out.groups.push_back(rqth[0]);
  out.groups.push_back(rqth[1]);
  for (ExposureGroup& g : out.groups)
    g.share = g.persons ? static_cast<double>(g.exposed) / static_cast<double>(g.persons) : 0.0;
  return out;
}

}  // namespace

Exposure exposure_of_persons(std::span<const Profile> persons,
                             std::span<const std::vector<RankedMatch>> answers, std::size_t top) {
  std::vector<char> exposed(persons.size(), 0);
  for (const auto& list : answers)
    for (const RankedMatch& m : list) {
      if (m.index >= persons.size())
        throw Error(ErrorCode::invalid_argument, "exposure: a listed person is past the persons");
      exposed[m.index] = 1;
    }
  return tally(persons, exposed, true, answers.size(), top);
}

Exposure exposure_of_queries(std::span<const Profile> persons,
                             std::span<const std::vector<RankedMatch>> answers, std::size_t top) {
  if (answers.size() != persons.size())
    throw Error(ErrorCode::invalid_argument, "exposure: one answer per person is expected");
  std::vector<char> exposed(persons.size(), 0);
  for (std::size_t p = 0; p < persons.size(); ++p) exposed[p] = answers[p].empty() ? 0 : 1;
  return tally(persons, exposed, false, answers.size(), top);
}

std::string Exposure::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["schema"] = "aiguillage.match_exposure";
  j["schema_version"] = "1.0";
  j["direction"] = persons_for_offers ? "persons_for_offers" : "offers_for_persons";
  j["top"] = top;
  j["queries"] = queries;
  auto groups_json = nlohmann::ordered_json::array();
  for (const ExposureGroup& g : groups)
    groups_json.push_back({{"dimension", g.dimension},
                           {"value", g.value},
                           {"persons", g.persons},
                           {"exposed", g.exposed},
                           {"share", g.share}});
  j["groups"] = std::move(groups_json);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace v1
}  // namespace aiguillage
