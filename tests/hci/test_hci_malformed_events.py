"""Bad event bytes: a clear HciDecodeError naming the event, raw objects for unknowns, nothing else."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aioble_hci.hci.commands import COMMANDS
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events import (
    CommandComplete,
    LeAdvertisingReport,
    LeScanTimeout,
    UnknownEvent,
    UnknownLeMetaEvent,
    VendorEvent,
    parse_event,
)
from tests.hci.hci_strategies import ALL_EVENT_CLASSES, event_strategy

FIXED_LENGTH = [k for k in ALL_EVENT_CLASSES if k not in (CommandComplete, VendorEvent, LeScanTimeout)]


def _with_params(code: int, params: bytes) -> bytes:
    return bytes((code, len(params))) + params


@pytest.mark.parametrize("cls", FIXED_LENGTH, ids=lambda k: k.__name__)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_event_missing_its_last_byte_raises_decode_error_naming_it(cls, data):
    event = data.draw(event_strategy(cls))
    packet = event.to_bytes()
    assume(len(packet) > 2 + (cls.EVENT_CODE == 0x3E))
    with pytest.raises(HciDecodeError) as raised:
        parse_event(_with_params(packet[0], packet[2:-1]))
    assert event.name in str(raised.value)


@pytest.mark.parametrize("cls", FIXED_LENGTH, ids=lambda k: k.__name__)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_event_with_a_trailing_byte_raises_decode_error_naming_it(cls, data):
    event = data.draw(event_strategy(cls))
    packet = event.to_bytes()
    assume(len(packet) < 257)
    with pytest.raises(HciDecodeError) as raised:
        parse_event(_with_params(packet[0], packet[2:] + b"\x00"))
    assert event.name in str(raised.value)


def test_length_byte_disagreeing_with_payload_raises():
    with pytest.raises(HciDecodeError, match="Disconnection Complete: header says 4"):
        parse_event(bytes.fromhex("0504000300"))


def test_event_shorter_than_its_header_raises():
    with pytest.raises(HciDecodeError, match="2-byte header"):
        parse_event(b"\x0e")


def test_le_meta_event_without_subevent_raises():
    with pytest.raises(HciDecodeError, match="LE Meta"):
        parse_event(b"\x3e\x00")


def test_advertising_report_with_data_running_past_the_event_raises():
    # one report claiming 10 data bytes but carrying 2 and no RSSI
    with pytest.raises(HciDecodeError, match="LE Advertising Report"):
        parse_event(_with_params(0x3E, bytes.fromhex("0201" + "00" + "00" + "112233445566" + "0a" + "0201")))


def test_advertising_report_with_bad_address_type_raises():
    report = LeAdvertisingReport(()).to_bytes()
    bad = _with_params(0x3E, bytes.fromhex("0201" + "00" + "09" + "112233445566" + "00" + "c5"))
    assert parse_event(report) == LeAdvertisingReport(())
    with pytest.raises(HciDecodeError, match="address type 0x09"):
        parse_event(bad)


def test_unknown_event_code_is_kept_raw():
    assert parse_event(bytes.fromhex("7702abcd")) == UnknownEvent(0x77, bytes.fromhex("abcd"))


def test_unknown_le_subevent_is_kept_raw_and_re_encodes():
    raw = bytes.fromhex("3e03f0beef")
    event = parse_event(raw)
    assert event == UnknownLeMetaEvent(0xF0, bytes.fromhex("beef"))
    assert event.to_bytes() == raw


def test_known_but_undecoded_event_code_is_kept_raw():
    # Inquiry Complete (a BR/EDR event) has a name but no codec
    event = parse_event(bytes.fromhex("010100"))
    assert isinstance(event, UnknownEvent)
    assert event.name == "Inquiry Complete"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parse_event_raises_only_decode_errors_on_arbitrary_bytes(payload):
    try:
        event = parse_event(payload)
    except HciDecodeError:
        return
    assert event.to_bytes() == payload


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from([0x05, 0x08, 0x0C, 0x0E, 0x0F, 0x13, 0x30, 0x59, 0x3E]), sub=st.integers(0, 0x30), body=st.binary(max_size=80))
def test_parse_event_raises_only_decode_errors_on_known_codes_with_random_bodies(code, sub, body):
    params = (bytes((sub,)) + body) if code == 0x3E else body
    try:
        event = parse_event(_with_params(code, params))
    except HciDecodeError:
        return
    assert event.to_bytes() == _with_params(code, params)


@settings(max_examples=300, deadline=None)
@given(opcode=st.sampled_from(sorted(COMMANDS)), ret=st.binary(max_size=80))
def test_command_complete_parsed_raises_only_decode_errors(opcode, ret):
    event = CommandComplete(1, opcode, ret)
    try:
        parsed = event.parsed
    except HciDecodeError:
        return
    if isinstance(parsed, bytes):
        assert parsed == ret
    else:
        assert parsed.status == ret[0]
