"""The one error the world pipeline raises for bad input.

Its message is a single sentence that names the problem and says what to do; the CLI prints it
as is, never a traceback.
"""


class WorldBuildError(Exception):
    """Bad input or an unusable state, explained in one sentence for the person who ran the tool."""
