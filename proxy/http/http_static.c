/* The web page's files, found by path: see http_static.h. */
#include "proxy/http/http_static.h"

#include <string.h>

static const char *type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

const http_asset *http_static_find(const char *path, const char **type)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (const http_asset *a = http_assets; a->path; a++)
        if (strcmp(a->path, path) == 0) {
            *type = type_of(path);
            return a;
        }
    return NULL;
}
