"""The synchronous schedule's shortcuts count and choose exactly what the direct scans do.

The rotated summed-area table (diamond visions), the padded emptiness array (movement
probes) and the table of arrest probabilities are checked against the plain kernels on
small tori, edges and corners included, and on several regions of different sizes.
"""

from __future__ import annotations

import numpy as np
import pytest

from centrehold.engine.core import kernels as C
from centrehold.engine.core.rng import SLOT_MOVE, hash_agent, hash_kt, hash_slot, tick_key
from centrehold.models.epstein import kernels as K
from centrehold.models.epstein import synchronous as S
from centrehold.models.epstein.rules import row_segments, vision_offsets


def _regions(sizes, seed):
    rng = np.random.default_rng(seed)
    width = np.array([w for w, _ in sizes], dtype=np.int64)
    height = np.array([h for _, h in sizes], dtype=np.int64)
    cell_offset = np.concatenate([[0], np.cumsum(width * height)]).astype(np.int64)
    tag = rng.choice([0, 0, 1, 2, 4, 5, 6, 7], size=int(cell_offset[-1])).astype(np.int8)
    return width, height, cell_offset, tag


@pytest.mark.parametrize("radius", [1, 3, 5])
def test_diamond_table_counts_equal_direct_counts(radius):
    width, height, cell_offset, tag = _regions([(13, 11), (11, 17), (12, 12)], 5)
    ws = {}
    sat, sat_base = S._sat_arrays(ws, width, height, radius)
    sat[:] = 12345  # stale content must not leak into the table
    S.build_diamond_sat(sat, sat_base, tag, radius, width, height, cell_offset)
    segs = row_segments(vision_offsets("von_neumann", radius))
    lut = K.tag_table(2)[0]
    checked = 0
    for r in range(width.shape[0]):
        w, h, base = int(width[r]), int(height[r]), int(cell_offset[r])
        hp = h + 2 * radius
        n = w + 2 * radius + hp - 1
        for y in range(h):
            for x in range(w):
                packed = S.diamond_sum(sat, sat_base[r], n, radius, x + radius, y + radius, hp)
                cops, acts, _ = K.count_vision(tag, base, w, h, x, y, segs, lut)
                centre = tag[base + y * w + x]
                own_cop = 1 if centre == K.T_FORCE else 0
                own_act = 1 if centre >= K.T_CIV and centre & 1 else 0
                assert (packed >> 16, packed & 0xFFFF) == (cops + own_cop, acts + own_act)
                checked += 1
    assert checked == 13 * 11 + 11 * 17 + 12 * 12


def test_diamond_radius_recognises_only_full_diamonds():
    assert S._diamond_radius({}, vision_offsets("von_neumann", 7)) == 7
    for shape in ("moore", "epstein", "euclidean"):
        assert S._diamond_radius({}, vision_offsets(shape, 3)) == -1
    assert S._diamond_radius({}, vision_offsets("von_neumann", 3)[:-1]) == -1


@pytest.mark.parametrize("shape,radius", [("von_neumann", 2), ("moore", 1), ("euclidean", 3)])
def test_padded_probes_choose_what_empty_near_chooses(shape, radius):
    width, height, cell_offset, tag = _regions([(9, 7), (8, 10)], 9)
    off = vision_offsets(shape, radius)
    ws = {}
    epad, pad, pad_base = S._empty_pad_arrays(ws, width, height, off)
    S.build_empty_pad(epad, tag, pad, pad_base, width, height, cell_offset)
    key, tick = np.uint64(77), np.int64(3)
    kt = np.uint64(tick_key(key, tick))
    for r in range(width.shape[0]):
        w, h, base = int(width[r]), int(height[r]), int(cell_offset[r])
        pw = w + 2 * pad
        lin = np.zeros((2, width.shape[0], off.shape[0]), dtype=np.int64)
        lin[0, r] = off[:, 1] * pw + off[:, 0]
        for y in range(h):
            for x in range(w):
                a = base + y * w + x
                want = K.empty_near(a, tag, base, w, h, x, y, off, SLOT_MOVE, key, tick)
                pc = pad_base[r] + (y + pad) * pw + pad + x
                j = S._empty_probe(np.uint64(hash_agent(kt, a)), epad, pc, lin, 0, r, off.shape[0],
                                   SLOT_MOVE)
                if j >= 0:
                    got = base + ((y + off[j, 1]) % h) * w + (x + off[j, 0]) % w
                    assert got == want
                else:  # every probe missed: the exact path decides, as in empty_near
                    assert want == K._empty_exact(a, tag, base, w, h, x, y, off, SLOT_MOVE,
                                                  key, tick)


def test_agent_hash_split_equals_full_hash():
    kt = np.uint64(tick_key(np.uint64(5), np.int64(9)))
    for a in (0, 1, 12345):
        for slot in (0, 4, 48, 55):
            full = hash_kt(kt, np.int64(a), np.int64(slot))
            assert hash_slot(np.uint64(hash_agent(kt, np.int64(a))), np.int64(slot)) == full


@pytest.mark.parametrize("rounding", [0, 1, 2])
def test_probability_table_equals_the_formula(rounding):
    tab = S.p_table(40, 2.3, rounding)
    for c in range(41):
        for a in range(1, 42):
            assert tab[c, a] == C.arrest_probability(c, a, 2.3, rounding)
