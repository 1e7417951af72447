# ruff: noqa: F821  (multitest, and the globals set by other instances, are injected by the runner)
# No .exp file: the expected output comes from a truth run, as the MicroPython harness does.
def instance0():
    multitest.next()
    print("deterministic", sum(range(10)))


def instance1():
    multitest.next()
    print("also deterministic")
