"""Pagila-shaped data, generated, so that the repository tests itself.

Why this exists: configs/pagila (the prototype's example) and the integration
tests read the Pagila sample database (https://github.com/devrimgunduz/pagila).
Pagila is not part of this repository, and a fresh clone (CI) has nothing
beside it. This module creates, in an empty PostgreSQL database, the Pagila
tables that configs/pagila and the tests read, with Pagila's column types, and
fills them with rows drawn from a fixed seed: every run loads the same data.
The suite loads the real Pagila instead when PAGILA_DIR is set (conftest.py).

No test takes a number from here. Expected results are computed by SQL on the
loaded database in the same run; what this module guarantees is only that the
data gives those queries something to find. The shape, and why:

- category: Pagila's 16 names and ids (tests filter on 'Action', 'Drama', ...).
  film: 1,000 films, one category each. inventory: 2-4 copies of most films
  in each of the two stores, numbered film by film (as in Pagila).
- The `rentals` source joins film_category ON inventory.inventory_id =
  film_category.category_id, the prototype's quirk kept as written. Only
  rentals of copies 1..16 pass that join, each once per film of "its"
  category. So copies 1..16 (both stores) are rented about daily, and the
  source has rows in every month and week of the data, not a handful.
- Dates run from 2021-11-01 to 2023-03-31 UTC: more than a year, three
  calendar years, Pagila's own 2022-02-14 .. 2022-08-23 inside. Every month
  has a rental of copies 1..16 at its first and at its last second, where
  off-by-one range bugs show.
- The data is a snapshot taken at the end of 2023-03-31: rentals due back
  later, and about 1 % lost, have return_date NULL; a payment is made at
  the return. Some rentals are never paid (the LEFT JOIN to payment then
  gives a NULL amount), some are paid in two parts (a deposit, the rest at
  the return), a few cost nothing. Amounts are numeric(5,2) from 0.00 to
  about 12; payment dates carry microseconds, rental dates whole seconds.
- payment is partitioned by month, as in Pagila.
- staff: Sakila's Mike Hillyer (store 1) and Jon Stephens (store 2), and a
  third, inactive now, who worked until 2022-02. Each store's manager is
  its staff member. 599 customers, some far more active than others.

Run it by hand to fill a database of your own:

    /usr/bin/python3 tests/integration/pagila_data.py "host=... dbname=pagila"
"""

import datetime
import io
import itertools
import random
import sys
from decimal import Decimal

SEED = 20220214
FIRST_DAY = datetime.date(2021, 11, 1)
LAST_DAY = datetime.date(2023, 3, 31)
UTC = datetime.timezone.utc
SNAPSHOT = datetime.datetime.combine(LAST_DAY + datetime.timedelta(days=1), datetime.time(),
                                     UTC)  # nothing happens at or after this instant

CATEGORIES = ["Action", "Animation", "Children", "Classics", "Comedy", "Documentary", "Drama",
              "Family", "Foreign", "Games", "Horror", "Music", "New", "Sci-Fi", "Sports",
              "Travel"]
JOINED_COPIES = range(1, len(CATEGORIES) + 1)  # the inventory ids the quirky join keeps
FILMS = 1000
CUSTOMERS = 599
CUSTOMER_IDS = range(1, CUSTOMERS + 1)
ORDINARY_RENTALS_PER_DAY = (25, 41)  # uniform; about 33 a day, 17,000 in all
JOINED_RENTALS_PER_DAY = (0, 1, 1, 2)  # one of these, for copies 1..16
LATE_FEE_PER_DAY = Decimal("1.00")

STAFF = [
    # staff_id, first, last, store_id, active, worked until (exclusive)
    (1, "Mike", "Hillyer", 1, True, None),
    (2, "Jon", "Stephens", 2, True, None),
    (3, "Lena", "Marsh", 1, False, datetime.datetime(2022, 3, 1, tzinfo=UTC)),
]
STORES = [(1, 1, 1), (2, 2, 2)]  # store_id, manager_staff_id, address_id

