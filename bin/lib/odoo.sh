# Shared by bin/run, bin/test and bin/odoo-tests (sourced): an Odoo 18, the Python it runs with,
# PostgreSQL and Chromium, found or made.
#
# Odoo is not on PyPI. Which Odoo, in this order:
#   ODOO_BIN=/path/to/odoo-bin, or ODOO_SRC=/path/to/odoo (a source tree)
#   ../shared/odoo18 beside this checkout (a trimmed Odoo 18 tree, as CI machines have)
#   with `locate_odoo clone` only (bin/run): a shallow clone of Odoo 18.0 in the cache
#     (git clone --depth 1 -b 18.0 ${ODOO_GIT_URL:-https://github.com/odoo/odoo})
# Which Python: ODOO_PYTHON, else a virtual environment built in the cache from Odoo's
# requirements.txt plus the project (as root on Debian, the build headers it needs first).
# PostgreSQL: PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1 / 5432 / odoo / odoo; Odoo
# refuses 'postgres'); as root on Debian it is installed and started, and the role created.

. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-odoo} PGPASSWORD=${PGPASSWORD:-odoo}
shared_odoo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/odoo18
# Odoo's requirements.txt builds psycopg2 and python-ldap from source on Python 3.11.
ODOO_BUILD_PACKAGES=(build-essential libpq-dev libldap2-dev libsasl2-dev)
ODOO_VENV_RECIPE=3  # part of the environment's key: raise it when fill_odoo_venv changes

odoo_given() {
    # Whether an Odoo was asked for (or is there to be used): then not running its tests fails.
    [ -n "${ODOO_BIN:-}${ODOO_SRC:-}" ] || [ -f "$shared_odoo/odoo-bin" ]
}

locate_odoo() {
    # Sets odoo_bin, odoo_src and odoo_addons; `locate_odoo clone` may clone Odoo 18.0.
    if [ -n "${ODOO_BIN:-}" ]; then
        odoo_bin=$ODOO_BIN
    elif [ -n "${ODOO_SRC:-}" ]; then
        odoo_bin=$ODOO_SRC/odoo-bin
    elif [ -f "$shared_odoo/odoo-bin" ]; then
        odoo_bin=$shared_odoo/odoo-bin
    elif [ "${1:-}" = clone ]; then
        odoo_bin=$cache_dir/odoo-18.0/odoo-bin
        [ -f "$odoo_bin" ] || with_lock clone_odoo "$cache_dir/odoo-18.0" || return 1
    else
        why="no Odoo 18 found: set ODOO_SRC to an Odoo 18 source tree (git clone -b 18.0 https://github.com/odoo/odoo), or run bin/run once, which clones one"
        return 1
    fi
    if [ ! -f "$odoo_bin" ]; then
        why="no odoo-bin at $odoo_bin"
        return 1
    fi
    odoo_src=$(cd "$(dirname "$odoo_bin")" && pwd)
    # Our google_account replaces Odoo's: the project comes first, and core addons are found in
    # the source tree's addons/ (a packaged Odoo keeps them all in odoo/addons, where they win).
    odoo_addons=$odoo_src/odoo/addons
    if [ -d "$odoo_src/addons" ]; then
        odoo_addons=$odoo_src/addons,$odoo_addons
    fi
}

