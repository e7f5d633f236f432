"""Reading the small settings files a user writes (mapping, policy): TOML, or YAML by suffix."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ConfigFileError", "read_config"]


class ConfigFileError(ValueError):
    """A settings file that cannot be read or parsed; the message is the first line of why."""


def read_config(path: Path) -> Any:
    """The parsed content of ``path`` (``.yaml``/``.yml``: YAML, anything else: TOML; a BOM is allowed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        return yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigFileError(reason) from exc