FIRST_NAMES = ["Mary", "Patricia", "Linda", "Barbara", "Elizabeth", "Jennifer", "Maria", "Susan",
               "Margaret", "Dorothy", "Lisa", "Nancy", "Karen", "Betty", "Helen", "Sandra",
               "Donna", "Carol", "Ruth", "Sharon", "Michelle", "Laura", "Sarah", "Kimberly",
               "Jared", "Roger", "Vernon", "Austin", "Clinton", "Willie", "Bruce", "Oscar"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Jones", "Brown", "Davis", "Miller", "Wilson",
              "Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Martin",
              "Thompson", "Garcia", "Martinez", "Robinson", "Clark", "Rodriguez", "Lewis", "Lee",
              "O'Brien", "Ely", "Sewell", "Quigley", "Krause", "Hoffman", "Zamora", "Yee"]
TITLE_WORDS = ["Academy", "Dinosaur", "Ace", "Goldfinger", "Adaptation", "Holes", "Affair",
               "Prejudice", "African", "Egg", "Agent", "Truman", "Airplane", "Sierra", "Alabama",
               "Devil", "Aladdin", "Calendar", "Alamo", "Videotape", "Alaska", "Phantom",
               "Ali", "Forever", "Alice", "Fantasia", "Alien", "Center", "Alley", "Evolution"]
RATINGS = ["G", "PG", "PG-13", "R", "NC-17"]
RENTAL_RATES = [Decimal("0.99"), Decimal("2.99"), Decimal("4.99")]


# --------------------------------------------------------------------------
# the schema: Pagila's definitions of the tables it keeps (pagila-schema.sql)
# --------------------------------------------------------------------------

SCHEMA_SQL = """
CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);

CREATE TABLE category (
    category_id integer PRIMARY KEY,
    name text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL);

CREATE TABLE film (
    film_id integer PRIMARY KEY,
    title text NOT NULL,
    description text,
    release_year year,
    language_id integer NOT NULL,
    original_language_id integer,
    rental_duration smallint DEFAULT 3 NOT NULL,
    rental_rate numeric(4,2) DEFAULT 4.99 NOT NULL,
    length smallint,
    replacement_cost numeric(5,2) DEFAULT 19.99 NOT NULL,
    rating mpaa_rating DEFAULT 'G',
    last_update timestamp with time zone DEFAULT now() NOT NULL);

CREATE TABLE film_category (
    film_id integer NOT NULL,
    category_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    PRIMARY KEY (film_id, category_id));

CREATE TABLE store (
    store_id integer PRIMARY KEY,
    manager_staff_id integer NOT NULL,
    address_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL);

CREATE TABLE staff (
    staff_id integer PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    address_id integer NOT NULL,
    email text,
    store_id integer NOT NULL,
    active boolean DEFAULT true NOT NULL,
    username text NOT NULL,
    password text,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    picture bytea);

CREATE TABLE customer (
    customer_id integer PRIMARY KEY,
    store_id integer NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text,
    address_id integer NOT NULL,
    activebool boolean DEFAULT true NOT NULL,
    create_date date DEFAULT CURRENT_DATE NOT NULL,
    last_update timestamp with time zone DEFAULT now(),
    active integer);

CREATE TABLE inventory (
    inventory_id integer PRIMARY KEY,
    film_id integer NOT NULL,
    store_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL);

CREATE TABLE rental (
    rental_id integer PRIMARY KEY,
    rental_date timestamp with time zone NOT NULL,
    inventory_id integer NOT NULL,
    customer_id integer NOT NULL,
    return_date timestamp with time zone,
    staff_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL);

CREATE TABLE payment (
    payment_id integer NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id integer NOT NULL,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    PRIMARY KEY (payment_date, payment_id))
PARTITION BY RANGE (payment_date);
"""

