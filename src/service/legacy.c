/* SPDX-License-Identifier: MIT */
/*
 * service/legacy.c - Sysmon's legacy switches -h, -n, -l and -r, applied to
 * the Sysmon XML that gets installed.
 *
 * In Sysmon the switches and the config entries write the same option
 * slots (sysmon-semantics.md 3.3, 3.4).  vigil keeps the installed config
 * a pure Sysmon config, so the switches are written into it as the
 * elements they stand for: <HashAlgorithms>, <CheckRevocation/>, and
 * `image` filters in a NetworkConnect / ImageLoad include set.  The daemon
 * then needs to know nothing about switches.
 *
 * Precedence: a value in a config file given on the same command line
 * wins over the switch, with a warning (Sysmon's rule).  With no file on
 * the command line (the built-in default, or `-c -h md5` changing the
 * installed config) the switch is the newer word and replaces the value.
 *
 * The input has already passed config_load_*(), so it is a well-formed
 * Sysmon document without a DOCTYPE; libxml2 still runs without network
 * and entity expansion.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "service.h"
#include "util/buf.h"

static bool is_element(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNode *find_child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (is_element(n, name))
			return n;
	return NULL;
}

/* Insert child as the first element of parent, with indentation so the
 * file stays readable. */
static void prepend_child(xmlNode *parent, xmlNode *child, const char *indent)
{
	xmlNode *ws = xmlNewText(BAD_CAST indent);

	if (parent->children) {
		xmlAddPrevSibling(parent->children, child);
		xmlAddPrevSibling(child, ws);
	} else {
		xmlAddChild(parent, ws);
		xmlAddChild(parent, child);
	}
}

/* onmatch="include", or the legacy default="exclude" that means it. */
static bool is_include_set(xmlNode *n)
{
	xmlChar *om = xmlGetProp(n, BAD_CAST "onmatch");
	xmlChar *def = xmlGetProp(n, BAD_CAST "default");
	bool inc = false;

	if (om)
		inc = strcasecmp((const char *)om, "include") == 0;
	else if (def)
		inc = strcasecmp((const char *)def, "exclude") == 0;
	xmlFree(om);
	xmlFree(def);
	return inc;
}

/* Every <tag> below EventFiltering, in document order (descendant search,
 * as Sysmon's parser does). */
static size_t collect_sets(xmlNode *n, const char *tag, xmlNode **out,
			   size_t max, size_t count)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_element(c, tag)) {
			if (count < max)
				out[count] = c;
			count++;
			continue;
		}
		count = collect_sets(c, tag, out, max, count);
	}
	return count;
}

/* <HashAlgorithms>, <CheckRevocation/>: option elements under <Sysmon>. */
static int apply_option(xmlNode *root, const char *name, const char *value,
			const char *sw, bool switch_wins)
{
	xmlNode *old = find_child(root, name), *n;

	if (old && !switch_wins) {
		xmlChar *v = xmlNodeGetContent(old);

		fprintf(stderr,
			"vigil: warning: the configuration's <%s>%s</%s> "
			"overrides %s\n",
			name, v ? (const char *)v : "", name, sw);
		xmlFree(v);
		return 0;
	}
	n = xmlNewNode(NULL, BAD_CAST name);
	if (!n)
		return -ENOMEM;
	/* Text, not markup: xmlNodeAddContent() escapes on output. */
	if (value)
		xmlNodeAddContent(n, BAD_CAST value);
	if (old) {
		/* In place, so the file keeps its layout. */
		xmlReplaceNode(old, n);
		xmlFreeNode(old);
	} else {
		prepend_child(root, n, "\n  ");
	}
	return 0;
}

/* Add one <Image condition="image">proc</Image> per list item to set,
 * before its existing filters, in list order, one per line. */
static int prepend_images(xmlNode *set, const char *procs)
{
	char item[SVC_MAX_LIST];
	xmlNode *anchor = set->children, *img;
	bool was_empty = !set->children;
	const char *p = procs;

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len && len < sizeof(item)) {
			memcpy(item, p, len);
			item[len] = '\0';
			img = xmlNewNode(NULL, BAD_CAST "Image");
			if (!img)
				return -ENOMEM;
			/* xmlNodeAddContent escapes markup in the name. */
			xmlNodeAddContent(img, BAD_CAST item);
			xmlNewProp(img, BAD_CAST "condition", BAD_CAST "image");
			if (anchor) {
				xmlAddPrevSibling(
					anchor,
					xmlNewText(BAD_CAST "\n      "));
				xmlAddPrevSibling(anchor, img);
			} else {
				xmlAddChild(set,
					    xmlNewText(BAD_CAST "\n      "));
				xmlAddChild(set, img);
			}
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (was_empty)
		xmlAddChild(set, xmlNewText(BAD_CAST "\n    "));
	return 0;
}

