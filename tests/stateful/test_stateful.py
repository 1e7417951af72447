"""The stateful fuzzer of issue 11, run under pytest.

`make test` runs a short, derandomised pass (20 sequences of at most 30 steps, a few seconds;
generation only, no shrinking). For a long run (2,000 sequences of up to 60 steps, random
seed, shrinking on: about half an hour; 400 sequences take about seven minutes):

    AIOBLE_HCI_STATEFUL=long .venv/bin/python -m pytest tests/stateful/test_stateful.py -q -s -p no:logging

(`AIOBLE_HCI_STATEFUL_EXAMPLES` and `AIOBLE_HCI_STATEFUL_STEPS` override the sizes, and
`AIOBLE_HCI_STATEFUL_SEED=N` fixes hypothesis's seed so a run repeats;
`AIOBLE_HCI_STATEFUL_STATS=1` prints how each operation ended, with `-s`.) On a failure
hypothesis shrinks the sequence and prints the steps, and the seed/blob to reproduce it.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as fixed_seed
from hypothesis.stateful import run_state_machine_as_test

from tests.stateful.machine import OUTCOMES, SAMPLES, StackMachine

LONG = os.environ.get("AIOBLE_HCI_STATEFUL") == "long"
EXAMPLES = int(os.environ.get("AIOBLE_HCI_STATEFUL_EXAMPLES", 2000 if LONG else 20))
STEPS = int(os.environ.get("AIOBLE_HCI_STATEFUL_STEPS", 60 if LONG else 30))
SEED = os.environ.get("AIOBLE_HCI_STATEFUL_SEED")

SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=not LONG and SEED is None,
    database=None,
    print_blob=True,
    phases=[Phase.generate, Phase.shrink] if LONG else [Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.timeout(0 if LONG else 120)
def test_random_operation_sequences_never_escape_hang_or_leak() -> None:
    machine: type[StackMachine] = StackMachine
    if SEED is not None:
        machine = fixed_seed(int(SEED))(type("SeededStackMachine", (StackMachine,), {}))
    try:
        run_state_machine_as_test(machine, settings=SETTINGS)
    finally:
        if os.environ.get("AIOBLE_HCI_STATEFUL_STATS"):
            for (name, outcome), count in sorted(OUTCOMES.items()):
                print(f"{name:40} {outcome:24} {count:6} {SAMPLES.get((name, outcome), '')}")
