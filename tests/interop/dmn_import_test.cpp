#include "aiguillage/interop/dmn_import.hpp"

#include <gtest/gtest.h>

#include <string>

#include "aiguillage/core/error.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

const std::string kHead =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="m" id="m" namespace="x">
)";

std::string model(const std::string& body) {
  return kHead + body + "</definitions>\n";
}

// A table with a multi-word input name, a range, a negation and a list of tests.
const std::string kTable = R"(
  <inputData name="Monthly Income" id="i1"><variable name="Monthly Income" typeRef="number"/></inputData>
  <inputData name="Category" id="i2"><variable name="Category" typeRef="tCategory"/></inputData>
  <itemDefinition name="tCategory"><typeRef>string</typeRef>
    <allowedValues><text>"A", "B", "C"</text></allowedValues></itemDefinition>
  <decision name="Band" id="d1">
    <variable name="Band" typeRef="string"/>
    <informationRequirement><requiredInput href="#i1"/></informationRequirement>
    <informationRequirement><requiredInput href="#i2"/></informationRequirement>
    <decisionTable hitPolicy="FIRST">
      <input label="income"><inputExpression typeRef="number"><text>Monthly Income</text></inputExpression></input>
      <input><inputExpression typeRef="string"><text>Category</text></inputExpression></input>
      <output name="band" typeRef="string"/>
      <rule id="r1"><description>low income</description>
        <inputEntry><text>[0..1000)</text></inputEntry><inputEntry><text>not("C")</text></inputEntry>
        <outputEntry><text>"low"</text></outputEntry></rule>
      <rule id="r2">
        <inputEntry><text>-</text></inputEntry><inputEntry><text>"A","B"</text></inputEntry>
        <outputEntry><text>"mid"</text></outputEntry></rule>
      <rule id="r3">
        <inputEntry><text></text></inputEntry><inputEntry><text>-</text></inputEntry>
        <outputEntry><text>"other"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision name="Yearly Income" id="d2">
    <variable name="Yearly Income" typeRef="number"/>
    <informationRequirement><requiredInput href="#i1"/></informationRequirement>
    <literalExpression><text>12 * Monthly Income</text></literalExpression>
  </decision>
)";

std::string output_of(const Pack& pack, const std::string& record, const std::string& slot) {
  Evaluator evaluator(pack);
  Evaluation e;
  EvalOptions options;
  options.reference_date = pack.valid_from();
  EXPECT_TRUE(evaluator.evaluate_json(record, e, options));
  const int index = pack.slot_of(slot);
  if (index < 0) return "no slot named " + slot;
  return e.frame[static_cast<std::size_t>(index)].to_json();
}

ErrorCode code_of(const std::string& xml, std::string* pointer = nullptr) {
  try {
    import_dmn(xml);
  } catch (const Error& e) {
    if (pointer) *pointer = e.pointer();
    return e.code();
  }
  return ErrorCode::ok;
}

TEST(DmnImport, TableAndLiteralExpressionEvaluate) {
  Pack pack = Pack::load(import_dmn(model(kTable)));
  ASSERT_EQ(pack.decisions().size(), 2u);
  EXPECT_EQ(pack.decisions()[0].rules[0].description, "low income");
  EXPECT_EQ(pack.inputs().field(pack.inputs().index_of("Category")).type, FieldType::enumeration);
  EXPECT_EQ(output_of(pack, R"({"Monthly_Income": 500, "Category": "A"})", "Band"), "\"low\"");
  EXPECT_EQ(output_of(pack, R"({"Monthly_Income": 500, "Category": "C"})", "Band"), "\"other\"");
  EXPECT_EQ(output_of(pack, R"({"Monthly_Income": 1000, "Category": "B"})", "Band"), "\"mid\"");
  EXPECT_EQ(output_of(pack, R"({"Monthly_Income": 1000.5})", "Yearly_Income"), "12006");
}

TEST(DmnImport, BindingsNameTheSlots) {
  DmnImport imported = import_dmn_model(model(kTable));
  ASSERT_EQ(imported.bindings.size(), 4u);
  EXPECT_EQ(imported.bindings[0].name, "Monthly Income");
  EXPECT_EQ(imported.bindings[0].slot, "Monthly_Income");
  EXPECT_EQ(imported.bindings[2].kind, DmnBinding::Kind::decision);
  EXPECT_EQ(imported.bindings[2].slot, "Band");
}

TEST(DmnImport, SameModelSameHash) {
  EXPECT_EQ(Pack::load(import_dmn(model(kTable))).hash(),
            Pack::load(import_dmn(model(kTable))).hash());
}

TEST(DmnImport, MalformedXml) {
  EXPECT_EQ(code_of(kHead + "<decision name='x'"), ErrorCode::xml_syntax);
  EXPECT_EQ(code_of(""), ErrorCode::xml_syntax);
}

