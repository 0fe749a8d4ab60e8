"""Judging: rubrics, jury, assignment, scores, pairwise votes, people's choice and results (issue #7)."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="judging",
    models=("judging.models",),
    routes="judging.urls:routes",
)
