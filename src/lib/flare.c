/*
 * flare.c: locating a flare's root and building its model (see flare.h).
 * Every file is opened without following symlinks and read with a size
 * limit; a file that cannot be read is a note in the report, never fatal.
 */
#include "flare.h"
#include "redact.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_TEXT (64u << 20)	   /* status.log, install_info, memstats */
#define MAX_GOROUTINES (256u << 20) /* go-routine-dump.log */
#define MAX_PFILES 4096
#define MAX_DEPTH 3

static int nomem(struct fw_error *err)
{
	return fw_err(err, -ENOMEM, "out of memory reading the flare");
}

static int add_note(struct fw_flare *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_note(struct fw_flare *f, const char *fmt, ...)
{
	char buf[1024];
	char **n;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = realloc(f->notes, (f->n_notes + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	f->notes = n;
	if (!(n[f->n_notes] = fw_redact(buf, strlen(buf), &len)))
		return -ENOMEM;
	f->n_notes++;
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static bool holds_flare(const char *dir)
{
	char *a = join(dir, "status.log"), *b = join(dir, "profiles");
	bool r = (a && is_file(a)) || (b && is_dir(b));
	free(a);
	free(b);
	return r;
}

/* Breadth-first search, MAX_DEPTH levels, for folders holding a flare.
 * Returns the number found (the first, by name, in *out). */
static int find_root(const char *dir, int depth, char **out)
{
	struct dirent **list = NULL;
	int n, found = 0;

	if (holds_flare(dir)) {
		if (!*out && !(*out = strdup(dir)))
			return -ENOMEM;
		return 1;
	}
	if (depth >= MAX_DEPTH)
		return 0;
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char *sub;
		int r;
		if (list[i]->d_name[0] == '.' || found < 0) {
			free(list[i]);
			continue;
		}
		sub = join(dir, list[i]->d_name);
		free(list[i]);
		if (!sub) {
			found = -ENOMEM;
			continue;
		}
		if (is_dir(sub)) {
			r = find_root(sub, depth + 1, out);
			found = r < 0 ? r : found + r;
		}
		free(sub);
	}
	free(list);
	return found;
}

/* Reads a regular file (no symlinks) of at most max bytes. Returns 0 and
 * data, -ENOENT when absent, or another error with a note already added. */
static int read_text(struct fw_flare *f, const char *rel, size_t max, char **data, size_t *len)
{
	struct fw_error e;
	char *path = join(f->root, rel);
	uint8_t *d;
	int r;

	if (!path)
		return -ENOMEM;
	if (!is_file(path)) {
		bool exists = access(path, F_OK) == 0;
		free(path);
		if (exists && add_note(f, "%s is not a regular file; skipped", rel) < 0)
			return -ENOMEM;
		return -ENOENT;
	}
	r = fw_read_file(path, max, &d, len, &e);
	free(path);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (add_note(f, "%s could not be read: %s", rel,
			     strerror(r == -EFBIG ? EFBIG : -r)) < 0)
			return -ENOMEM;
		return r;
	}
	*data = (char *)d;
	return 0;
}

static void safe_hostname(const char *in, char *out, size_t outsz)
{
	size_t k = 0;
	for (size_t i = 0; in[i] && k + 1 < outsz && k < 64; i++) {
		char c = in[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '-' || c == '_';
		out[k++] = ok ? c : '_';
	}
	out[k] = 0;
	if (k == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		snprintf(out, outsz, "unknown");
}

bool fw_flare_time_from_name(const char *name, int64_t *ms)
{
	const char *p = name;
	while ((p = strstr(p, "datadog-agent-")) != NULL) {
		struct tm tm;
		int y, mo, d, h, mi, s;
		char sep;
		p += strlen("datadog-agent-");
		memset(&tm, 0, sizeof(tm));
		if (sscanf(p, "%4d-%2d-%2d%c%2d-%2d-%2d", &y, &mo, &d, &sep, &h, &mi, &s) != 7 ||
		    (sep != 'T' && sep != '-') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
		    mi > 59 || s > 60 || y < 1970 || y > 9999)
			continue;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
		*ms = (int64_t)timegm(&tm) * 1000;
		return true;
	}
	return false;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct fw_flare_file *)a)->name, ((const struct fw_flare_file *)b)->name);
}

static int proc_rank(const char *p)
{
	return strcmp(p, "core") == 0 ? 0 : strcmp(p, "trace") == 0 ? 1 : 2;
}

static int cmp_proc(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int rx = proc_rank(x), ry = proc_rank(y);
	return rx != ry ? rx - ry : strcmp(x, y);
}

/* "<proc>-<kind>.pprof" -> proc, for the kinds the runbook reads. */
static bool proc_of(const char *name, char *out, size_t outsz)
{
	static const char *const kinds[] = { "-1st-heap.pprof", "-2nd-heap.pprof", "-cpu.pprof",
					     "-block.pprof", "-mutex.pprof" };
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t k = strlen(kinds[i]);
		if (n > k && strcmp(name + n - k, kinds[i]) == 0 && n - k < outsz) {
			memcpy(out, name, n - k);
			out[n - k] = 0;
			return true;
		}
	}
	return false;
}

