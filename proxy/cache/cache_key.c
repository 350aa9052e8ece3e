#include "proxy/cache/cache_key.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Bumped when the fields below change, so that no old layout can match. */
#define CACHE_KEY_VERSION "mimir result cache key v1"

/* A field: its length (UINT64_MAX for NULL) then its bytes. */
static void put_bytes(EVP_MD_CTX *md, const void *data, size_t len)
{
    uint64_t n = data ? (uint64_t)len : UINT64_MAX;
    EVP_DigestUpdate(md, &n, sizeof(n));
    if (data && len)
        EVP_DigestUpdate(md, data, len);
}

static void put_str(EVP_MD_CTX *md, const char *s)
{
    put_bytes(md, s, s ? strlen(s) : 0);
}

static void put_u64(EVP_MD_CTX *md, uint64_t v)
{
    put_bytes(md, &v, sizeof(v));
}

static void put_params(EVP_MD_CTX *md, const query_param *params, size_t n)
{
    put_u64(md, n);
    for (size_t i = 0; i < n; i++) {
        put_u64(md, (uint64_t)params[i].kind);
        put_str(md, params[i].text);
    }
}

static void put_query(EVP_MD_CTX *md, const atomic_query *q)
{
    put_str(md, q->conn ? q->conn->name : NULL);
    put_u64(md, (uint64_t)q->dialect);
    put_str(md, q->sql);
    put_params(md, q->params, q->nparams);
    put_u64(md, q->ncols);
    for (size_t i = 0; i < q->ncols; i++)
        put_str(md, q->col_names[i]);
}

static void put_column(EVP_MD_CTX *md, const plan_column *c)
{
    put_str(md, c->name);
    put_str(md, c->org_name);
    put_u64(md, (uint64_t)c->is_metric << 1 | (uint64_t)c->computed);
    put_u64(md, c->query);
    put_u64(md, c->query_col);
}

void cache_key_of_plan(const plan *p, const char *grants_fingerprint, cache_key *out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
        abort();
    put_str(md, CACHE_KEY_VERSION);
    put_str(md, grants_fingerprint ? grants_fingerprint : "");
    put_u64(md, p->nqueries);
    for (size_t i = 0; i < p->nqueries; i++)
        put_query(md, &p->queries[i]);
    put_u64(md, p->ncols);
    for (size_t i = 0; i < p->ncols; i++)
        put_column(md, &p->cols[i]);
    put_str(md, p->final_sql);
    put_params(md, p->final_params, p->nfinal_params);
    unsigned len = 0;
    if (!EVP_DigestFinal_ex(md, out->digest, &len) || len != CACHE_KEY_LEN)
        abort();
    EVP_MD_CTX_free(md);
}
