"""A stand-in for clamd on a local TCP port, speaking its INSTREAM protocol: it reads the
length-prefixed chunks to the zero length, then answers ``stream: OK``, or ``stream:
Eicar-Test-Signature FOUND`` when the stream holds the EICAR test string (as ClamAV does), or
what a test asks for (an error, or hanging up without an answer)."""

import socket
import struct
import threading

# The anti-virus test file every scanner reports, split so that no scanner flags this module.
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
EICAR_SIGNATURE = "Eicar-Test-Signature"


def _read_exactly(connection, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = connection.recv(size - len(data))
        if not part:
            raise ConnectionError("closed mid-stream")
        data += part
    return data


class FakeClamd:
    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"tcp://127.0.0.1:{self._listener.getsockname()[1]}"
        self.reply: bytes | None = None  # a fixed answer instead of scanning
        self.hang_up = False  # close without answering
        self.scanned: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return
            with connection:
                try:
                    self._answer(connection)
                except (OSError, ConnectionError):
                    continue

    def _answer(self, connection) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += _read_exactly(connection, 1)
        assert command == b"zINSTREAM\0", command
        stream = b""
        while size := struct.unpack("!L", _read_exactly(connection, 4))[0]:
            stream += _read_exactly(connection, size)
        self.scanned.append(stream)
        if self.hang_up:
            return
        if self.reply is not None:
            answer = self.reply
        elif EICAR in stream:
            answer = f"stream: {EICAR_SIGNATURE} FOUND".encode()
        else:
            answer = b"stream: OK"
        connection.sendall(answer + b"\0")

    def close(self) -> None:
        self._listener.close()


def closed_port_url() -> str:
    """A clamd address where nothing listens: connecting is refused at once."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"
