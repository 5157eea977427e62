"""Random draws anyone can replay (随机抽取; RULES.md "Intermediary market", "Public resource
trading"): the intermediary market's random selection and short list, and the trading's expert
committees.

Commit, then reveal. A draw's seed (32 random bytes from the operating system's CSPRNG,
`secrets`) is made first and only its SHA-256 (the commitment) is published; when the draw runs,
the seed is published with the candidates and the result. Anyone can then check that the seed
hashes to the commitment published before, and replay the draw with `pick`:

1. the candidates are sorted by their key (a credit code, an expert's number) — the order they
   were read in does not matter;
2. a byte stream is SHA-256(seed ‖ counter) for counter = 0, 1, 2, … (counter as 8 bytes,
   big-endian), each block 32 bytes;
3. a Fisher–Yates shuffle from the end: for i = n−1 down to 1, j is the next 8 bytes of the
   stream as an unsigned big-endian integer, redrawn while it falls in the incomplete last
   range (rejection sampling: no modulo bias), then j mod (i+1); swap items i and j;
4. the first k of the shuffled list are drawn, in that order (the first is the winner; the rest
   are the reserves, in order).

`pick` is small on purpose: the same twenty lines replay the draw in any language (docs/market.md
gives the algorithm and a Python snippet)."""

import hashlib
import secrets

SEED_BYTES = 32


def new_seed() -> str:
    """A fresh seed, hex (64 characters) — secret until the draw."""
    return secrets.token_hex(SEED_BYTES)


def commitment(seed: str) -> str:
    """What is published before the draw: SHA-256 of the seed's bytes, hex."""
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def _stream(seed: str):
    key, counter = bytes.fromhex(seed), 0
    while True:
        yield from hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        counter += 1


def _below(stream, bound: int) -> int:
    """A uniform integer in [0, bound) from 8 bytes of the stream at a time."""
    span = 1 << 64
    limit = span - span % bound
    while True:
        value = int.from_bytes(bytes(next(stream) for _ in range(8)), "big")
        if value < limit:
            return value % bound


def pick(seed: str, candidates, k: int) -> list[str]:
    """The first `k` of the candidates' keys shuffled by the seed (all of them if fewer)."""
    order = sorted(str(c) for c in candidates)
    if len(set(order)) != len(order):
        raise ValueError("draw candidates must be distinct")
    stream = _stream(seed)
    for i in range(len(order) - 1, 0, -1):
        j = _below(stream, i + 1)
        order[i], order[j] = order[j], order[i]
    return order[: max(0, k)]
