"""Bulk work over many checks: the audit, candidate pools, patterns, paths, alerts."""
