"""SM/CEN: pairing with a central IUT; the tester is the responder (Core Vol 3 Part H). The IUT
starts pairing through the upper tester (`pair()`), else on the tester's Security Request."""

from __future__ import annotations

import asyncio
import os

from aioble_hci.smp import pdus as sp
from aioble_hci.smp.pdus import AuthReq, IoCapability, PairingFailedReason

from ..case import case
from ..context import CaseContext
from ..verdicts import CaseFailed, NotApplicable, check
from .sm_common import CEN, keys_after_encryption, peer


async def iut_request(ctx: CaseContext) -> sp.PairingRequest:
    """Make the IUT central start pairing (upper tester, else a Security Request); its Pairing Request."""
    if getattr(ctx.upper, "pair", None) is not None:
        await ctx.upper_action("pair")
    else:
        ctx.link.send_smp(sp.SecurityRequest(AuthReq.BONDING))
    pdu = await ctx.link.expect_smp()
    if not isinstance(pdu, sp.PairingRequest):
        raise CaseFailed(f"the IUT central answered with {type(pdu).__name__}, not a Pairing Request")
    return pdu


def response_to(request: sp.PairingRequest, sc: bool, max_key: int = 16, take_keys: bool = False
                ) -> sp.PairingResponse:
    """The tester's Pairing Response (No Input No Output, bonding); it distributes no keys itself and,
    with `take_keys`, accepts the ones the IUT offers to distribute (Vol 3 Part H 3.6.1)."""
    auth = AuthReq.BONDING | (AuthReq.SC if sc else 0)
    keys = request.initiator_key_distribution & 0x07 if take_keys else 0
    return sp.PairingResponse(IoCapability.NO_INPUT_NO_OUTPUT, sp.OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT, auth, max_key,
                              keys, 0)


@case("SM/CEN/PIS/BV-03-C", "Security Request to an IUT central without a key: the IUT pairs",
      "Vol 3 Part H 2.4.6, 3.6.7", iut_role="central", roles=CEN)
async def cen_security_request(ctx: CaseContext) -> None:
    ctx.link.send_smp(sp.SecurityRequest(AuthReq.BONDING))
    pdu = await ctx.link.expect_smp()
    check(isinstance(pdu, sp.PairingRequest), f"the IUT answered a Security Request with {type(pdu).__name__}")
    await ctx.link.expect_silence(0x0006, ctx.silence)


@case("SM/CEN/JW/BV-01-C", "Legacy Just Works, IUT initiator: pairing completes, the IUT encrypts",
      "Vol 3 Part H 2.3.5.2, 2.3.5.5, 3.6.1", iut_role="central", roles=CEN)
async def cen_legacy_jw(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=False, take_keys=True), request)
    await p.legacy_phase2()
    await p.encrypt()
    keys_after_encryption(ctx.link)
    await p.receive_keys()


@case("SM/CEN/SCJW/BV-01-C", "LE Secure Connections Just Works, IUT initiator",
      "Vol 3 Part H 2.3.5.6.2, 3.6.1", iut_role="central", roles=CEN, requires=("sc",))
async def cen_sc_jw(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    if not request.auth_req & AuthReq.SC:
        raise NotApplicable("the IUT central does not offer LE Secure Connections")
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=True, take_keys=True), request)
    await p.exchange_public_keys()
    na, nb = await p.sc_nonces()
    await p.dhkey_checks(na, nb)
    await p.encrypt()
    keys_after_encryption(ctx.link)
    await p.receive_keys()


@case("SM/CEN/JW/BI-06-C", "Legacy pairing, the tester reflects the IUT's confirm and random: the IUT aborts",
      "Vol 3 Part H 2.3.5.5", iut_role="central", roles=CEN)
async def cen_reflected_confirm(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=False), request)
    mconfirm = await p.expect(sp.PairingConfirm)
    ctx.link.send_smp(sp.PairingConfirm(mconfirm.confirm_value))
    pdu = await ctx.link.expect_smp()
    if isinstance(pdu, sp.PairingFailed):
        return
    check(isinstance(pdu, sp.PairingRandom), f"the IUT sent {type(pdu).__name__} after the reflected confirm")
    ctx.link.send_smp(sp.PairingRandom(pdu.random_value))
    deadline = asyncio.get_running_loop().time() + ctx.ixit.timing.timeout
    while asyncio.get_running_loop().time() < deadline:
        if any(e.kind == "ltk-request" for e in ctx.link.events):
            raise CaseFailed("the IUT accepted its own confirm and random reflected back and started encryption")
        if ctx.link.pending(0x0006):
            pdu = await ctx.link.expect_smp()
            check(isinstance(pdu, sp.PairingFailed), "the IUT accepted its own confirm and random reflected back")
            return
        await asyncio.sleep(0.01)
    raise CaseFailed("the IUT neither failed the pairing nor went on after its own confirm and random came back")


@case("SM/CEN/EKS/BI-01-C", "Responder's maximum key size below the IUT's minimum: Pairing Failed",
      "Vol 3 Part H 2.3.4, 3.5.5", iut_role="central", roles=CEN)
async def cen_key_size(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=False, max_key=ctx.ixit.sm.min_key_size - 1), request)
    await p.expect_failed(PairingFailedReason.ENCRYPTION_KEY_SIZE)


@case("SM/CEN/KDU/BI-01-C", "Responder's public key not on P-256: the IUT fails the pairing",
      "Vol 3 Part H 2.3.5.6.1", iut_role="central", roles=CEN, requires=("sc",))
async def cen_invalid_key(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    if not request.auth_req & AuthReq.SC:
        raise NotApplicable("the IUT central does not offer LE Secure Connections")
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=True), request)
    await p.expect(sp.PairingPublicKey)
    ctx.link.send_smp(sp.PairingPublicKey(os.urandom(32), bytes(32)))
    while True:
        pdu = await ctx.link.expect_smp()
        if isinstance(pdu, sp.PairingFailed):
            return
        if isinstance(pdu, sp.PairingDhKeyCheck):
            raise CaseFailed("the IUT went on to the DHKey check after an invalid public key")


@case("SM/CEN/KDU/BI-04-C", "Responder reflects the IUT's own public key X: the IUT fails the pairing",
      "Vol 3 Part H 2.3.5.6.1 (CVE-2020-26558)", iut_role="central", roles=CEN, requires=("sc",))
async def cen_reflected_key(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    if not request.auth_req & AuthReq.SC:
        raise NotApplicable("the IUT central does not offer LE Secure Connections")
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=True), request)
    theirs = await p.expect(sp.PairingPublicKey)
    ctx.link.send_smp(sp.PairingPublicKey(theirs.x, theirs.y))
    while True:
        pdu = await ctx.link.expect_smp()
        if isinstance(pdu, sp.PairingFailed):
            return
        if isinstance(pdu, sp.PairingDhKeyCheck):
            raise CaseFailed("the IUT went on to the DHKey check with its own public key reflected")
