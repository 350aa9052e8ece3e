#include "planner/tz_database.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/civil_date.h"
#include "semantic/zone_text.h"
#include "wire/xalloc.h"

/* A day of the POSIX rule: Mm.w.d (weekday d of week w of month m, week 5 being
 * the last), Jn (day n of 1..365, never counting February 29) or n (0..365). */
typedef struct rule_day {
    char kind; /* 'M', 'J' or 'n' */
    int month, week, weekday, day;
    int32_t time; /* seconds after local midnight; may be negative or past 24 h */
} rule_day;

/* The POSIX TZ string of a TZif footer: what holds after the last transition. */
typedef struct posix_rule {
    int32_t std_offset, dst_offset; /* seconds east of UTC */
    bool has_dst;
    rule_day start, end;
} posix_rule;

struct tz_rules {
    char *name;
    int64_t *transitions; /* instants, ascending */
    uint8_t *type_of;     /* the local time type from each transition on */
    int32_t *offsets;     /* per local time type, seconds east of UTC */
    size_t ntransitions, ntypes;
    bool has_posix;
    posix_rule posix;
    struct tz_rules *next; /* the cache */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static tz_rules *cache;

/* ---- calendar arithmetic ------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* The year of the wall clock `seconds` (since 1970, read as UTC). */
static int64_t year_of(int64_t seconds)
{
    int64_t y;
    int m, d;
    civil_date(floor_div(seconds, 86400), &y, &m, &d);
    return y;
}

/* Local seconds since 1970 at which the rule's day of year y starts, plus its time. */
static int64_t rule_day_local(const rule_day *r, int64_t y)
{
    int64_t day;
    if (r->kind == 'M') {
        int64_t first = civil_days(y, r->month, 1);
        int first_weekday = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
        int mday = 1 + (r->weekday - first_weekday + 7) % 7 + 7 * (r->week - 1);
        while (mday > civil_month_days(y, r->month))
            mday -= 7;
        day = first + mday - 1;
    } else if (r->kind == 'J') {
        day = civil_days(y, 1, 1) + r->day - 1 + (civil_is_leap(y) && r->day >= 60);
    } else {
        day = civil_days(y, 1, 1) + r->day;
    }
    return day * 86400 + r->time;
}

static int32_t posix_offset(const posix_rule *p, int64_t utc)
{
    if (!p->has_dst)
        return p->std_offset;
    int64_t y = year_of(utc + p->std_offset);
    int64_t start = rule_day_local(&p->start, y) - p->std_offset;
    int64_t end = rule_day_local(&p->end, y) - p->dst_offset;
    bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
    return dst ? p->dst_offset : p->std_offset;
}

/* ---- the POSIX TZ string ---------------------------------------------------- */

static const char *skip_zone_name(const char *s)
{
    if (*s == '<') {
        const char *close = strchr(s, '>');
        return close ? close + 1 : NULL;
    }
    const char *start = s;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
        s++;
    return s - start >= 3 ? s : NULL;
}

/* [+-]hh[:mm[:ss]] as seconds; NULL when malformed. */
static const char *parse_hms(const char *s, int32_t *out)
{
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    int32_t parts[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0 && *s != ':')
            break;
        if (i > 0)
            s++;
        if (*s < '0' || *s > '9')
            return NULL;
        while (*s >= '0' && *s <= '9')
            parts[i] = parts[i] * 10 + (*s++ - '0');
    }
    *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    return s;
}

static const char *parse_number(const char *s, int *out)
{
    if (*s < '0' || *s > '9')
        return NULL;
    *out = 0;
    while (*s >= '0' && *s <= '9')
        *out = *out * 10 + (*s++ - '0');
    return s;
}

static const char *parse_rule_day(const char *s, rule_day *r)
{
    memset(r, 0, sizeof(*r));
    r->time = 2 * 3600;
    if (*s == 'M') {
        r->kind = 'M';
        if (!(s = parse_number(s + 1, &r->month)) || *s++ != '.' ||
            !(s = parse_number(s, &r->week)) || *s++ != '.' || !(s = parse_number(s, &r->weekday)))
            return NULL;
        if (r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 || r->weekday > 6)
            return NULL;
    } else {
        r->kind = *s == 'J' ? 'J' : 'n';
        if (!(s = parse_number(s + (*s == 'J'), &r->day)) || r->day > 365 ||
            (r->kind == 'J' && r->day < 1))
            return NULL;
    }
    if (*s == '/' && !(s = parse_hms(s + 1, &r->time)))
        return NULL;
    return s;
}

static bool parse_posix(const char *s, posix_rule *p)
{
    memset(p, 0, sizeof(*p));
    int32_t west;
    if (!(s = skip_zone_name(s)) || !(s = parse_hms(s, &west)))
        return false;
    p->std_offset = p->dst_offset = -west; /* POSIX counts west of UTC */
    if (*s == '\0')
        return true;
    if (!(s = skip_zone_name(s)))
        return false;
    p->has_dst = true;
    p->dst_offset = p->std_offset + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, &west)))
            return false;
        p->dst_offset = -west;
    }
    if (*s == '\0') { /* no rule: POSIX's default is the US rule */
        s = ",M3.2.0,M11.1.0";
    }
    if (*s++ != ',' || !(s = parse_rule_day(s, &p->start)) || *s++ != ',' ||
        !(s = parse_rule_day(s, &p->end)))
        return false;
    return *s == '\0';
}

