"""The `multitest` object instances use: the lines it prints and how wait() reads stdin."""

from __future__ import annotations

import io

import pytest

from aioble_hci.multitest.injected import multitest


def test_next_prints_next(capsys) -> None:
    multitest.next()
    assert capsys.readouterr().out == "NEXT\n"


def test_globals_prints_a_set_line_per_name_with_the_repr(capsys) -> None:
    multitest.globals(BDADDR=(0, b"\x01\x02"), NAME="x")
    assert capsys.readouterr().out == "SET BDADDR = (0, b'\\x01\\x02')\nSET NAME = 'x'\n"


def test_broadcast_and_output_metric_prefix_the_message(capsys) -> None:
    multitest.broadcast("connected")
    multitest.output_metric("rate 10")
    assert capsys.readouterr().out == "BROADCAST connected\nOUTPUT_METRIC rate 10\n"


def test_skip_prints_skip_and_exits(capsys) -> None:
    with pytest.raises(SystemExit):
        multitest.skip()
    assert capsys.readouterr().out == "SKIP\n"


def test_wait_discards_other_broadcasts_until_its_own(monkeypatch) -> None:
    stdin = io.StringIO("BROADCAST other\r\nBROADCAST mine\r\nBROADCAST later\r\n")
    monkeypatch.setattr("sys.stdin", stdin)
    multitest.wait("mine")
    assert stdin.readline() == "BROADCAST later\r\n"


def test_wait_ends_the_instance_when_stdin_closes(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("BROADCAST other\n"))
    with pytest.raises(SystemExit):
        multitest.wait("mine")


def test_get_network_ip_falls_back_to_the_injected_host_ip(monkeypatch) -> None:
    monkeypatch.setitem(multitest.get_network_ip.__globals__, "HOST_IP", "192.0.2.7")
    assert multitest.get_network_ip() == "192.0.2.7"
