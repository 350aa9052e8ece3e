"""Random metrics queries and their exact equivalent for a MariaDB oracle.

Each generated case is a pair of statements: one for Mimir, over mimir.metrics,
and one for a MariaDB that holds the rows of configs/pagila's two sources as
tables (rentals_rows, payments_rows) whose columns are the dimensions and the
metrics' row-level values. The oracle statement spells out Mimir's documented
semantics (docs/sql.md, "Several sources"): every source involved is grouped by
the requested keys with the metric's own aggregate, the per-source results are
FULL OUTER JOINed on the keys (MariaDB has none: the union of the keys, then
LEFT JOINs with <=>), and the rest of the statement (expressions, HAVING,
DISTINCT, ORDER BY, LIMIT, a derived table around it) is the same SQL over that
joined table, so MariaDB answers it with MySQL's semantics.

Everything is drawn from one random.Random: a seed gives the same statements.
"""

import random

# Base metrics: name -> (source, aggregate over that source's rows).
METRICS = {
    "movies_rented": ("rentals", "COUNT(rental_id)"),
    "rentals_revenue": ("rentals", "SUM(amount)"),
    "payments_count": ("payments", "COUNT(payment_id)"),
    "payments_revenue": ("payments", "SUM(amount)"),
    "paying_customers": ("payments", "COUNT(DISTINCT customer_id)"),
}
# Metrics that SUM(m) may name as well as AGG(m) (SUM of a sum or a count is itself).
ADDITIVE = {"movies_rented", "rentals_revenue", "payments_count", "payments_revenue"}
INTEGER = {"movies_rented", "payments_count", "paying_customers"}
# configs/pagila's derived metrics: name -> expression over base metrics.
DERIVED = {
    "revenue_per_rental": ("rentals_revenue / NULLIF(movies_rented, 0)",
                           ["rentals_revenue", "movies_rented"]),
    "payments_per_rental": ("payments_count / NULLIF(movies_rented, 0)",
                            ["payments_count", "movies_rented"]),
}
TABLES = {"rentals": "rentals_rows", "payments": "payments_rows"}
CATEGORIES = ["Action", "Animation", "Children", "Classics", "Comedy", "Documentary", "Drama",
              "Family", "Foreign", "Games", "Horror", "Music", "New", "Sci-Fi", "Sports",
              "Travel"]

# Group keys: mimir expression -> (expression over a source's rows, sources that have it).
BOTH = ("rentals", "payments")
KEYS = {
    "staff_id": ("staff_id", BOTH),
    "dim_store_id": ("dim_store_id", BOTH),
    "customer_id": ("customer_id", BOTH),
    "dim_rental_category": ("dim_rental_category", ("rentals",)),
    "ds": ("DATE(ts)", BOTH),
    "week": ("DATE(ts) - INTERVAL WEEKDAY(ts) DAY", BOTH),
    "year_month": ("CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE)", BOTH),
    "quarter": ("MAKEDATE(YEAR(ts), 1) + INTERVAL (QUARTER(ts) - 1) QUARTER", BOTH),
    "year": ("YEAR(ts)", BOTH),
    "ts_hour": ("CAST(DATE_FORMAT(ts, '%Y-%m-%d %H:00:00') AS DATETIME)", BOTH),
    "amount": ("amount", BOTH),  # a DECIMAL key, NULL on rentals without payment
    # Expressions as group keys.
    "YEAR(ts)": ("YEAR(ts)", BOTH),
    "MONTH(ds)": ("MONTH(ts)", BOTH),
    "UPPER(dim_rental_category)": ("UPPER(dim_rental_category)", ("rentals",)),
    "staff_id * 10 + dim_store_id": ("staff_id * 10 + dim_store_id", BOTH),
}
# Keys that make many groups: used alone, or with a coarse second key.
FINE = {"customer_id", "ds", "ts_hour"}
PLAIN_KEYS = [k for k in KEYS if "(" not in k and " " not in k]


class Case:
    def __init__(self, mimir, oracle, desc):
        self.mimir, self.oracle, self.desc = mimir, oracle, desc

    def __repr__(self):
        return f"Case({self.mimir!r})"


