/*
 * symbolize.c: pprof's notes on local binaries (see symbolize.h): Go 1.19's
 * vendored pprof internal/driver/fetch.go locateBinaries,
 * internal/symbolizer/symbolizer.go newMapping, profile.Mapping's
 * Unsymbolizable, and cmd/pprof's objTool.Open (cmd/internal/objfile.Open).
 */
#include "pprof/symbolize.h"
#include "base/util.h"
#include "pprof/report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* At most this many entries of a D/BUILDID/ folder are tried, and this
 * many files for the whole profile (pprof: all; a hostile profile's build
 * IDs could name big folders, over and over). */
#define GLOB_MAX 4096
#define PROBE_MAX 65536

/* A byte string that may hold NUL bytes (names from a profile). */
struct bstr {
	const char *s;
	size_t n;
};

static struct bstr pstr(const struct fw_profile *p, uint32_t i)
{
	return (struct bstr){ fw_pstr(p, i), fw_strlen(&p->strings, i) };
}

/* ---- Go's path/filepath (Unix) ------------------------------------------- */

/* filepath.Join of up to 3 elements into out (emptied first): the
 * non-empty ones joined with '/', cleaned; "" when all are empty. */
static void go_join(struct fw_buf *out, struct bstr a, struct bstr b, struct bstr c)
{
	struct bstr e[3] = { a, b, c };
	struct fw_buf raw;

	out->len = 0;
	fw_buf_init(&raw);
	for (size_t i = 0; i < 3; i++) {
		if (!e[i].n)
			continue;
		if (raw.len)
			fw_buf_putc(&raw, '/');
		fw_buf_putn(&raw, e[i].s, e[i].n);
	}
	if (raw.failed)
		out->failed = true;
	else if (raw.len)
		fw_path_clean(raw.data, raw.len, out);
	fw_buf_putc(out, 0); /* a terminator for the system calls */
	if (!out->failed)
		out->len--;
	fw_buf_free(&raw);
}

/* filepath.Base: "" -> ".", trailing slashes dropped, "/" for only slashes. */
static struct bstr go_base(struct bstr p)
{
	size_t n;
	const char *b = fw_path_base_n(p.s, p.n, &n);

	return (struct bstr){ b, n };
}

/* ---- objTool.Open ---------------------------------------------------------- */

enum probe {
	PROBE_ERRNO,	 /* open fails: "open PATH: <errno>" */
	PROBE_NOT_OBJECT, /* "open PATH: unrecognized object file" */
	PROBE_OBJECT,	 /* a magic number one of objfile's readers accepts */
	PROBE_SPECIAL,	 /* neither a regular file nor a folder: not opened */
};

/* Whether the first n bytes (of a file of size bytes) start an object file
 * for one of cmd/internal/objfile's readers: a Go archive or object
 * ("!<arch>\n", "go objec"), ELF, Mach-O (32/64-bit, either byte order),
 * PE (MZ, or a COFF header of a machine debug/pe accepts, 96 bytes at
 * least), Plan 9 (386, amd64, arm), XCOFF (32/64). */
static bool object_magic(const unsigned char *h, size_t n, off_t size)
{
	uint32_t be = n >= 4 ? (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3] : 0;
	uint32_t le = n >= 4 ? (uint32_t)h[3] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[1] << 8 | h[0] : 0;
	unsigned machine = n >= 2 ? (unsigned)h[1] << 8 | h[0] : 1;

	if (n >= 8 && (!memcmp(h, "!<arch>\n", 8) || !memcmp(h, "go objec", 8)))
		return true;
	if (n >= 4 && (!memcmp(h, "\177ELF", 4) || (be & ~1u) == 0xfeedface || (le & ~1u) == 0xfeedface))
		return true;
	if (size >= 96 && n >= 2 &&
	    ((h[0] == 'M' && h[1] == 'Z') || machine == 0x8664 || machine == 0xaa64 || machine == 0x1c4 ||
	     machine == 0x14c || machine == 0))
		return true;
	if (n >= 4 && (be == 0x1eb || be == 0x8a97 || be == 0x647))
		return true;
	return n >= 2 && h[0] == 0x01 && (h[1] == 0xdf || h[1] == 0xf7);
}

/* What opening path (len bytes, NUL-terminated after) as an object file
 * gives; *err_no for PROBE_ERRNO. Reads at most 8 bytes of a regular file. */
static enum probe probe(const char *path, size_t len, int *err_no)
{
	unsigned char head[8];
	struct stat st;
	ssize_t got = 0;
	int fd;

