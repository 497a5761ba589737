#include "aiguillage/rules/analysis.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "aiguillage/rules/decision_table.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "pack_checks.hpp"

namespace aiguillage {
inline namespace v1 {

std::string_view finding_kind_name(Finding::Kind k) noexcept {
  switch (k) {
    case Finding::Kind::gap:
      return "gap";
    case Finding::Kind::overlap:
      return "overlap";
    case Finding::Kind::unreachable:
      return "unreachable";
    case Finding::Kind::unused_input:
      return "unused_input";
    case Finding::Kind::incomplete_analysis:
      return "incomplete_analysis";
    case Finding::Kind::missing_label:
      return "missing_label";
  }
  return "gap";
}

std::string_view severity_name(Finding::Severity s) noexcept {
  switch (s) {
    case Finding::Severity::error:
      return "error";
    case Finding::Severity::warning:
      return "warning";
    case Finding::Severity::info:
      return "info";
  }
  return "info";
}

namespace {

using Kind = CompiledTable::Column::Kind;

constexpr std::size_t kMaxGaps = 5;
constexpr std::size_t kMaxOverlaps = 20;
constexpr std::size_t kMaxUnreachable = 50;
// Memo tables stop growing past this; the search stays correct, only slower.
constexpr std::size_t kMaxMemoBytes = std::size_t{64} << 20;

std::string json_quote(std::string_view s) {
  return Value::string(s).to_json();
}

bool test_bit(const std::uint64_t* m, std::size_t r) {
  return (m[r / 64] >> (r % 64)) & 1;
}

bool is_zero(const std::uint64_t* m, std::size_t words) {
  for (std::size_t w = 0; w < words; ++w)
    if (m[w]) return false;
  return true;
}

bool intersects(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  for (std::size_t w = 0; w < words; ++w)
    if (a[w] & b[w]) return true;
  return false;
}

int popcount(const std::uint64_t* m, std::size_t words) {
  int n = 0;
  for (std::size_t w = 0; w < words; ++w) n += std::popcount(m[w]);
  return n;
}

int first_bit(const std::uint64_t* m, std::size_t words) {
  for (std::size_t w = 0; w < words; ++w)
    if (m[w]) return static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(m[w])));
  return -1;
}

// Rules [0, n) set.
void low_bits(std::uint64_t* m, std::size_t words, std::size_t n) {
  for (std::size_t w = 0; w < words; ++w) {
    if (n >= (w + 1) * 64)
      m[w] = ~std::uint64_t{0};
    else if (n > w * 64)
      m[w] = (std::uint64_t{1} << (n - w * 64)) - 1;
    else
      m[w] = 0;
  }
}

// A region of one column holding a single value: the truth of every cell there is known
// exactly once it is evaluated on that value.
bool singleton_key(const CompiledTable::Column& col, std::uint32_t key) {
  if (key == col.null_key()) return true;
  switch (col.kind) {
    case Kind::numeric:
    case Kind::date:
      return key % 2 == 1;
    case Kind::enumeration:
    case Kind::strings:
      return key < col.literals.size();
    case Kind::boolean:
      return true;
    case Kind::opaque:
      return false;
  }
  return false;
}

// The representative of a region, moved inside the bounds of the input the column reads
// (values outside them are rejected before any table sees them); nullopt when the region and
// the bounds do not meet.
std::optional<Value> value_in_bounds(const Pack& pack, const CompiledTable& t, std::size_t c,
                                     std::uint32_t key, Arena& arena) {
  std::optional<Value> v = t.representative(c, key, arena);
  const CompiledTable::Column& col = t.columns()[c];
  if (!v || v->is_null() || col.slot < 0 ||
      static_cast<std::size_t>(col.slot) >= pack.inputs().size())
    return v;
  if (col.kind != Kind::numeric && col.kind != Kind::date) return v;
  const FieldSpec& f = pack.inputs().field(static_cast<std::size_t>(col.slot));
  std::optional<std::int64_t> lo, hi;
  std::int64_t x = 0;
  if (col.kind == Kind::numeric) {
    if (f.min) lo = f.min->units;
    if (f.max) hi = f.max->units;
    x = v->as_decimal().units;
  } else {
    if (f.min_date) lo = f.min_date->days;
    if (f.max_date) hi = f.max_date->days;
    x = v->as_date().days;
  }
  if (!lo && !hi) return v;
  const auto& p = col.points;
  if (key % 2 == 1) {
    if ((lo && x < *lo) || (hi && x > *hi)) return std::nullopt;
    return v;
  }
  const std::size_t i = key / 2;
  auto inside = [&](std::int64_t y) {
    return (i == 0 || y > p[i - 1]) && (i == p.size() || y < p[i]);
  };
  if (lo && x < *lo) {
    if (!inside(*lo)) return std::nullopt;
    x = *lo;
  }
  if (hi && x > *hi) {
    if (!inside(*hi)) return std::nullopt;
    x = *hi;
  }
  if ((lo && x < *lo) || (hi && x > *hi)) return std::nullopt;
  if (col.kind == Kind::date) return Value::date(Date{static_cast<std::int32_t>(x)});
  if (col.type.kind == TypeKind::integer) return Value::integer(x / Decimal::kOne);
  return Value::decimal(Decimal{x});
}

// The non-null regions of a column grouped by how every analysis sees them, and the null
// region apart (only the search for unreachable rules visits it). Per row, four masks:
//  accept, possible: the evaluator's matched and matched-or-unknown masks on the row's value;
//  must: rules accepting every value of the region; may: rules accepting some value of it.
struct ColumnSpace {
  std::vector<Value> values;  // one per row; the last row is null
  std::vector<std::uint64_t> accept, possible, must, may;
  std::size_t classes = 0;  // non-null rows
};

class TableCheck {
 public:
  TableCheck(const Pack& pack, const Evaluator& evaluator, int index, const CheckOptions& options,
             std::vector<Finding>& out)
      : pack_(pack),
        evaluator_(evaluator),
        index_(index),
        d_(pack.decisions()[static_cast<std::size_t>(index)]),
        t_(*d_.compiled),
        W_(t_.words()),
        R_(t_.rules()),
        max_nodes_(options.max_nodes),
        out_(out) {}

