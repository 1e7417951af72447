"""Every request opcode with arbitrary bodies gets a correct answer and the server keeps serving."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioble_hci.att import pdus
from aioble_hci.att.database import SecurityState
from aioble_hci.att.pdus import Opcode
from aioble_hci.att.server import AttServer
from tests.att.drive import serve

from .conftest import make_test_db

REQUESTS = sorted(op for op in Opcode if op.name.endswith("_REQ"))
COMMANDS = [Opcode.WRITE_CMD, Opcode.SIGNED_WRITE_CMD]
TDB = make_test_db()
SECURITY = st.builds(SecurityState, st.booleans(), st.booleans(), st.integers(0, 16),
                     st.booleans(), st.booleans())


def _still_serves(server: AttServer) -> None:
    out = serve(server, bytes.fromhex("0a0c00"), 0.0)  # read the secondary service's value 's'
    assert out.response == b"\x0bs"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(REQUESTS), st.binary(max_size=40), SECURITY)
def test_every_request_with_arbitrary_body_gets_its_response_or_an_error(
    opcode: int, body: bytes, sec: SecurityState
) -> None:
    server = AttServer(TDB.db)
    out = serve(server, bytes((opcode,)) + body, 0.0, sec)
    assert out.response is not None
    rsp = pdus.decode(out.response)
    if isinstance(rsp, pdus.ErrorRsp):
        assert rsp.request_opcode == opcode
    else:
        assert rsp.OPCODE == opcode + 1
    assert len(out.response) <= server.mtu
    _still_serves(server)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(COMMANDS), st.binary(max_size=40))
def test_commands_with_arbitrary_body_are_never_answered(opcode: int, body: bytes) -> None:
    server = AttServer(TDB.db)
    assert serve(server, bytes((opcode,)) + body, 0.0).response is None
    _still_serves(server)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=30))
def test_arbitrary_pdus_never_escape_as_exceptions(pdu: bytes) -> None:
    server = AttServer(TDB.db)
    out = serve(server, pdu, 0.0)
    if out.response is not None:
        assert len(out.response) <= server.mtu
    _still_serves(server)
