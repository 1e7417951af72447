"""The shared real-hardware captures and what their README says is in them."""

from __future__ import annotations

from tests.conftest import shared_captures_dir

SHARED = shared_captures_dir()
EXPECTED_RECORDS = {
    "horizon-74-treadmill.btsnoop": 2572,
    "android-extadv-jieli.btsnoop": 695,
    "darkelf-h4-phdr.pcapng": 122,
    "android-broadcom.btsnoop": 222,
    "bluez-btmon-poweroff.btsnoop": 554,
    "macos-scan-cancel.pklg": 2239,
}
CAPTURES = sorted(EXPECTED_RECORDS)
TREADMILL = SHARED / "horizon-74-treadmill.btsnoop"
TREADMILL_CSV = SHARED / "horizon-74-treadmill.att_raw.tshark.csv"
