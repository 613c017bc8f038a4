"""The ``vbsign`` command line (click). Subcommands are imported lazily."""
