"""Program definitions: versions of each program's rules, loaded from TOML files."""
