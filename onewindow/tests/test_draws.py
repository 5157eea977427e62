"""onewindow.draws: a draw replayed from its published seed gives the same result, whatever order
the candidates come in; the seed hashes to the commitment published before; the shuffle is
uniform (no modulo bias) and every seed gives a permutation."""

import hashlib
import itertools
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from onewindow import draws

SEED = "00" * 31 + "2a"


def test_the_commitment_is_the_sha256_of_the_seeds_bytes():
    seed = draws.new_seed()
    assert len(seed) == 64 and draws.commitment(seed) == hashlib.sha256(bytes.fromhex(seed)).hexdigest()
    assert draws.new_seed() != seed


def test_a_known_seed_gives_a_known_draw():
    # Pinned: a change of the algorithm would make every published draw unreplayable.
    assert draws.pick(SEED, ["A", "B", "C", "D", "E"], 5) == draws.pick(SEED, ["E", "D", "C", "B", "A"], 5)
    assert draws.pick(SEED, list("ABCDE"), 5) == _reference(SEED, list("ABCDE"))


def _reference(seed, candidates):
    """The algorithm as docs/market.md writes it, independently of draws.pick."""
    order = sorted(candidates)
    stream, counter = b"", 0
    for i in range(len(order) - 1, 0, -1):
        while True:
            while len(stream) < 8:
                stream += hashlib.sha256(bytes.fromhex(seed) + counter.to_bytes(8, "big")).digest()
                counter += 1
            value, stream = int.from_bytes(stream[:8], "big"), stream[8:]
            if value < 2**64 - 2**64 % (i + 1):
                break
        j = value % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


@given(st.binary(min_size=32, max_size=32), st.sets(st.text(min_size=1, max_size=8), min_size=1, max_size=30))
def test_every_seed_gives_a_permutation_and_replays_the_same(seed_bytes, names):
    seed = seed_bytes.hex()
    drawn = draws.pick(seed, list(names), len(names))
    assert sorted(drawn) == sorted(names)
    assert drawn == draws.pick(seed, sorted(names, reverse=True), len(names)) == _reference(seed, list(names))
    assert draws.pick(seed, list(names), 1) == drawn[:1]


def test_the_winner_is_uniform_over_many_seeds():
    wins = Counter(draws.pick(hashlib.sha256(str(i).encode()).hexdigest(), "ABCD", 1)[0] for i in range(4000))
    assert set(wins) == set("ABCD")
    assert all(850 <= n <= 1150 for n in wins.values()), wins  # 1000 expected each; ±4.9 σ
    orders = Counter(tuple(draws.pick(hashlib.sha256(b"x%d" % i).hexdigest(), "ABC", 3)) for i in range(3000))
    assert set(orders) == set(itertools.permutations("ABC"))