  void run() {
    name_columns();
    note_shared_inputs();
    if (!build_spaces()) return;
    order_.resize(spaces_.size());
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      return spaces_[a].classes < spaces_[b].classes;
    });
    levels_.assign(spaces_.size() + 1, {});
    choice_.assign(spaces_.size(), 0);

    find_gaps();
    if (!exhausted_ && (d_.hit_policy == HitPolicy::unique || d_.hit_policy == HitPolicy::any))
      find_overlaps();
    if (!exhausted_ && d_.hit_policy == HitPolicy::first) find_unreachable();
    if (exhausted_) {
      Finding f = base(Finding::Kind::incomplete_analysis, Finding::Severity::info, d_.pointer);
      f.message = "the search budget (" + std::to_string(max_nodes_) +
                  " steps) ran out: this table was only partly checked";
      out_.push_back(std::move(f));
    }
  }

 private:
  const std::uint64_t* row(const std::vector<std::uint64_t>& m, std::size_t r) const {
    return m.data() + r * W_;
  }

  void name_columns() {
    std::unordered_map<std::string, int> seen;
    for (const TableColumn& col : d_.inputs) {
      int n = ++seen[col.text];
      names_.push_back(n == 1 ? col.text : col.text + " (" + std::to_string(n) + ")");
    }
  }

  // Columns are searched independently: when two read the same input, a combination of
  // their values may be one no record can produce. Gaps and overlaps then say so (an
  // unreachable rule stays unreachable on fewer combinations).
  void note_shared_inputs() {
    std::vector<std::vector<int>> fields(d_.inputs.size());
    for (std::size_t c = 0; c < d_.inputs.size(); ++c) {
      for (int slot : d_.inputs[c].expr.slots())
        for (int f : pack_.slot_inputs(slot))
          if (f != pack_.reference_date_field()) fields[c].push_back(f);
      std::sort(fields[c].begin(), fields[c].end());
    }
    for (std::size_t a = 0; a < fields.size(); ++a)
      for (std::size_t b = a + 1; b < fields.size(); ++b) {
        std::vector<int> common;
        std::set_intersection(fields[a].begin(), fields[a].end(), fields[b].begin(),
                              fields[b].end(), std::back_inserter(common));
        if (common.empty()) continue;
        caveat_ = " (columns " + names_[a] + " and " + names_[b] +
                  " read the same input: this combination may be impossible)";
        return;
      }
  }

  Finding base(Finding::Kind kind, Finding::Severity severity, std::string pointer) const {
    Finding f;
    f.kind = kind;
    f.severity = severity;
    f.decision = d_.id;
    f.pointer = std::move(pointer);
    return f;
  }

  std::string rule_pointer(std::size_t r) const {
    return d_.pointer + "/rules/" + std::to_string(r);
  }

  // Returns false when a column has no value the search can enumerate.
  bool build_spaces() {
    const auto& cols = t_.columns();
    std::vector<Value> frame(pack_.slot_count(), Value::null());
    EvalContext ctx{frame.data(), Value::null(), &arena_};
    std::vector<std::uint64_t> a(W_), u(W_), must(W_), may(W_), region(W_);
    spaces_.resize(cols.size());
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const CompiledTable::Column& col = cols[c];
      ColumnSpace& s = spaces_[c];
      std::vector<std::uint64_t> generic_rules(W_, 0);
      for (const auto& g : col.generics)
        for (std::size_t w = 0; w < W_; ++w) generic_rules[w] |= g.rules[w];
      std::unordered_map<std::string, std::size_t> by_signature;
      std::vector<std::uint64_t> null_rows;
      Value null_value;
      for (std::uint32_t key = 0; key < col.key_count; ++key) {
        const bool is_null = key == col.null_key();
        std::optional<Value> v = is_null ? std::optional<Value>(Value::null())
                                         : value_in_bounds(pack_, t_, c, key, arena_);
        if (!v) continue;
        t_.column_masks(c, *v, key, ctx, a.data(), u.data(), nullptr);
        const CompiledTable::Rows rows = t_.region_rows(c, key, region.data());
        const std::uint64_t* static_accept = rows.accept;
        const std::uint64_t* static_unknown = rows.unknown;
        if (singleton_key(col, key)) {
          for (std::size_t w = 0; w < W_; ++w) {
            must[w] = static_accept[w];
            may[w] = a[w] | (u[w] & ~static_unknown[w]);
          }
          // Generic cells reading other inputs were evaluated with those inputs missing: their
          // truth here says nothing certain about records that have them.
          for (const auto& g : col.generics) {
            const bool pure = g.cell.slots().empty();
            for (std::size_t w = 0; w < W_; ++w) {
              if (pure)
                must[w] |= a[w] & g.rules[w];
              else
                may[w] |= g.rules[w];
            }
          }
        } else {
          for (std::size_t w = 0; w < W_; ++w) {
            must[w] = static_accept[w];
            may[w] = static_accept[w] | generic_rules[w];
          }
        }
        for (std::size_t w = 0; w < W_; ++w) u[w] |= a[w];
        if (is_null) {
          null_value = *v;
          null_rows.clear();
          for (const auto* m : {&a, &u, &must, &may})
            null_rows.insert(null_rows.end(), m->begin(), m->end());
          continue;
        }
        std::string sig;
        for (const auto* m : {&a, &u, &must, &may})
          sig.append(reinterpret_cast<const char*>(m->data()), W_ * sizeof(std::uint64_t));
        if (!by_signature.emplace(std::move(sig), s.classes).second) continue;
        ++s.classes;
        s.values.push_back(*v);
        s.accept.insert(s.accept.end(), a.begin(), a.end());
        s.possible.insert(s.possible.end(), u.begin(), u.end());
        s.must.insert(s.must.end(), must.begin(), must.end());
        s.may.insert(s.may.end(), may.begin(), may.end());
      }
      if (s.classes == 0 || null_rows.empty()) {
        Finding f = base(Finding::Kind::incomplete_analysis, Finding::Severity::info, d_.pointer);
        f.message = "column " + json_quote(names_[c]) + " (" + col.type.to_string() +
                    ") has no values to enumerate: gaps, overlaps and unreachable rules are not "
                    "checked";
        out_.push_back(std::move(f));
        return false;
      }
      s.values.push_back(null_value);
      auto part = [&](std::size_t k) {
        return null_rows.begin() + static_cast<std::ptrdiff_t>(k * W_);
      };
      s.accept.insert(s.accept.end(), part(0), part(1));
      s.possible.insert(s.possible.end(), part(1), part(2));
      s.must.insert(s.must.end(), part(2), part(3));
      s.may.insert(s.may.end(), part(3), part(4));
    }
    return true;
  }

  bool step() {
    if (++nodes_ > max_nodes_) exhausted_ = true;
    return !exhausted_;
  }

  // Returns true when the state was already explored.
  bool visited(std::size_t depth, const std::uint64_t* mask) {
    std::string key(sizeof(depth) + W_ * 8, '\0');
    std::memcpy(key.data(), &depth, sizeof(depth));
    std::memcpy(key.data() + sizeof(depth), mask, W_ * 8);
    if (memo_.count(key)) return true;
    if (memo_bytes_ < kMaxMemoBytes) {
      memo_bytes_ += key.size() + 32;
      memo_.insert(std::move(key));
    }
    return false;
  }

  void clear_memo() {
    memo_.clear();
    memo_bytes_ = 0;
  }

  std::vector<Value> values_of(const std::vector<std::size_t>& rows) const {
    std::vector<Value> v(rows.size());
    for (std::size_t c = 0; c < rows.size(); ++c) v[c] = spaces_[c].values[rows[c]];
    return v;
  }

  std::string example_json(const std::vector<Value>& v) const {
    std::string s = "{";
    for (std::size_t c = 0; c < v.size(); ++c) {
      if (c) s += ',';
      s += json_quote(names_[c]);
      s += ':';
      s += v[c].to_json();
    }
    return s + "}";
  }

  std::string example_text(const std::vector<Value>& v) const {
    std::string s;
    for (std::size_t c = 0; c < v.size(); ++c) {
      if (c) s += ", ";
      s += names_[c] + " = " + v[c].to_display();
    }
    return v.empty() ? "every input" : s;
  }

  void evaluate(const std::vector<Value>& v) {
    evaluator_.evaluate_table_columns(index_, v, matched_, undecided_);
  }

  // ---- gaps: combinations of non-null values no rule can accept.

  void find_gaps() {
    std::vector<std::uint64_t> all(W_);
    low_bits(all.data(), W_, R_);
    // universal_[d]: rules accepting every value of the columns searched from depth d on; one
    // of them still possible means no gap below.
    universal_.assign((order_.size() + 1) * W_, ~std::uint64_t{0});
    for (std::size_t d = order_.size(); d-- > 0;) {
      const ColumnSpace& s = spaces_[order_[d]];
      std::uint64_t* u = universal_.data() + d * W_;
      for (std::size_t w = 0; w < W_; ++w) u[w] = universal_[(d + 1) * W_ + w];
      for (std::size_t k = 0; k < s.classes; ++k)
        for (std::size_t w = 0; w < W_; ++w) u[w] &= row(s.possible, k)[w];
    }
    clear_memo();
    if (is_zero(all.data(), W_))
      record_gap(0);
    else
      gap_search(0, all.data());
    clear_memo();
  }

  void record_gap(std::size_t depth) {
    for (std::size_t k = depth; k < order_.size(); ++k) choice_[order_[k]] = 0;
    std::vector<Value> v = values_of(choice_);
    evaluate(v);
    bool confirmed = is_zero(matched_.data(), W_) && is_zero(undecided_.data(), W_);
    if (!confirmed) return;
    // For multi-hit tables no match is an ordinary result (an empty list, a count of 0).
    const Finding::Severity severity = d_.complete                    ? Finding::Severity::error
                                       : is_single_hit(d_.hit_policy) ? Finding::Severity::warning
                                                                      : Finding::Severity::info;
    Finding f = base(Finding::Kind::gap, severity, d_.pointer);
    f.message = "no rule matches " + example_text(v) + caveat_;
    f.counter_example = example_json(v);
    f.confirmed = true;
    out_.push_back(std::move(f));
    ++gaps_;
  }

  void gap_search(std::size_t depth, const std::uint64_t* mask) {
    if (depth == order_.size() || gaps_ >= kMaxGaps || exhausted_) return;
    if (intersects(mask, row(universal_, depth), W_)) return;
    if (visited(depth, mask)) return;
    const std::size_t c = order_[depth];
    const ColumnSpace& s = spaces_[c];
    std::vector<std::uint64_t>& children = levels_[depth];
    children.assign(s.classes * W_, 0);
    std::vector<std::pair<int, std::size_t>> next;
    for (std::size_t k = 0; k < s.classes; ++k) {
      if (!step()) return;
      std::uint64_t* child = children.data() + k * W_;
      const std::uint64_t* p = row(s.possible, k);
      for (std::size_t w = 0; w < W_; ++w) child[w] = mask[w] & p[w];
      if (is_zero(child, W_)) {
        choice_[c] = k;
        record_gap(depth + 1);
        if (gaps_ >= kMaxGaps) return;
      } else {
        next.emplace_back(popcount(child, W_), k);
      }
    }
    std::stable_sort(next.begin(), next.end());
    // Deeper calls write their own level only, so this level's children stay valid.
    for (const auto& item : next) {
      choice_[c] = item.second;
      gap_search(depth + 1, children.data() + item.second * W_);
      if (gaps_ >= kMaxGaps || exhausted_) return;
    }
  }

  // ---- overlaps: two rules accepting one combination (UNIQUE, or ANY with other outputs).

  bool same_outputs(std::size_t i, std::size_t j) const {
    const Rule& a = d_.rules[i];
    const Rule& b = d_.rules[j];
    if (a.then_text == b.then_text) return true;
    for (std::size_t o = 0; o < a.then.size(); ++o) {
      if (a.then_text[o] == b.then_text[o]) continue;
      if (!a.then[o].is_constant() || !b.then[o].is_constant()) return false;
      if (!(a.then[o].constant_value() == b.then[o].constant_value())) return false;
    }
    return true;
  }

  void find_overlaps() {
    const bool unique = d_.hit_policy == HitPolicy::unique;
    std::vector<std::uint64_t> together(W_), column(W_);
    std::size_t reported = 0;
    for (std::size_t i = 0; i < R_; ++i) {
      low_bits(together.data(), W_, R_);
      for (std::size_t c = 0; c < spaces_.size() && !is_zero(together.data(), W_); ++c) {
        const ColumnSpace& s = spaces_[c];
        std::fill(column.begin(), column.end(), 0);
        for (std::size_t k = 0; k < s.classes; ++k) {
          if (!step()) return;
          const std::uint64_t* a = row(s.accept, k);
          if (!test_bit(a, i)) continue;
          for (std::size_t w = 0; w < W_; ++w) column[w] |= a[w];
        }
        for (std::size_t w = 0; w < W_; ++w) together[w] &= column[w];
      }
      std::vector<std::uint64_t> lower(W_);
      low_bits(lower.data(), W_, i + 1);
      for (std::size_t w = 0; w < W_; ++w) together[w] &= ~lower[w];
      for (std::size_t w = 0; w < W_; ++w)
        for (std::uint64_t bits = together[w]; bits; bits &= bits - 1) {
          const std::size_t j = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
          if (!unique && same_outputs(i, j)) continue;
          if (reported == kMaxOverlaps) {
            Finding f =
                base(Finding::Kind::incomplete_analysis, Finding::Severity::info, d_.pointer);
            f.message = "more than " + std::to_string(kMaxOverlaps) +
                        " pairs of rules overlap: only the first ones are listed";
            out_.push_back(std::move(f));
            return;
          }
          std::vector<std::size_t> rows(spaces_.size(), 0);
          for (std::size_t c = 0; c < spaces_.size(); ++c) {
            const ColumnSpace& s = spaces_[c];
            for (std::size_t k = 0; k < s.classes; ++k)
              if (test_bit(row(s.accept, k), i) && test_bit(row(s.accept, k), j)) {
                rows[c] = k;
                break;
              }
          }
          std::vector<Value> v = values_of(rows);
          evaluate(v);
          if (!test_bit(matched_.data(), i) || !test_bit(matched_.data(), j)) continue;
          Finding f = base(Finding::Kind::overlap, Finding::Severity::error, rule_pointer(j));
          f.rules = {d_.rules[i].id, d_.rules[j].id};
          f.message =
              "rules " + d_.rules[i].id + " and " + d_.rules[j].id + " both match " +
              example_text(v) +
              (unique ? " (UNIQUE allows one rule only)" : " with different outputs (ANY)") +
              caveat_;
          f.counter_example = example_json(v);
          f.confirmed = true;
          out_.push_back(std::move(f));
          ++reported;
        }
    }
  }

  // ---- unreachable rules (FIRST): every input a rule accepts, an earlier rule accepts too.
  // Missing values count: a rule that fires only when an input is missing is reachable.

  std::size_t rows_of(const ColumnSpace& s) const { return s.classes + 1; }

  std::size_t unreachable_reported_ = 0;

  void find_unreachable() {
    std::vector<std::uint64_t> earlier(W_);
    for (std::size_t j = 1; j < R_ && !exhausted_; ++j) {
      // A rule that accepts nothing in some column has no counter-example to show.
      bool accepts_something = true;
      for (const ColumnSpace& s : spaces_) {
        bool any = false;
        for (std::size_t k = 0; k < rows_of(s) && !any; ++k) any = test_bit(row(s.may, k), j);
        if (!any) accepts_something = false;
      }
      if (!accepts_something) continue;
      // Preparing the search costs about as much as visiting every region once.
      for (const ColumnSpace& s : spaces_) nodes_ += rows_of(s);
      if (nodes_ > max_nodes_) {
        exhausted_ = true;
        break;
      }
      // universal_[d]: rules accepting, in every column searched from depth d on, every
      // value rule j may accept there; one of them still possible means covered below.
      universal_.assign((order_.size() + 1) * W_, ~std::uint64_t{0});
      for (std::size_t d = order_.size(); d-- > 0;) {
        const ColumnSpace& s = spaces_[order_[d]];
        std::uint64_t* u = universal_.data() + d * W_;
        for (std::size_t w = 0; w < W_; ++w) u[w] = universal_[(d + 1) * W_ + w];
        for (std::size_t k = 0; k < rows_of(s); ++k)
          if (test_bit(row(s.may, k), j))
            for (std::size_t w = 0; w < W_; ++w) u[w] &= row(s.must, k)[w];
      }
      low_bits(earlier.data(), W_, j);
      clear_memo();
      bool reachable = reach_search(0, earlier.data(), j);
      clear_memo();
      if (reachable || exhausted_) continue;
      if (unreachable_reported_ == kMaxUnreachable) {
        Finding f = base(Finding::Kind::incomplete_analysis, Finding::Severity::info, d_.pointer);
        f.message = "more than " + std::to_string(kMaxUnreachable) +
                    " rules are unreachable: only the first ones are listed";
        out_.push_back(std::move(f));
        return;
      }
      report_unreachable(j);
      ++unreachable_reported_;
    }
  }

  bool reach_search(std::size_t depth, const std::uint64_t* mask, std::size_t j) {
    if (depth == order_.size() || exhausted_) return false;
    if (intersects(mask, row(universal_, depth), W_)) return false;
    if (visited(depth, mask)) return false;
    const std::size_t c = order_[depth];
    const ColumnSpace& s = spaces_[c];
    std::vector<std::uint64_t>& children = levels_[depth];
    children.assign(rows_of(s) * W_, 0);
    std::vector<std::pair<int, std::size_t>> next;
    for (std::size_t k = 0; k < rows_of(s); ++k) {
      if (!test_bit(row(s.may, k), j)) continue;
      if (!step()) return false;
      std::uint64_t* child = children.data() + k * W_;
      const std::uint64_t* m = row(s.must, k);
      for (std::size_t w = 0; w < W_; ++w) child[w] = mask[w] & m[w];
      // Every later column has a region the rule may accept (checked up front).
      if (is_zero(child, W_)) return true;
      next.emplace_back(popcount(child, W_), k);
    }
    std::stable_sort(next.begin(), next.end());
    for (const auto& item : next) {
      if (reach_search(depth + 1, children.data() + item.second * W_, j)) return true;
      if (exhausted_) return false;
    }
    return false;
  }

  void report_unreachable(std::size_t j) {
    // Show a combination the rule really accepts, with present values where possible.
    std::vector<std::size_t> rows(spaces_.size(), 0);
    for (std::size_t c = 0; c < spaces_.size(); ++c) {
      const ColumnSpace& s = spaces_[c];
      std::optional<std::size_t> exact, maybe;
      for (std::size_t k = 0; k < rows_of(s) && !exact; ++k) {
        if (test_bit(row(s.accept, k), j)) exact = k;
        if (!maybe && test_bit(row(s.may, k), j)) maybe = k;
      }
      rows[c] = exact ? *exact : maybe.value_or(0);
    }
    std::vector<Value> v = values_of(rows);
    evaluate(v);
    int firing = first_bit(matched_.data(), W_);
    if (!test_bit(matched_.data(), j) || firing < 0 || static_cast<std::size_t>(firing) >= j)
      return;
    const std::string& by = d_.rules[static_cast<std::size_t>(firing)].id;
    Finding f = base(Finding::Kind::unreachable, Finding::Severity::warning, rule_pointer(j));
    f.rules = {d_.rules[j].id, by};
    f.message = "rule " + d_.rules[j].id +
                " never fires: every input it matches is matched by an earlier rule (" +
                example_text(v) + " fires " + by + ")";
    f.counter_example = example_json(v);
    f.confirmed = true;
    out_.push_back(std::move(f));
  }

  const Pack& pack_;
  const Evaluator& evaluator_;
  int index_;
  const DecisionTable& d_;
  const CompiledTable& t_;
  std::size_t W_, R_;
  std::size_t max_nodes_;
  std::vector<Finding>& out_;

  Arena arena_;
  std::vector<std::string> names_;
  std::string caveat_;
  std::vector<ColumnSpace> spaces_;
  std::vector<std::size_t> order_;  // search order of the columns: fewest classes first
  std::vector<std::vector<std::uint64_t>> levels_;
  std::vector<std::uint64_t> universal_;  // per search depth
  std::vector<std::size_t> choice_;       // per column, the row chosen on the current path
  std::vector<std::uint64_t> matched_, undecided_;
  std::unordered_set<std::string> memo_;
  std::size_t memo_bytes_ = 0;
  std::size_t nodes_ = 0;
  bool exhausted_ = false;
  std::size_t gaps_ = 0;
};

