/*
 * proxy/http/arrow_values.c and arrow_stream.c: MySQL text values turned into
 * Arrow values exactly or refused, and the framing of the IPC stream. The
 * expected words and day numbers were computed with Python's decimal and
 * datetime modules; tests/integration/test_arrow_stream.py checks the whole
 * stream against a real Arrow reader (apache-arrow).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "proxy/http/arrow_stream.h"
#include "proxy/http/arrow_values.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_decimal_two_complement(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int precision, scale, nwords;
        uint64_t words[4];
    } cases[] = {
        {"0", 10, 2, 2, {0, 0}},
        {"1.5", 10, 2, 2, {0x96, 0}},
        {"-1.5", 10, 2, 2, {UINT64_C(0xffffffffffffff6a), UINT64_MAX}},
        {"-123.4500", 10, 4, 2, {UINT64_C(0xffffffffffed29bc), UINT64_MAX}},
        {"-0.00", 5, 2, 2, {0, 0}},
        {"+7", 3, 0, 2, {7, 0}},
        {"1.2", 5, 4, 2, {0x2ee0, 0}}, /* padded to the scale: 12000 */
        {".5", 3, 3, 2, {0x1f4, 0}},
        {"1.000", 6, 2, 2, {0x64, 0}}, /* zeros beyond the scale are no digits */
        {"-1", 1, 0, 2, {UINT64_MAX, UINT64_MAX}},
        {"99999999999999999999999999999999999999",
         38,
         0,
         2,
         {UINT64_C(0x098a223fffffffff), UINT64_C(0x4b3b4ca85a86c47a)}},
        {"-99999999999999999999999999999999999999",
         38,
         0,
         2,
         {UINT64_C(0xf675ddc000000001), UINT64_C(0xb4c4b357a5793b85)}},
        {"-0.00000000000000000000000000000000000001", 38, 38, 2, {UINT64_MAX, UINT64_MAX}},
        {"12345678901234567890123456789012345678901234567890123456789012345",
         65,
         0,
         4,
         {UINT64_C(0xcc02bc74f1e2df79), UINT64_C(0x58f342547ff7605c), UINT64_C(0x1e97858bdc6cb950),
          UINT64_C(0x00000000001e02bc)}},
        {"-99999999999999999999999999999999999.999999999999999999999999999999",
         65,
         30,
         4,
         {UINT64_C(0x0000000000000001), UINT64_C(0xb1c6ba1085dac9f6), UINT64_C(0xe3803c6f757410b9),
          UINT64_C(0xffffffffff0ce9d8)}},
        {"-1", 40, 0, 4, {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}},
    };
    for (size_t i = 0; i < N(cases); i++) {
        uint64_t words[4] = {0};
        const char *bad =
            arrow_value_decimal(cases[i].text, strlen(cases[i].text), cases[i].precision,
                                cases[i].scale, words, cases[i].nwords);
        if (bad)
            fail_msg("%s: %s", cases[i].text, bad);
        for (int w = 0; w < cases[i].nwords; w++)
            if (words[w] != cases[i].words[w])
                fail_msg("%s: word %d is %016llx, not %016llx", cases[i].text, w,
                         (unsigned long long)words[w], (unsigned long long)cases[i].words[w]);
    }
}

static void test_decimal_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int precision, scale;
        const char *reason;
    } cases[] = {
        {"10000.00", 6, 2, "integer digits"},
        {"-10000", 6, 2, "integer digits"},
        {"-100", 2, 0, "integer digits"},
        {"1", 38, 38, "integer digits"},
        {"1.234", 6, 2, "fraction digits"},
        {"0.001", 6, 2, "fraction digits"},
        {"100000000000000000000000000000000000000", 38, 0, "integer digits"},
        {"", 5, 0, "not a decimal"},
        {"-", 5, 0, "not a decimal"},
        {".", 5, 0, "not a decimal"},
        {"1e5", 9, 0, "not a decimal"},
        {"1.2.3", 9, 2, "not a decimal"},
        {" 1", 9, 0, "not a decimal"},
        {"0x10", 9, 0, "not a decimal"},
        {"1", 2, 3, "no Arrow decimal"},
        {"1", 77, 0, "no Arrow decimal"},
    };
    for (size_t i = 0; i < N(cases); i++) {
        uint64_t words[4];
        const char *bad = arrow_value_decimal(cases[i].text, strlen(cases[i].text),
                                              cases[i].precision, cases[i].scale, words, 4);
        if (!bad || !strstr(bad, cases[i].reason))
            fail_msg("'%s' (%d, %d): %s", cases[i].text, cases[i].precision, cases[i].scale,
                     bad ? bad : "accepted");
    }
}

