// Any bytes given as a record are validated into values or rejected with errors, never a crash.
// Batch::read_json, the fast reader into a batch row, must agree with parse_record: when it
// accepts the bytes, parse_record finds no error and the row equals set_row of its record.
// JsonLinesEvaluator, which evaluates the lines it can read straight by blocks, must write each
// line's result exactly as the per-record path does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/core/schema.hpp"
#include "aiguillage/rules/json_lines.hpp"

namespace {

aiguillage::InputSchema make_schema() {
  using namespace aiguillage;
  std::vector<FieldSpec> f(6);
  f[0].name = "age";
  f[0].type = FieldType::integer;
  f[0].min = Decimal::from_int(0);
  f[0].max = Decimal::from_int(130);
  f[1].name = "income";
  f[1].type = FieldType::decimal;
  f[2].name = "benefit";
  f[2].type = FieldType::enumeration;
  f[2].values = {"RSA", "ASS"};
  f[3].name = "customer.birth_date";
  f[3].type = FieldType::date;
  f[4].name = "tags";
  f[4].type = FieldType::list;
  f[4].item_type = FieldType::enumeration;
  f[4].values = {"x", "y"};
  f[4].max_items = 3;
  f[5].name = "name";
  f[5].type = FieldType::string;
  f[5].max_length = 8;
  f[5].required = true;
  return InputSchema(std::move(f));
}

void check_batch_reader(const aiguillage::InputSchema& schema, std::string_view text,
                        aiguillage::UnknownFields unknown) {
  using namespace aiguillage;
  static Batch fast(schema, 2), reference(schema, 2);
  static unsigned calls = 0;
  if (++calls % 64 == 0) {
    fast.clear();
    reference.clear();
  }
  const std::size_t row = calls % 2;
  Record r;
  const bool valid = schema.parse_record(text, r, unknown).empty();
  if (!fast.read_json(row, text, unknown)) {
    for (std::size_t c = 0; c < schema.size(); ++c)
      if (fast.is_present(c, row)) __builtin_trap();  // a refused record leaves its row empty
    return;
  }
  if (!valid) __builtin_trap();
  reference.set_row(row, r);
  for (std::size_t c = 0; c < schema.size(); ++c) {
    if (fast.is_present(c, row) != reference.is_present(c, row)) __builtin_trap();
    if (!fast.is_present(c, row)) continue;
    const Value a = fast.get(c, row), b = reference.get(c, row);
    if (a.type() != b.type() || !(a == b)) __builtin_trap();
    if (fast.data(c)[row] != reference.data(c)[row]) __builtin_trap();
  }
}

// A pack over the fields above: a FIRST table with a general cell and a COLLECT table, so
// that lines are complete, incomplete (missing inputs) or rejected.
const aiguillage::Evaluator& evaluator() {
  using namespace aiguillage;
  static const Evaluator ev(Pack::load(R"J({"schema":"aiguillage.ruleset","schema_version":"1.0",
    "id":"fuzz/lines","version":"1.0.0","valid_from":"2000-01-01","title":"t","purpose":"p",
    "sources":[{"id":"S","title":"s"}],
    "inputs":[{"name":"age","type":"integer","min":0,"max":130},{"name":"income","type":"decimal"},
      {"name":"benefit","type":"enum","values":["RSA","ASS"]},
      {"name":"customer.birth_date","type":"date"},
      {"name":"tags","type":"list","items":{"type":"enum","values":["x","y"]},"max_items":3},
      {"name":"name","type":"string","max_length":8,"required":true}],
    "decisions":[
      {"id":"a","kind":"table","hit_policy":"FIRST","inputs":[{"expression":"age"},
        {"expression":"benefit"},{"expression":"name"}],"outputs":[{"name":"o","type":"integer"}],
       "rules":[
        {"id":"r1","when":["< 26","\"RSA\"","-"],"then":["1"],"source":"S","status":"verified"},
        {"id":"r2","when":["[26..60]","-","starts_with($, \"a\")"],"then":["2"],"source":"S",
         "status":"verified"
},
        {"id":"r3","when":["-","-","-"],"then":["3"],"source":"S","status":"verified"}]
},
      {"id":"b","kind":"table","hit_policy":"COLLECT","inputs":[{"expression":"income"},
        {"expression":"customer.birth_date"}],"outputs":[{"name":"c","type":"string"}],
       "rules":[
        {"id":"c1","when":["> 1000.5","-"],"then":["\"rich\""],"source":"S","status":"verified"},
        {"id":"c2","when":["-","< date(\"1990-01-01\")"],"then":["\"old\""],"source":"S",
         "status":"verified"}]}]
})J"));
  return ev;
}

// Every line of the input through the block runner and through the per-record path.
void check_json_lines(std::string_view text) {
  using namespace aiguillage;
  const Evaluator& ev = evaluator();
  EvalOptions o;
  o.reference_date = Date::from_ymd(2025, 6, 1);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  static JsonLinesEvaluator runner(ev, o);
  std::size_t next = 0;
  std::string got;
  runner.run(lines, [&](const RowResult& r) {
    if (r.row != next) __builtin_trap();
    Evaluation e;
    const bool ok = JsonLinesEvaluator::evaluate_line(ev, lines[next], e, o);
    got.clear();
    ev.append_result_json(got, r);
    if (got != evaluation_to_json(ev.pack(), e, false) || r.rejected == ok) __builtin_trap();
    ++next;
  });
  if (next != lines.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const aiguillage::InputSchema schema = make_schema();
  aiguillage::Record record;
  schema.parse_record(std::string_view(reinterpret_cast<const char*>(data), size), record);
  schema.parse_record(std::string_view(reinterpret_cast<const char*>(data), size), record,
                      aiguillage::UnknownFields::ignore);
  // The plain reader and the general parser (forced by a byte-order mark) must agree.
  const std::string text(reinterpret_cast<const char*>(data), size);
  aiguillage::Record fast, general;
  auto e1 = schema.parse_record(text, fast);
  auto e2 = schema.parse_record("\xEF\xBB\xBF" + text, general);
  if (e1.size() != e2.size()) __builtin_trap();
  for (std::size_t k = 0; k < e1.size(); ++k)
    if (e1[k].code() != e2[k].code() || e1[k].pointer() != e2[k].pointer()) __builtin_trap();
  for (std::size_t f = 0; f < schema.size(); ++f)
    if (!(fast.values[f] == general.values[f])) __builtin_trap();
  check_batch_reader(schema, text, aiguillage::UnknownFields::reject);
  check_batch_reader(schema, text, aiguillage::UnknownFields::ignore);
  check_json_lines(text);
  return 0;
}
