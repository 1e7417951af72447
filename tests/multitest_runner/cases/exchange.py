# ruff: noqa: F821  (multitest, and the globals set by other instances, are injected by the runner)
# Two instances: globals from instance0, then a broadcast/wait handshake both ways.
import sys

sys.path.append("")

import time

from micropython import const

ANSWER = const(42)


def instance0():
    multitest.globals(SECRET=b"\x01\x02", ANSWER_SEEN=ANSWER)
    print("instance0 ready")
    multitest.next()
    multitest.wait("ping")
    print("got ping")
    multitest.broadcast("pong")
    print("done", time.ticks_diff(time.ticks_add(5, 10), 5))


def instance1():
    multitest.next()
    print("secret", SECRET, ANSWER_SEEN)
    multitest.broadcast("ping")
    multitest.wait("pong")
    print("got pong")
