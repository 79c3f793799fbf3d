"""Contracts of the operator: one line each, keyed by customer ID, and their lifecycle events."""
