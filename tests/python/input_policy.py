"""The one input policy, as data: every row (pack input type x dtype x value) and what every
entry point must do with it. docs/python.md holds the same table (test_input_policy.py checks
that they agree)."""

import datetime
import json

import numpy as np
import pandas as pd

NAN = float("nan")

# (input type, dtype, value as written in the docs, the one-cell Series (or numpy array: pandas
# 1.5 holds every datetime64 in nanoseconds), expected)
# expected: ("value", json value) accepted; ("missing",) accepted as missing; ("error", code).
ROWS = [
    ("bool", "bool", "True", lambda: pd.Series([True]), ("value", True)),
    ("bool", "boolean", "False", lambda: pd.Series([False], dtype="boolean"), ("value", False)),
    ("bool", "boolean", "<NA>", lambda: pd.Series([pd.NA], dtype="boolean"), ("missing",)),
    ("bool", "object", "True", lambda: pd.Series([True], dtype=object), ("value", True)),
    ("bool", "object", "None", lambda: pd.Series([None], dtype=object), ("missing",)),
    ("bool", "float64", "1.0", lambda: pd.Series([1.0]), ("value", True)),
    ("bool", "float64", "0.0", lambda: pd.Series([0.0]), ("value", False)),
    ("bool", "float64", "NaN", lambda: pd.Series([NAN]), ("missing",)),
    ("bool", "float64", "0.5", lambda: pd.Series([0.5]), ("error", -105)),
    ("bool", "int64", "1", lambda: pd.Series([1]), ("value", True)),
    ("bool", "int64", "2", lambda: pd.Series([2]), ("error", -105)),
    ("bool", "Int64", "<NA>", lambda: pd.Series([pd.NA], dtype="Int64"), ("missing",)),
    ("bool", "Int64", "0", lambda: pd.Series([0], dtype="Int64"), ("value", False)),
    ("bool", "object", '"true"', lambda: pd.Series(["true"]), ("value", True)),
    ("bool", "object", '"False"', lambda: pd.Series(["False"]), ("value", False)),
    ("bool", "object", '"TRUE"', lambda: pd.Series(["TRUE"]), ("value", True)),
    ("bool", "object", '"1"', lambda: pd.Series(["1"]), ("error", -105)),
    ("bool", "object", '"0"', lambda: pd.Series(["0"]), ("error", -105)),
    ("bool", "object", '"yes"', lambda: pd.Series(["yes"]), ("error", -105)),
    ("bool", "object", '""', lambda: pd.Series([""]), ("error", -105)),
    ("bool", "category", '"true"', lambda: pd.Series(["true"], dtype="category"), ("value", True)),
    ("bool", "string[python]", '"False"', lambda: pd.Series(["False"], dtype="string"),
     ("value", False)),
    ("integer", "int64", "42", lambda: pd.Series([42]), ("value", 42)),
    ("integer", "uint64", "2**63", lambda: pd.Series([2**63], dtype=np.uint64), ("error", -114)),
    ("integer", "Int64", "7", lambda: pd.Series([7], dtype="Int64"), ("value", 7)),
    ("integer", "Int64", "<NA>", lambda: pd.Series([pd.NA], dtype="Int64"), ("missing",)),
    ("integer", "float64", "42.0", lambda: pd.Series([42.0]), ("value", 42)),
    ("integer", "float64", "1.5", lambda: pd.Series([1.5]), ("error", -105)),
    ("integer", "float64", "NaN", lambda: pd.Series([NAN]), ("missing",)),
    ("integer", "float64", "inf", lambda: pd.Series([np.inf]), ("error", -114)),
    ("integer", "bool", "True", lambda: pd.Series([True]), ("error", -105)),
    ("integer", "object", "True", lambda: pd.Series([True], dtype=object), ("error", -105)),
    ("integer", "object", '"42"', lambda: pd.Series(["42"]), ("value", 42)),
    ("integer", "object", '"1.5"', lambda: pd.Series(["1.5"]), ("error", -105)),
    ("integer", "object", '"many"', lambda: pd.Series(["many"]), ("error", -112)),
    ("integer", "object", "2**70", lambda: pd.Series([2**70], dtype=object), ("error", -114)),
    ("integer", "category", "3", lambda: pd.Series([3], dtype="category"), ("value", 3)),
    ("integer", "string[python]", '"7"', lambda: pd.Series(["7"], dtype="string"), ("value", 7)),
    ("decimal", "float64", "0.1", lambda: pd.Series([0.1]), ("value", 0.1)),
    ("decimal", "float64", "0.1234567", lambda: pd.Series([0.1234567]), ("error", -112)),
    ("decimal", "int64", "3", lambda: pd.Series([3]), ("value", 3)),
    ("decimal", "object", '"2.50"', lambda: pd.Series(["2.50"]), ("value", 2.5)),
    ("date", "datetime64[ns]", "2001-04-02",
     lambda: pd.Series(pd.to_datetime(["2001-04-02"])), ("value", "2001-04-02")),
    ("date", "datetime64[ns]", "2001-04-02 23:59",
     lambda: pd.Series(pd.to_datetime(["2001-04-02 23:59"])), ("value", "2001-04-02")),
    ("date", "datetime64[ns]", "NaT", lambda: pd.Series(pd.to_datetime([None])), ("missing",)),
    ("date", "datetime64[ms]", "2001-04-02",
     lambda: np.array(["2001-04-02"], dtype="datetime64[ms]"), ("value", "2001-04-02")),
    ("date", "datetime64[ns, Europe/Paris]", "2001-04-02 00:30+02:00",
     lambda: pd.Series(pd.to_datetime(["2001-04-01 22:30"]).tz_localize("UTC")
                       .tz_convert("Europe/Paris")), ("value", "2001-04-02")),
    ("date", "object", "datetime.date(2001, 4, 2)",
     lambda: pd.Series([datetime.date(2001, 4, 2)]), ("value", "2001-04-02")),
    ("date", "object", "datetime.datetime(2001, 4, 2, 13, 0)",
     lambda: pd.Series([datetime.datetime(2001, 4, 2, 13, 0)], dtype=object),
     ("value", "2001-04-02")),
    ("date", "object", '"2001-04-02"', lambda: pd.Series(["2001-04-02"]), ("value", "2001-04-02")),
    ("date", "object", '"2001-02-30"', lambda: pd.Series(["2001-02-30"]), ("error", -111)),
    ("date", "object", '"02/04/2001"', lambda: pd.Series(["02/04/2001"]), ("error", -111)),
    ("date", "object", "17", lambda: pd.Series([17], dtype=object), ("error", -105)),
    ("date", "string[python]", '"2001-04-02"', lambda: pd.Series(["2001-04-02"], dtype="string"),
     ("value", "2001-04-02")),
    ("date", "int64", "17", lambda: pd.Series([17]), ("error", -105)),
    ("enum", "object", '"low"', lambda: pd.Series(["low"]), ("value", "low")),
    ("enum", "object", '"medium"', lambda: pd.Series(["medium"]), ("error", -113)),
    ("enum", "object", "1", lambda: pd.Series([1], dtype=object), ("error", -105)),
    ("enum", "object", "NaN", lambda: pd.Series([NAN], dtype=object), ("missing",)),
    ("enum", "category", '"high"', lambda: pd.Series(["high"], dtype="category"),
     ("value", "high")),
    ("enum", "category", '"medium"', lambda: pd.Series(["medium"], dtype="category"),
     ("error", -113)),
    ("enum", "string[python]", '"low"', lambda: pd.Series(["low"], dtype="string"),
     ("value", "low")),
    ("enum", "string[python]", "<NA>", lambda: pd.Series([pd.NA], dtype="string"), ("missing",)),
    ("string", "object", '"x"', lambda: pd.Series(["x"]), ("value", "x")),
    ("string", "object", "5", lambda: pd.Series([5], dtype=object), ("error", -105)),
    ("string", "string[python]", '"x"', lambda: pd.Series(["x"], dtype="string"), ("value", "x")),
]

