"""SQLAlchemy (Debian's python3-sqlalchemy) over its `mysql+pymysql` dialect:
what an application or a notebook does: `inspect(engine)` reflection of the
tables, their columns and comments, then Core queries (parameters bound by
SQLAlchemy, IN lists expanded, LIMIT bound) compared with PostgreSQL."""

import pytest
import sqlalchemy
from sqlalchemy import MetaData, Table, column, desc, func, inspect, select, table, text

from client_support import (
    BI_CATEGORIES,
    BI_COLUMNS,
    BI_LIMIT,
    README_COLUMNS,
    bi_expected,
    metrics_table_required_columns,
    mimir_table_names,
    pagila_catalog,
    readme_expected,
)
from support import README_QUERY, assert_same_values


@pytest.fixture
def engine(mimir):
    eng = sqlalchemy.create_engine(
        f"mysql+pymysql://anyone:@127.0.0.1:{mimir.port}/mimir",
        connect_args={"connect_timeout": 10, "read_timeout": 60},
        poolclass=sqlalchemy.pool.NullPool, future=True)
    yield eng
    eng.dispose()


def readme_select(m):
    return (select(m.c.dim_rental_category,
                   func.AGG(m.c.movies_rented).label("movies_rented"),
                   func.AGG(m.c.rentals_revenue).label("rentals_revenue"))
            .where(m.c.dim_rental_category == "Action")
            .group_by(m.c.dim_rental_category))


def bi_select(m):
    return (select(m.c.dim_store_id.label("store"), m.c.dim_rental_category.label("category"),
                   func.AGG(m.c.movies_rented).label("rentals"),
                   func.AGG(m.c.rentals_revenue).label("revenue"))
            .where(m.c.dim_rental_category.in_(BI_CATEGORIES))
            .group_by(m.c.dim_store_id, m.c.dim_rental_category)
            .order_by(desc("revenue"), "store", "category")
            .limit(BI_LIMIT))


def run(engine, stmt):
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return list(result.keys()), [tuple(r) for r in result]


def check_core(engine, pg, m):
    names, rows = run(engine, readme_select(m))
    assert names == ["dim_rental_category", "movies_rented", "rentals_revenue"]  # labelled
    assert_same_values(rows, readme_expected(pg))
    names, rows = run(engine, bi_select(m))
    assert names == BI_COLUMNS
    assert_same_values(rows, bi_expected(pg))


def test_text_query(engine, pg):
    names, rows = run(engine, text(README_QUERY))
    assert names == README_COLUMNS
    assert_same_values(rows, readme_expected(pg))


def test_core_query_on_declared_table(engine, pg):
    """Core over a table declared in the application (no reflection needed)."""
    m = table("metrics", column("dim_store_id"), column("dim_rental_category"),
              column("movies_rented"), column("rentals_revenue"), schema="mimir")
    check_core(engine, pg, m)


def test_reflection(engine):
    insp = inspect(engine)
    assert set(insp.get_table_names()) == mimir_table_names()
    cat = pagila_catalog()
    for source, description in cat["sources"].items():
        assert insp.get_table_comment(source)["text"] == description
    cols = {c["name"]: c for c in insp.get_columns("metrics")}
    assert metrics_table_required_columns() <= set(cols), sorted(cols)
    assert isinstance(cols["movies_rented"]["type"], sqlalchemy.BigInteger)
    assert isinstance(cols["rentals_revenue"]["type"], sqlalchemy.Numeric)
    assert isinstance(cols["dim_rental_category"]["type"], sqlalchemy.String)
    assert isinstance(cols["ts"]["type"], sqlalchemy.DateTime)
    for name, description in {**cat["dimensions"], **cat["metrics"]}.items():
        assert cols[name].get("comment") == description, name


def test_core_query_on_reflected_table(engine, pg):
    m = Table("metrics", MetaData(), autoload_with=engine)
    check_core(engine, pg, m)