static int add_proc(struct fw_flare *f, const char *proc)
{
	char **n;
	for (size_t i = 0; i < f->n_procs; i++)
		if (strcmp(f->procs[i], proc) == 0)
			return 0;
	n = realloc(f->procs, (f->n_procs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	f->procs = n;
	if (!(n[f->n_procs] = strdup(proc)))
		return -ENOMEM;
	f->n_procs++;
	return 0;
}

static int scan_profiles(struct fw_flare *f)
{
	DIR *d;
	struct dirent *de;
	size_t cap = 0;
	int r = 0;

	if (!(f->profiles_dir = join(f->root, "profiles")))
		return -ENOMEM;
	f->has_profiles = is_dir(f->profiles_dir);
	if (!f->has_profiles)
		return 0;
	d = opendir(f->profiles_dir);
	if (!d)
		return add_note(f, "profiles/ could not be opened: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char proc[256];
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
			if ((r = add_note(f, "profiles/%s is not a regular file; skipped", de->d_name)) < 0)
				break;
			continue;
		}
		if (f->n_pfiles >= MAX_PFILES) {
			r = add_note(f, "profiles/ holds more than %u files; the rest are not listed", MAX_PFILES);
			break;
		}
		if (fw_grow((void **)&f->pfiles, &cap, f->n_pfiles + 1, sizeof(*f->pfiles)) < 0 ||
		    !(f->pfiles[f->n_pfiles].name = fw_redact(de->d_name, strlen(de->d_name), &len))) {
			r = -ENOMEM;
			break;
		}
		f->pfiles[f->n_pfiles++].size = (uint64_t)st.st_size;
		/* Only names that are their own redaction can name a process:
		 * the name goes into paths and file names of the report. */
		if (proc_of(de->d_name, proc, sizeof(proc)) && strcmp(f->pfiles[f->n_pfiles - 1].name,
								      de->d_name) == 0) {
			char safe[128];
			safe_hostname(proc, safe, sizeof(safe));
			if (strcmp(safe, proc) == 0 && (r = add_proc(f, proc)) < 0)
				break;
		}
	}
	closedir(d);
	if (r < 0)
		return r;
	fw_qsort(f->pfiles, f->n_pfiles, sizeof(*f->pfiles), cmp_file);
	fw_qsort(f->procs, f->n_procs, sizeof(*f->procs), cmp_proc);
	return 0;
}

static int parse_files(struct fw_flare *f, unsigned wait_minutes)
{
	struct fw_error e;
	char *data = NULL;
	size_t len;
	int r;

	if ((r = read_text(f, "status.log", MAX_TEXT, &data, &len)) == -ENOMEM)
		return r;
	if (r == 0) {
		r = fw_status_parse(data, len, &f->status, &e);
		free(data);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && add_note(f, "status.log: %s", e.msg) < 0)
			return -ENOMEM;
		f->has_status = r == 0;
	} else if (r == -ENOENT && add_note(f, "status.log is missing") < 0) {
		return -ENOMEM;
	}

	r = read_text(f, "install_info.log", MAX_TEXT, &data, &len);
	if (r == -ENOENT)
		r = read_text(f, "install_info", MAX_TEXT, &data, &len);
	if (r == -ENOMEM)
		return r;
	if (r == 0) {
		r = fw_installinfo_parse(data, len, &f->install, &e);
		free(data);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && add_note(f, "install_info: %s", e.msg) < 0)
			return -ENOMEM;
		f->has_install = r == 0;
	}

	if ((r = read_text(f, "expvar/memstats", MAX_TEXT, &data, &len)) == -ENOMEM)
		return r;
	if (r == 0) {
		r = fw_memstats_parse(data, len, &f->mem, &e);
		free(data);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && add_note(f, "expvar/memstats: %s", e.msg) < 0)
			return -ENOMEM;
		f->has_memstats = r == 0;
	}

	if ((r = read_text(f, "go-routine-dump.log", MAX_GOROUTINES, &data, &len)) == -ENOMEM)
		return r;
	if (r == 0) {
		r = fw_goroutines_parse(data, len, wait_minutes, &f->gor, &e);
		free(data);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && add_note(f, "go-routine-dump.log: %s", e.msg) < 0)
			return -ENOMEM;
		f->has_goroutines = r == 0;
	}
	return 0;
}

