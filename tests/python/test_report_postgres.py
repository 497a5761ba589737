"""aiguillage report --db: the report of the PostgreSQL decision log is the report of the same
log as a file, and a row altered in the database is refused naming its line. A throwaway
PostgreSQL cluster is started by the test (initdb + pg_ctl on a temporary folder and a free
port; the service tests' helper)."""

import importlib.util
import json
import pathlib
import subprocess

import pytest

from report_support import CLI, ROOT, run, write_demo_log


pytestmark = pytest.mark.skipif(not pathlib.Path(CLI).exists(), reason="the CLI is not built")


def _cluster_class():
    spec = importlib.util.spec_from_file_location(
        "aig_service_conftest", ROOT / "tests" / "service" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PostgresCluster, module.PG_BIN


@pytest.fixture(scope="module")
def cluster():
    PostgresCluster, _ = _cluster_class()
    c = PostgresCluster()
    yield c
    c.stop()


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    log = write_demo_log(d)
    return log


def report(source, out, *extra, check=True):
    return run("report", *source, "--out", out, "--packs", ROOT / "rules" / "orientation",
               *extra, check=check)


def test_database_log_reports_as_the_file(cluster, demo_log, tmp_path):
    url = cluster.new_database()
    run("log", "import", "--db", url, demo_log)
    report(["--db", url], tmp_path / "db")
    report(["--log", demo_log], tmp_path / "file")
    from_db = json.loads((tmp_path / "db" / "report.json").read_text(encoding="utf-8"))
    from_file = json.loads((tmp_path / "file" / "report.json").read_text(encoding="utf-8"))
    assert from_db["verification"]["verified"] is True
    assert from_db["records"]["read"] > 600
    assert from_db.pop("source") == "PostgreSQL"
    from_file.pop("source")
    assert from_db == from_file
    for csv in (tmp_path / "file").glob("*.csv"):
        assert (tmp_path / "db" / csv.name).read_bytes() == csv.read_bytes(), csv.name


def test_altered_row_is_refused_naming_its_line(cluster, demo_log, tmp_path):
    url = cluster.new_database()
    run("log", "import", "--db", url, demo_log)
    _, pg_bin = _cluster_class()
    database = url.rsplit("/", 1)[1]
    subprocess.run([str(pg_bin / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "aig",
                    "-d", database, "-v", "ON_ERROR_STOP=1", "-c",
                    "UPDATE aig_log SET record = replace(record, '\"france_travail\"', "
                    "'\"mission_locale\"') WHERE seq = 3"], check=True, capture_output=True)
    done = report(["--db", url], tmp_path / "refused", check=False)
    assert done.returncode == 1, done.stderr
    assert "line 3" in done.stderr
    report(["--db", url], tmp_path / "anyway", "--unverified")
    doc = json.loads((tmp_path / "anyway" / "report.json").read_text(encoding="utf-8"))
    assert doc["verification"]["verified"] is False
    assert doc["verification"]["first_bad_line"] == 3


def test_unreachable_database_is_an_error_not_a_crash(tmp_path):
    done = report(["--db", "postgresql://aig@127.0.0.1:1/none?connect_timeout=2"],
                  tmp_path / "none", check=False)
    assert done.returncode not in (0, 1) and done.returncode > 0, done.stderr
    assert "report.json" not in {p.name for p in tmp_path.glob("**/*")}


def test_log_and_db_are_exclusive(tmp_path, demo_log):
    done = report(["--db", "postgresql://x", "--log", demo_log], tmp_path / "both", check=False)
    assert done.returncode == 2


def test_python_report_of_the_database_log(cluster, demo_log):
    aiguillage = pytest.importorskip("aiguillage")
    pytest.importorskip("pandas")
    url = cluster.new_database()
    run("log", "import", "--db", url, demo_log)
    registry = aiguillage.Registry()
    registry.load_dir(ROOT / "rules" / "orientation")
    from_db = aiguillage.report(db=url, packs=registry, territorial=False)
    from_file = aiguillage.report(demo_log, registry, territorial=False)
    assert from_db.document["source"] == "PostgreSQL"
    assert from_db.document["verification"]["verified"] is True
    assert from_db.document["records"]["read"] > 600
    assert set(from_db.tables) == set(from_file.tables)
    for key, frame in from_file.tables.items():
        assert from_db.tables[key].equals(frame), key
    with pytest.raises(TypeError):
        aiguillage.report(demo_log, registry, db=url)
    with pytest.raises(TypeError):
        aiguillage.report(packs=registry)


def test_python_report_of_an_unreachable_database_raises():
    aiguillage = pytest.importorskip("aiguillage")
    registry = aiguillage.Registry()
    registry.load_dir(ROOT / "rules" / "orientation")
    with pytest.raises(aiguillage.Error) as info:
        aiguillage.report(db="postgresql://aig@127.0.0.1:1/none?connect_timeout=2",
                          packs=registry)
    assert info.value.code < 0
