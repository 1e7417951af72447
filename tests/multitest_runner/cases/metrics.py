# ruff: noqa: F821  (multitest, and the globals set by other instances, are injected by the runner)
# Metrics are reported apart and never part of the compared output.
def instance0():
    multitest.next()
    multitest.output_metric("throughput 123 B/s")
    print("measured")


def instance1():
    multitest.next()
    print("measured too")
