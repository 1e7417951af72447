"""att layer."""
