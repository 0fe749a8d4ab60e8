"""Judging: rubric, jury, assignment and aggregation of scores (issue #7)."""