static void test_integer_widths(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int bits;
        bool is_signed, ok;
        uint64_t bits_out;
    } cases[] = {
        {"127", 8, true, true, 127},
        {"-128", 8, true, true, UINT64_C(0xffffffffffffff80)},
        {"128", 8, true, false, 0},
        {"-129", 8, true, false, 0},
        {"255", 8, false, true, 255},
        {"256", 8, false, false, 0},
        {"-1", 8, false, false, 0},
        {"-0", 8, false, true, 0},
        {"32767", 16, true, true, 32767},
        {"32768", 16, true, false, 0},
        {"-32768", 16, true, true, UINT64_C(0xffffffffffff8000)},
        {"65535", 16, false, true, 65535},
        {"65536", 16, false, false, 0},
        {"2147483647", 32, true, true, 2147483647},
        {"2147483648", 32, true, false, 0},
        {"-2147483648", 32, true, true, UINT64_C(0xffffffff80000000)},
        {"4294967295", 32, false, true, UINT32_MAX},
        {"4294967296", 32, false, false, 0},
        {"9223372036854775807", 64, true, true, INT64_MAX},
        {"9223372036854775808", 64, true, false, 0},
        {"-9223372036854775808", 64, true, true, UINT64_C(0x8000000000000000)},
        {"-9223372036854775809", 64, true, false, 0},
        {"18446744073709551615", 64, false, true, UINT64_MAX},
        {"18446744073709551616", 64, false, false, 0},
        {"99999999999999999999999", 64, false, false, 0},
        {"", 32, true, false, 0},
        {"-", 32, true, false, 0},
        {"1.0", 32, true, false, 0},
        {"12a", 32, true, false, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        uint64_t v = 0;
        const char *bad = arrow_value_int(cases[i].text, strlen(cases[i].text), cases[i].bits,
                                          cases[i].is_signed, &v);
        if ((bad == NULL) != cases[i].ok)
            fail_msg("'%s' as %sint%d: %s", cases[i].text, cases[i].is_signed ? "" : "u",
                     cases[i].bits, bad ? bad : "accepted");
        if (cases[i].ok)
            assert_int_equal(v, cases[i].bits_out);
    }
}

static void test_dates(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ok;
        int32_t days;
    } cases[] = {
        {"1970-01-01", true, 0},       {"1969-12-31", true, -1},
        {"2024-02-29", true, 19782},   {"2000-02-29", true, 11016},
        {"1600-02-29", true, -135081}, {"1900-03-01", true, -25508},
        {"0001-01-01", true, -719162}, {"9999-12-31", true, 2932896},
        {"1900-02-29", false, 0},      {"2023-02-29", false, 0},
        {"0000-00-00", false, 0},      {"2024-00-10", false, 0},
        {"2024-13-01", false, 0},      {"2024-04-31", false, 0},
        {"2024-1-01", false, 0},       {"2024-01-01 00:00:00", false, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        int32_t days = 0;
        const char *bad = arrow_value_date(cases[i].text, strlen(cases[i].text), &days);
        if ((bad == NULL) != cases[i].ok)
            fail_msg("'%s': %s", cases[i].text, bad ? bad : "accepted");
        if (cases[i].ok)
            assert_int_equal(days, cases[i].days);
    }
}

