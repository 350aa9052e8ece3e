/*
 * Packet framing: a 4-byte header (3-byte little-endian payload length, 1-byte
 * sequence id) in front of every physical packet. A logical payload of 0xFFFFFF
 * bytes or more travels as a run of full 0xFFFFFF packets ended by a shorter
 * one, which is empty when the payload is an exact multiple: the reader only
 * knows the run is over when it sees a packet shorter than the maximum.
 */
#include "wire/protocol.h"

#include <string.h>

#define WIRE_HEADER_LEN 4

static void put_header(uint8_t *p, size_t len, uint8_t seq)
{
    p[0] = (uint8_t)len;
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)(len >> 16);
    p[3] = seq;
}

size_t wire_packet_begin(buf *out)
{
    size_t begin = out->len;
    /* The header is filled in by wire_packet_end once the length is known. */
    buf_reserve(out, WIRE_HEADER_LEN);
    memset(out->data + out->len, 0, WIRE_HEADER_LEN);
    out->len += WIRE_HEADER_LEN;
    return begin;
}

void wire_packet_end(buf *out, size_t begin, uint8_t *seq)
{
    size_t len = out->len - begin - WIRE_HEADER_LEN;
    if (len < WIRE_MAX_PACKET) {
        put_header(out->data + begin, len, (*seq)++);
        return;
    }

    /*
     * Rare path (a 16 MiB row or more): the payload was written contiguously,
     * so open a gap for one more header per extra chunk. Chunks move towards
     * the end, so go from the last one back to avoid overwriting a chunk that
     * has not moved yet.
     */
    size_t chunks = len / WIRE_MAX_PACKET + 1; /* the last may be empty */
    size_t extra = (chunks - 1) * WIRE_HEADER_LEN;
    buf_reserve(out, extra);
    uint8_t *payload = out->data + begin + WIRE_HEADER_LEN;
    for (size_t k = chunks; k-- > 1;) {
        size_t from = k * WIRE_MAX_PACKET;
        size_t n = len - from < WIRE_MAX_PACKET ? len - from : WIRE_MAX_PACKET;
        memmove(payload + from + k * WIRE_HEADER_LEN, payload + from, n);
    }
    out->len += extra;
    for (size_t k = 0; k < chunks; k++) {
        size_t from = k * WIRE_MAX_PACKET;
        size_t n = len - from < WIRE_MAX_PACKET ? len - from : WIRE_MAX_PACKET;
        put_header(out->data + begin + k * (WIRE_MAX_PACKET + WIRE_HEADER_LEN), n, (*seq)++);
    }
}

/*
 * Two passes: the first walks the headers only, so an incomplete packet costs
 * O(physical packets) and leaves payload untouched; the second copies. With
 * expect_seq < 0 the first sequence id is taken as is, but the packets of one
 * logical payload must still be consecutive: anything else is a broken stream.
 */
wire_read_status wire_read_packet(const uint8_t *data, size_t avail, size_t max_payload,
                                  int expect_seq, size_t *consumed, buf *payload, uint8_t *seq)
{
    size_t pos = 0, total = 0;
    int want = expect_seq;
    size_t part_len;
    do {
        if (avail - pos < WIRE_HEADER_LEN)
            return WIRE_NEED_MORE;
        const uint8_t *h = data + pos;
        part_len = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16;
        if (want >= 0 && h[3] != (uint8_t)want)
            return WIRE_OUT_OF_ORDER;
        want = (uint8_t)(h[3] + 1);
        total += part_len;
        if (total > max_payload)
            return WIRE_TOO_LARGE;
        if (avail - pos - WIRE_HEADER_LEN < part_len)
            return WIRE_NEED_MORE;
        pos += WIRE_HEADER_LEN + part_len;
    } while (part_len == WIRE_MAX_PACKET);

    buf_reserve(payload, total);
    for (size_t at = 0; at < pos;) {
        const uint8_t *h = data + at;
        part_len = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16;
        buf_append(payload, h + WIRE_HEADER_LEN, part_len);
        *seq = h[3];
        at += WIRE_HEADER_LEN + part_len;
    }
    *consumed = pos;
    return WIRE_PACKET;
}
