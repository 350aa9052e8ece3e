#!/usr/bin/python3
"""Turns what mimir_relay.py recorded (one .c2s file per connection: the
bytes the client sent) into seed inputs of the fuzz targets:

  handshake/  the connection phase: the packets before the first command
              (sequence id 0), or up to an SSLRequest (what follows is TLS)
  command/    runs of up to 16 command packets, after a capabilities byte
  sql/        the text of each COM_QUERY, COM_STMT_PREPARE and COM_FIELD_LIST,
              after the setting byte of fuzz_sql.c (both catalogs, database
              mimir; multi-statement mode when the text has a ';')

Usage: seeds_from_capture.py RAW_DIR OUT_DIR. Files are named by the SHA-1 of
their content, as libFuzzer names corpus files, so duplicates vanish.
"""

import hashlib
import os
import sys

COM_QUERY, COM_FIELD_LIST, COM_STMT_PREPARE = 0x03, 0x04, 0x16
CLIENT_SSL = 0x800
RUN = 16
MAX_SEED = 64 * 1024


def packets(data):
    """(seq, payload, raw bytes) of each whole physical packet."""
    pos = 0
    while pos + 4 <= len(data):
        n = int.from_bytes(data[pos:pos + 3], "little")
        if pos + 4 + n > len(data):
            return
        yield data[pos + 3], data[pos + 4:pos + 4 + n], data[pos:pos + 4 + n]
        pos += 4 + n


def save(out, target, data):
    if not data or len(data) > MAX_SEED:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def split_connection(data, out):
    handshake = b""
    commands = []
    tls = False
    for seq, payload, raw in packets(data):
        if tls:
            break
        if seq != 0 and not commands:
            handshake += raw
            if len(payload) == 32 and int.from_bytes(payload[:4], "little") & CLIENT_SSL:
                tls = True
            continue
        commands.append((payload, raw))
    save(out, "handshake", handshake)
    for i in range(0, len(commands), RUN):
        save(out, "command", b"\x03" + b"".join(raw for _, raw in commands[i:i + RUN]))
    for payload, _ in commands:
        if not payload:
            continue
        cmd, text = payload[0], payload[1:]
        if cmd == COM_QUERY:
            mode = 0x08 if b";" in text.rstrip(b"; \n\t") else 0x00
        elif cmd == COM_STMT_PREPARE:
            mode = 0x10
        elif cmd == COM_FIELD_LIST:
            mode = 0x18
        else:
            continue
        for catalog in (0, 1):
            save(out, "sql", bytes([mode | 0x02 | catalog]) + text)


def main():
    raw, out = sys.argv[1], sys.argv[2]
    for name in sorted(os.listdir(raw)):
        with open(os.path.join(raw, name), "rb") as f:
            split_connection(f.read(), out)
    for target in sorted(os.listdir(out)):
        print(f"{target}: {len(os.listdir(os.path.join(out, target)))} seeds")


if __name__ == "__main__":
    main()
