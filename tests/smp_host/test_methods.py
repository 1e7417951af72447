"""Every pairing method in both roles: the central's Pairing Request and the peripheral's Security
Request, with the method, the security level and the state of both links checked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import IoCapability
from aioble_hci.smp.secure_connections import LocalOob
from tests.smp_host.world import CENTRAL_ADDRESS, PERIPHERAL_ADDRESS, World, connect, until

KEYBOARD = IoCapability.KEYBOARD_ONLY
DISPLAY = IoCapability.DISPLAY_ONLY
YES_NO = IoCapability.DISPLAY_YES_NO


@dataclass(frozen=True)
class Case:
    central: SecurityConfig
    peripheral: SecurityConfig
    method: PairingMethod
    level: int
    sc: bool
    oob: bool = False


def cfg(io: IoCapability = IoCapability.NO_INPUT_NO_OUTPUT, *, sc: bool = True, mitm: bool = False) -> SecurityConfig:
    return SecurityConfig(io_capability=io, secure_connections=sc, mitm=mitm)


CASES = {
    "legacy-just-works": Case(cfg(sc=False), cfg(sc=False), PairingMethod.JUST_WORKS, 2, False),
    "legacy-passkey-peripheral-displays": Case(
        cfg(KEYBOARD, sc=False, mitm=True), cfg(DISPLAY, sc=False, mitm=True), PairingMethod.PASSKEY_ENTRY, 3, False),
    "legacy-passkey-central-displays": Case(
        cfg(DISPLAY, sc=False, mitm=True), cfg(KEYBOARD, sc=False, mitm=True), PairingMethod.PASSKEY_ENTRY, 3, False),
    "sc-just-works": Case(cfg(), cfg(), PairingMethod.JUST_WORKS, 2, True),
    "sc-numeric-comparison": Case(
        cfg(YES_NO, mitm=True), cfg(YES_NO, mitm=True), PairingMethod.NUMERIC_COMPARISON, 4, True),
    "sc-passkey": Case(cfg(KEYBOARD, mitm=True), cfg(DISPLAY, mitm=True), PairingMethod.PASSKEY_ENTRY, 4, True),
    "sc-oob": Case(cfg(mitm=True), cfg(mitm=True), PairingMethod.OOB, 4, True, oob=True),
    "sc-mitm-requested-falls-back-to-just-works": Case(
        SecurityConfig(io_capability=YES_NO, mitm_requested=True), cfg(), PairingMethod.JUST_WORKS, 2, True),
    "legacy-mitm-requested-falls-back-to-just-works": Case(
        cfg(sc=False), SecurityConfig(io_capability=KEYBOARD, mitm_requested=True, secure_connections=False),
        PairingMethod.JUST_WORKS, 2, False),
}


@pytest.mark.parametrize("initiator", ["central", "peripheral"])
@pytest.mark.parametrize("name", list(CASES))
async def test_pairing_method_gives_its_security_level_on_both_links(world: World, name: str, initiator: str) -> None:
    case = CASES[name]
    central = await world.station("central", CENTRAL_ADDRESS, security=case.central)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS, security=case.peripheral)
    cconn, pconn = await connect(central, peripheral)
    if case.oob:
        c_oob, p_oob = LocalOob.generate(), LocalOob.generate()
        central.smp.set_oob(cconn, local=c_oob, peer=p_oob.data)
        peripheral.smp.set_oob(pconn, local=p_oob, peer=c_oob.data)

    if initiator == "central":
        result = await central.smp.pair(cconn)
    else:
        result = await peripheral.smp.pair(pconn)

    assert result.method is case.method
    assert result.level == case.level
    await until(lambda: bool(central.pairings) and bool(peripheral.pairings))
    for station, conn in ((central, cconn), (peripheral, pconn)):
        result_here, error = station.pairings[-1]
        assert error is None and result_here.method is case.method
        state = station.smp.security(conn)
        assert (state.encrypted, state.bonded, state.sc, state.key_size, state.level) == (
            True, True, case.sc, 16, case.level)
    if case.method is PairingMethod.PASSKEY_ENTRY:
        shown = central.user.displayed + peripheral.user.displayed
        typed = central.user.entered + peripheral.user.entered
        assert len(shown) == 1 and typed == shown
    if case.method is PairingMethod.NUMERIC_COMPARISON:
        assert central.user.compared == peripheral.user.compared and len(central.user.compared) == 1
