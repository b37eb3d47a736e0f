"""Stable references that other systems use to name records (e.g. SRR-2017/2.b)."""


def area_reference(register_reference, number):
    return f"{register_reference}/{number}"


def subrisk_reference(register_reference, area_number, key):
    return f"{register_reference}/{area_number}.{key}"


def factor_reference(register_reference, area_number, key):
    return f"{register_reference}/{area_number}/{key}"


def mitigation_reference(register_reference, area_number, key):
    return f"{register_reference}/{area_number}/{key}"


def lesson_reference(register_reference, source_key, number):
    return f"{register_reference}/L/{source_key}-{number}"


def glossary_reference(register_reference, abbreviation):
    return f"{register_reference}/G/{abbreviation}"


def next_letter_key(existing):
    """The next sub-risk key after the existing ones: a, b, ... z, aa, ab, ..."""
    number = 1
    while True:
        key, n = "", number
        while n:
            n, remainder = divmod(n - 1, 26)
            key = chr(ord("a") + remainder) + key
        if key not in existing:
            return key
        number += 1


def next_numbered_key(prefix, existing):
    """The lowest unused key of the form <prefix><n>, e.g. F12."""
    numbers = {
        int(key[len(prefix) :])
        for key in existing
        if key.startswith(prefix) and key[len(prefix) :].isdigit()
    }
    return f"{prefix}{max(numbers, default=0) + 1}"