def row_filter(rng, sources):
    """A WHERE condition on the rows of every source involved: (mimir, oracle)."""
    only_rentals = set(sources) == {"rentals"}
    kinds = ["staff_eq", "store_in", "customer_between", "customer_lt", "ts_range",
             "ds_between", "ts_lt", "year_month_eq", "staff_ne", "store_not_in", "or",
             "customer_in", "ts_between", "year_fn"]
    if only_rentals:
        kinds += ["category_eq", "category_in", "category_like", "amount_null"]
    kind = rng.choice(kinds)
    if kind == "staff_ne":
        v = rng.choice([1, 2, 3])
        return f"staff_id <> {v}", f"staff_id <> {v}"
    if kind == "store_not_in":
        v = rng.choice([1, 2])
        return f"dim_store_id NOT IN ({v})", f"dim_store_id NOT IN ({v})"
    if kind == "or":
        a, b = rng.choice([1, 2, 3]), rng.randint(1, 200)
        return (f"(staff_id = {a} OR customer_id < {b})", f"(staff_id = {a} OR customer_id < {b})")
    if kind == "customer_in":
        vs = ", ".join(str(rng.randint(1, 600)) for _ in range(rng.randint(1, 6)))
        return f"customer_id IN ({vs})", f"customer_id IN ({vs})"
    if kind == "ts_between":
        m = rng.randint(1, 12)
        lo, hi = f"'2022-{m:02d}-03 10:00:00'", f"'2022-{m:02d}-19 18:30:00'"
        return f"ts BETWEEN {lo} AND {hi}", f"ts BETWEEN {lo} AND {hi}"
    if kind == "year_fn":
        v = rng.choice([2021, 2022, 2023])
        return f"YEAR(ts) = {v}", f"YEAR(ts) = {v}"
    if kind == "staff_eq":
        v = rng.choice([1, 2, 3])
        return f"staff_id = {v}", f"staff_id = {v}"
    if kind == "store_in":
        vs = ", ".join(str(v) for v in rng.sample([1, 2, 3], rng.randint(1, 2)))
        return f"dim_store_id IN ({vs})", f"dim_store_id IN ({vs})"
    if kind == "customer_between":
        a = rng.randint(1, 500)
        b = a + rng.randint(0, 80)
        return f"customer_id BETWEEN {a} AND {b}", f"customer_id BETWEEN {a} AND {b}"
    if kind == "customer_lt":
        v = rng.randint(1, 300)
        return f"customer_id < {v}", f"customer_id < {v}"
    if kind == "ts_range":
        y, m = rng.choice([(2021, 12), (2022, 2), (2022, 5), (2022, 8), (2022, 11), (2023, 1)])
        d = rng.randint(1, 28)
        m2 = m + rng.randint(1, 3)
        y2 = y + (m2 - 1) // 12
        m2 = (m2 - 1) % 12 + 1
        lo, hi = f"'{y}-{m:02d}-{d:02d}'", f"'{y2}-{m2:02d}-01'"
        return f"ts >= {lo} AND ts < {hi}", f"ts >= {lo} AND ts < {hi}"
    if kind == "ds_between":
        m = rng.randint(1, 12)
        lo, hi = f"'2022-{m:02d}-{rng.randint(1, 15):02d}'", f"'2022-{m:02d}-{rng.randint(16, 28):02d}'"
        return f"ds BETWEEN {lo} AND {hi}", f"DATE(ts) BETWEEN {lo} AND {hi}"
    if kind == "ts_lt":
        lo = f"'2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:30:00'"
        return f"ts < {lo}", f"ts < {lo}"
    if kind == "year_month_eq":
        v = f"'2022-{rng.randint(1, 12):02d}-01'"
        return f"year_month = {v}", f"CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE) = {v}"
    if kind == "category_eq":
        v = rng.choice(CATEGORIES)
        return f"dim_rental_category = '{v}'", f"dim_rental_category = '{v}'"
    if kind == "category_in":
        vs = ", ".join(f"'{v}'" for v in rng.sample(CATEGORIES, 3))
        return f"dim_rental_category IN ({vs})", f"dim_rental_category IN ({vs})"
    if kind == "category_like":
        # Comparisons follow the source database's rules (docs/sql.md): PostgreSQL's LIKE
        # is case-sensitive, so the oracle's is binary.
        v = rng.choice(["A%", "%a%", "C_m%", "%s", "%ion"])
        return f"dim_rental_category LIKE '{v}'", f"dim_rental_category LIKE BINARY '{v}'"
    # amount_null
    neg = rng.choice(["", "NOT "])
    return f"amount IS {neg}NULL", f"amount IS {neg}NULL"


