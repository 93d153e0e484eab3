/*
 * installinfo.c: walks install_info's YAML events with libyaml and keeps
 * install_method's tool, tool_version and installer_version.
 */
#include "flare/installinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/redact.h"

#define MAX_FRAMES 64	/* collections deeper than this are only counted */

enum key { K_NONE, K_SECTION, K_TOOL, K_TOOL_VERSION, K_INSTALLER_VERSION };

struct frame {
	bool is_map;
	bool expect_key;	/* mappings: the next node is a key */
	bool section;		/* this is the install_method mapping */
	enum key key;		/* mappings: the key of the pending value */
};

struct walk {
	struct frame f[MAX_FRAMES];
	size_t depth;		/* open collections */
	bool root_seen, root_is_map;
	/* keys found at the top level, used when there is no section */
	char top[3][FW_INSTALLINFO_FIELD_MAX + 1];
	bool done;
};

static enum key key_of(const yaml_event_t *ev, bool top)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

#define IS(s) (n == sizeof(s) - 1 && memcmp(v, s, n) == 0)
	if (top && IS("install_method"))
		return K_SECTION;
	if (IS("tool"))
		return K_TOOL;
	if (IS("tool_version"))
		return K_TOOL_VERSION;
	if (IS("installer_version"))
		return K_INSTALLER_VERSION;
#undef IS
	return K_NONE;
}

static char *field(struct fw_installinfo *ii, struct walk *w, bool section,
		   enum key k, size_t *sz)
{
	*sz = FW_INSTALLINFO_FIELD_MAX + 1;
	switch (k) {
	case K_TOOL:
		return section ? ii->tool : w->top[0];
	case K_TOOL_VERSION:
		return section ? ii->tool_version : w->top[1];
	case K_INSTALLER_VERSION:
		return section ? ii->installer_version : w->top[2];
	default:
		return NULL;
	}
}

/* A node (scalar, alias or collection start) arrived. Returns 0, -ENOMEM,
 * or 1 when the root is not a mapping. */
static int node(struct fw_installinfo *ii, struct walk *w, const yaml_event_t *ev)
{
	bool start = ev->type == YAML_MAPPING_START_EVENT ||
		     ev->type == YAML_SEQUENCE_START_EVENT;
	bool section_value = false;

	if (w->depth == 0) {
		if (w->root_seen)
			return 0;
		w->root_seen = true;
		w->root_is_map = ev->type == YAML_MAPPING_START_EVENT;
		if (!w->root_is_map)
			return 1;
	} else if (w->depth <= MAX_FRAMES && w->f[w->depth - 1].is_map) {
		struct frame *p = &w->f[w->depth - 1];
		bool top = w->depth == 1;

		if (p->expect_key) {
			p->key = K_NONE;
			if (ev->type == YAML_SCALAR_EVENT && (top || p->section))
				p->key = key_of(ev, top);
			p->expect_key = false;
		} else {
			p->expect_key = true;
			if (p->key == K_SECTION &&
			    ev->type == YAML_MAPPING_START_EVENT) {
				section_value = true;
				ii->has_section = true;
			} else if (ev->type == YAML_SCALAR_EVENT &&
				   (top || p->section)) {
				size_t sz;
				char *dst = field(ii, w, p->section, p->key, &sz);
				if (dst &&
				    fw_redact_field(dst, sz,
						    (const char *)ev->data.scalar.value,
						    ev->data.scalar.length) < 0)
					return -ENOMEM;
			}
		}
	}
	if (start) {
		if (w->depth < MAX_FRAMES) {
			struct frame *f = &w->f[w->depth];
			memset(f, 0, sizeof(*f));
			f->is_map = ev->type == YAML_MAPPING_START_EVENT;
			f->expect_key = true;
			f->section = section_value;
		}
		w->depth++;
	}
	return 0;
}

static bool blank_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

int fw_installinfo_parse(const char *text, size_t len, struct fw_installinfo *ii,
			 struct fw_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct walk w;
	char *clean;
	size_t clen;
	bool cut;
	int r = 0;

	memset(ii, 0, sizeof(*ii));
	if (!text || blank_only(text, len))
		return fw_err(err, -ENODATA, "install_info: the file is empty");
	memset(&w, 0, sizeof(w));
	if (!yaml_parser_initialize(&parser))
		return fw_err(err, -ENOMEM, "install_info: out of memory");
	/* libyaml refuses a whole file for one NUL or bad byte: feed it a
	 * cleaned copy, and call a NUL-cut file partial. */
	clean = fw_text_clean(text, len, &clen, &cut);
	if (!clean) {
		yaml_parser_delete(&parser);
		return fw_err(err, -ENOMEM, "install_info: out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)clean, clen);

	while (!w.done) {
		yaml_event_type_t type;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				r = fw_err(err, -ENOMEM, "install_info: out of memory");
			} else if (w.root_is_map) {
				ii->partial = true;
			} else {
				r = fw_err(err, -EINVAL,
					   "install_info: not valid YAML (line %lu: %s)",
					   (unsigned long)parser.problem_mark.line + 1,
					   parser.problem ? parser.problem : "error");
			}
			break;
		}
		type = ev.type;
		switch (type) {
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			r = node(ii, &w, &ev);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (w.depth)
				w.depth--;
			break;
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			w.done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0) {
			r = fw_err(err, r, "install_info: out of memory");
			break;
		}
		if (r > 0) {
			r = fw_err(err, -EINVAL,
				   "install_info: the top level is not a mapping");
			break;
		}
	}
	yaml_parser_delete(&parser);
	free(clean);
	if (r) {
		memset(ii, 0, sizeof(*ii));
		return r;
	}
	if (!w.root_seen) {
		/* only comments, or only "---" */
		return fw_err(err, -EINVAL, "install_info: the file holds no YAML mapping");
	}
	if (cut && w.root_is_map)
		ii->partial = true;
	if (!ii->tool[0])
		memcpy(ii->tool, w.top[0], sizeof(ii->tool));
	if (!ii->tool_version[0])
		memcpy(ii->tool_version, w.top[1], sizeof(ii->tool_version));
	if (!ii->installer_version[0])
		memcpy(ii->installer_version, w.top[2], sizeof(ii->installer_version));
	return 0;
}