/* ---- the TZif file ------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static bool read_counts(const unsigned char *p, size_t len, tzif_counts *c)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    c->isut = be32(p + 20), c->isstd = be32(p + 24), c->leap = be32(p + 28);
    c->time = be32(p + 32), c->type = be32(p + 36), c->chars = be32(p + 40);
    return c->type >= 1 && c->type <= 256 && c->time <= 100000;
}

static size_t data_size(const tzif_counts *c, size_t time_size)
{
    return c->time * time_size + c->time + c->type * 6 + c->chars + c->leap * (time_size + 4) +
           c->isstd + c->isut;
}

/* The version 2+ block (64-bit times) and the footer of a TZif file into z. */
static bool parse_tzif(const unsigned char *p, size_t len, tz_rules *z)
{
    tzif_counts c;
    if (!read_counts(p, len, &c) || p[4] < '2')
        return false; /* version 1 files (32-bit times only) are not read */
    size_t v1 = 44 + data_size(&c, 4);
    if (len < v1 || !read_counts(p + v1, len - v1, &c) || len < v1 + 44 + data_size(&c, 8))
        return false;
    const unsigned char *d = p + v1 + 44;
    z->ntransitions = c.time, z->ntypes = c.type;
    z->transitions = xcalloc(c.time + 1, sizeof(int64_t));
    z->type_of = xcalloc(c.time + 1, 1);
    z->offsets = xcalloc(c.type, sizeof(int32_t));
    for (uint32_t i = 0; i < c.time; i++)
        z->transitions[i] = be64(d + 8 * i);
    d += 8 * c.time;
    for (uint32_t i = 0; i < c.time; i++)
        if ((z->type_of[i] = d[i]) >= c.type)
            return false;
    d += c.time;
    for (uint32_t i = 0; i < c.type; i++)
        z->offsets[i] = (int32_t)be32(d + 6 * i);
    const unsigned char *footer = p + v1 + 44 + data_size(&c, 8);
    const unsigned char *end = p + len;
    if (footer < end && *footer == '\n') {
        const unsigned char *nl = memchr(footer + 1, '\n', (size_t)(end - footer - 1));
        if (nl && nl > footer + 1) {
            char spec[128];
            size_t n = (size_t)(nl - footer - 1);
            if (n < sizeof(spec)) {
                memcpy(spec, footer + 1, n);
                spec[n] = '\0';
                z->has_posix = parse_posix(spec, &z->posix);
            }
        }
    }
    return true;
}

static void free_rules(tz_rules *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->transitions);
    free(z->type_of);
    free(z->offsets);
    free(z);
}

static tz_rules *load_file(const char *name)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = xmalloc(1 << 17);
    size_t len = fread(buf, 1, 1 << 17, f);
    fclose(f);
    tz_rules *z = xcalloc(1, sizeof(*z));
    z->name = xstrdup(name);
    bool ok = len < (1 << 17) && parse_tzif(buf, len, z);
    free(buf);
    if (!ok) {
        free_rules(z);
        return NULL;
    }
    return z;
}

const tz_rules *tz_rules_get(const char *name)
{
    if (!zone_name_well_formed(name))
        return NULL;
    pthread_mutex_lock(&cache_lock);
    tz_rules *z = cache;
    while (z && strcmp(z->name, name) != 0)
        z = z->next;
    if (!z && (z = load_file(name)) != NULL) {
        z->next = cache;
        cache = z;
    }
    pthread_mutex_unlock(&cache_lock);
    return z;
}

const tz_rules *tz_rules_from_posix(const char *spec)
{
    tz_rules *z = xcalloc(1, sizeof(*z));
    if (!parse_posix(spec, &z->posix)) {
        free(z);
        return NULL;
    }
    z->has_posix = true;
    z->name = xstrdup(spec);
    pthread_mutex_lock(&cache_lock); /* kept with the loaded zones, freed never */
    z->next = cache;
    cache = z;
    pthread_mutex_unlock(&cache_lock);
    return z;
}

/* ---- conversions ------------------------------------------------------------------- */

int32_t tz_utc_offset(const tz_rules *z, int64_t utc)
{
    size_t n = z->ntransitions;
    if (n == 0)
        return z->has_posix ? posix_offset(&z->posix, utc) : z->offsets[0];
    if (utc < z->transitions[0])
        return z->offsets[0]; /* RFC 8536: type 0 before the first transition */
    if (utc >= z->transitions[n - 1] && z->has_posix)
        return posix_offset(&z->posix, utc);
    size_t lo = 0, hi = n; /* the last transition at or before utc */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->transitions[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    return z->offsets[z->type_of[lo]];
}

int64_t tz_local_to_utc(const tz_rules *z, int64_t local)
{
    /* The offsets in force a day either side cover every wall clock of this day
     * (no zone changes its offset twice within two days). */
    int64_t early = local - tz_utc_offset(z, local - 86400);
    int64_t late = local - tz_utc_offset(z, local + 86400);
    bool early_ok = early + tz_utc_offset(z, early) == local;
    bool late_ok = late + tz_utc_offset(z, late) == local;
    if (early_ok && late_ok)
        return early < late ? early : late; /* repeated: its first occurrence */
    if (early_ok || late_ok)
        return early_ok ? early : late;
    /* Skipped: the transition, the first instant whose wall clock is past the gap. */
    int64_t lo = early < late ? early : late, hi = early < late ? late : early;
    int32_t before = tz_utc_offset(z, lo);
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tz_utc_offset(z, mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}
