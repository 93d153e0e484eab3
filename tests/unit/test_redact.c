/*
 * test_redact.c: unit tests for the redactor (redact.c): planted secrets in
 * every supported form disappear, ordinary flare text comes out unchanged,
 * redaction is idempotent, and hostile input is handled in linear time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/redact.h"
#include "base/util.h"
#include "../tap.h"

#define PLANTED "0123456789abcdef0123456789abcdef"

static char *fixture(const char *name, size_t *len)
{
	const char *top = getenv("abs_top_srcdir");
	char path[4096];
	uint8_t *data;
	struct fw_error err;

	snprintf(path, sizeof(path), "%s/tests/fixtures/flarefiles/%s",
		 top && *top ? top : ".", name);
	if (fw_read_file(path, 64u << 20, &data, len, &err) < 0) {
		TAP_DIAG("%s", err.msg);
		return NULL;
	}
	return (char *)data;
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, k))
			return true;
	return false;
}

/* Redacts a C string; the caller frees. */
static char *red(const char *s)
{
	return fw_redact(s, strlen(s), NULL);
}

static void check_exact(const char *in, const char *want)
{
	char *out = red(in);

	TAP_EQ_STR(out, want, "redact \"%s\"", in);
	free(out);
}

/* in holds the secret sec; it must be gone and in's text before it kept. */
static void check_gone(const char *in, const char *sec, size_t keep)
{
	char *out = red(in);

	TAP_OK(out && !strstr(out, sec) && strstr(out, FW_REDACTED) &&
	       !strncmp(out, in, keep), "secret gone: %s", in);
	if (out && strstr(out, sec))
		TAP_DIAG("output: %s", out);
	free(out);
}

static void test_forms(void)
{
	static const char *const secrets[] = { PLANTED, "hunter2-Pa55word!" };
	static const char *const forms[] = {
		/* format, bytes before the secret that must survive */
		"api_key: %s",
		"api_key=%s",
		"\"api_key\": \"%s\"",
		"'api_key': '%s'",
		"DD_API_KEY=%s",
		"export DD_APP_KEY=\"%s\"",
		"dd_api_key=%s",
		"app_key: %s",
		"  application_key: %s",
		"my_custom_key : %s",
		"password: %s",
		"db_password=%s",
		"passwd=%s",
		"pwd = %s",
		"token: %s",
		"auth_token=%s",
		"GITHUB_TOKEN=%s",
		"secret: %s",
		"client_secret: '%s'",
		"AWS_SECRET_ACCESS_KEY=%s",
		"--api-key=%s",
		"DD-API-KEY: %s",
		"apiKey: %s",
		"accessToken=%s",
		"https://intake?api_key=%s&x=1",
		"{\"token\":\"%s\",\"site\":\"datadoghq.com\"}",
		"env: [\"DD_API_KEY=%s\"]",
		"postgres://datadog:%s@db:5432/x",
		"redis://:%s@cache:6379",
		"map[password:%s user:bob]",
		"- password: %s",
		"log: failed with token: %s",
		/* a flag naming a secret, then its value */
		"datadog-agent run --api-key %s -c /etc/datadog-agent",
		"--password %s",
		"-password %s",
		"--app_key %s --verbose",
		"/opt/agent --token \"%s\"",
		"[\"--api-key\", \"%s\"]",
		"args:\n  - --api-key\n  - %s\n",
		"curl -u datadog:%s https://x",
		"curl --user 'datadog:%s' https://x",
		/* an element named by a secret key */
		"<password>%s</password>",
		"<apiKey>%s</apiKey>",
		"  <api_key>%s",
		"<password>\n  %s\n</password>",
		/* a record whose name is a secret key */
		"env:\n- name: DD_API_KEY\n  value: %s\n",
		"- name: DD_API_KEY\r\n  value: \"%s\"\r\n",
		"{\"name\": \"DD_API_KEY\", \"value\": \"%s\"}",
		"{\"value\": \"%s\", \"name\": \"DD_API_KEY\"}",
		"<add key=\"ApiKey\" value=\"%s\"/>",
		/* Authorization headers, whatever the scheme */
		"Authorization: Basic %s",
		"Proxy-Authorization: Digest %s",
		"authorization: %s",
		"curl -H \"Authorization: Token %s\"",
	};
	char in[256];

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		for (size_t k = 0; k < 2; k++) {
			const char *pct = strstr(forms[f], "%s");
			size_t pre = (size_t)(pct - forms[f]);
			/* forms[f] with the secret in place of "%s" */
			snprintf(in, sizeof(in), "%.*s%s%s", (int)pre, forms[f],
				 secrets[k], pct + 2);
			check_gone(in, secrets[k], pre);
		}
	check_gone("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc-def_123",
		   "eyJhbGci", 22);
	check_gone("Bearer " PLANTED PLANTED, PLANTED, 7);
	check_gone("authorization: bearer abcdefghijklmnopqrstu", "abcdefghijklmnopqrstu", 22);
}

