#!/bin/sh
# Install the Debian packages memberclub needs beyond Python, when missing:
#   chromium         the browser the browser tests drive
#   fonts-ipaexfont  the Japanese font of the auth-key letters (and of the portal in Chromium)
# As root they are installed with apt-get; otherwise the command to run is printed.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -f /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || missing="$missing fonts-ipaexfont"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "missing system packages:$missing — install them with: sudo apt-get install$missing" >&2
fi