TEST(DmnImport, UnknownNamespace) {
  std::string xml = model(kTable);
  xml.replace(xml.find("20230324/MODEL/"), 15, "20990101/MODEL/");
  EXPECT_EQ(code_of(xml), ErrorCode::unknown_namespace);
  EXPECT_EQ(code_of("<?xml version=\"1.0\"?><html/>"), ErrorCode::unknown_namespace);
}

TEST(DmnImport, PrefixedElementsOfDmn11) {
  std::string xml =
      R"(<dmn:definitions xmlns:dmn="http://www.omg.org/spec/DMN/20151101/dmn.xsd" name="m" id="m">
  <dmn:inputData name="a" id="i"><dmn:variable name="a" typeRef="feel:number"/></dmn:inputData>
  <dmn:decision name="b" id="d"><dmn:variable name="b" typeRef="feel:number"/>
    <dmn:informationRequirement><dmn:requiredInput href="#i"/></dmn:informationRequirement>
    <dmn:literalExpression><dmn:text>a + 1</dmn:text></dmn:literalExpression></dmn:decision>
</dmn:definitions>)";
  Pack pack = Pack::load(import_dmn(xml));
  EXPECT_EQ(output_of(pack, R"({"a": 2})", "b"), "3");
}

TEST(DmnImport, DuplicateIdsAndNames) {
  std::string xml = model(kTable);
  xml.replace(xml.find("id=\"d2\""), 7, "id=\"d1\"");
  std::string pointer;
  EXPECT_EQ(code_of(xml, &pointer), ErrorCode::duplicate_id);
  EXPECT_EQ(pointer, "/definitions[@id='m']/decision[@id='d1']");
  std::string names = model(kTable);
  names.replace(names.find("<decision name=\"Yearly Income\""), 30, "<decision name=\"Band\"");
  EXPECT_EQ(code_of(names), ErrorCode::duplicate_id);
}

TEST(DmnImport, ForbiddenHitPolicyAndAggregation) {
  std::string xml = model(kTable);
  xml.replace(xml.find("hitPolicy=\"FIRST\""), 17, "hitPolicy=\"FIRST\" aggregation=\"SUM\"");
  std::string pointer;
  EXPECT_EQ(code_of(xml, &pointer), ErrorCode::bad_hit_policy);
  EXPECT_EQ(pointer, "/definitions[@id='m']/decision[@id='d1']/decisionTable");
  std::string unknown = model(kTable);
  unknown.replace(unknown.find("hitPolicy=\"FIRST\""), 17, "hitPolicy=\"SOMETIMES\"");
  EXPECT_EQ(code_of(unknown), ErrorCode::bad_hit_policy);
}

TEST(DmnImport, CycleInRequirements) {
  std::string xml = model(R"(
  <decision name="a" id="a"><variable name="a" typeRef="number"/>
    <informationRequirement><requiredDecision href="#b"/></informationRequirement>
    <literalExpression><text>b + 1</text></literalExpression></decision>
  <decision name="b" id="b"><variable name="b" typeRef="number"/>
    <informationRequirement><requiredDecision href="#a"/></informationRequirement>
    <literalExpression><text>a + 1</text></literalExpression></decision>)");
  EXPECT_EQ(code_of(xml), ErrorCode::cycle);
}

TEST(DmnImport, UnresolvedReference) {
  std::string xml = model(kTable);
  xml.replace(xml.find("href=\"#i2\""), 10, "href=\"#i9\"");
  std::string pointer;
  EXPECT_EQ(code_of(xml, &pointer), ErrorCode::unresolved_reference);
  EXPECT_EQ(pointer,
            "/definitions[@id='m']/decision[@id='d1']/informationRequirement[2]/requiredInput");
}

TEST(DmnImport, FeelOutsideTheSubsetNamesTheEntry) {
  std::string xml = model(kTable);
  xml.replace(xml.find("12 * Monthly Income"), 19, "for x in [1,2] return x");
  EXPECT_EQ(code_of(xml), ErrorCode::unsupported_construct);
  std::string cell = model(kTable);
  cell.replace(cell.find("[0..1000)"), 9, "@\"2020-01-01\"");
  std::string pointer;
  EXPECT_EQ(code_of(cell, &pointer), ErrorCode::unsupported_construct);
  EXPECT_EQ(pointer,
            "/definitions[@id='m']/decision[@id='d1']/decisionTable/rule[@id='r1']/"
            "inputEntry[1]");
}

TEST(DmnImport, PackErrorsPointAtTheElement) {
  std::string xml = model(kTable);
  xml.replace(xml.find("\"mid\""), 5, "Nowhere");
  std::string pointer;
  EXPECT_EQ(code_of(xml, &pointer), ErrorCode::unknown_name);
  EXPECT_EQ(pointer,
            "/definitions[@id='m']/decision[@id='d1']/decisionTable/rule[@id='r2']/outputEntry");
}

