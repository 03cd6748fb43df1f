"""Lesson 9, rebuilt a second way: explicit names, type hints and vectorised torch code."""
