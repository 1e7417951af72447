"""A drop-in `dataclass` for the PDU, command and event catalogues, cheaper to import.

On Python 3.11 `dataclasses.dataclass` compiles each generated method with its own `exec`:
six for a frozen class (`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`,
`__delattr__`). The catalogues define over two hundred classes, so importing them cost more
than the rest of start-up together. Here `__repr__`, `__eq__` and `__hash__` come from closures
over the field names, built without compiling anything, and behave as the generated ones do:
same text, equality only between instances of the same class, a frozen class hashes its
fields, a mutable one is unhashable. The classes stay real dataclasses (`fields()`,
`replace()`, `asdict()` work).
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def dataclass(cls: type[T], /) -> type[T]: ...


@overload
def dataclass(*, frozen: bool = ..., slots: bool = ..., kw_only: bool = ...,
              init: bool = ..., eq: bool = ..., repr: bool = ...) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def dataclass(cls: type[T] | None = None, /, *, frozen: bool = False, slots: bool = False,
              kw_only: bool = False, init: bool = True, eq: bool = True,
              repr: bool = True) -> Any:  # noqa: A002 - the dataclasses keyword
    """`dataclasses.dataclass(...)` with shared, uncompiled `__eq__`, `__hash__` and `__repr__`."""

    def wrap(target: type[T]) -> type[T]:
        made = dataclasses.dataclass(target, frozen=frozen, slots=slots, kw_only=kw_only,
                                     init=init, eq=False, repr=False)
        fields = dataclasses.fields(made)  # type: ignore[arg-type]
        own = made.__dict__
        shared: dict[str, Any] = {}
        if repr and "__repr__" not in own:
            shared["__repr__"] = _repr([f.name for f in fields if f.repr])
        if eq and "__eq__" not in own:
            shared["__eq__"] = _eq([f.name for f in fields if f.compare])
            if own.get("__hash__") is None:
                # dataclass's rule with eq=True: frozen hashes its fields, mutable is unhashable
                hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
                shared["__hash__"] = _hash(hashed) if frozen else None
        for name, method in shared.items():
            setattr(made, name, method)
        return made

    return wrap if cls is None else wrap(cls)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The field values as a tuple, as the generated methods compare them."""
    if not names:
        return lambda _obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    return getter


def _eq(names: list[str]) -> Callable[[Any, Any], Any]:
    values = _values(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(names: list[str]) -> Callable[[Any], int]:
    values = _values(names)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _repr(names: list[str]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__
