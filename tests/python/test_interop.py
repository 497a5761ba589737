"""Pack.from_dmn: a DMN model imported as `aiguillage import-dmn` does."""
import pytest

import aiguillage

MODEL = """<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="m" id="m">
  <inputData name="Monthly Salary" id="i"><variable name="Monthly Salary" typeRef="number"/></inputData>
  <decision name="Yearly Salary" id="d"><variable name="Yearly Salary" typeRef="number"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <literalExpression><text>12 * Monthly Salary</text></literalExpression></decision>
</definitions>"""


def test_from_dmn_imports_and_evaluates():
    pack = aiguillage.Pack.from_dmn(MODEL)
    assert pack.hash == aiguillage.Pack.from_dmn(MODEL).hash
    result = pack.evaluate({"Monthly_Salary": 1000}, date="2025-01-01")
    assert result["outputs"]["Yearly_Salary"] == 12000


def test_from_dmn_names_the_element():
    with pytest.raises(aiguillage.PackLoadError) as info:
        aiguillage.Pack.from_dmn(MODEL.replace("12 * Monthly Salary", "2 ** 0.5 + {a: 1}"))
    assert info.value.name == "unsupported_construct"
    assert info.value.code == -703
    assert info.value.pointer == "/definitions[@id='m']/decision[@id='d']/literalExpression"
