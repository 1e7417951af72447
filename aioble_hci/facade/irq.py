"""MicroPython's ``bluetooth.BLE`` IRQ event codes (docs/library/bluetooth.rst, "Event Handling")."""

from __future__ import annotations

from enum import IntEnum


class Irq(IntEnum):
    CENTRAL_CONNECT = 1
    CENTRAL_DISCONNECT = 2
    GATTS_WRITE = 3
    GATTS_READ_REQUEST = 4
    SCAN_RESULT = 5
    SCAN_DONE = 6
    PERIPHERAL_CONNECT = 7
    PERIPHERAL_DISCONNECT = 8
    GATTC_SERVICE_RESULT = 9
    GATTC_SERVICE_DONE = 10
    GATTC_CHARACTERISTIC_RESULT = 11
    GATTC_CHARACTERISTIC_DONE = 12
    GATTC_DESCRIPTOR_RESULT = 13
    GATTC_DESCRIPTOR_DONE = 14
    GATTC_READ_RESULT = 15
    GATTC_READ_DONE = 16
    GATTC_WRITE_DONE = 17
    GATTC_NOTIFY = 18
    GATTC_INDICATE = 19
    GATTS_INDICATE_DONE = 20
    MTU_EXCHANGED = 21
    L2CAP_ACCEPT = 22
    L2CAP_CONNECT = 23
    L2CAP_DISCONNECT = 24
    L2CAP_RECV = 25
    L2CAP_SEND_READY = 26
    CONNECTION_UPDATE = 27
    ENCRYPTION_UPDATE = 28
    GET_SECRET = 29
    SET_SECRET = 30
    PASSKEY_ACTION = 31


# Host status codes reported in *_DONE events for failures that are not ATT errors (NimBLE's BLE_HS_E*).
STATUS_NOT_CONNECTED = 7  # BLE_HS_ENOTCONN
STATUS_TIMEOUT = 13  # BLE_HS_ETIMEOUT
ATT_ERROR_BASE = 0x100  # NimBLE reports an ATT Error Response as 0x100 + the ATT error code

INVALID_HANDLE = 0xFFFF  # the conn_handle of a failed gap_connect's PERIPHERAL_DISCONNECT
FAILED_ADDR_TYPE = 0xFF  # its addr_type (the address is six zero octets), as the NimBLE binding reports it
