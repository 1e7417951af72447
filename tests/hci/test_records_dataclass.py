"""aioble_hci.records.dataclass behaves as dataclasses.dataclass does, with cheaper methods."""

from __future__ import annotations

import dataclasses

import pytest

from aioble_hci.records import dataclass


@dataclass(frozen=True)
class Frozen:
    a: int
    b: bytes = b""
    c: int = dataclasses.field(default=0, compare=False)


@dataclasses.dataclass(frozen=True)
class StandardFrozen:
    a: int
    b: bytes = b""
    c: int = dataclasses.field(default=0, compare=False)


@dataclass
class Mutable:
    a: int


@dataclass(frozen=True)
class SameFields:
    a: int
    b: bytes = b""
    c: int = 0


def test_repr_reads_as_the_standard_dataclass_repr() -> None:
    ours, theirs = Frozen(1, b"x", 2), StandardFrozen(1, b"x", 2)
    assert repr(ours).replace("Frozen", "X") == repr(theirs).replace("StandardFrozen", "X")


def test_equality_compares_the_compared_fields_of_the_same_class_only() -> None:
    assert Frozen(1, b"x", 2) == Frozen(1, b"x", 3)  # c has compare=False
    assert Frozen(1, b"x") != Frozen(2, b"x")
    assert Frozen(1) != SameFields(1)  # another class with the same fields is never equal


def test_a_frozen_class_hashes_its_fields_as_the_standard_one_does() -> None:
    assert hash(Frozen(1, b"x", 2)) == hash(StandardFrozen(1, b"x", 5))
    assert len({Frozen(1), Frozen(1), Frozen(2)}) == 2


def test_a_mutable_class_is_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(Mutable(1))


def test_it_stays_a_dataclass() -> None:
    assert [f.name for f in dataclasses.fields(Frozen)] == ["a", "b", "c"]
    assert dataclasses.replace(Frozen(1, b"x"), a=5) == Frozen(5, b"x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        Frozen(1).a = 2  # type: ignore[misc]
