/*
 * A small prepared-statement client over Debian's libmariadb (the C library
 * behind the mariadb CLI, mysqlclient and MariaDB ODBC), for
 * tests/integration/test_protocol.py. It prepares one statement, binds the
 * parameters given on the command line with their C types, executes it (as
 * often as --repeat says: later runs do not rebind, so the server must reuse
 * the types bound first) and prints JSON lines:
 *
 *   {"prepare": {"params": N, "fields": N}}
 *   {"prepared_columns": [...]}      what the prepare announced, as below
 *                                    (only when it announced columns)
 *   {"columns": [{"name": "...", "type": N, "decimals": N, "unsigned": B,
 *                 "flags": N, "charset": N}, ...]}
 *   {"row": [value, ...]}            integers and doubles as JSON numbers,
 *                                    DATE/DATETIME/TIME as strings, NULL as null,
 *                                    everything else (DECIMAL too) as a string
 *   {"done": {"rows": N}}
 *   {"error": {"errno": N, "sqlstate": "...", "message": "..."}}   (exit 1)
 *
 * Parameters: i:123 (LONGLONG), u:123 (unsigned LONGLONG), t:5 (TINY),
 * d:1.5 (DOUBLE), f:1.5 (FLOAT), s:text (STRING), dec:12.50 (NEWDECIMAL),
 * date:2005-05-24, dt:2005-05-24 22:53:30[.123456], time:-12:30:00,
 * long:text (sent with mysql_stmt_send_long_data), longnull:text (the same,
 * bound as NULL without a buffer: libmariadb then sets the parameter's NULL
 * bit in the execute, and the server must use the long data, as MySQL does),
 * null (NULL).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#define MAX_PARAMS 64
#define MAX_VALUE  4096

typedef struct param {
    enum enum_field_types type;
    bool is_unsigned, is_null, is_long;
    long long i;
    double d;
    float f;
    signed char t;
    char s[MAX_VALUE];
    unsigned long len;
    MYSQL_TIME tm;
} param;

static void json_string(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int fail_mysql(unsigned int err, const char *state, const char *msg)
{
    printf("{\"error\": {\"errno\": %u, \"sqlstate\": ", err);
    json_string(state, strlen(state));
    printf(", \"message\": ");
    json_string(msg, strlen(msg));
    printf("}}\n");
    return 1;
}

static int fail_stmt(MYSQL_STMT *st)
{
    return fail_mysql(mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
}

static bool parse_time(const char *s, MYSQL_TIME *tm, enum enum_field_types type)
{
    memset(tm, 0, sizeof(*tm));
    if (type == MYSQL_TYPE_TIME) {
        tm->time_type = MYSQL_TIMESTAMP_TIME;
        if (*s == '-') {
            tm->neg = 1;
            s++;
        }
        return sscanf(s, "%u:%u:%u.%lu", &tm->hour, &tm->minute, &tm->second, &tm->second_part) >=
               3;
    }
    tm->time_type = type == MYSQL_TYPE_DATE ? MYSQL_TIMESTAMP_DATE : MYSQL_TIMESTAMP_DATETIME;
    int n = sscanf(s, "%u-%u-%u %u:%u:%u.%lu", &tm->year, &tm->month, &tm->day, &tm->hour,
                   &tm->minute, &tm->second, &tm->second_part);
    return n >= 3;
}

static bool parse_param(const char *arg, param *p)
{
    memset(p, 0, sizeof(*p));
    const char *colon = strchr(arg, ':');
    const char *v = colon ? colon + 1 : "";
    size_t kind_len = colon ? (size_t)(colon - arg) : strlen(arg);
#define KIND(k) (kind_len == strlen(k) && strncmp(arg, k, kind_len) == 0)
    if (KIND("null")) {
        p->type = MYSQL_TYPE_NULL;
        p->is_null = true;
    } else if (KIND("i") || KIND("u")) {
        p->type = MYSQL_TYPE_LONGLONG;
        p->is_unsigned = KIND("u");
        p->i = p->is_unsigned ? (long long)strtoull(v, NULL, 10) : strtoll(v, NULL, 10);
    } else if (KIND("t")) {
        p->type = MYSQL_TYPE_TINY;
        p->t = (signed char)strtol(v, NULL, 10);
    } else if (KIND("d")) {
        p->type = MYSQL_TYPE_DOUBLE;
        p->d = strtod(v, NULL);
    } else if (KIND("f")) {
        p->type = MYSQL_TYPE_FLOAT;
        p->f = strtof(v, NULL);
    } else if (KIND("s") || KIND("long") || KIND("longnull") || KIND("dec")) {
        p->type = KIND("dec")        ? MYSQL_TYPE_NEWDECIMAL
                  : KIND("longnull") ? MYSQL_TYPE_BLOB
                                     : MYSQL_TYPE_STRING;
        p->is_long = KIND("long") || KIND("longnull");
        p->is_null = KIND("longnull");
        snprintf(p->s, sizeof(p->s), "%s", v);
        p->len = (unsigned long)strlen(p->s);
    } else if (KIND("date") || KIND("dt") || KIND("time")) {
        p->type = KIND("date") ? MYSQL_TYPE_DATE
                  : KIND("dt") ? MYSQL_TYPE_DATETIME
                               : MYSQL_TYPE_TIME;
        return parse_time(v, &p->tm, p->type);
    } else {
        return false;
    }
    return true;
#undef KIND
}

static void bind_param(param *p, MYSQL_BIND *b)
{
    static my_bool yes = 1;
    memset(b, 0, sizeof(*b));
    b->buffer_type = p->type;
    b->is_unsigned = p->is_unsigned;
    if (p->is_null) {
        /* NULL, or long data bound like PHP's bind_param('b', $null). */
        b->is_null = &yes;
        return;
    }
    switch (p->type) {
    case MYSQL_TYPE_LONGLONG:
        b->buffer = &p->i;
        break;
    case MYSQL_TYPE_TINY:
        b->buffer = &p->t;
        break;
    case MYSQL_TYPE_DOUBLE:
        b->buffer = &p->d;
        break;
    case MYSQL_TYPE_FLOAT:
        b->buffer = &p->f;
        break;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIME:
        b->buffer = &p->tm;
        break;
    default:
        b->buffer = p->s;
        b->buffer_length = p->len;
        b->length = &p->len;
        break;
    }
}

