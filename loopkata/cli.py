"""The `loopkata` command: a workspace, progress and hints for learners; grading for instructors.

This module only builds the command line from each audience's `register`
and turns every error into one line; the commands live with their audience
(`loopkata.learner.commands`, `loopkata.grading.command`,
`loopkata.homework.commands`, `loopkata.maintainer.skeletons`).
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from loopkata.grading import command as grading_command
from loopkata.homework import commands as homework_commands
from loopkata.kata.errors import EXIT_OK, EXIT_USAGE, UsageError
from loopkata.learner import commands as learner_commands
from loopkata.maintainer import skeletons


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="loopkata", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    learner_commands.register(sub)
    grading_command.register(sub)
    homework_commands.register(sub)
    skeletons.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"loopkata {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("loopkata: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `loopkata hint loss --all | head -1`: the reader has gone, fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as e:  # a bug of ours: one line, and the traceback only on request
        if os.environ.get("LOOPKATA_DEBUG"):
            traceback.print_exc()
        print(f"loopkata: internal error: {type(e).__name__}: {e} (LOOPKATA_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
