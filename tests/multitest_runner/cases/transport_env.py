# ruff: noqa: F821  (multitest, and the globals set by other instances, are injected by the runner)
# Shows the controller each instance was given, and that each has its own working directory.
import os


def instance0():
    multitest.globals(DIR0=os.getcwd())
    multitest.next()
    spec = os.environ.get("AIOBLE_HCI_TRANSPORT", "")
    print("air" if spec.startswith("air:") and os.path.exists(spec[4:]) else "no air: " + spec)
    multitest.wait("checked")


def instance1():
    multitest.next()
    spec = os.environ.get("AIOBLE_HCI_TRANSPORT", "")
    print("air" if spec.startswith("air:") and os.path.exists(spec[4:]) else "no air: " + spec)
    print("own cwd", os.getcwd() != DIR0)
    multitest.broadcast("checked")
