"""Team pages: create, join with a code, leave, hand over leadership, the board."""
routes: list = []