static void test_exact(void)
{
	check_exact("api_key: abc", "api_key: [REDACTED]");
	check_exact("api_key: abc   \r\nnext: 1", "api_key: [REDACTED]   \r\nnext: 1");
	check_exact("\"api_key\": \"abc\", \"site\": \"x\"",
		    "\"api_key\": \"[REDACTED]\", \"site\": \"x\"");
	check_exact("\"token\": \"a\\\"b\", \"n\": 1", "\"token\": \"[REDACTED]\", \"n\": 1");
	check_exact("DD_API_KEY=abc DD_SITE=datadoghq.eu", "DD_API_KEY=[REDACTED] DD_SITE=datadoghq.eu");
	check_exact("GET /api?api_key=abc&query=1", "GET /api?api_key=[REDACTED]&query=1");
	check_exact("password: 'unterminated", "password: '[REDACTED]");
	check_exact("api_key:\n  - abc\n  - def\nsite: x", "api_key:\n  [REDACTED]\nsite: x");
	check_exact("tokens:\n  - a\nmissing api_key:\nnext line",
		    "tokens:\n  - a\nmissing api_key:\nnext line");
	check_exact("password=\n", "password=\n");
	check_exact("x_" PLANTED "_token: v", "x_[REDACTED]_token: [REDACTED]");
	check_exact(PLANTED "_key=&", "[REDACTED]_key=&");
	check_exact("https://" PLANTED ":p@h", "https://[REDACTED]:[REDACTED]@h");
	check_exact("secret: | # " PLANTED "\n  s\n", "secret: | # [REDACTED]\n  [REDACTED]\n");
	check_exact("url=https://u:p@h/x", "url=https://u:[REDACTED]@h/x");
	check_exact("https://u:p@ss@h:8443/x", "https://u:[REDACTED]@h:8443/x");
	check_exact("ssh://git@github.com/x", "ssh://git@github.com/x");
	check_exact("Authorization: Bearer abcdef0123456789", "Authorization: Bearer [REDACTED]");
	check_exact("key " PLANTED " end", "key [REDACTED] end");
	check_exact("sha1:0123456789abcdef0123456789abcdef01234567.", "sha1:[REDACTED].");
	check_exact("_" PLANTED "_", "_[REDACTED]_");
	check_exact("0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcde");
	/* a key glued to other hex or letters: the whole run goes */
	check_exact(PLANTED "0", FW_REDACTED);
	check_exact(PLANTED "9 end", FW_REDACTED " end");
	check_exact("x" PLANTED, FW_REDACTED);
	check_exact("0x" PLANTED, FW_REDACTED);
	check_exact("addr 0x" PLANTED ",", "addr " FW_REDACTED ",");
	check_exact("abc" PLANTED, FW_REDACTED);
	check_exact("abc" PLANTED "xyz", FW_REDACTED);
	check_exact("v" PLANTED "Z.go", FW_REDACTED ".go");
	check_exact("main.handler" PLANTED "(0x1)", "main." FW_REDACTED "(0x1)");
	check_exact("0x0a1b2c3d4e5f60718293a4b5c6d7e8f9012345679", FW_REDACTED);
	check_exact("g0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", FW_REDACTED);
	check_exact("ABC0123456789ABCDEF0123456789ABCDEF", FW_REDACTED);
	check_exact("sha256:" PLANTED PLANTED, "sha256:" FW_REDACTED);
	/* not keys: a long number, hex stretches broken by other letters */
	check_exact("n=123456789012345678901234567890123456", "n=123456789012345678901234567890123456");
	check_exact("0123456789abcdefg0123456789abcdef", "0123456789abcdefg0123456789abcdef");
	check_exact("3f4e5d6c-7b8a-9f0e-1d2c-3b4a5f6e7d8c9b0a", "3f4e5d6c-7b8a-9f0e-1d2c-3b4a5f6e7d8c9b0a");
	check_exact("0123456789ABCDEF0123456789ABCDEF", FW_REDACTED);
	check_exact("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----\nb",
		    "a\n[REDACTED]\nb");
	check_exact("a\n-----BEGIN CERTIFICATE-----\nMIIEow\ntruncated", "a\n[REDACTED]");
	check_exact("password: |\n  line one\n\n  line two\nnext: 1\n",
		    "password: |\n  [REDACTED]\nnext: 1\n");
	check_exact("a:\n  secret: >-\n    folded\n    text\n  b: 2\n",
		    "a:\n  secret: >-\n    [REDACTED]\n  b: 2\n");
	check_exact("password: [REDACTED] hunter2", "password: [REDACTED]");
	check_exact("", "");
}

