"""Online storage (SPEC §9): members' files, their quota, and the backends that keep them."""
