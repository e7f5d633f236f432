"""The exit-code contract (documented in the README and ``coi --help``)."""

from __future__ import annotations

CLEAR = 0
INTERNAL = 1
USAGE = 2  # click's own code for usage errors
BAD_DATA = 3  # invalid input files, mapping or policy
NOT_FOUND = 4  # unknown case or person
STORE = 5  # store missing, unreadable, or Neo4j unreachable
TAMPERED = 6  # the audit log's hash chain does not verify
LOAD_INCOMPLETE = 7  # the load committed, but a step after it (re-check, state file) failed
OS_ERROR = (
    8  # an operating-system error: disk full, permission denied, read-only file system; the message names the path
)
OPEN_ALERTS = 9  # `coi recheck`: open, unacknowledged alerts
DECLARE = 10
CONFLICT = 20
DISQUALIFIED = 30
NOT_ALLOCATABLE = 40  # check: the person may not be allocated at all (not an officer, not serving, case closed)

BY_VERDICT = {"clear": CLEAR, "declare": DECLARE, "conflict": CONFLICT, "disqualified": DISQUALIFIED}


def of_check(verdict: str, allocatable: bool) -> int:
    """A check's exit code: not allocatable (40) wins over the verdict's code, whatever the verdict.

    (An error exit, 1 to 8, never reaches here: it ends the command before a verdict exists.)
    """
    return BY_VERDICT[verdict] if allocatable else NOT_ALLOCATABLE


TABLE = f"""exit codes: {CLEAR} clear (or success), {DECLARE} declare, {CONFLICT} conflict, {DISQUALIFIED} disqualified,
{NOT_ALLOCATABLE} not allocatable (before any verdict: not an officer, not serving, or case closed);
{USAGE} usage error, {BAD_DATA} bad input data, {NOT_FOUND} unknown case or person, {STORE} store unavailable,
{TAMPERED} audit log tampered, {LOAD_INCOMPLETE} load committed but a step after it failed,
{OS_ERROR} operating-system error (disk full, permission denied, read-only file system; the path is named),
{OPEN_ALERTS} open alerts (recheck), {INTERNAL} internal error"""
