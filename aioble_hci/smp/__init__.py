"""smp layer."""
