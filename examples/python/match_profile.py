"""Matches one profile against the example offers on the bundled ROME subset and prints the
best offers with their reasons, then the explanation of the first one as a table.

    python3 match_profile.py [PROFILES.jsonl [OFFERS.jsonl [PROFILE_ID]]]

Without arguments it reads examples/data/{profiles,offers}-subset.jsonl of the data installed
with aiguillage (aiguillage.data_dir(): share/aiguillage, or the build tree's).
"""

import pathlib
import sys

import pandas as pd

import aiguillage


def main(argv):
    root = pathlib.Path(aiguillage.data_dir())
    profiles_path = argv[1] if len(argv) > 1 else root / "examples/data/profiles-subset.jsonl"
    offers_path = argv[2] if len(argv) > 2 else root / "examples/data/offers-subset.jsonl"

    referential = aiguillage.Referential.bundled()
    scoring = aiguillage.Scoring.load(root / "rules/matching/scoring-default.json")
    profiles = aiguillage.Profiles(profiles_path, referential)
    offers = aiguillage.Offers(offers_path, referential)
    for bad in profiles.rejected + offers.rejected:
        print(f"rejected line {bad['line']}: {bad['name']} at {bad['pointer']}: {bad['message']}",
              file=sys.stderr)
    if len(profiles) == 0 or len(offers) == 0:
        print("nothing to match", file=sys.stderr)
        return 1
    profile = profiles[0] if len(argv) <= 3 else next(p for p in profiles if p.id == argv[3])

    stats = referential.statistics
    print(f"referential: {stats['fiches']} fiches, {stats['competences']} competences; "
          f"{len(offers)} offers; profile {profile.id}")

    # The five best offers, exactly as scoring every offer and sorting would rank them.
    bank = aiguillage.OfferBank(offers, scoring=scoring)
    top = pd.DataFrame(bank.top_offers(profile, 5))
    print(f"\nTop {len(top)} offers for {profile.id}:")
    for row in top.itertuples():
        offer = offers[row.offer_index]
        e = aiguillage.explain(profile, offer, offers, scoring=scoring, lang="en")
        assert e["cohort"]["rank"] == row.rank, (e["cohort"], row.rank)
        codes = f" [{', '.join(row.reason_codes)}]" if row.reason_codes else ""
        print(f"{row.rank}. {offer.id} {offer.rome_code} {offer.title} — score {row.score:.3f}"
              f"{codes}")
        for reason in e["reasons"]:
            print(f"     {reason['text']}")

    top_offer = offers[int(top["offer_index"].iloc[0])]
    e = aiguillage.explain(profile, top_offer, offers, scoring=scoring, lang="en")
    print(f"\n{e.summary}")
    frame = pd.DataFrame(aiguillage.explanation_frame(e))
    columns = ["kind", "name", "weight", "feature", "credit", "value", "contribution", "path"]
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(frame[columns].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
