#!/usr/bin/env bash
# Developer / CI setup. Run from anywhere; works on the repo this script lives in.
# Idempotent: a second run only checks and costs a few seconds.
#
#   1. uv (the version pyproject.toml's [tool.uv] required-version pins), bootstrapped
#      into $CACHE/uv-<version>/ with python3 -m venv + pip
#   2. uv sync --frozen  -> .venv (or $UV_PROJECT_ENVIRONMENT)
#   3. pulumi: a pulumi >= $PULUMI_MIN_VERSION on PATH (outside the venv), else
#      tools/pulumi-cli/build.sh (builds it with Go, adds our Python language host
#      tools/pulumi-language-python/); symlinked into .venv/bin/
#   4. .venv/bin/pulumi-resource-pulumi-python, the dynamic provider launcher
#      (tools/pulumi-resource-pulumi-python; a symlink to the copy build.sh puts next to
#      pulumi, see the comments there)
#   5. policy/restore-points/venv, the policy pack's own virtualenv (pulumi-policy pins
#      protobuf 5, the project's lock 6): a symlink to $CACHE/policy-venv-<hash of its
#      requirements.txt and python>/, made once with uv
#
# CACHE is ${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}.
# Afterwards put .venv/bin first on PATH (or use .venv/bin/pulumi and
# PulumiCommand(root=<repo>/.venv)); see docs/pulumi-engine-notes.md.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
# Inline Automation API refresh/destroy need --client support, added in 3.181.
min_pulumi=${PULUMI_MIN_VERSION:-3.181.0}

die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }
t0=$EPOCHREALTIME
step_start=$t0
step() { # step <what>: prints one line with the time the step took
    local now=$EPOCHREALTIME
    awk -v a="$step_start" -v b="$now" -v w="$1" 'BEGIN { printf "setup: %-60s %6.1fs\n", w, b - a }'
    step_start=$now
}

if [ -z "${SSL_CERT_FILE:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
fi

# Any python3 >= 3.11, < 3.14 (pyproject's requires-python).
find_python() {
    local c
    for c in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
        command -v "$c" >/dev/null 2>&1 || continue
        if "$c" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))' 2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

