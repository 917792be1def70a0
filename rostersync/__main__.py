"""`python -m rostersync` runs the command-line interface."""

from rostersync.cli.main import main

if __name__ == "__main__":
    main(prog_name="rostersync")
