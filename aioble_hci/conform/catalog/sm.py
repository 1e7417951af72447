"""SM/PER and SM/CEN: pairing with the IUT from raw SMP PDUs (Core Vol 3 Part H).

The tester is a real pairing peer (`smp_peer.PairingPeer`, on the crypto toolbox): legacy Just
Works and Passkey Entry, LE Secure Connections Just Works and Passkey Entry, and the bad-input
(BI-) cases that break one step. A passkey the IUT displays comes from the upper tester
(`passkey()`) or the IXIT ([sm] passkey).
"""

from __future__ import annotations

import asyncio
import os

from aioble_hci.smp import pdus as sp
from aioble_hci.smp import toolbox as tb
from aioble_hci.smp.pdus import AuthReq, IoCapability, KeyDistribution, PairingFailedReason

from ..case import case
from ..context import CaseContext
from ..link import TesterLink
from ..smp_peer import PairingPeer, pairing_request, swap
from ..verdicts import CaseFailed, CaseInconclusive, NotApplicable, check

PER = "IUT peripheral, SMP responder"
CEN = "IUT central, SMP initiator"
KEYS = KeyDistribution.ENC_KEY | KeyDistribution.ID_KEY
DISPLAYS = (IoCapability.DISPLAY_ONLY, IoCapability.DISPLAY_YES_NO, IoCapability.KEYBOARD_DISPLAY)


def peer(ctx: CaseContext, initiator: bool = True) -> PairingPeer:
    return PairingPeer(ctx.link, ctx.tester.host.gap.address, ctx.link.conn.peer_address, initiator)


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


@case("SM/PER/JW/BV-02-C", "Legacy Just Works, IUT responder: pairing completes, STK encrypts",
      "Vol 3 Part H 2.3.5.2, 2.3.5.5, 3.6.1", roles=PER)
async def per_legacy_jw(ctx: CaseContext) -> None:
    await legacy_just_works(ctx)


@case("SM/PER/JW/BI-03-C", "Legacy Just Works with all RFU AuthReq bits set: ignored",
      "Vol 3 Part H 3.5.1 (RFU bits ignored on receipt, set to 0 on send)", roles=PER)
async def per_rfu_bits(ctx: CaseContext) -> None:
    p = peer(ctx)
    response = await features(ctx, p, pairing_request(auth=AuthReq.BONDING | 0xC0))
    check(response.auth_req & 0xC0 == 0, f"the IUT's AuthReq 0x{response.auth_req:02X} sets RFU bits")
    if response.auth_req & AuthReq.SC:
        raise CaseFailed("the IUT chose Secure Connections although the tester did not offer it")
    await p.legacy_phase2()
    await p.encrypt()


@case("SM/PER/JW/BI-02-C", "Legacy Just Works, wrong Pairing Confirm: Pairing Failed Confirm Value Failed",
      "Vol 3 Part H 2.3.5.5, 3.5.5", roles=PER)
async def per_wrong_confirm(ctx: CaseContext) -> None:
    p = peer(ctx)
    await features(ctx, p, pairing_request())
    rand = os.urandom(16)
    wrong = bytes(b ^ 0x5A for b in p.c1(bytes(16), rand))
    ctx.link.send_smp(sp.PairingConfirm(swap(wrong)))
    await p.expect(sp.PairingConfirm)
    ctx.link.send_smp(sp.PairingRandom(swap(rand)))
    await p.expect_failed(PairingFailedReason.CONFIRM_VALUE_FAILED)
    await ctx.link.expect_silence(0x0006, ctx.silence)


async def _legacy_passkey(ctx: CaseContext, wrong: bool) -> None:
    p = peer(ctx)
    response = await features(ctx, p, pairing_request(io=IoCapability.KEYBOARD_ONLY,
                                                      auth=AuthReq.BONDING | AuthReq.MITM))
    if response.io_capability not in DISPLAYS:
        raise NotApplicable(f"the IUT's IO capability {IoCapability(response.io_capability).name} cannot display")
    key = await passkey(ctx)
    tk = ((key + 1) % 1_000_000 if wrong else key).to_bytes(16, "big")
    if wrong:
        rand = os.urandom(16)
        ctx.link.send_smp(sp.PairingConfirm(swap(p.c1(tk, rand))))
        await p.expect(sp.PairingConfirm)
        ctx.link.send_smp(sp.PairingRandom(swap(rand)))
        await p.expect_failed(PairingFailedReason.CONFIRM_VALUE_FAILED)
        return
    await p.legacy_phase2(tk)
    await p.encrypt()


@case("SM/PER/PKE/BV-02-C", "Legacy Passkey Entry, IUT displays: pairing completes", "Vol 3 Part H 2.3.5.3, 2.3.5.5",
      roles=PER, requires=("display", "passkey"))
async def per_legacy_passkey(ctx: CaseContext) -> None:
    await _legacy_passkey(ctx, wrong=False)


@case("SM/PER/PKE/BI-03-C", "Legacy Passkey Entry with a wrong passkey: Pairing Failed Confirm Value Failed",
      "Vol 3 Part H 2.3.5.5, 3.5.5", roles=PER, requires=("display", "passkey"))
