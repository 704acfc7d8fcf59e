"""The stand-in's HTTP server (server.py): connections kept between requests as AWS's endpoints
keep them, each request's whole body read (Content-Length or chunked) so the next request on the
connection is found, and connections closed when the client asks, on a malformed request and when
idle."""

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

from ssmpatch_standin.server import IDLE_SECONDS


def _connection(url):
    u = urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def _raw(url):
    u = urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=30)
    return s


def _read_all(sock):
    out = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return out
        out += chunk


def test_one_connection_answers_request_after_request_with_bodies_of_either_framing(clean):
    c = _connection(clean)
    c.request("GET", "/_ssmpatch/health")
    r = c.getresponse()
    body = r.read()
    assert r.status == 200 and r.getheader("Connection") != "close"
    assert r.getheader("Content-Length") == str(len(body))
    sock = c.sock
    assert sock is not None, "the server closed the connection after one answer"

    # A body with Content-Length, then one chunked: each read whole, the next request found.
    c.request("POST", "/_ssmpatch/settings", body=json.dumps({"page_size": 7}).encode(),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    assert r.status == 200 and json.loads(r.read())["page_size"] == 7
    c.request("POST", "/_ssmpatch/settings", body=iter([b'{"page_', b'size": ', b"3}"]), encode_chunked=True)
    r = c.getresponse()
    assert r.status == 200 and json.loads(r.read())["page_size"] == 3
    c.request("GET", "/_ssmpatch/settings")
    r = c.getresponse()
    assert json.loads(r.read())["page_size"] == 3
    assert c.sock is sock, "a new connection was opened"
    c.close()


def test_the_connection_is_closed_when_the_client_asks_or_the_request_is_malformed(clean):
    s = _raw(clean)
    s.sendall(b"GET /_ssmpatch/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = _read_all(s)   # returns only because the server closes
    assert answer.startswith(b"HTTP/1.1 200") and b"\r\nConnection: close\r\n" in answer
    s.close()

    for bad in (b"Content-Length: ten\r\n", b"Transfer-Encoding: gzip\r\n",
                b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"):
        s = _raw(clean)
        head, _, rest = bad.partition(b"\r\n\r\n")
        s.sendall(b"POST /_ssmpatch/settings HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n\r\n" + rest)
        answer = _read_all(s)
        assert answer.startswith(b"HTTP/1.1 400"), (bad, answer[:200])
        s.close()


def test_an_idle_connection_is_closed(clean):
    s = _raw(clean)
    s.sendall(b"GET /_ssmpatch/health HTTP/1.1\r\nHost: x\r\n\r\n")
    first = s.recv(65536)
    assert first.startswith(b"HTTP/1.1 200") and b"Connection: close" not in first
    s.settimeout(IDLE_SECONDS + 10)
    started = time.monotonic()
    assert s.recv(1) == b"", "the server did not close the idle connection"
    assert time.monotonic() - started >= IDLE_SECONDS - 0.5
    s.close()
