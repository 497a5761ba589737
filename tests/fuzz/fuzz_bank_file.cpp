// Any bytes given as a bank file (matcher.hpp OfferBank::load_bytes, ProfileBank::load_bytes)
// are read or refused with an Error, never a crash; a bank that loads answers a query. The
// first byte picks the kind of bank and the mode: raw bytes, or bytes patched into a valid file
// of the bundled examples (pairs of a 16-bit offset and a byte) whose checksum is then made
// right again, so that the checks behind the checksum are reached.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/matching/matcher.hpp"

namespace {

using namespace aiguillage;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class Bank>
std::string saved(const Bank& bank, const char* name) {
  const std::string path = std::string("/tmp/aig-fuzz-bank-") + name;
  bank.save(path);
  std::string bytes = slurp(path);
  std::remove(path.c_str());
  return bytes;
}

struct Fixture {
  Referential referential = Referential::load(std::string(AIG_SOURCE_DIR) + "/data/rome-subset");
  OfferBatch offers = load_offers_jsonl(
      slurp(std::string(AIG_SOURCE_DIR) + "/examples/data/offers-subset.jsonl"), referential);
  ProfileBatch profiles = load_profiles_jsonl(
      slurp(std::string(AIG_SOURCE_DIR) + "/examples/data/profiles-subset.jsonl"), referential);
  std::string offer_file = saved(OfferBank(offers.offers, referential), "offers");
  std::string person_file = saved(ProfileBank(profiles.profiles, referential), "persons");
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// The checksum field of the header (bank_file.hpp): SHA-256 of the file with it zeroed.
constexpr std::size_t kChecksumAt = 104;

std::string patched(std::string file, std::string_view patch) {
  for (std::size_t i = 0; i + 3 <= patch.size(); i += 3) {
    const std::size_t at =
        (static_cast<std::uint8_t>(patch[i]) |
         static_cast<std::size_t>(static_cast<std::uint8_t>(patch[i + 1])) << 8) %
        file.size();
    file[at] = patch[i + 2];
  }
  std::memset(file.data() + kChecksumAt, 0, 32);
  const Sha256 sum = sha256(file);
  std::memcpy(file.data() + kChecksumAt, sum.data(), sum.size());
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Fixture& f = fixture();
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int mode = data[0] % 4;
  try {
    if (mode == 0 || mode == 2) {
      const std::string bytes = mode == 0 ? std::string(rest) : patched(f.offer_file, rest);
      const OfferBank bank = OfferBank::load_bytes(bytes, f.referential);
      if (!f.profiles.profiles.empty()) (void)bank.top_offers(f.profiles.profiles[0], 3);
    } else {
      const std::string bytes = mode == 1 ? std::string(rest) : patched(f.person_file, rest);
      const ProfileBank bank = ProfileBank::load_bytes(bytes, f.referential);
      if (!f.offers.offers.empty()) (void)bank.top_profiles(f.offers.offers[0], 3);
    }
  } catch (const Error&) {
  }
  return 0;
}
