"""A deliberately small MySQL protocol client over a raw socket, for the tests
that must send what no real client library would: truncated or inconsistent
COM_STMT_* packets, unknown statement ids, COM_RESET_CONNECTION,
COM_SET_OPTION, COM_CHANGE_USER with hand-built fields, an SSLRequest to a
server without TLS. Real client libraries cover the well-formed paths.

It logs in with mysql_native_password and an empty password (the server's
mode without users) and does not set CLIENT_DEPRECATE_EOF, so result sets end
with classic EOF packets.
"""

import socket
import struct

CLIENT_LONG_PASSWORD = 0x00000001
CLIENT_CONNECT_WITH_DB = 0x00000008
CLIENT_PROTOCOL_41 = 0x00000200
CLIENT_SSL = 0x00000800
CLIENT_TRANSACTIONS = 0x00002000
CLIENT_SECURE_CONNECTION = 0x00008000
CLIENT_MULTI_STATEMENTS = 0x00010000
CLIENT_MULTI_RESULTS = 0x00020000
CLIENT_PLUGIN_AUTH = 0x00080000

SERVER_MORE_RESULTS_EXISTS = 0x0008

COM_QUIT = 0x01
COM_INIT_DB = 0x02
COM_QUERY = 0x03
COM_STATISTICS = 0x09
COM_CHANGE_USER = 0x11
COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
COM_STMT_SEND_LONG_DATA = 0x18
COM_STMT_CLOSE = 0x19
COM_STMT_RESET = 0x1A
COM_SET_OPTION = 0x1B
COM_RESET_CONNECTION = 0x1F

MYSQL_TYPE_TINY = 1
MYSQL_TYPE_LONGLONG = 8
MYSQL_TYPE_NULL = 6
MYSQL_TYPE_VAR_STRING = 253

BASE_CAPS = (CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
             | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH)


class ServerError(Exception):
    def __init__(self, code, sqlstate, message):
        super().__init__(f"{code} ({sqlstate}): {message}")
        self.code, self.sqlstate, self.message = code, sqlstate, message


class ConnectionClosed(Exception):
    pass


def lenenc_int(data, pos):
    first = data[pos]
    if first < 0xFB:
        return first, pos + 1
    if first == 0xFC:
        return struct.unpack_from("<H", data, pos + 1)[0], pos + 3
    if first == 0xFD:
        return int.from_bytes(data[pos + 1:pos + 4], "little"), pos + 4
    if first == 0xFE:
        return struct.unpack_from("<Q", data, pos + 1)[0], pos + 9
    raise ValueError(f"not a length-encoded integer: {first:#x}")


def lenenc_str(data, pos):
    n, pos = lenenc_int(data, pos)
    return data[pos:pos + n], pos + n


def is_eof(payload):
    return payload[:1] == b"\xfe" and len(payload) < 9


def parse_err(payload):
    code = struct.unpack_from("<H", payload, 1)[0]
    sqlstate = payload[4:9].decode() if payload[3:4] == b"#" else ""
    message = payload[9:].decode(errors="replace") if sqlstate else payload[3:].decode()
    return ServerError(code, sqlstate, message)


def column_definition(payload):
    """A ColumnDefinition41 packet as a dict: schema, table, org_table, name,
    org_name, charset, length, type, flags, decimals."""
    pos, texts = 0, []
    for _ in range(6):  # catalog, schema, table, org_table, name, org_name
        text, pos = lenenc_str(payload, pos)
        texts.append(text.decode())
    _, pos = lenenc_int(payload, pos)  # length of the fixed fields: 0x0c
    charset, length, type_, flags, decimals = struct.unpack_from("<HIBHB", payload, pos)
    return dict(schema=texts[1], table=texts[2], org_table=texts[3], name=texts[4],
                org_name=texts[5], charset=charset, length=length, type=type_, flags=flags,
                decimals=decimals)


class Prepared:
    """What COM_STMT_PREPARE answered: the statement id, the parameters' and
    the result columns' definitions (dicts of column_definition)."""

    def __init__(self, stmt_id, params, columns):
        self.stmt_id = stmt_id
        self.params = params
        self.columns = columns


class Result:
    """One result of a command: an OK (rows is None) or a result set."""

    def __init__(self, status, columns=None, rows=None, column_types=None, definitions=None):
        self.status = status
        self.columns = columns
        self.column_types = column_types
        self.definitions = definitions  # column_definition dicts
        self.rows = rows

    @property
    def more(self):
        return bool(self.status & SERVER_MORE_RESULTS_EXISTS)


