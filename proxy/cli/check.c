/* Blocking checks against the databases, for `mimir validate`: see check.h. */
#include "proxy/cli/check.h"

#include <stdlib.h>
#include <string.h>

#include "proxy/backend/blocking_db.h"
#include "wire/xalloc.h"

/* A check's connection is a blocking one (proxy/backend/blocking_db.h), read-only. */
struct check_conn {
    blocking_db *db;
};

void check_one_line(char *err, size_t errlen, const char *msg)
{
    blocking_db_one_line(err, errlen, msg);
}

static char *wrapped(const char *sql)
{
    /* On lines of their own: a comment that ends sql cannot swallow the tail. */
    static const char head[] = "SELECT * FROM (\n", tail[] = "\n) AS mimir_check LIMIT 0";
    size_t n = strlen(sql);
    char *out = xmalloc(sizeof head + n + sizeof tail);
    memcpy(out, head, sizeof head - 1);
    memcpy(out + sizeof head - 1, sql, n);
    memcpy(out + sizeof head - 1 + n, tail, sizeof tail);
    return out;
}

check_conn *check_connect(const connection *c, char *err, size_t errlen)
{
    blocking_db_options o = {.connect_timeout_s = CHECK_CONNECT_TIMEOUT_S};
    blocking_db *db = blocking_db_connect(c, &o, err, errlen);
    if (!db)
        return NULL;
    check_conn *cc = xcalloc(1, sizeof *cc);
    cc->db = db;
    return cc;
}

bool check_query(check_conn *cc, const char *sql, const query_param *params, size_t nparams,
                 char *err, size_t errlen)
{
    char *text = wrapped(sql);
    bool ok = blocking_db_exec(cc->db, text, params, nparams, err, errlen);
    free(text);
    return ok;
}

void check_close(check_conn *cc)
{
    if (!cc)
        return;
    blocking_db_close(cc->db);
    free(cc);
}

struct pg_conn *check_pg(check_conn *cc)
{
    return blocking_db_pg(cc->db);
}

struct st_mysql *check_mysql(check_conn *cc)
{
    return blocking_db_mysql(cc->db);
}

struct sqlite3 *check_sqlite(check_conn *cc)
{
    return blocking_db_sqlite(cc->db);
}
