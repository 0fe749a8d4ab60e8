"""Judging: rubrics, jury, assignment, scores, pairwise votes, people's choice and results (issue #7)."""
