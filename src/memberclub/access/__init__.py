"""How people get in: registration requests, auth keys, trusted devices and attempt limits."""
