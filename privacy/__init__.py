"""Privacy and accessibility: the public statements, a person's own data (export, deletion),
an event's personal data after it ends, and the retention of pupils' accounts."""
