#!/usr/bin/env bash
# Run unit test binaries and fuzz corpus replay only (no root needed).
SKIP_INTEGRATION=1 exec "$(dirname "$0")/run-all.sh" "$@"
