#!/usr/bin/env bash
# Installs the Debian packages OneWindow needs when they are missing and we are root:
# fonts-noto-cjk and Pango (Chinese PDFs), chromium (browser tests), poppler-utils (pdftotext in tests),
# faketime (the suite's second run under a moved wall clock, `make test-moved-clock`).
# Not root and missing: say so; the browser tests then fail under CI=true and skip otherwise.
set -euo pipefail
missing=()
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
# WeasyPrint renders PDFs through Pango.
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing+=(libpango-1.0-0)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || missing+=(libpangoft2-1.0-0)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages (install them as root): ${missing[*]}" >&2
fi
