"""The ATT/GATT bearer of the host: `Gatt` (per Host), `GattServer`, `GattClient`, `AttBearer`.

    l2cap = L2capBearer(host).attach()
    gatt = Gatt(host, l2cap).attach()
    gatt.server.register_services([...])
    client = gatt.client(connection)
    services = await client.discover_services()
"""

from aioble_hci.host.events import EventHub
from aioble_hci.host.gatt.bearer import AttBearer
from aioble_hci.host.gatt.client import GattClient
from aioble_hci.host.gatt.layer import DEFAULT_PREFERRED_MTU, Gatt, attach_gatt, use_smp
from aioble_hci.host.gatt.server import GattServer

__all__ = ["DEFAULT_PREFERRED_MTU", "AttBearer", "EventHub", "Gatt", "GattClient", "GattServer", "attach_gatt", "use_smp"]
