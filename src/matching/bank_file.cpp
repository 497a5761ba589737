// Bank files: the container (header, section table, checksum), the referential's fingerprint
// and the scoring configuration's binary form. See bank_file.hpp.
#include "matching/bank_file.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "matching/bank_codec.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

void bank_corrupt(const std::string& what) {
  throw Error(ErrorCode::bank_file_corrupt, "bank file: " + what);
}

namespace {

// Header fields at fixed offsets.
constexpr std::size_t kOffVersion = 8, kOffKind = 12, kOffFileSize = 16, kOffDocuments = 24,
                      kOffSections = 32, kOffReferential = 40, kOffScoring = 72, kOffChecksum = 104,
                      kOffEnd = 136;
static_assert(kOffEnd <= kBankHeaderBytes);
constexpr std::size_t kTableEntryBytes = 24;

template <class T>
void put(std::string& out, std::size_t at, T v) {
  std::memcpy(out.data() + at, &v, sizeof v);
}
template <class T>
T get(const std::byte* p, std::size_t at) {
  T v;
  std::memcpy(&v, p + at, sizeof v);
  return v;
}

std::size_t align_up(std::size_t x) {
  return (x + kBankSectionAlign - 1) / kBankSectionAlign * kBankSectionAlign;
}

class Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1)
      throw Error(ErrorCode::internal, "SHA-256 is not available");
  }
  ~Digest() { EVP_MD_CTX_free(ctx_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void add(const void* p, std::size_t n) {
    if (n && EVP_DigestUpdate(ctx_, p, n) != 1) throw Error(ErrorCode::internal, "SHA-256 failed");
  }
  Sha256 finish() {
    Sha256 d{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_, d.data(), &length) != 1 || length != d.size())
      throw Error(ErrorCode::internal, "SHA-256 failed");
    return d;
  }

 private:
  EVP_MD_CTX* ctx_;
};

const char* kind_name(std::uint32_t kind) {
  return kind == static_cast<std::uint32_t>(BankKind::offers)    ? "an offer bank"
         : kind == static_cast<std::uint32_t>(BankKind::persons) ? "a person bank"
                                                                 : "an unknown kind of bank";
}

}  // namespace

Sha256 referential_fingerprint(const Referential& r) {
  Encoder e;
  e.u64(r.item_count());
  for (const Item& item : r.items()) {
    e.str(item.code);
    e.u8(static_cast<std::uint8_t>(item.kind));
    e.u32(item.parent);
  }
  e.u64(r.occupation_count());
  for (const Occupation& o : r.occupations()) {
    e.str(o.code);
    e.u8(static_cast<std::uint8_t>(o.kind));
    e.u64(o.items.size());
    for (const OccupationLink& l : o.items) {
      e.u32(l.item);
      e.u8(static_cast<std::uint8_t>(l.role));
    }
  }
  e.u64(r.appellations().size());
  for (const Appellation& a : r.appellations()) {
    e.str(a.code);
    e.u32(a.occupation);
  }
  e.u64(r.mobility_edges().size());
  for (const MobilityEdge& m : r.mobility_edges()) {
    e.u32(m.from);
    e.u32(m.to);
    e.u32(static_cast<std::uint32_t>(m.order));
  }
  const LoadStatistics& s = r.statistics();
  e.u64(s.esco_broader_links);
  e.u64(s.esco_related_links);
  return sha256(e.out);
}

std::string encode_scoring(const ScoringConfig& c) {
  Encoder e;
  e.str(c.id);
  e.str(c.version);
  e.f64(c.intercept);
  for (double w : c.weights) e.f64(w);
  e.u32(static_cast<std::uint32_t>(c.credit_depth));
  for (double f : {c.credit.to_macro_competence, c.credit.from_macro_competence,
                   c.credit.esco_broader, c.credit.esco_narrower, c.credit.esco_related,
                   c.credit.core_of_fiche, c.credit.mobility, c.credit.core_item_of_fiche})
    e.f64(f);
  e.f64(c.evidence_declared);
  e.f64(c.evidence_validated);
  e.f64(c.evidence_certified);
  e.f64(c.project_decay);
  e.u32(static_cast<std::uint32_t>(c.project_max_steps));
  e.f64(c.default_max_distance_km);
  for (const ConstraintRule* rule : {&c.licence, &c.diploma, &c.distance}) {
    e.u8(static_cast<std::uint8_t>(rule->policy));
    e.f64(rule->penalty);
  }
  return std::move(e.out);
}

