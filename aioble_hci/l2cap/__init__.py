"""l2cap layer."""