static void test_survives(void)
{
	static const char *const plain[] = {
		"runtime.(*mheap).alloc(0xc0011b7d71, 0x1, 0x0)",
		"goroutine 1 [select, 3200 minutes]:",
		"\t/usr/local/go/src/runtime/proc.go:402 +0x2c9",
		"github.com/DataDog/datadog-agent/pkg/secrets.(*Resolver).fetch(0xc000123456)",
		"\t/go/src/pkg/config/api_key.go:42 +0x1f",
		"golang.org/x/oauth2.(*reuseTokenSource).Token(0xc00001a0c0)",
		"Bearer tokens are described in RFC 6750",
		"the token is valid, the password was changed",
		"monkey: banana",
		"- key: env",
		"tokens: 5",
		"API Key ending with bcdef: API Key valid",
		"  API Key: Authorized",
		"http://example.com/path?q=1",
		"https://7-58-2-app.agent.datadoghq.com/api/v2/series",
		"## @param api_key - string - required",
		"## @env DD_API_KEY - string - required",
		"Average Execution Time : 38ms",
		"Instance ID: disk:e5dffb8bef24336f [OK]",
		("2024-10-02 14:21:46 UTC | CORE | INFO | (pkg/collector/worker/check_logger.go:40 "
		 "in CheckStarted) | check:disk | Running check..."),
		"user:bob host:web-01 level:info",
		"## Basic Configuration ##",
		"caf\xc3\xa9 \xff\xfe invalid bytes and \x01 controls pass through",
	};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		check_exact(plain[i], plain[i]);
	{
		static const char nul[] = "ab\0cd api\0_key: x";
		size_t n;
		char *out = fw_redact(nul, sizeof(nul) - 1, &n);
		TAP_OK(out && n == sizeof(nul) - 1 && !memcmp(out, nul, n),
		       "NUL bytes kept, and they break a key");
		free(out);
	}
}

/* The forms added for command lines, elements, name/value records and
 * Authorization headers: exact results, near misses left alone (want NULL:
 * the input comes out unchanged), CRLF lines and values at the very end. */
