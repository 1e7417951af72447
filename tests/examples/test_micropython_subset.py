"""Each MicroPython example stays inside the subset MicroPython runs (checked with ast)."""

from __future__ import annotations

import pytest

from tests.examples.conftest import EXAMPLES
from tests.examples.micropython_subset import micropython_problems

# demo.py is the CPython launcher of `make demo` (subprocess, pathlib), not a board program.
BOARD_EXAMPLES = sorted(p.name for p in EXAMPLES.glob("*.py") if p.name != "demo.py")


def test_the_examples_this_check_covers() -> None:
    assert {"l2cap_file_client.py", "l2cap_file_server.py", "scanner.py",
            "temp_client.py", "temp_sensor.py"} <= set(BOARD_EXAMPLES)


@pytest.mark.parametrize("name", BOARD_EXAMPLES)
def test_example_uses_only_what_micropython_has(name: str) -> None:
    path = EXAMPLES / name
    assert micropython_problems(path.read_text(), str(path)) == []


@pytest.mark.parametrize(("source", "problem"), [
    ("import pathlib\n", "import of 'pathlib'"),
    ("from dataclasses import dataclass\n", "import of 'dataclasses'"),
    ("from typing import Any\n", "import of 'typing'"),
    ("from __future__ import annotations\n", "import of '__future__'"),
    ("x = 1\nprint(f'{x=}')\n", "f-string"),
    ("print('a', flush=True)\n", "print(flush=...)"),
    ("import os\nos.path.join('a', 'b')\n", "os.path"),
    ("'a'.ljust(5)\n", "str.ljust"),
    ("match 1:\n    case 1:\n        pass\n", "match statement"),
    ("def f(a, /):\n    pass\n", "positional-only parameters"),
    ("async def f():\n    yield 1\n", "async generator"),
])
def test_subset_check_refuses_what_micropython_lacks(source: str, problem: str) -> None:
    problems = micropython_problems(source)
    assert len(problems) == 1 and problem in problems[0], problems


def test_subset_check_accepts_an_async_function_defining_a_generator() -> None:
    source = "async def f():\n    def g():\n        yield 1\n    return list(g())\n"
    assert micropython_problems(source) == []
