#!/usr/bin/env bash
# Installs what hukou needs to build, test and run on Debian 12: the Debian packages that are
# missing (apt-get update runs only when something is missing) and the web front end's npm
# packages (npm ci, only when web/node_modules is missing or older than web/package-lock.json).
# Idempotent: a second run changes nothing. Runs apt-get as root, or through sudo.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${HUKOU_ROOT}"

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git clang-format clang-tidy
  # libraries
  librestinio-dev libasio-dev libhttp-parser-dev libfmt-dev nlohmann-json3-dev
  libsqlite3-dev libpq-dev libssl-dev libargon2-dev libjemalloc-dev
  libcairo2-dev libpango1.0-dev libqrencode-dev libxlsxwriter-dev libpoppler-glib-dev
  libopencc-dev libicu-dev libcli11-dev libspdlog-dev libcurl4-openssl-dev
  libmagic-dev libgdk-pixbuf-2.0-dev
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-stdnum postgresql-15 chromium poppler-utils zbar-tools
  # fonts for printed documents (rare characters need hanazono)
  fonts-noto-cjk fonts-hanazono
)
# A machine that already has node and npm (for example from another distribution channel)
# keeps them; Debian's own nodejs/npm would conflict.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for package in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "${package}" 2>/dev/null || true)"
  if [[ ${status} != ii* ]]; then
    missing+=("${package}")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "deps: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "deps: all ${#PACKAGES[@]} Debian packages are installed"
fi

# Web front end. The stamp records a successful `npm ci`; npm must never download a browser
# (the browser tests drive Debian's chromium).
if [[ -f web/package-lock.json ]]; then
  stamp=web/node_modules/.hukou-npm-ci
  if [[ ! -f ${stamp} || web/package-lock.json -nt ${stamp} || web/package.json -nt ${stamp} ]]; then
    echo "deps: npm ci in web/"
    (cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    mkdir -p web/node_modules && touch "${stamp}"
  else
    echo "deps: web/node_modules is up to date"
  fi
elif [[ -f web/package.json ]]; then
  echo "deps: web/package.json has no package-lock.json; run 'npm install' in web/ once" >&2
fi