static const struct {
	const char *in, *want;
} cases[] = {
	/* flags naming a secret: the next token goes, quotes stay */
	{ "datadog-agent run --api-key abc123 -c x", "datadog-agent run --api-key [REDACTED] -c x" },
	{ "-password hunter2 -v", "-password [REDACTED] -v" },
	{ "--APP-KEY=a --app_key b", "--APP-KEY=[REDACTED] --app_key [REDACTED]" },
	{ "--token \"a b\" next", "--token \"[REDACTED]\" next" },
	{ "--token 'a b", "--token '[REDACTED]" },
	{ "--password hunter\\ 2 x", "--password [REDACTED] x" },
	{ "--password\thunter2", "--password\t[REDACTED]" },
	{ "--password hunter2\r\nnext", "--password [REDACTED]\r\nnext" },
	{ "cmd --ssl-key /etc/key.pem", "cmd --ssl-key [REDACTED]" },
	{ "--token -dashed", "--token [REDACTED]" },
	{ "--token=[REDACTED] --token [REDACTED]", NULL },
	/* argument lists: JSON, flow and block YAML */
	{ "[\"--api-key\", \"s3cr3t\", \"-v\"]", "[\"--api-key\", \"[REDACTED]\", \"-v\"]" },
	{ "[--token, s3cr3t]", "[--token, [REDACTED]]" },
	{ "\"args\": [\r\n  \"--token\",\r\n  \"s3cr3t\"\r\n]", "\"args\": [\r\n  \"--token\",\r\n  \"[REDACTED]\"\r\n]" },
	{ "args:\n  - --api-key\n  - s3cr3t\n  - --x\n", "args:\n  - --api-key\n  - [REDACTED]\n  - --x\n" },
	{ "- --api-key\r\n- 's3 cr3t'\r\n", "- --api-key\r\n- '[REDACTED]'\r\n" },
	{ "- \"--password\"\n- hunter 2", "- \"--password\"\n- [REDACTED]" },
	/* curl -u: the password after the first ':' */
	{ "curl -u bob:pw https://h", "curl -u bob:[REDACTED] https://h" },
	{ "curl --user \"bob:p w:x\" h", "curl --user \"bob:[REDACTED]\" h" },
	{ "--user=bob:pw -U proxy:pw2", "--user=bob:[REDACTED] -U proxy:[REDACTED]" },
	{ "--proxy-user proxy:pw", "--proxy-user proxy:[REDACTED]" },
	/* elements named by a secret key */
	{ "<password>x y</password>", "<password>[REDACTED]</password>" },
	{ "<apiKey> x </apiKey> after", "<apiKey> [REDACTED] </apiKey> after" },
	{ "<api_key>abc", "<api_key>[REDACTED]" },
	{ "<api_key>abc \r\nnext", "<api_key>[REDACTED] \r\nnext" },
	{ "<password enc=\"1\">abc</password>", "<password enc=\"1\">[REDACTED]</password>" },
	{ "<password>\r\n  hunter2\r\n  more\r\n</password>\r\n", "<password>\r\n  [REDACTED]\r\n</password>\r\n" },
	{ "<DD_API_KEY>a</DD_API_KEY><site>datadoghq.com</site>", "<DD_API_KEY>[REDACTED]</DD_API_KEY><site>datadoghq.com</site>" },
	{ "<Authorization>Basic abc</Authorization>", "<Authorization>Basic [REDACTED]</Authorization>" },
	/* records whose name is a secret key: YAML (k8s env), JSON, Go */
	{ "env:\n- name: DD_API_KEY\n  value: abcd\n- name: DD_SITE\n  value: datadoghq.com\n",
	  "env:\n- name: DD_API_KEY\n  value: [REDACTED]\n- name: DD_SITE\n  value: datadoghq.com\n" },
	{ "  - name: DD_API_KEY\r\n    foo: bar\r\n\r\n    value: abcd\r\n  - value: x\r\n",
	  "  - name: DD_API_KEY\r\n    foo: bar\r\n\r\n    value: [REDACTED]\r\n  - value: x\r\n" },
	{ "- name: \"DD_APP_KEY\"\n  value: |\n    abcd\n    efgh\n- name: x\n",
	  "- name: \"DD_APP_KEY\"\n  value: |\n    [REDACTED]\n- name: x\n" },
	{ "- name: DD_API_KEY\n  value: abcd", "- name: DD_API_KEY\n  value: [REDACTED]" },
	/* the column of a second name on a line is still its own */
	{ "k:\n  name: a_key; name: DD_API_KEY\n               value: abcd",
	  "k:\n  name: a_key; name: DD_API_KEY\n               value: [REDACTED]" },
	{ "{\"name\": \"DD_API_KEY\", \"value\": \"abcd\"}", "{\"name\": \"DD_API_KEY\", \"value\": \"[REDACTED]\"}" },
	{ "{\"value\": \"abcd\", \"name\": \"DD_API_KEY\"}, {\"value\": \"x\", \"name\": \"DD_SITE\"}",
	  "{\"value\": \"[REDACTED]\", \"name\": \"DD_API_KEY\"}, {\"value\": \"x\", \"name\": \"DD_SITE\"}" },
	{ "{\n  \"name\": \"DD_API_KEY\",\n  \"note\": \"a}b\",\n  \"value\": \"abcd\"\n}",
	  "{\n  \"name\": \"DD_API_KEY\",\n  \"note\": \"a}b\",\n  \"value\": \"[REDACTED]\"\n}" },
	{ "{'name': 'DD_API_KEY', 'value': 'abcd', 'value_from': None}",
	  "{'name': 'DD_API_KEY', 'value': '[REDACTED]', 'value_from': None}" },
	{ "[{Name:DD_API_KEY Value:abcd ValueFrom:nil}]", "[{Name:DD_API_KEY Value:[REDACTED]" },
	{ "name=DD_API_KEY value=abcd other=1", "name=DD_API_KEY value=[REDACTED] other=1" },
	{ "<add key=\"ApiKey\" value=\"abcd\"/>", "<add key=\"ApiKey\" value=\"[REDACTED]\"/>" },
	{ "{\"Name\": \"/prod/datadog/api_key\", \"Value\": \"abcd\"}",
	  "{\"Name\": \"/prod/datadog/api_key\", \"Value\": \"[REDACTED]\"}" },
	{ "{\"name\": \"Authorization\", \"value\": \"Basic abcd\"}",
	  "{\"name\": \"Authorization\", \"value\": \"Basic [REDACTED]\"}" },
	{ "<property><name>fs.s3a.secret.key</name><value>abcd</value></property>",
	  "<property><name>fs.s3a.secret.key</name><value>[REDACTED]</value></property>" },
	{ "<key>password</key>\n<string>hunter2</string>\n<key>Label</key>\n<string>x</string>",
	  "<key>password</key>\n<string>[REDACTED]</string>\n<key>Label</key>\n<string>x</string>" },
	/* a record's name swallowed by another secret's value still names it
	 * (found by fuzz/redact_fuzzer: fuzz/regressions/redact/) */
	{ "<password> \n<property><name>fs.s3a.secret.key</name><value>S3cr3t</value></property>",
	  "<password> \n[REDACTED]</name><value>[REDACTED]</value></property>" },
	{ "token: name: DD_API_KEY\n  value: S3cr3t", "token: [REDACTED]\n  value: [REDACTED]" },
	/* Authorization headers: the scheme stays */
	{ "Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED]" },
	{ "authorization: basic dXNlcjpwYXNz\r\nHost: x", "authorization: basic [REDACTED]\r\nHost: x" },
	{ "Proxy-Authorization: Digest username=\"u\", response=\"r\"", "Proxy-Authorization: Digest [REDACTED]" },
	{ "Authorization: DD-API-KEY abc", "Authorization: [REDACTED]" },
	{ "Authorization: abc123", "Authorization: [REDACTED]" },
	{ "Authorization: Bearer abc", "Authorization: Bearer [REDACTED]" },
	{ "\"Authorization\": \"Basic abc\", \"x\": 1", "\"Authorization\": \"Basic [REDACTED]\", \"x\": 1" },
	{ "authorization=Basic abc&x=1", "authorization=Basic [REDACTED]&x=1" },
	{ "X-Authorization: Token abc", "X-Authorization: Token [REDACTED]" },
	{ "--authorization Basic abc", "--authorization Basic [REDACTED]" },

	/* near misses, left alone */
	{ "the --token flag is required", NULL },
	{ "use --api-key to set it, or --password-file", NULL },
	{ "--token, --password and --api-key are secrets", NULL },
	{ "  -t, --token string   the API token", NULL },
	{ "--token-file /var/run/secrets/token --api-key-file=/etc/key", NULL },
	{ "--token --verbose", NULL },
	{ "--token\nnext line", NULL },
	{ "--token", NULL },
	{ "(--token)", NULL },
	{ "ps -u root; sudo --user datadog ls; curl -u bob: x", NULL },
	{ "--username bob --tokens 5", NULL },
	{ "- name: DD_SITE\n  value: datadoghq.com\n", NULL },
	{ "- name: DD_API_KEY\n  valueFrom:\n    secretKeyRef:\n      name: datadog-secret\n      key: api-key\n"
	  "- name: DD_SITE\n  value: datadoghq.com\n", NULL },
	{ "- name: DD_API_KEY\n  valueFrom: {}\n- value: x\n", NULL },
	{ "spec:\n  - name: DD_API_KEY\n    optional: true\nvalue: 1\n", NULL },
	{ "{\"name\": \"DD_API_KEY\"}, {\"value\": \"x\"}", NULL },
	{ "{\"value\": \"x\"}, {\"name\": \"DD_API_KEY\"}", NULL },
	{ "{\"value\": \"x\", \"name\": \"DD_API_KEY_FILE\"}", NULL },
	{ "<password/> <password /> <token_count>5</token_count>", NULL },
	{ "<site>datadoghq.com</site> <name>DD_SITE</name><value>x</value>", NULL },
	{ "<password>\nno closing tag", NULL },
	{ "the Authorization header was missing", NULL },
};