async def per_legacy_wrong_passkey(ctx: CaseContext) -> None:
    await _legacy_passkey(ctx, wrong=True)


@case("SM/PER/SCJW/BV-02-C", "LE Secure Connections Just Works, IUT responder", "Vol 3 Part H 2.3.5.6.2, 2.3.5.6.5",
      roles=PER, requires=("sc",))
async def per_sc_jw(ctx: CaseContext) -> None:
    await sc_pairing(ctx)


@case("SM/PER/SCJW/BV-03-C", "LE Secure Connections with all RFU AuthReq bits set: ignored",
      "Vol 3 Part H 3.5.1", roles=PER, requires=("sc",))
async def per_sc_rfu(ctx: CaseContext) -> None:
    p = peer(ctx)
    response = await features(ctx, p, pairing_request(auth=AuthReq.BONDING | AuthReq.SC | 0xC0), sc=True)
    check(response.auth_req & 0xC0 == 0, f"the IUT's AuthReq 0x{response.auth_req:02X} sets RFU bits")
    await p.exchange_public_keys()
    na, nb = await p.sc_nonces()
    await p.dhkey_checks(na, nb)
    await p.encrypt()


@case("SM/PER/SCJW/BI-02-C", "LE Secure Connections, wrong DHKey check: Pairing Failed DHKey Check Failed",
      "Vol 3 Part H 2.3.5.6.5, 3.5.5", roles=PER, requires=("sc",))
async def per_sc_bad_check(ctx: CaseContext) -> None:
    p = peer(ctx)
    await features(ctx, p, pairing_request(auth=AuthReq.BONDING | AuthReq.SC), sc=True)
    await p.exchange_public_keys()
    await p.sc_nonces()
    ctx.link.send_smp(sp.PairingDhKeyCheck(os.urandom(16)))
    await p.expect_failed(PairingFailedReason.DHKEY_CHECK_FAILED)


async def _sc_passkey(ctx: CaseContext, wrong: bool) -> None:
    p = peer(ctx)
    response = await features(ctx, p, pairing_request(io=IoCapability.KEYBOARD_ONLY,
                                                      auth=AuthReq.BONDING | AuthReq.SC | AuthReq.MITM), sc=True)
    if response.io_capability not in DISPLAYS:
        raise NotApplicable(f"the IUT's IO capability {IoCapability(response.io_capability).name} cannot display")
    await p.exchange_public_keys()
    key = await passkey(ctx)
    if wrong:
        z = 0x80 | ((key & 1) ^ 1)
        na = os.urandom(16)
        ctx.link.send_smp(sp.PairingConfirm(swap(tb.f4(p.key_pair.x, p.peer_public[0], na, z))))  # type: ignore[union-attr,index]
        await p.expect(sp.PairingConfirm)
        ctx.link.send_smp(sp.PairingRandom(swap(na)))
        await p.expect_failed(PairingFailedReason.CONFIRM_VALUE_FAILED)
        return
    na, nb = await p.sc_nonces(key)
    await p.dhkey_checks(na, nb, key)
    await p.encrypt()


@case("SM/PER/SCPK/BV-02-C", "LE Secure Connections Passkey Entry, IUT displays", "Vol 3 Part H 2.3.5.6.3",
      roles=PER, requires=("sc", "display", "passkey"))
async def per_sc_passkey(ctx: CaseContext) -> None:
    await _sc_passkey(ctx, wrong=False)


@case("SM/PER/SCPK/BI-03-C", "LE Secure Connections Passkey Entry, wrong passkey: fails at the first bad round",
      "Vol 3 Part H 2.3.5.6.3, 3.5.5", roles=PER, requires=("sc", "display", "passkey"))
async def per_sc_wrong_passkey(ctx: CaseContext) -> None:
    await _sc_passkey(ctx, wrong=True)


@case("SM/PER/EKS/BI-02-C", "Maximum encryption key size below the IUT's minimum: Pairing Failed",
      "Vol 3 Part H 2.3.4, 3.5.5", roles=PER)
async def per_key_size(ctx: CaseContext) -> None:
    size = ctx.ixit.sm.min_key_size - 1
    ctx.link.send_smp(pairing_request(max_key=size))
    pdu = await ctx.link.expect_smp()
    if isinstance(pdu, sp.PairingFailed):
        check(pdu.reason == PairingFailedReason.ENCRYPTION_KEY_SIZE,
              f"Pairing Failed {PairingFailedReason(pdu.reason).name}, the rule requires ENCRYPTION_KEY_SIZE")
        return
    raise CaseFailed(f"the IUT answered a {size}-octet maximum key size with {type(pdu).__name__}, "
                     "not Pairing Failed Encryption Key Size")


@case("SM/PER/KDU/BI-01-C", "Invalid public key (not on P-256): the IUT fails the pairing",
      "Vol 3 Part H 2.3.5.6.1", roles=PER, requires=("sc",))
