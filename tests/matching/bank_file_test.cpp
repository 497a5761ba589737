// Bank files (matcher.hpp save/load, src/matching/bank_file*): a loaded bank answers exactly as
// the bank that was saved; a bank is the same on any thread count; every damaged file, a file of
// another version, referential or kind is refused with its pinned code.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "matching/bank_file.hpp"
#include "matching/score_json.hpp"
#include "support/matching_generator.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = AIG_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

const Referential& subset() {
  static const Referential r = Referential::load((kSource / "data/rome-subset").string());
  return r;
}

// The same ROME subset with the ESCO fixture added: other items, so another fingerprint.
const Referential& subset_with_esco() {
  static const Referential r =
      Referential::load((kSource / "data/rome-subset").string(),
                        (kSource / "tests/matching/data/esco-mini").string());
  return r;
}

ScoringConfig default_config() {
  return parse_scoring(slurp(kSource / "rules/matching/scoring-default.json"));
}

struct Generator : test_support::MatchingGenerator {
  explicit Generator(std::uint64_t seed) : MatchingGenerator(seed, subset()) {}
};

fs::path temp_path(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("aig-bank-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

// Everything a caller sees of an answer, as JSON text.
std::string answer_json(const std::vector<RankedMatch>& matches) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const RankedMatch& m : matches) {
    nlohmann::ordered_json competences = nlohmann::ordered_json::array();
    for (const CompetenceCover& c : m.score.competences)
      competences.push_back(
          nlohmann::ordered_json::array({c.offer_index, c.value, c.evidence, c.credit.value,
                                         c.credit.from, c.credit.path.size(), c.unknown_code}));
    out.push_back({{"index", m.index},
                   {"score", m.score.score},
                   {"excluded", m.score.excluded},
                   {"terms", detail::score_terms_json(m.score.terms)},
                   {"penalties", detail::penalties_json(m.score.penalties)},
                   {"reasons", m.score.reasons},
                   {"competences", competences},
                   {"distance_km", m.score.distance_km.value_or(-1)},
                   {"mobility_steps", m.score.mobility_steps.value_or(-1)}});
  }
  return out.dump();
}

MatchFilters random_filters(Generator& g) {
  MatchFilters f;
  if (g.chance(0.3))
    for (const char* d : Generator::kDepts)
      if (g.chance(0.4)) f.departements.push_back(d);
  if (g.chance(0.3))
    for (const char* c : Generator::kContracts)
      if (g.chance(0.4)) f.contract_types.push_back(c);
  if (g.chance(0.3)) f.max_km = g.real(0, 400);
  return f;
}

struct Fixture {
  std::vector<Offer> offers;
  std::vector<Profile> profiles;
  Fixture() {
    Generator g(2024);
    for (std::size_t i = 0; i < 400; ++i) offers.push_back(g.offer(i));
    for (std::size_t i = 0; i < 400; ++i) profiles.push_back(g.profile(i));
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_FALSE(e.message().empty());
    EXPECT_LE(e.message().size(), kMaxErrorMessageBytes);
    return e.code();
  }
  return ErrorCode::ok;
}

TEST(BankFile, OfferBankRoundTripAnswersByteForByte) {
  ScoringConfig config = default_config();
  config.distance = {ConstraintPolicy::penalise, -0.3};
  config.intercept = 0.1;
  const OfferBank bank(fixture().offers, subset(), config);
  const fs::path path = temp_path("offers.aigbank");
  bank.save(path.string());
  const OfferBank loaded = OfferBank::load(path.string(), subset(), {.threads = 2});
  ASSERT_EQ(loaded.size(), bank.size());
  EXPECT_EQ(loaded.config().intercept, 0.1);
  EXPECT_EQ(loaded.config().distance.policy, ConstraintPolicy::penalise);
  for (std::size_t i = 0; i < bank.size(); ++i) {
    const Offer &a = bank.offers()[i], &b = loaded.offers()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.competences.size(), b.competences.size());
    EXPECT_EQ(a.place.latitude, b.place.latitude);
    EXPECT_EQ(a.contract_type, b.contract_type);
  }
  Generator g(5);
  for (std::size_t q = 0; q < 60; ++q) {
    const Profile p = g.profile(10000 + q);
    const std::size_t k = 1 + g.uniform(12);
    const MatchFilters f = random_filters(g);
    MatchSearchStatistics s1, s2;
    const std::string want = answer_json(bank.top_offers(p, k, f, &s1));
    EXPECT_EQ(answer_json(loaded.top_offers(p, k, f, &s2)), want) << p.id;
    EXPECT_EQ(s1.scored, s2.scored);
  }
  // Saved again, the loaded bank gives the very same file.
  const fs::path again = temp_path("offers-again.aigbank");
  loaded.save(again.string());
  EXPECT_EQ(slurp(path), slurp(again));
}

