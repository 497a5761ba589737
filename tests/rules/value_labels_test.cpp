// Labels of enum values (ruleset 1.1): loading, accessors, load errors with their pointers, and
// `check` requiring one for every value of a 1.1 pack.
#include <gtest/gtest.h>

#include <string>

#include "aiguillage/rules/analysis.hpp"
#include "aiguillage/rules/pack.hpp"

using namespace aiguillage;

namespace {

// A pack with one enum input, one list-of-enum input and one enum output; `labels` is spliced
// into the first input, `output_labels` into the output.
std::string pack_with(const std::string& labels, const std::string& output_labels = "",
                      const std::string& version = "1.1", const std::string& item_labels = "") {
  return R"({"schema":"aiguillage.ruleset","schema_version":")" + version +
         R"(","id":"t","version":"1","valid_from":"2025-01-01","title":"t",
  "sources":[{"id":"S","title":"s"}],
  "inputs":[{"name":"impact","type":"enum","values":["none","strong"])" +
         (labels.empty() ? "" : ",\"value_labels\":" + labels) + R"(},
            {"name":"needs","type":"list","items":{"type":"enum","values":["child_care"])" +
         (item_labels.empty() ? "" : ",\"value_labels\":" + item_labels) + R"(}}],
  "decisions":[{"id":"d","inputs":[{"expression":"impact"}],
    "outputs":[{"name":"path","type":"enum","values":["social_path","work"])" +
         (output_labels.empty() ? "" : ",\"value_labels\":" + output_labels) + R"(}],
    "rules":[{"id":"R1","when":["\"strong\""],"then":["\"social_path\""],"source":"S","status":"verified"},
             {"id":"R2","when":["-"],"then":["\"work\""],"source":"S","status":"verified"}]}]})";
}

const std::string kInputLabels =
    R"({"none":{"fr":"aucune difficulté","en":"no difficulty"},"strong":{"fr":"difficulté forte","en":"severe difficulty"}})";
const std::string kOutputLabels =
    R"({"social_path":{"fr":"parcours social","en":"social path"},"work":{"fr":"emploi","en":"employment"}})";
const std::string kItemLabels = R"({"child_care":{"fr":"garde d'enfant","en":"child care"}})";

Error load_error(const std::string& json) {
  try {
    Pack::load(json);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "the pack loaded";
  return Error(ErrorCode::ok, "");
}

std::vector<Finding> label_findings(const Pack& pack) {
  std::vector<Finding> out;
  for (const Finding& f : check_pack(pack).findings)
    if (f.kind == Finding::Kind::missing_label) out.push_back(f);
  return out;
}

}  // namespace

TEST(ValueLabelsTest, InputsOutputsAndListItemsCarryTheirLabels) {
  Pack pack = Pack::load(pack_with(kInputLabels, kOutputLabels, "1.1", kItemLabels));
  EXPECT_EQ(pack.schema_minor(), 1);
  const int impact = pack.slot_of("impact"), path = pack.slot_of("path"),
            needs = pack.slot_of("needs");
  ASSERT_NE(pack.value_label(impact, "none"), nullptr);
  EXPECT_EQ(pack.value_label(impact, "none")->fr, "aucune difficulté");
  EXPECT_EQ(pack.value_text(impact, "strong", "en"), "severe difficulty");
  EXPECT_EQ(pack.value_text(path, "social_path", "fr"), "parcours social");
  EXPECT_EQ(pack.value_text(needs, "child_care", "en"), "child care");
  EXPECT_EQ(pack.inputs().field(0).value_labels_en[1], "severe difficulty");
  EXPECT_EQ(pack.value_label(impact, "medium"), nullptr);  // not a value
  EXPECT_EQ(pack.value_label(-1, "none"), nullptr);
  EXPECT_TRUE(label_findings(pack).empty());
}

TEST(ValueLabelsTest, UnlabelledValuesReadAsWordsNeverAsCodes) {
  Pack pack = Pack::load(pack_with("", "", "1.0"));
  EXPECT_EQ(pack.schema_minor(), 0);
  EXPECT_EQ(pack.value_label(pack.slot_of("path"), "social_path"), nullptr);
  EXPECT_EQ(pack.value_text(pack.slot_of("path"), "social_path", "fr"), "social path");
  EXPECT_TRUE(label_findings(pack).empty());  // 1.0 packs predate labels
}

TEST(ValueLabelsTest, LoadErrorsNameThePointer) {
  Error e = load_error(pack_with(R"({"medium":{"fr":"moyen","en":"medium"}})"));
  EXPECT_EQ(e.code(), ErrorCode::enum_value);
  EXPECT_EQ(e.pointer(), "/inputs/0/value_labels/medium");
  e = load_error(pack_with(R"({"none":{"fr":"aucune"}})"));
  EXPECT_EQ(e.code(), ErrorCode::required_missing);
  EXPECT_EQ(e.pointer(), "/inputs/0/value_labels/none/en");
  e = load_error(pack_with(R"({"none":{"fr":"","en":"none"}})"));
  EXPECT_EQ(e.code(), ErrorCode::required_missing);
  EXPECT_EQ(e.pointer(), "/inputs/0/value_labels/none/fr");
  e = load_error(pack_with(R"({"none":{"fr":"a","en":"b","de":"c"}})"));
  EXPECT_EQ(e.code(), ErrorCode::unknown_field);
  e = load_error(pack_with(R"(["none"])"));
  EXPECT_EQ(e.pointer(), "/inputs/0/value_labels");
  e = load_error(pack_with("", R"({"other":{"fr":"a","en":"b"}})"));
  EXPECT_EQ(e.code(), ErrorCode::enum_value);
  EXPECT_EQ(e.pointer(), "/decisions/0/outputs/0/value_labels/other");
  e = load_error(pack_with("", "", "1.1", R"({"x":{"fr":"a","en":"b"}})"));
  EXPECT_EQ(e.pointer(), "/inputs/1/items/value_labels/x");
  std::string on_bool = pack_with("");
  on_bool.replace(on_bool.find(R"("type":"enum","values":["none","strong"])"),
                  std::string(R"("type":"enum","values":["none","strong"])").size(),
                  R"("type":"bool","value_labels":{})");
  e = load_error(on_bool);
  EXPECT_EQ(e.code(), ErrorCode::invalid_document);
  EXPECT_EQ(e.pointer(), "/inputs/0/value_labels");
}

TEST(ValueLabelsTest, CheckFailsOnEveryMissingLabelOfA11Pack) {
  Pack pack = Pack::load(
      pack_with(R"({"none":{"fr":"aucune difficulté","en":"no difficulty"}})", kOutputLabels));
  std::vector<Finding> found = label_findings(pack);
  ASSERT_EQ(found.size(), 2u);  // "strong" and the list item "child_care"
  EXPECT_EQ(found[0].pointer, "/inputs/0/value_labels/strong");
  EXPECT_EQ(found[0].severity, Finding::Severity::error);
  EXPECT_EQ(found[1].pointer, "/inputs/1/items/value_labels/child_care");
  EXPECT_GT(check_pack(pack).errors(), 0u);
  found = label_findings(Pack::load(pack_with(kInputLabels, "", "1.1", kItemLabels)));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].pointer, "/decisions/0/outputs/0/value_labels/social_path");
  EXPECT_NE(check_pack(pack).to_json().find("missing_label"), std::string::npos);
}
