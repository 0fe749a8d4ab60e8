"""Challenges published by municipal departments, their themes and open datasets."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="challenges",
    models=("challenges.models",),
    routes="challenges.routes:routes",
)
