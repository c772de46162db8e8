"""The store's one error."""


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""
