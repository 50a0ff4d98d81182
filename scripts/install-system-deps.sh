#!/usr/bin/env bash
# System packages the tests and reports need: Debian's Chromium (browser tests, via Playwright's
# executable_path), LibreOffice (PDF rendering of reports) and Times-compatible fonts with Vietnamese letters.
# Installed only when missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Liberation Sans" || need+=(fonts-liberation)
# Liberation 2 has the Vietnamese letters (1.07 has not: LibreOffice would set them in another font in the PDFs)
fc-list 2>/dev/null | grep -qi "liberation2" || need+=(fonts-liberation2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${need[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing system packages (${need[*]}); install them with: sudo apt-get install ${need[*]}" >&2
  fi
fi
