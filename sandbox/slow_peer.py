"""A misbehaving platform for tests and benchmarks: it answers one byte every few seconds.

Each byte arrives well within any read timeout, so only a deadline for the whole exchange
stops a client from waiting on it for as long as the answer lasts.
"""

import socket
import threading
from types import TracebackType

ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"keys": []}\n'
)


class TricklePeer:
    """Serve every request on 127.0.0.1 by sending ``ANSWER`` one byte per ``interval``."""

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopped = threading.Event()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> "TricklePeer":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.requests += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                for byte in ANSWER:
                    if self._stopped.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return