def metric_ref(rng, name, used):
    """How the statement names a metric, and its value over the joined table. A
    derived metric is DOUBLE by definition and computed as such (docs/sql.md)."""
    used.add(name)
    if name in DERIVED:
        num, den = DERIVED[name][0].split(" / ")
        return f"AGG({name})", f"(CAST({num} AS DOUBLE) / {den})"
    fn = "SUM" if name in ADDITIVE and rng.random() < 0.2 else "AGG"
    return f"{fn}({name})", name


def metric_expr(rng, names, used):
    """An expression over one or two of the chosen metrics: (mimir, oracle)."""
    kind = rng.choice(["bare", "bare", "bare", "plus", "minus", "times", "div", "round_div",
                       "round", "times_const", "coalesce", "truncate", "abs_neg", "floor",
                       "cast_signed", "mod", "if", "ifnull", "greatest", "case_num", "if_num",
                       "least", "nullif", "coalesce_dec", "case_text", "div_const", "ceil"])
    first = rng.choice(names)
    a = metric_ref(rng, first, used)
    if kind in ("plus", "minus", "times", "div", "round_div"):
        b = metric_ref(rng, rng.choice(names), used)
    if kind == "bare":
        return a
    ops = {"plus": "+", "minus": "-", "times": "*", "div": "/"}
    if kind in ops:
        op = ops[kind]
        return f"{a[0]} {op} {b[0]}", f"{a[1]} {op} {b[1]}"
    if kind == "round_div":
        d = rng.choice([0, 1, 2])
        return f"ROUND({a[0]} / {b[0]}, {d})", f"ROUND({a[1]} / {b[1]}, {d})"
    if kind == "round":
        d = rng.choice([-2, -1, 0, 1])
        if first in INTEGER and d < 0:
            # MySQL 8 keeps an integer's type (ROUND(33524, -1) is the BIGINT 33520);
            # MariaDB makes it a DECIMAL with no decimals.
            return f"ROUND({a[0]}, {d})", f"CAST(ROUND({a[1]}, {d}) AS SIGNED)"
        return f"ROUND({a[0]}, {d})", f"ROUND({a[1]}, {d})"
    if kind == "times_const":
        c = rng.choice(["2", "100", "0.5", "1.25"])
        return f"{a[0]} * {c}", f"{a[1]} * {c}"
    if kind == "truncate":
        d = rng.choice([-1, 0, 1])
        return f"TRUNCATE({a[0]}, {d})", f"TRUNCATE({a[1]}, {d})"
    if kind == "abs_neg":
        return f"ABS(-{a[0]})", f"ABS(-{a[1]})"
    if kind == "floor":
        return f"FLOOR({a[0]} / 3)", f"FLOOR({a[1]} / 3)"
    if kind == "cast_signed":
        return f"CAST({a[0]} AS SIGNED)", f"CAST({a[1]} AS SIGNED)"
    if kind == "mod":
        c = rng.choice([7, 100])
        return f"{a[0]} % {c}", f"{a[1]} % {c}"
    if kind == "if":
        c = rng.choice([10, 100, 1000])
        return f"IF({a[0]} > {c}, 'big', 'small')", f"IF({a[1]} > {c}, 'big', 'small')"
    if kind == "ifnull":
        return f"IFNULL({a[0]}, -1)", f"IFNULL({a[1]}, -1)"
    if kind == "greatest":
        c = rng.choice([50, 500])
        return f"GREATEST({a[0]}, {c})", f"GREATEST({a[1]}, {c})"
    if kind == "least":
        c = rng.choice(["1", "50", "99.5"])
        return f"LEAST({a[0]}, {c})", f"LEAST({a[1]}, {c})"
    if kind == "case_num":
        c = rng.choice([10, 100, 1000])
        other = rng.choice(["0", "NULL", "-1", "0.5"])
        return (f"CASE WHEN {a[0]} > {c} THEN {a[0]} ELSE {other} END",
                f"CASE WHEN {a[1]} > {c} THEN {a[1]} ELSE {other} END")
    if kind == "case_text":
        c = rng.choice([10, 100, 1000])
        return (f"CASE WHEN {a[0]} IS NULL THEN 'none' WHEN {a[0]} < {c} THEN 'low' "
                "ELSE 'high' END",
                f"CASE WHEN {a[1]} IS NULL THEN 'none' WHEN {a[1]} < {c} THEN 'low' "
                "ELSE 'high' END")
    if kind == "if_num":
        return f"IF({a[0]} IS NULL, 0, {a[0]})", f"IF({a[1]} IS NULL, 0, {a[1]})"
    if kind == "nullif":
        c = rng.choice(["0", "1"])
        return f"NULLIF({a[0]}, {c})", f"NULLIF({a[1]}, {c})"
    if kind == "coalesce_dec":
        return f"COALESCE({a[0]}, 0.5)", f"COALESCE({a[1]}, 0.5)"
    if kind == "div_const":
        c = rng.choice(["7", "3.5"])
        return f"{a[0]} / {c}", f"{a[1]} / {c}"
    if kind == "ceil":
        return f"CEIL({a[0]} / 4)", f"CEIL({a[1]} / 4)"
    return f"COALESCE({a[0]}, 0)", f"COALESCE({a[1]}, 0)"