ScoringConfig decode_scoring(std::string_view bytes) {
  Decoder d(bytes, "scoring");
  ScoringConfig c;
  c.id = d.str();
  c.version = d.str();
  c.intercept = d.f64();
  for (double& w : c.weights) w = d.f64();
  c.credit_depth = static_cast<int>(d.u32());
  for (double* f : {&c.credit.to_macro_competence, &c.credit.from_macro_competence,
                    &c.credit.esco_broader, &c.credit.esco_narrower, &c.credit.esco_related,
                    &c.credit.core_of_fiche, &c.credit.mobility, &c.credit.core_item_of_fiche})
    *f = d.f64();
  c.evidence_declared = d.f64();
  c.evidence_validated = d.f64();
  c.evidence_certified = d.f64();
  c.project_decay = d.f64();
  c.project_max_steps = static_cast<int>(d.u32());
  c.default_max_distance_km = d.f64();
  for (ConstraintRule* rule : {&c.licence, &c.diploma, &c.distance}) {
    rule->policy = d.enumeration<ConstraintPolicy>(2);
    rule->penalty = d.f64();
  }
  d.finish();
  // The same bounds parse_scoring enforces, so that a loaded bank behaves as a built one.
  auto unit = [](double x) { return std::isfinite(x) && x >= 0 && x <= 1; };
  bool ok = std::isfinite(c.intercept) && c.credit_depth >= 1 && c.credit_depth <= 8 &&
            c.project_max_steps >= 0 && c.project_max_steps <= 8 &&
            std::isfinite(c.default_max_distance_km) && c.default_max_distance_km >= 0 &&
            unit(c.project_decay) && unit(c.evidence_declared) && unit(c.evidence_validated) &&
            unit(c.evidence_certified);
  for (double w : c.weights) ok = ok && std::isfinite(w);
  for (CreditEdge k :
       {CreditEdge::to_macro_competence, CreditEdge::from_macro_competence,
        CreditEdge::esco_broader, CreditEdge::esco_narrower, CreditEdge::esco_related,
        CreditEdge::core_of_fiche, CreditEdge::mobility, CreditEdge::core_item_of_fiche})
    ok = ok && unit(c.credit.factor(k));
  for (const ConstraintRule* rule : {&c.licence, &c.diploma, &c.distance})
    ok = ok && std::isfinite(rule->penalty) && rule->penalty <= 0;
  if (!ok) bank_corrupt("the scoring configuration it holds is out of bounds");
  return c;
}

// ---- writing --------------------------------------------------------------------------------

BankFileWriter::BankFileWriter(BankKind kind, std::uint64_t documents,
                               const Referential& referential, const ScoringConfig& config)
    : kind_(kind),
      documents_(documents),
      referential_(referential_fingerprint(referential)),
      scoring_(encode_scoring(config)) {
  sections_.push_back(
      {kSectionScoring, std::as_bytes(std::span(scoring_.data(), scoring_.size()))});
}

void BankFileWriter::add(std::uint32_t id, std::span<const std::byte> bytes) {
  sections_.push_back({id, bytes});
}

void BankFileWriter::write(const std::string& path) const {
  // Layout first: header, table, then each section aligned.
  std::string head(kBankHeaderBytes + sections_.size() * kTableEntryBytes, '\0');
  std::vector<std::uint64_t> offsets;
  std::size_t at = align_up(head.size());
  for (const Section& s : sections_) {
    offsets.push_back(at);
    at = align_up(at + s.bytes.size());
  }
  const std::size_t file_size = at;
  std::memcpy(head.data(), kBankMagic, sizeof kBankMagic);
  put<std::uint32_t>(head, kOffVersion, kBankFormatVersion);
  put<std::uint32_t>(head, kOffKind, static_cast<std::uint32_t>(kind_));
  put<std::uint64_t>(head, kOffFileSize, file_size);
  put<std::uint64_t>(head, kOffDocuments, documents_);
  put<std::uint32_t>(head, kOffSections, static_cast<std::uint32_t>(sections_.size()));
  std::memcpy(head.data() + kOffReferential, referential_.data(), referential_.size());
  const Sha256 scoring_hash = sha256(scoring_);
  std::memcpy(head.data() + kOffScoring, scoring_hash.data(), scoring_hash.size());
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    const std::size_t e = kBankHeaderBytes + i * kTableEntryBytes;
    put<std::uint32_t>(head, e, sections_[i].id);
    put<std::uint64_t>(head, e + 8, offsets[i]);
    put<std::uint64_t>(head, e + 16, sections_[i].bytes.size());
  }
  static const char zeros[kBankSectionAlign] = {};
  auto padding = [&](std::size_t from) { return align_up(from) - from; };
  // The checksum covers every byte of the file, its own field zeroed.
  Digest digest;
  digest.add(head.data(), head.size());
  digest.add(zeros, padding(head.size()));
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    digest.add(sections_[i].bytes.data(), sections_[i].bytes.size());
    digest.add(zeros, padding(offsets[i] + sections_[i].bytes.size()));
  }
  const Sha256 sum = digest.finish();
  std::memcpy(head.data() + kOffChecksum, sum.data(), sum.size());

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCode::io, "cannot write bank file " + tmp);
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    out.write(zeros, static_cast<std::streamsize>(padding(head.size())));
    for (std::size_t i = 0; i < sections_.size(); ++i) {
      out.write(reinterpret_cast<const char*>(sections_[i].bytes.data()),
                static_cast<std::streamsize>(sections_[i].bytes.size()));
      out.write(zeros,
                static_cast<std::streamsize>(padding(offsets[i] + sections_[i].bytes.size())));
    }
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw Error(ErrorCode::io, "cannot write bank file " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorCode::io, "cannot rename " + tmp + " to " + path);
  }
}

