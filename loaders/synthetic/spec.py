"""What to generate (:class:`ForceSpec`, :data:`SCALES`), the output tables and the simulation's rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coi.graph.model import ASSOCIATION_KINDS, ASSOCIATION_SOURCES, CASE_TYPES, RANKS, ROLES, UNIT_KINDS


@dataclass(frozen=True)
class ForceSpec:
    officers: int = 400  # serving + leavers, per force, roughly
    forces: int = 1
    years: int = 25  # history length ending at `end`
    end: date = date(2025, 12, 31)
    cases_per_officer: float = 0.25  # ~cases per officer over the whole history
    conflict_share: float = 0.15  # share of investigator allocations deliberately conflicted
    seed: int = 1
    posting_years: float = 3.0  # mean planned length of a posting
    team_constables: tuple[int, int] = (5, 10)  # constables per team, drawn uniformly
    constables_per_sergeant: int = 0  # 0: one sergeant leads a team; else a sergeant per this many constables
    psd_team_positions: int = 300  # positions of the force per professional standards team


SCALES: dict[str, ForceSpec] = {
    "small": ForceSpec(officers=300),
    "force": ForceSpec(officers=4000),
    "national": ForceSpec(officers=5800, forces=43, cases_per_officer=4.0, posting_years=1.6),
    # a big city force: few, crowded units (hundreds of officers at once), a long history
    "dense": ForceSpec(
        officers=30000,
        years=35,
        cases_per_officer=2.8,
        team_constables=(80, 240),
        constables_per_sergeant=10,
        psd_team_positions=500,
    ),
}
PLANTED_KINDS = ("line_manager", "supervisor_of_unit", "same_unit", "friend")
HEADERS = {
    "units": ("unit_id", "name", "parent_unit_id", "kind", "tags"),
    "officers": ("officer_id", "name", "rank", "collar_number", "joined_on", "left_on"),
    "people": ("person_id", "name"),
    "postings": ("officer_id", "unit_id", "start_date", "end_date", "role", "supervisor", "line_manager_id"),
    "cases": ("case_id", "case_type", "opened_on", "closed_on", "counter_allegation_of", "summary"),
    "assignments": ("case_id", "person_id", "role", "start_date", "end_date"),
    "associations": ("person_a", "person_b", "kind", "start_date", "end_date", "source"),
    "planted": ("case_id", "investigator_id", "on", "kind"),
}

LADDER = tuple(r for r in RANKS if r != "staff")  # constable .. chief_constable
# yearly chances, scaled by the posting length into chances per end of a posting
LEAVE = dict(zip(RANKS, (0.027, 0.027, 0.033, 0.047, 0.067, 0.083, 0.1, 0.117, 0.15, 0.04), strict=True))
PROMOTE = dict(zip(RANKS, (0.023, 0.033, 0.033, 0.04, 0.04, 0.04, 0.04, 0.033, 0.0, 0.0), strict=True))
EXTERNAL = dict(zip(RANKS, (1.0, 0.03, 0.05, 0.05, 0.05, 0.1, 0.5, 0.5, 0.7, 1.0), strict=True))
SERVICE = dict(
    zip(
        RANKS,
        ((0, 12), (4, 18), (8, 22), (12, 25), (15, 27), (18, 28), (20, 30), (22, 30), (24, 32), (0, 15)),
        strict=True,
    )
)
CASE_WEIGHTS = dict(zip(CASE_TYPES, (45, 22, 8, 10, 7, 8), strict=True))
CASE_DAYS = dict(zip(CASE_TYPES, (120, 200, 400, 300, 350, 150), strict=True))
COUNTER = dict(zip(CASE_TYPES, (0.03, 0.0, 0.02, 0.15, 0.08, 0.02), strict=True))

_USED = (
    ({"force", "command", "department", "station", "team"}, set(UNIT_KINDS)),
    ({"subject", "investigator", "supervisor", "appropriate_authority", "complainant", "witness"}, set(ROLES)),
    ({"partner", "former_partner", "family", "friend", "business", "other"}, set(ASSOCIATION_KINDS)),
    ({"declared", "reported", "inferred"}, set(ASSOCIATION_SOURCES)),
)
if not all(used <= declared for used, declared in _USED):
    raise ImportError("coi.loaders.synthetic uses values missing from graph.model's enumerations")
