"""Is a secret set by hand strong enough? Its length, variety and repetition.

A secret must be at least :data:`MIN_SECRET_CHARS` long, its characters' Shannon entropy
times its length at least :data:`MIN_SECRET_BITS` (``"a" * 64`` scores zero; a random hex
string of 32 characters, ``openssl rand -hex 16``, at least 90 in 20 000 draws), and it must
not shrink much under zlib (a word repeated does; random text does not, 0.9 of its length
at worst). This cannot prove randomness; it refuses the obviously guessable.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter

MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 80.0
MIN_COMPRESSED_SHARE = 0.75
HOW_TO_GENERATE = "generate one with `openssl rand -hex 32`"
_ZLIB_OVERHEAD_BYTES = 6  # header and checksum of a zlib stream


def estimated_bits(secret: str) -> float:
    """Shannon entropy of the characters of ``secret`` times its length, in bits."""
    counts = Counter(secret)
    total = len(secret)
    return -sum(n * math.log2(n / total) for n in counts.values())


def compressed_share(secret: str) -> float:
    """zlib's output (without its overhead) as a share of the secret's length."""
    squeezed = len(zlib.compress(secret.encode(), 9)) - _ZLIB_OVERHEAD_BYTES
    return squeezed / len(secret.encode()) if secret else 0.0


def weakness(name: str, secret: str) -> str | None:
    """Why the secret called ``name`` is too weak, or ``None`` when it will do."""
    if len(secret) < MIN_SECRET_CHARS:
        return (f"{name} is {len(secret)} characters long: use at least {MIN_SECRET_CHARS} "
                f"random ones ({HOW_TO_GENERATE})")
    bits = estimated_bits(secret)
    if bits < MIN_SECRET_BITS:
        return (f"{name} is too predictable (about {bits:.0f} bits, at least "
                f"{MIN_SECRET_BITS:.0f} needed): {HOW_TO_GENERATE}")
    if compressed_share(secret) < MIN_COMPRESSED_SHARE:
        return f"{name} repeats itself, so it is too predictable: {HOW_TO_GENERATE}"
    return None
