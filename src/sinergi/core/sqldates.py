"""Date arithmetic in SQL that gives the same days as the Python rules (`dateutil.relativedelta`)."""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, F, Value
from django.db.models.expressions import Expression

from sinergi.core.sqlfunc import VendorFunc


class AddMonths(VendorFunc):
    """`date` plus whole calendar months (0 or more; an int or an integer expression, e.g. a column), with a
    day the month lacks clamped to its last day, as `relativedelta(months=n)` does: 31 January + 1 month is
    28 (or 29) February, 31 August + 3 months is 30 November.

    PostgreSQL's `date + interval` clamps the same way. SQLite's `date(d, '+n months')` does not: it runs
    over into the next month (31 January + 1 month is 3 March, or 2 March in a leap year), so when the day
    of the month changed the result is brought back to the eve of the month it ran into.
    Other databases: `NotImplementedError` (`VendorFunc`)."""

    output_field = DateField()
    arity = 2

    def __init__(self, date: Any, months: int | Expression | F, **extra: Any) -> None:
        if isinstance(months, int):
            if months < 0:
                raise ValueError("AddMonths adds 0 or more months")
            months = Value(months)
        super().__init__(date, months, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        sql = f"(({date_sql}) + make_interval(months => ({months_sql})::integer))::date"
        return sql, (*date_params, *months_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        moved = f"date({date_sql}, '+' || ({months_sql}) || ' months')"
        moved_params = (*date_params, *months_params)
        # '%%': Django's SQLite cursor turns it back into '%' for strftime.
        sql = (
            f"CASE WHEN strftime('%%d', {moved}) = strftime('%%d', {date_sql}) THEN {moved} "
            f"ELSE date({moved}, 'start of month', '-1 day') END"
        )
        return sql, (*moved_params, *date_params, *moved_params, *moved_params)
