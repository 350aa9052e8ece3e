-- The embedded demo's data: a small coffee-shop chain over 2025, in SQLite.
--
--   sqlite3 configs/demo/demo.db < configs/demo/demo-data.sql
--
-- Deterministic on purpose (no random()): every run produces the same rows,
-- so tests can state expected numbers and two builds give identical dumps.
-- Pseudo-randomness comes from a 32-bit integer hash of the row number
-- (multiply, xor-shift, multiply, xor-shift), written in plain SQL. SQLite has
-- no XOR operator, so x XOR y is spelled (x | y) - (x & y). Every product
-- stays below 2^63, where SQLite would silently switch to floating point.
--
-- Prices are multiples of 0.25, which binary floating point represents
-- exactly: amounts and their sums are exact, in whatever order a database or
-- Mimir's merge step adds them up.

BEGIN;

DROP TABLE IF EXISTS visits;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS products;
DROP TABLE IF EXISTS stores;

CREATE TABLE stores (
    store_id INTEGER PRIMARY KEY,
    city     TEXT NOT NULL,
    region   TEXT NOT NULL
);

INSERT INTO stores (store_id, city, region) VALUES
    (1, 'Amsterdam', 'North'),
    (2, 'Rotterdam', 'North'),
    (3, 'Utrecht',   'North'),
    (4, 'Brussels',  'Central'),
    (5, 'Antwerp',   'Central'),
    (6, 'Lyon',      'South'),
    (7, 'Marseille', 'South'),
    (8, 'Barcelona', 'South');

CREATE TABLE products (
    product_id INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    category   TEXT NOT NULL,
    price      REAL NOT NULL
);

INSERT INTO products (product_id, name, category, price) VALUES
    (1,  'Espresso',          'Coffee',      2.50),
    (2,  'Americano',         'Coffee',      3.00),
    (3,  'Cappuccino',        'Coffee',      3.75),
    (4,  'Latte',             'Coffee',      4.00),
    (5,  'Flat White',        'Coffee',      4.25),
    (6,  'Green Tea',         'Tea',         3.00),
    (7,  'Chai Latte',        'Tea',         4.50),
    (8,  'Croissant',         'Pastry',      2.75),
    (9,  'Cinnamon Roll',     'Pastry',      3.50),
    (10, 'Banana Bread',      'Pastry',      3.25),
    (11, 'House Beans 250g',  'Merchandise', 12.50),
    (12, 'Travel Mug',        'Merchandise', 18.00);

CREATE TABLE orders (
    order_id   INTEGER PRIMARY KEY,
    ordered_at TEXT NOT NULL,  -- 'YYYY-MM-DD HH:MM:SS', UTC
    store_id   INTEGER NOT NULL REFERENCES stores (store_id),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    quantity   INTEGER NOT NULL,
    amount     REAL NOT NULL   -- quantity * price, 2 decimals
);

CREATE TABLE visits (
    visit_id   INTEGER PRIMARY KEY,
    visited_at TEXT NOT NULL,  -- 'YYYY-MM-DD HH:MM:SS', UTC
    store_id   INTEGER NOT NULL REFERENCES stores (store_id),
    channel    TEXT NOT NULL   -- walk-in, app, web, delivery
);

-- Two independent 32-bit hashes (h1, h2) per row number n. Rows 1..20000
-- drive orders and rows 20001..50000 drive visits.
CREATE TEMP TABLE rnd AS
WITH RECURSIVE
    seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 50000),
    m0 AS (
        SELECT n,
               (n * 2654435761) % 4294967296 AS x,
               ((n + 1000003) * 2654435761) % 4294967296 AS y
        FROM seq),
    m1 AS (
        SELECT n,
               (((x | (x >> 16)) - (x & (x >> 16))) * 73244475) % 4294967296 AS x,
               (((y | (y >> 16)) - (y & (y >> 16))) * 73244475) % 4294967296 AS y
        FROM m0),
    m2 AS (
        SELECT n,
               (((x | (x >> 16)) - (x & (x >> 16))) * 73244475) % 4294967296 AS x,
               (((y | (y >> 16)) - (y & (y >> 16))) * 73244475) % 4294967296 AS y
        FROM m1)
SELECT n,
       (x | (x >> 16)) - (x & (x >> 16)) AS h1,
       (y | (y >> 16)) - (y & (y >> 16)) AS h2
FROM m2;

