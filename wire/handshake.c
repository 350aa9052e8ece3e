/*
 * Connection phase: the server's HandshakeV10, the client's SSLRequest and
 * HandshakeResponse41, and AuthSwitchRequest. These writers produce payloads
 * only; the session frames them, because their sequence ids depend on where
 * the exchange is (0 for the greeting, 2 or 3 for a switch after TLS).
 */
#include "wire/protocol.h"

#include <string.h>

#define SCRAMBLE_PART1_LEN 8
#define SCRAMBLE_LEN       20
/* The fixed prefix of SSLRequest and HandshakeResponse41: caps, max packet,
 * charset and 23 bytes of filler. */
#define RESPONSE_FIXED_LEN 32
#define RESPONSE_FILLER    23

static const char default_auth_plugin[] = "mysql_native_password";

void wire_write_handshake_v10(buf *out, const wire_handshake *hs)
{
    static const uint8_t reserved[10] = {0};
    const char *plugin = hs->auth_plugin ? hs->auth_plugin : default_auth_plugin;

    buf_append_byte(out, 10); /* protocol version */
    buf_append_str(out, hs->server_version ? hs->server_version : "");
    buf_append_byte(out, 0);
    buf_put_u32(out, hs->connection_id);
    buf_append(out, hs->scramble, SCRAMBLE_PART1_LEN);
    buf_append_byte(out, 0); /* filler */
    buf_put_u16(out, (uint16_t)(hs->capabilities & 0xFFFF));
    buf_append_byte(out, hs->charset);
    buf_put_u16(out, hs->status);
    buf_put_u16(out, (uint16_t)(hs->capabilities >> 16));
    /* 20 scramble bytes plus the NUL that ends part 2; clients read
     * max(13, len - 8) bytes of part 2 from this. */
    buf_append_byte(out, (hs->capabilities & CLIENT_PLUGIN_AUTH) ? SCRAMBLE_LEN + 1 : 0);
    /* MariaDB puts extended capabilities in the last 4 of these; as a MySQL
     * 8.0 server we leave them zero. */
    buf_append(out, reserved, sizeof reserved);
    /* Part 2 is written unconditionally, as MySQL does: every 4.1 client reads
     * it and a scramble of 8 bytes is useless for native password. */
    buf_append(out, hs->scramble + SCRAMBLE_PART1_LEN, SCRAMBLE_LEN - SCRAMBLE_PART1_LEN);
    buf_append_byte(out, 0);
    if (hs->capabilities & CLIENT_PLUGIN_AUTH) {
        buf_append_str(out, plugin);
        buf_append_byte(out, 0);
    }
}

bool wire_is_ssl_request(const uint8_t *payload, size_t len, uint32_t *capabilities)
{
    /* A full response always carries at least the user name after the fixed
     * prefix, so exactly 32 bytes with CLIENT_SSL can only be an SSLRequest. */
    if (len != RESPONSE_FIXED_LEN)
        return false;
    wire_cursor c;
    uint32_t caps;
    wire_cursor_init(&c, payload, len);
    if (!wire_get_u32(&c, &caps) || !(caps & CLIENT_SSL))
        return false;
    if (capabilities != NULL)
        *capabilities = caps;
    return true;
}

/* The three encodings of auth-response, newest first, picked by the client's flags. */
static bool parse_auth_response(wire_cursor *c, uint32_t caps, wire_handshake_response *out)
{
    if (caps & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)
        return wire_get_lenenc_str(c, &out->auth, &out->auth_len);
    if (caps & CLIENT_SECURE_CONNECTION) {
        uint8_t n;
        if (!wire_get_u8(c, &n) || !wire_get_bytes(c, n, &out->auth))
            return false;
        out->auth_len = n;
        return true;
    }
    const char *s;
    if (!wire_get_cstr(c, &s, &out->auth_len))
        return false;
    out->auth = (const uint8_t *)s;
    return true;
}

/*
 * Strict: every field the client's flags announce must be present. Some
 * servers forgive a missing plugin name for the sake of very old clients;
 * the clients we target (libmariadb, libmysqlclient, Connector/J, PyMySQL,
 * mysql2) send what they announce, so a short packet is more likely a bug.
 */
bool wire_parse_handshake_response(const uint8_t *payload, size_t len, wire_handshake_response *out)
{
    wire_cursor c;
    const uint8_t *filler;
    size_t slen;
    wire_handshake_response r = {0};

    wire_cursor_init(&c, payload, len);
    if (!wire_get_u32(&c, &r.capabilities) || !wire_get_u32(&c, &r.max_packet) ||
        !wire_get_u8(&c, &r.charset) || !wire_get_bytes(&c, RESPONSE_FILLER, &filler))
        return false;
    /* HandshakeResponse320 has another layout, and we announce 4.1 only. The
     * filler is not checked: MariaDB clients put extended capabilities there. */
    if (!(r.capabilities & CLIENT_PROTOCOL_41))
        return false;
    if (!wire_get_cstr(&c, &r.user, &slen))
        return false;
    if (!parse_auth_response(&c, r.capabilities, &r))
        return false;
    if ((r.capabilities & CLIENT_CONNECT_WITH_DB) && !wire_get_cstr(&c, &r.database, &slen))
        return false;
    if ((r.capabilities & CLIENT_PLUGIN_AUTH) && !wire_get_cstr(&c, &r.auth_plugin, &slen))
        return false;
    if (r.capabilities & CLIENT_CONNECT_ATTRS) {
        if (!wire_get_lenenc_str(&c, &r.attrs, &r.attrs_len))
            return false;
    }
    *out = r;
    return true;
}

void wire_write_auth_switch(buf *out, const char *plugin, const uint8_t scramble[20])
{
    buf_append_byte(out, 0xFE);
    buf_append_str(out, plugin ? plugin : default_auth_plugin);
    buf_append_byte(out, 0);
    buf_append(out, scramble, SCRAMBLE_LEN);
    buf_append_byte(out, 0);
}

void wire_write_auth_more_data(buf *out, const void *data, size_t len)
{
    buf_append_byte(out, 0x01);
    buf_append(out, data, len);
}

bool wire_parse_change_user(const uint8_t *payload, size_t len, uint32_t caps,
                            wire_change_user *out)
{
    wire_cursor c;
    uint8_t cmd;
    size_t slen;
    wire_change_user r = {0};
    wire_cursor_init(&c, payload, len);
    if (!wire_get_u8(&c, &cmd) || !wire_get_cstr(&c, &r.user, &slen))
        return false;
    if (caps & CLIENT_SECURE_CONNECTION) {
        uint8_t n;
        if (!wire_get_u8(&c, &n) || !wire_get_bytes(&c, n, &r.auth))
            return false;
        r.auth_len = n;
    } else {
        const char *s;
        if (!wire_get_cstr(&c, &s, &r.auth_len))
            return false;
        r.auth = (const uint8_t *)s;
    }
    if (!wire_get_cstr(&c, &r.database, &slen))
        return false;
    /* Optional tail: character set, then the plugin name (the attributes
     * that may follow are not needed). */
    uint16_t charset;
    if (wire_cursor_left(&c) >= 2 && wire_get_u16(&c, &charset) && (caps & CLIENT_PLUGIN_AUTH) &&
        wire_cursor_left(&c) > 0 && !wire_get_cstr(&c, &r.auth_plugin, &slen))
        return false;
    *out = r;
    return true;
}
