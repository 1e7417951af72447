"""Reading multitest files, building instance scripts, and parsing instance specs."""

from __future__ import annotations

import pytest

from aioble_hci.multitest.script import build_script, instance_count, uses_bluetooth
from aioble_hci.multitest.specs import InstanceSpec, Kind


def test_instance_count_is_one_more_than_the_highest_instance_function() -> None:
    source = "def instance0():\n    pass\n\ndef instance2():\n    pass\n"
    assert instance_count(source) == 3


def test_a_file_without_instance_functions_has_none() -> None:
    assert instance_count("def main():\n    pass\n") == 0


@pytest.mark.parametrize("source", ["import aioble\n", "import bluetooth\n", "from aioble import core\n",
                                    "import asyncio, bluetooth\n", "    import aioble.security\n"])
def test_imports_of_aioble_or_bluetooth_mean_the_test_needs_a_controller(source: str) -> None:
    assert uses_bluetooth(source)


def test_a_test_without_ble_imports_needs_no_controller() -> None:
    assert not uses_bluetooth("import time\n# import bluetooth is mentioned in a comment only\n")
    assert not uses_bluetooth("import bluetooth_tools\n")


def test_script_removes_the_empty_path_entry_then_calls_the_instance() -> None:
    script = build_script("def instance1():\n    pass\n", 1, "X = 1\n", "/tests")
    assert script.startswith("import sys\nsys.path.remove('')\nsys.path.append('/tests')\n")
    assert "class multitest:" in script
    assert script.index("X = 1\n") < script.index("instance1()\nmultitest.flush()\n")
    assert script.endswith("instance1()\nmultitest.flush()\n")


@pytest.mark.parametrize("text, kind, value", [
    ("auto", Kind.AUTO, ""),
    ("air", Kind.AIR, ""),
    ("none", Kind.NONE, ""),
    ("exec:micropython -X heapsize=1M", Kind.EXEC, "micropython -X heapsize=1M"),
    ("serial:/dev/ttyACM0", Kind.TRANSPORT, "serial:/dev/ttyACM0"),
    ("air:/tmp/air.sock", Kind.TRANSPORT, "air:/tmp/air.sock"),
])
def test_instance_specs_parse_by_form(text: str, kind: Kind, value: str) -> None:
    spec = InstanceSpec.parse(text)
    assert (spec.kind, spec.value) == (kind, value)
    assert str(spec) == text


@pytest.mark.parametrize("text", ["", "exec:"])
def test_empty_instance_specs_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="exec:"):
        InstanceSpec.parse(text)
