#!/usr/bin/env bash
# tests/integration/clickhouse.sh - a private ClickHouse server for a test
# (Debian's clickhouse-server on loopback, data under $T_DIR/ch), started
# and stopped by PID.  Source it after lib.sh's t_begin; sets CH_HTTP (the
# HTTP port) and CH_PID.
#   ch_start   start (again) and wait until it answers; 1 if it did not
#   ch_stop    SIGTERM, bounded wait, then SIGKILL
#   chq SQL    run a query, print the answer

ch=$T_DIR/ch
CH_PID=
CH_HTTP=$((20000 + RANDOM % 20000))
mkdir -p "$ch/data" "$ch/tmp" "$ch/files" "$ch/log"
cat >"$ch/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$ch/log/server.log</log>
        <errorlog>$ch/log/err.log</errorlog><size>10M</size><count>1</count>
    </logger>
    <http_port>$CH_HTTP</http_port>
    <tcp_port>$((CH_HTTP + 1))</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>64</max_connections>
    <max_concurrent_queries>16</max_concurrent_queries>
    <mark_cache_size>53687091</mark_cache_size>
    <path>$ch/data/</path>
    <tmp_path>$ch/tmp/</tmp_path>
    <user_files_path>$ch/files/</user_files_path>
    <users_config>$ch/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <query_log><database>system</database><table>query_log</table>
        <flush_interval_milliseconds>1000</flush_interval_milliseconds>
    </query_log>
</yandex>
EOF
cat >"$ch/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>2000000000</max_memory_usage>
        <log_queries>1</log_queries>
    </default></profiles>
    <users><default><password></password>
        <networks><ip>127.0.0.1</ip></networks>
        <profile>default</profile><quota>default</quota></default></users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries>
        <errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows>
        <execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF

chq() {
	curl -sS --max-time 30 "http://127.0.0.1:$CH_HTTP/" --data-binary "$1"
}

ch_start() {
	clickhouse-server --config-file="$ch/config.xml" >>"$ch/log/stdout" \
		2>&1 &
	CH_PID=$!
	for _ in $(seq 1 300); do
		[ "$(chq 'SELECT 1' 2>/dev/null)" == 1 ] && return 0
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/#   /' "$ch/log/err.log" "$ch/log/stdout" 2>/dev/null | tail
	return 1
}

ch_stop() {
	[ -n "$CH_PID" ] || return 0
	kill -TERM "$CH_PID" 2>/dev/null
	for _ in $(seq 1 300); do
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	CH_PID=
}
