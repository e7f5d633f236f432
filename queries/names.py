"""How people are shown: officers by name and id; civilians by role and a pseudonym.

Complainants are often victims. Unless names are asked for, every non-officer, and any
officer who is only a complainant or witness in the dispute, is shown as
"Complainant 1", "Witness 1" or "Person 1", numbered in a stable order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from coi.graph.model import Assignment, Person

__all__ = ["Namer"]

LABELS = {"complainant": "Complainant", "witness": "Witness"}


class Namer:
    """Turns person ids into display names for one report."""

    def __init__(
        self,
        people: Mapping[str, Person],
        dispute_roles: Iterable[Assignment] = (),
        show_names: bool = False,
        role_labels: bool = True,
    ) -> None:
        """``dispute_roles``: the assignments that decide who is only a complainant or witness.
        ``role_labels=False`` labels every pseudonym "Person N" (for reports with no one case,
        where "Complainant" would itself tell that someone complained somewhere)."""
        self.people = people
        self.show_names = show_names
        roles: dict[str, set[str]] = {}
        for a in dispute_roles:
            roles.setdefault(a.person_id, set()).add(a.role)
        self._labels: dict[str, str] = {}
        counters: dict[str, int] = {}
        for pid in sorted(set(people) | set(roles)):
            person = people.get(pid)
            mine = roles.get(pid, set())
            civilian = person is None or not person.is_officer
            victim_only = bool(mine) and mine <= {"complainant", "witness"}
            if civilian or victim_only:
                roles_shown = ("complainant", "witness") if role_labels else ()
                label = next((LABELS[r] for r in roles_shown if r in mine), "Person")
                counters[label] = counters.get(label, 0) + 1
                self._labels[pid] = f"{label} {counters[label]}"

    def is_pseudonymised(self, pid: str) -> bool:
        return pid in self._labels and not self.show_names

    def __call__(self, pid: str | None) -> str:
        """Display text for a person: "Name (ID)" or "Complainant 1"."""
        if not pid:
            return "nobody"
        person = self.people.get(pid)
        if pid in self._labels and not self.show_names:
            return self._labels[pid]
        if person and person.name:
            return f"{person.name} ({pid})"
        return pid
