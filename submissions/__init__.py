"""Team submissions: versions, files, the gallery."""
from samskapa.packages import DomainPackage

package = DomainPackage(
    name="submissions",
    models=("submissions.models",),
    routes="submissions.routes:routes",
)
