"""0/1 Hadamard matrices for balanced repeated replication, chosen as R ``survey``'s ``hadamard``.

A Hadamard matrix H of order m has ±1 entries and HᵀH = m I; BRR uses rows 2…n + 1 of its 0/1
form to choose the half-sample of each of n strata in each of m replicates (Wolter 2007, §3.4).
Constructions:

- Sylvester doubling H ↦ [[H, H], [H, 1 − H]] from the order-4 matrix [[1,1,1,1], [1,0,1,0],
  [1,1,0,0], [1,0,0,1]] (orders 4 · 2ᵏ);
- Paley's construction of order p + 1 for a prime p ≡ 3 (mod 4) up to 7919: entry (i, j) of the
  core is 0 when (i + j) mod p is 0 or a quadratic residue mod p, 1 otherwise, bordered by ones.

`hadamard(n)` makes R's choice of order for n strata (``survey:::hadamard(n)``). R keeps two
precooked matrices of orders 28 and 36 (from Sloane's library); where R would use them (or their
doublings) this module uses the smallest Sylvester or Paley matrix of order > n instead, so the
replicates differ from R's but keep full orthogonal balance (variances of totals agree). Pass R's
matrix as ``hadamard_matrix`` to `sampling.weighting.brr_factors` for replicate-level parity.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]

_BASE = np.array([[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1]], dtype=np.int64)
_PRECOOKED = (4, 16, 28, 36)
_LARGEST_PRIME = 7919


@cache
def _paley_primes() -> frozenset[int]:
    sieve = np.ones(_LARGEST_PRIME + 1, dtype=np.bool_)
    sieve[:2] = False
    for i in range(2, math.isqrt(_LARGEST_PRIME) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    return frozenset(int(p) for p in np.flatnonzero(sieve) if p % 4 == 3)


def double(matrix: IntMatrix) -> IntMatrix:
    """Sylvester doubling [[H, H], [H, 1 − H]] (R's ``hadamard.doubler``)."""
    top = np.hstack([matrix, matrix])
    bottom = np.hstack([matrix, 1 - matrix])
    return np.vstack([top, bottom])


def _sylvester(order: int) -> IntMatrix:
    matrix = _BASE
    while matrix.shape[0] < order:
        matrix = double(matrix)
    return matrix


def paley_prime(p: int) -> IntMatrix:
    """Paley's 0/1 Hadamard matrix of order p + 1 for a prime p ≡ 3 (mod 4)."""
    if p not in _paley_primes():
        raise ValueError(f"p must be a prime ≡ 3 (mod 4) up to {_LARGEST_PRIME}, got {p!r}")
    index = np.arange(p)
    core = (index[:, None] + index[None, :]) % p
    residues = np.zeros(p, dtype=np.bool_)
    residues[0] = True
    residues[(np.arange(1, (p - 1) // 2 + 1) ** 2) % p] = True
    body = np.where(residues[core], 0, 1)
    out = np.ones((p + 1, p + 1), dtype=np.int64)
    out[1:, 1:] = body
    return out


def _paley(n: int, most: int) -> IntMatrix | None:
    """R's ``paley(n, nmax)``: a Paley matrix (possibly doubled) of order > n, None if none fits."""
    primes = _paley_primes()
    ceiling = n + 4 - n % 4
    if n % 4 + 4 == n % 8:
        order = ceiling
        while order % 8 == 0:
            order //= 2
        if order - 1 in primes:
            matrix = paley_prime(order - 1)
            while order < ceiling:
                matrix = double(matrix)
                order *= 2
            return matrix
    if n > _LARGEST_PRIME:
        return None
    p = min(q for q in primes if q >= n)
    if p + 1 > ceiling + 4 and ceiling + 4 < most:
        return _paley(ceiling + 3, 2 * (ceiling + 3))
    if p > most:
        return None
    return paley_prime(p)


def hadamard(n: int) -> IntMatrix:
    """A 0/1 Hadamard matrix of order > n for BRR on n strata (R's ``hadamard(n)`` choice)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n!r}")
    floor4 = n - n % 4
    fitting = [size for size in _PRECOOKED if floor4 < size <= floor4 + 4]
    if fitting:
        return _available(min(fitting), n)
    sizes = [size * 2 ** max(0, math.ceil(math.log2((n + 1) / size))) for size in _PRECOOKED]
    best = min(range(len(sizes)), key=lambda k: sizes[k] - n)
    if sizes[best] - n > 4:
        matrix = _paley(n, sizes[best])
        if matrix is not None:
            return matrix
    return _available(sizes[best], n)


def _available(order: int, n: int) -> IntMatrix:
    """Sylvester of `order` when it is 4 · 2ᵏ, else the smallest Sylvester/Paley of order > n."""
    if order & (order - 1) == 0:
        return _sylvester(order)
    sylvester = 4
    while sylvester <= n:
        sylvester *= 2
    paley = min((p for p in _paley_primes() if p + 1 > n), default=None)
    if paley is not None and paley + 1 < sylvester:
        return paley_prime(paley)
    return _sylvester(sylvester)


def is_hadamard(matrix: npt.ArrayLike) -> bool:
    """True when `matrix` is a square 0/1 matrix whose ±1 form H has HᵀH = m I."""
    array = np.asarray(matrix)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        return False
    if not np.isin(array, (0, 1)).all():
        return False
    signs = 2 * array.astype(np.int64) - 1
    return bool((signs.T @ signs == array.shape[0] * np.eye(array.shape[0])).all())
