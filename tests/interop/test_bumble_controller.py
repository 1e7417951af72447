"""Our host against the quirks of Bumble's emulated controller: init sequence, commands it never
answers, ACL data larger than the buffer size it advertises."""

from __future__ import annotations

from pathlib import Path

import pytest

from aioble_hci.address import Address
from aioble_hci.hci import commands as cmd
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.errors import HciCommandError, HciTimeoutError
from aioble_hci.uuid import UUID
from tests.interop.bumble_gatt import LONG_UUID, LONG_VALUE, SERVICE_UUID, add_bumble_server
from tests.interop.bumble_link import BumbleControllerTransport, BumblePeer
from tests.interop.helpers import WAIT, connect_to_bumble, run
from tests.interop.medium import Medium
from tests.interop.stack import OurStack, close_stack, make_stack

SHORT = 0.1  # a command Bumble never answers: how long we wait for it


async def test_init_sequence_learns_the_bumble_controllers_version_features_and_buffers(ours_on_bumble: OurStack):
    info = ours_on_bumble.host.controller_info
    controller = ours_on_bumble.controller
    assert controller is not None
    assert (info.hci_version, info.lmp_version) == (controller.hci_version, controller.lmp_version)
    assert info.manufacturer == controller.manufacturer_company_identifier
    assert info.le_features == int(controller.le_features)
    assert info.buffer_source == "LE Read Buffer Size [v2]"
    assert (info.acl_data_packet_length, info.total_num_acl_data_packets) == (
        controller.le_acl_data_packet_length, controller.total_num_le_acl_data_packets)
    assert controller.event_mask == ours_on_bumble.host.config.event_mask
    assert controller.le_event_mask == ours_on_bumble.host.config.le_event_mask


async def test_init_sequence_sends_only_commands_and_starts_with_reset(ours_on_bumble: OurStack):
    assert isinstance(ours_on_bumble.transport, BumbleControllerTransport)
    sent = ours_on_bumble.transport.sent
    assert sent[0] == (PacketType.COMMAND, cmd.Reset().to_bytes())
    assert all(kind == PacketType.COMMAND for kind, _ in sent)


async def test_without_a_public_address_gap_programs_a_random_static_address_into_bumble(ours_on_bumble: OurStack):
    assert not ours_on_bumble.host.controller_info.has_public_address
    address = ours_on_bumble.gap.address
    assert address is not None and address.is_static
    assert ours_on_bumble.controller is not None
    assert str(ours_on_bumble.controller.random_address).lower().startswith(str(address).lower())


@pytest.mark.parametrize("command", [
    cmd.LeEncrypt(key=bytes(16), plaintext_data=bytes(16)),
    cmd.LeSetPhy(connection_handle=0x0001),
    cmd.ReadRemoteVersionInformation(connection_handle=0x0001),
    cmd.ZephyrReadVersionInformation(),
], ids=lambda command: type(command).__name__)
async def test_a_command_bumble_never_answers_times_out_and_the_host_keeps_working(ours_on_bumble: OurStack, command):
    with pytest.raises(HciTimeoutError):
        await ours_on_bumble.host.send_command(command, timeout=SHORT)
    assert (await ours_on_bumble.host.send_command(cmd.ReadBdAddr())).bd_addr == ours_on_bumble.host.controller_info.bd_addr


async def test_a_failing_status_from_bumble_raises_hci_command_error(ours_on_bumble: OurStack):
    # Not Disconnect: Bumble answers Disconnect of an unknown handle with a successful Command
    # Status, where Vol 4 Part E 7.1.6 asks for Unknown Connection Identifier.
    with pytest.raises(HciCommandError) as info:
        await ours_on_bumble.host.send_command(cmd.LeLongTermKeyRequestNegativeReply(connection_handle=0x0042))
    assert info.value.status == StatusCode.UNKNOWN_CONNECTION_IDENTIFIER


async def test_acl_data_larger_than_bumbles_advertised_buffer_size_is_reassembled(ours_on_bumble: OurStack,
                                                                                peer_on_bumble: BumblePeer):
    # Bumble's controller hands each whole L2CAP PDU to the host as one ACL packet (bumble/controller.py
    # on_link_acl_data: "TODO: should fragment"), past the 27-octet LE ACL length it reported; Vol 4
    # Part E 5.4.2 keeps controller-to-host ACL within the host's buffers. We take it all the same.
    ours, peer = ours_on_bumble, peer_on_bumble
    add_bumble_server(peer.device)
    conn, _ = await connect_to_bumble(ours, peer)
    client = ours.gatt.client(conn)
    assert await run(client.exchange_mtu()) == 256
    (service,) = await run(client.discover_services(UUID(SERVICE_UUID)))
    (long,) = await run(client.discover_characteristics(service, UUID(LONG_UUID)))
    assert await run(client.read(long.value_handle, long=True)) == LONG_VALUE
    transport = ours.transport
    assert isinstance(transport, BumbleControllerTransport)
    assert transport.largest_acl_received > ours.host.controller_info.acl_data_packet_length


async def test_after_a_cancel_bumble_never_confirms_our_gap_gives_up_and_reports_the_next_attempt(
        ours_on_bumble: OurStack, peer_on_bumble: BumblePeer):
    # Bumble answers LE Create Connection Cancel with success but never sends the LE Connection
    # Complete (Unknown Connection Identifier) that Vol 4 Part E 7.8.13 requires, and keeps the
    # attempt pending, so it refuses every later LE Create Connection with Command Disallowed.
    # Our GAP must neither hang on the missing event nor hide the refusal.
    ours = ours_on_bumble
    with pytest.raises(TimeoutError):
        await ours.gap.connect(Address.parse("c0:00:00:00:00:09/random"), timeout=SHORT)
    assert not ours.gap.connections.connecting and not ours.host.connections
    await peer_on_bumble.device.start_advertising(advertising_interval_min=20)
    with pytest.raises(HciCommandError) as info:
        await ours.gap.connect(peer_on_bumble.address, timeout=WAIT)
    assert info.value.status == StatusCode.COMMAND_DISALLOWED


async def test_a_host_restarted_on_a_bumble_controller_left_scanning_gets_a_clear_error(bumble_medium: Medium,
                                                                                        tmp_path: Path):
    # HCI Reset must return the controller to its default state, scanning off (Vol 4 Part E, 7.3.2);
    # Bumble's Reset changes nothing, so LE Set Scan Parameters is refused as if scanning were on.
    transport = bumble_medium.our_transport("ours")
    assert isinstance(transport, BumbleControllerTransport)
    first = await make_stack(transport, tmp_path / "first")
    await first.gap.start_scan()
    await close_stack(first)  # without stopping the scan, as a crashed program would
    second = await make_stack(BumbleControllerTransport(transport.controller), tmp_path / "second")
    try:
        with pytest.raises(HciCommandError) as info:
            await second.gap.start_scan()
        assert info.value.status == StatusCode.COMMAND_DISALLOWED
        assert "LE Set Scan Parameters" in str(info.value)
    finally:
        await close_stack(second)
