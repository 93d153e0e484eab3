/*
 * site.c: index.html and report.html of the investigations site (see
 * site.h). The strings come from fw_index_scan() (already redacted and
 * capped) or from the report's Markdown; each is escaped by html.h here.
 * It lists and renders; it decides nothing.
 */
#include "investigate/site.h"
#include "investigate/html.h"
#include "investigate/mdhtml.h"
#include "investigate/verdict.h"
#include "base/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_VERDICTS 6
#define SUMMARY_SHOWN 240	/* bytes of a summary in index.html (the report has all) */
#define MD_MAX ((size_t)16 << 20)

static const char site_css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:1.2em 2em;color:#1b1b1b;background:#fff}"
	"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}"
	"h3{font-size:1.1em}"
	"table{border-collapse:collapse;margin:.6em 0}"
	"th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}"
	"th{background:#f2f2f2}td.r,th.r{text-align:right}td.c,th.c{text-align:center}"
	".tw{overflow-x:auto}"
	"code{font:12px ui-monospace,monospace;background:#f5f5f5;padding:0 .2em;overflow-wrap:anywhere}"
	"pre{background:#f5f5f5;padding:.6em;overflow-x:auto}pre code{padding:0}"
	"nav{margin-bottom:1em}nav a{margin-right:1em}"
	"figure.flame{margin:.6em 0}figure.flame img{max-width:100%;border:1px solid #ddd}"
	"figcaption{color:#555;font-size:.9em}"
	"#filters{margin:.8em 0}#filters label{margin-right:1em}"
	"#reports th[data-sort]{cursor:pointer}"
	"#reports th[aria-sort=ascending]::after{content:' \\25B2'}"
	"#reports th[aria-sort=descending]::after{content:' \\25BC'}"
	".counts tr[data-verdict]{cursor:pointer}"
	".v0{color:#1a7f37}.v1{color:#777}.v2{color:#9a6700}.v3{color:#bc4c00}.v4,.v5{color:#cf222e}"
	".verdict{font-weight:600;white-space:nowrap}td.t{white-space:nowrap}";

/* Sorts on a click on a heading (or Enter), filters on every keystroke; a
 * click on a verdict count filters on that verdict. The page's address may
 * set the filters: index.html#host=web&verdict=MEMORY%20LEAK&time=2024-10.
 * Text only: it never writes markup. */
static const char index_js[] =
	"document.addEventListener('DOMContentLoaded',function(){"
	"var t=document.getElementById('reports');if(!t)return;"
	"var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows);"
	"var f={host:document.getElementById('f-host'),ticket:document.getElementById('f-ticket'),"
	"verdict:document.getElementById('f-verdict'),time:document.getElementById('f-time')};"
	"var shown=document.getElementById('shown');"
	"function cell(r,c){return r.cells[c].textContent;}"
	"function apply(){var n=0,h=f.host.value.toLowerCase(),k=f.ticket.value.toLowerCase(),"
	"v=f.verdict.value,w=f.time.value.trim();"
	"rows.forEach(function(r){var ok=(!h||cell(r,1).toLowerCase().indexOf(h)>=0)"
	"&&(!k||cell(r,2).toLowerCase().indexOf(k)>=0)&&(!v||cell(r,4)===v)"
	"&&(!w||cell(r,0).indexOf(w)===0);r.hidden=!ok;if(ok)n++;});"
	"shown.textContent=n+' of '+rows.length+' reports shown';}"
	"location.hash.slice(1).split('&').forEach(function(p){var i=p.indexOf('='),k=p.slice(0,i),v;"
	"if(i<0||!Object.prototype.hasOwnProperty.call(f,k))return;"
	"try{v=decodeURIComponent(p.slice(i+1));}catch(e){return;}f[k].value=v;});"
	"['host','ticket','time'].forEach(function(k){f[k].addEventListener('input',apply);});"
	"f.verdict.addEventListener('change',apply);"
	"Array.prototype.forEach.call(document.querySelectorAll('.counts tr[data-verdict]'),function(tr){"
	"tr.addEventListener('click',function(){f.verdict.value=tr.getAttribute('data-verdict');apply();});});"
	"var ths=t.tHead.rows[0].cells;"
	"Array.prototype.forEach.call(ths,function(th,c){if(!th.hasAttribute('data-sort'))return;th.tabIndex=0;"
	"function sort(){var d=th.getAttribute('aria-sort')==='ascending'?-1:1;"
	"Array.prototype.forEach.call(ths,function(o){o.removeAttribute('aria-sort');});"
	"th.setAttribute('aria-sort',d>0?'ascending':'descending');"
	"rows.sort(function(a,b){var x=cell(a,c),y=cell(b,c);return x<y?-d:x>y?d:0;});"
	"rows.forEach(function(r){tb.appendChild(r);});}"
	"th.addEventListener('click',sort);"
	"th.addEventListener('keydown',function(e){if(e.key==='Enter')sort();});});"
	"apply();});";

