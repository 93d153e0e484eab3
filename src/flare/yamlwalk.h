/*
 * yamlwalk.h: one walk over a flare file's libyaml events, shared by the
 * parsers of install_info, memstats and version-history.json.
 *
 * The walker cleans the text (base/redact's fw_text_clean: libyaml refuses a
 * whole file for one NUL or bad byte), requires the first document's root to
 * be a mapping, keeps one frame per open collection (up to
 * FW_YAMLWALK_MAX_FRAMES deep; deeper ones are only counted) and hands every
 * node inside the root to the caller's node() with the frame of the
 * collection that holds it. The caller labels collections with roles (the
 * root's is root_role; node() sets the role of a collection it starts) and
 * may keep the pending key of a mapping in its frame's `key`.
 */
#ifndef FW_FLARE_YAMLWALK_H
#define FW_FLARE_YAMLWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "base/util.h"

#define FW_YAMLWALK_MAX_FRAMES 64

struct fw_yamlwalk_frame {
	bool is_map;
	bool expect_key;	/* mappings: the next node is a key */
	int role;		/* the caller's label; 0 unless set */
	int key;		/* mappings: the caller's label of the pending key */
};

struct fw_yamlwalk {
	/* set by the caller */
	const char *what;	/* the file, first word of every error message */
	bool json;		/* messages say JSON/object instead of YAML/mapping */
	int root_role;		/* role of the root mapping's frame */
	void *ctx;
	/* A node (scalar, alias or collection start) in `parent` (depth: 1 for
	 * the root's own nodes; at most FW_YAMLWALK_MAX_FRAMES), a key when
	 * is_key. For a collection start, *child_role (0 on entry) becomes its
	 * frame's role. Returns 0 or -ENOMEM. */
	int (*node)(void *ctx, struct fw_yamlwalk_frame *parent, size_t depth, bool is_key,
		    const yaml_event_t *ev, int *child_role);
	/* optional: a collection of at most FW_YAMLWALK_MAX_FRAMES depth closed */
	void (*end)(void *ctx, const struct fw_yamlwalk_frame *closed);
	/* optional: after a syntax error, whether what was read is kept (the
	 * walk succeeds, partial); NULL keeps it whenever the root is a mapping */
	bool (*keep)(void *ctx);

	/* results */
	bool root_seen;
	bool partial;		/* cut at a NUL, or kept after a syntax error */
};

/* Walks text[0..len). Returns 0; -ENODATA for blank text, -EINVAL when it is
 * not valid YAML/JSON (and not kept), its root is not a mapping or there is
 * no root; -ENOMEM; or node()'s error; every error is set in err, named by
 * w->what. */
int fw_yamlwalk(struct fw_yamlwalk *w, const char *text, size_t len, struct fw_error *err);

#endif
