/*
 * coverage.c: which analyses of a process ran (see coverage.h). It reads
 * what process.c recorded (file states and decoder errors, table errors,
 * the notes of rules it skipped); it measures and judges nothing.
 */
#include "investigate/coverage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fw_analysis_id(enum fw_analysis a)
{
	switch (a) {
	case FW_AN_HEAP_DIFF: return "heap_diff";
	case FW_AN_HEAP_TOP: return "heap_top";
	case FW_AN_CPU: return "cpu";
	case FW_AN_BLOCK: return "block";
	case FW_AN_MUTEX: return "mutex";
	case FW_AN_COUNT: break;
	}
	return "unknown";
}

const char *fw_analysis_name(enum fw_analysis a)
{
	switch (a) {
	case FW_AN_HEAP_DIFF: return "heap diff";
	case FW_AN_HEAP_TOP: return "heap top";
	case FW_AN_CPU: return "CPU";
	case FW_AN_BLOCK: return "block";
	case FW_AN_MUTEX: return "mutex";
	case FW_AN_COUNT: break;
	}
	return "unknown";
}

/* The profile files an analysis reads, and what it produced. */
struct spec {
	enum fw_profile_kind files[2];
	size_t n_files;
};

static const struct spec specs[FW_AN_COUNT] = {
	[FW_AN_HEAP_DIFF] = { { FW_PK_HEAP1, FW_PK_HEAP2 }, 2 },
	[FW_AN_HEAP_TOP] = { { FW_PK_HEAP2 }, 1 },
	[FW_AN_CPU] = { { FW_PK_CPU }, 1 },
	[FW_AN_BLOCK] = { { FW_PK_BLOCK }, 1 },
	[FW_AN_MUTEX] = { { FW_PK_MUTEX }, 1 },
};

static bool ran(const struct fw_process *p, enum fw_analysis a)
{
	switch (a) {
	case FW_AN_HEAP_DIFF: return p->have_heap_diff;
	case FW_AN_HEAP_TOP:
		return p->files[FW_PK_HEAP2].state == FW_PFILE_OK && p->heap_top.present && !p->heap_top.error;
	case FW_AN_CPU: return p->have_cpu;
	case FW_AN_BLOCK: return p->have_block;
	case FW_AN_MUTEX: return p->have_mutex;
	case FW_AN_COUNT: break;
	}
	return false;
}

static const struct fw_top_table *table_of(const struct fw_process *p, enum fw_analysis a)
{
	switch (a) {
	case FW_AN_HEAP_DIFF: return &p->heap_diff_space;
	case FW_AN_HEAP_TOP: return &p->heap_top;
	case FW_AN_CPU: return &p->cpu;
	case FW_AN_BLOCK: return &p->block;
	case FW_AN_MUTEX: return &p->mutex;
	case FW_AN_COUNT: break;
	}
	return NULL;
}

/* The note process.c left when it skipped the rules of files it could read
 * ("<files>: ... the CPU rules are skipped"), or NULL. */
static const char *skip_note(const struct fw_process *p, const char *files)
{
	size_t n = strlen(files);

	for (size_t i = 0; i < p->n_notes; i++)
		if (strncmp(p->notes[i], files, n) == 0 && p->notes[i][n] == ':' && strstr(p->notes[i] + n, "skip"))
			return p->notes[i];
	return NULL;
}

static int item_of(const struct fw_process *p, enum fw_analysis a, struct fw_coverage_item *it)
{
	const struct spec *s = &specs[a];
	struct fw_buf files, reason, brief, first;
	const char *name = p->name ? p->name : "";
	int rc = 0;

	fw_buf_init(&files);
	fw_buf_init(&reason);
	fw_buf_init(&brief);
	fw_buf_init(&first);
	it->ran = ran(p, a);
	it->state = FW_PFILE_OK;
	for (size_t i = 0; i < s->n_files; i++) {
		enum fw_profile_kind k = s->files[i];
		const char *kind = fw_profile_kind_name(k), *err = p->files[k].error;
		enum fw_pfile_state st = p->files[k].state;
		char file[320];

		snprintf(file, sizeof(file), "%.255s-%s.pprof", name, kind);
		fw_buf_printf(&files, "%s%s", i ? ", " : "", file);
		if (st == FW_PFILE_OK || it->ran)
			continue;
		if (it->state == FW_PFILE_OK) {
			it->state = st;
			fw_buf_puts(&first, file);
		}
		fw_buf_puts(&reason, reason.len ? " and " : "");
		fw_buf_puts(&brief, brief.len ? ", " : "");
		switch (st) {
		case FW_PFILE_MISSING:
			fw_buf_printf(&reason, "%s is missing", file);
			fw_buf_printf(&brief, "%s missing", file);
			break;
		case FW_PFILE_EMPTY:
			fw_buf_printf(&reason, "%s is empty (0 bytes)", file);
			fw_buf_printf(&brief, "%s empty", file);
			break;
		case FW_PFILE_CORRUPT:
			/* the decoder's error names the file already */
			if (err && strncmp(err, file, strlen(file)) == 0 && err[strlen(file)] == ':')
				err += strlen(file) + 1;
			while (err && *err == ' ')
				err++;
			fw_buf_printf(&reason, "%s is unreadable%s%s", file, err && *err ? ": " : "",
				      err ? err : "");
			fw_buf_printf(&brief, "%s corrupt", file);
			break;
		case FW_PFILE_OK: break;
		}
	}
	if (!it->ran && it->state == FW_PFILE_OK) {
		/* the files were read, but the analysis could not use them */
		const struct fw_top_table *t = table_of(p, a);
		const char *note = skip_note(p, fw_buf_str(&files));
		if (t && t->error)
			fw_buf_printf(&reason, "%s: %s", fw_buf_str(&files), t->error);
		else if (note)
			fw_buf_puts(&reason, note);
		else
			fw_buf_printf(&reason, "%s: not analyzed", fw_buf_str(&files));
		fw_buf_printf(&brief, "%s unusable", fw_buf_str(&files));
	}
	if (it->ran || it->state == FW_PFILE_OK) {
		if (!(it->file = fw_buf_take(&files)))
			rc = -ENOMEM;
	} else if (!(it->file = fw_buf_take(&first))) {
		rc = -ENOMEM;
	}
	if (rc == 0 && !it->ran && (!(it->reason = fw_buf_take(&reason)) || !(it->brief = fw_buf_take(&brief))))
		rc = -ENOMEM;
	fw_buf_free(&files);
	fw_buf_free(&reason);
	fw_buf_free(&brief);
	fw_buf_free(&first);
	return rc;
}

int fw_coverage_of(const struct fw_process *p, struct fw_coverage *out)
{
	memset(out, 0, sizeof(*out));
	for (enum fw_analysis a = 0; a < FW_AN_COUNT; a++) {
		if (item_of(p, a, &out->a[a]) < 0) {
			fw_coverage_free(out);
			return -ENOMEM;
		}
		out->n_ran += out->a[a].ran;
	}
	return 0;
}

void fw_coverage_free(struct fw_coverage *c)
{
	for (enum fw_analysis a = 0; a < FW_AN_COUNT; a++) {
		free(c->a[a].file);
		free(c->a[a].reason);
		free(c->a[a].brief);
	}
	memset(c, 0, sizeof(*c));
}
