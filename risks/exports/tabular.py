"""CSV: one row per sub-risk, streamed, UTF-8 with a byte order mark.

The column names are part of the format: other tools read them, so they change
only with care. Every cell goes through `neutralise`, as in the Excel export.
"""

import csv

from risks.exports.common import neutralise

BYTE_ORDER_MARK = "\ufeff"
CSV_COLUMNS = [
    "Reference",
    "Area",
    "Area name",
    "Group",
    "Description",
    "Rating label",
    "Likelihood",
    "Likelihood value",
    "Settlement impact",
    "Settlement impact value",
    "Rating",
    "Rating rank",
]
# Rows fetched from the database at a time; memory stays flat whatever the size.
CHUNK_SIZE = 2000
# Only the columns the CSV shows are read, not the areas' long narrative.
CSV_FIELDS = [
    "reference",
    "statement",
    "rating_label",
    "area__number",
    "area__name",
    "area__group",
    "likelihood__label",
    "likelihood__value",
    "impact__label",
    "impact__value",
    "rating__name",
    "rating__rank",
]


class _Line:
    """A file-like object whose write returns the text, for csv.writer."""

    def write(self, text):
        return text


def subrisk_row(subrisk):
    """The CSV cells of one sub-risk, in CSV_COLUMNS order, before neutralising."""
    area = subrisk.area
    return [
        subrisk.reference,
        area.number,
        area.name,
        area.group,
        subrisk.statement,
        subrisk.rating_label,
        subrisk.likelihood.label,
        subrisk.likelihood.value,
        subrisk.impact.label,
        subrisk.impact.value,
        subrisk.rating.name,
        subrisk.rating.rank,
    ]


def csv_lines(register, subrisks):
    """Yields the CSV file line by line: the header, then one line per sub-risk.

    `subrisks` are the register's live sub-risks to export, filtered as shown.
    """
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BYTE_ORDER_MARK + writer.writerow(CSV_COLUMNS)
    rows = (
        subrisks.filter(area__register=register)
        .select_related(None)
        .select_related("area", "likelihood", "impact", "rating")
        .only(*CSV_FIELDS)
    )
    for subrisk in rows.iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow([neutralise(cell) for cell in subrisk_row(subrisk)])
