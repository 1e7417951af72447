"""SM/PER: pairing with a peripheral IUT (the tester initiates) from raw SMP PDUs (Core Vol 3 Part H).

The tester is a real pairing peer (`smp_peer.PairingPeer`, on the crypto toolbox): legacy Just
Works and Passkey Entry, LE Secure Connections Just Works and Passkey Entry, and the bad-input
(BI-) cases that break one step. A passkey the IUT displays comes from the upper tester
(`passkey()`) or the IXIT ([sm] passkey).
"""

from __future__ import annotations

import os

from aioble_hci.smp import pdus as sp
from aioble_hci.smp import toolbox as tb
from aioble_hci.smp.pdus import AuthReq, IoCapability, KeyDistribution, PairingFailedReason

from ..case import case
from ..context import CaseContext
from ..smp_peer import pairing_request, swap
from ..verdicts import CaseFailed, NotApplicable, check
from .sm_common import (
    DISPLAYS,
    KEYS,
    PER,
    features,
    legacy_just_works,
    passkey,
    peer,
    sc_pairing,
)


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
