#!/usr/bin/python3
"""Stands in for bin/mimir while the integration suite runs, to record what
real clients send (the seed corpora of tests/fuzz come from it).

    MIMIR_REAL_BIN=build/x/mimir MIMIR_CAPTURE_DIR=/tmp/capture \
    MIMIR_BIN=$PWD/tests/fuzz/seeds/mimir_relay.py MIMIR_CLIENTS=build/x/clients \
    /usr/bin/python3 -m pytest tests/integration

(`tests/fuzz/seeds/capture.sh` does exactly that.) For `serve`, the real
server is started on another free port and this process relays every
connection to it, appending what the client sent to
$MIMIR_CAPTURE_DIR/<pid>-<n>.c2s; signals are passed on and the real server's
exit status becomes ours. Every other command is the real binary itself.
The server's log names the inner port, so the few tests that read the port
from the startup line fail under capture: that is expected.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

REAL = os.environ["MIMIR_REAL_BIN"]
OUT = os.environ["MIMIR_CAPTURE_DIR"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pump(src, dst, record):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if record:
                record.write(data)
                record.flush()
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if record:
            record.close()


def relay(client, inner_port, n):
    try:
        server = socket.create_connection(("127.0.0.1", inner_port))
    except OSError:
        client.close()
        return
    record = open(os.path.join(OUT, f"{os.getpid()}-{n}.c2s"), "wb")
    threading.Thread(target=pump, args=(client, server, record), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, None), daemon=True).start()


def main():
    args = sys.argv[1:]
    if not args or args[0] != "serve" or "--port" not in args:
        os.execv(REAL, [REAL] + args)
    i = args.index("--port")
    outer = int(args[i + 1])
    inner = free_port()
    args[i + 1] = str(inner)
    child = subprocess.Popen([REAL] + args)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, lambda s, _f: child.send_signal(s))
    while child.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", inner), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    if child.poll() is None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", outer))
        listener.listen(512)

        def accept_loop():
            n = 0
            while True:
                conn, _ = listener.accept()
                n += 1
                relay(conn, inner, n)

        threading.Thread(target=accept_loop, daemon=True).start()
    rc = child.wait()
    if rc < 0:
        signal.signal(-rc, signal.SIG_DFL)
        os.kill(os.getpid(), -rc)
    sys.exit(rc)


if __name__ == "__main__":
    main()
