"""What a harness is: a named `TestOneInput(data)` with its target and seed inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_DIR = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Harness:
    """One fuzz target.

    `test_one_input` raises only when an invariant breaks; `escapes` names the exception types
    the target may legitimately raise (the harness catches them itself). `seeds` maps a file
    name (catalog case ID first, e.g. "H1-adv-report-length-lies") to the input bytes.
    """

    name: str
    target: str
    test_one_input: Callable[[bytes], None]
    escapes: str
    seeds: dict[str, bytes] = field(default_factory=dict)

    @property
    def corpus_dir(self) -> Path:
        return CORPUS_DIR / self.name

    def corpus(self) -> list[bytes]:
        """Seed inputs plus every file in the corpus directory (deduplicated, stable order)."""
        inputs = dict.fromkeys(self.seeds.values())
        if self.corpus_dir.is_dir():
            for path in sorted(self.corpus_dir.iterdir()):
                if path.is_file():
                    inputs.setdefault(path.read_bytes())
        return list(inputs) or [b""]
