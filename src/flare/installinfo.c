/*
 * installinfo.c: walks install_info's YAML events (flare/yamlwalk) and keeps
 * install_method's tool, tool_version and installer_version.
 */
#include "flare/installinfo.h"

#include <errno.h>
#include <string.h>

#include "base/redact.h"
#include "flare/yamlwalk.h"

enum role { R_OTHER, R_SECTION };	/* R_SECTION: the install_method mapping */
enum key { K_NONE, K_SECTION, K_TOOL, K_TOOL_VERSION, K_INSTALLER_VERSION };

struct walk {
	struct fw_installinfo *ii;
	/* keys found at the top level, used when there is no section */
	char top[3][FW_INSTALLINFO_FIELD_MAX + 1];
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
		   int k, size_t *sz)
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

/* fw_yamlwalk's node(): keys and values of the top level and of the
 * install_method mapping. */
static int node(void *ctx, struct fw_yamlwalk_frame *p, size_t depth, bool is_key,
		const yaml_event_t *ev, int *child_role)
{
	struct walk *w = ctx;
	bool top = depth == 1, section = p->role == R_SECTION;

	if (!p->is_map)
		return 0;
	if (is_key) {
		p->key = K_NONE;
		if (ev->type == YAML_SCALAR_EVENT && (top || section))
			p->key = key_of(ev, top);
	} else if (p->key == K_SECTION && ev->type == YAML_MAPPING_START_EVENT) {
		*child_role = R_SECTION;
		w->ii->has_section = true;
	} else if (ev->type == YAML_SCALAR_EVENT && (top || section)) {
		size_t sz;
		char *dst = field(w->ii, w, section, p->key, &sz);
		if (dst &&
		    fw_redact_field(dst, sz, (const char *)ev->data.scalar.value,
				    ev->data.scalar.length) < 0)
			return -ENOMEM;
	}
	return 0;
}

int fw_installinfo_parse(const char *text, size_t len, struct fw_installinfo *ii,
			 struct fw_error *err)
{
	struct walk w = { .ii = ii };
	struct fw_yamlwalk yw = { .what = "install_info", .ctx = &w, .node = node };
	int r;

	memset(ii, 0, sizeof(*ii));
	r = fw_yamlwalk(&yw, text, len, err);
	if (r) {
		memset(ii, 0, sizeof(*ii));
		return r;
	}
	ii->partial = yw.partial;
	if (!ii->tool[0])
		memcpy(ii->tool, w.top[0], sizeof(ii->tool));
	if (!ii->tool_version[0])
		memcpy(ii->tool_version, w.top[1], sizeof(ii->tool_version));
	if (!ii->installer_version[0])
		memcpy(ii->installer_version, w.top[2], sizeof(ii->installer_version));
	return 0;
}
