"""Benchmarks: python -m benchmarks.run --scale force|national|dense."""
