"""Lesson 9 of fast.ai's "Deep Learning from the Foundations", rebuilt step by step."""
