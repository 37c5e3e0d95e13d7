"""Domain errors and the exit code each one ends the CLI with (the README lists them)."""

from __future__ import annotations

from typing import NoReturn

EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug: please report it
EXIT_USAGE = 2  # bad command-line options (Click's own code)
EXIT_INPUT = 3  # the notes path or a table cannot be used at all, or no note in it can be read
EXIT_RULES = 4  # a rules file is invalid
EXIT_OUTPUT = 5  # the output folder cannot be written
EXIT_SKIPPED = 6  # the run finished, but some inputs were skipped (listed in run_manifest.json)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


class ChartAbstractError(Exception):
    """Base of every error the CLI turns into a one-line message and an exit code."""

    exit_code = EXIT_INTERNAL


class InputError(ChartAbstractError):
    """The input path or table cannot be read at all (names the file and line or row)."""

    exit_code = EXIT_INPUT


class NothingReadError(InputError):
    """No note could be read (none found, or every input skipped); the outputs are unchanged.

    ``lines`` says what was skipped and why, for the CLI to print before the message.
    """

    def __init__(self, message: str, lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lines = lines


class RuleFileError(ChartAbstractError):
    """A rules file is malformed (names the file and the rule index)."""

    exit_code = EXIT_RULES


class OutputError(ChartAbstractError):
    """The output folder cannot be created or written."""

    exit_code = EXIT_OUTPUT


class FatalExit(SystemExit):
    """SystemExit that carries its message, so tests can compare code and text."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(code)
        self.message = message


def fatal(message: str, code: int) -> NoReturn:
    """Stop the CLI with a message on stderr and a named exit code."""
    import sys

    print(f"error: {message}", file=sys.stderr)
    raise FatalExit(message, code)
