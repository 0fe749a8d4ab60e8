"""Challenges published by municipal departments, their themes and open datasets."""