static void test_new_forms(void)
{
	size_t bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_exact(cases[i].in, cases[i].want ? cases[i].want : cases[i].in);
	/* a second pass changes nothing on any of them */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n1, n2;
		char *a = fw_redact(cases[i].in, strlen(cases[i].in), &n1);
		char *b = a ? fw_redact(a, n1, &n2) : NULL;

		if (!b || n1 != n2 || memcmp(a, b, n1)) {
			bad++;
			TAP_DIAG("not idempotent: %s", cases[i].in);
		}
		free(a);
		free(b);
	}
	TAP_EQ_UINT(bad, 0, "the new forms: a second pass changes nothing (%zu cases)",
		    sizeof(cases) / sizeof(cases[0]));
}

static void test_fixtures(void)
{
	static const char *const same[] = {
		"status-7.58.log", "status-6.5.log", "go-routine-dump.log",
		"go-routine-dump-states.log", "agent.log", "memstats",
	};
	size_t len, n, n2;
	char *t, *out, *out2;

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		t = fixture(same[i], &len);
		if (!TAP_OK(t != NULL, "fixture %s", same[i]))
			continue;
		out = fw_redact(t, len, &n);
		TAP_OK(out && n == len && !memcmp(out, t, len), "%s comes out unchanged", same[i]);
		free(out);
		free(t);
	}

	t = fixture("datadog-planted.yaml", &len);
	if (!TAP_OK(t != NULL, "fixture datadog-planted.yaml"))
		return;
	TAP_OK(contains(t, len, PLANTED), "the sample flare's key is planted");
	out = fw_redact(t, len, &n);
	if (TAP_OK(out != NULL, "sample datadog.yaml redacted")) {
		TAP_OK(!contains(out, n, PLANTED) && !contains(out, n, "0123456789abcdef"),
		       "planted key never survives, not even in part");
		TAP_OK(contains(out, n, "api_key: [REDACTED]\n"), "the line says it was redacted");
		TAP_OK(contains(out, n, "## @param api_key - string - required") &&
		       contains(out, n, "hostname: i-0abc123def4567890") &&
		       contains(out, n, "  - env:prod"), "the rest of the file survives");
		out2 = fw_redact(out, n, &n2);
		TAP_OK(out2 && n2 == n && !memcmp(out, out2, n), "redacting twice changes nothing");
		free(out2);
	}
	free(out);
	free(t);

	/* the status file with a secret-laden message: idempotent too */
	t = fixture("status-tz.log", &len);
	if (TAP_OK(t != NULL, "fixture status-tz.log")) {
		out = fw_redact(t, len, &n);
		out2 = out ? fw_redact(out, n, &n2) : NULL;
		TAP_OK(out && !contains(out, n, "hunter2") && contains(out, n, "postgres://datadog:[REDACTED]@"),
		       "URL password in a status message redacted");
		TAP_OK(out2 && n2 == n && !memcmp(out, out2, n), "status: idempotent");
		free(out2);
		free(out);
		free(t);
	}
}

