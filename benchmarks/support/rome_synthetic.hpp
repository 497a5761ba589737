// Synthetic offers and profiles drawn from the real ROME 4.0 referential, from fixed seeds.
//
// Each record draws a fiche métier uniformly, then about 20 of the fiche's competence items
// (read from unix_coherence_item: fiche -> item with the core flag; core items "Principale" or
// "Émergente" are three times as likely) plus one or two random items of the whole referential,
// so that posting lists have ROME's real shape: a few items shared by many fiches, a long tail.
// Locations gather around 30 French cities (Gaussian spread of about 25 km) and take the city's
// département; contract types follow a fixed skewed distribution over 6 codes. Without the data
// files the items are uniform over 18,000 synthetic ids, and a note says so on stderr.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "aiguillage/matching/retrieval.hpp"

namespace aiguillage::bench {

// fiche -> (item id, core) from the coherence file; empty when the file cannot be read.
inline std::vector<std::vector<std::pair<std::uint32_t, bool>>> read_rome_fiches(
    const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::pair<std::uint32_t, bool>>> fiches;
  if (!in) return fiches;
  std::map<std::string, std::size_t> index;
  std::string line;
  std::getline(in, line);  // header: "code_rome","code_ogr","coeur_metier"
  while (std::getline(in, line)) {
    // Three quoted fields without embedded quotes or commas.
    std::vector<std::string> f;
    std::string cur;
    bool quoted = false;
    for (char ch : line) {
      if (ch == '"')
        quoted = !quoted;
      else if (ch == ',' && !quoted) {
        f.push_back(cur);
        cur.clear();
      } else if (ch != '\r')
        cur += ch;
    }
    f.push_back(cur);
    if (f.size() != 3 || f[0].empty() || f[1].empty()) continue;
    char* end = nullptr;
    const unsigned long id = std::strtoul(f[1].c_str(), &end, 10);
    if (*end != '\0') continue;
    auto [it, fresh] = index.emplace(f[0], fiches.size());
    if (fresh) fiches.emplace_back();
    fiches[it->second].emplace_back(static_cast<std::uint32_t>(id), !f[2].empty());
  }
  return fiches;
}

inline std::string shared_data_dir() {
  const char* env = std::getenv("AIG_SHARED_DATA");
  return env && *env ? env : std::string(AIG_SOURCE_DIR) + "/../shared/data";
}

// Records in flat CSR form: record r owns items/weights [indptr[r], indptr[r+1]).
struct SyntheticRecords {
  std::vector<std::int64_t> indptr{0};
  std::vector<std::uint32_t> items;
  std::vector<double> weights;
  std::vector<GeoPoint> location;
  std::vector<std::uint32_t> departement;
  std::vector<std::uint32_t> contract;  // code 0..5
  std::size_t size() const { return location.size(); }
  std::span<const std::uint32_t> items_of(std::size_t r) const {
    return {items.data() + indptr[r], static_cast<std::size_t>(indptr[r + 1] - indptr[r])};
  }
  std::span<const double> weights_of(std::size_t r) const {
    return {weights.data() + indptr[r], static_cast<std::size_t>(indptr[r + 1] - indptr[r])};
  }
};

class RomeSampler {
 public:
  RomeSampler() {
    const std::string path = shared_data_dir() + "/rome-v460/unix_coherence_item_v460_utf8.csv";
    fiches_ = read_rome_fiches(path);
    if (fiches_.empty()) {
      std::fprintf(stderr,
                   "note: %s not found; records use uniform synthetic items instead of ROME\n",
                   path.c_str());
      return;
    }
    for (const auto& f : fiches_)
      for (auto [id, core] : f) all_items_.push_back(id);
    std::sort(all_items_.begin(), all_items_.end());
    all_items_.erase(std::unique(all_items_.begin(), all_items_.end()), all_items_.end());
  }
  bool from_rome() const { return !fiches_.empty(); }
  std::size_t fiche_count() const { return fiches_.size(); }
  std::size_t item_count() const { return from_rome() ? all_items_.size() : 18000; }

