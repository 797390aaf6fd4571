#!/usr/bin/env bash
# Keeps Chromium open in kiosk mode on this kiosk's page; restarts it when it exits,
# backing off to 30 s if it keeps failing (e.g. the gateway is still starting).
set -uo pipefail
KIOSK_ID=${1:?usage: kiosk-browser.sh KIOSK-ID}
URL="http://127.0.0.1:8080/kiosk/${KIOSK_ID}"
BROWSER=$(command -v chromium || command -v chromium-browser || echo chromium)
delay=1
while true; do
  started=$(date +%s)
  "$BROWSER" --kiosk --noerrdialogs --disable-session-crashed-bubble --incognito \
    --ozone-platform=wayland --no-first-run --disable-infobars --password-store=basic \
    --check-for-update-interval=31536000 --disable-features=Translate "$URL"
  # Ran for a while: a crash, not a start failure: come back at once.
  if (($(date +%s) - started > 60)); then delay=1; else delay=$((delay * 2 > 30 ? 30 : delay * 2)); fi
  sleep "$delay"
done
