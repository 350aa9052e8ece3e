/* The `http:` section of the server configuration file: see http_config.h. */
#include "proxy/config/http_config.h"

#include <stdlib.h>

#include "proxy/config/config_section.h"
#include "wire/xalloc.h"

void http_settings_init(http_settings *s)
{
    *s = (http_settings){.host = NULL, .port = -1, .tls = -1, .max_body_bytes = -1};
}

void http_settings_free(http_settings *s)
{
    free(s->host);
    http_settings_init(s);
}

bool http_settings_load(const char *file, const ynode *map, http_settings *out, char *err,
                        size_t errlen)
{
    static const char *const keys[] = {"host", "port", "tls", "max_body_bytes", NULL};
    if (!config_known_keys(file, map, "http", keys, err, errlen))
        return false;
    const char *host;
    if (!config_scalar(file, map, "host", &host, err, errlen) ||
        !config_port(file, map, "port", &out->port, err, errlen) ||
        !config_size(file, map, "max_body_bytes", &out->max_body_bytes, err, errlen))
        return false;
    if (out->max_body_bytes == 0)
        return config_fail(file, ymap_get(map, "max_body_bytes"), err, errlen,
                           "'max_body_bytes' must be at least 1 byte");
    if (host)
        out->host = xstrdup(host);
    int tls = config_boolean(file, map, "tls", err, errlen);
    if (tls == -2)
        return false;
    out->tls = tls;
    return true;
}
