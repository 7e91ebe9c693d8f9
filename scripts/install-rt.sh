#!/usr/bin/env bash
# Install a real Request Tracker 5 (Debian's request-tracker5 + SQLite backend)
# so the integration tests can start their own throw-away `rt-server`.
#
# Why it looks like this:
#   * Non-interactive: runs as root in CI with no stdin, so every debconf
#     question is preseeded and DEBIAN_FRONTEND=noninteractive is set.
#   * No system database: tests/support/rt_server.py builds its own SQLite
#     database per test run, so we install `dbconfig-no-thanks`, which makes
#     the packages skip dbconfig-common entirely (no /var/lib/dbconfig-common
#     DB, no root-password prompt, faster install).
#   * No web-server / mail setup: `rt5-standalone` (Starlet, used by rt-server) is
#     what apt picks for the web-server alternative; for the mandatory MTA we
#     pick `ssmtp` when the machine has none, because it is tiny and runs no
#     daemon (the default, exim4, pulls in cron and tries to start a daemon).
#     An MTA that is already installed is kept (ssmtp would replace it). RT's
#     outgoing mail is redirected to a file by the test site config anyway.
#   * Idempotent: exits 0 immediately when everything is already installed.
#   * apt may be busy (another job installing something): wait for the lock.
set -euo pipefail

RT_SERVER=/usr/share/request-tracker5/libexec/rt-server
PACKAGES=(request-tracker5 rt5-db-sqlite rt5-standalone dbconfig-no-thanks)
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

is_installed() {
    local pkg status
    for pkg in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        [[ "$status" == "install ok installed" ]] || return 1
    done
}

if is_installed "${PACKAGES[@]}" && [[ -x "$RT_SERVER" ]]; then
    echo "install-rt: request-tracker5 already installed ($(dpkg-query -W -f='${Version}' request-tracker5))"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-rt: must run as root (apt-get install)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
export DEBCONF_NONINTERACTIVE_SEEN=true

# Preseed every question the packages could ask. dbconfig-install=false is a
# belt-and-braces default in case dbconfig-common is already on the machine.
debconf-set-selections <<'EOF'
request-tracker5 request-tracker5/rtname string connector-desk-test
request-tracker5 request-tracker5/organization string connector-desk-test
request-tracker5 request-tracker5/correspondaddress string rt@localhost
request-tracker5 request-tracker5/commentaddress string rt-comment@localhost
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1
request-tracker5 request-tracker5/webpath string /rt
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/dbconfig-install boolean false
request-tracker5 request-tracker5/dbconfig-upgrade boolean false
request-tracker5 request-tracker5/dbconfig-remove boolean false
ssmtp ssmtp/mailhub string localhost
ssmtp ssmtp/mailname string localhost
ssmtp ssmtp/root string postmaster
ssmtp ssmtp/rewritedomain string
ssmtp ssmtp/fromoverride boolean false
EOF

echo "install-rt: apt-get update"
apt-get -q -o DPkg::Lock::Timeout=600 update

if [[ ! -e /usr/sbin/sendmail ]]; then
    PACKAGES+=(ssmtp)  # RT needs *an* MTA package; this one has no daemon
fi

echo "install-rt: installing ${PACKAGES[*]}"
apt-get "${APT_OPTS[@]}" install --no-install-recommends "${PACKAGES[@]}"

if [[ ! -x "$RT_SERVER" ]]; then
    echo "install-rt: $RT_SERVER missing after install" >&2
    exit 1
fi
echo "install-rt: done ($(dpkg-query -W -f='${Version}' request-tracker5))"
