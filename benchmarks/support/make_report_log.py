"""Writes a chained decision log of N records for the report benchmark, by cycling through the
records of a seed log (the demo's), each with a fresh pseudonym, one of ten territories and a
reference date spread over 2025. The chain is recomputed, so the log verifies.

usage: make_report_log.py SEED_LOG N OUT_LOG [--seed S]"""

import argparse
import hashlib
import random
import re

TERRITORIES = ["13", "31", "33", "34", "44", "59", "62", "69", "75", "93"]


def records(seed_log):
    out = []
    with open(seed_log, encoding="utf-8") as f:
        for line in f:
            start = line.index(',"record":') + len(',"record":')
            end = line.rindex(',"hash":')
            out.append(line[start:end])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("seed_log")
    p.add_argument("n", type=int)
    p.add_argument("out_log")
    p.add_argument("--seed", type=int, default=20250301)
    a = p.parse_args()
    rng = random.Random(a.seed)
    seed = records(a.seed_log)
    person = re.compile(r'"person":"hmac-sha256:[0-9a-f]{64}"')
    territory = re.compile(r'"territory":("[0-9AB]{2,3}"|null)')
    territory_input = re.compile(
        r'"territory":\{"source":"administrative_record","value":("[0-9AB]{2,3}"|null)\}')
    reference = re.compile(r'"reference_date":"2025-03-01"')
    prev = "sha256:" + "0" * 64
    with open(a.out_log, "w", encoding="utf-8") as out:
        for k in range(1, a.n + 1):
            r = seed[(k - 1) % len(seed)]
            pseudonym = hashlib.sha256(f"person-{k}".encode()).hexdigest()
            r = person.sub(f'"person":"hmac-sha256:{pseudonym}"', r, count=1)
            t = rng.choice(TERRITORIES)
            r = territory.sub(f'"territory":"{t}"', r)
            r = territory_input.sub(f'"territory":{{"source":"administrative_record","value":"{t}"}}', r)
            month = rng.randint(1, 12)
            r = reference.sub(f'"reference_date":"2025-{month:02d}-01"', r, count=1)
            h = "sha256:" + hashlib.sha256((prev + r).encode()).hexdigest()
            out.write(f'{{"seq":{k},"prev":"{prev}","record":{r},"hash":"{h}"}}\n')
            prev = h


if __name__ == "__main__":
    main()
