"""One module per command; ``coi.app`` registers them."""