clone_odoo() {
    [ -f "$1/odoo-bin" ] && return 0
    command -v git >/dev/null || apt_install git || return 1
    local url=${ODOO_GIT_URL:-https://github.com/odoo/odoo}
    echo "setup: cloning Odoo 18.0 from $url into $1 (about 1 GB; once)" >&2
    rm -rf "$1.partial"
    git clone --quiet --depth 1 -b 18.0 "$url" "$1.partial" >&2 && mv "$1.partial" "$1" || {
        why="could not clone Odoo 18.0 from $url (set ODOO_GIT_URL, or ODOO_SRC to an Odoo 18 tree)"
        return 1
    }
}

install_system_packages() {
    # As root on Debian: what Odoo's environment and PostgreSQL need, where missing, and with
    # `install_system_packages tests` Chromium for the browser tours (and faketime for a run with
    # the clock shifted). Elsewhere nothing is installed: what is missing shows where it is needed.
    is_root_on_debian || return 0
    local packages=()
    [ -n "${ODOO_PYTHON:-}" ] || packages+=("${ODOO_BUILD_PACKAGES[@]}")
    [ "$PGHOST" = 127.0.0.1 ] && ! (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null && packages+=(postgresql)
    [ "${1:-}" != tests ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
        command -v google-chrome >/dev/null || packages+=(chromium)
    # The test browser's clock, shifted with Odoo's (devtools/clock_shift.py).
    [ "${1:-}" != tests ] || [ -z "${GCAL_CLOCK_SHIFT_DAYS:-}" ] || packages+=(faketime)
    apt_install "${packages[@]}"
}

odoo_environment() {
    # Sets odoo_python: ODOO_PYTHON, or the cached virtual environment for this Odoo; with the
    # project installed (editable) and checked to import Odoo 18.
    if [ -n "${ODOO_PYTHON:-}" ]; then
        odoo_python=$ODOO_PYTHON
    else
        local python key
        python=$(pick_python python3.11 python3.12 python3.10 python3) || return 1
        key=$(hash_of "$odoo_src/requirements.txt" setup.py constraints-odoo18.txt <("$python" --version; echo "$ODOO_VENV_RECIPE"))
        odoo_venv=$cache_dir/odoo-venv-$key
        if [ ! -e "$odoo_venv/.complete" ]; then
            echo "setup: building Odoo's Python environment in $odoo_venv (once per requirements)" >&2
            # Odoo's pins build psycopg2 and python-ldap from source: their headers come first.
            apt_install "${ODOO_BUILD_PACKAGES[@]}" || echo "setup: $why; trying pip anyway" >&2
            with_lock build_venv "$odoo_venv" "$python" .complete fill_odoo_venv || {
                why=${why:-"could not build Odoo's environment in $odoo_venv (see the pip output above)"}
                return 1
            }
        fi
        odoo_python=$odoo_venv/bin/python
    fi
    local version
    version=$(PYTHONPATH=$odoo_src "$odoo_python" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null) || {
        why="Odoo at $odoo_src is not importable with $odoo_python: set ODOO_PYTHON to the Python Odoo runs with"
        return 1
    }
    if [ "$version" != 18 ]; then
        why="Odoo at $odoo_src is version $version, not 18"
        return 1
    fi
    editable_install "$odoo_python"
}

fill_odoo_venv() {
    # cbor2 5.4.2 (pinned below Python 3.12) builds only with an old setuptools and setuptools_scm
    # at hand, hence --no-build-isolation; the project brings google-auth, the tours websocket-client,
    # and the stateful test of users' paths (google_calendar_sync/tests/test_user_paths.py) hypothesis.
    # Then a setuptools whose pkg_resources finds today's wheels (zope_interface-*.dist-info): the
    # old one does not, and the gevent worker of a prefork Odoo dies at start, again and again
    # (from 80.9 on, importing pkg_resources warns).
    "$venv_python" -m pip install --quiet "setuptools<70" wheel setuptools_scm >&2 &&
        "$venv_python" -m pip install --quiet --no-build-isolation -r "$odoo_src/requirements.txt" >&2 &&
        "$venv_python" -m pip install --quiet --no-build-isolation -c constraints-odoo18.txt -e . websocket-client "hypothesis>=6.100" >&2 &&
        "$venv_python" -m pip install --quiet "setuptools>=78,<80.9" >&2 || {
        why="pip could not install Odoo's requirements into $odoo_venv (see above)"
        return 1
    }
}

postgres_ok() {
    "$odoo_python" - <<'PY' 2>/dev/null
import os, psycopg2
psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"], dbname="postgres").close()
PY
}

ensure_postgres() {
    # Reachable as PGUSER; as root on Debian with a local PGHOST: installed, started, role created.
    postgres_ok && return 0
    why="PostgreSQL not reachable as $PGUSER@$PGHOST:$PGPORT: start it (apt-get install postgresql), create the role (sudo -u postgres createuser --createdb --pwprompt $PGUSER), or set PGHOST/PGPORT/PGUSER/PGPASSWORD"
    is_root_on_debian && [ "$PGHOST" = 127.0.0.1 ] || return 1
    apt_install postgresql || return 1
    echo "setup: starting PostgreSQL" >&2
    pg_lsclusters --no-header | while read -r version cluster _; do
        pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
    done
    # As the postgres superuser, over the local socket (not as PGUSER at PGHOST). Debian asks
    # for a password on 127.0.0.1: the role gets PGPASSWORD.
    local psql=(runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD psql -p "$PGPORT" -d postgres)
    if ! "${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PGUSER'" | grep -q 1; then
        "${psql[@]}" -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB PASSWORD '$PGPASSWORD'"
    fi
    postgres_ok
}

ensure_chromium() {
    # Odoo's browser tours run in headless Chromium.
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null &&
        return 0
    apt_install chromium || { why="no Chromium for Odoo's browser tours: $why"; return 1; }
}

prepare_odoo() {
    # Everything a command that runs Odoo needs; `prepare_odoo clone` may clone Odoo 18.0.
    locate_odoo "${1:-}" && install_system_packages && odoo_environment && ensure_postgres && export ODOO_BIN=$odoo_bin
}

free_port() {
    "$odoo_python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
