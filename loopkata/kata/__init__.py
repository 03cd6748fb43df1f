"""The kata itself, as data: its steps, where its content lives, trees of files, and MNIST.

Every other part of loopkata imports from here; this subpackage imports
nothing else of loopkata. Nothing here runs learner code.
"""

VERSION = "0.1.0"
