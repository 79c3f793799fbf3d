"""Rewards: the catalog, digital code pools and redemptions of points."""