def key_expr(rng, key, col):
    """An expression over a selected key: (mimir, oracle), or the key itself."""
    if key not in PLAIN_KEYS:
        return f"{key}", f"{col}"
    if key in ("ds", "week", "year_month", "quarter") and rng.random() < 0.4:
        f = rng.choice(["DATE_FORMAT(%s, '%%Y-%%m')", "DATE_ADD(%s, INTERVAL 1 DAY)",
                        "DATEDIFF(%s, '2022-01-01')", "LAST_DAY(%s)"])
        return f % key, f % col
    if key == "staff_id" and rng.random() < 0.5:
        return (f"CASE WHEN {key} = 1 THEN 'one' ELSE 'other' END",
                f"CASE WHEN {col} = 1 THEN 'one' ELSE 'other' END")
    if key == "dim_rental_category":
        f = rng.choice(["UPPER", "LOWER", "LENGTH", "LEFT3"])
        if f == "LEFT3":
            return f"LEFT({key}, 3)", f"LEFT({col}, 3)"
        return f"{f}({key})", f"{f}({col})"
    if key in ("ds", "week", "year_month", "quarter", "ts_hour"):
        f = rng.choice(["YEAR", "MONTH", "DAYOFWEEK", "QUARTER"])
        return f"{f}({key})", f"{f}({col})"
    f = rng.choice(["COALESCE", "PLUS", "MOD"])
    if f == "COALESCE":
        return f"COALESCE({key}, 0)", f"COALESCE({col}, 0)"
    if f == "PLUS":
        return f"{key} + 1", f"{col} + 1"
    return f"{key} % 3", f"{col} % 3"


def combined(keys, base, where):
    """The oracle's joined table: one row per key combination, one column per base
    metric (k0.. for the keys, the metric's name for each metric)."""
    by_source = {}
    for m in base:
        by_source.setdefault(METRICS[m][0], []).append(m)
    parts = []
    for src, ms in by_source.items():
        cols = [f"{KEYS[k][0]} AS k{i}" for i, k in enumerate(keys)]
        cols += [f"{METRICS[m][1]} AS {m}" for m in ms]
        sql = f"SELECT {', '.join(cols)} FROM {TABLES[src]}"
        if where:
            sql += f" WHERE {where}"
        if keys:
            sql += " GROUP BY " + ", ".join(f"k{i}" for i in range(len(keys)))
        parts.append((src, ms, sql))
    if len(parts) == 1:
        return parts[0][2]
    knames = [f"k{i}" for i in range(len(keys))]
    if not keys:
        (a, ma, sa), (b, mb, sb) = parts
        return (f"SELECT {', '.join(ma + mb)} FROM ({sa}) {a} CROSS JOIN ({sb}) {b}")
    union = " UNION ".join(f"SELECT {', '.join(knames)} FROM ({sql}) u{j}"
                           for j, (_, _, sql) in enumerate(parts))
    sel = [f"kk.{k}" for k in knames]
    joins = ""
    for src, ms, sql in parts:
        sel += [f"{src}.{m}" for m in ms]
        on = " AND ".join(f"{src}.{k} <=> kk.{k}" for k in knames)
        joins += f" LEFT JOIN ({sql}) {src} ON {on}"
    return f"SELECT {', '.join(sel)} FROM ({union}) kk{joins}"