	if (memchr(path, 0, len)) { /* Go refuses a name holding a NUL byte */
		*err_no = EINVAL;
		return PROBE_ERRNO;
	}
	if (stat(path, &st) < 0) {
		*err_no = errno;
		return PROBE_ERRNO;
	}
	if (S_ISDIR(st.st_mode)) { /* opens, but no reader accepts it */
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			*err_no = errno;
			return PROBE_ERRNO;
		}
		close(fd);
		return PROBE_NOT_OBJECT;
	}
	if (!S_ISREG(st.st_mode))
		return PROBE_SPECIAL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
		*err_no = errno;
		return PROBE_ERRNO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return PROBE_SPECIAL;
	}
	while (got < (ssize_t)sizeof(head)) {
		ssize_t k = read(fd, head + got, sizeof(head) - (size_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += k;
	}
	close(fd);
	return object_magic(head, (size_t)got, st.st_size) ? PROBE_OBJECT : PROBE_NOT_OBJECT;
}

/* Go's text of a system error (its table: glibc's, lower case). */
static void put_errno(struct fw_buf *b, int e)
{
	static const struct {
		int e;
		const char *text;
	} go[] = {
		{ ENOENT, "no such file or directory" },
		{ EACCES, "permission denied" },
		{ ENOTDIR, "not a directory" },
		{ ELOOP, "too many levels of symbolic links" },
		{ ENAMETOOLONG, "file name too long" },
		{ EINVAL, "invalid argument" },
		{ EPERM, "operation not permitted" },
		{ EIO, "input/output error" },
		{ ENXIO, "no such device or address" },
		{ EOVERFLOW, "value too large for defined data type" },
		{ EMFILE, "too many open files" },
		{ ENFILE, "too many open files in system" },
		{ ENOMEM, "cannot allocate memory" },
	};
	const char *t = strerror(e);

	for (size_t i = 0; i < sizeof(go) / sizeof(go[0]); i++)
		if (go[i].e == e) {
			fw_buf_puts(b, go[i].text);
			return;
		}
	fw_buf_putc(b, t[0] >= 'A' && t[0] <= 'Z' ? (char)(t[0] - 'A' + 'a') : t[0]);
	if (t[0])
		fw_buf_puts(b, t + 1);
}

/* A name from the profile as one line of text: each unsafe character and
 * invalid byte escaped (outtext.h's escapes; NUL, newline and ESC
 * included), cut after FW_OUT_TEXT_MAX bytes. Not redacted: pprof prints
 * these names, and its reports print the same names raw on stdout (top's
 * "File:"); the redactor would hide every 40-hex-digit GNU build ID. */
static void put_name(struct fw_buf *b, struct bstr s)
{
	size_t len = fw_utf8_cut(s.s, s.n, FW_OUT_TEXT_MAX);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = fw_utf8_decode(s.s + i, len - i, &cp);

		if (l == 0) {
			fw_buf_put_escape(b, (unsigned char)s.s[i], true);
			i++;
		} else if (fw_cp_unsafe(cp)) {
			fw_buf_put_escape(b, cp, false);
			i += l;
		} else {
			fw_buf_putn(b, s.s + i, l);
			i += l;
		}
	}
	fw_buf_put_cut(b, s.n - len);
}

/* ---- locateBinaries -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_meta(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return true;
	return false;
}

/* One candidate: PROBE_OBJECT decides the mapping (true returned). */
struct locate {
	struct bstr file, build_id;
	struct fw_buf *notes;
	char **found; /* the mapping's new file, malloc'd */
	bool done;
	size_t *probes; /* files tried so far, for the whole profile */
};

static void try_candidate(struct locate *l, const char *path, size_t len)
{
	int e;

	if (!path || l->done || *l->probes >= PROBE_MAX)
		return;
	if (++*l->probes == PROBE_MAX)
		fw_buf_printf(l->notes, "flarewatch: not looking for more local binaries (%d files tried)\n",
			      PROBE_MAX);
	if (probe(path, len, &e) != PROBE_OBJECT)
		return;
	if (l->build_id.n) { /* objTool's files have no build ID */
		fw_buf_puts(l->notes, "Ignoring local file ");
		put_name(l->notes, (struct bstr){ path, len });
		fw_buf_puts(l->notes, ": build-id mismatch (");
		put_name(l->notes, l->build_id);
		fw_buf_puts(l->notes, " != )\n");
		return;
	}
	if (!(*l->found = strdup(path)))
		l->notes->failed = true;
	l->done = true;
}

static void try_buf(struct locate *l, const struct fw_buf *c)
{
	if (!c->failed)
		try_candidate(l, c->data, c->len);
}

