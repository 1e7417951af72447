# ruff: noqa: F821  (multitest, and the globals set by other instances, are injected by the runner)
# Prints something other than its .exp says: the runner must report FAIL with a diff.
def instance0():
    multitest.next()
    print("actual line")


def instance1():
    multitest.next()
    print("same line")
