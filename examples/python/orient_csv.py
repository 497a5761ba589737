"""Orients every person of a CSV file with pandas, column by column, and prints a summary.

    python3 orient_csv.py PACK_DIR PERSONS.(csv|jsonl) YYYY-MM-DD [OUT.csv]

A JSON Lines file is turned into a CSV first, so the example also shows the CSV path: text,
enum and date inputs are read as text, the others by pandas' own parsing; missing cells stay
missing, and the batch checks every cell against the pack's types.
"""

import sys
import tempfile

import pandas as pd

import aiguillage


def read_persons(path: str, pack: aiguillage.Pack) -> pd.DataFrame:
    if path.endswith(".jsonl"):
        frame = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as tmp:
            frame.to_csv(tmp.name, index=False)
            path = tmp.name
    as_text = {f["name"]: str for f in pack.inputs if f["type"] in ("string", "enum", "date")}
    as_text["person_id"] = str
    return pd.read_csv(path, dtype=as_text, keep_default_na=False, na_values=[""])


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    pack_dir, persons_path, date = argv[1:4]
    orienter = aiguillage.Orienter(pack_dir)
    persons = read_persons(persons_path, orienter.pack)
    inputs = {f["name"] for f in orienter.pack.inputs}
    ids = persons.pop("person_id") if "person_id" in persons else None
    persons = persons[[c for c in persons.columns if c in inputs]]
    result = pd.DataFrame(orienter.propose_batch(persons, date))
    if ids is not None:
        result.insert(0, "person_id", ids.to_numpy())
    print(f"{orienter.pack.id} {orienter.pack.version}: {len(result)} persons at {date}")
    print(result["status"].value_counts().to_string())
    print(f"evident: {int(result['evident'].sum())}")
    print(pd.crosstab(result["parcours"], result["organisme_referent"]).to_string())
    errors = result[result["status"] == "error"]
    for _, row in errors.head(5).iterrows():
        print(f"rejected {row.get('person_id', '?')}: {row['error']}")
    if len(argv) > 4:
        result.to_csv(argv[4], index=False)
    # The example fails loudly if any person was lost on the way.
    return 0 if len(result) == len(persons) and len(errors) == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
