"""Events, phases and the clock, roles, registration, teams, and classes in school events."""
