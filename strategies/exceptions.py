class DomainError(Exception):
    """A business rule refused a change; the message is shown to the user as is.

    `field`, when given, names the input the message belongs beside (a form shows it there).
    """

    def __init__(self, message="", *, field: str | None = None):
        super().__init__(message)
        self.field = field
