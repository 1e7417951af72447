"""gap layer."""
