"""Challenge pages (filled in by the challenges work)."""
routes: list = []
