/* SPDX-License-Identifier: MIT */
/*
 * catalog/catalog.c - the Sysmon event table (schema 4.91 + Linux event 100).
 *
 * Field order is schema order and is what every renderer emits; SIEM
 * parsers match the XML by position, so never reorder.  has_linux_meaning
 * marks the events DESIGN.md maps onto a Linux source; the others load
 * in configs and never fire.
 */
#include <string.h>

#include "catalog.h"

static const struct catalog_event events[] = {
	{
		.id = 1,
		.symbol = "SYSMONEVENT_CREATE_PROCESS",
		.task = "Process Create",
		.rule_tag = "ProcessCreate",
		.rule_default = CATALOG_INCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.is_collected = true,
		.nfields = 23,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "FileVersion", CATALOG_STRING },
				{ "Description", CATALOG_STRING },
				{ "Product", CATALOG_STRING },
				{ "Company", CATALOG_STRING },
				{ "OriginalFileName", CATALOG_STRING },
				{ "CommandLine", CATALOG_STRING },
				{ "CurrentDirectory", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ "LogonGuid", CATALOG_GUID },
				{ "LogonId", CATALOG_HEX64 },
				{ "TerminalSessionId", CATALOG_UINT32 },
				{ "IntegrityLevel", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ "ParentProcessGuid", CATALOG_GUID },
				{ "ParentProcessId", CATALOG_PID },
				{ "ParentImage", CATALOG_STRING },
				{ "ParentCommandLine", CATALOG_STRING },
				{ "ParentUser", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 2,
		.symbol = "SYSMONEVENT_FILE_TIME",
		.task = "File creation time changed",
		.rule_tag = "FileCreateTime",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 9,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "CreationUtcTime", CATALOG_STRING },
				{ "PreviousCreationUtcTime", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 3,
		.symbol = "SYSMONEVENT_NETWORK_CONNECT",
		.task = "Network connection detected",
		.rule_tag = "NetworkConnect",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 18,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ "Protocol", CATALOG_STRING },
				{ "Initiated", CATALOG_BOOL },
				{ "SourceIsIpv6", CATALOG_BOOL },
				{ "SourceIp", CATALOG_STRING },
				{ "SourceHostname", CATALOG_STRING },
				{ "SourcePort", CATALOG_UINT16 },
				{ "SourcePortName", CATALOG_STRING },
				{ "DestinationIsIpv6", CATALOG_BOOL },
				{ "DestinationIp", CATALOG_STRING },
				{ "DestinationHostname", CATALOG_STRING },
				{ "DestinationPort", CATALOG_UINT16 },
				{ "DestinationPortName", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 4,
		.symbol = "SYSMONEVENT_SERVICE_STATE_CHANGE",
		.task = "Sysmon service state changed",
		.rule_tag = NULL,
		.rule_default = CATALOG_ALWAYS,
		.version = 3,
		.level = 4,
		.has_linux_meaning = true,
		.is_collected = true,
		.nfields = 4,
		.fields =
			(const struct catalog_field[]){
				{ "UtcTime", CATALOG_STRING },
				{ "State", CATALOG_STRING },
				{ "Version", CATALOG_STRING },
				{ "SchemaVersion", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 5,
		.symbol = "SYSMONEVENT_PROCESS_TERMINATE",
		.task = "Process terminated",
		.rule_tag = "ProcessTerminate",
		.rule_default = CATALOG_INCLUDE,
		.version = 3,
		.level = 4,
		.has_linux_meaning = true,
		.is_collected = true,
		.nfields = 6,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 6,
		.symbol = "SYSMONEVENT_DRIVER_LOAD",
		.task = "Driver loaded",
		.rule_tag = "DriverLoad",
		.rule_default = CATALOG_EXCLUDE,
		.version = 4,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 7,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ImageLoaded", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ "Signed", CATALOG_STRING },
				{ "Signature", CATALOG_STRING },
				{ "SignatureStatus", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 7,
		.symbol = "SYSMONEVENT_IMAGE_LOAD",
		.task = "Image loaded",
		.rule_tag = "ImageLoad",
		.rule_default = CATALOG_EXCLUDE,
		.version = 3,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 16,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "ImageLoaded", CATALOG_STRING },
				{ "FileVersion", CATALOG_STRING },
				{ "Description", CATALOG_STRING },
				{ "Product", CATALOG_STRING },
				{ "Company", CATALOG_STRING },
				{ "OriginalFileName", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ "Signed", CATALOG_STRING },
				{ "Signature", CATALOG_STRING },
				{ "SignatureStatus", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 8,
		.symbol = "SYSMONEVENT_CREATE_REMOTE_THREAD",
		.task = "CreateRemoteThread detected",
		.rule_tag = "CreateRemoteThread",
		.rule_default = CATALOG_EXCLUDE,
		.version = 2,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 14,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "SourceProcessGuid", CATALOG_GUID },
				{ "SourceProcessId", CATALOG_PID },
				{ "SourceImage", CATALOG_STRING },
				{ "TargetProcessGuid", CATALOG_GUID },
				{ "TargetProcessId", CATALOG_PID },
				{ "TargetImage", CATALOG_STRING },
				{ "NewThreadId", CATALOG_UINT32 },
				{ "StartAddress", CATALOG_STRING },
				{ "StartModule", CATALOG_STRING },
				{ "StartFunction", CATALOG_STRING },
				{ "SourceUser", CATALOG_STRING },
				{ "TargetUser", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 9,
		.symbol = "SYSMONEVENT_RAWACCESS_READ",
		.task = "RawAccessRead detected",
		.rule_tag = "RawAccessRead",
		.rule_default = CATALOG_EXCLUDE,
		.version = 2,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 7,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "Device", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 10,
		.symbol = "SYSMONEVENT_ACCESS_PROCESS",
		.task = "Process accessed",
		.rule_tag = "ProcessAccess",
		.rule_default = CATALOG_EXCLUDE,
		.version = 3,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 13,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "SourceProcessGUID", CATALOG_GUID },
				{ "SourceProcessId", CATALOG_PID },
				{ "SourceThreadId", CATALOG_UINT32 },
				{ "SourceImage", CATALOG_STRING },
				{ "TargetProcessGUID", CATALOG_GUID },
				{ "TargetProcessId", CATALOG_PID },
				{ "TargetImage", CATALOG_STRING },
				{ "GrantedAccess", CATALOG_HEX32 },
				{ "CallTrace", CATALOG_STRING },
				{ "SourceUser", CATALOG_STRING },
				{ "TargetUser", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 11,
		.symbol = "SYSMONEVENT_FILE_CREATE",
		.task = "File created",
		.rule_tag = "FileCreate",
		.rule_default = CATALOG_EXCLUDE,
		.version = 2,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "CreationUtcTime", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 12,
		.symbol = "SYSMONEVENT_REG_KEY",
		.task = "Registry object added or deleted",
		.rule_tag = "RegistryEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 2,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "TargetObject", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 13,
		.symbol = "SYSMONEVENT_REG_SETVALUE",
		.task = "Registry value set",
		.rule_tag = "RegistryEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 2,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 9,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "TargetObject", CATALOG_STRING },
				{ "Details", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 14,
		.symbol = "SYSMONEVENT_REG_NAME",
		.task = "Registry object renamed",
		.rule_tag = "RegistryEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 2,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 9,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "TargetObject", CATALOG_STRING },
				{ "NewName", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 15,
		.symbol = "SYSMONEVENT_FILE_CREATE_STREAM_HASH",
		.task = "File stream created",
		.rule_tag = "FileCreateStreamHash",
		.rule_default = CATALOG_EXCLUDE,
		.version = 2,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 10,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "CreationUtcTime", CATALOG_STRING },
				{ "Hash", CATALOG_STRING },
				{ "Contents", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 16,
		.symbol = "SYSMONEVENT_SERVICE_CONFIGURATION_CHANGE",
		.task = "Sysmon config state changed",
		.rule_tag = NULL,
		.rule_default = CATALOG_ALWAYS,
		.version = 3,
		.level = 4,
		.has_linux_meaning = true,
		.is_collected = true,
		.nfields = 3,
		.fields =
			(const struct catalog_field[]){
				{ "UtcTime", CATALOG_STRING },
				{ "Configuration", CATALOG_STRING },
				{ "ConfigurationFileHash", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 17,
		.symbol = "SYSMONEVENT_CREATE_NAMEDPIPE",
		.task = "Pipe Created",
		.rule_tag = "PipeEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 1,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "PipeName", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 18,
		.symbol = "SYSMONEVENT_CONNECT_NAMEDPIPE",
		.task = "Pipe Connected",
		.rule_tag = "PipeEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 1,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "PipeName", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 19,
		.symbol = "SYSMONEVENT_WMI_FILTER",
		.task = "WmiEventFilter activity detected",
		.rule_tag = "WmiEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 3,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "Operation", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ "EventNamespace", CATALOG_STRING },
				{ "Name", CATALOG_STRING },
				{ "Query", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 20,
		.symbol = "SYSMONEVENT_WMI_CONSUMER",
		.task = "WmiEventConsumer activity detected",
		.rule_tag = "WmiEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 3,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "Operation", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ "Name", CATALOG_STRING },
				{ "Type", CATALOG_STRING },
				{ "Destination", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 21,
		.symbol = "SYSMONEVENT_WMI_BINDING",
		.task = "WmiEventConsumerToFilter activity detected",
		.rule_tag = "WmiEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 3,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 7,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "EventType", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "Operation", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ "Consumer", CATALOG_STRING },
				{ "Filter", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 22,
		.symbol = "SYSMONEVENT_DNS_QUERY",
		.task = "Dns query",
		.rule_tag = "DnsQuery",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 9,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "QueryName", CATALOG_STRING },
				{ "QueryStatus", CATALOG_STRING },
				{ "QueryResults", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 23,
		.symbol = "SYSMONEVENT_FILE_DELETE",
		.task = "File Delete archived",
		.rule_tag = "FileDelete",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 10,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "User", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ "IsExecutable", CATALOG_BOOL },
				{ "Archived", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 24,
		.symbol = "SYSMONEVENT_CLIPBOARD",
		.task = "Clipboard changed",
		.rule_tag = "ClipboardChange",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 10,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "Session", CATALOG_UINT32 },
				{ "ClientInfo", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ "Archived", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 25,
		.symbol = "SYSMONEVENT_PROCESS_IMAGE_TAMPERING",
		.task = "Process Tampering",
		.rule_tag = "ProcessTampering",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 7,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "Type", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 26,
		.symbol = "SYSMONEVENT_FILE_DELETE_DETECTED",
		.task = "File Delete logged",
		.rule_tag = "FileDeleteDetected",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 9,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "User", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ "IsExecutable", CATALOG_BOOL },
				{ NULL, 0 } },
	},
	{
		.id = 27,
		.symbol = "SYSMONEVENT_FILE_BLOCK_EXE",
		.task = "File Block Executable",
		.rule_tag = "FileBlockExecutable",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "User", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 28,
		.symbol = "SYSMONEVENT_FILE_BLOCK_SHREDDING",
		.task = "File Block Shredding",
		.rule_tag = "FileBlockShredding",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = false,
		.nfields = 9,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "User", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ "IsExecutable", CATALOG_BOOL },
				{ NULL, 0 } },
	},
	{
		.id = 29,
		.symbol = "SYSMONEVENT_FILE_EXE_DETECTED",
		.task = "File Executable Detected",
		.rule_tag = "FileExecutableDetected",
		.rule_default = CATALOG_EXCLUDE,
		.version = 5,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 8,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "User", CATALOG_STRING },
				{ "Image", CATALOG_STRING },
				{ "TargetFilename", CATALOG_STRING },
				{ "Hashes", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 100,
		.symbol = "SYSMONEVENT_EBPF_EVENT",
		.task = "eBPF Program Loaded",
		.rule_tag = "eBPFEvent",
		.rule_default = CATALOG_EXCLUDE,
		.version = 1,
		.level = 4,
		.has_linux_meaning = true,
		.nfields = 10,
		.fields =
			(const struct catalog_field[]){
				{ "RuleName", CATALOG_STRING },
				{ "UtcTime", CATALOG_STRING },
				{ "ProcessGuid", CATALOG_GUID },
				{ "ProcessId", CATALOG_PID },
				{ "Image", CATALOG_STRING },
				{ "User", CATALOG_STRING },
				{ "BpfCommand", CATALOG_STRING },
				{ "BpfProgramType", CATALOG_STRING },
				{ "BpfProgramId", CATALOG_UINT32 },
				{ "BpfProgramName", CATALOG_STRING },
				{ NULL, 0 } },
	},
	{
		.id = 255,
		.symbol = "SYSMONEVENT_ERROR",
		.task = "Error report",
		.rule_tag = NULL,
		.rule_default = CATALOG_ALWAYS,
		.version = 3,
		.level = 2,
		.has_linux_meaning = true,
		.is_collected = true,
		.nfields = 3,
		.fields =
			(const struct catalog_field[]){
				{ "UtcTime", CATALOG_STRING },
				{ "ID", CATALOG_STRING },
				{ "Description", CATALOG_STRING },
				{ NULL, 0 } },
	},
};

size_t catalog_count(void)
{
	return sizeof(events) / sizeof(events[0]);
}

const struct catalog_event *catalog_at(size_t i)
{
	return i < catalog_count() ? &events[i] : NULL;
}

const struct catalog_event *catalog_lookup(unsigned id)
{
	for (size_t i = 0; i < catalog_count(); i++)
		if (events[i].id == id)
			return &events[i];
	return NULL;
}

const struct catalog_event *catalog_lookup_tag(const char *tag)
{
	for (size_t i = 0; i < catalog_count(); i++)
		if (events[i].rule_tag && strcmp(events[i].rule_tag, tag) == 0)
			return &events[i];
	return NULL;
}

bool catalog_feeds(const struct catalog_event *ev, const char *program)
{
	size_t n = strlen(program);

	for (const char *p = ev->programs; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, program, n) == 0)
			return true;
		p = end ? end + 1 : p + len;
	}
	return false;
}

int catalog_field_index(const struct catalog_event *ev, const char *name)
{
	for (unsigned i = 0; i < ev->nfields; i++)
		if (strcmp(ev->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}
