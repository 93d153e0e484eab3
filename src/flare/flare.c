/*
 * flare.c: locating a flare's root and building its model (see flare.h).
 * Every file is opened without following symlinks and read with a size
 * limit; a file that cannot be read is a note in the report, never fatal.
 */
#include "flare/flare.h"
#include "base/redact.h"

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
#define MAX_PFILES 4096	  /* files of profiles/ listed (and analyzed) */
#define MAX_SCAN (1u << 20) /* entries of profiles/ looked at */
#define PROC_MAX 64	  /* longest usable process name */
#define SHOWN 3		  /* names a note shows of a skipped group */
#define SHOWN_LEN 256	  /* bytes of each (a whole file name) */
#define MAX_DEPTH 3
#define STR_(x) #x
#define STR(x) STR_(x)
/* A file time before this (2010-01-01) is no flare's date: the zip's
 * "no time" (1980) or an unset clock. */
#define MIN_FILE_TIME 1262304000

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

static bool holds_flare(const char *dir)
{
	char *a = fw_path_join(dir, "status.log"), *b = fw_path_join(dir, "profiles");
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
		sub = fw_path_join(dir, list[i]->d_name);
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
	char *path = fw_path_join(f->root, rel);
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

const char *fw_profile_kind_name(enum fw_profile_kind k)
{
	static const char *const names[FW_PK_COUNT] = {
		[FW_PK_HEAP1] = "1st-heap", [FW_PK_CPU] = "cpu", [FW_PK_HEAP2] = "2nd-heap",
		[FW_PK_BLOCK] = "block", [FW_PK_MUTEX] = "mutex",
	};
	return (unsigned)k < FW_PK_COUNT ? names[k] : NULL;
}

/* "<proc>-<kind>.pprof" -> proc, for the kinds the runbook reads. */
static bool proc_of(const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	for (int i = 0; i < FW_PK_COUNT; i++) {
		char suffix[32];
		size_t k = (size_t)snprintf(suffix, sizeof(suffix), "-%s.pprof", fw_profile_kind_name(i));
		if (n > k && strcmp(name + n - k, suffix) == 0 && n - k < outsz) {
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

/* One entry of profiles/ while it is scanned. */
struct pentry {
	char *name;	/* as on disk */
	uint64_t size;
	int64_t mtime;
	bool regular;
	int rank;	/* selection order: see pentry_rank() */
	int unusable;	/* why a profile's name gives no process: 1 + UNUSABLE_* */
};

enum { UNUSABLE_LONG, UNUSABLE_CHARS, UNUSABLE_SECRET, N_UNUSABLE };

/* Why the process name proc (from a profile file's name) cannot be used:
 * 0 (it can), 1 + UNUSABLE_*, or -ENOMEM. It goes into paths and file
 * names of the report, so it must be short, made of [A-Za-z0-9._-] and be
 * its own redaction. */
static int proc_unusable(const char *proc)
{
	char safe[PROC_MAX + 16], *red;
	size_t len;
	int why = 0;

	if (strlen(proc) > PROC_MAX)
		return 1 + UNUSABLE_LONG;
	safe_hostname(proc, safe, sizeof(safe));
	if (strcmp(safe, proc) != 0)
		return 1 + UNUSABLE_CHARS;
	if (!(red = fw_redact(proc, strlen(proc), &len)))
		return -ENOMEM;
	if (strcmp(red, proc) != 0)
		why = 1 + UNUSABLE_SECRET;
	free(red);
	return why;
}

/* Selection order when profiles/ holds more than MAX_PFILES files: the
 * profiles of core, then trace, then of other usable processes, then the
 * profiles whose process name is unusable, then every other file; by
 * name within each. */
static int pentry_rank(struct pentry *e)
{
	char proc[256];
	int r;

	e->rank = 4;
	if (!e->regular || !proc_of(e->name, proc, sizeof(proc)))
		return 0;
	if ((r = proc_unusable(proc)) < 0)
		return r;
	e->unusable = r;
	e->rank = r ? 3 : proc_rank(proc);
	return 0;
}

static int cmp_pentry(const void *a, const void *b)
{
	const struct pentry *x = a, *y = b;
	return x->rank != y->rank ? x->rank - y->rank : strcmp(x->name, y->name);
}

/* A group of skipped entries, noted as its count and its first names. */
struct skipped {
	const char *why;
	size_t n;
	char shown[SHOWN][SHOWN_LEN];
};

static int skip(struct skipped *s, const char *name)
{
	if (s->n < SHOWN && fw_redact_field(s->shown[s->n], SHOWN_LEN, name, strlen(name)) < 0)
		return -ENOMEM;
	s->n++;
	return 0;
}

static int note_skipped(struct fw_flare *f, const struct skipped *s)
{
	char names[SHOWN * (SHOWN_LEN + 4) + 8] = "";
	size_t k = 0;

	if (s->n == 0)
		return 0;
	for (size_t i = 0; i < s->n && i < SHOWN; i++)
		k += (size_t)snprintf(names + k, sizeof(names) - k, "%s\"%s\"", i ? ", " : "",
				      s->shown[i]);
	return add_note(f, "profiles/: %zu %s %s: %s%s", s->n, s->n == 1 ? "entry" : "entries", s->why,
			names, s->n > SHOWN ? ", ..." : "");
}

static void free_pentries(struct pentry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

/* Reads the entries of profiles/ (at most MAX_SCAN). */
static int read_pentries(struct fw_flare *f, struct pentry **out, size_t *count, bool *cut,
			 struct skipped *hidden)
{
	struct pentry *e = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	*cut = false;
	d = opendir(f->profiles_dir);
	if (!d) {
		*out = NULL;
		*count = 0;
		return add_note(f, "profiles/ could not be opened: %s", strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.') {
			if ((r = skip(hidden, de->d_name)) < 0)
				break;
			continue;
		}
		if (n >= MAX_SCAN) {
			*cut = true;
			break;
		}
		if (fw_grow((void **)&e, &cap, n + 1, sizeof(*e)) < 0 ||
		    !(e[n].name = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		e[n].regular = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			       S_ISREG(st.st_mode);
		e[n].size = e[n].regular ? (uint64_t)st.st_size : 0;
		e[n].mtime = e[n].regular ? (int64_t)st.st_mtime : 0;
		e[n].unusable = 0;
		n++;
		if ((r = pentry_rank(&e[n - 1])) < 0)
			break;
	}
	closedir(d);
	if (r < 0) {
		free_pentries(e, n);
		return r;
	}
	*out = e;
	*count = n;
	return 0;
}

/* Lists profiles/: at most MAX_PFILES regular files, chosen in a fixed
 * order (cmp_pentry), and the processes their names give. Every entry
 * left out, and every profile whose process name cannot be used, is in a
 * note (how many, and the first names). */
static int scan_profiles(struct fw_flare *f, int64_t *newest)
{
	struct skipped hidden = { .why = "hidden (name starting with '.'), skipped" },
		       notreg = { .why = "of a kind other than a regular file (folder, symlink, ...), skipped" },
		       over = { .why = "over the limit of " STR(MAX_PFILES) " files, not listed or analyzed" },
		       badproc[N_UNUSABLE] = { { .why = "with a process name over 64 characters, not analyzed" },
				      { .why = "with a process name of characters outside [A-Za-z0-9._-], "
					       "not analyzed" },
				      { .why = "with a process name holding a secret, not analyzed" } };
	struct pentry *e = NULL;
	size_t n = 0;
	bool cut;
	int r;

	*newest = 0;
	if (!(f->profiles_dir = fw_path_join(f->root, "profiles")))
		return -ENOMEM;
	f->has_profiles = is_dir(f->profiles_dir);
	if (!f->has_profiles)
		return 0;
	if ((r = read_pentries(f, &e, &n, &cut, &hidden)) < 0)
		return r;
	fw_qsort(e, n, sizeof(*e), cmp_pentry);
	if (n && !(f->pfiles = calloc(n < MAX_PFILES ? n : MAX_PFILES, sizeof(*f->pfiles))))
		r = -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		char proc[256];
		size_t len;

		if (!e[i].regular) {
			r = skip(&notreg, e[i].name);
			continue;
		}
		if (f->n_pfiles >= MAX_PFILES) {
			r = skip(&over, e[i].name);
			continue;
		}
		if (!(f->pfiles[f->n_pfiles].name = fw_redact(e[i].name, strlen(e[i].name), &len))) {
			r = -ENOMEM;
			break;
		}
		f->pfiles[f->n_pfiles++].size = e[i].size;
		if (e[i].mtime > *newest)
			*newest = e[i].mtime;
		if (e[i].unusable)
			r = skip(&badproc[e[i].unusable - 1], e[i].name);
		if (r == 0 && e[i].rank < 3 && proc_of(e[i].name, proc, sizeof(proc)))
			r = add_proc(f, proc);
	}
	free_pentries(e, n);
	if (r < 0)
		return r;
	if (cut && (r = add_note(f, "profiles/ holds more than %u entries; only the first %u read "
				    "were considered", MAX_SCAN, MAX_SCAN)) < 0)
		return r;
	if ((r = note_skipped(f, &hidden)) < 0 || (r = note_skipped(f, &notreg)) < 0 ||
	    (r = note_skipped(f, &over)) < 0)
		return r;
	for (size_t i = 0; i < N_UNUSABLE; i++)
		if ((r = note_skipped(f, &badproc[i])) < 0)
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

	if ((r = read_text(f, "version-history.json", MAX_TEXT, &data, &len)) == -ENOMEM)
		return r;
	if (r == 0) {
		r = fw_vhist_parse(data, len, &f->vhist, &e);
		free(data);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && add_note(f, "%s", e.msg) < 0)
			return -ENOMEM;
		f->has_vhist = r == 0;
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

	if ((r = read_text(f, "expvar/trace-agent", MAX_TEXT, &data, &len)) == -ENOMEM)
		return r;
	if (r == 0) {
		r = fw_memstats_parse_vars(data, len, &f->trace_mem, &f->trace_uptime_sec, &f->has_trace_uptime, &e);
		free(data);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && add_note(f, "expvar/trace-agent: %s", e.msg) < 0)
			return -ENOMEM;
		f->has_trace_memstats = r == 0;
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

/* A file time that may date the flare: not before 2010, not in the
 * future (a day of clock skew allowed). */
static bool plausible_file_time(int64_t t)
{
	return t >= MIN_FILE_TIME && t <= (int64_t)time(NULL) + 86400;
}

/* Dates the flare: status.log's status date, else the date in the flare's
 * file name (or its root folder's), else the modification time of
 * status.log or of the newest profile (extract.c keeps the zip's times),
 * else the time of the analysis. Anything but status.log is a note. */
static int date_flare(struct fw_flare *f, const char *name_hint, int64_t newest_profile)
{
	struct stat st;
	int64_t t = 0;
	char *p;

	if (f->has_status && f->status.status_date.has_ms) {
		f->time_ms = f->status.status_date.unix_ms;
		f->time_source = "status.log";
		return 0;
	}
	if ((name_hint && fw_flare_time_from_name(name_hint, &f->time_ms)) ||
	    fw_flare_time_from_name(f->root, &f->time_ms)) {
		f->time_source = "file name";
		return add_note(f, "status.log gives no date: the flare is dated from its file name");
	}
	if (!(p = fw_path_join(f->root, "status.log")))
		return -ENOMEM;
	if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
		t = (int64_t)st.st_mtime;
	free(p);
	if (plausible_file_time(t)) {
		f->time_ms = t * 1000;
		f->time_source = "file time";
		return add_note(f, "status.log and the file name give no date: the flare is dated from "
				   "the modification time of status.log");
	}
	if (plausible_file_time(newest_profile)) {
		f->time_ms = newest_profile * 1000;
		f->time_source = "file time";
		return add_note(f, "status.log and the file name give no date: the flare is dated from "
				   "the modification time of its newest profile");
	}
	f->time_ms = (int64_t)time(NULL) * 1000;
	f->time_source = "unknown";
	return add_note(f, "the flare's date is unknown (not in status.log, its file name or its file "
			   "times): the report is dated with the time of the analysis");
}

/* The flare's hostname, safe for paths: status.log's, else the name of
 * the folder holding the flare (the agent names it after the host), else
 * the flare's file name without ".zip", else "unknown-host". Anything but
 * status.log is a note. */
static int name_host(struct fw_flare *f, const char *dir, const char *name_hint)
{
	char host[80];
	const char *from, *src = NULL;
	char *red = NULL;
	size_t len, dl = strlen(dir);

	if (f->has_status && f->status.hostname[0]) {
		safe_hostname(f->status.hostname, host, sizeof(host));
		return (f->hostname = strdup(host)) ? 0 : -ENOMEM;
	}
	/* a root below dir is a host folder; dir itself is ours (a
	 * temporary folder) or the flare's whole folder */
	if (strncmp(f->root, dir, dl) == 0 && f->root[dl] == '/' && f->root[dl + 1]) {
		src = strrchr(f->root, '/') + 1;
		len = strlen(src);
		from = "the name of its folder";
	} else if (name_hint && name_hint[0]) {
		src = name_hint;
		len = strlen(src);
		if (len > 4 && strcmp(src + len - 4, ".zip") == 0)
			len -= 4;
		from = "the flare's file or folder name";
	}
	if (src) {
		if (!(red = fw_redact(src, len, &len)))
			return -ENOMEM;
		safe_hostname(red, host, sizeof(host));
		free(red);
	}
	if (!src || strcmp(host, "unknown") == 0) {
		snprintf(host, sizeof(host), "unknown-host");
		from = NULL;
	}
	if (!(f->hostname = strdup(host)))
		return -ENOMEM;
	if (from)
		return add_note(f, "status.log gives no hostname: the flare is named after %s", from);
	return add_note(f, "the flare's hostname is unknown (not in status.log, its folder or file "
			   "name): it is called unknown-host");
}

int fw_flare_open(const char *dir, const char *name_hint, unsigned goroutine_wait_minutes,
		  struct fw_flare *f, struct fw_error *err)
{
	int64_t newest = 0;
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
	if ((r = parse_files(f, goroutine_wait_minutes)) < 0 || (r = scan_profiles(f, &newest)) < 0 ||
	    (r = name_host(f, dir, name_hint)) < 0 || (r = date_flare(f, name_hint, newest)) < 0)
		goto oom;
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
	fw_vhist_free(&f->vhist);
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