async def per_invalid_key(ctx: CaseContext) -> None:
    p = peer(ctx)
    await features(ctx, p, pairing_request(auth=AuthReq.BONDING | AuthReq.SC), sc=True)
    pair = tb.P256KeyPair.generate()
    ctx.link.send_smp(sp.PairingPublicKey(swap(pair.x), bytes(32)))  # Y = 0: no P-256 point has it
    while True:
        pdu = await ctx.link.expect_smp()
        if isinstance(pdu, sp.PairingFailed):
            return
        if not isinstance(pdu, sp.PairingPublicKey | sp.PairingConfirm):
            raise CaseFailed(f"the IUT went on with {type(pdu).__name__} after an invalid public key")


@case("SM/PER/KDU/BV-07-C", "Re-encryption with the LTK, EDIV and Rand the IUT distributed",
      "Vol 3 Part H 2.4.2, 3.6.2, 3.6.3; Vol 6 Part B 5.1.3", roles=PER)
async def per_reencrypt(ctx: CaseContext) -> None:
    p = await legacy_just_works(ctx, rkd=KeyDistribution.ENC_KEY)
    keys = p.keys
    assert keys is not None
    if keys.ltk is None:
        raise NotApplicable("the IUT distributed no LTK")
    link = await ctx.reconnect()
    event = await link.start_encryption(keys.ltk, keys.ediv, keys.rand)
    check(event.detail["status"] == 0 and event.detail["enabled"],
          f"encryption with the distributed LTK failed (status 0x{event.detail['status']:02X})")


@case("SM/PER/KDU/BV-01-C", "Key distribution: the IUT sends the keys both asked for, after encryption, in order",
      "Vol 3 Part H 3.6.1, Figure 3.11", roles=PER)
async def per_key_order(ctx: CaseContext) -> None:
    p = await legacy_just_works(ctx, rkd=KEYS | KeyDistribution.SIGN_KEY)
    keys = p.keys
    assert keys is not None
    wanted = ("EncryptionInformation", "CentralIdentification", "IdentityInformation",
              "IdentityAddressInformation", "SigningInformation")
    check(keys.order == [k for k in wanted if k in keys.order], f"keys arrived in the order {keys.order}")
    await ctx.link.expect_silence(0x0006, ctx.silence)


@case("AIOBLE/SM/BI-01", "Reserved SMP command code: Pairing Failed Command Not Supported",
      "Vol 3 Part H 3.3, 3.5.5", roles=PER)
async def per_reserved_code(ctx: CaseContext) -> None:
    ctx.link.send_smp(bytes([0x1F, 0x00]))
    await peer(ctx).expect_failed(PairingFailedReason.COMMAND_NOT_SUPPORTED)


@case("AIOBLE/SM/BI-02", "Pairing Request of the wrong length: Pairing Failed Invalid Parameters",
      "Vol 3 Part H 3.3, 3.5.5", roles=PER)
async def per_short_request(ctx: CaseContext) -> None:
    ctx.link.send_smp(pairing_request().to_bytes()[:5])
    await peer(ctx).expect_failed(PairingFailedReason.INVALID_PARAMETERS)


# --- IUT central: the tester is the responder ----------------------------------------------------


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


def response_to(request: sp.PairingRequest, sc: bool, max_key: int = 16) -> sp.PairingResponse:
    auth = AuthReq.BONDING | (AuthReq.SC if sc else 0)
    return sp.PairingResponse(IoCapability.NO_INPUT_NO_OUTPUT, sp.OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT, auth, max_key,
                              0, 0)


@case("SM/CEN/PIS/BV-03-C", "Security Request to an IUT central without a key: the IUT pairs",
      "Vol 3 Part H 2.4.6, 3.6.7", iut_role="central", roles=CEN)
async def cen_security_request(ctx: CaseContext) -> None:
    ctx.link.send_smp(sp.SecurityRequest(AuthReq.BONDING))
    pdu = await ctx.link.expect_smp()
    check(isinstance(pdu, sp.PairingRequest), f"the IUT answered a Security Request with {type(pdu).__name__}")
    await ctx.link.expect_silence(0x0006, ctx.silence)


@case("SM/CEN/JW/BV-01-C", "Legacy Just Works, IUT initiator: pairing completes, the IUT encrypts",
      "Vol 3 Part H 2.3.5.2, 2.3.5.5", iut_role="central", roles=CEN)
async def cen_legacy_jw(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=False), request)
    await p.legacy_phase2()
    await p.encrypt()


@case("SM/CEN/SCJW/BV-01-C", "LE Secure Connections Just Works, IUT initiator",
      "Vol 3 Part H 2.3.5.6.2", iut_role="central", roles=CEN, requires=("sc",))
async def cen_sc_jw(ctx: CaseContext) -> None:
    request = await iut_request(ctx)
    if not request.auth_req & AuthReq.SC:
        raise NotApplicable("the IUT central does not offer LE Secure Connections")
    p = peer(ctx, initiator=False)
    await p.answer_features(response_to(request, sc=True), request)
    await p.exchange_public_keys()
    na, nb = await p.sc_nonces()
    await p.dhkey_checks(na, nb)
    await p.encrypt()


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
