"""An auditor's view: decisions are logged (a counsellor confirms each proposal), the chained
log is verified, then every decision is replayed with the pack version it names.

    python3 audit_replay.py RULES_DIR PERSONS.jsonl LOG_PATH [COUNT]
"""

import json
import os
import sys

import aiguillage

DATE = "2025-03-01"
KEY = b"example-deployment-key-0001"  # a deployment keeps its own key secret


def write_log(rules_dir: str, persons_path: str, log_path: str, count: int) -> None:
    registry = aiguillage.Registry()
    registry.load_dir(rules_dir)
    orienter = aiguillage.Orienter(aiguillage.Pack.load(os.path.join(rules_dir, "orientation",
                                                                     "fr-2025")))
    with open(persons_path, encoding="utf-8") as f, aiguillage.DecisionLog(log_path) as log:
        for line in list(f)[:count]:
            person = json.loads(line)
            person_id = person.pop("person_id")
            proposal = orienter.propose(person, DATE)
            decision = orienter.decide(proposal, "conseiller_france_travail", "confirm",
                                       decided_at=DATE + "T09:00:00Z")
            record = aiguillage.decision_record(orienter, proposal, decision, key=KEY,
                                                person_id=person_id, territory=person.get(
                                                    "territory", ""),
                                                recorded_at=DATE + "T09:00:01Z")
            log.append(record)


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    rules_dir, persons_path, log_path = argv[1:4]
    count = int(argv[4]) if len(argv) > 4 else 50
    if os.path.exists(log_path):
        os.remove(log_path)
    write_log(rules_dir, persons_path, log_path, count)

    # The auditor: verify the chain, then replay.
    check = aiguillage.verify_log(log_path)
    print(f"log: {check['lines']} lines, chain {'intact' if check['ok'] else 'BROKEN'}")
    registry = aiguillage.Registry()
    registry.load_dir(rules_dir)
    report = aiguillage.replay_log(log_path, registry)
    print(f"replay: {report['identical']} identical, {report['different']} different, "
          f"{report['pack_missing']} pack missing, {report['errors']} errors")
    records = aiguillage.read_log_records(log_path)
    by_body = {}
    for r in records:
        body = str(r["decision"]["outputs"]["organisme_referent"])
        by_body[body] = by_body.get(body, 0) + 1
    print("decisions by referent body:", json.dumps(by_body, sort_keys=True))
    return 0 if check["ok"] and report["identical"] == count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
