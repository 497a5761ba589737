// Geographic cells of 0.25 degree for the matching indexes: documents are numbered by cell
// (latitude band, then longitude), so that the documents within a radius of a point are a few
// ranges of internal numbers, and a posting list sorted by those numbers is cut to them by
// binary search.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <utility>
#include <vector>

#include "aiguillage/matching/retrieval.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

inline constexpr double kCellEarthRadiusKm = 6371.0088;  // haversine_km's sphere
inline constexpr double kCellDeg = 0.25;                 // about 28 km north-south
inline constexpr std::size_t kLatCells = 720;            // 180 / 0.25
inline constexpr std::size_t kLonCells = 1440;           // 360 / 0.25
inline constexpr std::size_t kCellCount = kLatCells * kLonCells;

inline std::size_t lat_cell(double lat) {
  const auto c = static_cast<std::ptrdiff_t>(std::floor((lat + 90.0) / kCellDeg));
  return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(c, 0, kLatCells - 1));
}
inline std::size_t lon_cell(double lon) {
  const auto c = static_cast<std::ptrdiff_t>(std::floor((lon + 180.0) / kCellDeg));
  return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(c, 0, kLonCells - 1));
}
inline std::size_t geo_cell(double lat, double lon) {
  return lat_cell(lat) * kLonCells + lon_cell(lon);
}

// Internal ranges [begin, end) that can hold the documents within `km` of `o` (a superset:
// whole cells), sorted and merged. `cell_start[c]` is the first internal number of cell c
// (kCellCount + 1 entries); `n` the number of located documents.
inline void cell_ranges(std::span<const std::uint32_t> cell_start, std::size_t n, GeoPoint o,
                        double km, std::vector<std::pair<std::int32_t, std::int32_t>>& out) {
  constexpr double kDegToRad = std::numbers::pi / 180.0;
  out.clear();
  // Angular radius with a small margin so that rounding never drops a cell.
  const double delta = km / kCellEarthRadiusKm * (1.0 + 1e-9) + 1e-12;
  if (!(delta < std::numbers::pi)) {
    if (n > 0) out.emplace_back(0, static_cast<std::int32_t>(n));
    return;
  }
  const double lat_lo = o.lat - delta / kDegToRad, lat_hi = o.lat + delta / kDegToRad;
  // The circle's longitude half-width is asin(sin(delta) / cos(lat)); it spans every
  // longitude when it reaches a pole.
  bool all_lon = lat_lo <= -90.0 || lat_hi >= 90.0;
  double half = 180.0;
  if (!all_lon) {
    const double s = std::sin(delta) / std::cos(o.lat * kDegToRad);
    if (s >= 1.0)
      all_lon = true;
    else
      half = std::asin(s) / kDegToRad * (1.0 + 1e-9) + 1e-9;
  }
  std::vector<std::pair<std::size_t, std::size_t>> lon_spans;  // inclusive cell spans
  if (all_lon || half >= 180.0) {
    lon_spans.emplace_back(0, kLonCells - 1);
  } else {
    const double lo = o.lon - half, hi = o.lon + half;
    if (lo < -180.0) {
      lon_spans.emplace_back(lon_cell(lo + 360.0), kLonCells - 1);
      lon_spans.emplace_back(0, lon_cell(hi));
    } else if (hi > 180.0) {
      lon_spans.emplace_back(lon_cell(lo), kLonCells - 1);
      lon_spans.emplace_back(0, lon_cell(hi - 360.0));
    } else {
      lon_spans.emplace_back(lon_cell(lo), lon_cell(hi));
    }
  }
  for (std::size_t la = lat_cell(lat_lo); la <= lat_cell(lat_hi); ++la)
    for (auto [a, b] : lon_spans) {
      const auto begin = static_cast<std::int32_t>(cell_start[la * kLonCells + a]);
      const auto end = static_cast<std::int32_t>(cell_start[la * kLonCells + b + 1]);
      if (begin != end) out.emplace_back(begin, end);
    }
  // Across the antimeridian a band's eastern span precedes its western one in cell order:
  // sort so that each posting list is walked forward once, and merge adjacent ranges.
  std::sort(out.begin(), out.end());
  std::size_t w = 0;
  for (std::size_t r = 0; r < out.size(); ++r) {
    if (w > 0 && out[w - 1].second == out[r].first)
      out[w - 1].second = out[r].second;
    else
      out[w++] = out[r];
  }
  out.resize(w);
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
