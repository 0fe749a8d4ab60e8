"""Privacy and accessibility: the public statements, a person's own data (export, deletion),
an event's personal data after it ends, and the retention of pupils' accounts."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="privacy",
    models=("privacy.models",),
    routes="privacy.routes:routes",
    tasks=("privacy.retention:run_for_app",),
    commands=("privacy.cli:purge",),
)
