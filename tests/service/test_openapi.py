"""docs/openapi.json against the running service: every documented operation is called with its
documented example (path and query parameter examples, request body example) and the answer
is validated against the documented schema of its status."""

import json
import re

import jsonschema
import pytest

from conftest import SOURCE, Service

SPEC = json.loads((SOURCE / "docs" / "openapi.json").read_text(encoding="utf-8"))
ROLES = ("france_travail", "mission_locale", "cap_emploi", "president_conseil_departemental",
         "auditor", "admin")
# Operations are called in this order: a decision exists before it is read back.
ORDER = ["/health", "/ready", "/openapi.json", "/v1/packs", "/v1/packs/{id}",
         "/v1/packs/{id}/evaluate", "/v1/orient", "/v1/notice", "/v1/decisions",
         "/v1/decisions/{seq}", "/v1/log/checkpoints", "/v1/log/verify", "/v1/replay",
         "/v1/match", "/v1/explain-match", "/metrics"]


@pytest.fixture(scope="module")
def service(tmp_path_factory, request):
    import subprocess
    d = tmp_path_factory.mktemp("openapi")
    key = d / "checkpoint.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True)
    svc = Service(d, ["--log", d / "log.jsonl", "--checkpoint-key", key], roles=ROLES)
    yield svc
    svc.stop()


def schema_with_components(schema):
    return {**schema, "components": SPEC["components"]} if "$ref" in json.dumps(schema) else schema


def resolve(schema):
    """jsonschema resolves '#/components/...' against the document it is given."""
    return {"$defs": {}, **schema, "components": SPEC["components"]}


def test_every_path_is_exercised():
    assert sorted(SPEC["paths"]) == sorted(ORDER)
    assert SPEC["openapi"] == "3.1.0"


def test_served_document_is_the_kept_one(service):
    status, doc = service.request("GET", "/openapi.json")
    assert status == 200 and doc == SPEC


@pytest.mark.parametrize("path", ORDER)
def test_operation_example_validates(service, path):
    for method, op in SPEC["paths"][path].items():
        url = path
        query = []
        for p in op.get("parameters", []):
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", str(p["example"]))
            elif "example" in p:
                query.append(f"{p['name']}={p['example']}")
        if query:
            url += "?" + "&".join(query)
        body = None
        if "requestBody" in op:
            body = next(iter(op["requestBody"]["content"].values()))["example"]
        role = None
        if op.get("security", SPEC.get("security", [])):
            role = "admin"
            if path == "/v1/decisions":
                _, proposal = service.request("POST", "/v1/orient?date=2025-03-01", body["person"],
                                              role="admin")
                role = proposal["outputs"]["decideur"]
        status, answer = service.request(method.upper(), url, body, role=role)
        documented = op["responses"].get(str(status))
        assert documented is not None, (path, status, answer)
        assert 200 <= status < 300, (path, status, answer)
        ctype, media = next(iter(documented["content"].items()))
        if ctype == "application/json":
            jsonschema.validate(answer, resolve(media["schema"]))
        else:
            assert isinstance(answer, str) and answer


def test_error_document_schema(service):
    status, answer = service.request("GET", "/v1/packs")
    assert status == 401
    jsonschema.validate(answer, resolve({"$ref": "#/components/schemas/Error"}))
