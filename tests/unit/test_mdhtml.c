/*
 * test_mdhtml.c: src/investigate/mdhtml.c -- write_markdown.c's Markdown
 * subset to HTML: headings, tables (alignment, "\|" in code spans),
 * nested lists, fenced code, code spans of longer fences, **strong**,
 * backslash escapes, links (local, https, and javascript:/absolute/"//"
 * targets shown as text), the flame graph images of existing .svg files,
 * and hostile text that must stay text (HTML, quotes, unbalanced markup).
 */
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

#include "investigate/mdhtml.h"

static bool has(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "core-cpu.svg") == 0;
}

static void check(const char *md, const char *want, const char *what)
{
	struct fw_buf b;

	fw_buf_init(&b);
	fw_md_to_html(&b, md, strlen(md), has, NULL);
	TAP_EQ_STR(b.failed ? "(failed)" : fw_buf_str(&b), want, "%s", what);
	fw_buf_free(&b);
}

int main(void)
{
	check("# Title `x`\n\ntext **bold** \\*not\\* \\<b\\>\n",
	      "<h1>Title <code>x</code></h1>\n<p>text <strong>bold</strong> *not* &lt;b&gt;</p>\n",
	      "heading, paragraph, strong, escapes");
	check("| A | B |\n|---|---:|\n| `a\\|b` | 1 |\n| x\n",
	      "<div class=\"tw\"><table>\n<thead><tr><th>A</th><th class=\"r\">B</th></tr>\n</thead>\n<tbody>\n"
	      "<tr><td><code>a|b</code></td><td class=\"r\">1</td></tr>\n<tr><td>x</td><td class=\"r\"></td></tr>\n"
	      "</tbody>\n</table></div>\n",
	      "table: alignment, \\| in a code span, a short row padded");
	check("1. **High:** one\n   - Evidence: `e`\n2. two\n  more\n\nafter\n",
	      "<ol>\n<li><strong>High:</strong> one<ul>\n<li>Evidence: <code>e</code></li>\n</ul>\n</li>\n<li>two\nmore"
	      "</li>\n</ol>\n<p>after</p>\n",
	      "ordered list, nested list, continuation line");
	check("3. c\n", "<ol start=\"3\">\n<li>c</li>\n</ol>\n", "ordered list starting at 3");
	check("```\n<script>x</script>\n```\n", "<pre><code>&lt;script&gt;x&lt;/script&gt;\n</code></pre>\n",
	      "fenced code escaped");
	check("```\nunclosed <b>\n", "<pre><code>unclosed &lt;b&gt;\n</code></pre>\n", "unclosed fence closed");
	check("``a`<img src=x onerror=alert(1)>``\n",
	      "<p><code>a`&lt;img src=x onerror=alert(1)&gt;</code></p>\n", "code span of a longer fence");
	check("`` ` ``\n", "<p><code>`</code></p>\n", "padded code span");
	check("a ``b\n", "<p>a ``b</p>\n", "unclosed code span is text");
	check("**open\n", "<p><strong>open</strong></p>\n", "unbalanced strong is closed");
	check("Flame graph: [core-cpu.svg](core-cpu.svg)\n",
	      "<p>Flame graph: <a href=\"core-cpu.svg\">core-cpu.svg</a></p>\n"
	      "<figure class=\"flame\"><a href=\"core-cpu.svg\"><img src=\"core-cpu.svg\" alt=\"flame graph core-cpu.svg\">"
	      "</a><figcaption>core-cpu.svg (open the file to zoom and search)</figcaption></figure>\n",
	      "link to an existing .svg: the flame graph shown");
	check("[gone.svg](gone.svg)\n", "<p><a href=\"gone.svg\">gone.svg</a></p>\n",
	      "link to a missing .svg: no image");
	check("[prev](../20241002T142152Z/flare-profiling-h.md) [all](../../index.md)\n",
	      "<p><a href=\"../20241002T142152Z/report.html\">prev</a> <a href=\"../../index.html\">all</a></p>\n",
	      "links to .md pages go to their .html");
	check("[doc](https://docs.example.com/a?b=1&c=2)\n",
	      "<p><a rel=\"noopener noreferrer\" href=\"https://docs.example.com/a?b=1&amp;c=2\">doc</a></p>\n",
	      "https link");
	check("[x](javascript:alert(1)) [y](/etc/passwd) [z](//evil.example/x) [w](a/./b)\n",
	      "<p>x (javascript:alert(1)) y (/etc/passwd) z (//evil.example/x) w (a/./b)</p>\n",
	      "other targets are text");
	check("[\"><img src=x onerror=alert(1)>](a.svg)\n",
	      "<p><a href=\"a.svg\">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</a></p>\n",
	      "link text escaped");
	check("![alt](core-cpu.svg)\n",
	      "<p><a href=\"core-cpu.svg\">alt</a></p>\n"
	      "<figure class=\"flame\"><a href=\"core-cpu.svg\"><img src=\"core-cpu.svg\" alt=\"flame graph core-cpu.svg\">"
	      "</a><figcaption>core-cpu.svg (open the file to zoom and search)</figcaption></figure>\n",
	      "image of an existing .svg");
	check("a & b \"q\" 'x'\r\n", "<p>a &amp; b &quot;q&quot; &#39;x&#39;</p>\n", "HTML specials, CRLF");
	check("<script>alert(1)</script>\n", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n", "raw HTML is text");
	check("bad \xff\x1b[31m\n", "<p>bad \\xff\\x1b[31m</p>\n", "invalid byte and ESC visible");
	check("", "", "empty");
	return tap_done();
}
