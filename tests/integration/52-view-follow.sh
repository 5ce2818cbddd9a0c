#!/usr/bin/env bash
# `vigil view --follow` while a writer inserts: every event is printed
# once, in record-id order, and the follower exits cleanly on SIGTERM and
# SIGINT.  Also as a non-root member of the store's group (read-only
# access to a store being written), and started before the store exists.
. "$(dirname "$0")/lib.sh"
t_begin 52-view-follow

WRITER=${STORE_WRITER:-$(dirname "$VIGIL")/tests/store_test}
if [ ! -x "$WRITER" ]; then
	ok "writer $WRITER is built (make test builds it)" false
	t_end
fi
chmod 755 "$T_DIR"
db=$T_DIR/store/events.db

# wait_count FILE N: until FILE has N lines (bounded, 30 s)
wait_count() {
	for _ in $(seq 1 300); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
ids_of() { sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p' "$1"; }
# same_ids FILE FIRST LAST: FILE printed exactly ids FIRST..LAST in order
same_ids() {
	local d
	d=$(diff <(ids_of "$1") <(seq "$2" "$3") | head -n 6)
	[ -z "$d" ] && return 0
	echo "# $1 differs from $2..$3:"; echo "$d" | sed 's/^/#   /'
	return 1
}

# follow FILE [as...]: start a follower writing JSON lines to FILE
follow() {
	local out=$1; shift
	"$@" "$VIGIL" view --store "$db" --follow --format json \
		>"$out" 2>"$out.err" &
	FPID=$!
}

# 1. started before the store exists, then 2,000 events in 40 batches
follow "$T_DIR/a.out"
sleep 0.3
ok "follower waits for a store that does not exist yet" kill -0 "$FPID"
"$WRITER" --burst "$db" 2000 50 5 >/dev/null
ok "follower printed all 2000" wait_count "$T_DIR/a.out" 2000
kill -TERM "$FPID"
wait "$FPID"
is "follower exits 0 on SIGTERM" $? 0
ok "each event once, in order" same_ids "$T_DIR/a.out" 1 2000

# 2. a follower joining a store with history: the last 10, then new ones,
#    also as an unprivileged member of the group, concurrently
follow "$T_DIR/b.out"
p_root=$FPID
p_adm=
if getent group adm >/dev/null && command -v setpriv >/dev/null; then
	adm=$(getent group adm | cut -d: -f3)
	follow "$T_DIR/c.out" setpriv --reuid=65534 --regid=65534 \
		--groups="$adm"
	p_adm=$FPID
fi
sleep 0.5
"$WRITER" --burst "$db" 3000 100 2 >/dev/null
ok "follower printed backlog and new events" wait_count "$T_DIR/b.out" 3010
kill -INT "$p_root"
wait "$p_root"
is "follower exits 0 on SIGINT" $? 0
ok "last 10, then 3000 new, each once in order" \
	same_ids "$T_DIR/b.out" 1991 5000
if [ -n "$p_adm" ]; then
	ok "group member follows a store being written" \
		wait_count "$T_DIR/c.out" 3010
	kill -TERM "$p_adm"
	wait "$p_adm"
	is "group member's follower exits 0" $? 0
	ok "group member saw each event once, in order" \
		same_ids "$T_DIR/c.out" 1991 5000
fi
t_end
