#!/usr/bin/env python3
"""Writes the bundled sample of synthetic persons for the youth-guidance example pack.

Seeded, so the file is reproducible: python3 scripts/make-youth-sample.py > examples/data/youth-persons.jsonl
"""
import datetime
import json
import random

rng = random.Random(20250301)
reference = datetime.date(2025, 3, 1)
lines = []
for k in range(60):
    age_days = rng.randint(15 * 365, 45 * 365)
    person = {"birth_date": (reference - datetime.timedelta(days=age_days)).isoformat()}
    person["rsa_beneficiary"] = rng.random() < 0.25
    person["boe_status"] = rng.choices(["none", "rqth", "pending"], [0.85, 0.1, 0.05])[0]
    person["requested_structure"] = rng.choices(["none", "mission_locale", "cap_emploi"], [0.8, 0.12, 0.08])[0]
    if rng.random() < 0.8:
        person["months_since_last_activity"] = rng.choice([0, 2, 6, 12, 18, 24, 25, 36, 60])
    # Some registrations are incomplete: the result then names the questions to ask.
    for field in ("rsa_beneficiary", "boe_status"):
        if rng.random() < 0.06:
            del person[field]
    lines.append(json.dumps(person, ensure_ascii=False))
# Two bad records: they are reported with their line number and nothing else is dropped.
lines.insert(17, json.dumps({"birth_date": "2001-02-30", "rsa_beneficiary": False}))
lines.insert(42, json.dumps({"birth_date": "1999-05-01", "boe_status": "rqth_pending"}))
print("\n".join(lines))