TEST(BankFile, ProfileBankRoundTripAnswersByteForByte) {
  const ProfileBank bank(fixture().profiles, subset(), default_config());
  const fs::path path = temp_path("persons.aigbank");
  bank.save(path.string());
  const ProfileBank loaded = ProfileBank::load(path.string(), subset());
  ASSERT_EQ(loaded.size(), bank.size());
  for (std::size_t i = 0; i < bank.size(); ++i) {
    const Profile &a = bank.profiles()[i], &b = loaded.profiles()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.competences.size(), b.competences.size());
    EXPECT_EQ(a.location.latitude, b.location.latitude);
    EXPECT_EQ(a.available_from, b.available_from);
  }
  Generator g(6);
  for (std::size_t q = 0; q < 60; ++q) {
    const Offer o = g.offer(10000 + q);
    const std::size_t k = 1 + g.uniform(12);
    const MatchFilters f = random_filters(g);
    MatchSearchStatistics s1, s2;
    const std::string want = answer_json(bank.top_profiles(o, k, f, &s1));
    EXPECT_EQ(answer_json(loaded.top_profiles(o, k, f, &s2)), want) << o.id;
    EXPECT_EQ(s1.scored, s2.scored);
    EXPECT_EQ(s1.bounded, s2.bounded);
  }
  const fs::path again = temp_path("persons-again.aigbank");
  loaded.save(again.string());
  EXPECT_EQ(slurp(path), slurp(again));
}

// Both banks, every scoring configuration the matcher tests use: what one thread builds, three
// build to the byte (the saved files are equal).
TEST(BankFile, BanksAreTheSameOnAnyThreadCount) {
  std::vector<ScoringConfig> configs{default_config()};
  configs.push_back(configs[0]);
  configs.back().weights[0] = -0.1;  // no index
  configs.push_back(configs[0]);
  for (std::size_t t = 2; t < kScoreTermCount; ++t) configs.back().weights[t] = 0;
  // Enough documents that several threads get a range each.
  Generator g(99);
  std::vector<Offer> offers;
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < 9000; ++i) offers.push_back(g.offer(i));
  for (std::size_t i = 0; i < 9000; ++i) profiles.push_back(g.profile(i));
  for (std::size_t c = 0; c < configs.size(); ++c) {
    const fs::path one = temp_path("one.aigbank"), three = temp_path("three.aigbank");
    OfferBank(offers, subset(), configs[c], {.threads = 1}).save(one.string());
    OfferBank(offers, subset(), configs[c], {.threads = 3}).save(three.string());
    EXPECT_EQ(slurp(one), slurp(three)) << "offers, config " << c;
    ProfileBank(profiles, subset(), configs[c], {.threads = 1}).save(one.string());
    ProfileBank(profiles, subset(), configs[c], {.threads = 3}).save(three.string());
    EXPECT_EQ(slurp(one), slurp(three)) << "persons, config " << c;
  }
}

// Section boundaries of a file: where a truncation is most likely to pass unnoticed.
std::vector<std::size_t> boundaries(const std::string& bytes) {
  std::vector<std::size_t> out{
      0, 1, 8, 100, detail::kBankHeaderBytes - 1, detail::kBankHeaderBytes};
  std::uint32_t sections = 0;
  std::memcpy(&sections, bytes.data() + 32, 4);
  for (std::uint32_t i = 0; i < sections; ++i) {
    std::uint64_t offset = 0, size = 0;
    std::memcpy(&offset, bytes.data() + detail::kBankHeaderBytes + 24 * i + 8, 8);
    std::memcpy(&size, bytes.data() + detail::kBankHeaderBytes + 24 * i + 16, 8);
    for (std::uint64_t at : {offset, offset + 1, offset + size / 2, offset + size})
      if (at > 0 && at < bytes.size()) out.push_back(at);
  }
  out.push_back(bytes.size() - 1);
  return out;
}

TEST(BankFile, TruncatedFilesAreRefusedAtEverySectionBoundary) {
  const fs::path offers = temp_path("t-offers.aigbank"), persons = temp_path("t-persons.aigbank");
  OfferBank(fixture().offers, subset(), default_config()).save(offers.string());
  ProfileBank(fixture().profiles, subset(), default_config()).save(persons.string());
  for (const fs::path& path : {offers, persons}) {
    const std::string bytes = slurp(path);
    const bool is_offers = path == offers;
    for (std::size_t at : boundaries(bytes)) {
      const fs::path cut = temp_path("cut.aigbank");
      spit(cut, bytes.substr(0, at));
      const ErrorCode code = code_of([&] {
        if (is_offers)
          OfferBank::load(cut.string(), subset());
        else
          ProfileBank::load(cut.string(), subset());
      });
      EXPECT_EQ(code, ErrorCode::bank_file_corrupt) << path << " cut at " << at;
    }
  }
}

