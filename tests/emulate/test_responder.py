"""The replay rules of one connection (behaviour.Responder), on a model built by hand."""

from __future__ import annotations

from aioble_hci.emulate.behaviour import Responder
from aioble_hci.emulate.model import Action, DeviceModel, Notification, ReadOutcome, Session


def model() -> DeviceModel:
    device = DeviceModel(None)
    device.reads[3] = [ReadOutcome(b"L" * 30), ReadOutcome(b"short"), ReadOutcome(error=0x05)]
    session = Session(0x40, 0.0)
    session.actions = [
        Action("connect", time=0.0),
        Action("write", 9, b"a", error=None, notifications=[Notification(5, b"after-a", 0.1)]),
        Action("write", 9, b"b", error=0x13, notifications=[Notification(5, b"after-b", 0.2)]),
        Action("write", 9, b"a", error=None, notifications=[Notification(5, b"after-second-a", 0.3)]),
    ]
    device.sessions.append(session)
    return device


def test_a_long_value_stays_current_until_read_to_its_end() -> None:
    """Vol 3 Part G 4.8.3: a 30-octet value at ATT_MTU 23 takes a Read and one Read Blob (22 + 8)."""
    r = Responder(model())
    assert [r.read(3, 23) for _ in range(2)] == [(b"L" * 30, None), (b"L" * 30, None)]
    assert r.read(3, 23) == (b"short", None)


def test_a_recorded_read_error_is_answered_then_repeated() -> None:
    """The Error Response a read got (0x05, Insufficient Authentication) is the answer at that point."""
    r = Responder(model())
    r.read(3, 100)
    r.read(3, 100)
    assert [r.read(3, 100), r.read(3, 100)] == [(None, 0x05), (None, 0x05)]


def test_writes_replay_same_values_in_recorded_order_then_repeat_the_last() -> None:
    r = Responder(model())
    first, second, third = (r.write(9, b"a") for _ in range(3))
    assert [n.value for n in first.notifications] == [b"after-a"] and first.matched == "exact"
    assert [n.value for n in second.notifications] == [b"after-second-a"] and second.matched == "exact"
    assert [n.value for n in third.notifications] == [b"after-second-a"] and third.matched == "repeat"


def test_a_write_of_an_unrecorded_value_takes_the_next_recorded_answer_of_that_handle() -> None:
    r = Responder(model())
    r.write(9, b"a")
    answer = r.write(9, b"zzz")
    assert (answer.error, answer.matched, [n.value for n in answer.notifications]) == (0x13, "position",
                                                                                       [b"after-b"])


def test_a_handle_never_written_is_accepted_with_nothing_after_it() -> None:
    answer = Responder(model()).write(7, b"x")
    assert (answer.error, answer.notifications, answer.matched) == (None, [], "none")
