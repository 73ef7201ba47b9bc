#!/usr/bin/env bash
# The trust boundary as a test: untrusted bytes are parsed only in the sandboxed `wenku worker`.
# Fails when trusted code (src/store, blob, search, ingest, accounts, web, mail, cli, except the
# worker entry point src/cli/cmd_worker.cpp) includes a worker header, or when the trusted library's objects refer to
# worker code or to what only the worker may link: MuPDF (fz_, pdf_), LibreOfficeKit (lok_),
# tesseract, md4c (md_).
#
#   boundary_test.sh SOURCE_DIR TRUSTED_LIBRARY
set -euo pipefail

source_dir=$1
trusted_library=$2
failed=0

# 1. Includes: any path with a folder named "worker" (worker/x.h, ../worker/x.h, <worker/x.h>).
trusted_folders=()
for folder in store blob search ingest accounts web mail cli; do trusted_folders+=("$source_dir/src/$folder"); done
includes=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?worker/' \
               --include='*.cpp' --include='*.h' "${trusted_folders[@]}" |
           grep -v "^$source_dir/src/cli/cmd_worker.cpp:" || true)
if [[ -n $includes ]]; then
    echo "FAIL: trusted code includes worker headers (only src/cli/cmd_worker.cpp may):"
    sed 's/^/  /' <<<"$includes"
    failed=1
fi

# 2. Symbols, defined or not: header-only code (LibreOfficeKit's lok_init) leaves local symbols.
if ! symbols=$(nm -C "$trusted_library" 2>/dev/null); then
    echo "FAIL: cannot read the symbols of $trusted_library"
    exit 1
fi
references=$(awk -v prefix='^(fz_|pdf_|lok_|md_)' \
                 -v anywhere='tesseract|Tess[A-Z]|libreofficekit|LibreOfficeKit|wenku::worker::' '
        /^[^ ].*:$/ { object = substr($0, 1, length($0) - 1); next }
        NF >= 2 {
            name = $0
            sub(/^[0-9a-fA-F]* *[A-Za-z?] /, "", name)
            if (name ~ prefix || name ~ anywhere) print object ": " name
        }' <<<"$symbols" | sort -u)
if [[ -n $references ]]; then
    echo "FAIL: the trusted library ($trusted_library) refers to worker-only code:"
    sed 's/^/  /' <<<"$references" | head -40
    failed=1
fi

if ((failed)); then exit 1; fi
echo "trust boundary holds: no worker includes in trusted sources, no worker symbols in $(basename "$trusted_library")"
