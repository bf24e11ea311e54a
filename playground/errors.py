"""The base of every error that means "the user should do something differently".

The CLI prints these as one line (no traceback); every typed error in the package
derives from PlaygroundError.
"""


class PlaygroundError(Exception):
    """A user-facing error: the message says what is wrong and what to do."""


USER_ERRORS = (PlaygroundError,)
