"""The west usage feed: billed and paid amounts per customer and billing month."""
