"""The `memberclub` command line: one management command per verb, with --json output."""