static void test_datetimes_and_times(void **state)
{
    (void)state;
    static const struct {
        bool is_time;
        const char *text;
        bool ok;
        int64_t micros;
    } cases[] = {
        {false, "1969-12-31 23:59:59.999999", true, -1},
        {false, "1970-01-01 00:00:00.5", true, 500000},
        {false, "2024-02-29 12:00:00", true, INT64_C(1709208000000000)},
        {false, "1900-01-01 00:00:00", true, INT64_C(-2208988800000000)},
        {false, "2038-01-19 03:14:07.000001", true, INT64_C(2147483647000001)},
        {false, "0001-01-01 00:00:00", true, INT64_C(-62135596800000000)},
        {false, "2024-02-30 00:00:00", false, 0},
        {false, "2024-01-31 24:00:00", false, 0},
        {false, "2024-01-31 10:60:00", false, 0},
        {false, "2024-01-31 10:00:00.1234567", false, 0},
        {false, "2024-01-31 10:00:00.", false, 0},
        {false, "2024-01-31T10:00:00", false, 0},
        {false, "0000-00-00 00:00:00", false, 0},
        {true, "00:00:00", true, 0},
        {true, "12:34:56", true, INT64_C(45296000000)},
        {true, "23:59:59.999999", true, INT64_C(86399999999)},
        {true, "01:02:03.4", true, INT64_C(3723400000)},
        {true, "-00:00:00", true, 0},
        {true, "24:00:00", false, 0},
        {true, "838:59:59", false, 0},
        {true, "-00:00:01", false, 0},
        {true, "12:34", false, 0},
        {true, "1:02:03", false, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t us = 0;
        size_t len = strlen(cases[i].text);
        const char *bad = cases[i].is_time ? arrow_value_time(cases[i].text, len, &us)
                                           : arrow_value_datetime(cases[i].text, len, &us);
        if ((bad == NULL) != cases[i].ok)
            fail_msg("'%s': %s", cases[i].text, bad ? bad : "accepted");
        if (cases[i].ok)
            assert_int_equal(us, cases[i].micros);
    }
}

static void test_floats_and_utf8(void **state)
{
    (void)state;
    float f;
    double d;
    assert_null(arrow_value_float("1.5", 3, &f));
    assert_true(f == 1.5f);
    assert_null(arrow_value_float("-3.40282e38", 11, &f));
    assert_non_null(arrow_value_float("1e39", 4, &f));
    assert_null(arrow_value_double("1e+20", 5, &d));
    assert_true(d == 1e20);
    assert_null(arrow_value_double("4.9e-324", 8, &d)); /* the smallest subnormal */
    assert_true(d > 0);
    static const char *const not_numbers[] = {"", "inf", "nan", " 1", "0x1p3", "1,5", "1.5x"};
    for (size_t i = 0; i < N(not_numbers); i++)
        assert_non_null(arrow_value_double(not_numbers[i], strlen(not_numbers[i]), &d));
    assert_true(arrow_utf8_valid("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80", 15));
    assert_true(arrow_utf8_valid("", 0));
    static const char *const bad[] = {
        "\xff", "\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x9c"};
    for (size_t i = 0; i < N(bad); i++)
        assert_false(arrow_utf8_valid(bad[i], strlen(bad[i])));
}

/* ---- The stream ------------------------------------------------------- */

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A field of the root table of a message's flatbuffer (0 when absent). */
static uint64_t root_field(const uint8_t *fb, int id, int size)
{
    uint32_t table = (uint32_t)le(fb, 4);
    uint32_t vtable = table - (uint32_t)(int32_t)le(fb + table, 4);
    uint16_t vsize = (uint16_t)le(fb + vtable, 2);
    if (4u + 2u * (unsigned)id >= vsize)
        return 0;
    uint16_t off = (uint16_t)le(fb + vtable + 4 + 2 * id, 2);
    return off ? le(fb + table + off, size) : 0;
}

static const wire_column stream_cols[] = {
    {.name = "id", .type = MYSQL_TYPE_LONGLONG, .length = 20, .charset = 63},
    {.name = "name", .type = MYSQL_TYPE_VAR_STRING, .length = 80, .charset = 45},
    {.name = "amount", .type = MYSQL_TYPE_NEWDECIMAL, .length = 67, .decimals = 30},
    {.name = "day", .type = MYSQL_TYPE_DATE, .length = 10, .charset = 63},
    {.name = "nothing", .type = MYSQL_TYPE_NULL, .charset = 63},
};

/* Adds rows row0 .. row0 + n - 1: names of odd lengths, every third row NULL. */
static void add_rows(arrow_stream *s, size_t row0, size_t n)
{
    for (size_t r = row0; r < row0 + n; r++) {
        char id[32], name[40], amount[80];
        snprintf(id, sizeof(id), "%zu", r);
        snprintf(name, sizeof(name), "%.*s", (int)(r % 13), "abcdefghijklm");
        snprintf(amount, sizeof(amount), "-%zu.5", r);
        const char *v[] = {id, r % 3 ? name : NULL, amount, "2024-02-29", NULL};
        size_t l[] = {strlen(id), strlen(name), strlen(amount), 10, 0};
        char err[256];
        if (!arrow_stream_add_row(s, v, l, err, sizeof(err)))
            fail_msg("%s", err);
    }
}

static void test_messages_are_aligned_and_the_stream_ends(void **state)
{
    (void)state;
    arrow_stream *s = arrow_stream_new(stream_cols, N(stream_cols), "UTC");
    buf out;
    buf_init(&out);
    arrow_stream_write_schema(s, &out);
    static const size_t sizes[] = {0, 1, 7, 9, 100};
    size_t row = 0;
    for (size_t i = 0; i < N(sizes); i++) {
        add_rows(s, row, sizes[i]);
        row += sizes[i];
        assert_int_equal(arrow_stream_batch_rows(s), sizes[i]);
        arrow_stream_write_batch(s, &out);
        assert_int_equal(arrow_stream_batch_rows(s), 0);
    }
    arrow_stream_write_end(s, &out);
    size_t pos = 0, messages = 0;
    for (;;) {
        assert_true(pos + 8 <= out.len);
        assert_int_equal(le(out.data + pos, 4), 0xFFFFFFFFu);
        uint32_t meta = (uint32_t)le(out.data + pos + 4, 4);
        if (meta == 0)
            break;
        assert_int_equal((8 + meta) % 8, 0);
        const uint8_t *fb = out.data + pos + 8;
        assert_int_equal(root_field(fb, 0, 2), 4); /* MetadataVersion V5 */
        assert_int_equal(root_field(fb, 1, 1), messages == 0 ? 1 : 3);
        uint64_t body = root_field(fb, 3, 8);
        assert_int_equal(body % 8, 0);
        pos += 8 + meta + body;
        messages++;
    }
    assert_int_equal(messages, 1 + N(sizes));
    assert_int_equal(pos + 8, out.len); /* the end marker is the last 8 bytes */
    assert_int_equal(le(out.data + pos + 4, 4), 0);
    buf_free(&out);
    arrow_stream_free(s);
}

static void test_a_refused_row_leaves_the_batch_as_it_was(void **state)
{
    (void)state;
    arrow_stream *s = arrow_stream_new(stream_cols, N(stream_cols), NULL);
    add_rows(s, 0, 5);
    size_t bytes = arrow_stream_batch_bytes(s);
    /* The first columns are fine: the refusal of the fourth must undo nothing. */
    const char *v[] = {"6", "name", "1.5", "2023-02-29", NULL};
    size_t l[] = {1, 4, 3, 10, 0};
    char err[256];
    assert_false(arrow_stream_add_row(s, v, l, err, sizeof(err)));
    assert_string_equal(err, "column 'day': value '2023-02-29' is not a calendar date (MySQL's "
                             "zero dates have no Arrow value)");
    assert_int_equal(arrow_stream_batch_rows(s), 5);
    assert_int_equal(arrow_stream_batch_bytes(s), bytes);
    const char *v2[] = {"6", NULL, NULL, NULL, "x"};
    size_t l2[] = {1, 0, 0, 0, 1};
    assert_false(arrow_stream_add_row(s, v2, l2, err, sizeof(err)));
    assert_non_null(strstr(err, "column 'nothing'"));
    arrow_stream_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_two_complement),
        cmocka_unit_test(test_decimal_refusals),
        cmocka_unit_test(test_integer_widths),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_datetimes_and_times),
        cmocka_unit_test(test_floats_and_utf8),
        cmocka_unit_test(test_messages_are_aligned_and_the_stream_ends),
        cmocka_unit_test(test_a_refused_row_leaves_the_batch_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
