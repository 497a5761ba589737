// Offers and profiles in a bank file: every field of the documents, so that a loaded bank
// scores and explains exactly as the bank that was saved. Ids are checked against the
// referential on reading (a bank file never makes an id out of range).
#include <algorithm>

#include "core/parallel.hpp"
#include "matching/bank_codec.hpp"
#include "matching/bank_file.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

namespace {

void opt_f64(Encoder& e, const std::optional<double>& v) {
  e.u8(v ? 1 : 0);
  if (v) e.f64(*v);
}
std::optional<double> opt_f64(Decoder& d) {
  if (!d.flag()) return std::nullopt;
  return d.f64();
}
void opt_i32(Encoder& e, const std::optional<int>& v) {
  e.u8(v ? 1 : 0);
  if (v) e.i32(*v);
}
std::optional<int> opt_i32(Decoder& d) {
  if (!d.flag()) return std::nullopt;
  return d.i32();
}
void unknown(Encoder& e, const std::vector<UnknownReference>& u) {
  e.u32(static_cast<std::uint32_t>(u.size()));
  for (const auto& x : u) {
    e.str(x.pointer);
    e.str(x.code);
  }
}
std::vector<UnknownReference> unknown(Decoder& d) {
  std::vector<UnknownReference> u(d.count(8));
  for (auto& x : u) {
    x.pointer = d.str();
    x.code = d.str();
  }
  return u;
}
void strings(Encoder& e, const std::vector<std::string>& v) {
  e.u32(static_cast<std::uint32_t>(v.size()));
  for (const auto& s : v) e.str(s);
}
std::vector<std::string> strings(Decoder& d) {
  std::vector<std::string> v(d.count(4));
  for (auto& s : v) s = d.str();
  return v;
}

// An id the referential holds (or kNoId).
std::uint32_t id_below(Decoder& d, std::size_t bound, const char* what) {
  const std::uint32_t id = d.u32();
  if (id != kNoId && id >= bound) d.fail(std::string(what) + " id out of range");
  return id;
}

void encode(Encoder& e, const Offer& o) {
  e.str(o.id);
  e.str(o.title);
  e.str(o.rome_code);
  e.str(o.rome_label);
  e.str(o.appellation_label);
  e.u32(o.occupation);
  e.u32(static_cast<std::uint32_t>(o.competences.size()));
  for (const auto& c : o.competences) {
    e.str(c.code);
    e.str(c.label);
    e.u8(static_cast<std::uint8_t>(c.requirement));
    e.u32(c.item);
  }
  e.u32(static_cast<std::uint32_t>(o.formations.size()));
  for (const auto& f : o.formations) {
    e.str(f.code);
    e.str(f.domain);
    e.str(f.level_label);
    e.i32(f.level);
    e.u8(static_cast<std::uint8_t>(f.requirement));
  }
  for (const auto* list : {&o.languages, &o.licences}) {
    e.u32(static_cast<std::uint32_t>(list->size()));
    for (const auto& c : *list) {
      e.str(c.label);
      e.u8(static_cast<std::uint8_t>(c.requirement));
    }
  }
  e.u8(static_cast<std::uint8_t>(o.experience));
  e.str(o.experience_label);
  opt_i32(e, o.experience_months);
  e.str(o.place.label);
  opt_f64(e, o.place.latitude);
  opt_f64(e, o.place.longitude);
  e.str(o.place.postal_code);
  e.str(o.place.commune);
  e.str(o.contract_type);
  e.str(o.working_time_label);
  e.u8(static_cast<std::uint8_t>(o.working_time));
  e.u8(o.accessible_th ? 1 : 0);
  e.u8(o.alternance ? 1 : 0);
  e.u32(o.positions);
  unknown(e, o.unknown);
}

Offer decode_offer(Decoder& d, const Referential& r) {
  Offer o;
  o.id = d.str();
  o.title = d.str();
  o.rome_code = d.str();
  o.rome_label = d.str();
  o.appellation_label = d.str();
  o.occupation = id_below(d, r.occupation_count(), "occupation");
  o.competences.resize(d.count(13));
  for (auto& c : o.competences) {
    c.code = d.str();
    c.label = d.str();
    c.requirement = d.enumeration<Requirement>(1);
    c.item = id_below(d, r.item_count(), "item");
  }
  o.formations.resize(d.count(17));
  for (auto& f : o.formations) {
    f.code = d.str();
    f.domain = d.str();
    f.level_label = d.str();
    f.level = d.i32();
    f.requirement = d.enumeration<Requirement>(1);
  }
  for (auto* list : {&o.languages, &o.licences}) {
    list->resize(d.count(5));
    for (auto& c : *list) {
      c.label = d.str();
      c.requirement = d.enumeration<Requirement>(1);
    }
  }
  o.experience = d.enumeration<ExperienceRequirement>(2);
  o.experience_label = d.str();
  o.experience_months = opt_i32(d);
  o.place.label = d.str();
  o.place.latitude = opt_f64(d);
  o.place.longitude = opt_f64(d);
  o.place.postal_code = d.str();
  o.place.commune = d.str();
  o.contract_type = d.str();
  o.working_time_label = d.str();
  o.working_time = d.enumeration<WorkingTime>(2);
  o.accessible_th = d.flag();
  o.alternance = d.flag();
  o.positions = d.u32();
  o.unknown = unknown(d);
  return o;
}

void encode(Encoder& e, const Profile& p) {
  e.str(p.id);
  e.u32(static_cast<std::uint32_t>(p.competences.size()));
  for (const auto& c : p.competences) {
    e.str(c.code);
    e.u8(static_cast<std::uint8_t>(c.evidence));
    opt_i32(e, c.level);
    e.u32(c.item);
  }
  strings(e, p.target_rome);
  e.u32(static_cast<std::uint32_t>(p.target_occupations.size()));
  for (OccupationId o : p.target_occupations) e.u32(o);
  strings(e, p.target_appellations);
  e.u32(static_cast<std::uint32_t>(p.target_appellation_ids.size()));
  for (AppellationId a : p.target_appellation_ids) e.u32(a);
  e.u32(static_cast<std::uint32_t>(p.experience.size()));
  for (const auto& x : p.experience) {
    e.str(x.rome_code);
    e.i32(x.months);
    e.u32(x.occupation);
  }
  e.u32(static_cast<std::uint32_t>(p.diplomas.size()));
  for (const auto& x : p.diplomas) {
    e.str(x.label);
    e.i32(x.level);
  }
  e.u32(static_cast<std::uint32_t>(p.languages.size()));
  for (const auto& x : p.languages) {
    e.str(x.label);
    e.str(x.level);
  }
  strings(e, p.licences);
  opt_f64(e, p.location.latitude);
  opt_f64(e, p.location.longitude);
  e.str(p.location.postal_code);
  e.str(p.location.departement);
  opt_f64(e, p.max_distance_km);
  strings(e, p.contract_types);
  e.u32(static_cast<std::uint32_t>(p.working_times.size()));
  for (WorkingTime t : p.working_times) e.u8(static_cast<std::uint8_t>(t));
  e.u8(p.available_from ? 1 : 0);
  if (p.available_from) e.i32(p.available_from->days);
  e.u8(p.rqth ? 1 : 0);
  unknown(e, p.unknown);
}

Profile decode_profile(Decoder& d, const Referential& r) {
  Profile p;
  p.id = d.str();
  p.competences.resize(d.count(10));
  for (auto& c : p.competences) {
    c.code = d.str();
    c.evidence = d.enumeration<Evidence>(2);
    c.level = opt_i32(d);
    c.item = id_below(d, r.item_count(), "item");
  }
  p.target_rome = strings(d);
  p.target_occupations.resize(d.count(4));
  for (auto& o : p.target_occupations) o = id_below(d, r.occupation_count(), "occupation");
  p.target_appellations = strings(d);
  p.target_appellation_ids.resize(d.count(4));
  for (auto& a : p.target_appellation_ids) a = id_below(d, r.appellations().size(), "appellation");
  p.experience.resize(d.count(12));
  for (auto& x : p.experience) {
    x.rome_code = d.str();
    x.months = d.i32();
    x.occupation = id_below(d, r.occupation_count(), "occupation");
  }
  p.diplomas.resize(d.count(8));
  for (auto& x : p.diplomas) {
    x.label = d.str();
    x.level = d.i32();
  }
  p.languages.resize(d.count(8));
  for (auto& x : p.languages) {
    x.label = d.str();
    x.level = d.str();
  }
  p.licences = strings(d);
  p.location.latitude = opt_f64(d);
  p.location.longitude = opt_f64(d);
  p.location.postal_code = d.str();
  p.location.departement = d.str();
  p.max_distance_km = opt_f64(d);
  p.contract_types = strings(d);
  p.working_times.resize(d.count(1));
  for (auto& t : p.working_times) t = d.enumeration<WorkingTime>(2);
  if (d.flag()) p.available_from = Date{d.i32()};
  p.rqth = d.flag();
  p.unknown = unknown(d);
  return p;
}

template <class Doc>
void encode_all(const std::vector<Doc>& docs, std::vector<std::uint64_t>& offsets,
                std::string& blob) {
  Encoder e;
  offsets.assign(1, 0);
  offsets.reserve(docs.size() + 1);
  for (const Doc& doc : docs) {
    encode(e, doc);
    offsets.push_back(e.out.size());
  }
  blob = std::move(e.out);
}

template <class Doc, class Decode>
std::vector<Doc> decode_all(std::span<const std::uint64_t> offsets, std::string_view blob,
                            std::size_t threads, const Decode& decode_one) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != blob.size())
    bank_corrupt("document offsets do not span the documents");
  for (std::size_t i = 1; i < offsets.size(); ++i)
    if (offsets[i] < offsets[i - 1]) bank_corrupt("document offsets are not in order");
  const std::size_t n = offsets.size() - 1;
  std::vector<Doc> docs(n);
  threads = std::max<std::size_t>(1, std::min(threads, n / 1024 + 1));
  run_on_threads(threads, [&](std::size_t t) {
    for (std::size_t i = n * t / threads; i < n * (t + 1) / threads; ++i) {
      Decoder d(blob.substr(offsets[i], offsets[i + 1] - offsets[i]), "document");
      docs[i] = decode_one(d);
      d.finish();
    }
  });
  return docs;
}

}  // namespace

void encode_offers(const std::vector<Offer>& offers, std::vector<std::uint64_t>& offsets,
                   std::string& blob) {
  encode_all(offers, offsets, blob);
}
void encode_profiles(const std::vector<Profile>& profiles, std::vector<std::uint64_t>& offsets,
                     std::string& blob) {
  encode_all(profiles, offsets, blob);
}
std::vector<Offer> decode_offers(std::span<const std::uint64_t> offsets, std::string_view blob,
                                 const Referential& referential, std::size_t threads) {
  return decode_all<Offer>(offsets, blob, threads,
                           [&](Decoder& d) { return decode_offer(d, referential); });
}
std::vector<Profile> decode_profiles(std::span<const std::uint64_t> offsets, std::string_view blob,
                                     const Referential& referential, std::size_t threads) {
  return decode_all<Profile>(offsets, blob, threads,
                             [&](Decoder& d) { return decode_profile(d, referential); });
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
