# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Pairing and bonding: a READ_ENCRYPTED characteristic refuses an unencrypted read (GattError 0x105,
# insufficient authentication: no key yet); the central pairs with LE Secure Connections Just Works
# and bond=True; both sides see encrypted=1 authenticated=0 bonded=1 key_size=16 (False before);
# the read then succeeds, and each side writes its bond to ble_secrets.json in its own directory.
import sys

sys.path.append("")

import asyncio
import json

import aioble
import aioble.security
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID(0xFEF0)
CHAR_UUID = bluetooth.UUID(0xFEF1)


class EncryptedCharacteristic(aioble.Characteristic):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flags |= 0x0200  # READ_ENCRYPTED


def security(connection):
    return "encrypted=%s authenticated=%s bonded=%s key_size=%s" % (
        connection.encrypted, connection.authenticated, connection.bonded, connection.key_size)


def secrets_file():
    try:
        with open("ble_secrets.json") as f:
            entries = json.load(f)
    except OSError:
        return "no secrets file"
    well_formed = all(
        isinstance(sec_type, int) and key.endswith("\n") and value.endswith("\n")
        for sec_type, key, value in entries
    )
    return "secrets file written, entries well formed: %s" % (bool(entries) and well_formed)


async def peripheral():
    aioble.security.load_secrets()
    # A board's NimBLE does not bond unless asked (BLE_SM_BONDING 0); the responder asks here, the
    # central through connection.pair(bond=True).
    aioble.config(bond=True)
    service = aioble.Service(SERVICE_UUID)
    char = EncryptedCharacteristic(service, CHAR_UUID, read=True)
    aioble.register_services(service)
    char.write("secret")
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected", security(connection))
    multitest.wait("paired")
    # The responder's update may come a little after the initiator's pair() returned.
    for _ in range(TIMEOUT_MS // 50):
        if connection.encrypted:
            break
        await asyncio.sleep_ms(50)
    print("paired", security(connection))
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")
    await asyncio.sleep_ms(500)
    print(secrets_file())


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected", security(connection))
    service = await connection.service(SERVICE_UUID)
    char = await service.characteristic(CHAR_UUID)
    try:
        print("read", await char.read(timeout_ms=TIMEOUT_MS))
    except aioble.GattError as exc:
        print("read refused", hex(exc._status))
    await connection.pair(bond=True, le_secure=True, mitm=False, timeout_ms=TIMEOUT_MS)
    print("paired", security(connection))
    multitest.broadcast("paired")
    print("read", await char.read(timeout_ms=TIMEOUT_MS))
    await connection.disconnect(timeout_ms=TIMEOUT_MS)
    print("disconnected")
    await asyncio.sleep_ms(500)
    print(secrets_file())


def instance0():
    try:
        asyncio.run(peripheral())
    finally:
        aioble.stop()


def instance1():
    try:
        asyncio.run(central())
    finally:
        aioble.stop()
