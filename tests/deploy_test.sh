#!/usr/bin/env bash
# The production files under deploy/, checked by the tools that read them: `systemd-analyze verify`
# for the systemd units (pointed at the built binary), `nginx -t` for the nginx example (with a
# self-signed certificate in a temporary prefix). A missing tool is reported on stderr and its check
# skipped; if every check is skipped the exit code is 77, which ctest reports as skipped.
#   tests/deploy_test.sh SOURCE_DIR [WENKU_BINARY]
set -euo pipefail
source_dir=${1:?usage: tests/deploy_test.sh SOURCE_DIR [WENKU_BINARY]}
wenku=${2:-/bin/true}
deploy=$source_dir/deploy
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ran=0
failed=0

# --- systemd units ---
units=(wenku.service wenku-backup.service wenku-backup.timer)
if command -v systemd-analyze >/dev/null; then
  mkdir "$work/units"
  for unit in "${units[@]}"; do
    sed "s|/usr/local/bin/wenku|$wenku|g" "$deploy/$unit" >"$work/units/$unit"
  done
  # verify exits 0 on many complaints about a unit (unknown keys, bad values): any line naming one of
  # ours fails the check. Lines about the rest of the system (no D-Bus in a container) do not.
  out=$(cd "$work/units" && systemd-analyze verify --man=no "${units[@]/#/./}" 2>&1) || true
  complaints=$(grep -E "(wenku\.service|wenku-backup\.(service|timer))" <<<"$out" || true)
  if [ -n "$complaints" ]; then
    echo "FAIL systemd-analyze verify:"
    echo "$complaints"
    failed=1
  else
    echo "ok   systemd-analyze verify ${units[*]}"
  fi
  ran=$((ran + 1))
else
  echo "SKIPPED: systemd-analyze is not installed; the systemd units were not checked" >&2
fi

# --- nginx example ---
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
  prefix=$work/nginx
  mkdir -p "$prefix/tmp"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=wenku.example.org \
    -keyout "$prefix/key.pem" -out "$prefix/cert.pem" 2>/dev/null
  sed -e "s|/etc/letsencrypt/live/wenku.example.org/fullchain.pem|$prefix/cert.pem|" \
      -e "s|/etc/letsencrypt/live/wenku.example.org/privkey.pem|$prefix/key.pem|" \
      "$deploy/nginx-wenku.conf" >"$prefix/site.conf"
  # What /etc/nginx/nginx.conf provides around a site, confined to the prefix.
  cat >"$prefix/nginx.conf" <<CONF
pid $prefix/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $prefix/site.conf;
}
CONF
  if out=$(nginx -t -q -p "$prefix" -e stderr -c "$prefix/nginx.conf" 2>&1); then
    echo "ok   nginx -t deploy/nginx-wenku.conf"
  else
    echo "FAIL nginx -t deploy/nginx-wenku.conf:"
    echo "$out"
    failed=1
  fi
  ran=$((ran + 1))
else
  echo "SKIPPED: nginx or openssl is not installed (scripts/setup --bench installs nginx-light);" \
       "deploy/nginx-wenku.conf was not checked" >&2
fi

[ "$failed" -eq 0 ] || exit 1
[ "$ran" -gt 0 ] || exit 77
