"""School events: classes, pupils joining with a class code, pupil login."""
routes: list = []
