"""Rubrics, jury, assignment, scores, pairwise votes, people's choice and results."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="judging",
    models=("judging.models",),
)
