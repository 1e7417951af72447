"""The GATT client survives arbitrary server PDUs: no exception, no endless procedure."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioble_hci.att.client import AttClient
from aioble_hci.att.procedures import (
    DiscoverCharacteristics,
    DiscoverDescriptors,
    DiscoverPrimaryServices,
    FindIncludedServices,
    Procedure,
    Read,
    ReadMultiple,
    reliable_write,
)
from aioble_hci.uuid import UUID
from tests.att.drive import hear

PROCEDURES = [
    lambda: DiscoverPrimaryServices(),
    lambda: DiscoverPrimaryServices(UUID(0x180F)),
    lambda: FindIncludedServices(1, 0xFFFF),
    lambda: DiscoverCharacteristics(1, 0xFFFF),
    lambda: DiscoverDescriptors(1, 0xFFFF),
    lambda: Read(3, long=True),
    lambda: ReadMultiple([1, 2], variable=True),
    lambda: reliable_write([(3, b"abc")]),
]

# Replies biased towards the response opcodes the procedures expect.
REPLY = st.one_of(
    st.binary(min_size=1, max_size=30),
    st.tuples(st.sampled_from([0x01, 0x05, 0x07, 0x09, 0x0B, 0x0D, 0x11, 0x17, 0x19, 0x21]),
              st.binary(max_size=29)).map(lambda t: bytes((t[0],)) + t[1]),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(PROCEDURES))), st.lists(REPLY, max_size=12))
def test_client_procedures_survive_arbitrary_replies(index: int, replies: list[bytes]) -> None:
    client = AttClient()
    proc: Procedure = client.submit(PROCEDURES[index](), 0.0)
    requests = 0
    for reply in replies:
        requests += len(client.data_to_send())
        hear(client, reply, 0.0)
    requests += len(client.data_to_send())
    assert requests <= len(replies) + 2  # one request per reply at most: no runaway loop
    assert proc.done != client.busy  # either finished or still waiting for its answer
