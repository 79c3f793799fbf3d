"""The member portal: server-rendered pages for registration, login and the member's own data."""
