"""Modules MicroPython has and CPython lacks, importable by their MicroPython names.

This directory goes at the front of `sys.path` only while a MicroPython-style program runs
(`aioble_hci.mpy.install()`, `aioble-hci run`); it is never installed into site-packages.
"""
