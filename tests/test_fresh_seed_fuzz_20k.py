"""Differential tests (tests/oracle.py) for mismatches the differential fuzzer
(tests/test_fuzz_programs.py) found on seeds 20000 and up, which were never used while
the engine was fixed against seeds 0-19999:

- ``repeat`` writes a new contiguous tensor, also when every repeat is 1 and the input
  is expanded or transposed (numpy's ``tile`` would keep the input's layout), so a
  later ``flatten()`` of it is a view;
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}


def program(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = textwrap.dedent(text)


program("repeat_is_contiguous", """
import torch
x = torch.arange(6.).reshape(1, 3, 2)
for y in [x.expand(3, -1, -1), x.permute(2, 1, 0), x[..., ::2], x.expand(2, 3, 3, 2)[0]]:
    for reps in [(1,) * y.dim(), (1,) * (y.dim() + 1), (2,) + (1,) * (y.dim() - 1)]:
        r = y.repeat(*reps)
        print(reps, r.shape, r.stride(), r.is_contiguous(), r.detach().flatten()._is_view())
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fresh_seed_program(name):
    oracle.assert_same_output(PROGRAMS[name])