/* The report folder of an entry ("host/when") from its report path
 * ("host/when/name.md"), and the host folder ("host"). */
static void folders(const char *report, char *dir, size_t dlen, char *host, size_t hlen)
{
	const char *slash = strrchr(report, '/');
	const char *first = strchr(report, '/');

	snprintf(dir, dlen, "%.*s", slash ? (int)(slash - report) : 0, report);
	snprintf(host, hlen, "%.*s", first ? (int)(first - report) : 0, report);
}

static int verdict_index(const char *name)
{
	for (int k = 0; k < N_VERDICTS; k++)
		if (strcmp(name, fw_verdict_name((enum fw_verdict_kind)k)) == 0)
			return k;
	return -1;
}

static void index_row(struct fw_buf *b, const struct fw_index_entry *e)
{
	char dir[1024], host[512];
	int k = verdict_index(e->verdict);

	folders(e->report, dir, sizeof(dir), host, sizeof(host));
	fw_buf_puts(b, "<tr><td class=\"t\">");
	fw_html_text(b, e->time, FW_OUT_NAME_MAX);
	fw_buf_puts(b, "</td><td><a href=\"");
	fw_html_href(b, host);
	fw_buf_puts(b, "/index.html\">");
	fw_html_text(b, e->hostname, FW_OUT_NAME_MAX);
	fw_buf_puts(b, "</a></td><td>");
	fw_html_text(b, e->ticket ? e->ticket : "", FW_OUT_NAME_MAX);
	fw_buf_puts(b, "</td><td>");
	fw_html_text(b, e->agent_version[0] ? e->agent_version : "unknown", FW_OUT_NAME_MAX);
	fw_buf_printf(b, "</td><td class=\"verdict v%d\">", k < 0 ? 1 : k);
	fw_html_text(b, e->verdict, FW_OUT_NAME_MAX);
	fw_buf_puts(b, "</td><td>");
	fw_html_text(b, e->summary, SUMMARY_SHOWN);
	fw_buf_puts(b, "</td><td><a href=\"");
	fw_html_href(b, dir);
	fw_buf_puts(b, "/report.html\">report</a></td></tr>\n");
}

int fw_site_index(const char *dir, const struct fw_index_list *l, struct fw_error *err)
{
	size_t counts[N_VERDICTS] = { 0 }, listed = 0;
	struct fw_buf b;
	char path[4096];
	int r;

	for (size_t i = 0; i < l->n; i++) {
		int k = verdict_index(l->v[i].verdict);
		if (k >= 0)
			counts[k]++;
	}
	fw_buf_init(&b);
	fw_html_page_begin(&b, "Flare investigations", site_css, index_js);
	fw_buf_printf(&b, "<h1>Flare investigations</h1>\n<p>%zu report%s, newest flare first.", l->n,
		      l->n == 1 ? "" : "s");
	if (l->skipped)
		fw_buf_printf(&b, " %zu report folder%s could not be read and %s left out: "
			      "<code>flarewatch index</code> names %s.",
			      l->skipped, l->skipped == 1 ? "" : "s", l->skipped == 1 ? "is" : "are",
			      l->skipped == 1 ? "it" : "them");
	fw_buf_puts(&b, " <a href=\"index.md\">index.md</a> <a href=\"outliers.html\">Outliers</a></p>\n"
			"<table class=\"counts\">\n<thead><tr><th>Verdict</th><th class=\"r\">Reports</th></tr>"
			"</thead>\n<tbody>\n");
	for (int k = 0; k < N_VERDICTS; k++) {
		const char *v = fw_verdict_name((enum fw_verdict_kind)k);
		fw_buf_printf(&b, "<tr data-verdict=\"%s\"><td class=\"verdict v%d\">%s</td><td class=\"r\">%zu</td></tr>\n",
			      v, k, v, counts[k]);
	}
	fw_buf_puts(&b, "</tbody>\n</table>\n<div id=\"filters\">"
			"<label>Host <input id=\"f-host\" type=\"search\"></label>"
			"<label>Ticket <input id=\"f-ticket\" type=\"search\"></label>"
			"<label>Verdict <select id=\"f-verdict\"><option value=\"\">all</option>");
	for (int k = 0; k < N_VERDICTS; k++)
		fw_buf_printf(&b, "<option>%s</option>", fw_verdict_name((enum fw_verdict_kind)k));
	fw_buf_puts(&b, "</select></label>"
			"<label>Time <input id=\"f-time\" type=\"search\" placeholder=\"2024-10-02\"></label>"
			"<span id=\"shown\"></span></div>\n"
			"<div class=\"tw\"><table id=\"reports\">\n<thead><tr>"
			"<th data-sort=\"\" aria-sort=\"descending\">Flare time</th><th data-sort=\"\">Host</th>"
			"<th data-sort=\"\">Ticket</th><th data-sort=\"\">Agent</th><th data-sort=\"\">Verdict</th>"
			"<th>Summary</th><th>Report</th></tr></thead>\n<tbody>\n");
	for (; listed < l->n && b.len < FW_SITE_INDEX_MAX; listed++)
		index_row(&b, &l->v[listed]);
	fw_buf_puts(&b, "</tbody>\n</table></div>\n");
	if (listed < l->n)
		fw_buf_printf(&b, "<p>The %zu oldest reports are not listed: the page is limited to %u MiB.</p>\n",
			      l->n - listed, FW_SITE_INDEX_MAX >> 20);
	fw_html_page_end(&b);
	if (b.failed) {
		fw_buf_free(&b);
		return fw_err(err, -ENOMEM, "%s/index.html: out of memory", dir);
	}
	if (snprintf(path, sizeof(path), "%s/index.html", dir) >= (int)sizeof(path)) {
		fw_buf_free(&b);
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	}
	r = fw_write_file_atomic(path, b.data, b.len, 0644, err);
	fw_buf_free(&b);
	return r;
}

