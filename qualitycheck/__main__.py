"""`python -m qualitycheck` runs the command line."""

from .cli import main

main()
