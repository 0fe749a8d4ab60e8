"""Rubrics, jury, assignment, scores, pairwise votes, people's choice and results."""
