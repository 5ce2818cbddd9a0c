/* SPDX-License-Identifier: MIT */
/*
 * config/options.c - the option elements of <Sysmon> outside
 * <EventFiltering>: HashAlgorithms, FieldSizes, DnsLookup, and the
 * Windows-only ones (CheckRevocation, ArchiveDirectory, DriverName, ...)
 * that are kept for `vigil -c` but warned about once each, or refused in
 * strict mode.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "internal.h"

static int parse_hash_algorithms(struct loader *ld, xmlNode *n)
{
	static const struct {
		const char *name;
		unsigned bit;
	} algs[] = {
		{ "sha1", CONFIG_HASH_SHA1 },
		{ "sha-1", CONFIG_HASH_SHA1 },
		{ "md5", CONFIG_HASH_MD5 },
		{ "md-5", CONFIG_HASH_MD5 },
		{ "sha256", CONFIG_HASH_SHA256 },
		{ "sha-256", CONFIG_HASH_SHA256 },
		{ "imphash", CONFIG_HASH_IMPHASH },
		{ "imp-hash", CONFIG_HASH_IMPHASH },
		{ "*", 0xf },
		{ "all", 0xf },
	};
	const char *s = config_text_of(ld, n), *p = s;
	unsigned bits = 0;

	if (!s)
		return -ENOMEM;
	while (*p) {
		const char *tok, *e;
		size_t len;
		bool found = false;

		while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' ||
		       *p == '\r')
			p++;
		if (!*p)
			break;
		tok = p;
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		p = e;
		while (e > tok && (e[-1] == ' ' || e[-1] == '\t' ||
				   e[-1] == '\n' || e[-1] == '\r'))
			e--;
		len = (size_t)(e - tok);
		for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
			if (strlen(algs[i].name) == len &&
			    strncasecmp(algs[i].name, tok, len) == 0) {
				bits |= algs[i].bit;
				found = true;
			}
		if (!found)
			return config_fail(ld, n,
					   "unknown hash algorithm '%.*s'",
					   (int)len, tok);
	}
	if (!bits)
		return config_fail(ld, n, "HashAlgorithms lists no algorithm");
	if (bits & CONFIG_HASH_IMPHASH)
		config_warn(ld, n,
			    "HashAlgorithms: IMPHASH is a Windows PE hash and "
			    "is never computed on Linux");
	ld->c->hash_algs = bits;
	ld->c->has_hash_algs = true;
	return 0;
}

static bool field_exists(const char *name)
{
	for (size_t i = 0; i < catalog_count(); i++)
		if (catalog_field_index(catalog_at(i), name) >= 0)
			return true;
	return false;
}

/* FieldSizes: "CommandLine:100,Image:20", letters, digits, ',' and ':'. */
static int parse_field_sizes(struct loader *ld, xmlNode *n)
{
	struct config *c = ld->c;
	const char *s = config_text_of(ld, n), *p;

	if (!s)
		return -ENOMEM;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ',' || *p == ':'))
			return config_fail(
				ld, n,
				"FieldSizes: invalid character '%c' "
				"(only letters, digits, ',' and ':')",
				*p);
	c->nfield_sizes = 0;
	p = s;
	while (*p) {
		const char *name = p, *colon, *e;
		char *end;
		unsigned long v;

		if (*p == ',') {
			p++;
			continue;
		}
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		colon = memchr(p, ':', (size_t)(e - p));
		if (!colon || colon == name)
			return config_fail(ld, n,
					   "FieldSizes: expected Field:N in "
					   "'%.*s'",
					   (int)(e - p), p);
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (errno || end != e || v == 0 || v > 1000000)
			return config_fail(ld, n,
					   "FieldSizes: bad size in '%.*s'",
					   (int)(e - p), p);
		if (c->nfield_sizes == CONFIG_MAX_FIELD_SIZES)
			return config_fail(ld, n,
					   "FieldSizes: more than %u entries",
					   CONFIG_MAX_FIELD_SIZES);
		c->field_sizes[c->nfield_sizes].field =
			config_arena_strndup(c, name, (size_t)(colon - name));
		if (!c->field_sizes[c->nfield_sizes].field)
			return -ENOMEM;
		if (!field_exists(c->field_sizes[c->nfield_sizes].field))
			return config_fail(
				ld, n, "FieldSizes: unknown field '%s'",
				c->field_sizes[c->nfield_sizes].field);
		c->field_sizes[c->nfield_sizes++].max = (unsigned)v;
		p = e;
	}
	return 0;
}

/* Sysmon's boolean-ish option text; an empty element means on. */
static int parse_bool(struct loader *ld, xmlNode *n, bool *out)
{
	const char *s = config_text_of(ld, n);

	if (!s)
		return -ENOMEM;
	if (!*s || strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcasecmp(s, "enabled") == 0 || strcasecmp(s, "yes") == 0)
		*out = true;
	else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
		 strcmp(s, "NULL") == 0 || strcasecmp(s, "disabled") == 0 ||
		 strcasecmp(s, "no") == 0)
		*out = false;
	else
		return config_fail(ld, n,
				   "<%s>: expected true or false, got '%s'",
				   n->name, s);
	return 0;
}