  // `desired_share`: share of items given weight 0.5 instead of 1.0 (desired vs required for
  // offers, partial credit for profiles).
  SyntheticRecords draw(std::size_t n, std::uint64_t seed, double desired_share) const {
    std::mt19937_64 rng(seed);
    SyntheticRecords out;
    out.indptr.reserve(n + 1);
    out.items.reserve(n * 21);
    out.weights.reserve(n * 21);
    out.location.reserve(n);
    out.departement.reserve(n);
    out.contract.reserve(n);
    std::vector<std::uint32_t> chosen;
    std::vector<double> keys;
    std::vector<std::size_t> order;
    std::normal_distribution<double> spread(0.0, 0.25);
    for (std::size_t r = 0; r < n; ++r) {
      chosen.clear();
      const std::size_t want = 16 + rng() % 9;  // 16..24, about 20
      const std::size_t extra = 1 + rng() % 2;
      if (from_rome()) {
        const auto& fiche = fiches_[rng() % fiches_.size()];
        // Weighted sampling without replacement: key = -log(u) / weight, keep the smallest.
        keys.resize(fiche.size());
        order.resize(fiche.size());
        for (std::size_t k = 0; k < fiche.size(); ++k) {
          keys[k] = -std::log(unit(rng)) / (fiche[k].second ? 3.0 : 1.0);
          order[k] = k;
        }
        const std::size_t take = std::min(want - extra, fiche.size());
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take),
                          order.end(),
                          [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
        for (std::size_t k = 0; k < take; ++k) chosen.push_back(fiche[order[k]].first);
        for (std::size_t k = 0; k < extra; ++k)
          chosen.push_back(all_items_[rng() % all_items_.size()]);
      } else {
        for (std::size_t k = 0; k < want; ++k)
          chosen.push_back(static_cast<std::uint32_t>(rng() % 18000));
      }
      std::sort(chosen.begin(), chosen.end());
      chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
      for (std::uint32_t id : chosen) {
        out.items.push_back(id);
        out.weights.push_back(unit(rng) < desired_share ? 0.5 : 1.0);
      }
      out.indptr.push_back(static_cast<std::int64_t>(out.items.size()));
      const City& c = kCities[rng() % (sizeof kCities / sizeof kCities[0])];
      out.location.push_back({std::clamp(c.lat + spread(rng), -90.0, 90.0),
                              std::clamp(c.lon + spread(rng) * 1.4, -180.0, 180.0)});
      out.departement.push_back(c.departement);
      const double u = unit(rng);  // CDI 55 %, CDD 25 %, intérim 12 %, then 3 rarer codes
      out.contract.push_back(u < 0.55 ? 0 : u < 0.80 ? 1 : u < 0.92 ? 2 : 3 + rng() % 3);
    }
    return out;
  }

 private:
  struct City {
    double lat, lon;
    std::uint32_t departement;
  };
  static constexpr City kCities[] = {
      {48.86, 2.35, 75},  {45.76, 4.84, 69},  {43.30, 5.37, 13},  {43.60, 1.44, 31},
      {43.70, 7.27, 6},   {47.22, -1.55, 44}, {48.57, 7.75, 67},  {43.61, 3.88, 34},
      {44.84, -0.58, 33}, {50.63, 3.06, 59},  {48.11, -1.68, 35}, {49.26, 4.03, 51},
      {49.49, 0.11, 76},  {45.44, 4.39, 42},  {43.12, 5.93, 83},  {45.19, 5.72, 38},
      {47.32, 5.04, 21},  {47.47, -0.55, 49}, {43.84, 4.36, 30},  {45.78, 3.09, 63},
      {45.83, 1.26, 87},  {47.39, 0.69, 37},  {49.89, 2.30, 80},  {49.12, 6.18, 57},
      {47.24, 6.02, 25},  {47.90, 1.90, 45},  {49.18, -0.37, 14}, {48.39, -4.49, 29},
      {43.30, -0.37, 64}, {48.80, 2.13, 78}};

  static double unit(std::mt19937_64& rng) {
    return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;  // (0, 1)
  }

  std::vector<std::vector<std::pair<std::uint32_t, bool>>> fiches_;
  std::vector<std::uint32_t> all_items_;
};

// Index entries viewing the records (offers: one contract bit each).
inline std::vector<IndexEntry> offer_entries(const SyntheticRecords& r) {
  std::vector<IndexEntry> out(r.size());
  for (std::size_t k = 0; k < r.size(); ++k)
    out[k] = {r.items_of(k), r.weights_of(k), r.location[k], r.departement[k], 1u << r.contract[k]};
  return out;
}

// Resident and peak memory of this process in MiB, from /proc/self/status (0 when absent).
struct Memory {
  double rss_mib = 0, hwm_mib = 0;
};
inline Memory memory_now() {
  std::ifstream in("/proc/self/status");
  Memory m;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.rss_mib = std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_mib = std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return m;
}

}  // namespace aiguillage::bench