/* filepath.Glob of D/BUILDID/ and "*": the folder's entries, sorted. pprof reads
 * a folder name holding a glob metacharacter as a pattern; flarewatch
 * tries no entry then. */
static void try_glob(struct locate *l, const struct fw_buf *dir)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct fw_buf path;
	struct dirent *de;
	DIR *d;

	if (*l->probes >= PROBE_MAX || has_meta(dir->data, dir->len) || memchr(dir->data, 0, dir->len) || !(d = opendir(dir->data)))
		return;
	while ((de = readdir(d)) && n < GLOB_MAX) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((n == cap && fw_grow((void **)&names, &cap, n + 1, sizeof(*names)) < 0) ||
		    !(names[n] = strdup(de->d_name))) {
			l->notes->failed = true;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	fw_buf_init(&path);
	for (size_t i = 0; i < n; i++) {
		go_join(&path, (struct bstr){ dir->data, dir->len }, (struct bstr){ names[i], strlen(names[i]) },
			(struct bstr){ "", 0 });
		if (!path.failed)
			try_candidate(l, path.data, path.len);
	}
	if (path.failed)
		l->notes->failed = true;
	fw_buf_free(&path);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void locate_mapping(struct locate *l, struct bstr search)
{
	struct bstr base = l->file.n ? go_base(l->file) : (struct bstr){ "", 0 }, none = { "", 0 };
	struct fw_buf c;
	size_t at = 0;

	fw_buf_init(&c);
	while (!l->done && at <= search.n) { /* filepath.SplitList */
		const char *colon = memchr(search.s + at, ':', search.n - at);
		size_t k = colon ? (size_t)(colon - (search.s + at)) : search.n - at;
		struct bstr dir = { search.s + at, k };

		at += k + 1;
		if (l->build_id.n) {
			go_join(&c, dir, l->build_id, base);
			try_buf(l, &c);
			if (l->done)
				break;
			go_join(&c, dir, l->build_id, none);
			if (!c.failed)
				try_glob(l, &c);
			go_join(&c, dir, l->file, l->build_id);
			try_buf(l, &c);
		}
		if (l->file.n) {
			if (base.n) {
				go_join(&c, dir, base, none);
				try_buf(l, &c);
			}
			go_join(&c, dir, l->file, none);
			try_buf(l, &c);
		}
		if (c.failed)
			break;
	}
	if (c.failed)
		l->notes->failed = true;
	fw_buf_free(&c);
}

/* ---- newMapping ------------------------------------------------------------- */

/* profile.Mapping.Unsymbolizable */
static bool unsymbolizable(struct bstr file)
{
	struct bstr b = go_base(file);

	return (b.n >= 1 && b.s[0] == '[') || (b.n >= 10 && !memcmp(b.s, "linux-vdso", 10)) ||
	       (file.n >= 9 && !memcmp(file.s, "/dev/dri/", 9));
}

/* ---- net/url.Parse: does it succeed, with a scheme? ------------------------ */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int unhex(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* shouldEscape(c, encodeHost) */
static bool host_escape(unsigned char c)
{
	return !(is_alnum(c) || (c && strchr("!$&'()*+,;=:[]<>\"-_.~", c)));
}

enum url_mode { U_OTHER, U_HOST, U_ZONE };

/* unescape(s, mode) succeeds */
static bool unescape_ok(const char *s, size_t n, enum url_mode mode)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
				return false;
			bool pct25 = s[i + 1] == '2' && s[i + 2] == '5';
			if (mode == U_HOST && unhex(s[i + 1]) < 8 && !pct25)
				return false;
			if (mode == U_ZONE) {
				unsigned v = (unsigned)(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
				if (!pct25 && v != ' ' && host_escape((unsigned char)v))
					return false;
			}
			i += 3;
			continue;
		}
		if ((mode == U_HOST || mode == U_ZONE) && c < 0x80 && host_escape(c))
			return false;
		i++;
	}
	return true;
}

