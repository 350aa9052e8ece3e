#!/bin/sh
# Installs the Debian packages that building, the demo and the tests need.
# Idempotent: only what is missing is installed; nothing happens when all is there.
set -eu

PACKAGES="gcc make pkg-config libevent-dev libpq-dev libmariadb-dev libyaml-dev
libsqlite3-dev libssl-dev libcmocka-dev sqlite3 postgresql mariadb-client
python3-pytest python3-pymysql python3-psycopg2"
# The HTTP API reads its JSON requests with Jansson (proxy/http/http_body.c);
# `mimir query --host http://...` talks to it with libcurl (the tests also with curl).
PACKAGES="$PACKAGES libjansson-dev libcurl4-openssl-dev curl"

# Readiness, reloads and stopping reported to systemd (proxy/service_notify.c):
# sd_notify from Debian's libsystemd.
PACKAGES="$PACKAGES libsystemd-dev"
# make deb and tests/integration/test_install.py: the Debian package built with
# debhelper (dpkg-dev and fakeroot come with it), checked by lintian;
# systemd-analyze (systemd), logrotate and groff/man check what is installed.
PACKAGES="$PACKAGES debhelper lintian systemd logrotate groff-base man-db"

# TLS and caching_sha2_password in tests/integration/test_protocol.py: the
# openssl CLI makes the test certificates, and PyMySQL needs python3-cryptography
# for caching_sha2_password's RSA key exchange.
PACKAGES="$PACKAGES openssl python3-cryptography"

# The real clients of tests/clients and tests/integration/test_client_*.py:
# MariaDB Connector/J with a JDK to compile the Java probe, MariaDB ODBC with
# unixODBC and pyodbc, SQLAlchemy, mysqlclient (MySQLdb), Node for mysql2, and
# the openssl tool that makes their TLS test certificates.
PACKAGES="$PACKAGES default-jdk-headless libmariadb-java odbc-mariadb unixodbc
python3-pyodbc python3-sqlalchemy python3-mysqldb python3-yaml nodejs openssl"
# PHP's mysqli (mysqlnd) and Ruby's mysql2 for the prepared-statement paths of
# tests/integration/test_client_php.py and test_client_ruby.py: long data sent
# with the NULL bit, result_metadata()/Statement#fields before execute.
PACKAGES="$PACKAGES php-cli php-mysql ruby-mysql2"
# go-sql-driver/mysql with interpolateParams=true, which sends []byte values as
# _binary'...' (tests/integration/test_literals.py): Go and the driver from
# Debian, built offline in GOPATH mode (the Makefile's $(GO_PROBE)).
PACKAGES="$PACKAGES golang-go golang-github-go-sql-driver-mysql-dev"
# MySQL/MariaDB sources (tests/integration/test_mysql_source.py): the fixture
# starts its own MariaDB server from Debian's package in a temporary directory.
PACKAGES="$PACKAGES mariadb-server tzdata"
# Fuzzing (make fuzz, and the smoke run of make test-asan): libFuzzer comes
# with clang's runtime libraries; llvm has llvm-cov for make fuzz-coverage.
PACKAGES="$PACKAGES clang libclang-rt-14-dev llvm"
# tests/integration/test_several_servers.py: three servers behind Debian's HAProxy
# (PROXY protocol, /healthz checks); it runs as any user on loopback high ports.
PACKAGES="$PACKAGES haproxy"
# tests/integration/test_network_faults.py (as root): a network namespace of the
# test's own (iproute2's ip netns) with nftables rules that drop the databases' packets.
PACKAGES="$PACKAGES iproute2 nftables"
# tests/integration/test_cli.py: strace shows that a local `mimir query`
# opens no socket of its own.
PACKAGES="$PACKAGES strace"
# tests/integration/test_web_page.py: the web page in a real browser, Debian's
# chromium driven by playwright-core (npm, tests/clients/node; no browser download).
PACKAGES="$PACKAGES chromium"
# Profiling for make bench (docs/performance.md): valgrind's callgrind.
PACKAGES="$PACKAGES valgrind"
# Debian's nodejs needs its separate npm package; NodeSource's nodejs ships npm
# itself and conflicts with Debian's, so ask for npm only when there is none.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "make deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
