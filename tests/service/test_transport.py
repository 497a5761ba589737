"""The HTTP transport of `aiguillage serve` on raw sockets: pipelined requests answered in their
order, `Expect: 100-continue`, malformed requests, the connection limit, the read timeout, and
SIGTERM closing idle keep-alive connections at once while a request in flight is answered."""

import json
import signal
import socket
import time

from conftest import Service, person

DATE = "2025-03-01"


def connect(svc):
    s = socket.create_connection(("127.0.0.1", svc.port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(s, buf=b""):
    """One HTTP/1.1 response (Content-Length framed) from the socket: (status, headers, body,
    what is left of the buffer)."""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError(buf)
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(buf) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError(buf)
        buf += chunk
    return status, headers, buf[:length], buf[length:]


def post(path, body, key, extra=""):
    data = body.encode()
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n{extra}\r\n"
            ).encode() + data


def closed_by_peer(s, within=10):
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def test_pipelined_requests_are_answered_in_order(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl"], roles=("admin",))
    try:
        key = svc.keys["admin"]
        s = connect(svc)
        bodies = [json.dumps(person(n)) for n in (1, 2, 3)]
        # Four requests in one write: a proposal, an unknown route, two proposals.
        s.sendall(post(f"/v1/orient?date={DATE}", bodies[0], key) +
                  b"GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n" +
                  post(f"/v1/orient?date={DATE}", bodies[1], key) +
                  post(f"/v1/orient?date={DATE}", bodies[2], key))
        buf = b""
        answers = []
        for _ in range(4):
            status, headers, body, buf = read_response(s, buf)
            answers.append((status, headers, body))
        assert [a[0] for a in answers] == [200, 404, 200, 200]
        assert json.loads(answers[1][2])["schema"] == "aiguillage.error"
        for k, n in ((0, 1), (2, 2), (3, 3)):
            assert json.loads(answers[k][2])["person_id"] == person(n)["person_id"]
        # The same connection goes on serving.
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(s, buf)[0] == 200
        s.close()
    finally:
        assert svc.stop() == 0


def test_expect_100_continue_and_malformed_requests(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl", "--max-body-bytes", "20000"],
                  roles=("admin",))
    try:
        key = svc.keys["admin"]
        s = connect(svc)
        body = json.dumps(person(1)).encode()
        s.sendall(f"POST /v1/orient?date={DATE} HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
        status, _, _, buf = read_response(s)
        assert status == 100
        s.sendall(body)
        status, _, text, buf = read_response(s, buf)
        assert status == 200 and json.loads(text)["person_id"] == person(1)["person_id"]
        # A body announced over the limit is refused before it is sent.
        s.sendall(f"POST /v1/orient?date={DATE} HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {key}\r\nContent-Length: 50000\r\n"
                  "Expect: 100-continue\r\n\r\n".encode())
        status, headers, text, _ = read_response(s, buf)
        assert status == 413 and headers["connection"].lower() == "close"
        assert json.loads(text)["errors"][0]["name"] == "payload_too_large"
        s.close()
        # Not HTTP: the error document, then the connection is closed.
        s = connect(svc)
        s.sendall(b"HELLO THERE\r\n\r\n")
        status, _, text, _ = read_response(s)
        assert status == 400 and json.loads(text)["schema"] == "aiguillage.error"
        assert closed_by_peer(s)
        s.close()
        # A chunked body over the limit.
        s = connect(svc)
        chunk = b"x" * 30000
        s.sendall(f"POST /v1/orient?date={DATE} HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {key}\r\nTransfer-Encoding: chunked\r\n\r\n"
                  f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n")
        status, _, text, _ = read_response(s)
        assert status == 413 and json.loads(text)["errors"][0]["code"] == -604
        s.close()
    finally:
        assert svc.stop() == 0


def test_connection_limit_is_429_and_read_timeout_closes(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl", "--max-connections", "2",
                             "--request-timeout-ms", "1500"], roles=("admin",))
    try:
        first, second = connect(svc), connect(svc)
        for s in (first, second):
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response(s)[0] == 200
        third = connect(svc)
        third.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, text, _ = read_response(third)
        assert status == 429 and headers["retry-after"] == "1"
        assert json.loads(text)["errors"][0]["name"] == "overloaded"
        assert closed_by_peer(third)
        third.close()
        # A connection that sends half a request is closed after the read timeout, and its
        # place is free again.
        second.sendall(b"GET /health HTTP/1.1\r\nHo")
        t = time.monotonic()
        assert closed_by_peer(second, within=20)
        assert 1.0 < time.monotonic() - t < 15
        second.close()
        again = connect(svc)
        again.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(again)[0] == 200
        again.close()
        first.close()
    finally:
        assert svc.stop() == 0


def test_sigterm_closes_idle_connections_and_answers_the_request_in_flight(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl"], roles=("admin",))
    key = svc.keys["admin"]
    idle = connect(svc)
    idle.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(idle)[0] == 200
    # A request begun (headers sent, body not yet) when SIGTERM comes is still answered.
    busy = connect(svc)
    body = json.dumps(person(1)).encode()
    busy.sendall(f"POST /v1/orient?date={DATE} HTTP/1.1\r\nHost: x\r\n"
                 f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode())
    time.sleep(0.3)
    svc.proc.send_signal(signal.SIGTERM)
    assert closed_by_peer(idle)
    time.sleep(0.3)
    assert svc.proc.poll() is None  # still serving the request begun
    busy.sendall(body)
    status, headers, text, _ = read_response(busy)
    assert status == 200 and json.loads(text)["person_id"] == person(1)["person_id"]
    assert headers["connection"].lower() == "close"
    assert closed_by_peer(busy)
    busy.close()
    idle.close()
    assert svc.proc.wait(timeout=30) == 0
    svc.stderr.close()
    # Nothing listens any more.
    try:
        socket.create_connection(("127.0.0.1", svc.port), timeout=5).close()
        raise AssertionError("still accepting after SIGTERM")
    except ConnectionRefusedError:
        pass
