/*
 * An error to report to the client as a MySQL ERR packet: the code and
 * SQLSTATE a MySQL server would use for the same condition, and a message a
 * user can act on.
 */
#ifndef MIMIR_PLANNER_SQL_ERROR_H
#define MIMIR_PLANNER_SQL_ERROR_H

#include <stdint.h>

/* MySQL error codes Mimir uses. */
#define ER_DBACCESS_DENIED                   1044
#define ER_ACCESS_DENIED                     1045
#define ER_NO_DB                             1046
#define ER_BAD_DB                            1049
#define ER_BAD_FIELD                         1054
#define ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT 1222
#define ER_PARSE                             1064
#define ER_EMPTY_QUERY                       1065
#define ER_UNKNOWN_ERROR                     1105
#define ER_TOO_BIG_SELECT                    1104 /* a result over max_result_rows/bytes */
#define ER_NO_SUCH_TABLE                     1146
#define ER_NO_TABLE_USED                     1096
#define ER_UNKNOWN_COM                       1047
#define ER_UNKNOWN_SYSTEM_VAR                1193
#define ER_NOT_SUPPORTED_YET                 1235
#define ER_SP_DOES_NOT_EXIST                 1305
#define ER_WRONG_ARGUMENTS                   1210
#define ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT    1582
#define ER_NET_PACKET_TOO_LARGE              1153
#define ER_NET_PACKETS_OUT_OF_ORDER          1156
#define ER_INVALID_CHARACTER_STRING          1300
#define ER_WARN_DATA_OUT_OF_RANGE            1264
#define ER_TOO_BIG_PRECISION                 1426 /* NOW(7) */
/* Session variables (SET time_zone, SET sql_select_limit). */
#define ER_WRONG_VALUE_FOR_VAR 1231
#define ER_WRONG_TYPE_FOR_VAR  1232
#define ER_UNKNOWN_TIME_ZONE   1298

/* The statement's shape (planner/inquiry.c). */
#define ER_MIX_OF_GROUP_FUNC_AND_FIELDS 1140 /* SUM(m) beside a bare column, no GROUP BY */

/* The catalog's (information_schema, SHOW, read-only statements). */
#define ER_OPERAND_COLUMNS            1241 /* IN (SELECT a, b) */
#define ER_SUBQUERY_NO_1_ROW          1242 /* a scalar subquery of several rows */
#define ER_NON_UNIQ_ERROR             1052 /* column ambiguous in a join */
#define ER_UNKNOWN_TABLE              1109 /* unknown information_schema table */
#define ER_COLLATION_CHARSET_MISMATCH 1253 /* x COLLATE name of another character set */
#define ER_OPTION_PREVENTS_STATEMENT  1290 /* --read-only: writes and DDL */
/* Protocol and session errors (proxy/). */
#define ER_HANDSHAKE_ERROR                 1043
#define ER_UNKNOWN_STMT_HANDLER            1243
#define ER_MAX_PREPARED_STMT_COUNT_REACHED 1461
#define ER_MALFORMED_PACKET                1835
#define ER_SECURE_TRANSPORT_REQUIRED       3159

#define ER_CON_COUNT         1040
#define ER_SERVER_SHUTDOWN   1053
#define ER_NO_SUCH_THREAD    1094
#define ER_KILL_DENIED_ERROR 1095
#define ER_QUERY_INTERRUPTED 1317
#define ER_QUERY_TIMEOUT     3024

typedef struct sql_error {
    uint16_t code;
    char sqlstate[6];
    char message[1024];
} sql_error;

void sql_error_set(sql_error *e, uint16_t code, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
