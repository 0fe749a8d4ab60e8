"""Team submissions: versions, files, the gallery."""
from samskapa.packages import DomainPackage

# The models only on this branch: the submissions branch brings its pages (keep both at merge).
package = DomainPackage(name="submissions", models=("submissions.models",))
