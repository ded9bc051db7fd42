# Shared by bin/run, bin/test, bin/odoo-tests and the others (sourced): an Odoo of each series the
# addons support, the Python it runs with, PostgreSQL and Chromium, found or made.
#
# Odoo is not on PyPI. Which Odoo of a series S (18, 19), in this order:
#   ODOO_BIN=/path/to/odoo-bin, or ODOO_SRC=/path/to/odoo (a source tree): that one only, its
#     series read from its odoo/release.py
#   ../shared/odooS beside this checkout (trimmed Odoo trees, as CI machines have)
#   with `locate_odoo S clone` only (bin/run): a shallow clone of Odoo S.0 in the cache
#     (git clone --depth 1 -b S.0 ${ODOO_GIT_URL:-https://github.com/odoo/odoo})
# Which Python: ODOO_PYTHON, else a virtual environment per Odoo tree, built in the cache from that
# tree's requirements.txt plus the project (as root on Debian, the build headers it needs first).
# PostgreSQL: PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1 / 5432 / odoo / odoo; Odoo
# refuses 'postgres'); as root on Debian it is installed and started, and the role created.
#
# What differs between the series for these commands is in series_options; a new series is one
# more classifier in setup.py and, if its command line changed, one more case there.

. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-odoo} PGPASSWORD=${PGPASSWORD:-odoo}
# The series the addons support, oldest first: setup.py's "Framework :: Odoo :: S.0" classifiers.
mapfile -t SUPPORTED_SERIES < <(sed -n 's/.*"Framework :: Odoo :: \([0-9][0-9]*\)\.0".*/\1/p' \
    "$(dirname "${BASH_SOURCE[0]}")/../../setup.py")
shared_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared
# Odoo's requirements.txt builds psycopg2 and python-ldap from source on Python 3.11.
ODOO_BUILD_PACKAGES=(build-essential libpq-dev libldap2-dev libsasl2-dev)
ODOO_VENV_RECIPE=6  # part of the environment's key: raise it when fill_odoo_venv changes

series_of_tree() {
    # The major version of the Odoo source tree "$1" (18 for 18.0), from its odoo/release.py.
    sed -n 's/^version_info = (\([0-9][0-9]*\),.*/\1/p' "$1/odoo/release.py" 2>/dev/null
}

given_tree() {
    # The source tree of ODOO_BIN or ODOO_SRC, if one is set.
    if [ -n "${ODOO_BIN:-}" ]; then
        dirname "$ODOO_BIN"
    elif [ -n "${ODOO_SRC:-}" ]; then
        echo "$ODOO_SRC"
    fi
}

found_series() {
    # The series whose Odoo is given or beside the checkout, oldest first, one a line.
    local tree series
    tree=$(given_tree)
    if [ -n "$tree" ]; then
        series_of_tree "$tree"
        return
    fi
    for series in "${SUPPORTED_SERIES[@]}"; do
        [ -f "$shared_dir/odoo$series/odoo-bin" ] && echo "$series"
    done
}

odoo_given() {
    # Whether an Odoo was asked for (or is there to be used): then not running its tests fails.
    [ -n "$(given_tree)" ] || [ -n "$(found_series)" ]
}

choose_series() {
    # choose_series [S]: sets odoo_series to S (checked), else to the newest series found, else
    # to the newest supported (which `locate_odoo S clone` then clones).
    local wanted=${1:-}
    if [ -z "$wanted" ]; then
        wanted=$(found_series | tail -n 1)
        wanted=${wanted:-${SUPPORTED_SERIES[-1]}}
    fi
    wanted=${wanted%.0}
    if [[ " ${SUPPORTED_SERIES[*]} " != *" $wanted "* ]]; then
        why="Odoo $wanted is not a series these addons support (${SUPPORTED_SERIES[*]})"
        return 1
    fi
    odoo_series=$wanted
}

