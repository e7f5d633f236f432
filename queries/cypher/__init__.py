"""The analysts' Cypher library: parameterised read-only queries (``*.cypher``) and their checks."""
