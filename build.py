#!/usr/bin/env python3
"""Build, serve or check the upper back pain site. Run `python build.py --help`."""

from sitegen.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
