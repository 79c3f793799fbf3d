"""Pure business rules: no Django, no database, no clock."""