void append_finding(std::string& s, const Finding& f) {
  s += "{\"kind\":";
  s += json_quote(finding_kind_name(f.kind));
  s += ",\"severity\":";
  s += json_quote(severity_name(f.severity));
  s += ",\"decision\":";
  s += json_quote(f.decision);
  s += ",\"pointer\":";
  s += json_quote(f.pointer);
  s += ",\"message\":";
  s += json_quote(f.message);
  s += ",\"rules\":[";
  for (std::size_t k = 0; k < f.rules.size(); ++k) {
    if (k) s += ',';
    s += json_quote(f.rules[k]);
  }
  s += "],\"counter_example\":";
  s += f.counter_example.empty() ? "null" : f.counter_example;
  s += ",\"confirmed\":";
  s += f.confirmed ? "true" : "false";
  s += '}';
}

}  // namespace

std::size_t CheckReport::errors() const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [](const Finding& f) { return f.severity == Finding::Severity::error; }));
}

std::size_t CheckReport::warnings() const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [](const Finding& f) { return f.severity == Finding::Severity::warning; }));
}

std::string CheckReport::to_json() const {
  std::string s = "{\"errors\":" + std::to_string(errors()) +
                  ",\"warnings\":" + std::to_string(warnings()) + ",\"findings\":[";
  for (std::size_t k = 0; k < findings.size(); ++k) {
    if (k) s += ',';
    append_finding(s, findings[k]);
  }
  return s + "]}";
}

