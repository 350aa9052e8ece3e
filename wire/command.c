/*
 * Decoders of the small command-phase packets that have no file of their own
 * (COM_QUERY and COM_INIT_DB are the payload itself; COM_CHANGE_USER is in
 * handshake.c, the COM_STMT_* packets in binary.c). Pure functions over the
 * payload, so that the fuzz targets reach them without a session.
 */
#include <string.h>

#include "wire/protocol.h"

bool wire_parse_field_list(const uint8_t *payload, size_t len, const uint8_t **table,
                           size_t *table_len, const uint8_t **wild, size_t *wild_len)
{
    if (len < 1)
        return false;
    const uint8_t *arg = payload + 1;
    size_t n = len - 1;
    const uint8_t *nul = memchr(arg, '\0', n);
    *table = arg;
    *table_len = nul ? (size_t)(nul - arg) : n;
    *wild = nul ? nul + 1 : NULL;
    *wild_len = nul ? n - *table_len - 1 : 0;
    return true;
}

bool wire_parse_set_option(const uint8_t *payload, size_t len, uint16_t *option)
{
    wire_cursor c;
    uint8_t cmd;
    wire_cursor_init(&c, payload, len);
    return wire_get_u8(&c, &cmd) && wire_get_u16(&c, option);
}
