"""The points ledger: accounts, lots, append-only entries and the draws linking debits to lots."""
