"""What publishing knows of the site already there: the last build's record of each file it
wrote (its inputs key and a hash of its bytes, and its identity right after that build) and
every file's identity now. A file whose identity is still the recorded one is exactly the
file that build wrote, so it can be kept or hard-linked without being read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

Identity = tuple[int, int, int]  # size, modification time in ns, inode


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass(frozen=True)
class Recorded:
    """What the last build into an output folder recorded about each file it wrote."""

    pages: Mapping[str, tuple[bytes | None, bytes]]  # path -> (inputs key or None, bytes hash)
    state: Mapping[str, Identity]  # path -> its identity right after that build


@dataclass
class Reuse:
    """The last build's record and the output folder as it is now (`live`: every file's
    identity); answers whether a page can be kept, or its bytes are already there."""

    recorded: Recorded
    live: Mapping[str, Identity]
    program: bytes  # program_key: part of every page key

    def keep(self, path: str, key: bytes) -> bool:
        """True if the file at path is the one the last build wrote with this key."""
        entry = self.recorded.pages.get(path)
        return entry is not None and entry[0] == key and self._untouched(path)

    def has_bytes(self, path: str, digest: bytes) -> bool:
        """True if the file at path is the one the last build wrote, and had these bytes."""
        entry = self.recorded.pages.get(path)
        return entry is not None and entry[1] == digest and self._untouched(path)

    def recorded_hash(self, path: str) -> bytes:
        return self.recorded.pages[path][1]

    def _untouched(self, path: str) -> bool:
        now = self.live.get(path)
        return now is not None and now == self.recorded.state.get(path)