static bool valid_port(const char *s, size_t n) /* validOptionalPort */
{
	if (n == 0)
		return true;
	if (s[0] != ':')
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *last_byte(const char *s, size_t n, char c)
{
	while (n > 0)
		if (s[--n] == c)
			return s + n;
	return NULL;
}

static bool parse_host(const char *h, size_t n)
{
	const char *br, *colon;

	if (n > 0 && h[0] == '[') {
		size_t i, zone;
		if (!(br = last_byte(h, n, ']')))
			return false;
		i = (size_t)(br - h);
		if (!valid_port(h + i + 1, n - i - 1))
			return false;
		for (zone = 0; zone + 3 <= i && memcmp(h + zone, "%25", 3); zone++)
			;
		if (zone + 3 <= i)
			return unescape_ok(h, zone, U_HOST) && unescape_ok(h + zone, i - zone, U_ZONE) &&
			       unescape_ok(h + i, n - i, U_HOST);
	} else if ((colon = last_byte(h, n, ':'))) {
		if (!valid_port(colon, n - (size_t)(colon - h)))
			return false;
	}
	return unescape_ok(h, n, U_HOST);
}

static bool parse_authority(const char *a, size_t n)
{
	const char *at = last_byte(a, n, '@');
	size_t u;

	if (!at)
		return parse_host(a, n);
	u = (size_t)(at - a);
	if (!parse_host(at + 1, n - u - 1))
		return false;
	for (size_t i = 0; i < u; i++) /* validUserinfo */
		if (!is_alnum((unsigned char)a[i]) && !(a[i] && strchr("-._:~!$&'()*+,;=%@", a[i])))
			return false;
	return unescape_ok(a, u, U_OTHER); /* both halves around a ':' alike */
}

/* url.Parse(f) succeeds and gives an absolute URL: *scheme_http says
 * whether its scheme holds "http" (any case). */
static bool url_abs(struct bstr f, bool *scheme_http)
{
	const char *hash = memchr(f.s, '#', f.n), *q, *slash;
	size_t n = hash ? (size_t)(hash - f.s) : f.n, i, rn;
	const char *rest;

	*scheme_http = false;
	for (i = 0; i < n; i++)
		if ((unsigned char)f.s[i] < ' ' || f.s[i] == 0x7f)
			return false;
	for (i = 0; i < n; i++) { /* getScheme */
		unsigned char c = (unsigned char)f.s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (c == ':' || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
			if (c == ':')
				break;
			continue;
		}
		return false; /* no scheme */
	}
	if (i == n || i == 0)
		return false; /* no scheme, or "missing protocol scheme" */
	for (size_t k = 0; k + 4 <= i; k++)
		if (!strncasecmp(f.s + k, "http", 4))
			*scheme_http = true;
	rest = f.s + i + 1;
	rn = n - i - 1;
	if ((q = memchr(rest, '?', rn)))
		rn = (size_t)(q - rest);
	if (rn == 0 || rest[0] != '/') {
		/* opaque */
	} else {
		if (rn >= 2 && rest[1] == '/') {
			const char *auth = rest + 2;
			size_t an = rn - 2;
			if ((slash = memchr(auth, '/', an)))
				an = (size_t)(slash - auth);
			if (!parse_authority(auth, an))
				return false;
			rn -= 2 + an;
			rest = auth + an;
		}
		if (!unescape_ok(rest, rn, U_OTHER)) /* setPath */
			return false;
	}
	return !hash || unescape_ok(hash + 1, f.n - n - 1, U_OTHER); /* setFragment */
}

/* pprof's merged mapping order of the used mappings: mapping 0, then by
 * first use (samples in order, each leaf first). Fills order (n_mappings
 * entries at most) and returns how many; used[i] says whether mapping i
 * is used. */
static size_t merged_order(const struct fw_profile *p, bool *used, uint32_t *order)
{
	bool *seen = used;
	size_t k = 0;
	bool zero_used = false;

	if (p->n_mappings)
		order[k++] = 0;
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		for (uint32_t j = 0; j < sm->n_locs; j++) {
			uint32_t m = p->locations[p->sample_locs[sm->first_loc + j]].mapping;
			if (m == FW_NONE)
				continue;
			if (m == 0)
				zero_used = true;
			else if (!seen[m])
				order[k++] = m;
			seen[m] = true;
		}
	}
	seen[0] = zero_used;
	return k;
}

static bool any_location(const struct fw_profile *p)
{
	for (size_t s = 0; s < p->n_samples; s++)
		if (p->samples[s].n_locs)
			return true;
	return false;
}

