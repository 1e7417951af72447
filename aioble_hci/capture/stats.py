"""A summary of a decoded capture: packets by type, connections, ATT PDUs by opcode, pairing outcome."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.capture.decode.layer import DecodedPacket
from aioble_hci.capture.decoder import CaptureDecoder
from aioble_hci.smp.pdus import SmpCode


@dataclass
class PairingOutcome:
    """What happened to pairing and encryption on one connection."""

    handle: int
    requested: bool = False
    failed: str | None = None  # SMP Pairing Failed reason
    encryption: str | None = None  # status of the last Encryption Change

    @property
    def outcome(self) -> str:
        if self.failed:
            return f"failed: {self.failed}"
        if self.encryption == "SUCCESS":
            return "encrypted" + (" after pairing" if self.requested else " (stored keys)")
        if self.encryption:
            return f"encryption failed: {self.encryption}"
        return "pairing started, no result" if self.requested else "not paired"


@dataclass
class CaptureStats:
    """What `capture stats` reports: packets by type, ATT and SMP PDUs, pairings, connections."""

    packets: Counter[str] = field(default_factory=Counter)
    att: Counter[str] = field(default_factory=Counter)
    smp: Counter[str] = field(default_factory=Counter)
    pairing: dict[int, PairingOutcome] = field(default_factory=dict)
    connections: list[dict[str, Any]] = field(default_factory=list)
    problems: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "packets": dict(self.packets),
            "connections": self.connections,
            "att": dict(self.att),
            "smp": dict(self.smp),
            "pairing": {f"0x{h:04x}": p.outcome for h, p in self.pairing.items()},
            "decode_problems": self.problems,
        }

    def render(self) -> str:
        lines = ["Packets:"]
        lines += [f"  {name:<24} {n}" for name, n in sorted(self.packets.items())]
        lines.append(f"Connections: {len(self.connections)}")
        for c in self.connections:
            lines.append(
                f"  handle 0x{c['handle']:04x} {c['transport']} peer={c['peer']} role={c['role']} "
                f"frames {c['opened_frame']}..{c['closed_frame']}"
            )
        lines.append("ATT PDUs:")
        lines += [f"  {name:<32} {n}" for name, n in self.att.most_common()]
        if self.smp:
            lines.append("SMP PDUs:")
            lines += [f"  {name:<32} {n}" for name, n in self.smp.most_common()]
        lines.append("Pairing:")
        lines += [f"  handle 0x{h:04x}: {p.outcome}" for h, p in self.pairing.items()] or ["  none"]
        if self.problems:
            lines.append(f"Decode problems: {self.problems} packets")
        return "\n".join(lines)


def summarise(packets: list[DecodedPacket], decoder: CaptureDecoder) -> CaptureStats:
    stats = CaptureStats()
    for p in packets:
        r = p.record
        stats.packets[
            r.packet_type.name if r.packet_type is not None else r.kind.value.upper()
        ] += 1
        if p.has_layer("error"):
            stats.problems += 1
        att = p.layer("att")
        if att is not None:
            stats.att[att.summary.removeprefix("ATT ")] += 1
        smp = p.layer("smp")
        if smp is not None and p.handle is not None:
            stats.smp[smp.summary.removeprefix("SMP ")] += 1
            outcome = stats.pairing.setdefault(p.handle, PairingOutcome(p.handle))
            code = smp.fields.get("code")
            if code in (SmpCode.PAIRING_REQUEST, SmpCode.SECURITY_REQUEST):
                outcome.requested = True
            if code == SmpCode.PAIRING_FAILED:
                outcome.failed = str(smp.fields.get("reason"))
        hci = p.layer("hci")
        if hci is not None and "ENCRYPTION_CHANGE" in hci.summary and p.handle is not None:
            outcome = stats.pairing.setdefault(p.handle, PairingOutcome(p.handle))
            outcome.encryption = str(hci.fields.get("status"))
    for c in decoder.history:
        stats.connections.append(
            {
                "handle": c.handle,
                "transport": c.transport,
                "peer": c.peer,
                "role": c.role,
                "opened_frame": c.opened_frame,
                "closed_frame": c.closed_frame,
            }
        )
    return stats
