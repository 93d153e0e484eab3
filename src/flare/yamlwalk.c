/*
 * yamlwalk.c: the libyaml event walk shared by the flare file parsers (see
 * yamlwalk.h).
 */
#include "flare/yamlwalk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"

static bool blank_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

int fw_yamlwalk(struct fw_yamlwalk *w, const char *text, size_t len, struct fw_error *err)
{
	struct fw_yamlwalk_frame f[FW_YAMLWALK_MAX_FRAMES];
	const char *lang = w->json ? "JSON" : "YAML";
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t depth = 0;	/* open collections */
	bool root_is_map = false, done = false, cut;
	char *clean;
	size_t clen;
	int r = 0;

	w->root_seen = false;
	w->partial = false;
	if (!text || blank_only(text, len))
		return fw_err(err, -ENODATA, "%s: the file is empty", w->what);
	if (!yaml_parser_initialize(&parser))
		return fw_err(err, -ENOMEM, "%s: out of memory", w->what);
	/* libyaml refuses a whole file for one NUL or bad byte: feed it a
	 * cleaned copy, and call a NUL-cut file partial. */
	clean = fw_text_clean(text, len, &clen, &cut);
	if (!clean) {
		yaml_parser_delete(&parser);
		return fw_err(err, -ENOMEM, "%s: out of memory", w->what);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)clean, clen);

	while (!done && !r) {
		bool start = false;
		int role = 0;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				r = fw_err(err, -ENOMEM, "%s: out of memory", w->what);
			else if (root_is_map && (!w->keep || w->keep(w->ctx)))
				w->partial = true;
			else
				r = fw_err(err, -EINVAL, "%s: not valid %s (line %lu: %s)", w->what, lang,
					   (unsigned long)parser.problem_mark.line + 1,
					   parser.problem ? parser.problem : "error");
			break;
		}
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			start = true;
			/* fall through */
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			if (depth == 0) {
				/* the root; a second one would follow a
				 * DOCUMENT_END, which ends the walk */
				w->root_seen = true;
				root_is_map = ev.type == YAML_MAPPING_START_EVENT;
				if (!root_is_map)
					r = fw_err(err, -EINVAL, "%s: the top level is not %s", w->what,
						   w->json ? "an object" : "a mapping");
				role = w->root_role;
			} else if (depth <= FW_YAMLWALK_MAX_FRAMES) {
				struct fw_yamlwalk_frame *p = &f[depth - 1];
				bool is_key = p->is_map && p->expect_key;

				if (p->is_map)
					p->expect_key = !p->expect_key;
				r = w->node(w->ctx, p, depth, is_key, &ev, &role);
				if (r < 0)
					r = fw_err(err, r, "%s: out of memory", w->what);
			}
			if (start && !r) {
				if (depth < FW_YAMLWALK_MAX_FRAMES)
					f[depth] = (struct fw_yamlwalk_frame){
						.is_map = ev.type == YAML_MAPPING_START_EVENT,
						.expect_key = true,
						.role = role,
					};
				depth++;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth) {
				depth--;
				if (depth < FW_YAMLWALK_MAX_FRAMES && w->end)
					w->end(w->ctx, &f[depth]);
			}
			break;
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(clean);
	if (!r && !w->root_seen)
		/* only comments, or only "---" */
		r = fw_err(err, -EINVAL, "%s: the file holds no %s", w->what,
			   w->json ? "JSON object" : "YAML mapping");
	if (!r && cut)
		w->partial = true;
	return r;
}