# After the rows are in: Pagila's foreign keys (which also check the
# generator's bookkeeping) and the indexes the sources' joins use.
CONSTRAINTS_SQL = """
ALTER TABLE film_category ADD FOREIGN KEY (film_id) REFERENCES film (film_id);
ALTER TABLE film_category ADD FOREIGN KEY (category_id) REFERENCES category (category_id);
ALTER TABLE staff ADD FOREIGN KEY (store_id) REFERENCES store (store_id);
ALTER TABLE store ADD FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id);
ALTER TABLE customer ADD FOREIGN KEY (store_id) REFERENCES store (store_id);
ALTER TABLE inventory ADD FOREIGN KEY (film_id) REFERENCES film (film_id);
ALTER TABLE inventory ADD FOREIGN KEY (store_id) REFERENCES store (store_id);
ALTER TABLE rental ADD FOREIGN KEY (inventory_id) REFERENCES inventory (inventory_id);
ALTER TABLE rental ADD FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE rental ADD FOREIGN KEY (staff_id) REFERENCES staff (staff_id);
ALTER TABLE payment ADD FOREIGN KEY (rental_id) REFERENCES rental (rental_id);
ALTER TABLE payment ADD FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE payment ADD FOREIGN KEY (staff_id) REFERENCES staff (staff_id);
CREATE INDEX idx_fk_inventory_id ON rental (inventory_id);
CREATE INDEX idx_rental_date ON rental (rental_date);
CREATE INDEX idx_fk_rental_id ON payment (rental_id);
"""

COLUMNS = {
    "category": ["category_id", "name", "last_update"],
    "film": ["film_id", "title", "description", "release_year", "language_id",
             "rental_duration", "rental_rate", "length", "replacement_cost", "rating",
             "last_update"],
    "film_category": ["film_id", "category_id", "last_update"],
    "store": ["store_id", "manager_staff_id", "address_id", "last_update"],
    "staff": ["staff_id", "first_name", "last_name", "address_id", "email", "store_id",
              "active", "username", "last_update"],
    "customer": ["customer_id", "store_id", "first_name", "last_name", "email", "address_id",
                 "activebool", "create_date", "last_update", "active"],
    "inventory": ["inventory_id", "film_id", "store_id", "last_update"],
    "rental": ["rental_id", "rental_date", "inventory_id", "customer_id", "return_date",
               "staff_id", "last_update"],
    "payment": ["payment_id", "customer_id", "staff_id", "rental_id", "amount",
                "payment_date"],
}

# Store and staff rows are older than the catalog rows, as in Pagila.
SETUP_TIME = datetime.datetime(2021, 10, 15, 9, 57, 12, tzinfo=UTC)


def payment_partitions_sql():
    """One partition per month of the data, named as Pagila names them."""
    statements = []
    month = FIRST_DAY.replace(day=1)
    while month <= LAST_DAY:
        following = next_month(month)
        statements.append(
            f"CREATE TABLE payment_p{month:%Y_%m} PARTITION OF payment "
            f"FOR VALUES FROM ('{month} 00:00:00+00') TO ('{following} 00:00:00+00');")
        month = following
    return "\n".join(statements)


def next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


# --------------------------------------------------------------------------
# the catalog: categories, films, copies, people
# --------------------------------------------------------------------------


def categories():
    when = SETUP_TIME + datetime.timedelta(days=1)
    return [(i, name, when) for i, name in enumerate(CATEGORIES, start=1)]


def films(rng):
    """(film rows, film_category rows); one category per film."""
    film_rows, film_category_rows = [], []
    when = SETUP_TIME + datetime.timedelta(days=2)
    for film_id in range(1, FILMS + 1):
        title = f"{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_WORDS)}"
        description = f"A {rng.choice(['Thoughtful', 'Epic', 'Fateful', 'Boring'])} story"
        film_rows.append((film_id, title, description, rng.randint(1990, 2021), 1,
                          rng.randint(3, 7), rng.choice(RENTAL_RATES), rng.randint(46, 185),
                          Decimal(rng.randint(9, 29)) + Decimal("0.99"), rng.choice(RATINGS),
                          when))
        film_category_rows.append((film_id, rng.randint(1, len(CATEGORIES)), when))
    return film_rows, film_category_rows


