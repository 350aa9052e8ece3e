#!/bin/sh
# Installs the Debian packages that building, the demo and the tests need.
# Idempotent: only what is missing is installed; nothing happens when all is there.
set -eu

PACKAGES="gcc make pkg-config libevent-dev libpq-dev libmariadb-dev libyaml-dev
libsqlite3-dev libssl-dev libcmocka-dev sqlite3 postgresql mariadb-client
python3-pytest python3-pymysql python3-psycopg2"

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