# The input of each type in the policy pack.
INPUT = {"bool": "flag", "integer": "count", "decimal": "amount", "date": "day", "enum": "kind",
         "string": "note"}

CODE_NAMES = {-105: "type_mismatch", -111: "invalid_date", -112: "invalid_decimal",
              -113: "enum_value", -114: "number_overflow"}


def outcome_text(expected) -> str:
    if expected[0] == "value":
        return "accepted: " + json.dumps(expected[1])
    if expected[0] == "missing":
        return "missing"
    return "rejected: %s (%d)" % (CODE_NAMES[expected[1]], expected[1])


def markdown_rows() -> list:
    return ["| %s | %s | `%s` | %s |" % (kind, dtype, value, outcome_text(expected))
            for kind, dtype, value, _, expected in ROWS]


def policy_pack_json() -> str:
    """A pack with one input of each type, each echoed by an output."""
    doc = {"schema": "aiguillage.ruleset", "schema_version": "1.1", "id": "tests/input-policy",
           "version": "1.0.0", "valid_from": "2020-01-01", "valid_to": None,
           "title": "input policy",
           "sources": [{"id": "S", "title": "tests", "url": "https://example.org"}],
           "inputs": [], "decisions": []}
    for kind, name in INPUT.items():
        field = {"name": name, "type": kind, "label": {"fr": name, "en": name},
                 "source_kind": "declared"}
        output = {"name": "echo_" + name, "type": kind, "label": {"fr": name, "en": name}}
        if kind == "enum":
            field["values"] = output["values"] = ["low", "high"]
            field["value_labels"] = {"low": {"fr": "bas", "en": "low"},
                                     "high": {"fr": "haut", "en": "high"}}
        doc["inputs"].append(field)
        doc["decisions"].append({"id": "echo_" + name, "kind": "expression",
                                 "label": {"fr": name, "en": name}, "expression": name,
                                 "output": output, "source": "S", "status": "verified"})
    return json.dumps(doc)