def generate(rng):
    """One random case."""
    # Metrics: 1-3, from one source or two (derived metrics span both).
    sources = rng.choice([("rentals",), ("payments",), BOTH, BOTH])
    pool = [m for m, (s, _) in METRICS.items() if s in sources]
    if set(sources) == set(BOTH):
        pool += list(DERIVED)
    names = rng.sample(pool, min(len(pool), rng.randint(1, 3)))

    # Metric expressions and HAVING first: they decide the metrics (and sources) used.
    used = set()
    metric_items = [metric_expr(rng, names, used) for _ in range(rng.randint(1, 3))]
    having_m = having_o = None
    if rng.random() < 0.25:
        m, o = metric_ref(rng, rng.choice(names), used)
        kind = rng.choice(["gt", "between", "notnull", "lt"])
        c = rng.choice([1, 5, 20, 50, 100, 500, 2000])
        if kind == "gt":
            having_m, having_o = f"{m} > {c}", f"{o} > {c}"
        elif kind == "lt":
            having_m, having_o = f"{m} < {c}.5", f"{o} < {c}.5"
        elif kind == "between":
            having_m, having_o = f"{m} BETWEEN {c} AND {c * 10}", f"{o} BETWEEN {c} AND {c * 10}"
        else:
            having_m, having_o = f"{m} IS NOT NULL", f"{o} IS NOT NULL"
    base = []
    for n in sorted(used):
        for b in (DERIVED[n][1] if n in DERIVED else [n]):
            if b not in base:
                base.append(b)
    used = tuple(s for s in BOTH if any(METRICS[b][0] == s for b in base))

    # Group keys: 0-2, available on every source involved.
    avail = [k for k, (_, srcs) in KEYS.items() if all(s in srcs for s in used)]
    nkeys = rng.choice([0, 1, 1, 1, 2, 2])
    keys = rng.sample(avail, nkeys)
    if len(keys) == 2 and all(k in FINE for k in keys):
        keys = keys[:1]

    where_m, where_o = [], []
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        m, o = row_filter(rng, used)
        where_m.append(m)
        where_o.append(o)

    # Select items: every key (DISTINCT may drop some), key expressions, metric expressions.
    items = []  # (mimir, oracle, is_key)
    for i, k in enumerate(keys):
        items.append((k, f"k{i}", True))
    for i, k in enumerate(keys):
        if rng.random() < 0.25:
            m, o = key_expr(rng, k, f"k{i}")
            items.append((m, o, False))
    items += [(m, o, False) for m, o in metric_items]
    rng.shuffle(items)

    distinct = keys and rng.random() < 0.12
    if distinct:
        # DISTINCT over fewer columns than the keys: drop some keys (keep at least one item).
        kept = [it for it in items if not (it[2] and rng.random() < 0.5)]
        items = kept or items[:1]

    # ORDER BY: maybe some items first, then a total order: every group key (or, with
    # DISTINCT, every selected column). LIMIT only with a total order.
    n = len(items)
    order = []
    if rng.random() < 0.4:
        for p in rng.sample(range(1, n + 1), rng.randint(1, min(2, n))):
            order.append(f"{p} {rng.choice(['ASC', 'DESC'])}")
    total = True
    if distinct or not keys:
        order += [str(p) for p in range(1, n + 1)]
    else:
        for i, k in enumerate(keys):
            pos = [j for j, it in enumerate(items) if it[0] == k and it[2]]
            if pos:
                order.append(f"{pos[0] + 1}{rng.choice(['', ' DESC'])}")
            else:
                total = False
    # Two sources with NULL keys could repeat a key: order by every column as well.
    order += [str(p) for p in range(1, n + 1) if str(p) not in order]
    limit = None
    if total and rng.random() < 0.3:
        limit = rng.choice([1, 3, 10, 50])
        if rng.random() < 0.3:
            limit = f"{limit} OFFSET {rng.choice([1, 2, 5])}"
    # Sometimes by alias rather than position (the aliases are c1.. on both sides).
    order = [f"c{o}" if o.split(" ")[0].isdigit() and rng.random() < 0.2 else o
             for o in order]

    sel_m = ", ".join(f"{m} AS c{j + 1}" for j, (m, _, _) in enumerate(items))
    sel_o = ", ".join(f"{o} AS c{j + 1}" for j, (_, o, _) in enumerate(items))
    dist = "DISTINCT " if distinct else ""
    mimir = f"SELECT {dist}{sel_m} FROM mimir.metrics"
    if where_m:
        mimir += " WHERE " + " AND ".join(where_m)
    if keys:
        mimir += " GROUP BY " + ", ".join(keys)
    if having_m:
        mimir += f" HAVING {having_m}"
    oracle = f"SELECT {dist}{sel_o} FROM ({combined(keys, base, ' AND '.join(where_o))}) g"
    if having_o:
        oracle += f" WHERE {having_o}"

    wrap = rng.random() < 0.15
    tail = ""
    if order:
        tail += " ORDER BY " + ", ".join(order)
    if limit is not None:
        tail += f" LIMIT {limit}"
    if not wrap:
        return Case(mimir + tail, oracle + tail, "plain")
    # A derived table around the statement (its ORDER BY/LIMIT inside when it has a LIMIT).
    if limit is not None:
        mimir, oracle = mimir + tail, oracle + tail
    kind = rng.choice(["star", "expr", "agg", "where", "distinct", "group", "outer_expr"])
    numeric = [j + 1 for j, it in enumerate(items) if not it[2] and it[0].startswith(("AGG(", "SUM("))
               and not any(d in it[0] for d in DERIVED) and " " not in it[0]]
    if kind == "agg":
        cols = [f"COUNT(c{j + 1})" for j in range(n)]
        for j in numeric:
            cols += [f"SUM(c{j})", f"MIN(c{j})", f"MAX(c{j})"]
        outer = f"SELECT COUNT(*), {', '.join(cols)} FROM ({{}}) t"
        return Case(outer.format(mimir), outer.format(oracle), "derived")
    if kind == "where" and numeric:
        j = rng.choice(numeric)
        c = rng.choice([10, 100, 1000])
        outer = f"SELECT * FROM ({{}}) t WHERE c{j} > {c}"
        outer += " ORDER BY " + ", ".join(str(p) for p in range(1, n + 1))
        return Case(outer.format(mimir), outer.format(oracle), "derived")
    if kind == "group" and n > 1:
        # Grouped again outside: one column as the key, aggregates of the numbers.
        k = rng.randint(1, n)
        cols = [f"c{k}", "COUNT(*)"]
        for j in numeric:
            if j != k:
                cols += [rng.choice(["SUM", "MIN", "MAX"]) + f"(c{j})"]
        outer = (f"SELECT {', '.join(cols)} FROM ({{}}) t GROUP BY c{k} ORDER BY 1")
        return Case(outer.format(mimir), outer.format(oracle), "derived")
    if kind == "outer_expr" and numeric:
        # Expressions over the derived table's numbers, computed outside.
        j, k = rng.choice(numeric), rng.choice(numeric)
        c = rng.choice([10, 100, 1000])
        exprs = rng.sample([f"c{j} * 2", f"c{j} - c{k}", f"ROUND(c{j} / 3, 1)", f"c{j} / 7",
                            f"CASE WHEN c{j} > {c} THEN c{j} ELSE 0 END",
                            f"COALESCE(c{j}, 0)", f"GREATEST(c{j}, {c})"], 2)
        outer = (f"SELECT {', '.join(exprs)} FROM ({{}}) t ORDER BY 1, 2")
        return Case(outer.format(mimir), outer.format(oracle), "derived")
    if kind == "distinct":
        # One column of the derived table, its duplicates removed outside.
        j = rng.randint(1, n)
        outer = f"SELECT DISTINCT c{j} FROM ({{}}) t ORDER BY 1"
        return Case(outer.format(mimir), outer.format(oracle), "derived")
    if kind == "star":
        outer = "SELECT * FROM ({}) t"
    else:
        outer = "SELECT " + ", ".join(f"c{j + 1}" for j in reversed(range(n))) + " FROM ({}) t"
    outer += " ORDER BY " + ", ".join(str(p) for p in range(1, n + 1))
    return Case(outer.format(mimir), outer.format(oracle), "derived")


def cases(seed, count):
    rng = random.Random(seed)
    return [generate(rng) for _ in range(count)]
