"""Hostile inputs through the Python package: nesting depth at 100,000 and 1,000,000 levels in
every entry point that reads JSON, concurrent appends on one log, anchors, short keys."""

import json
import threading

import pytest

import aiguillage
from conftest import DATE, FR2025, ROOT, without_id

KEY = b"0123456789abcdef-test-key"
NOW = "2025-03-01T10:00:00Z"
TOO_DEEP = -116
DEPTHS = [100_000, 1_000_000]


def _deep(depth):
    return "[" * depth + "]" * depth


def _deep_log(path, depth):
    path.write_text('{"seq":1,"prev":"sha256:' + "0" * 64 + '","record":{"x":' + _deep(depth)
                    + '},"hash":"x"}\n')


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_log_line_is_reported_by_every_reader(tmp_path, depth):
    path = tmp_path / "d.log"
    _deep_log(path, depth)
    report = aiguillage.verify_log(path)
    assert not report["ok"] and report["first_bad"] == 1
    # A million levels also make the line longer than a log line may be: either is named.
    assert ("too_long" if depth > 500_000 else "too_deep") in report["message"]
    with pytest.raises(aiguillage.LogError):
        aiguillage.read_log_records(path)
    registry = aiguillage.Registry()
    registry.load_dir(ROOT / "rules")
    with pytest.raises(aiguillage.LogError):
        aiguillage.replay_log(path, registry)
    with pytest.raises(aiguillage.LogError):
        aiguillage.replay_log(path, aiguillage.Pack.load(FR2025))
    with pytest.raises(aiguillage.LogError):
        aiguillage.DecisionLog(path)


@pytest.mark.parametrize("depth", DEPTHS)
def test_append_refuses_a_deep_record(tmp_path, depth):
    path = tmp_path / "d.log"
    with aiguillage.DecisionLog(path) as log:
        with pytest.raises(aiguillage.Error) as info:
            log.append('{"x":' + _deep(depth) + "}")
        assert info.value.code == TOO_DEEP
        assert len(log) == 0
    assert aiguillage.verify_log(path)["ok"]


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_documents_are_refused(depth):
    deep = _deep(depth)
    with pytest.raises(aiguillage.Error) as info:
        aiguillage.Pack.from_json('{"schema":"aiguillage.ruleset","schema_version":"1.0","x":'
                                  + deep + "}")
    assert info.value.code == TOO_DEEP
    pack = aiguillage.Pack.load(FR2025)
    result = pack.evaluate('{"x":' + deep + "}", DATE)
    codes = [e["code"] for e in result["errors"]] if isinstance(result, dict) else None
    assert codes is None or TOO_DEEP in codes
    orienter = aiguillage.Orienter(FR2025)
    proposal = orienter.propose('{"x":' + deep + "}", DATE).to_dict()
    assert TOO_DEEP in [e["code"] for e in proposal["errors"]]


def test_eight_threads_append_sixteen_thousand_records(tmp_path):
    path = tmp_path / "threads.log"
    log = aiguillage.DecisionLog(path)
    hashes = [[] for _ in range(8)]

    def work(t):
        for k in range(2000):
            hashes[t].append(log.append({"t": t, "k": k}))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len({h for hs in hashes for h in hs}) == 16_000
    assert len(log) == 16_000
    log.close()
    report = aiguillage.verify_log(path)
    assert report["ok"], report
    assert report["lines"] == 16_000
    assert len(aiguillage.read_log_records(path)) == 16_000
    aiguillage.DecisionLog(path).close()  # reopens


def test_anchor_detects_truncation_and_rewritten_tail(tmp_path):
    path = tmp_path / "a.log"
    with aiguillage.DecisionLog(path) as log:
        hashes = [log.append({"k": k}) for k in range(4)]
    assert aiguillage.verify_log(path, head=hashes[-1], lines=4)["ok"]
    text = path.read_text()
    path.write_text("".join(text.splitlines(keepends=True)[:3]))
    assert aiguillage.verify_log(path)["ok"]
    report = aiguillage.verify_log(path, head=hashes[-1], lines=4)
    assert not report["ok"] and report["first_bad"] == 4 and "truncated" in report["message"]
    with aiguillage.DecisionLog(path) as log:
        log.append({"k": "forged"})
    assert aiguillage.verify_log(path)["ok"]
    assert not aiguillage.verify_log(path, head=hashes[-1], lines=4)["ok"]
    assert not aiguillage.verify_log(path, head=hashes[-1])["ok"]


def test_short_keys_are_refused_everywhere():
    with pytest.raises(aiguillage.Error) as info:
        aiguillage.pseudonymise(b"12345", "p1")
    assert info.value.code == -502
    with pytest.raises(aiguillage.Error) as info:
        aiguillage.pseudonymise(KEY, "")
    assert info.value.code == -501


def test_decided_at_and_actor_are_validated(persons):
    orienter = aiguillage.Orienter(FR2025)
    proposal = orienter.propose(without_id(persons[0]), DATE)
    with pytest.raises(aiguillage.Error) as info:
        orienter.decide(proposal, "conseiller_france_travail", "confirm", decided_at="yesterday")
    assert info.value.code == -503
    with pytest.raises(aiguillage.Error) as info:
        orienter.decide(proposal, "Jean Dupont <jean@example.org>", "confirm", decided_at=NOW)
    assert info.value.code == -504


def test_uint64_above_int64_and_far_dates_are_errors_not_wrapped():
    np = pytest.importorskip("numpy")
    pack = aiguillage.Pack.load(FR2025)
    numeric = [f["name"] for f in pack.inputs if f["type"] == "integer"]
    dates = [f["name"] for f in pack.inputs if f["type"] == "date"]
    assert numeric and dates
    data = {numeric[0]: np.array([1, 2**63, 2**64 - 1], dtype=np.uint64)}
    result = pack.evaluate_batch(data, DATE, ignore_unknown=True)
    assert list(result["error_code"])[1:] == [-114, -114]
    assert result["error_code"][0] != -114
    far = {dates[0]: np.array(["1990-01-01", "99999-01-01", "-20000-01-01"],
                              dtype="datetime64[D]")}
    result = pack.evaluate_batch(far, DATE, ignore_unknown=True)
    assert list(result["error_code"])[1:] == [-111, -111]
    assert result["error_code"][0] != -111


def test_unknown_language_is_refused(persons):
    pack = aiguillage.Pack.load(FR2025)
    with pytest.raises(aiguillage.Error):
        pack.explain(without_id(persons[0]), DATE, lang="de")
    assert pack.explain(without_id(persons[0]), DATE, lang="en")
