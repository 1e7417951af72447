"""A static check that a program stays inside what MicroPython runs, done with CPython's ast.

It is a subset check, not a MicroPython interpreter: it refuses what MicroPython is known to
lack (modules, syntax, a few builtin features) and cannot prove that everything else exists.
"""

from __future__ import annotations

import ast

# Modules a MicroPython build with Bluetooth offers (as their CPython-compatible names).
MICROPYTHON_MODULES = frozenset({
    "aioble", "array", "asyncio", "binascii", "bluetooth", "collections", "errno", "gc",
    "hashlib", "heapq", "io", "json", "machine", "math", "micropython", "os", "random", "re",
    "select", "struct", "sys", "time",
})

# str methods CPython has and MicroPython's str lacks.
MISSING_STR_METHODS = frozenset({
    "casefold", "center", "expandtabs", "ljust", "removeprefix", "removesuffix", "rjust",
    "swapcase", "zfill",
})

# Keyword arguments MicroPython's builtins refuse (print takes only sep, end and file).
MISSING_PRINT_KEYWORDS = frozenset({"flush"})


class _Checker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.problems: list[str] = []

    def refuse(self, node: ast.AST, message: str) -> None:
        self.problems.append(f"line {getattr(node, 'lineno', '?')}: {message}")

    def check_module(self, node: ast.AST, name: str | None, level: int = 0) -> None:
        if level:
            self.refuse(node, "relative import (a board runs the file on its own)")
            return
        top = (name or "").split(".")[0]
        if top not in MICROPYTHON_MODULES:
            self.refuse(node, f"import of {name!r}, which MicroPython lacks")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_module(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.check_module(node, node.module, node.level)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        # f-strings are optional in MicroPython builds and never take `=` or nested quotes:
        # str.format works everywhere.
        self.refuse(node, "f-string (use str.format)")

    def visit_Match(self, node: ast.Match) -> None:
        self.refuse(node, "match statement")

    def visit_TryStar(self, node: ast.TryStar) -> None:
        self.refuse(node, "except*")

    def visit_arguments(self, node: ast.arguments) -> None:
        if node.posonlyargs:
            self.refuse(node.posonlyargs[0], "positional-only parameters")
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Yield | ast.YieldFrom) and self._owner(node, child) is node:
                self.refuse(child, "async generator")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        if node.is_async:
            self.refuse(node.iter, "async comprehension")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and node.value.id == "os" and node.attr == "path":
            self.refuse(node, "os.path (join paths with '/')")
        if node.attr in MISSING_STR_METHODS:
            self.refuse(node, f"str.{node.attr}, which MicroPython lacks (use str.format alignment)")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            for keyword in node.keywords:
                if keyword.arg in MISSING_PRINT_KEYWORDS:
                    self.refuse(node, f"print({keyword.arg}=...)")
        self.generic_visit(node)

    @staticmethod
    def _owner(root: ast.AST, target: ast.AST) -> ast.AST | None:
        """The innermost function (or lambda) under root that contains target."""
        owner: ast.AST | None = None
        stack: list[tuple[ast.AST, ast.AST | None]] = [(root, None)]
        while stack:
            node, current = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                current = node
            if node is target:
                owner = current
                break
            stack.extend((child, current) for child in ast.iter_child_nodes(node))
        return owner


def micropython_problems(source: str, filename: str = "<example>") -> list[str]:
    """What in `source` MicroPython would not run; an empty list when nothing was found."""
    checker = _Checker()
    checker.visit(ast.parse(source, filename))
    return checker.problems
