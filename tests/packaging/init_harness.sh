# shellcheck shell=dash
# Source an init script the way /etc/rc.common does, with procd_stubs.sh for rc.common and
# procd.sh, then call the named functions in order, each announced in $PROCD_LOG.
# Usage: sh init_harness.sh INIT_SCRIPT FUNCTION...
# BOOT_MARKER (if set in the environment) replaces the init script's marker path.
harness_dir=$(dirname "$0")
# shellcheck disable=SC1091 # found next to this file at run time
. "$harness_dir/procd_stubs.sh"
test_boot_marker=$BOOT_MARKER
# shellcheck disable=SC1090
. "$1"
shift
[ -z "$test_boot_marker" ] || BOOT_MARKER=$test_boot_marker
for function in "$@"; do
	printf '== %s\n' "$function" >>"$PROCD_LOG"
	"$function" || printf 'returned %s\n' "$?" >>"$PROCD_LOG"
done
