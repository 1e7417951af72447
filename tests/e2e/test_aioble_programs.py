"""Issue 7: the two programs of the aioble documentation run unchanged as two processes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.conftest import python

PERIPHERAL = '''
import aioble
import asyncio
import bluetooth

SERVICE_UUID = bluetooth.UUID(0x181A)  # Environmental Sensing
TEMP_UUID = bluetooth.UUID(0x2A6E)     # Temperature

service = aioble.Service(SERVICE_UUID)
temp = aioble.Characteristic(service, TEMP_UUID, read=True)
aioble.register_services(service)

async def main():
    while True:
        conn = await aioble.advertise(interval_us=250000, name="openmv-temp", services=[SERVICE_UUID])
        async with conn:
            await conn.disconnected()

asyncio.run(main())
'''

CENTRAL = '''
import aioble
import asyncio
import bluetooth

SERVICE_UUID = bluetooth.UUID(0x181A)
TEMP_UUID = bluetooth.UUID(0x2A6E)

async def main():
    device = None
    async with aioble.scan(duration_ms=5000, active=True) as scanner:
        async for result in scanner:
            if SERVICE_UUID in result.services():
                device = result.device
                break
    if device is None:
        return
    async with await device.connect() as conn:
        service = await conn.service(SERVICE_UUID)
        char = await service.characteristic(TEMP_UUID)
        print(await char.read())

asyncio.run(main())
'''


def test_documented_peripheral_and_central_meet_with_no_configuration(tmp_path: Path, unconfigured_env) -> None:
    (tmp_path / "peripheral.py").write_text(PERIPHERAL)
    (tmp_path / "central.py").write_text(CENTRAL)
    peripheral = python(tmp_path / "peripheral.py", unconfigured_env, tmp_path)
    try:
        central = python(tmp_path / "central.py", unconfigured_env, tmp_path)
        out, _ = central.communicate(timeout=60)
    finally:
        peripheral.terminate()
        peripheral.wait(timeout=10)
    assert central.returncode == 0, out
    # The characteristic has no initial value: the central reads it back empty.
    assert out.strip().splitlines()[-1] == "b''"


def test_temperature_examples_report_readings(tmp_path: Path, unconfigured_env) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    sensor = python(examples / "temp_sensor.py", unconfigured_env, tmp_path)
    try:
        client = python(examples / "temp_client.py", unconfigured_env, tmp_path)
        out, _ = client.communicate(timeout=60)
    finally:
        sensor.terminate()
        try:
            sensor.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sensor.kill()
    readings = [line for line in out.splitlines() if line.startswith("Temperature: ")]
    assert client.returncode == 0, out
    assert len(readings) == 5, out
    for line in readings:
        value = float(line.split()[1])
        assert 15.0 < value < 35.0