locate_odoo() {
    # locate_odoo S [clone]: sets odoo_bin, odoo_src and odoo_addons for series S; with `clone`
    # it may clone Odoo S.0.
    local series=$1 tree
    tree=$(given_tree)
    if [ -n "$tree" ]; then
        odoo_bin=$tree/odoo-bin
    elif [ -f "$shared_dir/odoo$series/odoo-bin" ]; then
        odoo_bin=$shared_dir/odoo$series/odoo-bin
    elif [ "${2:-}" = clone ]; then
        odoo_bin=$cache_dir/odoo-$series.0/odoo-bin
        [ -f "$odoo_bin" ] || with_lock clone_odoo "$cache_dir/odoo-$series.0" "$series" || return 1
    else
        why="no Odoo $series found: set ODOO_SRC to an Odoo $series source tree (git clone -b $series.0 https://github.com/odoo/odoo), or run bin/run --series $series once, which clones one"
        return 1
    fi
    if [ ! -f "$odoo_bin" ]; then
        why="no odoo-bin at $odoo_bin"
        return 1
    fi
    odoo_src=$(cd "$(dirname "$odoo_bin")" && pwd)
    if [ "$(series_of_tree "$odoo_src")" != "$series" ]; then
        why="the Odoo at $odoo_src is not Odoo $series (ODOO_SRC/ODOO_BIN name one tree, of one series)"
        return 1
    fi
    # Our google_account replaces Odoo's: the project comes first, and core addons are found in
    # the source tree's addons/ (a packaged Odoo keeps them all in odoo/addons, where they win).
    odoo_addons=$odoo_src/odoo/addons
    if [ -d "$odoo_src/addons" ]; then
        odoo_addons=$odoo_src/addons,$odoo_addons
    fi
}

series_options() {
    # Sets odoo_no_demo: odoo-bin's option for a new database without demo data, which 18 takes
    # as a list of modules and 19 as a boolean (19 loads none by default; --with-demo loads them).
    case "$odoo_series" in
        18) odoo_no_demo=--without-demo=all ;;
        *) odoo_no_demo=--without-demo ;;
    esac
}

clone_odoo() {
    [ -f "$1/odoo-bin" ] && return 0
    command -v git >/dev/null || apt_install git || return 1
    local url=${ODOO_GIT_URL:-https://github.com/odoo/odoo}
    echo "setup: cloning Odoo $2.0 from $url into $1 (about 1 GB; once)" >&2
    rm -rf "$1.partial"
    git clone --quiet --depth 1 -b "$2.0" "$url" "$1.partial" >&2 && mv "$1.partial" "$1" || {
        why="could not clone Odoo $2.0 from $url (set ODOO_GIT_URL, or ODOO_SRC to an Odoo $2 tree)"
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
    # Sets odoo_python: ODOO_PYTHON, or the cached virtual environment for this Odoo tree (one
    # per requirements.txt); with the project installed (editable) and checked to import Odoo.
    if [ -n "${ODOO_PYTHON:-}" ]; then
        odoo_python=$ODOO_PYTHON
    else
        local python key
        python=$(pick_python python3.11 python3.12 python3.10 python3) || return 1
        key=$(hash_of "$odoo_src/requirements.txt" setup.py constraints-odoo.txt <("$python" --version; echo "$ODOO_VENV_RECIPE"))
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
    if [ "$version" != "$odoo_series" ]; then
        why="Odoo at $odoo_src is version $version, not $odoo_series"
        return 1
    fi
    editable_install "$odoo_python"
}

fill_odoo_venv() {
    # cbor2 5.4.2 (pinned below Python 3.12) builds only with an old setuptools and setuptools_scm
    # at hand, hence --no-build-isolation; constraints-odoo.txt with Odoo's pins, so that a series
    # pinning a shared package otherwise fails here; the project brings google-auth, the tours
    # websocket-client, the stateful test of users' paths (google_calendar_sync/tests/test_user_paths.py)
    # hypothesis, pinned: CI's sequences are derandomized, drawn the same by one version only (the
    # test checks that they take every rule), and the second way to run the addons' tests
    # (bin/odoo-tests --pytest) pytest-odoo, pinned: it patches Odoo's and pytest's internals.
    # Then a setuptools whose pkg_resources finds today's wheels (zope_interface-*.dist-info): the
    # old one does not, and the gevent worker of a prefork Odoo dies at start, again and again
    # (from 80.9 on, importing pkg_resources warns).
    "$venv_python" -m pip install --quiet "setuptools<70" wheel setuptools_scm >&2 &&
        "$venv_python" -m pip install --quiet --no-build-isolation -c constraints-odoo.txt -r "$odoo_src/requirements.txt" >&2 &&
        "$venv_python" -m pip install --quiet --no-build-isolation -c constraints-odoo.txt -e . websocket-client hypothesis==6.170.29 \
            "pytest>=8" pytest-odoo==2.3.0 >&2 &&
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
        # Its notices (such as "Removed stale pid file.") are not a command's answer: to stderr.
        pg_ctlcluster "$version" "$cluster" start >&2 2>/dev/null || true
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
    # prepare_odoo [S] [clone]: everything a command that runs Odoo needs, for series S (default:
    # the newest found); with `clone` it may clone Odoo S.0.
    choose_series "${1:-}" && locate_odoo "$odoo_series" "${2:-}" && install_system_packages && odoo_environment &&
        ensure_postgres && series_options && export ODOO_BIN=$odoo_bin
}

free_port() {
    "$odoo_python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
