"""Say what a capture model holds, choose the device to emulate, and say what is missing.

`peripherals(model)` lists the GATT servers of a capture; `choose(model, address)` picks one or
raises `NothingToEmulate` with the precise reason; `gaps(device)` lists, one line each, what the
capture does not show and how the emulation approximates it (docs/emulate.md).
"""

from __future__ import annotations

from aioble_hci.address import Address
from aioble_hci.emulate.model import CaptureModel, DeviceModel, ServiceModel
from aioble_hci.errors import UsageError

READ_PROPERTY = 0x02
LEGACY_NAMES = (0x08, 0x09)  # Shortened / Complete Local Name (Supplement Part A 1.2)


class NothingToEmulate(UsageError, ValueError):
    """The capture holds no device that can be emulated (the message says why and what to do)."""


def peripherals(model: CaptureModel) -> list[DeviceModel]:
    """Devices the capturing host used as GATT servers: discovery, reads, writes or notifications."""
    return [d for d in model.devices if d.services or d.reads or d.writes or d.notifications]


def name_of(device: DeviceModel) -> str | None:
    adv = device.advertiser
    if adv is None:
        return None
    for data in (adv.adv_data, adv.scan_response):
        i = 0
        while i + 1 < len(data):
            length = data[i]
            if length and data[i + 1] in LEGACY_NAMES:
                return data[i + 2 : i + 1 + length].decode("utf-8", "replace")
            i += 1 + length
    return None


def describe_address(device: DeviceModel) -> str:
    if device.address is None:
        return "(address not in capture)"
    return f"{device.address}/{'public' if device.address.is_public else 'random'}"


def listing(model: CaptureModel) -> list[str]:
    """One line per peripheral, then the advertiser count: what `--list` prints."""
    lines = []
    for d in peripherals(model):
        name = name_of(d)
        chars = len(d.characteristics())
        lines.append(f"{describe_address(d)}{f' {name!r}' if name else ''}: {len(d.services)} services, "
                     f"{chars} characteristics, {sum(len(v) for v in d.reads.values())} reads, {d.writes} writes, "
                     f"{d.notifications} notifications, {len(d.sessions)} connection(s)")
    if not lines:
        lines.append(f"no peripheral to emulate: {why_none(model)}")
    lines.append(f"{len(model.advertisers)} advertiser(s) seen (replay them with --adverts)")
    return lines


def why_none(model: CaptureModel) -> str:
    """Why a capture has no device to emulate, precisely."""
    if model.devices:
        reasons = "; ".join(model.notes) if model.notes else ""
        return ("the capture shows connections but no ATT traffic with the remote (no discovery, read, write "
                "or notification)" + (f"; {reasons}" if reasons else ""))
    parts = ["the capture holds no LE connection"]
    parts += model.notes
    if model.advertisers:
        parts.append(f"{len(model.advertisers)} advertiser(s) can be replayed with --adverts")
    else:
        parts.append("no advertising report either")
    return "; ".join(parts)


def choose(model: CaptureModel, address: str | None) -> DeviceModel:
    """The device to emulate: the one at `address`, or the only one; NothingToEmulate otherwise."""
    found = peripherals(model)
    if not found:
        raise NothingToEmulate(f"nothing to emulate: {why_none(model)}")
    if address is not None:
        wanted = Address.parse(address)
        for d in found:
            if d.address is not None and d.address.value == wanted.value:
                return d
        raise NothingToEmulate(f"no peripheral {address} in the capture; it holds "
                               + ", ".join(describe_address(d) for d in found) + " (see --list)")
    if len(found) > 1:
        raise NothingToEmulate(f"the capture holds {len(found)} peripherals ("
                               + ", ".join(describe_address(d) for d in found)
                               + "): choose one with --device ADDRESS")
    return found[0]


def reconstructed(device: DeviceModel) -> list[str]:
    """What the model rebuilt, for the summary printed before serving."""
    descriptors = sum(len(c.descriptors) for c in device.characteristics())
    handles = device.known_handles()
    span = f" (handles 0x{min(handles):04x}-0x{max(handles):04x})" if handles else ""
    adv = device.advertiser
    return [
        f"address {describe_address(device)}",
        f"advertising: {'recorded data' if adv and adv.adv_data else 'not in the capture'}"
        f"{', scan response' if adv and adv.scan_response else ''}",
        f"{len(device.services)} services, {len(device.characteristics())} characteristics, "
        f"{descriptors} descriptors{span}",
        f"{sum(len(v) for v in device.reads.values())} recorded reads on {len(device.reads)} handles, "
        f"{device.writes} writes, {device.notifications} notifications/indications",
    ]


def gaps(device: DeviceModel) -> list[str]:
    """What the capture does not show about the device, one sentence each."""
    out = list(device.notes)
    for s in device.services:
        if not s.characteristics_discovered and s.end_handle > s.handle:
            out.append(f"service {s.uuid} (0x{s.handle:04x}-0x{s.end_handle:04x}): its characteristics were "
                       "never discovered; only the declaration is served")
        elif s.characteristics and not s.descriptors_discovered and _has_room_for_descriptors(s):
            out.append(f"service {s.uuid}: descriptors never discovered; characteristics served without them")
    undiscovered = device.undiscovered_handles()
    if undiscovered:
        out.append("handles used but never discovered, served as bare attributes of unknown type outside any "
                   "service: " + ", ".join(f"0x{h:04x}" for h in undiscovered))
    unread = [c.value_handle for c in device.characteristics()
              if c.properties & READ_PROPERTY and c.value_handle not in device.reads]
    if unread:
        out.append("readable values never read in the capture (served as the last value notified, else empty): "
                   + ", ".join(f"0x{h:04x}" for h in unread))
    for session in device.sessions:
        if session.encrypted:
            key = "its key is in the capture" if session.encryption_key_in_capture else \
                "its key is not in the capture (a bond made earlier)"
            out.append(f"connection 0x{session.connection_handle:04x} was encrypted ({key}): the HCI capture "
                       "shows its ATT traffic in clear, and the emulation serves it without asking for "
                       "encryption or pairing")
    if any(n.delay == 0 for a in device.actions() for n in a.notifications) and all(
            s.opened is None for s in device.sessions):
        out.append("the capture has no timestamps: notifications are sent without delays")
    return out


def _has_room_for_descriptors(service: ServiceModel) -> bool:
    """Whether some characteristic has handles after its value where descriptors could be."""
    chars = service.characteristics
    for i, c in enumerate(chars):
        stop = chars[i + 1].declaration_handle - 1 if i + 1 < len(chars) else service.end_handle
        if stop > c.value_handle and not c.descriptors:
            return True
    return False
