"""Child process for the atheris engine: `python -m tests.fuzz.atheris_worker NAME [libFuzzer args]`."""

from __future__ import annotations

import logging
import sys


def main() -> None:
    import atheris

    name, libfuzzer_args = sys.argv[1], sys.argv[2:]
    with atheris.instrument_imports(include=["aioble_hci"]):
        from tests.fuzz.registry import HARNESSES
    logging.disable(logging.CRITICAL)
    harness = HARNESSES[name]
    atheris.Setup([sys.argv[0], *libfuzzer_args], harness.test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