static void date_flare(struct fw_flare *f, const char *name_hint)
{
	struct stat st;
	char *p;

	if (f->has_status && f->status.status_date.has_ms) {
		f->time_ms = f->status.status_date.unix_ms;
		f->time_source = "status.log";
		return;
	}
	if ((name_hint && fw_flare_time_from_name(name_hint, &f->time_ms)) ||
	    fw_flare_time_from_name(f->root, &f->time_ms)) {
		f->time_source = "file name";
		return;
	}
	p = join(f->root, "status.log");
	if (p && lstat(p, &st) == 0) {
		f->time_ms = (int64_t)st.st_mtime * 1000;
		f->time_source = "file time";
	} else {
		f->time_ms = (int64_t)time(NULL) * 1000;
		f->time_source = "now";
	}
	free(p);
}

int fw_flare_open(const char *dir, const char *name_hint, unsigned goroutine_wait_minutes,
		  struct fw_flare *f, struct fw_error *err)
{
	char host[80];
	int r;

	memset(f, 0, sizeof(*f));
	r = find_root(dir, 0, &f->root);
	if (r < 0)
		return nomem(err);
	if (r == 0)
		return fw_err(err, -ENOENT,
			      "no status.log or profiles/ found: this does not look like a Datadog Agent flare");
	if (r > 1 && add_note(f, "several folders look like flare roots; analyzed %s",
			      f->root + (strncmp(f->root, dir, strlen(dir)) == 0 ? strlen(dir) : 0)) < 0)
		goto oom;
	if ((r = parse_files(f, goroutine_wait_minutes)) < 0 || (r = scan_profiles(f)) < 0)
		goto oom;
	if (f->has_status && f->status.hostname[0]) {
		safe_hostname(f->status.hostname, host, sizeof(host));
	} else {
		const char *base = strrchr(f->root, '/');
		char *red;
		size_t len;
		base = base ? base + 1 : f->root;
		if (!(red = fw_redact(base, strlen(base), &len)))
			goto oom;
		safe_hostname(red, host, sizeof(host));
		free(red);
	}
	if (!(f->hostname = strdup(host)))
		goto oom;
	date_flare(f, name_hint);
	return 0;
oom:
	fw_flare_free(f);
	return nomem(err);
}

void fw_flare_free(struct fw_flare *f)
{
	free(f->root);
	free(f->hostname);
	if (f->has_status)
		fw_status_free(&f->status);
	free(f->profiles_dir);
	for (size_t i = 0; i < f->n_pfiles; i++)
		free(f->pfiles[i].name);
	free(f->pfiles);
	for (size_t i = 0; i < f->n_procs; i++)
		free(f->procs[i]);
	free(f->procs);
	for (size_t i = 0; i < f->n_notes; i++)
		free(f->notes[i]);
	free(f->notes);
	memset(f, 0, sizeof(*f));
}
