"""The `multitest` object a test instance talks to the runner through.

This file's source is appended to each instance's script (so it must run unchanged on MicroPython
too); the runner reads the lines it prints: NEXT, SET, BROADCAST, SKIP, OUTPUT_METRIC and
WAIT_FOR_REBOOT (shared/reference/multitest-protocol.md, section 2). It is also importable, for tests.
"""

import sys


class multitest:
    @staticmethod
    def flush():
        """Push printed lines to the runner now."""
        try:
            sys.stdout.flush()
        except AttributeError:
            pass

    @staticmethod
    def next():
        """Ready: the runner may start the next instance."""
        print("NEXT")
        multitest.flush()

    @staticmethod
    def globals(**names):
        """Give later instances these globals (values must round-trip through repr)."""
        for name in names:
            print("SET {} = {!r}".format(name, names[name]))  # noqa: UP032 (MicroPython builds without f-strings)
        multitest.flush()

    @staticmethod
    def broadcast(msg):
        """Send msg to every other instance (their wait(msg) returns)."""
        print("BROADCAST", msg)
        multitest.flush()

    @staticmethod
    def wait(msg):
        """Block until another instance broadcasts msg; other broadcasts read meanwhile are lost."""
        expected = "BROADCAST " + msg
        while True:
            line = sys.stdin.readline()
            if not line:
                raise SystemExit("multitest.wait: the runner closed stdin")
            if line.rstrip() == expected:
                return

    @staticmethod
    def skip():
        """Skip the whole test (honoured before next() only)."""
        print("SKIP")
        multitest.flush()
        raise SystemExit

    @staticmethod
    def output_metric(data):
        """Report a measurement: shown after the verdict, never compared."""
        print("OUTPUT_METRIC", data)
        multitest.flush()

    @staticmethod
    def expect_reboot(resume, delay_ms=0):
        """Announce a reboot after which the runner calls resume() (boards only)."""
        print("WAIT_FOR_REBOOT", resume, delay_ms)
        multitest.flush()

    @staticmethod
    def get_network_ip():
        """This instance's IP address: from `nic` or the network module, else the host's."""
        try:
            return globals()["nic"].ifconfig()[0]
        except Exception:
            pass
        try:
            import network

            interface = network.WLAN() if hasattr(network, "WLAN") else network.LAN()
            return interface.ifconfig()[0]
        except Exception:
            return globals()["HOST_IP"]
