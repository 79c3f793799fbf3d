"""The operator console: Django admin with staff roles and an audit log."""
