"""Results as JSON, JUnit XML (for CI) and an HTML page a person reads: the verdict matrix, each
case's exchange as a two-lane sequence table, and links to each case's btsnoop capture."""

from __future__ import annotations

import html
import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from .link import FROM_IUT, TO_IUT
from .runner import CaseResult
from .verdicts import Verdict

COLOURS = {Verdict.PASS: "#1a7f37", Verdict.FAIL: "#cf222e", Verdict.INCONCLUSIVE: "#9a6700",
           Verdict.NOT_APPLICABLE: "#6e7781"}


def summary(results: list[CaseResult]) -> dict[str, int]:
    counts = Counter(str(r.verdict) for r in results)
    return {str(v): counts.get(str(v), 0) for v in Verdict}


def to_json(results: list[CaseResult], iut: str = "") -> str:
    return json.dumps({"iut": iut, "summary": summary(results), "cases": [r.to_dict() for r in results]}, indent=2)


def write_junit(results: list[CaseResult], path: Path, suite: str = "aioble-hci conform") -> None:
    """JUnit XML: fail is a failure, inconclusive an error, not applicable skipped."""
    counts = summary(results)
    root = ET.Element("testsuite", name=suite, tests=str(len(results)), failures=str(counts["fail"]),
                      errors=str(counts["inconclusive"]), skipped=str(counts["not applicable"]),
                      time=f"{sum(r.duration for r in results):.3f}")
    for r in results:
        element = ET.SubElement(root, "testcase", classname=r.case.id.split("/")[0], name=r.case.id,
                                time=f"{r.duration:.3f}")
        if r.verdict is Verdict.FAIL:
            ET.SubElement(element, "failure", message=r.reason).text = _exchange_text(r)
        elif r.verdict is Verdict.INCONCLUSIVE:
            ET.SubElement(element, "error", message=r.reason).text = _exchange_text(r)
        elif r.verdict is Verdict.NOT_APPLICABLE:
            ET.SubElement(element, "skipped", message=r.reason)
        if r.capture:
            ET.SubElement(element, "system-out").text = f"capture: {r.capture}"
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _exchange_text(r: CaseResult) -> str:
    return "\n".join(f"{e.time:8.4f} {e.direction:7} {e.channel:12} {e.data.hex()} {e.summary}" for e in r.exchanges)


def _anchor(case_id: str) -> str:
    return "case-" + "".join(ch if ch.isalnum() else "-" for ch in case_id)


def write_html(results: list[CaseResult], directory: Path, iut: str = "", title: str = "Conformance report") -> Path:
    """Write index.html into `directory` (captures are linked relative to it); returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    e = html.escape
    counts = summary(results)
    parts: list[str] = [
        "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{e(title)}</title>", f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>", f"<p>IUT: <code>{e(iut)}</code> &middot; " + " &middot; ".join(
            f"<span class=\"v\" style=\"background:{COLOURS[v]}\">{e(str(v))}</span> {counts[str(v)]}" for v in Verdict)
        + "</p>",
        "<h2>Verdict matrix</h2>",
        "<table class=\"matrix\"><thead><tr><th>Test ID</th><th>Title</th><th>Roles</th><th>Rule</th>"
        "<th>Verdict</th><th>Reason</th><th>Capture</th></tr></thead><tbody>",
    ]
    for r in results:
        capture = _relative(r.capture, directory)
        parts.append(
            f"<tr><td><a href=\"#{_anchor(r.case.id)}\">{e(r.case.id)}</a></td><td>{e(r.case.title)}</td>"
            f"<td>{e(r.case.roles)}</td><td>{e(r.case.rule)}</td>"
            f"<td><span class=\"v\" style=\"background:{COLOURS[r.verdict]}\">{e(str(r.verdict))}</span></td>"
            f"<td>{e(r.reason)}</td><td>" + (f"<a href=\"{e(capture)}\">btsnoop</a>" if capture else "") + "</td></tr>")
    parts.append("</tbody></table><h2>Exchanges</h2>")
    for r in results:
        capture = _relative(r.capture, directory)
        parts.append(f"<section id=\"{_anchor(r.case.id)}\"><h3>{e(r.case.id)}: {e(r.case.title)}</h3>"
                     f"<p>Rule: {e(r.case.rule)} &middot; <span class=\"v\" style=\"background:{COLOURS[r.verdict]}\">"
                     f"{e(str(r.verdict))}</span> {e(r.reason)}"
                     + (f" &middot; <a href=\"{e(capture)}\">capture</a>" if capture else "") + "</p>")
        if r.exchanges:
            parts.append("<table class=\"seq\"><thead><tr><th>t (s)</th><th>Lower tester</th><th></th>"
                         "<th>IUT</th><th>PDU (hex)</th></tr></thead><tbody>")
            for x in r.exchanges:
                if x.direction == TO_IUT:
                    lt, arrow, iut_cell = f"{e(x.channel)}: {e(x.summary)}", "&#x2500;&#x2500;&#x25B6;", ""
                elif x.direction == FROM_IUT:
                    lt, arrow, iut_cell = "", "&#x25C0;&#x2500;&#x2500;", f"{e(x.channel)}: {e(x.summary)}"
                else:
                    lt, arrow, iut_cell = f"<i>{e(x.channel)} {e(x.summary)}</i>", "", ""
                parts.append(f"<tr><td>{x.time:.4f}</td><td>{lt}</td><td class=\"arrow\">{arrow}</td>"
                             f"<td>{iut_cell}</td><td><code>{e(x.data.hex(' '))}</code></td></tr>")
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts.append("</body></html>")
    path = directory / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _relative(capture: str | None, directory: Path) -> str | None:
    if not capture:
        return None
    try:
        return os.path.relpath(capture, directory)
    except ValueError:
        return capture


def write_all(results: list[CaseResult], directory: Path, iut: str = "") -> dict[str, Any]:
    """index.html, results.json and junit.xml in `directory`."""
    page = write_html(results, directory, iut)
    (directory / "results.json").write_text(to_json(results, iut), encoding="utf-8")
    write_junit(results, directory / "junit.xml")
    return {"html": page, "json": directory / "results.json", "junit": directory / "junit.xml"}


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#1f2328}
table{border-collapse:collapse;margin-bottom:1.5em;font-size:0.9em;width:100%}
.matrix td:first-child{white-space:nowrap}
.seq{table-layout:fixed}.seq th:first-child{width:5em}.seq th:nth-child(3){width:3em}.seq th:last-child{width:22%}
th,td{border:1px solid #d0d7de;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f6f8fa}
.v{color:#fff;border-radius:4px;padding:1px 6px;white-space:nowrap}
.seq td.arrow{text-align:center;white-space:nowrap;color:#57606a}
.seq td:nth-child(2){background:#f0f6ff}.seq td:nth-child(4){background:#fff8f0}
code{font-size:0.85em;word-break:break-all}
.seq td{overflow-wrap:anywhere}
section{border-top:1px solid #d0d7de;padding-top:0.5em}
"""
