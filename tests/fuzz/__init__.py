"""Fuzz harnesses, one per parser and state machine, and the `python -m tests.fuzz` runner.

Each harness is an atheris-style `TestOneInput(data: bytes) -> None`: it feeds the bytes to one
target and raises (AssertionError or the escaping exception) only when an invariant breaks. The
runner drives them with atheris (coverage-guided) when it is importable, else with hypothesis.
"""
