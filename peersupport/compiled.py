"""Queries the ORM builds and compiles once per shape, then runs with new values.

A page shown again and again runs the same query each time with different
values: the signed-in tutor's id, the moment a claim started to count. For
the review queue, building and compiling that query through the ORM took
8 of the page's 28 ms, every time, for the same SQL text. ``CompiledQuery``
builds it once for each *shape* (everything that changes the SQL text: the
filters chosen, the page, the person's role) and afterwards only puts the
new values into the compiled parameters.

The SQL still comes from the ORM, from the same definitions as everywhere
else (the admin's scope, the managers), so nothing is written twice. What
could go wrong is a value that changes the SQL text rather than only a
parameter, or something besides the arguments that changes the query. So a
shape is only kept after it has been built twice, with the real values and
with stand-in ones, and the two compilations differ in exactly the
parameters the values explain; anything else (a value that changes the text,
a parameter that moved on its own, such as a clock read inside ``build``)
means the shape is built afresh on every call, which is as correct as it is
slow. What the check cannot see, the caller must keep: ``build`` reads
nothing but its two arguments, and ``shape`` holds everything but the values.

Compiled queries are kept per database connection (the converters Django
applies to the rows belong to it), so per thread, at most ``max_shapes`` of
them each. They live as long as the process: a deployment that changes the
schema restarts it.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from weakref import WeakSet

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ValuesIterable, ValuesListIterable

logger = logging.getLogger(__name__)

# The stand-in values, of each value's type. An integer stand-in is within
# the range of every integer column (0 to 32,767): Django leaves a lookup of
# an integer outside its column's range out of the SQL altogether, and a
# real value outside it would then compile to the same SQL as the stand-in.
# They are far apart, so that no arithmetic on one gives another. A real
# value equal to its stand-in is run without being compiled.
STAND_IN_INT = 31_991
STAND_IN_STEP = 997
STAND_IN_MOMENT = datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt_timezone.utc)


@dataclass(frozen=True)
class Compiled:
    """One shape's SQL, its parameters (a value's name where a value goes),
    and what turns a fetched row into what the queryset would have given."""

    sql: str
    params: tuple  # a constant, or a Slot
    compiler: object  # the SQLCompiler that compiled it: its converters
    names: tuple[str, ...]
    iterable: type


@dataclass(frozen=True)
class Slot:
    """Where a value goes among the parameters."""

    name: str


EMPTY = object()  # the shape is a queryset.none(): it matches nothing, whatever the values
UNSTABLE = object()  # the shape's SQL depends on more than its values: build every time


_every: "WeakSet[CompiledQuery]" = WeakSet()


def forget_compiled() -> None:
    """Forget this thread's compiled queries, as a new process would have
    none (the test suite does so before each test, so that every test sees
    each shape compiled first)."""
    for query in list(_every):
        query._per_thread.__dict__.clear()


class CompiledQuery:
    """``build(shape, values)`` returns a ``values()`` or ``values_list()``
    queryset; ``rows(shape, **values)`` returns what listing it would."""

    def __init__(self, build: Callable[[Hashable, dict], QuerySet], *, max_shapes: int = 128):
        self.build = build
        self.max_shapes = max_shapes
        _every.add(self)
        # Django's connections are per thread, and so are these.
        self._per_thread = threading.local()

    def rows(
        self, shape: Hashable, *, keep: bool = True, using: str = DEFAULT_DB_ALIAS, **values
    ) -> list:
        """The rows for ``values``. A shape seldom asked for again (``keep``
        false: a search, say) is built and run as the ORM would, and not kept."""
        connection = connections[using]
        kept = self._per_thread.__dict__.setdefault(using, OrderedDict())
        compiled = kept.get(shape)
        if compiled is not None:
            kept.move_to_end(shape)
        elif not keep:
            return list(self.build(shape, values).using(using))
        else:
            queryset = self.build(shape, values).using(using)
            compiled = self._compile(queryset, shape, values)
            if compiled is None:  # values that cannot be told from the stand-ins
                return list(queryset)
            self._keep(kept, shape, compiled)
            if compiled is UNSTABLE:
                return list(queryset)  # built already: not twice
        if compiled is UNSTABLE:
            return list(self.build(shape, values).using(using))
        if compiled is EMPTY:
            return []
        return _run(compiled, connection, values)

    def _keep(self, kept: OrderedDict, shape: Hashable, compiled) -> None:
        if compiled is UNSTABLE:
            # The shape's type, not the shape: it may hold a search's words.
            logger.warning(
                "%s: the SQL of a %s depends on more than its values; "
                "it is built afresh on every call.",
                getattr(self.build, "__qualname__", self.build),
                type(shape).__name__,
            )
        kept[shape] = compiled
        if len(kept) > self.max_shapes:
            kept.popitem(last=False)

    def _compile(self, queryset: QuerySet, shape: Hashable, values: dict):
        if queryset._iterable_class not in (
            ValuesIterable,
            ValuesListIterable,
            FlatValuesListIterable,
        ):
            raise TypeError("CompiledQuery runs values() and values_list() querysets only")
        stand_ins = {name: _stand_in(value, i) for i, (name, value) in enumerate(values.items())}
        connection = connections[queryset.db]
        if any(
            _prepared(connection, values[name]) == _prepared(connection, stand_in)
            for name, stand_in in stand_ins.items()
        ):
            return None
        if queryset.query.is_empty():
            return EMPTY
        real, other = _sql(queryset), _sql(self.build(shape, stand_ins).using(queryset.db))
        if real is None:  # these values match nothing: others may
            return None
        if other is None or real[0] != other[0] or len(real[1]) != len(other[1]):
            return UNSTABLE
        slots_by_stand_in = {
            _prepared(connection, stand_in): name for name, stand_in in stand_ins.items()
        }
        params = []
        for real_param, other_param in zip(real[1], other[1], strict=True):
            if real_param == other_param:
                params.append(real_param)
                continue
            name = slots_by_stand_in.get(other_param)
            if name is None or _prepared(connection, values[name]) != real_param:
                return UNSTABLE
            params.append(Slot(name))
        query = queryset.query
        return Compiled(
            sql=real[0],
            params=tuple(params),
            compiler=real[2],
            # As ValuesIterable names the columns.
            names=tuple(query.selected)
            if query.selected
            else (*query.extra_select, *query.values_select, *query.annotation_select),
            iterable=queryset._iterable_class,
        )


def _sql(queryset: QuerySet):
    """The queryset's SQL, parameters and compiler, or None for no rows."""
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return sql, tuple(params), compiler


def _run(compiled: Compiled, connection, values: dict) -> list:
    params = [
        _prepared(connection, values[p.name]) if isinstance(p, Slot) else p for p in compiled.params
    ]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        fetched = cursor.fetchall()
    compiler = compiled.compiler
    if compiler.has_extra_select:  # as SQLCompiler.execute_sql trims them
        fetched = [row[: compiler.col_count] for row in fetched]
    rows = compiler.results_iter(results=[fetched])
    if compiled.iterable is ValuesIterable:
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]
    if compiled.iterable is FlatValuesListIterable:
        return [row[0] for row in rows]
    return [tuple(row) for row in rows]


def _stand_in(value, index: int):
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{value!r}: put it in the shape, not among the values")
    if isinstance(value, int):
        return STAND_IN_INT - STAND_IN_STEP * index
    if isinstance(value, datetime):
        return STAND_IN_MOMENT + timedelta(microseconds=index)
    raise TypeError(f"{type(value).__name__} values are not supported yet")


def _prepared(connection, value):
    """A value as the compiler puts it among the parameters."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
