// Any bytes given to the matching parsers (an offer, a profile, a scoring document, a ROME CSV
// file, a zip archive) are read or rejected with an Error, never a crash. The first byte picks
// the parser; documents that load are also scored and explained against the bundled examples.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "aiguillage/core/error.hpp"
#include "aiguillage/matching/explanation.hpp"
#include "aiguillage/matching/matcher.hpp"
#include "matching/csv.hpp"
#include "matching/zip.hpp"

namespace {

using namespace aiguillage;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  Referential referential = Referential::load(std::string(AIG_SOURCE_DIR) + "/data/rome-subset");
  OfferBatch offers = load_offers_jsonl(
      slurp(std::string(AIG_SOURCE_DIR) + "/examples/data/offers-subset.jsonl"), referential);
  ProfileBatch profiles = load_profiles_jsonl(
      slurp(std::string(AIG_SOURCE_DIR) + "/examples/data/profiles-subset.jsonl"), referential);
  OfferBank bank{offers.offers, referential, {}};
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void read_csv(std::string_view text) {
  detail::CsvReader csv(text, "fuzz.csv");
  csv.read_header();
  while (csv.next()) {
  }
}

void read_zip(std::string_view bytes) {
  detail::ZipArchive zip(std::string(bytes), "fuzz.zip");
  for (const auto& e : zip.entries())
    if (e.size < (1u << 20)) zip.extract(e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Fixture& f = fixture();
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 5) {
      case 0: {
        const Offer offer = parse_offer(text, f.referential);
        const Profile& p = f.profiles.profiles.front();
        const Score s = score(p, offer, f.referential);
        (void)s;
        explain_match(p, offer, f.referential, ScoringConfig{}, f.offers.offers).to_json();
        break;
      }
      case 1: {
        const Profile profile = parse_profile(text, f.referential);
        explain_match(profile, f.offers.offers.front(), f.referential, ScoringConfig{},
                      f.offers.offers)
            .to_text();
        f.bank.top_offers(profile, 3);
        break;
      }
      case 2:
        parse_scoring(text);
        break;
      case 3:
        read_csv(text);
        break;
      default:
        read_zip(text);
        break;
    }
  } catch (const Error&) {
  }
  return 0;
}