// ---- reading --------------------------------------------------------------------------------

std::shared_ptr<const BankFileReader> BankFileReader::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::io, "cannot open bank file " + path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCode::io, "cannot read bank file " + path + ": not a regular file");
  }
  std::shared_ptr<BankFileReader> r(new BankFileReader());
  r->path_ = path;
  r->size_ = static_cast<std::size_t>(st.st_size);
  if (r->size_ > 0) {
    void* map = ::mmap(nullptr, r->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      throw Error(ErrorCode::io, "cannot map bank file " + path);
    }
    r->map_ = map;
    r->data_ = static_cast<const std::byte*>(map);
  }
  ::close(fd);
  r->parse();
  return r;
}

std::shared_ptr<const BankFileReader> BankFileReader::from_bytes(std::string_view bytes) {
  std::shared_ptr<BankFileReader> r(new BankFileReader());
  // An owned copy, aligned by the allocator (at least 16 bytes); sections are 64-aligned
  // relative to its start, which is enough for arrays of 8-byte numbers.
  r->owned_.assign(bytes);
  r->data_ = reinterpret_cast<const std::byte*>(r->owned_.data());
  r->size_ = r->owned_.size();
  r->path_ = "(bytes)";
  r->parse();
  return r;
}

BankFileReader::~BankFileReader() {
  if (map_) ::munmap(map_, size_);
}

void BankFileReader::parse() {
  if (size_ < kBankHeaderBytes)
    bank_corrupt("truncated: " + std::to_string(size_) + " bytes, shorter than its header");
  if (std::memcmp(data_, kBankMagic, sizeof kBankMagic) != 0)
    bank_corrupt("not a bank file (wrong magic number)");
  const auto version = get<std::uint32_t>(data_, kOffVersion);
  if (version != kBankFormatVersion)
    throw Error(ErrorCode::cache_stale, "bank file: format version " + std::to_string(version) +
                                            ", this library reads version " +
                                            std::to_string(kBankFormatVersion) +
                                            "; build the bank again from its documents");
  kind_ = get<std::uint32_t>(data_, kOffKind);
  const auto file_size = get<std::uint64_t>(data_, kOffFileSize);
  if (file_size != size_)
    bank_corrupt(file_size > size_ ? "truncated: " + std::to_string(size_) + " bytes of " +
                                         std::to_string(file_size)
                                   : "size " + std::to_string(size_) + " bytes, its header says " +
                                         std::to_string(file_size));
  documents_ = get<std::uint64_t>(data_, kOffDocuments);
  const auto sections = get<std::uint32_t>(data_, kOffSections);
  if (sections == 0 || sections > kMaxBankSections ||
      kBankHeaderBytes + sections * kTableEntryBytes > size_)
    bank_corrupt("malformed section table");
  for (std::uint32_t i = 0; i < sections; ++i) {
    const std::size_t e = kBankHeaderBytes + i * kTableEntryBytes;
    Entry entry{get<std::uint32_t>(data_, e), get<std::uint64_t>(data_, e + 8),
                get<std::uint64_t>(data_, e + 16)};
    if (entry.offset % kBankSectionAlign != 0 || entry.offset > size_ ||
        entry.size > size_ - entry.offset)
      bank_corrupt("section " + std::to_string(entry.id) + " lies outside the file");
    table_.push_back(entry);
  }
}

ScoringConfig BankFileReader::check(BankKind kind, const Referential& referential) const {
  if (kind_ != static_cast<std::uint32_t>(kind))
    throw Error(ErrorCode::cache_stale, std::string("bank file ") + path_ + " holds " +
                                            kind_name(kind_) + ", not " +
                                            kind_name(static_cast<std::uint32_t>(kind)));
  Digest digest;
  static const std::byte zeros[32] = {};
  digest.add(data_, kOffChecksum);
  digest.add(zeros, sizeof zeros);
  digest.add(data_ + kOffChecksum + 32, size_ - kOffChecksum - 32);
  const Sha256 sum = digest.finish();
  if (std::memcmp(sum.data(), data_ + kOffChecksum, sum.size()) != 0)
    bank_corrupt("checksum mismatch: the file was altered or damaged after it was written");
  const Sha256 fingerprint = referential_fingerprint(referential);
  if (std::memcmp(fingerprint.data(), data_ + kOffReferential, fingerprint.size()) != 0)
    throw Error(ErrorCode::cache_stale,
                "bank file " + path_ +
                    " was built with another referential (its codes, links or mobility edges "
                    "differ); build the bank again from its documents");
  const std::string_view scoring = text(kSectionScoring);
  const Sha256 scoring_hash = sha256(scoring);
  if (std::memcmp(scoring_hash.data(), data_ + kOffScoring, scoring_hash.size()) != 0)
    bank_corrupt("the scoring configuration does not match its hash");
  return decode_scoring(scoring);
}

std::span<const std::byte> BankFileReader::section(std::uint32_t id) const {
  for (const Entry& e : table_)
    if (e.id == id) return {data_ + e.offset, static_cast<std::size_t>(e.size)};
  bank_corrupt("section " + std::to_string(id) + " is missing");
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
