"""A base for SQL functions whose SQL is written by hand, per database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Func


class VendorFunc(Func):
    """A `Func` whose SQL a subclass writes in `vendor_sql(compiler, connection)`, or per database in
    `as_postgresql` / `as_sqlite` (which Django calls first). `as_sql` keeps, in one place, the signature
    that mypy expects of `Func.as_sql`; a function without `vendor_sql` is refused on the databases it has
    no method for."""

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        return self.vendor_sql(compiler, connection)

    def vendor_sql(self, compiler: Any, connection: Any) -> tuple[str, Sequence[Any]]:
        raise NotImplementedError(f"{type(self).__name__} is not written for {connection.vendor}")
