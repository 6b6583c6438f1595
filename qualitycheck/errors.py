"""Errors a user can act on. The CLI prints them as one line and exits 2."""


class QualityCheckError(Exception):
    """Base class: a problem with the user's input or configuration, not a bug."""


class InputError(QualityCheckError):
    """A file that cannot be read or understood (missing, empty, binary, too large)."""


class ConfigError(QualityCheckError):
    """A configuration file or option that is not valid."""


class DictionaryError(QualityCheckError):
    """A dictionary file with an invalid entry."""


class ModelError(QualityCheckError):
    """A model file that is missing or cannot be read (rebuild it with the command the message gives)."""
