"""The stand-in's HTTP server: werkzeug's threaded server with HTTP/1.1 persistent connections.

AWS's endpoints keep a client's connection open between requests (HTTP/1.1's default, RFC 9112
section 9.3), and the SDKs pool them. werkzeug's development server instead answers every request
with ``Connection: close`` — it cannot find the next request line when the application leaves part
of a body unread — so every call to the stand-in paid a TCP connect that a call to AWS does not,
and a client's cost per call was measured against the wrong server.

``KeepAliveHandler`` reads each request's whole body before the application runs (``Content-Length``
or chunked; anything else is answered 400 and the connection closed), so the stream is always at
the next request line, and answers with a ``Content-Length``. A connection is closed when the
client asks (``Connection: close``, HTTP/1.0), when the application drops it (the ``never`` and
``applied-then-drop`` faults), on a malformed request, and when it has been idle for
``IDLE_SECONDS``: servers do close idle connections, and a client must cope with a pooled
connection that is gone. How long AWS keeps an idle connection is not documented (UNCONFIRMED);
the stand-in's figure is short on purpose and can be changed with ``--idle-timeout``.
"""

import socket
import sys
from io import BytesIO

from werkzeug.exceptions import InternalServerError
from werkzeug.serving import WSGIRequestHandler, make_server

# Seconds an open connection may wait for its next request before the stand-in closes it.
IDLE_SECONDS = 5.0
# The largest request body the stand-in reads (S3's single PUT limit is 5 GB; nothing ssmpatch or
# its tests send comes near this).
MAX_BODY = 256 * 1024 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class BadRequest(Exception):
    pass


class KeepAliveHandler(WSGIRequestHandler):
    """werkzeug's request handler with persistent connections (see the module's text)."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    # The answer's head and body go out in one write: written apart on a kept-alive connection,
    # Nagle's algorithm holds the body back until the client's delayed ACK (~40 ms a call).
    wbufsize = -1

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _read_body(self):
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        encoding = self.headers.get("Transfer-Encoding", "").lower()
        if encoding:
            if [e.strip() for e in encoding.split(",")][-1] != "chunked":
                raise BadRequest(f"unsupported Transfer-Encoding {encoding!r}")
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise BadRequest(f"invalid Content-Length {length!r}")
        n = int(length)
        if n > MAX_BODY:
            raise BadRequest(f"body of {n} bytes is larger than the stand-in reads ({MAX_BODY})")
        body = self.rfile.read(n)
        if len(body) != n:
            raise ConnectionResetError("the client closed the connection inside the body")
        return body

    def _read_chunked(self):
        out = bytearray()
        while True:
            line = self.rfile.readline(1024)
            if not line.endswith(b"\n"):
                raise BadRequest("a chunk size line is missing or too long")
            size = line.split(b";", 1)[0].strip()
            try:
                n = int(size, 16)
            except ValueError:
                raise BadRequest(f"invalid chunk size {size[:20]!r}") from None
            if n == 0:
                break
            if len(out) + n > MAX_BODY:
                raise BadRequest(f"chunked body larger than the stand-in reads ({MAX_BODY})")
            chunk = self.rfile.read(n)
            if len(chunk) != n or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise BadRequest("a chunk is shorter than its size or not ended by CRLF")
            out += chunk
        while True:  # trailer fields, up to the empty line
            line = self.rfile.readline(8192)
            if line in (b"\r\n", b"\n"):
                return bytes(out)
            if not line:
                raise ConnectionResetError("the client closed the connection inside the trailers")

    def run_wsgi(self):
        try:
            body = self._read_body()
        except BadRequest as e:
            self.close_connection = True
            self.send_error(400, str(e))
            return
        self.environ = environ = self.make_environ()
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)

        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return answer.setdefault("written", []).append  # WSGI's legacy write()

        try:
            iterable = self.server.app(environ, start_response)
            try:
                chunks = list(iterable)
            finally:
                if hasattr(iterable, "close"):
                    iterable.close()
            out = b"".join(answer.get("written", []) + chunks)
        except (ConnectionError, socket.timeout) as e:
            self.connection_dropped(e, environ)
            self.close_connection = True
            return
        except Exception as e:
            from werkzeug.debug.tbtools import DebugTraceback

            self.server.log("error", f"Error on request:\n{DebugTraceback(e).render_traceback_text()}")
            answer.clear()
            out = b"".join(InternalServerError()(environ, start_response))

        code_str, _, msg = answer["status"].partition(" ")
        code = int(code_str)
        headers = answer["headers"]
        if any(k.lower() == "connection" and v.lower() == "close" for k, v in headers):
            self.close_connection = True
        try:
            self.send_response(code, msg)
            for key, value in headers:
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            declared = next((v for k, v in headers if k.lower() == "content-length"), None)
            if environ["REQUEST_METHOD"] == "HEAD" or code in (204, 304) or code < 200:
                if declared is not None:
                    self.send_header("Content-Length", declared)
                out = b""
            else:
                self.send_header("Content-Length", str(len(out)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if out:
                self.wfile.write(out)
            self.wfile.flush()
        except (ConnectionError, socket.timeout, OSError) as e:
            self.connection_dropped(e, environ)
            self.close_connection = True

    def log_error(self, format, *args):
        # An idle connection reaching IDLE_SECONDS is closed as designed, not an error.
        if not format.startswith("Request timed out"):
            super().log_error(format, *args)


def serve(port, app, idle_seconds=IDLE_SECONDS):
    """Serves ``app`` on 127.0.0.1:``port`` until interrupted."""
    handler = type("Handler", (KeepAliveHandler,), {"timeout": idle_seconds})
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=handler)
    print(f" * ssmpatch stand-in on http://127.0.0.1:{port} (keep-alive, idle {idle_seconds:g} s)", file=sys.stderr,
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