/*
 * ArchiveDirectory: Sysmon's is a folder name at the root of the volume
 * (one component); vigil also takes an absolute path.  Where a bare name
 * lives is the daemon's choice (its state directory).
 */
static int parse_archive_dir(struct loader *ld, xmlNode *n)
{
	const char *s = config_text_of(ld, n);
	size_t len;

	if (!s)
		return -ENOMEM;
	len = strlen(s);
	if (len == 0 || len >= sizeof(ld->c->archive_dir))
		return config_fail(ld, n,
				   "ArchiveDirectory must be 1 to %zu bytes",
				   sizeof(ld->c->archive_dir) - 1);
	if (strchr(s, '\\') || (s[0] != '/' && strchr(s, '/')) ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return config_fail(ld, n,
				   "ArchiveDirectory must be a single folder "
				   "name or an absolute path, not '%s'",
				   s);
	memcpy(ld->c->archive_dir, s, len + 1);
	return 0;
}

enum opt_kind { OPT_LINUX, OPT_WINDOWS };

static const struct {
	const char *name;
	enum opt_kind kind;
	const char *why; /* for Windows-only options */
} options[] = {
	{ "HashAlgorithms", OPT_LINUX, NULL },
	{ "FieldSizes", OPT_LINUX, NULL },
	{ "DnsLookup", OPT_LINUX, NULL },
	{ "CheckRevocation", OPT_WINDOWS, "signature revocation checks" },
	{ "ArchiveDirectory", OPT_LINUX, NULL },
	{ "CaptureClipboard", OPT_WINDOWS, "clipboard capture" },
	{ "DriverName", OPT_WINDOWS, "the Windows driver/service name" },
	{ "DriverQueueSize", OPT_WINDOWS, "the Windows driver queue" },
	{ "SigningQueueSize", OPT_WINDOWS, "the Windows signing queue" },
	{ "ProcessAccessConfig", OPT_WINDOWS, "the legacy -k access masks" },
	{ "PipeMonitoringConfig", OPT_WINDOWS, "the legacy -g pipe list" },
	{ "CopyOnDeletePE", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDeleteSIDs", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDeleteExtensions", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDeleteProcesses", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_PE", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_SIDs", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_Extensions", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_Processes", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
};

/* loader.warned has one flag per option */
_Static_assert(sizeof(options) / sizeof(options[0]) <=
		       sizeof(((struct loader *)0)->warned),
	       "struct loader: warned[] smaller than the options table");

int config_parse_option(struct loader *ld, xmlNode *n)
{
	const char *name = (const char *)n->name;
	static const char *const none[] = { NULL };
	size_t i, nopts = sizeof(options) / sizeof(options[0]);
	int r;

	for (i = 0; i < nopts; i++)
		if (strcmp(options[i].name, name) == 0)
			break;
	if (i == nopts)
		return config_fail(ld, n, "unknown element <%s> in <Sysmon>",
				   name);
	r = config_check_attrs(ld, n, none);
	if (r)
		return r;
	for (xmlNode *k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return config_fail(ld, k,
					   "unexpected element <%s> in <%s>",
					   k->name, name);
	if (options[i].kind == OPT_WINDOWS) {
		if (ld->opts && ld->opts->is_strict)
			return config_fail(ld, n,
					   "<%s> has no meaning on Linux (%s); "
					   "refused in strict mode",
					   name, options[i].why);
		if (!ld->warned[i])
			config_warn(ld, n, "<%s> is Windows-only (%s): ignored",
				    name, options[i].why);
		ld->warned[i] = true;
	}
	if (strcmp(name, "HashAlgorithms") == 0)
		return parse_hash_algorithms(ld, n);
	if (strcmp(name, "FieldSizes") == 0)
		return parse_field_sizes(ld, n);
	if (strcmp(name, "DnsLookup") == 0) {
		ld->c->has_dns_lookup = true;
		return parse_bool(ld, n, &ld->c->dns_lookup);
	}
	if (strcmp(name, "CheckRevocation") == 0)
		return parse_bool(ld, n, &ld->c->check_revocation);
	if (strcmp(name, "CaptureClipboard") == 0)
		return parse_bool(ld, n, &ld->c->capture_clipboard);
	if (strcmp(name, "ArchiveDirectory") == 0)
		return parse_archive_dir(ld, n);
	if (strcmp(name, "DriverName") == 0) {
		const char *s = config_text_of(ld, n);

		if (!s)
			return -ENOMEM;
		snprintf(ld->c->driver_name, sizeof(ld->c->driver_name), "%s",
			 s);
	}
	return 0;
}