TEST(BankFile, AFlippedByteIsRefused) {
  const fs::path path = temp_path("f-persons.aigbank");
  ProfileBank(fixture().profiles, subset(), default_config()).save(path.string());
  const std::string bytes = slurp(path);
  for (std::size_t at = 0; at < bytes.size(); at += 1 + bytes.size() / 97) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    const ErrorCode code = code_of([&] { ProfileBank::load_bytes(bad, subset()); });
    // The version and kind fields are read before the checksum: another version or kind.
    const bool version_or_kind = at >= 8 && at < 16;
    EXPECT_EQ(code, version_or_kind ? ErrorCode::cache_stale : ErrorCode::bank_file_corrupt)
        << "byte " << at;
  }
}

// The bytes of section `id` of a bank file (the table after the header: id, offset, size).
char* section(std::string& bytes, std::uint32_t id) {
  std::uint32_t sections = 0;
  std::memcpy(&sections, bytes.data() + 32, 4);
  for (std::uint32_t i = 0; i < sections; ++i) {
    std::uint32_t at_id = 0;
    std::uint64_t offset = 0;
    std::memcpy(&at_id, bytes.data() + detail::kBankHeaderBytes + 24 * i, 4);
    std::memcpy(&offset, bytes.data() + detail::kBankHeaderBytes + 24 * i + 8, 8);
    if (at_id == id) return bytes.data() + offset;
  }
  ADD_FAILURE() << "no section " << id;
  return nullptr;
}

// The checksum made right again (bank_file.hpp: SHA-256 of the file with its field zeroed).
void reseal(std::string& bytes) {
  constexpr std::size_t kChecksumAt = 104;
  std::memset(bytes.data() + kChecksumAt, 0, 32);
  const Sha256 sum = sha256(bytes);
  std::memcpy(bytes.data() + kChecksumAt, sum.data(), sum.size());
}

// The queries cut postings to the persons of the cells near an offer: a file whose persons are
// not numbered by cell, or whose numbering lists a person twice, would miss persons silently,
// so it is refused even with a checksum that matches.
TEST(BankFile, APersonNumberingNotByCellIsRefused) {
  const fs::path path = temp_path("o-persons.aigbank");
  ProfileBank(fixture().profiles, subset(), default_config()).save(path.string());
  const std::string bytes = slurp(path);
  EXPECT_EQ(code_of([&] { ProfileBank::load_bytes(bytes, subset()); }), ErrorCode::ok);

  std::string twice = bytes;
  if (char* original = section(twice, 32)) std::memcpy(original + 4, original, 4);
  reseal(twice);
  EXPECT_EQ(code_of([&] { ProfileBank::load_bytes(twice, subset()); }),
            ErrorCode::bank_file_corrupt);

  // The first person (located: the fixture's persons have places) made placeless, while located
  // persons follow.
  std::string unordered = bytes;
  const double nan = std::nan("");
  if (char* latitude = section(unordered, 29)) std::memcpy(latitude, &nan, 8);
  if (char* longitude = section(unordered, 30)) std::memcpy(longitude, &nan, 8);
  reseal(unordered);
  EXPECT_EQ(code_of([&] { ProfileBank::load_bytes(unordered, subset()); }),
            ErrorCode::bank_file_corrupt);
}

TEST(BankFile, AnotherReferentialVersionOrKindIsStale) {
  const fs::path path = temp_path("s-offers.aigbank");
  OfferBank(fixture().offers, subset(), default_config()).save(path.string());
  const std::string bytes = slurp(path);
  try {
    OfferBank::load(path.string(), subset_with_esco());
    ADD_FAILURE() << "loaded with another referential";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::cache_stale);
    EXPECT_NE(e.message().find("another referential"), std::string::npos) << e.message();
  }
  std::string other_version = bytes;
  other_version[8] = 2;
  try {
    OfferBank::load_bytes(other_version, subset());
    ADD_FAILURE() << "loaded another format version";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::cache_stale);
    EXPECT_NE(e.message().find("format version 2"), std::string::npos) << e.message();
  }
  EXPECT_EQ(code_of([&] { ProfileBank::load(path.string(), subset()); }), ErrorCode::cache_stale);
  EXPECT_EQ(code_of([&] { OfferBank::load(temp_path("absent").string(), subset()); }),
            ErrorCode::io);
  EXPECT_EQ(code_of([&] { OfferBank::load_bytes("not a bank file at all", subset()); }),
            ErrorCode::bank_file_corrupt);
}

TEST(BankFile, EmptyBanksRoundTrip) {
  const fs::path path = temp_path("empty.aigbank");
  OfferBank({}, subset(), default_config()).save(path.string());
  EXPECT_EQ(OfferBank::load(path.string(), subset()).size(), 0u);
  ProfileBank({}, subset(), default_config()).save(path.string());
  const ProfileBank persons = ProfileBank::load(path.string(), subset());
  EXPECT_EQ(persons.size(), 0u);
  EXPECT_TRUE(persons.top_profiles(fixture().offers[0], 3).empty());
}

}  // namespace
}  // namespace aiguillage