/* Result buffers, one per column, by the column's type. */
typedef struct column_buf {
    long long i;
    double d;
    MYSQL_TIME tm;
    char *s;
    unsigned long len;
    my_bool is_null, error;
} column_buf;

static void print_time(const MYSQL_TIME *tm, enum enum_field_types type)
{
    char out[64];
    if (type == MYSQL_TYPE_DATE)
        snprintf(out, sizeof(out), "%04u-%02u-%02u", tm->year, tm->month, tm->day);
    else if (type == MYSQL_TYPE_TIME)
        snprintf(out, sizeof(out), "%s%02u:%02u:%02u", tm->neg ? "-" : "", tm->day * 24 + tm->hour,
                 tm->minute, tm->second);
    else
        snprintf(out, sizeof(out), "%04u-%02u-%02u %02u:%02u:%02u", tm->year, tm->month, tm->day,
                 tm->hour, tm->minute, tm->second);
    if (tm->second_part)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), ".%06lu", tm->second_part);
    json_string(out, strlen(out));
}

static bool is_int_type(enum enum_field_types t)
{
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG ||
           t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR;
}

static bool is_time_type(enum enum_field_types t)
{
    return t == MYSQL_TYPE_DATE || t == MYSQL_TYPE_DATETIME || t == MYSQL_TYPE_TIMESTAMP ||
           t == MYSQL_TYPE_TIME;
}

/* {"<key>": [{"name", "type", "decimals", "unsigned", "flags", "charset"}, ...]} */
static void print_columns(const char *key, const MYSQL_FIELD *fields, unsigned n)
{
    printf("{\"%s\": [", key);
    for (unsigned i = 0; i < n; i++) {
        printf("%s{\"name\": ", i ? ", " : "");
        json_string(fields[i].name, strlen(fields[i].name));
        printf(", \"type\": %d, \"decimals\": %u, \"unsigned\": %s, \"flags\": %u, "
               "\"charset\": %u}",
               fields[i].type, fields[i].decimals,
               (fields[i].flags & UNSIGNED_FLAG) ? "true" : "false", fields[i].flags,
               fields[i].charsetnr);
    }
    printf("]}\n");
}

