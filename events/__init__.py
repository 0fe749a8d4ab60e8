"""Events: phases and the clock, roles and who may do what (policy), invitations, registration,
the organiser's dashboard, the calendar feed and the public API."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="events",
    models=("events.models",),
    routes="events.routes:routes",
)