/* The planted key between every pair of non-alphanumeric bytes. */
/* A key between any two bytes, letters and digits included (a key glued
 * to other hex or letters is still a key): the API key between every byte
 * pair (every third second byte), the 40-hex application key between
 * every pair of letters and digits. */
static void test_planted_everywhere(void)
{
	static const char app[] = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
	static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char in[64], *out;
	size_t bad = 0, n, tries = 0;

	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b += 3) {
			in[0] = (char)a;
			memcpy(in + 1, PLANTED, 32);
			in[33] = (char)b;
			out = fw_redact(in, 34, &n);
			tries++;
			if (!out || contains(out, n, PLANTED)) {
				if (bad++ < 5)
					TAP_DIAG("kept in %02x<key>%02x", a, b);
			}
			free(out);
		}
	for (size_t a = 0; a < sizeof(alnum) - 1; a++)
		for (size_t b = 0; b < sizeof(alnum) - 1; b++) {
			in[0] = alnum[a];
			memcpy(in + 1, app, 40);
			in[41] = alnum[b];
			out = fw_redact(in, 42, &n);
			tries++;
			if (!out || contains(out, n, app) || contains(out, n, app + 1)) {
				if (bad++ < 5)
					TAP_DIAG("kept in %c<app key>%c", alnum[a], alnum[b]);
			}
			free(out);
		}
	TAP_EQ_UINT(bad, 0, "planted key bounded by any of %zu byte pairs is gone", tries);
}

