"""Benchmarks: each prints one line with its ratio against a baseline measured in the same run."""