# version_ge A B: A >= B for dotted versions (leading v ignored).
version_ge() {
    [ "$(printf '%s\n%s\n' "${1#v}" "${2#v}" | sort -V | head -n1)" = "${2#v}" ]
}

# --- 1. uv -----------------------------------------------------------------------------
uv_version=$(sed -n 's/^required-version *= *"==\([0-9.]*\)".*/\1/p' pyproject.toml)
[ -n "$uv_version" ] || die "cannot read [tool.uv] required-version from pyproject.toml"
uv_home="$cache/uv-$uv_version"
uv="$uv_home/bin/uv"
python=$(find_python) || die "need python3 (>= 3.11, < 3.14) on PATH, or PYTHON=/path/to/python"
if ! { [ -x "$uv" ] && [ "$("$uv" --version 2>/dev/null | awk '{print $2}')" = "$uv_version" ]; }; then
    rm -rf "$uv_home"
    mkdir -p "$cache"
    "$python" -m venv "$uv_home"
    "$uv_home/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version" ||
        { rm -rf "$uv_home"; die "pip install uv==$uv_version failed"; }
    step "uv $uv_version installed into $uv_home"
else
    step "uv $uv_version present"
fi

# --- 2. venv ---------------------------------------------------------------------------
export UV_PYTHON_DOWNLOADS=${UV_PYTHON_DOWNLOADS:-never}
venv=${UV_PROJECT_ENVIRONMENT:-.venv}
case $venv in /*) ;; *) venv="$repo/$venv" ;; esac
sync_args=(sync --frozen)
# Pick the interpreter only when creating the venv; later runs keep the venv's own.
[ -x "$venv/bin/python" ] || sync_args+=(--python "$python")
"$uv" "${sync_args[@]}" --quiet
step "uv sync --frozen -> $venv"

# --- 3. pulumi -------------------------------------------------------------------------
pulumi_dir=""
IFS=: read -r -a path_dirs <<<"${PATH:-}"
for d in "${path_dirs[@]}"; do
    [ -n "$d" ] && [ -x "$d/pulumi" ] || continue
    [ "$(cd "$d" 2>/dev/null && pwd -P)" = "$(cd "$venv/bin" 2>/dev/null && pwd -P)" ] && continue
    v=$("$d/pulumi" version 2>/dev/null || true)
    if [ -n "$v" ] && version_ge "$v" "$min_pulumi"; then
        pulumi_dir=$(dirname "$(readlink -f "$d/pulumi")")
        step "pulumi $v found on PATH in $d"
    fi
    break  # only the first pulumi on PATH counts, as it is the one that would run
done
if [ -z "$pulumi_dir" ]; then
    pulumi_dir=$(bash tools/pulumi-cli/build.sh | tail -n1) ||
        die "no usable pulumi: none >= $min_pulumi on PATH, and tools/pulumi-cli/build.sh failed (above).
  Install Go >= 1.26 (build.sh builds the pinned CLI from the Go module proxy),
  or put a pulumi >= $min_pulumi on PATH, then re-run tools/setup.sh."
    step "pulumi $("$pulumi_dir/pulumi" version) in $pulumi_dir"
fi
for f in pulumi pulumi-language-python pulumi-language-python-exec; do
    if [ -x "$pulumi_dir/$f" ]; then
        ln -sfn "$pulumi_dir/$f" "$venv/bin/$f"
    elif [ -L "$venv/bin/$f" ]; then
        rm -f "$venv/bin/$f"  # stale link from another pulumi
    fi
done
# A pulumi without a language host next to it (build.sh puts ours there): link ours directly;
# works, but the engine warns "using pulumi-language-python from $PATH".
if [ ! -e "$venv/bin/pulumi-language-python" ]; then
    ln -sfn "$repo/tools/pulumi-language-python/pulumi-language-python" "$venv/bin/pulumi-language-python"
fi
step "linked pulumi binaries into $venv/bin"

# --- 4. dynamic provider launcher ------------------------------------------------------
# A symlink to the copy next to pulumi (build.sh puts ours there), so the engine finds the
# same file on PATH and next to pulumi and does not warn; the launcher then picks the
# python next to the symlink. Another pulumi install without one gets a copy of ours.
launcher="$venv/bin/pulumi-resource-pulumi-python"
rm -f "$launcher"  # never write through an old symlink
if [ -x "$pulumi_dir/pulumi-resource-pulumi-python" ]; then
    ln -s "$pulumi_dir/pulumi-resource-pulumi-python" "$launcher"
    step "linked $launcher"
else
    install -m 0755 tools/pulumi-resource-pulumi-python "$launcher"
    step "wrote $launcher"
fi

# --- 5. the policy pack's virtualenv ----------------------------------------------------
pack=policy/restore-points
pack_key=$({ cat "$pack/requirements.txt"; "$python" --version; } | sha256sum | cut -c1-16)
pack_venv="$cache/policy-venv-$pack_key"
if [ ! -f "$pack_venv/.complete" ]; then
    mkdir -p "$cache"
    (   # one builder at a time per cache; a second setup waits, then finds it complete
        flock 9
        if [ ! -f "$pack_venv/.complete" ]; then
            rm -rf "$pack_venv"
            "$uv" venv --quiet --python "$python" "$pack_venv"
            "$uv" pip install --quiet --python "$pack_venv/bin/python" -r "$pack/requirements.txt" ||
                { rm -rf "$pack_venv"; die "installing $pack/requirements.txt into $pack_venv failed"; }
            touch "$pack_venv/.complete"
        fi
    ) 9>"$cache/policy-venv.lock"
    step "policy pack venv $pack_venv made"
else
    step "policy pack venv $pack_venv present"
fi
ln -sfn "$pack_venv" "$pack/venv"

# --- 6. Pulumi YAML language host and SDK codegen (tools/pulumi-yaml/, tools/sdkgen/) -----
# Built with Go into $cache only when missing. Our YAML host is copied next to our cached
# pulumi (the engine warns about a bundled plugin found only on PATH) and linked into
# .venv/bin; a pulumi install that ships its own host keeps it. sdkgen is linked as
# .venv/bin/commvault-sdkgen (and -dotnet), the TypeScript check's node_modules as
# .venv/sdk-node_modules.
case $pulumi_dir in "$cache"/*) our_pulumi=yes ;; *) our_pulumi="" ;; esac
if [ -z "$our_pulumi" ] && [ -x "$pulumi_dir/pulumi-language-yaml" ]; then
    ln -sfn "$pulumi_dir/pulumi-language-yaml" "$venv/bin/pulumi-language-yaml"
    step "linked the pulumi-language-yaml of $pulumi_dir"
elif command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || [ -n "${GO:-}" ]; then
    yaml_host="$(bash tools/pulumi-yaml/build.sh | tail -n1)/pulumi-language-yaml" ||
        die "tools/pulumi-yaml/build.sh failed (above); re-run tools/setup.sh when it is fixed"
    if [ -n "$our_pulumi" ] && ! cmp -s "$yaml_host" "$pulumi_dir/pulumi-language-yaml"; then
        install -m 0755 "$yaml_host" "$pulumi_dir/.pulumi-language-yaml.tmp"
        mv -f "$pulumi_dir/.pulumi-language-yaml.tmp" "$pulumi_dir/pulumi-language-yaml"
    fi
    [ -n "$our_pulumi" ] && yaml_host="$pulumi_dir/pulumi-language-yaml"
    ln -sfn "$yaml_host" "$venv/bin/pulumi-language-yaml"
    sdkgen="$(bash tools/sdkgen/build.sh | tail -n1)/sdkgen" ||
        die "tools/sdkgen/build.sh failed (above); re-run tools/setup.sh when it is fixed"
    ln -sfn "$sdkgen" "$venv/bin/commvault-sdkgen"
    ln -sfn "$sdkgen-dotnet" "$venv/bin/commvault-sdkgen-dotnet"
    step "pulumi-language-yaml and sdkgen linked into $venv/bin"
else
    step "no Go: skipped the YAML host and sdkgen (their tests fail until Go >= 1.26 is here)"
fi
if command -v npm >/dev/null; then
    node_modules=$(bash tools/sdkgen/node-deps.sh | tail -n1) ||
        die "tools/sdkgen/node-deps.sh failed (above); re-run tools/setup.sh when it is fixed"
    ln -sfn "$node_modules" "$venv/sdk-node_modules"
    step "linked $venv/sdk-node_modules"
else
    step "no npm: skipped the TypeScript SDK check's node modules"
fi

awk -v a="$t0" -v b="$EPOCHREALTIME" -v p="$venv/bin" 'BEGIN { printf "setup: done in %.1fs; put %s first on PATH\n", b - a, p }'
