"""`python -m rostersync` runs the command-line interface."""

from rostersync.cli.main import cli

if __name__ == "__main__":
    cli(prog_name="rostersync")
