"""Template helpers of the portal."""
