# %% [markdown]
# # aiguillage, a walkthrough
#
# Loads the sample of 1000 registered persons as pandas reads it, orients them, explains three
# of them, and charts the proposals per territory.
#
#     python3 examples/python/walkthrough.py [OUT_DIR]
#
# Cells are marked `# %%` (Jupyter, VS Code and Spyder run them one by one). The chart needs
# matplotlib (Debian `python3-matplotlib`); without it the rest still runs.

# %%
import os
import pathlib
import sys
import tempfile

import pandas as pd

import aiguillage

ROOT = pathlib.Path(os.environ.get("AIG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="aiguillage-"))
OUT.mkdir(parents=True, exist_ok=True)
DATE = "2025-03-01"  # the reference date is an input: nothing reads the clock

# %% [markdown]
# ## The data, as pandas reads it
# Booleans with a missing cell arrive as float64 (0.0/1.0/NaN), integers with one as float64:
# the package reads them as they are (docs/python.md, "One input policy").

# %%
persons = pd.read_json(ROOT / "examples" / "data" / "persons-1000.jsonl", lines=True)
persons = persons.set_index("person_id", drop=False)
print(persons.dtypes.value_counts().to_dict())

# %% [markdown]
# ## The pack and the proposals

# %%
pack = aiguillage.Pack(ROOT / "rules" / "orientation" / "fr-2025")
print(pack)
orienter = aiguillage.Orienter(pack)
proposals = orienter.propose_batch(persons, DATE, keep=["territory"])
print(proposals["status"].value_counts().to_dict())
print(proposals[["territory", "parcours", "organisme_referent", "evident"]].head())
assert (proposals["error_code"] == 0).all()

# %% [markdown]
# ## Three persons explained
# The first evident proposal, the first one that calls for a review, the first incomplete one.

# %%
picks = [proposals.index[proposals["evident"]][0],
         proposals.index[~proposals["evident"] & (proposals["status"] == "complete")][0],
         proposals.index[proposals["status"] == "incomplete"][0]]
for label in picks:
    row = persons.index.get_loc(label)
    print("=" * 72, label)
    print(pack.explain_row(persons, row, DATE, lang="en"))
    print("questions:", proposals.loc[label, "questions"])

# %% [markdown]
# ## Proposals per territory

# %%
pathway = proposals["parcours"].astype(object).fillna("(incomplete)")
table = pd.crosstab(proposals["territory"], pathway)
print(table)
table.to_csv(OUT / "parcours-per-territory.csv")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # matplotlib is optional
    plt = None
if plt is not None:
    ax = table.plot.bar(stacked=True, figsize=(10, 5))
    ax.set_xlabel("territory (département)")
    ax.set_ylabel("persons")
    ax.set_title("Proposed pathway per territory, %s" % DATE)
    ax.figure.tight_layout()
    ax.figure.savefig(OUT / "parcours-per-territory.png", dpi=80)
    print("chart:", OUT / "parcours-per-territory.png")