def inventory(rng):
    """Copies numbered film by film, store 1's before store 2's (as in Pagila)."""
    rows = []
    when = SETUP_TIME + datetime.timedelta(days=3)
    for film_id in range(1, FILMS + 1):
        for store_id, _, _ in STORES:
            for _ in range(rng.choice([0, 2, 2, 3, 3, 4])):
                rows.append((len(rows) + 1, film_id, store_id, when))
    joined_stores = {row[2] for row in rows[:len(JOINED_COPIES)]}
    assert joined_stores == {1, 2}, "copies 1..16 should belong to both stores"
    return rows


def stores():
    return [(store_id, manager, address, SETUP_TIME) for store_id, manager, address in STORES]


def staff(rng):
    rows = []
    for staff_id, first, last, store_id, active, _ in STAFF:
        updated = SETUP_TIME + datetime.timedelta(seconds=rng.randint(0, 10**6),
                                                  microseconds=rng.randint(0, 999999))
        rows.append((staff_id, first, last, staff_id + 2, f"{first}.{last}@sakilastaff.com",
                     store_id, active, first, updated))
    return rows


def customers(rng):
    rows = []
    for customer_id in CUSTOMER_IDS:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        store_id = 1 if rng.random() < 0.55 else 2
        active = 0 if rng.random() < 0.03 else 1
        created = SETUP_TIME.date() + datetime.timedelta(days=rng.randint(0, 14))
        rows.append((customer_id, store_id, first, last,
                     f"{first}.{last}@sakilacustomer.org".lower(), customer_id + 4,
                     active == 1, created, SETUP_TIME, active))
    return rows


# --------------------------------------------------------------------------
# rentals and payments
# --------------------------------------------------------------------------


def days():
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day
        day += datetime.timedelta(days=1)


def at(day, seconds):
    return datetime.datetime.combine(day, datetime.time(), UTC) + datetime.timedelta(
        seconds=seconds)


def rental_times(rng, day):
    """(time, joined copy?) of the day's rentals: ordinary ones, about one of
    copies 1..16, and one of those at the first and last second of a month."""
    times = [(at(day, rng.randint(0, 86399)), False)
             for _ in range(rng.randint(*ORDINARY_RENTALS_PER_DAY))]
    times += [(at(day, rng.randint(0, 86399)), True)
              for _ in range(rng.choice(JOINED_RENTALS_PER_DAY))]
    if day.day == 1:
        times.append((at(day, 0), True))
    if (day + datetime.timedelta(days=1)).day == 1:
        times.append((at(day, 86399), True))
    return times


def staff_on_duty(rng, when):
    return rng.choice([s[0] for s in STAFF if s[5] is None or when < s[5]])


def rentals(rng, inventory_rows, weights):
    """Rentals in rental_date order (ids follow it), with return dates."""
    last_copy = len(inventory_rows)
    drafts = []
    for day in days():
        for when, joined in rental_times(rng, day):
            copy = rng.choice(JOINED_COPIES) if joined else rng.randint(JOINED_COPIES[-1] + 1,
                                                                        last_copy)
            customer = rng.choices(CUSTOMER_IDS, cum_weights=weights)[0]
            back = when + datetime.timedelta(days=rng.randint(0, 9),
                                             seconds=rng.randint(3600, 86399))
            if back >= SNAPSHOT or rng.random() < 0.01:
                back = None  # still out when the snapshot was taken, or lost
            drafts.append((when, copy, customer, back, staff_on_duty(rng, when)))
    drafts.sort(key=lambda r: r[0])  # stable: ties keep their drawing order
    return [(rental_id, when, copy, customer, back, staff_id, back or when)
            for rental_id, (when, copy, customer, back, staff_id)
            in enumerate(drafts, start=1)]


def customer_weights(rng):
    """Cumulative weights of the customers: some rent far more than others."""
    return list(itertools.accumulate(rng.choice([1, 1, 1, 2, 2, 3, 5])
                                     for _ in CUSTOMER_IDS))


