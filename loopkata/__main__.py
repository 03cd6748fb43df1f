"""`python -m loopkata`: the same as the `loopkata` command."""
import sys

from loopkata.cli import main

sys.exit(main())