/* The EventFiltering element, created if the config has none. */
static xmlNode *event_filtering(xmlNode *root)
{
	xmlNode *ef = find_child(root, "EventFiltering");

	if (ef)
		return ef;
	ef = xmlNewNode(NULL, BAD_CAST "EventFiltering");
	if (!ef)
		return NULL;
	xmlAddChild(root, ef);
	xmlAddChild(root, xmlNewText(BAD_CAST "\n"));
	return ef;
}

static xmlNode *new_set(xmlNode *ef, const char *tag, const char *onmatch)
{
	xmlNode *set = xmlNewNode(NULL, BAD_CAST tag);

	if (!set)
		return NULL;
	xmlNewProp(set, BAD_CAST "onmatch", BAD_CAST onmatch);
	prepend_child(ef, set, "\n    ");
	return set;
}

static void drop_node(xmlNode *n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

#define MAX_SETS 256

/*
 * -n [procs] / -l [procs] (sysmon-semantics.md 3.4): with processes, image
 * filters prepended to the first include set (a new one if there is none;
 * an exclude set is incompatible and dropped, with an error message, as
 * Sysmon does).  Without processes: log every event of that kind, i.e. an
 * empty exclude set, unless the config already has rules for it.
 */
static int apply_rule_switch(xmlNode *root, const char *tag, const char *sw,
			     const char *procs, bool switch_wins)
{
	xmlNode *sets[MAX_SETS], *ef = event_filtering(root), *target = NULL;
	size_t n;

	if (!ef)
		return -ENOMEM;
	n = collect_sets(ef, tag, sets, MAX_SETS, 0);
	if (n > MAX_SETS) {
		fprintf(stderr, "vigil: more than %d <%s> sets\n", MAX_SETS,
			tag);
		return -EINVAL;
	}
	if (!procs) {
		if (n && !switch_wins) {
			fprintf(stderr,
				"vigil: warning: the configuration's <%s> "
				"rules override %s\n",
				tag, sw);
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			drop_node(sets[i]);
		return new_set(ef, tag, "exclude") ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (is_include_set(sets[i])) {
			if (!target)
				target = sets[i];
			continue;
		}
		fprintf(stderr,
			"vigil: error: Incompatible configuration and "
			"command-line rule: the <%s onmatch=\"exclude\"> set "
			"is dropped and %s is used on its own\n",
			tag, sw);
		drop_node(sets[i]);
	}
	if (!target)
		target = new_set(ef, tag, "include");
	if (!target)
		return -ENOMEM;
	return prepend_images(target, procs);
}

static int apply_all(xmlNode *root, const struct svc_args *a, bool switch_wins)
{
	int err = 0;

	if (a->hash_algs)
		err = apply_option(root, "HashAlgorithms", a->hash_algs, "-h",
				   switch_wins);
	if (!err && a->has_revocation)
		err = apply_option(root, "CheckRevocation", NULL, "-r",
				   switch_wins);
	if (!err && a->has_network)
		err = apply_rule_switch(root, "NetworkConnect", "-n",
					a->network_procs, switch_wins);
	if (!err && a->has_image_load)
		err = apply_rule_switch(root, "ImageLoad", "-l", a->image_procs,
					switch_wins);
	return err;
}

int svc_legacy_apply(const char *xml, size_t len, const char *name,
		     const struct svc_args *a, bool switch_wins,
		     struct buf *out)
{
	xmlChar *mem = NULL;
	xmlDoc *doc;
	xmlNode *root;
	int size = 0, err;

	if (len > (size_t)INT32_MAX)
		return -EFBIG;
	doc = xmlReadMemory(xml, (int)len, name, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !is_element(root, "Sysmon")) {
		fprintf(stderr, "vigil: %s: not a Sysmon configuration\n",
			name);
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	err = apply_all(root, a, switch_wins);
	if (!err) {
		xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
		if (!mem || size < 0)
			err = -ENOMEM;
	}
	if (!err)
		err = buf_add(out, mem, (size_t)size);
	if (!err && out->is_full)
		err = -EFBIG;
	xmlFree(mem);
	xmlFreeDoc(doc);
	return err;
}
