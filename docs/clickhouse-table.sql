-- The fleet table vigil's forwarder writes into (forward.NAME.url =
-- http://... in vigil.conf(5)); vigil creates it on first use unless
-- forward.NAME.create_table = no, in which case run this first (as
-- shown, or with another [database.]table name in forward.NAME.table).
-- Works with ClickHouse 18.16 (Debian 12) and newer.  One row per event:
-- Computer and EventRecordID identify it; record is the whole event as
-- vigil's JSON line; the other columns repeat common Sysmon fields for
-- fast queries ("" when the event has no such field).
-- ReplacingMergeTree keyed by (Computer, EventID, EventRecordID) merges
-- away a row that arrived twice; the forwarder never sends one twice.
-- Keep rows for a while: ALTER TABLE vigil_events DROP PARTITION 202601
-- (partitions are months of UtcTime).
CREATE TABLE IF NOT EXISTS vigil_events (
    Computer String,
    EventRecordID UInt64,
    EventID UInt16,
    UtcTime DateTime,
    time_ns UInt64,
    created_ns UInt64,
    RuleName String,
    ProcessGuid String,
    ProcessId String,
    Image String,
    CommandLine String,
    CurrentDirectory String,
    User String,
    Hashes String,
    ParentProcessGuid String,
    ParentProcessId String,
    ParentImage String,
    ParentCommandLine String,
    TargetFilename String,
    Protocol String,
    SourceIp String,
    SourcePort String,
    DestinationIp String,
    DestinationPort String,
    DestinationHostname String,
    QueryName String,
    record String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(UtcTime)
ORDER BY (Computer, EventID, EventRecordID)
;