def late_fee(rented, returned, duration):
    """Pagila's rule: a fee per day kept beyond the film's rental duration."""
    return LATE_FEE_PER_DAY * max(0, (returned - rented).days - duration)


def payments_of(rng, rental, duration, rate):
    """The payments of one rental of a film with that rental duration and
    rate, as drafts (date, customer, staff, rental, amount)."""
    rental_id, rented, _, customer, returned, _, _ = rental
    deposit_at = rented + datetime.timedelta(seconds=rng.randint(5, 300),
                                             microseconds=rng.randint(0, 999999))
    deposit = (deposit_at, customer, staff_on_duty(rng, deposit_at), rental_id, rate)
    if returned is None:  # still out: a deposit, or nothing yet
        return [deposit] if rng.random() < 0.5 and deposit_at < SNAPSHOT else []
    draw = rng.random()
    paid_at = returned + datetime.timedelta(seconds=rng.randint(5, 900),
                                            microseconds=rng.randint(0, 999999))
    if draw < 0.01 or paid_at >= SNAPSHOT:
        return []  # written off, or not paid yet
    fee = late_fee(rented, returned, duration)
    if draw > 0.97 and fee > 0:  # the deposit, and the late fee at the return
        return [deposit, (paid_at, customer, staff_on_duty(rng, paid_at), rental_id, fee)]
    total = Decimal("0.00") if draw < 0.012 else rate + fee  # a few are free
    return [(paid_at, customer, staff_on_duty(rng, paid_at), rental_id, total)]


def payments(rng, rental_rows, film_rows, inventory_rows):
    """Payments in payment_date order (ids follow it)."""
    film_of_copy = {copy: film_rows[film_id - 1] for copy, film_id, _, _ in inventory_rows}
    drafts = []
    for rental in rental_rows:
        film = film_of_copy[rental[2]]
        drafts += payments_of(rng, rental, duration=film[5], rate=film[6])
    drafts.sort(key=lambda p: p[0])
    return [(payment_id, customer, staff_id, rental_id, amount, when)
            for payment_id, (when, customer, staff_id, rental_id, amount)
            in enumerate(drafts, start=1)]


def generate(seed=SEED):
    """Every table's rows, as lists of tuples in COLUMNS order."""
    rng = random.Random(seed)
    film_rows, film_category_rows = films(rng)
    inventory_rows = inventory(rng)
    tables = {
        "category": categories(),
        "film": film_rows,
        "film_category": film_category_rows,
        "store": stores(),
        "staff": staff(rng),
        "customer": customers(rng),
        "inventory": inventory_rows,
    }
    tables["rental"] = rentals(rng, inventory_rows, customer_weights(rng))
    tables["payment"] = payments(rng, tables["rental"], film_rows, inventory_rows)
    return tables


# --------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------


def copy_text(value):
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_rows(cursor, table, rows):
    data = io.StringIO("".join("\t".join(map(copy_text, row)) + "\n" for row in rows))
    cursor.copy_expert(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN", data)


def load(conn, seed=SEED):
    """Creates the tables in conn's database (which must not have them yet)
    and fills them, in one transaction. conn is a psycopg2 connection."""
    tables = generate(seed)
    with conn:
        with conn.cursor() as cur:
            cur.execute("SET TimeZone = 'UTC'")
            cur.execute(SCHEMA_SQL)
            cur.execute(payment_partitions_sql())
            for table, rows in tables.items():
                copy_rows(cur, table, rows)
            cur.execute(CONSTRAINTS_SQL)
    return {table: len(rows) for table, rows in tables.items()}


def main(argv):
    import psycopg2

    if len(argv) != 2:
        sys.stderr.write(f"usage: {argv[0]} 'libpq connection string'\n")
        return 2
    conn = psycopg2.connect(argv[1])
    try:
        counts = load(conn)
    finally:
        conn.close()
    print(", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
