"""A whole force, its tables as rows, and :func:`generate` streaming them to CSV files."""

from __future__ import annotations

import csv
from contextlib import ExitStack
from pathlib import Path

from .careers import CareersMixin
from .cases import CasesMixin
from .names import FIRST, LAST, TRICKY
from .spec import HEADERS, LADDER, ForceSpec
from .state import iso
from .units import UnitsMixin


class Force(UnitsMixin, CareersMixin, CasesMixin):
    """One force: unit tree, positions, simulated careers, then cases and associations."""

    def rows(self) -> dict[str, list[tuple]]:
        """Every table of this force as rows of strings, in a fixed order."""
        rng, oid = self.rng, self.oid
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in oid]
        if self.index == 0:
            for i, name in enumerate(TRICKY):
                names[min(3 + 7 * i, len(names) - 1 - i)] = name
        units = self.units
        return {
            "units": units,
            "officers": [
                (
                    oid[o],
                    names[o],
                    self.o_rank[o],
                    str(1000 + o * 7919 % 9000) if self.o_rank[o] in LADDER[:2] else "",
                    iso(self.o_joined[o]),
                    iso(self.o_left[o]),
                )
                for o in range(len(oid))
            ],
            "people": [(f"{self.code}-P{i + 1:06d}", n) for i, n in enumerate(self.people)],
            "postings": [
                (
                    oid[o],
                    units[self.p_unit[p]][0],
                    iso(s),
                    iso(e),
                    self.p_role[p],
                    "true" if self.p_sup[p] else "false",
                    "" if m is None else oid[m],
                )
                for o in range(len(oid))
                for s, e, p, m in self.o_posts[o]
            ],
            "cases": self.cases,
            "assignments": self.assignments,
            "associations": self.assocs,
            "planted": self.planted,
        }


_DEFAULT_SPEC = ForceSpec()  # frozen, so one shared default is safe


def _positions_for(spec: ForceSpec) -> int:
    """Positions (serving officers at any time) giving about `spec.officers` incl. leavers."""
    return max(60, round(spec.officers / (1 + 0.04 * spec.years)))


def generate(out_dir: Path, spec: ForceSpec = _DEFAULT_SPEC) -> dict[str, int]:
    """Write the seven CSV tables (+ planted.csv) into out_dir; return row counts per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(HEADERS, 0)
    with ExitStack() as stack:
        files = {t: stack.enter_context(open(out_dir / f"{t}.csv", "w", encoding="utf-8", newline="")) for t in HEADERS}
        writers = {t: csv.writer(f, lineterminator="\n") for t, f in files.items()}
        for t, header in HEADERS.items():
            writers[t].writerow(header)
        for i in range(spec.forces):
            force = Force(spec, i)
            force.build_units(_positions_for(spec))
            force.simulate()
            force.make_cases(round(spec.officers * spec.cases_per_officer))
            for t, rows in force.rows().items():
                writers[t].writerows(rows)
                counts[t] += len(rows)
            del force
    return counts
