# Shared by bin/run and bin/odoo-tests (sourced): find an Odoo 18 and its PostgreSQL.
#
# Odoo is not on PyPI: point at an Odoo 18 source tree and the Python it runs with:
#   ODOO_BIN=/path/to/odoo-bin            (default: odoo-bin on PATH)
#   ODOO_PYTHON=/path/to/odoo/venv/python (default: python3)
#   PGHOST/PGPORT/PGUSER/PGPASSWORD       (default: 127.0.0.1 / 5432 / odoo; Odoo refuses 'postgres')
# Each check returns non-zero and sets `why` to one line saying what is missing and what to do.

odoo_bin=${ODOO_BIN:-$(command -v odoo-bin || true)}
odoo_python=${ODOO_PYTHON:-python3}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-odoo}
why=

find_odoo() {
    if [ -z "$odoo_bin" ] || [ ! -f "$odoo_bin" ]; then
        why="no Odoo 18 found: set ODOO_BIN to an Odoo 18 odoo-bin (git clone -b 18.0 https://github.com/odoo/odoo) and ODOO_PYTHON to the Python it runs with"
        return 1
    fi
    odoo_src=$(cd "$(dirname "$odoo_bin")" && pwd)
    local version
    version=$(PYTHONPATH=$odoo_src "$odoo_python" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null) || {
        why="Odoo at $odoo_src is not importable with $odoo_python: set ODOO_PYTHON to the Python Odoo runs with (its requirements.txt installed)"
        return 1
    }
    if [ "$version" != "18" ]; then
        why="Odoo at $odoo_src is version $version, not 18"
        return 1
    fi
    # Our google_account replaces Odoo's: the project comes first, and core addons are found in
    # the source tree's addons/ (a packaged Odoo keeps them all in odoo/addons, where they win).
    odoo_addons=$odoo_src/odoo/addons
    if [ -d "$odoo_src/addons" ]; then
        odoo_addons=$odoo_src/addons,$odoo_addons
    fi
}

postgres_ok() {
    PYTHONPATH=$odoo_src "$odoo_python" - <<'PY' 2>/dev/null
import os, psycopg2
psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"], dbname="postgres").close()
PY
}

find_postgres() {
    postgres_ok && return 0
    why="PostgreSQL not reachable as $PGUSER@$PGHOST:$PGPORT: start it (apt-get install postgresql), create the role (sudo -u postgres createuser --createdb --pwprompt $PGUSER), or set PGHOST/PGPORT/PGUSER/PGPASSWORD"
    return 1
}

install_project() {
    # The addons import gcal_engine (and the tests gcal_emulator; Odoo's browser tours need
    # websocket-client): install them into Odoo's Python.
    "$odoo_python" -c 'import gcal_engine, gcal_emulator, google.auth, websocket' 2>/dev/null && return 0
    echo "installing gcal_engine, gcal_emulator and websocket-client into $odoo_python" >&2
    "$odoo_python" -m pip install --quiet -c "$root/constraints-odoo18.txt" -e "$root" websocket-client >&2 || {
        why="could not pip install the project into $odoo_python"
        return 1
    }
}

ensure_chromium() {
    # Odoo's browser tours run in headless Chromium; as root on Debian, install it.
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null &&
        return 0
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 0
    echo "installing chromium (apt-get) for Odoo's browser tours" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium >&2 || { apt-get update -qq && apt-get install -y -qq chromium >&2; } || true
}

free_port() {
    "$odoo_python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
