"""Teams in an event: creating and joining them with a code, leaving, leadership, the board."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="teams",
    models=("teams.models",),
    routes="teams.routes:routes",
)
