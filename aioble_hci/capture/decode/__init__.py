"""Per-layer decoders used by capture.decoder: each turns bytes into a Layer and never raises."""
