"""Periodic batch jobs: accrual, expiry and notices, set-based and resumable."""
