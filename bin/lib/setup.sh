# Shared by bin/test, bin/run and bin/odoo-tests (sourced): what a fresh machine needs.
#
# Virtual environments live in a cache folder outside the checkout, so that a fresh clone on
# the same machine reuses them: ${GCAL_CACHE_DIR:-~/.cache/gcal-sync-odoo}. Each is keyed by a
# hash of what it was built from and rebuilt only when that changes. The project itself is
# never copied into them: it is installed in editable mode, pointing at this checkout.
# Each check returns non-zero and sets `why` to one line saying what is missing.

cache_dir=${GCAL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gcal-sync-odoo}
why=

is_root_on_debian() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && command -v dpkg-query >/dev/null
}

apt_install() {
    # Install the Debian packages among "$@" that are missing (as root); 1 where that is impossible.
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    is_root_on_debian || { why="missing Debian packages: ${missing[*]} (apt-get install them as root)"; return 1; }
    echo "setup: apt-get install ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || {
        why="apt-get could not install: ${missing[*]}"
        return 1
    }
}

pick_python() {
    # The first of "$@" (or PYTHON) that exists and is a Python 3.10 to 3.12.
    local candidate
    for candidate in ${PYTHON:-} "$@"; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    why="no Python 3.10, 3.11 or 3.12 found (apt-get install python3, or set PYTHON)"
    return 1
}

with_lock() {
    # Run "$@" holding the cache's lock: two runs never build the same environment at once.
    mkdir -p "$cache_dir"
    (
        flock 9
        "$@"
    ) 9>"$cache_dir/.lock"
}

build_venv() {
    # build_venv DIR PYTHON STAMP COMMAND...: (re)create the venv DIR with PYTHON unless STAMP is
    # there, then run COMMAND (DIR/bin/python in $venv_python) to fill it; STAMP marks success.
    local dir=$1 python=$2 stamp=$3
    shift 3
    [ -e "$dir/$stamp" ] && return 0
    rm -rf "$dir"
    if ! "$python" -m venv "$dir" 2>/dev/null; then
        rm -rf "$dir"
        # Debian's Python has no venv module until python3-venv is installed.
        apt_install python3-venv || return 1
        "$python" -m venv "$dir" || { why="$python cannot create a virtual environment"; return 1; }
    fi
    venv_python=$dir/bin/python
    "$venv_python" -m pip install --quiet --upgrade pip >&2 || { why="pip could not upgrade itself in $dir"; return 1; }
    "$@" || return 1
    touch "$dir/$stamp"
}

editable_install() {
    # editable_install PYTHON: the project, editable from this checkout, into PYTHON's environment
    # (again when the environment points at another checkout). Needs setuptools in it.
    # Isolated (-I): from this checkout's folder, `import gcal_engine` would find the folder
    # itself, whatever the environment points at.
    local python=$1 where
    where=$("$python" -I -c 'import gcal_engine, os; print(os.path.dirname(os.path.dirname(os.path.realpath(gcal_engine.__file__))))' 2>/dev/null)
    [ "$where" = "$(pwd -P)" ] && return 0
    "$python" -m pip install --quiet --no-deps --no-build-isolation -e . >&2 ||
        { why="could not pip install this checkout into $python"; return 1; }
}

test_environment() {
    # Sets venv: VENV, or the cached environment of the test tools, with this checkout in it.
    if [ -n "${VENV:-}" ]; then
        venv=$VENV
    else
        local python
        python=$(pick_python python3.11 python3.12 python3.10 python3) || return 1
        venv=$cache_dir/test-venv-$(hash_of requirements-test.txt constraints-odoo.txt setup.py <("$python" --version))
        if [ ! -e "$venv/.complete" ]; then
            echo "setup: building the test tools' environment in $venv (once per requirements)" >&2
            with_lock build_venv "$venv" "$python" .complete fill_test_venv || {
                why="could not build the test tools' environment in $venv (see the pip output above)"
                return 1
            }
        fi
    fi
    editable_install "$venv/bin/python"
}

fill_test_venv() {
    "$venv_python" -m pip install --quiet setuptools wheel >&2 &&
        "$venv_python" -m pip install --quiet -c constraints-odoo.txt -r requirements-test.txt -e . >&2 &&
        "$venv_python" -m pip check >&2 || {
        why="pip could not install the test requirements (see above)"
        return 1
    }
}

hash_of() {
    cat "$@" | sha1sum | cut -c1-12
}

phase_times=()
phase() {
    # phase NAME COMMAND...: run COMMAND, adding "NAME Ns" to the time split bin/test prints.
    local name=$1 start=$SECONDS status=0
    shift
    "$@" || status=$?
    phase_times+=("$name $((SECONDS - start))s")
    return $status
}
