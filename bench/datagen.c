/*
 * datagen: the benchmark's deterministic data generator (docs/performance.md).
 *
 *   datagen SF TABLE     COPY text format for TABLE on stdout
 *   datagen SF --schema  the CREATE TABLE statements
 *
 * Tables: stores, categories, films, customers (200,000 x SF), rentals (the
 * fact, 1,000,000 x SF rows over two years from 2024-01-01) and payments (one
 * per rental whose id is not a multiple of 10). The generator is a fixed-seed
 * splitmix64, so the same SF always yields the same rows; payments re-run the
 * rentals' generator so that each payment agrees with its rental.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_STORES   10
#define N_FILMS    1000
#define DAYS       730
#define EPOCH_2024 1704067200LL /* 2024-01-01 00:00:00 UTC */

static const char *const categories[] = {
    "Action",  "Animation", "Children", "Classics", "Comedy", "Documentary", "Drama",  "Family",
    "Foreign", "Games",     "Horror",   "Music",    "New",    "Sci-Fi",      "Sports", "Travel"};
#define N_CATEGORIES (sizeof(categories) / sizeof(categories[0]))

static const char *const cities[N_STORES] = {"Lethbridge", "Woodridge", "Oslo",  "Lyon",
                                             "Porto",      "Kyoto",     "Quito", "Perth",
                                             "Tunis",      "Tallinn"};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static const char schema[] =
    "CREATE TABLE stores (store_id int PRIMARY KEY, city text NOT NULL);\n"
    "CREATE TABLE categories (category_id int PRIMARY KEY, name text NOT NULL);\n"
    "CREATE TABLE films (film_id int PRIMARY KEY, title text NOT NULL,\n"
    "  category_id int NOT NULL, rental_rate numeric(4,2) NOT NULL);\n"
    "CREATE TABLE customers (customer_id int PRIMARY KEY, name text NOT NULL,\n"
    "  store_id int NOT NULL);\n"
    "CREATE TABLE rentals (rental_id bigint PRIMARY KEY, rental_date timestamp NOT NULL,\n"
    "  customer_id int NOT NULL, film_id int NOT NULL, store_id int NOT NULL,\n"
    "  staff_id int NOT NULL, return_date timestamp);\n"
    "CREATE TABLE payments (payment_id bigint PRIMARY KEY, rental_id bigint NOT NULL,\n"
    "  customer_id int NOT NULL, store_id int NOT NULL, amount numeric(6,2) NOT NULL,\n"
    "  payment_date timestamp NOT NULL);\n";

/* Indexes and statistics come after the load (faster than maintaining them row by row). */
static const char post_load[] = "CREATE INDEX rentals_rental_date ON rentals (rental_date);\n"
                                "CREATE INDEX payments_rental_id ON payments (rental_id);\n"
                                "ANALYZE;\n";

typedef struct rental {
    int64_t id;
    int64_t rental_ts, return_ts; /* return_ts 0: not returned */
    int customer, film, store, staff;
} rental;

static void next_rental(uint64_t *rng, int64_t id, int64_t n, int customers, rental *r)
{
    r->id = id;
    /* Spread evenly over two years, with up to a minute of jitter. */
    r->rental_ts = EPOCH_2024 + (int64_t)((double)(id - 1) * DAYS * 86400.0 / (double)n) +
                   (int64_t)(splitmix64(rng) % 60);
    r->customer = 1 + (int)(splitmix64(rng) % (uint64_t)customers);
    r->film = 1 + (int)(splitmix64(rng) % N_FILMS);
    r->store = 1 + (r->customer % N_STORES);
    r->staff = 1 + (int)(splitmix64(rng) % 2);
    uint64_t ret = splitmix64(rng) % 100;
    r->return_ts = ret < 3 ? 0 : r->rental_ts + 3600 + (int64_t)(splitmix64(rng) % (7 * 86400));
}

static void put_ts(FILE *out, int64_t ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    fputs(buf, out);
}

static int film_cents(int film)
{
    return 99 + 100 * (film % 5);
} /* 0.99 .. 4.99 */

static void gen_facts(FILE *out, int64_t n, int customers, int payments)
{
    uint64_t rng = 0x6d696d6972ULL; /* "mimir": the fixed seed */
    rental r;
    for (int64_t id = 1; id <= n; id++) {
        next_rental(&rng, id, n, customers, &r);
        if (!payments) {
            fprintf(out, "%" PRId64 "\t", r.id);
            put_ts(out, r.rental_ts);
            fprintf(out, "\t%d\t%d\t%d\t%d\t", r.customer, r.film, r.store, r.staff);
            if (r.return_ts)
                put_ts(out, r.return_ts);
            else
                fputs("\\N", out);
            fputc('\n', out);
        } else if (id % 10 != 0) {
            int cents = film_cents(r.film) + (r.return_ts == 0 ? 100 : 0);
            fprintf(out, "%" PRId64 "\t%" PRId64 "\t%d\t%d\t%d.%02d\t", id, id, r.customer, r.store,
                    cents / 100, cents % 100);
            put_ts(out, r.rental_ts + 600);
            fputc('\n', out);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: datagen SF TABLE|--schema|--post-load\n");
        return 2;
    }
    double sf = strtod(argv[1], NULL);
    if (!(sf > 0)) {
        fprintf(stderr, "datagen: scale factor must be > 0\n");
        return 2;
    }
    int64_t n = (int64_t)llround(sf * 1e6);
    int customers = (int)llround(sf * 2e5);
    if (n < 1)
        n = 1;
    if (customers < 1)
        customers = 1;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof(buf));
    const char *t = argv[2];
    if (!strcmp(t, "--schema"))
        fputs(schema, stdout);
    else if (!strcmp(t, "--post-load"))
        fputs(post_load, stdout);
    else if (!strcmp(t, "stores"))
        for (int i = 0; i < N_STORES; i++)
            printf("%d\t%s\n", i + 1, cities[i]);
    else if (!strcmp(t, "categories"))
        for (size_t i = 0; i < N_CATEGORIES; i++)
            printf("%zu\t%s\n", i + 1, categories[i]);
    else if (!strcmp(t, "films"))
        for (int i = 1; i <= N_FILMS; i++)
            printf("%d\tFILM %04d\t%d\t%d.%02d\n", i, i, 1 + (int)((i * 7) % N_CATEGORIES),
                   film_cents(i) / 100, film_cents(i) % 100);
    else if (!strcmp(t, "customers"))
        for (int i = 1; i <= customers; i++)
            printf("%d\tCUSTOMER %d\t%d\n", i, i, 1 + (i % N_STORES));
    else if (!strcmp(t, "rentals"))
        gen_facts(stdout, n, customers, 0);
    else if (!strcmp(t, "payments"))
        gen_facts(stdout, n, customers, 1);
    else {
        fprintf(stderr, "datagen: unknown table %s\n", t);
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
