"""School events: classes, pupils joining with a class code and a nickname, who sees pupils."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="school",
    models=("school.models",),
    routes="school.routes:routes",
)