/* ---- report.html -------------------------------------------------------------- */

struct report_ctx {
	const char *dir;
};

/* mdhtml.h's has_file: a regular file of the report folder. */
static bool has_file(void *ctx, const char *name)
{
	const struct report_ctx *c = ctx;
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", c->dir, name) >= (int)sizeof(path))
		return false;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The page title: the first "# " heading, its Markdown escapes undone. */
static void title_of(const char *md, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	snprintf(out, outlen, "Flare report");
	for (size_t i = 0; i + 2 < len; i++) {
		if ((i == 0 || md[i - 1] == '\n') && md[i] == '#' && md[i + 1] == ' ') {
			for (i += 2; i < len && md[i] != '\n' && o + 1 < outlen; i++) {
				if (md[i] == '\\' && i + 1 < len && md[i + 1] != '\n')
					i++;
				if (md[i] != '`')
					out[o++] = md[i];
			}
			out[o] = 0;
			return;
		}
	}
}

int fw_site_report(const char *report_dir, const char *md_name, struct fw_error *err)
{
	struct report_ctx ctx = { report_dir };
	char path[4096], title[512];
	struct fw_buf b;
	uint8_t *md;
	size_t len;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", report_dir, md_name) >= (int)sizeof(path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", report_dir);
	if ((r = fw_read_file(path, MD_MAX, &md, &len, err)) < 0)
		return r;
	title_of((const char *)md, len, title, sizeof(title));
	fw_buf_init(&b);
	fw_html_page_begin(&b, title, site_css, NULL);
	fw_buf_puts(&b, "<nav><a href=\"../../index.html\">All reports</a>"
			"<a href=\"../index.html\">This host</a><a href=\"");
	fw_html_href(&b, md_name);
	fw_buf_puts(&b, "\">Markdown</a><a href=\"report.json\">JSON</a></nav>\n<main>\n");
	fw_md_to_html(&b, (const char *)md, len, has_file, &ctx);
	fw_buf_puts(&b, "</main>\n");
	fw_html_page_end(&b);
	free(md);
	if (b.failed) {
		fw_buf_free(&b);
		return fw_err(err, -ENOMEM, "%s/report.html: out of memory", report_dir);
	}
	if (snprintf(path, sizeof(path), "%s/report.html", report_dir) >= (int)sizeof(path)) {
		fw_buf_free(&b);
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", report_dir);
	}
	r = fw_write_file_atomic(path, b.data, b.len, 0644, err);
	fw_buf_free(&b);
	return r;
}

int fw_site_reports(const char *dir, const struct fw_index_list *l, struct fw_error *err)
{
	int failed = 0;

	for (size_t i = 0; i < l->n; i++) {
		char rdir[4096], sub[1024], host[512];
		const char *md = strrchr(l->v[i].report, '/');
		struct fw_error e;
		int r;

		folders(l->v[i].report, sub, sizeof(sub), host, sizeof(host));
		if (snprintf(rdir, sizeof(rdir), "%s/%s", dir, sub) >= (int)sizeof(rdir)) {
			if (!failed++)
				fw_err(err, 1, "%s/%s: path too long", dir, sub);
			continue;
		}
		if ((r = fw_site_report(rdir, md ? md + 1 : l->v[i].report, &e)) < 0) {
			if (r == -ENOMEM)
				return fw_err(err, r, "%s", e.msg);
			if (!failed++)
				fw_err(err, 1, "%s", e.msg);
		}
	}
	return failed;
}
