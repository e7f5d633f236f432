"""Deterministic synthetic police forces in the data-contract CSV format.

:func:`generate` writes units, officers, people, postings, cases, assignments and
associations for ``spec.forces`` forces, plus ``planted.csv``: investigator allocations
made deliberately conflicted (ground truth for the audit). Careers are simulated on a
fixed set of positions with one holder each at any time, so unit heads and line managers
are consistent; cases then draw subjects, complainants and investigators from who held
which position on the day. Forces are generated one at a time and streamed to disk.
"""

from .cli import main
from .spec import HEADERS, PLANTED_KINDS, SCALES, ForceSpec
from .writer import generate

__all__ = ["HEADERS", "PLANTED_KINDS", "SCALES", "ForceSpec", "generate", "main"]
