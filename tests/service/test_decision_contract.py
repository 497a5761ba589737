"""POST /v1/decisions with the engagement contract's signature date: the record holds it as
decision.contract_signed_at (decision record 1.1) only when the body gives it; a date that is
not ISO 8601 is refused with invalid_timestamp and nothing is appended."""

import json

import jsonschema
import pytest

from conftest import SOURCE, Service, person

DATE = "2025-03-01"
RECORD_SCHEMA = json.loads((SOURCE / "rules" / "schemas" /
                            "aiguillage.decision_record.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    d = tmp_path_factory.mktemp("contract")
    svc = Service(d, ["--log", d / "decisions.jsonl"],
                  roles=("france_travail", "mission_locale", "cap_emploi",
                         "president_conseil_departemental", "auditor", "admin"))
    svc.log_path = d / "decisions.jsonl"
    yield svc
    svc.stop()


def decide(svc, n, **more):
    status, p = svc.request("POST", f"/v1/orient?date={DATE}", person(n), role="admin")
    assert status == 200, p
    body = {"person": person(n), "reference_date": DATE, "action": "confirm",
            "decided_at": "2025-03-02T10:00:00Z", **more}
    return svc.request("POST", "/v1/decisions", body, role=p["outputs"]["decideur"])


def lines(svc):
    return svc.log_path.read_text(encoding="utf-8").splitlines()


def test_signature_date_is_recorded_as_1_1(service):
    status, receipt = decide(service, 1, contract_signed_at="2025-03-20")
    assert status == 201, receipt
    record = receipt["record"]
    assert record["decision"]["contract_signed_at"] == "2025-03-20"
    assert record["schema_version"] == "1.1"
    jsonschema.validate(record, RECORD_SCHEMA)
    logged = json.loads(lines(service)[receipt["seq"] - 1])["record"]
    assert logged == record


def test_without_it_the_record_stays_1_0(service):
    status, receipt = decide(service, 2)
    assert status == 201, receipt
    assert "contract_signed_at" not in receipt["record"]["decision"]
    assert receipt["record"]["schema_version"] == "1.0"
    jsonschema.validate(receipt["record"], RECORD_SCHEMA)


@pytest.mark.parametrize("bad,status,name", [("2025-02-30", 422, "invalid_timestamp"),
                                             ("", 422, "invalid_timestamp"),
                                             (20250320, 422, "type_mismatch")])
def test_bad_signature_date_is_refused_and_not_logged(service, bad, status, name):
    before = len(lines(service)) if service.log_path.exists() else 0
    got, doc = decide(service, 3, contract_signed_at=bad)
    assert got == status, doc
    assert doc["errors"][0]["name"] == name
    assert doc["errors"][0]["pointer"] == "/contract_signed_at"
    after = len(lines(service)) if service.log_path.exists() else 0
    assert after == before
