"""A TCP proxy that a test can cut: every open connection closed, new ones refused, then healed."""

import contextlib
import socket
import threading


class FaultProxy:
    """Forwards 127.0.0.1:port to an upstream address, one pair of threads per connection."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.refusing = False
        self.accepted = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> "FaultProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cut()
        self.listener.close()

    def cut(self) -> None:
        """Close every open connection and refuse new ones until `heal`."""
        with self._lock:
            self.refusing = True
            for sock in self._open:
                _close(sock)
            self._open.clear()

    def heal(self) -> None:
        """Accept and forward connections again."""
        with self._lock:
            self.refusing = False

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # the listener was closed
            with self._lock:
                if self.refusing:
                    _close(client)
                    continue
                self.accepted += 1
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
