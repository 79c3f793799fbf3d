"""Joining and leaving the club: the writes that span contracts, members, ledger and access."""
