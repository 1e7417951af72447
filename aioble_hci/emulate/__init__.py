"""Recorded devices: rebuild a remote peripheral from a capture and serve it (docs/emulate.md).

`builder.build_model(path)` gives a `model.CaptureModel` (sans-I/O); `serve.DeviceEmulator` runs one
`model.DeviceModel` on a Host; `adverts.AdvertReplay` replays every advertiser.
"""