TEST(DmnImport, BusinessKnowledgeModelsAreInlined) {
  std::string xml = model(R"(
  <inputData name="x" id="i"><variable name="x" typeRef="number"/></inputData>
  <businessKnowledgeModel name="Twice" id="k"><encapsulatedLogic>
    <formalParameter name="v" typeRef="number"/>
    <literalExpression><text>v * 2</text></literalExpression></encapsulatedLogic></businessKnowledgeModel>
  <decision name="y" id="d"><variable name="y" typeRef="number"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="#k"/></knowledgeRequirement>
    <literalExpression><text>Twice(x + 1) + 1</text></literalExpression></decision>)");
  Pack pack = Pack::load(import_dmn(xml));
  EXPECT_EQ(output_of(pack, R"({"x": 3})", "y"), "9");
}

TEST(DmnImport, HugeDocumentIsRefused) {
  DmnImportOptions options;
  options.max_bytes = 100;
  try {
    import_dmn(model(kTable), options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::limit_exceeded);
  }
}

}  // namespace
}  // namespace aiguillage

namespace aiguillage {
namespace {

TEST(DmnImport, StringConcatenation) {
  std::string xml = model(R"(
  <inputData name="Full Name" id="i"><variable name="Full Name" typeRef="string"/></inputData>
  <decision name="Greeting" id="d"><variable name="Greeting" typeRef="string"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <literalExpression><text>"Hello " + Full Name + "!"</text></literalExpression></decision>)");
  Pack pack = Pack::load(import_dmn(xml));
  EXPECT_EQ(output_of(pack, R"({"Full_Name": "Ana"})", "Greeting"), "\"Hello Ana!\"");
  EXPECT_EQ(output_of(pack, R"({})", "Greeting"), "null");
  // Numbers and texts do not mix.
  std::string mixed = xml;
  mixed.replace(mixed.find("\"!\""), 3, "1");
  EXPECT_EQ(code_of(mixed), ErrorCode::type_error);
}

// Multiple-hit tables with default output entries: the defaults, as a one-item list, when no
// rule matches; PRIORITY and OUTPUT ORDER rank by the outputs that have output values only.
TEST(DmnImport, MultipleHitDefaultsAndPartialOutputValues) {
  auto table = [](const std::string& policy, const std::string& first_output) {
    return model(R"(
  <inputData name="Age" id="i"><variable name="Age" typeRef="number"/></inputData>
  <decision name="Offer" id="d"><variable name="Offer"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <decisionTable hitPolicy=")" +
                 policy + R"(">
      <input><inputExpression typeRef="number"><text>Age</text></inputExpression></input>
      )" + first_output +
                 R"(
      <output name="Rate" typeRef="string"/>
      <rule><inputEntry><text>&gt;= 18</text></inputEntry>
        <outputEntry><text>"Declined"</text></outputEntry><outputEntry><text>"Basic"</text></outputEntry></rule>
      <rule><inputEntry><text>&gt;= 12</text></inputEntry>
        <outputEntry><text>"Approved"</text></outputEntry><outputEntry><text>"Best"</text></outputEntry></rule>
    </decisionTable></decision>)");
  };
  const std::string with_default =
      R"(<output name="Status" typeRef="string"><defaultOutputEntry><text>"None"</text></defaultOutputEntry></output>)";
  Pack rule_order = Pack::load(import_dmn(table("RULE ORDER", with_default)));
  EXPECT_EQ(output_of(rule_order, R"({"Age": 20})", "Offer.Status"), R"(["Declined","Approved"])");
  EXPECT_EQ(output_of(rule_order, R"({"Age": 5})", "Offer.Status"), R"(["None"])");
  // An output without a default keeps the table's own list, empty when no rule matched.
  EXPECT_EQ(output_of(rule_order, R"({"Age": 5})", "Offer__table.Rate"), "[]");

  const std::string ranked = R"(<output name="Status" typeRef="string">
        <outputValues><text>"Approved", "Declined"</text></outputValues></output>)";
  Pack output_order = Pack::load(import_dmn(table("OUTPUT ORDER", ranked)));
  EXPECT_EQ(output_of(output_order, R"({"Age": 20})", "Offer.Status"),
            R"(["Approved","Declined"])");
  EXPECT_EQ(output_of(output_order, R"({"Age": 20})", "Offer.Rate"), R"(["Best","Basic"])");
  Pack priority = Pack::load(import_dmn(table("PRIORITY", ranked)));
  EXPECT_EQ(output_of(priority, R"({"Age": 20})", "Offer.Rate"), "\"Best\"");
  // With no output values at all there is nothing to rank by.
  EXPECT_EQ(code_of(table("PRIORITY", R"(<output name="Status" typeRef="string"/>)")),
            ErrorCode::type_error);
}

}  // namespace
}  // namespace aiguillage
