"""loopkata: rebuild the training loop of fast.ai's 2019 lesson 9, one tested step at a time."""

__version__ = "0.1.0"
