"""HCI command flow control as a sans-I/O core, driven by hand with a clock (Core Vol 4 Part E,
4.4: the host sends at most Num_HCI_Command_Packets commands; 7.7.14: opcode 0x0000 only
updates that count)."""

from __future__ import annotations

from aioble_hci.hci.command_flow import (
    CommandAnswered,
    CommandDropped,
    CommandFlowCore,
    CommandTimedOut,
)

RESET, READ_BD_ADDR, READ_VERSION = 0x0C03, 0x1009, 0x1001


def packet(opcode: int) -> bytes:
    return opcode.to_bytes(2, "little") + b"\x00"


def submit(core: CommandFlowCore, token: int, opcode: int, now: float, timeout: float = 1.0,
           urgent: bool = False) -> None:
    core.submit(token, opcode, packet(opcode), timeout, now, urgent)


def test_one_command_after_reset_then_as_many_as_the_answer_allows() -> None:
    """4.4: after power-on the host may send one command; each answer gives the new count."""
    core = CommandFlowCore()
    for token, opcode in enumerate((RESET, READ_BD_ADDR, READ_VERSION), 1):
        submit(core, token, opcode, 0.0)
    assert core.data_to_send() == [(1, packet(RESET))]
    assert core.receive_answer(RESET, 2, 0.1) == 1
    assert core.take_events() == [CommandAnswered(1)]
    assert core.data_to_send() == [(2, packet(READ_BD_ADDR)), (3, packet(READ_VERSION))]


def test_zero_credits_hold_commands_until_an_opcode_0_event_grants_one() -> None:
    """7.7.14: Num_HCI_Command_Packets 0 stops the host; Command Complete with opcode 0x0000
    only gives credits back and completes nothing."""
    core = CommandFlowCore()
    submit(core, 1, RESET, 0.0)
    core.data_to_send()
    core.receive_answer(RESET, 0, 0.1)
    submit(core, 2, READ_BD_ADDR, 0.2)
    assert core.data_to_send() == []
    assert core.receive_answer(0x0000, 1, 0.3) is None
    assert core.take_events() == [CommandAnswered(1)]
    assert core.data_to_send() == [(2, packet(READ_BD_ADDR))]


def test_an_answer_for_a_command_not_in_flight_completes_nothing() -> None:
    core = CommandFlowCore()
    submit(core, 1, RESET, 0.0)
    core.data_to_send()
    assert core.receive_answer(READ_BD_ADDR, 1, 0.1) is None
    assert core.unexpected_answers == 1 and core.is_in_flight(RESET)
    assert core.take_events() == []


def test_each_command_reports_its_own_deadline_and_times_out_there() -> None:
    core = CommandFlowCore()
    submit(core, 1, RESET, 10.0, timeout=2.0)
    submit(core, 2, READ_BD_ADDR, 10.5)
    assert core.data_to_send() == [(1, packet(RESET))]
    assert core.get_timer() == 12.0
    core.handle_timer(11.9)
    assert core.take_events() == [] and core.data_to_send() == []
    core.handle_timer(12.0)
    assert core.take_events() == [CommandTimedOut(1, consecutive=1)]
    # the controller will not answer: its credit is presumed back and the queue moves on
    assert core.data_to_send() == [(2, packet(READ_BD_ADDR))]
    assert core.get_timer() == 13.0


def test_a_credit_stall_fails_the_next_command_unsent_after_its_timeout() -> None:
    """Num_HCI_Command_Packets 0 with nothing of ours in flight: no answer can bring a credit."""
    core = CommandFlowCore()
    submit(core, 1, RESET, 0.0)
    core.data_to_send()
    core.receive_answer(RESET, 0, 1.0)
    core.take_events()
    submit(core, 2, READ_BD_ADDR, 2.0, timeout=5.0)
    assert core.get_timer() == 7.0
    core.handle_timer(7.0)
    assert core.take_events() == [CommandTimedOut(2, consecutive=1, waiting_for_credit=True)]
    assert core.data_to_send() == [] and core.queued == 0 and core.get_timer() is None


def test_while_exclusive_only_urgent_commands_go() -> None:
    core = CommandFlowCore()
    core.exclusive = True
    submit(core, 1, READ_BD_ADDR, 0.0)
    assert core.data_to_send() == []
    submit(core, 2, RESET, 0.0, urgent=True)
    assert core.data_to_send() == [(2, packet(RESET))]


def test_a_refused_packet_returns_its_credit_and_the_next_command_goes() -> None:
    core = CommandFlowCore()
    submit(core, 1, RESET, 0.0)
    submit(core, 2, READ_BD_ADDR, 0.0)
    assert core.data_to_send() == [(1, packet(RESET))]
    core.send_failed(1, 0.0)
    assert core.take_events() == [CommandDropped(1)]
    assert core.data_to_send() == [(2, packet(READ_BD_ADDR))]


def test_dropping_everything_reports_every_command_and_stops_the_timers() -> None:
    core = CommandFlowCore()
    submit(core, 1, RESET, 0.0)
    submit(core, 2, READ_BD_ADDR, 0.0)
    core.drop_all(0.5)
    assert core.take_events() == [CommandDropped(2), CommandDropped(1)]
    assert core.data_to_send() == [] and core.get_timer() is None
