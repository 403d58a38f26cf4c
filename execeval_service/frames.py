"""The judge's pipe protocol: one JSON message per frame, a 4-byte big-endian length first.

Shared by the trusted side (pool, session manager) and the processes it talks to (worker,
session kernel); it imports nothing beyond the standard library's json, os and struct, so the
sandboxed processes stay lean.
"""

from __future__ import annotations

import json
import os
import struct

HEADER = struct.Struct(">I")
_encode = json.JSONEncoder(separators=(",", ":")).encode
_decode = json.JSONDecoder().decode


def read_exact(fd: int, size: int) -> bytes:
    """Exactly ``size`` bytes from ``fd``; ``EOFError`` if it closes first."""
    chunks = []
    while size:
        data = os.read(fd, size)
        if not data:
            raise EOFError
        chunks.append(data)
        size -= len(data)
    return b"".join(chunks)


def read_frame(fd: int) -> dict:
    """The next message on ``fd`` (blocking)."""
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    return _decode(read_exact(fd, size).decode())


def write_frame(fd: int, message: dict) -> None:
    """Write ``message`` as one frame, however many writes it takes."""
    data = _encode(message).encode()
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]
