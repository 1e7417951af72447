"""Every row of the benchmark table, in the issue's order, with its targets."""

from __future__ import annotations

from benchmarks import (
    adv_ingest,
    capture_decode,
    end_to_end,
    l2cap_coc,
    receive,
    startup,
    write_rtt,
)
from benchmarks.core import Case, Target

# The best radio: 2M PHY with data length extension carries ~1.4 Mbit/s of application data,
# ~720 notifications of 244 bytes per second. Advertising: one 1M-PHY channel can carry at most
# one 31-byte ADV_IND (47 bytes on air, 376 us) after another: ~2,660 reports/s.
RADIO_NOTIFICATIONS = 720.0
RADIO_MBYTES = 1.4e6 / 8 / 1e6
RADIO_ADV_REPORTS = 2660.0
HEADROOM = 50.0
FASTER = 3.0


def rate_targets(radio: float, what: str) -> list[Target]:
    return [
        Target(f">= {FASTER:g}x Bumble", FASTER, on="ratio"),
        Target(f">= {HEADROOM:g}x radio ({_figure(radio * HEADROOM)} {what})", radio * HEADROOM),
    ]


def all_cases() -> list[Case]:
    cases: list[Case] = []
    cases += receive.cases(rate_targets(RADIO_NOTIFICATIONS, "notif/s"))
    cases += end_to_end.cases(rate_targets(RADIO_NOTIFICATIONS, "notif/s"))
    cases += [
        Case("adv_ingest_legacy", "3. advertising ingest, legacy reports", "reports/s",
             adv_ingest.ours_legacy, adv_ingest.theirs_legacy,
             targets=rate_targets(RADIO_ADV_REPORTS, "reports/s")),
        Case("adv_ingest_extended", "3. advertising ingest, extended reports", "reports/s",
             adv_ingest.ours_extended, adv_ingest.theirs_extended,
             targets=rate_targets(RADIO_ADV_REPORTS, "reports/s")),
    ]
    cases += l2cap_coc.cases(rate_targets(RADIO_MBYTES, "MB/s"))
    cases += write_rtt.cases()
    cases += _startup_cases()
    cases += _capture_cases()
    return cases


def _startup_cases() -> list[Case]:
    lower = "lower is better; ratio < 1 means we start faster"
    return [
        Case("startup", "6. start-up to advertising (process, bytecode compiled)", "s",
             startup.advertising("ours"), startup.advertising("bumble"), higher_is_better=False,
             targets=[Target("<= 0.5x Bumble", 0.5, on="ratio", at_most=True)], note=lower),
        Case("startup_source", "6. start-up to advertising (process, no bytecode)", "s",
             startup.advertising("ours", compiled=False), startup.advertising("bumble", compiled=False),
             higher_is_better=False, note=lower + "; every module compiled from source"),
        Case("import_aioble", "6. import aioble (process, bytecode compiled)", "s",
             startup.import_aioble(), targets=[Target("< 100 ms", 0.1, at_most=True)],
             higher_is_better=False, note="python -c 'import aioble', interpreter start included"),
        Case("import_aioble_source", "6. import aioble (process, no bytecode)", "s",
             startup.import_aioble(compiled=False), higher_is_better=False),
        Case("cli_help", "6. aioble-hci --help (process, bytecode compiled)", "s",
             startup.cli_help(), targets=[Target("< 80 ms", 0.08, at_most=True)], higher_is_better=False),
    ]


def _capture_cases() -> list[Case]:
    path, tshark = capture_decode.capture_path(), capture_decode.tshark()
    if path is None:
        reason = f"not yet measured: {capture_decode.NAME} not found in ../shared/captures or /work/shared/captures"
        return [Case("capture_decode", "7. capture decode", "packets/s", None, missing=reason)]
    rows = [Case("capture_decode_in_process", "7. capture decode+render, in process", "packets/s",
                 capture_decode.ours_in_process, note="ours only: no in-process reference")]
    if tshark is None:
        rows.insert(0, Case("capture_decode", "7. capture decode (process) vs tshark -V", "packets/s", None,
                            reference="tshark", missing="not yet measured: tshark is not installed"))
    else:
        rows.insert(0, Case("capture_decode", "7. capture decode (process) vs tshark -V", "packets/s",
                            capture_decode.ours_process, capture_decode.tshark_process, reference="tshark",
                            note="aioble-hci capture show FILE vs tshark -r FILE -V, start-up included"))
    return rows


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"
