"""Files a site stores gzip-compressed (the search index, the public data's parts), their
bytes fixed by their content alone."""

from __future__ import annotations

import struct
import zlib

# gzip's header, fixed: deflate, no flags (so no file name), modification time 0, no extra
# flags, OS 255 ("unknown"). gzip.compress(mtime=0) leaves the OS byte to the Python version
# (Python 3.11 writes zlib's 3, for Unix; later ones 255: CPython issue 112346), and a new
# Python would change every file.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"

def gzipped(data: bytes, level: int) -> bytes:
    """`data` as a gzip stream at `level` with the fixed header: the same data and level
    always give the same bytes (gzip.decompress, `gunzip` and DecompressionStream read it)."""
    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return (GZIP_HEADER + deflate.compress(data) + deflate.flush()
            + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFF_FFFF))
