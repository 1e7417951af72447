"""A short run of every fuzz harness: the catalog seeds, then 200 hypothesis examples each."""

from __future__ import annotations

import pytest

from tests.fuzz.engines import run_hypothesis
from tests.fuzz.known import is_known
from tests.fuzz.registry import HARNESSES

SMOKE_EXAMPLES = 200


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_fuzz_harness_finds_nothing_new_in_a_short_run(name: str) -> None:
    harness = HARNESSES[name]
    result = run_hypothesis(harness, max_examples=SMOKE_EXAMPLES, artifacts=None)
    assert result.executions >= SMOKE_EXAMPLES + len(harness.seeds)
    new = [f for f in result.findings if not is_known(name, f.message)]
    assert not new, "\n\n".join(f"{f.signature}\ninput: {f.data.hex()}\n{f.traceback}" for f in new)


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_every_catalog_seed_of_the_harness_is_in_its_corpus_directory(name: str) -> None:
    """`python -m tests.fuzz --write-corpus` keeps tests/fuzz/corpus in step with the seeds."""
    harness = HARNESSES[name]
    for seed_name, data in harness.seeds.items():
        assert (harness.corpus_dir / seed_name).read_bytes() == data, seed_name
