"""Members of the club: people registered against exactly one contract."""
