"""Every command, return-parameters and event class decodes what it encodes, byte for byte."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aioble_hci.hci import commands as c
from aioble_hci.hci.events import parse_event
from tests.hci.hci_strategies import (
    ALL_COMMAND_CLASSES,
    ALL_EVENT_CLASSES,
    command_strategy,
    event_strategy,
    struct_strategy,
)

FEW = settings(max_examples=15, deadline=None)


@pytest.mark.parametrize("cls", ALL_COMMAND_CLASSES, ids=lambda k: k.__name__)
@FEW
@given(data=st.data())
def test_command_round_trips_through_its_packet(cls, data):
    command = data.draw(command_strategy(cls))
    packet = command.to_bytes()
    assert int.from_bytes(packet[:2], "little") == cls.OPCODE
    assert packet[2] == len(packet) - 3
    assert c.parse_command(packet) == command
    assert cls.from_parameters(command.parameters()) == command


RETURNING = [k for k in ALL_COMMAND_CLASSES if k.RETURN is not None]


@pytest.mark.parametrize("cls", RETURNING, ids=lambda k: k.__name__)
@FEW
@given(data=st.data())
def test_return_parameters_round_trip_through_parse_return(cls, data):
    ret = data.draw(struct_strategy(cls.RETURN))
    assert cls.parse_return(ret.encode_fields()) == ret


@pytest.mark.parametrize("cls", ALL_EVENT_CLASSES, ids=lambda k: k.__name__)
@FEW
@given(data=st.data())
def test_event_round_trips_through_parse_event(cls, data):
    event = data.draw(event_strategy(cls))
    try:
        packet = event.to_bytes()
    except ValueError:  # drew more than 255 parameter bytes
        assume(False)
    assert packet[0] == cls.EVENT_CODE and packet[1] == len(packet) - 2
    decoded = parse_event(packet)
    assert type(decoded) is cls
    assert decoded == event
    assert decoded.to_bytes() == packet


def test_every_command_in_the_brief_has_a_codec():
    assert len(ALL_COMMAND_CLASSES) >= 75


def test_commands_without_command_complete_give_raw_return_bytes():
    assert c.Disconnect.parse_return(b"\x01\x02") == b"\x01\x02"
