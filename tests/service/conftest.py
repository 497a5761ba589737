"""Real components for the service tests: a throwaway PostgreSQL cluster (Debian's postgresql-15
binaries, initdb + pg_ctl on a temporary folder and a free port, run as the unprivileged user
`postgres` when the tests run as root) and `aiguillage serve` on a free port, driven over HTTP
with urllib."""

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("AIG_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("AIG_CLI", str(SOURCE / "build" / "aiguillage"))
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PACKS = SOURCE / "rules"
PSEUDONYM_KEY = "service-test-key-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, check=True, **kw):
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{args}: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


class PostgresCluster:
    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL 15 binaries not found under {PG_BIN} "
                        "(scripts/install-deps.sh installs postgresql-15)")
        self.dir = Path(tempfile.mkdtemp(prefix="aig-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "aig", "--no-sync",
                  "-E", "UTF8")
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "server.log", "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                  "-c max_connections=300 -c fsync=on", "start")
        self.dbs = 0

    def _run(self, *args):
        subprocess.run([*self.as_user, *map(str, args)], check=True, capture_output=True)

    def new_database(self):
        self.dbs += 1
        name = f"log{self.dbs}"
        self._run(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "aig", name)
        return f"postgresql://aig@127.0.0.1:{self.port}/{name}"

    def pause(self):
        """Stops the server, keeping its data: the database is down until resume()."""
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def resume(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "server.log", "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                  "-c max_connections=300 -c fsync=on", "start")

    def stop(self):
        subprocess.run([*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                        "-w", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    cluster = PostgresCluster()
    yield cluster
    cluster.stop()


class Service:
    """`aiguillage serve` on a free port, with one key per role."""

    def __init__(self, workdir, log_args, extra=(), roles=("france_travail", "mission_locale",
                                                            "auditor", "admin"), keys=None):
        self.workdir = Path(workdir)
        self.keys_file = self.workdir / "keys.json"
        self.keys = dict(keys or {})
        if keys is None:
            for role in roles:
                out = run_cli("keys", "add", "--file", self.keys_file, "--role", role).stdout
                self.keys[role] = out.strip().splitlines()[-1]
        key_file = self.workdir / "pseudonym.key"
        key_file.write_text(PSEUDONYM_KEY)
        self.port_file = self.workdir / f"port-{time.monotonic_ns()}"
        self.args = [CLI, "serve", "--packs", PACKS, "--keys", self.keys_file, "--port", "0",
                     "--port-file", self.port_file, "--pseudonym-key-file", key_file,
                     "--referential", SOURCE / "data" / "rome-subset",
                     "--offers", SOURCE / "examples" / "data" / "offers-subset.jsonl",
                     "--scoring", SOURCE / "rules" / "matching" / "scoring-default.json",
                     "--default-pack", "fr/orientation",
                     *log_args, *extra]
        self.stderr = open(self.workdir / f"serve-{time.monotonic_ns()}.log", "w")
        self.proc = subprocess.Popen([str(a) for a in self.args], stderr=self.stderr)
        deadline = time.monotonic() + 60
        while not self.port_file.exists():
            if self.proc.poll() is not None:
                raise AssertionError("serve exited: " + Path(self.stderr.name).read_text())
            if time.monotonic() > deadline:
                raise AssertionError("serve did not start")
            time.sleep(0.05)
        self.port = int(self.port_file.read_text())
        self.base = f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, role=None, key=None, content_type=None,
                raw=False):
        data = None
        headers = {}
        if body is not None:
            if isinstance(body, (bytes, str)):
                data = body.encode() if isinstance(body, str) else body
                headers["Content-Type"] = content_type or "application/json"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        if role is not None:
            headers["Authorization"] = "Bearer " + self.keys[role]
        if key is not None:
            headers["Authorization"] = "Bearer " + key
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, ctype, text = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, text = e.code, e.headers.get("Content-Type", ""), e.read()
        if raw or not ctype.startswith("application/json"):
            return status, text.decode()
        return status, json.loads(text)

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)
        self.stderr.close()
        return self.proc.returncode


def person(n=1, **changes):
    """A person of the bundled sample file, with overrides."""
    with open(SOURCE / "examples" / "data" / "persons-1000.jsonl", encoding="utf-8") as f:
        for k, line in enumerate(f, 1):
            if k == n:
                p = json.loads(line)
                p.update(changes)
                return p
    raise IndexError(n)