std::string CheckReport::to_text() const {
  std::string s;
  for (const Finding& f : findings) {
    s += severity_name(f.severity);
    s += ' ';
    s += finding_kind_name(f.kind);
    if (!f.decision.empty()) s += " in table " + f.decision;
    s += " (" + f.pointer + "): " + f.message + "\n";
  }
  auto count = [](std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  s += count(errors(), "error") + ", " + count(warnings(), "warning") + "\n";
  return s;
}

CheckReport check_pack(const Pack& pack, const CheckOptions& options) {
  CheckReport report;
  Evaluator evaluator(pack);
  const auto& decisions = pack.decisions();
  for (std::size_t k = 0; k < decisions.size(); ++k) {
    if (decisions[k].kind != DecisionTable::Kind::table || !decisions[k].compiled) continue;
    std::vector<Finding> found;
    TableCheck(pack, evaluator, static_cast<int>(k), options, found).run();
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.kind < b.kind; });
    for (Finding& f : found) report.findings.push_back(std::move(f));
  }
  for (int field : pack.unused_inputs()) {
    Finding f;
    f.kind = Finding::Kind::unused_input;
    f.severity = Finding::Severity::info;
    f.pointer = "/inputs/" + std::to_string(field);
    f.message = "input " + json_quote(pack.inputs().field(static_cast<std::size_t>(field)).name) +
                " is read by no variable, table or expression";
    report.findings.push_back(std::move(f));
  }
  check_pack_labels(pack, report.findings);
  return report;
}

}  // namespace v1
}  // namespace aiguillage