static void note_mapping(const struct fw_profile *p, const struct fw_mapping *m, const char *located, bool main,
			 bool *missing, struct fw_buf *out)
{
	struct bstr file = located ? (struct bstr){ located, strlen(located) } : pstr(p, m->filename);
	struct bstr bid = pstr(p, m->build_id), base;
	struct fw_buf path;
	int e = 0;
	enum probe pr;
	bool http;

	if (file.n == 0) {
		if (main)
			fw_buf_puts(out, "Main binary filename not available.\n");
		else
			*missing = true;
		return;
	}
	if (unsymbolizable(file))
		return;
	if (bid.n == 0 && url_abs(file, &http) && http)
		return;
	base = go_base(file);
	fw_buf_init(&path);
	fw_buf_putn(&path, file.s, file.n);
	fw_buf_putc(&path, 0);
	if (path.failed) {
		out->failed = true;
		fw_buf_free(&path);
		return;
	}
	pr = probe(path.data, file.n, &e);
	fw_buf_free(&path);
	if (pr == PROBE_OBJECT || pr == PROBE_SPECIAL) {
		fw_buf_puts(out, "flarewatch: not symbolizing ");
		put_name(out, base);
		fw_buf_puts(out, pr == PROBE_OBJECT ? " from local binary " : " from ");
		put_name(out, file);
		fw_buf_puts(out, pr == PROBE_OBJECT ? " (flarewatch does not read local binaries)\n" :
						      ": not a regular file\n");
		if (pr == PROBE_SPECIAL)
			*missing = true;
		return;
	}
	fw_buf_puts(out, "Local symbolization failed for ");
	put_name(out, base);
	if (bid.n) {
		fw_buf_puts(out, " (build ID ");
		put_name(out, bid);
		fw_buf_putc(out, ')');
	}
	fw_buf_puts(out, ": open ");
	put_name(out, file);
	fw_buf_puts(out, ": ");
	if (pr == PROBE_ERRNO)
		put_errno(out, e);
	else
		fw_buf_puts(out, "unrecognized object file");
	fw_buf_putc(out, '\n');
	*missing = true;
}

int fw_symbolize_notes(const struct fw_profile *p, const struct fw_symbolize *s, const char *binary_path,
		       const char *home, struct fw_buf *locate, struct fw_buf *notes, struct fw_error *err)
{
	size_t nm = p->n_mappings, k, probes = 0;
	char **found = NULL;
	bool *used = NULL, missing = false;
	uint32_t *order = NULL;
	struct fw_buf def;
	int r = 0;

	fw_buf_init(&def);
	/* locateBinaries: every mapping (those merged away too: pprof locates
	 * before merging), whatever -symbolize says */
	if (binary_path && *binary_path) {
		fw_buf_puts(&def, binary_path);
	} else {
		go_join(&def, (struct bstr){ home ? home : "", home ? strlen(home) : 0 },
			(struct bstr){ "pprof", 5 }, (struct bstr){ "binaries", 8 });
	}
	if (nm && !(found = calloc(nm, sizeof(*found))))
		goto nomem;
	for (size_t i = 0; i < nm && !def.failed; i++) {
		struct locate l = { pstr(p, p->mappings[i].filename), pstr(p, p->mappings[i].build_id), locate,
				    &found[i], false, &probes };
		locate_mapping(&l, (struct bstr){ def.data, def.len });
	}
	if (def.failed || locate->failed)
		goto nomem;
	if (s->skip || !s->local)
		goto done;
	if (nm == 0) {
		/* locateBinaries gives a profile without mappings one without a
		 * file, which every location uses */
		if (any_location(p))
			fw_buf_puts(notes, "Main binary filename not available.\n");
		goto done;
	}
	if (!(used = calloc(nm, sizeof(*used))) || !(order = calloc(nm, sizeof(*order))))
		goto nomem;
	k = merged_order(p, used, order);
	for (size_t i = 0; i < k; i++) {
		const struct fw_mapping *m = &p->mappings[order[i]];
		if (!used[order[i]])
			continue;
		if (!s->force && (m->has_functions || m->has_filenames || m->has_line_numbers))
			continue;
		note_mapping(p, m, found[order[i]], i == 0, &missing, notes);
	}
	if (missing)
		fw_buf_puts(notes, "Some binary filenames not available. Symbolization may be incomplete.\n"
				   "Try setting PPROF_BINARY_PATH to the search path for local binaries.\n");
	if (notes->failed)
		goto nomem;
done:
	for (size_t i = 0; found && i < nm; i++)
		free(found[i]);
	free(found);
	free(used);
	free(order);
	fw_buf_free(&def);
	return r;
nomem:
	r = fw_err(err, -ENOMEM, "out of memory");
	goto done;
}

void fw_symbolize_unsource(struct fw_profile *p)
{
	for (size_t i = 0; i < p->n_mappings; i++) {
		struct fw_mapping *m = &p->mappings[i];
		bool http;
		if (fw_strlen(&p->strings, m->build_id) == 0 && url_abs(pstr(p, m->filename), &http))
			m->filename = 0;
	}
}
