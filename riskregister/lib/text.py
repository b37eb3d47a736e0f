"""Plain text as the register stores it."""


def normalise_newlines(value):
    """Text with every line ending as "\\n" (browsers post "\\r\\n"); other values as
    they are."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def normalise_fields(fields):
    """A record's field values with their text's line endings normalised."""
    return {name: normalise_newlines(value) for name, value in fields.items()}