-- Orders: busier stores and best-selling products get more rows (weights in
-- percent), mostly one item, between 07:00 and 19:59. A third of the orders
-- lean towards later in the year, so monthly totals grow.
INSERT INTO orders (order_id, ordered_at, store_id, product_id, quantity, amount)
WITH drawn AS (
    SELECT n,
           CASE
               WHEN h1 % 100 < 18 THEN 1
               WHEN h1 % 100 < 32 THEN 2
               WHEN h1 % 100 < 44 THEN 3
               WHEN h1 % 100 < 58 THEN 4
               WHEN h1 % 100 < 68 THEN 5
               WHEN h1 % 100 < 80 THEN 6
               WHEN h1 % 100 < 90 THEN 7
               ELSE 8
           END AS store_id,
           CASE
               WHEN (h1 >> 8) % 100 < 14 THEN 1
               WHEN (h1 >> 8) % 100 < 26 THEN 2
               WHEN (h1 >> 8) % 100 < 40 THEN 3
               WHEN (h1 >> 8) % 100 < 54 THEN 4
               WHEN (h1 >> 8) % 100 < 62 THEN 5
               WHEN (h1 >> 8) % 100 < 68 THEN 6
               WHEN (h1 >> 8) % 100 < 74 THEN 7
               WHEN (h1 >> 8) % 100 < 84 THEN 8
               WHEN (h1 >> 8) % 100 < 90 THEN 9
               WHEN (h1 >> 8) % 100 < 95 THEN 10
               WHEN (h1 >> 8) % 100 < 98 THEN 11
               ELSE 12
           END AS product_id,
           CASE
               WHEN (h1 >> 16) % 10 < 6 THEN 1
               WHEN (h1 >> 16) % 10 < 9 THEN 2
               ELSE 3
           END AS quantity,
           CASE
               WHEN (h2 >> 24) % 3 = 0 THEN max(h2 % 365, (h2 >> 9) % 365)
               ELSE h2 % 365
           END AS day,
           7 + (h2 >> 4) % 13 AS hour,
           (h2 >> 12) % 60 AS minute,
           (h2 >> 18) % 60 AS second
    FROM rnd
    WHERE n <= 20000
),
timed AS (
    SELECT drawn.*,
           datetime('2025-01-01 00:00:00',
                    '+' || (day * 86400 + hour * 3600 + minute * 60 + second) || ' seconds')
               AS ordered_at
    FROM drawn
)
SELECT row_number() OVER (ORDER BY timed.ordered_at, timed.n),
       timed.ordered_at,
       timed.store_id,
       timed.product_id,
       timed.quantity,
       round(timed.quantity * products.price, 2)
FROM timed
JOIN products ON products.product_id = timed.product_id
ORDER BY 1;

-- Visits: footfall and app/web sessions, 06:00 to 21:59.
INSERT INTO visits (visit_id, visited_at, store_id, channel)
WITH drawn AS (
    SELECT n,
           CASE
               WHEN h1 % 100 < 16 THEN 1
               WHEN h1 % 100 < 30 THEN 2
               WHEN h1 % 100 < 41 THEN 3
               WHEN h1 % 100 < 56 THEN 4
               WHEN h1 % 100 < 66 THEN 5
               WHEN h1 % 100 < 78 THEN 6
               WHEN h1 % 100 < 88 THEN 7
               ELSE 8
           END AS store_id,
           CASE
               WHEN (h1 >> 8) % 100 < 55 THEN 'walk-in'
               WHEN (h1 >> 8) % 100 < 80 THEN 'app'
               WHEN (h1 >> 8) % 100 < 93 THEN 'web'
               ELSE 'delivery'
           END AS channel,
           h2 % 365 AS day,
           6 + (h2 >> 9) % 16 AS hour,
           (h2 >> 14) % 60 AS minute,
           (h2 >> 20) % 60 AS second
    FROM rnd
    WHERE n > 20000
),
timed AS (
    SELECT drawn.*,
           datetime('2025-01-01 00:00:00',
                    '+' || (day * 86400 + hour * 3600 + minute * 60 + second) || ' seconds')
               AS visited_at
    FROM drawn
)
SELECT row_number() OVER (ORDER BY visited_at, n), visited_at, store_id, channel
FROM timed
ORDER BY 1;

DROP TABLE rnd;

CREATE INDEX orders_ordered_at ON orders (ordered_at);
CREATE INDEX visits_visited_at ON visits (visited_at);

COMMIT;
