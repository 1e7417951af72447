"""Benchmarks against Bumble (and tshark): `python -m benchmarks` (`make bench`).

Each workload runs the same work on both stacks, several times, alternating; every figure
is the median of the runs with their min and max, and ratios are taken run by run.
"""
