"""Lesson 9 as the course-v3 notebooks wrote it, with none of the spec's fixes (see ../../README.md)."""