class RawClient:
    def __init__(self, port, user="anyone", database=None, extra_caps=0, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        seq, greeting = self.read_packet()
        assert greeting[0] == 10, greeting
        self.server_version = greeting[1:greeting.index(b"\0", 1)].decode()
        pos = greeting.index(b"\0", 1) + 1
        self.connection_id = struct.unpack_from("<I", greeting, pos)[0]
        self.scramble = greeting[pos + 4:pos + 12] + greeting[pos + 31:pos + 43]
        caps_low = struct.unpack_from("<H", greeting, pos + 13)[0]
        caps_high = struct.unpack_from("<H", greeting, pos + 18)[0]
        self.server_caps = caps_low | caps_high << 16
        self.caps = BASE_CAPS | extra_caps | (CLIENT_CONNECT_WITH_DB if database else 0)
        self.user = user
        self.database = database

    def login(self):
        body = struct.pack("<IIB23x", self.caps, 1 << 24, 45)
        body += self.user.encode() + b"\0" + b"\0"  # empty auth-response
        if self.database:
            body += self.database.encode() + b"\0"
        body += b"mysql_native_password\0"
        self.send(body, seq=1)
        _, reply = self.read_packet()
        if reply[:1] == b"\xff":
            raise parse_err(reply)
        assert reply[:1] == b"\x00", reply
        return self

    # -- packets

    def send(self, payload, seq=0):
        self.sock.sendall(len(payload).to_bytes(3, "little") + bytes([seq]) + payload)

    def _fill(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed("the server closed the connection")
            self.buffer += chunk

    def read_packet(self):
        self._fill(4)
        n = int.from_bytes(self.buffer[:3], "little")
        seq = self.buffer[3]
        self._fill(4 + n)
        payload = self.buffer[4:4 + n]
        self.buffer = self.buffer[4 + n:]
        return seq, payload

    def closed_by_server(self, timeout=5):
        """True when the server closes the connection (EOF) within timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.send(bytes([COM_QUIT]))
        except OSError:
            pass
        self.sock.close()

    # -- results

    def read_result(self):
        """One OK or result set; raises ServerError on ERR."""
        _, first = self.read_packet()
        if first[:1] == b"\xff":
            raise parse_err(first)
        if first[:1] == b"\x00":
            _, pos = lenenc_int(first, 1)
            _, pos = lenenc_int(first, pos)
            return Result(struct.unpack_from("<H", first, pos)[0])
        ncols, _ = lenenc_int(first, 0)
        defs = [column_definition(self.read_packet()[1]) for _ in range(ncols)]
        _, eof = self.read_packet()
        assert is_eof(eof), eof
        rows = []
        while True:
            _, p = self.read_packet()
            if p[:1] == b"\xff":
                raise parse_err(p)
            if is_eof(p):
                return Result(struct.unpack_from("<H", p, 3)[0], [d["name"] for d in defs],
                              rows, [d["type"] for d in defs], defs)
            rows.append(p)

    def command(self, cmd, body=b""):
        self.send(bytes([cmd]) + body, seq=0)
        return self.read_result()

    def query(self, sql):
        return self.command(COM_QUERY, sql.encode())

    def query_all(self, sql):
        """Every result of a (multi-statement) query, until one without more-results."""
        results = [self.query(sql)]
        while results[-1].more:
            results.append(self.read_result())
        return results

    def text_rows(self, result):
        out = []
        for row in result.rows:
            values, pos = [], 0
            while pos < len(row):
                if row[pos] == 0xFB:
                    values.append(None)
                    pos += 1
                else:
                    v, pos = lenenc_str(row, pos)
                    values.append(v.decode())
            out.append(tuple(values))
        return out

    def select_one(self, sql):
        rows = self.text_rows(self.query(sql))
        assert len(rows) == 1, rows
        return rows[0]

    # -- prepared statements

    def prepare(self, sql):
        """(statement id, column count, parameter count)."""
        p = self.prepare_full(sql)
        return p.stmt_id, len(p.columns), len(p.params)

    def prepare_full(self, sql):
        """COM_STMT_PREPARE; a Prepared, or ServerError."""
        self.send(bytes([COM_STMT_PREPARE]) + sql.encode())
        _, ok = self.read_packet()
        if ok[:1] == b"\xff":
            raise parse_err(ok)
        stmt_id, ncols, nparams = struct.unpack_from("<IHH", ok, 1)
        defs = []
        for count in (nparams, ncols):
            defs.append([column_definition(self.read_packet()[1]) for _ in range(count)])
            if count:
                _, eof = self.read_packet()
                assert is_eof(eof), eof
        return Prepared(stmt_id, defs[0], defs[1])

    def execute(self, stmt_id, params_block=b""):
        body = struct.pack("<IBI", stmt_id, 0, 1) + params_block
        return self.command(COM_STMT_EXECUTE, body)

    @staticmethod
    def params_block(params, send_types=True):
        """params: list of (type, value bytes or None for NULL)."""
        n = len(params)
        bitmap = bytearray((n + 7) // 8)
        for i, (_, v) in enumerate(params):
            if v is None:
                bitmap[i // 8] |= 1 << (i % 8)
        block = bytes(bitmap) + (b"\x01" if send_types else b"\x00")
        if send_types:
            block += b"".join(bytes([t, 0]) for t, _ in params)
        block += b"".join(v for _, v in params if v is not None)
        return block
