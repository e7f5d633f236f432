"""No credential is ever printed: the configured password, or one written into a Neo4j URI
(user info or query string), is replaced by *** in every error, note and JSON document.

The servers are unreachable on purpose (port 9): no Neo4j is needed, and the errors are the
real ones the driver raises.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from coi import exitcodes
from coi.redact import redact, register_uri

SECRET = "S3cret-PW-42"


def coi(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coi", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": SECRET, "COI_TRAIL": os.devnull, **env},
        timeout=120,
    )


URIS = {
    "query": f"bolt://127.0.0.1:9/?x={SECRET}",
    "user info": f"bolt://neo4j:{SECRET}@127.0.0.1:9",
    "path": f"neo4j://127.0.0.1:9/{SECRET}",
    "http": f"http://neo4j:{SECRET}@127.0.0.1:9",
}


@pytest.mark.parametrize("where", list(URIS))
@pytest.mark.parametrize(
    "command", [["check", "--case", "K1", "--investigator", "O4"], ["audit", "--json"], ["patterns"]]
)
def test_a_password_is_never_printed(where: str, command: list[str]) -> None:
    done = coi(*command, "--neo4j", URIS[where])
    assert done.returncode == exitcodes.STORE, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("error:")]) == 1


def test_a_password_in_neo4j_uri_from_the_environment_is_never_printed() -> None:
    done = coi("load", "tests/fixtures/example", "--json", NEO4J_URI=URIS["query"])
    assert done.returncode == exitcodes.STORE and SECRET not in done.stdout + done.stderr


def test_http_is_not_a_bolt_uri() -> None:
    done = coi("check", "--case", "K1", "--investigator", "O4", "--neo4j", "http://127.0.0.1:7474")
    assert done.returncode == exitcodes.STORE
    assert "not a Neo4j Bolt URI" in done.stderr and "aiohttp" not in done.stderr


def test_redact_covers_user_info_queries_and_registered_secrets() -> None:
    register_uri("bolt://u:pw-from-uri@h:7687/?token=tok-from-query")
    text = "bolt://u:pw-from-uri@h:7687/?token=tok-from-query failed; pw-from-uri; tok-from-query"
    assert redact(text) == "bolt://***@h:7687/?*** failed; ***; ***"
    assert json.loads(redact(json.dumps({"store": "neo4j://a:b@c"}))) == {"store": "neo4j://***@c"}
