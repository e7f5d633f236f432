"""Credentials never reach the screen: the configured Neo4j password, and any password or
query value written into a Neo4j URI, are replaced by ``***`` in everything printed."""

from __future__ import annotations

import os
import re
from functools import cache
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["redact", "register_uri", "secrets"]

#: a URI's user info (``user:password@``) and query (``?key=value``)
_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")
_QUERY = re.compile(r"(?<=[\w\]:/])\?[^\s)\"']*")
_URI = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.I)
MIN_SECRET = 3  # shorter "secrets" would blank out ordinary words


_registered: tuple[str, ...] = ()  # URIs in use this process (the --neo4j given)


def register_uri(uri: str) -> None:
    """Treat the password and query values of ``uri`` (the Neo4j URI in use) as secrets."""
    global _registered
    if uri not in _registered:
        _registered = (*_registered, uri)


def secrets() -> tuple[str, ...]:
    """``NEO4J_PASSWORD``, and the password and query values of ``NEO4J_URI`` and of every URI
    registered by :func:`register_uri`, longest first (worked out once per configuration:
    this runs for every line printed)."""
    return _secrets(os.environ.get("NEO4J_PASSWORD", ""), os.environ.get("NEO4J_URI", ""), _registered)


@cache
def _secrets(password: str, env_uri: str, registered: tuple[str, ...]) -> tuple[str, ...]:
    found = {password}
    for uri in (*_URI.findall(env_uri), *registered):
        parts = urlsplit(uri)
        found.add(unquote(parts.password or ""))
        found.update(value for _, value in parse_qsl(parts.query))
    return tuple(sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every secret, URI user info and URI query replaced by ``***``.

    >>> redact("cannot reach bolt://neo4j:pw@host:7687/?token=abc")
    'cannot reach bolt://***@host:7687/?***'
    """
    if "://" in text:
        text = _URI.sub(lambda m: _QUERY.sub("?***", _USERINFO.sub("***@", m.group())), text)
    for secret in secrets():
        if secret in text:
            text = text.replace(secret, "***")
    return text
