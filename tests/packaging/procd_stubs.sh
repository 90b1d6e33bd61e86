# shellcheck shell=dash
# What /etc/rc.common, /lib/functions.sh and /lib/functions/procd.sh give an init script,
# as recorders: every call that asks procd for something is appended to $PROCD_LOG, one line
# per call, arguments separated by spaces ('' for an empty one, quoted if it has blanks).
# config_load/config_get/config_get_bool read the UCI file $UCI_CONFIG_DIR/<package> with
# the semantics of functions.sh (an empty option gives the default).

record() {
	_line=$1
	shift
	for _arg in "$@"; do
		case "$_arg" in
			'' | *' '* | *'	'*) _line="$_line '$_arg'" ;;
			*) _line="$_line $_arg" ;;
		esac
	done
	printf '%s\n' "$_line" >>"$PROCD_LOG"
}

# Named sections and their options as CONFIG_<section>_<option> variables.
config_load() {
	record config_load "$@"
	eval "$(awk -v q="'" '
		function unquote(s) {
			if (s ~ /^'\''.*'\''$/ || s ~ /^".*"$/) return substr(s, 2, length(s) - 2)
			return s
		}
		$1 == "config" { section = unquote($3); next }
		$1 == "option" && section != "" {
			value = $0
			sub(/^[ \t]*option[ \t]+[^ \t]+[ \t]*/, "", value)
			value = unquote(value)
			gsub(q, q "\\" q q, value)
			print "CONFIG_" section "_" $2 "=" q value q
		}
	' "$UCI_CONFIG_DIR/$1")"
}

config_get() {
	eval "$1=\${CONFIG_$2_$3:-\$4}"
}

config_get_bool() {
	config_get _tmp "$2" "$3" "$4"
	case "$_tmp" in
		1 | on | true | yes | enabled) _tmp=1 ;;
		0 | off | false | no | disabled) _tmp=0 ;;
		*) _tmp=$4 ;;
	esac
	eval "$1=\$_tmp"
}

procd_open_instance() { record procd_open_instance "$@"; }
procd_set_param() { record procd_set_param "$@"; }
procd_append_param() { record procd_append_param "$@"; }
procd_close_instance() { record procd_close_instance "$@"; }
procd_open_data() { record procd_open_data "$@"; }
procd_close_data() { record procd_close_data "$@"; }
procd_add_reload_trigger() { record procd_add_reload_trigger "$@"; }
procd_add_interface_trigger() { record procd_add_interface_trigger "$@"; }
procd_send_signal() { record procd_send_signal "$@"; }
# "Running" when the test says so.
procd_running() {
	record procd_running "$@"
	[ "$PROCD_RUNNING" = 1 ]
}
json_add_array() { record json_add_array "$@"; }
json_add_object() { record json_add_object "$@"; }
json_add_string() { record json_add_string "$@"; }
json_add_int() { record json_add_int "$@"; }
json_add_boolean() { record json_add_boolean "$@"; }
json_close_object() { record json_close_object "$@"; }
json_close_array() { record json_close_array "$@"; }
# rc.common's start: procd_open_service, start_service, procd_close_service.
start() { record start "$@"; }