static int fetch_all(MYSQL_STMT *st)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta) {
        printf("{\"done\": {\"rows\": 0, \"affected\": %llu}}\n",
               (unsigned long long)mysql_stmt_affected_rows(st));
        return 0;
    }
    unsigned n = mysql_num_fields(meta);
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    print_columns("columns", fields, n);
    MYSQL_BIND *binds = calloc(n + 1, sizeof(*binds));
    column_buf *cols = calloc(n + 1, sizeof(*cols));
    for (unsigned i = 0; i < n; i++) {
        MYSQL_BIND *b = &binds[i];
        enum enum_field_types t = fields[i].type;
        b->is_null = &cols[i].is_null;
        b->error = &cols[i].error;
        b->length = &cols[i].len;
        if (is_int_type(t)) {
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &cols[i].i;
            b->is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
        } else if (t == MYSQL_TYPE_DOUBLE || t == MYSQL_TYPE_FLOAT) {
            b->buffer_type = MYSQL_TYPE_DOUBLE;
            b->buffer = &cols[i].d;
        } else if (is_time_type(t)) {
            b->buffer_type = t;
            b->buffer = &cols[i].tm;
        } else {
            cols[i].s = malloc(1 << 16);
            b->buffer_type = MYSQL_TYPE_STRING;
            b->buffer = cols[i].s;
            b->buffer_length = 1 << 16;
        }
    }
    if (mysql_stmt_bind_result(st, binds))
        return fail_stmt(st);
    unsigned long rows = 0;
    int rc;
    while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        rows++;
        printf("{\"row\": [");
        for (unsigned i = 0; i < n; i++) {
            enum enum_field_types t = fields[i].type;
            if (i)
                printf(", ");
            if (cols[i].is_null)
                printf("null");
            else if (is_int_type(t))
                printf(binds[i].is_unsigned ? "%llu" : "%lld", cols[i].i);
            else if (t == MYSQL_TYPE_DOUBLE || t == MYSQL_TYPE_FLOAT)
                printf("%.17g", cols[i].d);
            else if (is_time_type(t))
                print_time(&cols[i].tm, t);
            else
                json_string(cols[i].s, cols[i].len);
        }
        printf("]}\n");
    }
    if (rc != MYSQL_NO_DATA)
        return fail_stmt(st);
    printf("{\"done\": {\"rows\": %lu}}\n", rows);
    for (unsigned i = 0; i < n; i++)
        free(cols[i].s);
    free(cols);
    free(binds);
    mysql_free_result(meta);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: stmt_client [--host H] [--port N] [--user U] [--password P] "
                    "[--database D] [--ssl] [--repeat N] SQL [PARAM...]\n");
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *user = "anyone", *password = "", *database = NULL;
    unsigned port = 3306, repeat = 1;
    bool ssl = false;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--ssl") == 0) {
            ssl = true;
            continue;
        }
        if (!val) {
            usage();
            return 2;
        }
        i++;
        if (strcmp(opt, "--host") == 0)
            host = val;
        else if (strcmp(opt, "--port") == 0)
            port = (unsigned)atoi(val);
        else if (strcmp(opt, "--user") == 0)
            user = val;
        else if (strcmp(opt, "--password") == 0)
            password = val;
        else if (strcmp(opt, "--database") == 0)
            database = val;
        else if (strcmp(opt, "--repeat") == 0)
            repeat = (unsigned)atoi(val);
        else {
            usage();
            return 2;
        }
    }
    if (i >= argc) {
        usage();
        return 2;
    }
    const char *sql = argv[i++];
    unsigned nparams = (unsigned)(argc - i);
    if (nparams > MAX_PARAMS) {
        fprintf(stderr, "stmt_client: at most %d parameters\n", MAX_PARAMS);
        return 2;
    }
    static param params[MAX_PARAMS];
    MYSQL_BIND binds[MAX_PARAMS + 1];
    for (unsigned k = 0; k < nparams; k++) {
        if (!parse_param(argv[i + (int)k], &params[k])) {
            fprintf(stderr, "stmt_client: bad parameter '%s'\n", argv[i + (int)k]);
            return 2;
        }
        bind_param(&params[k], &binds[k]);
    }

    MYSQL *m = mysql_init(NULL);
    unsigned timeout = 30;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    if (ssl) {
        my_bool on = 1, off = 0;
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
    }
    if (!mysql_real_connect(m, host, user, password, database, port, NULL, 0))
        return fail_mysql(mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
    MYSQL_STMT *st = mysql_stmt_init(m);
    if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)))
        return fail_stmt(st);
    printf("{\"prepare\": {\"params\": %lu, \"fields\": %u}}\n", mysql_stmt_param_count(st),
           mysql_stmt_field_count(st));
    MYSQL_RES *announced = mysql_stmt_result_metadata(st);
    if (announced) {
        print_columns("prepared_columns", mysql_fetch_fields(announced),
                      mysql_num_fields(announced));
        mysql_free_result(announced);
    }
    if (mysql_stmt_param_count(st) != nparams) {
        printf("{\"error\": {\"errno\": 0, \"sqlstate\": \"\", \"message\": \"the statement has "
               "%lu parameters, %u given\"}}\n",
               mysql_stmt_param_count(st), nparams);
        return 1;
    }
    if (nparams && mysql_stmt_bind_param(st, binds))
        return fail_stmt(st);
    for (unsigned r = 0; r < repeat; r++) {
        for (unsigned k = 0; k < nparams; k++)
            if (params[k].is_long && mysql_stmt_send_long_data(st, k, params[k].s, params[k].len))
                return fail_stmt(st);
        if (mysql_stmt_execute(st))
            return fail_stmt(st);
        int rc = fetch_all(st);
        if (rc)
            return rc;
    }
    mysql_stmt_close(st);
    mysql_close(m);
    return 0;
}
