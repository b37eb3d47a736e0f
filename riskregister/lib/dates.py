"""Date arithmetic in queries, for the databases the project runs on."""

from django.db.models import DateField, Func


class AddDays(Func):
    """A date plus a whole number of days, e.g. a review date plus its interval.

    NULL in either argument gives NULL.
    """

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date + integer is a date.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + "
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
        )
