/*
 * The web catalog and query page (proxy/http/web/), built into the binary by
 * scripts/embed_assets.sh and served at / by the HTTP API's server. The page
 * uses only the HTTP API; it needs no network beyond Mimir.
 */
#ifndef MIMIR_PROXY_HTTP_HTTP_STATIC_H
#define MIMIR_PROXY_HTTP_HTTP_STATIC_H

#include <stddef.h>

typedef struct http_asset {
    const char *path; /* "/index.html" */
    const unsigned char *data;
    size_t len;
} http_asset;

/* Every file of proxy/http/web/, ending with {NULL, NULL, 0} (generated). */
extern const http_asset http_assets[];

/* The file a GET of path serves ("/" is "/index.html"), or NULL; its Content-Type in *type. */
const http_asset *http_static_find(const char *path, const char **type);

#endif
