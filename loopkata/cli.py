"""The `loopkata` command."""
from __future__ import annotations

import argparse
import sys

from loopkata import paths, skeleton

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def cmd_skeletons(args: argparse.Namespace) -> int:
    solutions, skeletons = paths.reference_tree(), paths.skeleton_tree()
    if args.check:
        problems = skeleton.drift(solutions, skeletons)
        for line in problems:
            print(f"skeletons/{line.split(': ', 1)[1]}: {line.split(':', 1)[0]}")
        if problems:
            print("skeletons/ has drifted from solutions/: run `loopkata skeletons` to regenerate it")
            return EXIT_FAILED
        print("skeletons/ matches solutions/")
        return EXIT_OK
    written = skeleton.write_skeletons(solutions, skeletons)
    print(f"wrote {len(written)} files to {skeletons}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loopkata", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("skeletons", help="regenerate skeletons/ from solutions/ (maintainers)")
    p.add_argument("--check", action="store_true", help="only check that skeletons/ is up to date")
    p.set_defaults(func=cmd_skeletons)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (paths.KataNotFound, skeleton.MarkerError) as e:
        print(f"loopkata: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
