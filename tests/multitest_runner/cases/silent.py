# ruff: noqa: F821  (multitest, and the globals set by other instances, are injected by the runner)
# instance1 goes quiet forever after its first line: the silence rule must end the test.
import time


def instance0():
    multitest.next()
    print("finished promptly")


def instance1():
    multitest.next()
    print("about to go quiet")
    while True:
        time.sleep_ms(1000)
