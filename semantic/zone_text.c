#include "semantic/zone_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool zone_offset_minutes(const char *t, int *minutes)
{
    if (t[0] != '+' && t[0] != '-')
        return false;
    int sign = t[0] == '-' ? -1 : 1;
    const char *p = t + 1;
    int h = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 2) {
        h = h * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || *p++ != ':' || !(p[0] >= '0' && p[0] <= '5') ||
        !(p[1] >= '0' && p[1] <= '9') || p[2] != '\0')
        return false;
    int m = sign * (h * 60 + (p[0] - '0') * 10 + (p[1] - '0'));
    if (m < -(13 * 60 + 59) || m > 14 * 60)
        return false;
    *minutes = m;
    return true;
}

bool zone_name_well_formed(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len >= 64 || name[0] == '/' || strstr(name, "..") || name[len - 1] == '/')
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-' || *c == '+' || *c == '/'))
            return false;
    return true;
}

/* The file starts with the TZif magic (RFC 8536): a directory or another file is no zone. */
static bool is_tzif_file(const char *name)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char magic[4];
    bool ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

bool zone_text_known(const char *text)
{
    int minutes;
    if (strcasecmp(text, "SYSTEM") == 0)
        return true;
    if (text[0] == '+' || text[0] == '-')
        return zone_offset_minutes(text, &minutes);
    return zone_name_well_formed(text) && is_tzif_file(text);
}
