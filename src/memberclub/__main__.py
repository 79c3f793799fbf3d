"""Entry point for `python -m memberclub`."""

from memberclub.cli.main import main

raise SystemExit(main())
