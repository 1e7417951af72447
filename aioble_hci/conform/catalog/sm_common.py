"""Shared pieces of the SM cases: phase 1 as initiator, the passkey, the key-distribution order
check, and whole pairings the GAP cases reuse (Core Vol 3 Part H)."""

from __future__ import annotations

from aioble_hci.smp import pdus as sp
from aioble_hci.smp.pdus import AuthReq, IoCapability, KeyDistribution, PairingFailedReason

from ..context import CaseContext
from ..link import TesterLink
from ..smp_peer import PairingPeer, pairing_request
from ..verdicts import CaseFailed, CaseInconclusive, NotApplicable

PER = "IUT peripheral, SMP responder"
CEN = "IUT central, SMP initiator"
KEYS = KeyDistribution.ENC_KEY | KeyDistribution.ID_KEY
DISPLAYS = (IoCapability.DISPLAY_ONLY, IoCapability.DISPLAY_YES_NO, IoCapability.KEYBOARD_DISPLAY)


def peer(ctx: CaseContext, initiator: bool = True) -> PairingPeer:
    address = ctx.tester.gap.address
    if address is None:  # the GAP bearer reads it when it starts (LowerTester.open starts it)
        raise CaseInconclusive("the lower tester does not know its own address: start its GAP bearer")
    return PairingPeer(ctx.link, address, ctx.link.conn.peer_address, initiator)


async def features(ctx: CaseContext, p: PairingPeer, request: sp.PairingRequest | bytes,
                   sc: bool = False) -> sp.PairingResponse:
    """Phase 1 as initiator; not applicable when the IUT refuses pairing or lacks SC when needed."""
    p.link.send_smp(request)
    p.request = sp.parse_pdu(request) if isinstance(request, bytes) else request  # type: ignore[assignment]
    pdu = await p.link.expect_smp()
    if isinstance(pdu, sp.PairingFailed):
        if pdu.reason == PairingFailedReason.PAIRING_NOT_SUPPORTED:
            raise NotApplicable("the IUT does not support pairing")
        if pdu.reason == PairingFailedReason.REPEATED_ATTEMPTS:
            raise CaseInconclusive("the IUT's Repeated Attempts wait is running (Vol 3 Part H 2.3.6): "
                                   "run with a fresh tester address per case, or wait")
        if pdu.reason == PairingFailedReason.AUTHENTICATION_REQUIREMENTS:
            raise NotApplicable("the IUT's security requirements exclude this pairing method")
        raise CaseFailed(f"the IUT refused a valid Pairing Request with {PairingFailedReason(pdu.reason).name}")
    if not isinstance(pdu, sp.PairingResponse):
        raise CaseFailed(f"the IUT answered the Pairing Request with {type(pdu).__name__}")
    p.response = pdu
    if sc and not pdu.auth_req & AuthReq.SC:
        raise NotApplicable("the IUT does not support LE Secure Connections")
    return pdu


async def passkey(ctx: CaseContext) -> int:
    if ctx.ixit.sm.passkey is not None:
        return int(ctx.ixit.sm.passkey)
    return int(await ctx.upper_action("passkey"))


def keys_after_encryption(link: TesterLink) -> None:
    """Vol 3 Part H 3.6.1: keys are distributed only once the link is encrypted."""
    names = ("EncryptionInformation", "CentralIdentification", "IdentityInformation",
             "IdentityAddressInformation", "SigningInformation")
    for exchange in link.exchanges:
        if exchange.channel == "encryption":
            return
        if exchange.channel == "SMP" and exchange.summary.startswith(names):
            raise CaseFailed(f"the IUT sent {exchange.summary.split('(')[0]} before the link was encrypted")


async def legacy_just_works(ctx: CaseContext, auth: int = AuthReq.BONDING, rkd: int = KEYS) -> PairingPeer:
    p = peer(ctx)
    response = await features(ctx, p, pairing_request(auth=auth, rkd=rkd))
    if response.auth_req & AuthReq.SC and p.request.auth_req & AuthReq.SC:  # type: ignore[union-attr]
        raise CaseFailed("the IUT chose Secure Connections although the tester did not offer it")
    await p.legacy_phase2()
    await p.encrypt()
    keys_after_encryption(ctx.link)
    await p.receive_keys()
    return p


async def sc_pairing(ctx: CaseContext, auth: int = AuthReq.BONDING | AuthReq.SC,
                     io: IoCapability = IoCapability.NO_INPUT_NO_OUTPUT, key: int | None = None) -> PairingPeer:
    p = peer(ctx)
    await features(ctx, p, pairing_request(io=io, auth=auth), sc=True)
    await p.exchange_public_keys()
    na, nb = await p.sc_nonces(key)
    await p.dhkey_checks(na, nb, key)
    await p.encrypt()
    keys_after_encryption(ctx.link)
    await p.receive_keys()
    return p