static void test_buf_and_field(void)
{
	struct fw_buf b;
	char f[16];

	fw_buf_init(&b);
	fw_buf_puts(&b, "DD_API_KEY=" PLANTED "\nok\n");
	fw_redact_buf(&b);
	TAP_EQ_STR(fw_buf_str(&b), "DD_API_KEY=[REDACTED]\nok\n", "fw_redact_buf in place");
	TAP_EQ_UINT(b.len, strlen("DD_API_KEY=[REDACTED]\nok\n"), "length updated");
	fw_buf_free(&b);

	fw_buf_init(&b);
	fw_redact_buf(&b);
	TAP_OK(b.len == 0 && !b.failed, "empty buffer stays empty");
	fw_buf_puts(&b, "secret: x");
	b.failed = true;
	fw_redact_buf(&b);
	TAP_OK(b.len == 0 && b.failed && !strstr(b.data, "secret"), "failed buffer wiped");
	fw_buf_free(&b);

	TAP_EQ_INT(fw_redact_field(f, sizeof(f), "key " PLANTED, 36), 0, "field");
	TAP_EQ_STR(f, "key [REDACTED]", "field redacted before it was cut");
	fw_redact_field(f, 10, "key " PLANTED, 36);
	TAP_EQ_STR(f, "key [REDA", "cut after redaction: no hex survives");
	fw_redact_field(f, sizeof(f), "a\tb\x1b[1m\n\xc2\x9b\xff", 11);
	TAP_EQ_STR(f, "a b?[1m???", "controls, C1 and bad bytes become '?'");
	fw_redact_field(f, 3, "h\xc3\xa9llo", 6);
	TAP_EQ_STR(f, "h", "no split UTF-8 sequence");
	fw_redact_field(f, 1, "abc", 3);
	TAP_EQ_STR(f, "", "dstsz 1");

	{
		size_t n;
		bool cut;
		char *c = fw_text_clean("a\x01\xc3\xa9\xc2\x85\xef\xbf\xbe\n\tb\0zz", 16, &n, &cut);
		TAP_OK(c && cut && n == 9 && !strcmp(c, "a?\xc3\xa9??\n\tb"),
		       "fw_text_clean: controls, C1, U+FFFE and NUL");
		free(c);
	}
}

static double cpu_seconds(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

/* Redacts n bytes made of unit repeated; returns CPU seconds. */
static double time_pattern(const char *unit, size_t n, bool *ok)
{
	size_t ul = strlen(unit), outlen;
	char *in = malloc(n), *out;
	double t0;

	*ok = false;
	if (!in)
		return 0;
	for (size_t i = 0; i < n; i++)
		in[i] = unit[i % ul];
	t0 = cpu_seconds();
	out = fw_redact(in, n, &outlen);
	t0 = cpu_seconds() - t0;
	*ok = out != NULL;
	free(out);
	free(in);
	return t0;
}

static void test_linear(void)
{
	static const char *const units[] = {
		"0123456789abcdef",		/* 10 MB of hex: one run */
		"a",
		"token ",
		"api_key\"",
		"://",
		"://a@",
		"-----BEGIN ",
		"Bearer ",
		"pwd:",
		"password: \"",
		"password: |\n",
		"\n",
		"_0123456789abcdef0123456789abcdef",
		"https://u:p",
		/* the look-aheads of the flag, element and record forms */
		"--token ",
		"-u a",
		"\"--token\",",
		"- --api-key\n",
		"<password ",
		"<password>\n",
		"<name>x_key</name><a ",
		"name: a_key ",
		"name: a_key\n  value: 1\n",
		"\"value\": 1, ",
		"\"\\",
		"\"'}",
	};

	/* the first pattern gets the full 10 MB, the others a quarter of it;
	 * ten times the input must cost about ten times the time */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t big = i ? (10u << 20) / 4 : 10u << 20;
		bool ok1, ok10;
		double t1 = time_pattern(units[i], big / 10, &ok1);
		double t10 = time_pattern(units[i], big, &ok10);

		TAP_OK(ok1 && ok10 && t10 < 30 * t1 + 0.25 && t10 < 20,
		       "linear on %zu KB of \"%s\" (%.3fs; a tenth: %.3fs)",
		       big >> 10, units[i], t10, t1);
	}
}

int main(void)
{
	test_forms();
	test_exact();
	test_survives();
	test_new_forms();
	test_fixtures();
	test_planted_everywhere();
	test_buf_and_field();
	test_linear();
	return tap_done();
}
