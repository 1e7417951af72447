"""hci layer."""
