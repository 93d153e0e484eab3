/*
 * test_strtab.c: the profile string table (src/base/strtab.c): index 0 is
 * "", add keeps duplicates (decoding), intern deduplicates (building),
 * strings may hold NUL bytes, the table grows far past its first size and
 * can shrink and grow again.
 */
#include "base/strtab.h"

#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int same(const struct fw_strtab *t, uint32_t i, const char *s, size_t n)
{
	return fw_strlen(t, i) == n && memcmp(fw_str(t, i), s, n) == 0;
}

static void test_init(void)
{
	struct fw_strtab t;

	if (!TAP_EQ_INT(fw_strtab_init(&t), 0, "init"))
		return;
	TAP_EQ_UINT(t.n, 1, "a new table holds one string");
	TAP_EQ_UINT(fw_strlen(&t, 0), 0, "index 0 has length 0");
	TAP_EQ_STR(fw_str(&t, 0), "", "index 0 is \"\"");
	fw_strtab_free(&t);
	TAP_OK(t.blob == NULL && t.n == 0, "free clears the table");
}

static void test_add_keeps_duplicates(void)
{
	struct fw_strtab t;
	uint32_t a, b, c, e;

	fw_strtab_init(&t);
	TAP_EQ_INT(fw_strtab_add(&t, "main", 4, &a), 0, "add main");
	TAP_EQ_INT(fw_strtab_add(&t, "main", 4, &b), 0, "add main again");
	TAP_EQ_INT(fw_strtab_add(&t, "", 0, &e), 0, "add \"\"");
	/* only the first 3 bytes of "mainx" */
	TAP_EQ_INT(fw_strtab_add(&t, "mainx", 3, &c), 0, "add a prefix");
	TAP_EQ_UINT(a, 1, "first added string is index 1");
	TAP_EQ_UINT(b, 2, "a duplicate gets its own index 2");
	TAP_EQ_UINT(e, 3, "an added \"\" gets its own index 3, not 0");
	TAP_EQ_UINT(c, 4, "next index 4");
	TAP_EQ_UINT(t.n, 5, "five strings");
	TAP_EQ_STR(fw_str(&t, a), "main", "string 1");
	TAP_EQ_STR(fw_str(&t, b), "main", "string 2");
	TAP_EQ_STR(fw_str(&t, c), "mai", "only n bytes are copied, NUL-terminated");
	TAP_EQ_UINT(fw_strlen(&t, e), 0, "string 3 is empty");
	fw_strtab_free(&t);
}

static void test_intern_dedups(void)
{
	struct fw_strtab t;
	uint32_t a, b, c, d, z;

	fw_strtab_init(&t);
	TAP_EQ_INT(fw_strtab_intern(&t, "alpha", 5, &a), 0, "intern alpha");
	TAP_EQ_INT(fw_strtab_intern(&t, "beta", 4, &b), 0, "intern beta");
	TAP_EQ_INT(fw_strtab_intern(&t, "alpha", 5, &c), 0, "intern alpha again");
	TAP_EQ_INT(fw_strtab_intern(&t, "", 0, &z), 0, "intern \"\"");
	TAP_EQ_UINT(a, 1, "alpha is index 1");
	TAP_EQ_UINT(b, 2, "beta is index 2");
	TAP_EQ_UINT(c, a, "interning alpha again returns its index");
	TAP_EQ_UINT(z, 0, "\"\" interns to index 0");
	TAP_EQ_UINT(t.n, 3, "no string was added twice");
	/* a prefix is a different string */
	TAP_EQ_INT(fw_strtab_intern(&t, "alph", 4, &d), 0, "intern alph");
	TAP_EQ_UINT(d, 3, "a prefix is a new string");
	/* intern finds strings that add put in before the hash existed */
	{
		uint32_t x, y;
		struct fw_strtab u;
		fw_strtab_init(&u);
		fw_strtab_add(&u, "x", 1, &x);
		fw_strtab_add(&u, "y", 1, &y);
		fw_strtab_add(&u, "x", 1, &y);
		TAP_EQ_INT(fw_strtab_intern(&u, "x", 1, &y), 0, "intern after add");
		TAP_EQ_UINT(y, x, "intern returns the first of the added duplicates");
		TAP_EQ_UINT(u.n, 4, "nothing added");
		fw_strtab_free(&u);
	}
	/* ...and strings added after the intern hash was built: intern's
	 * contract is "the index of an equal string, adding it if absent" */
	{
		uint32_t x, y, w;
		struct fw_strtab u;
		fw_strtab_init(&u);
		fw_strtab_intern(&u, "first", 5, &x);
		fw_strtab_add(&u, "later", 5, &y);
		TAP_EQ_INT(fw_strtab_intern(&u, "later", 5, &w), 0, "intern a string added after interning");
		TAP_EQ_UINT(w, y, "intern finds a string add appended after the hash was built");
		TAP_EQ_UINT(u.n, 3, "and adds no duplicate");
		fw_strtab_free(&u);
	}
	fw_strtab_free(&t);
}

static void test_nul_bytes(void)
{
	struct fw_strtab t;
	static const char s1[] = { 'a', 0, 'b' };
	static const char s2[] = { 'a', 0, 'c' };
	static const char s3[] = { 0 };
	uint32_t i1, i2, i3, j1, ja;

	fw_strtab_init(&t);
	fw_strtab_intern(&t, s1, 3, &i1);
	fw_strtab_intern(&t, s2, 3, &i2);
	fw_strtab_intern(&t, s3, 1, &i3);
	fw_strtab_intern(&t, "a", 1, &ja);
	fw_strtab_intern(&t, s1, 3, &j1);
	TAP_OK(i1 != i2, "strings differing after a NUL are distinct");
	TAP_OK(i3 != 0, "a single NUL byte is not the empty string");
	TAP_OK(ja != i1, "\"a\" differs from \"a\\0b\"");
	TAP_EQ_UINT(j1, i1, "\"a\\0b\" interns to its first index");
	TAP_EQ_UINT(fw_strlen(&t, i1), 3, "length counts bytes past the NUL");
	TAP_OK(same(&t, i1, s1, 3), "bytes of a\\0b kept");
	TAP_OK(same(&t, i2, s2, 3), "bytes of a\\0c kept");
	TAP_EQ_UINT(fw_strlen(&t, i3), 1, "single NUL has length 1");
	TAP_EQ_UINT(t.n, 5, "four strings plus \"\"");
	fw_strtab_free(&t);
}

static void test_growth(void)
{
	struct fw_strtab t;
	char s[32];
	uint32_t idx;
	size_t bad = 0, badlookup = 0;
	int r = 0;

	fw_strtab_init(&t);
	for (int i = 0; i < 100000 && r == 0; i++) {
		int n = snprintf(s, sizeof(s), "fn_%d", i);
		r = fw_strtab_intern(&t, s, (size_t)n, &idx);
		if (idx != (uint32_t)i + 1)
			bad++;
	}
	TAP_EQ_INT(r, 0, "100k interns succeed");
	TAP_EQ_UINT(bad, 0, "each new string gets the next index");
	TAP_EQ_UINT(t.n, 100001, "100k strings plus \"\"");
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(s, sizeof(s), "fn_%d", i);
		if (!same(&t, (uint32_t)i + 1, s, (size_t)n))
			bad++;
		if (fw_strtab_intern(&t, s, (size_t)n, &idx) != 0 || idx != (uint32_t)i + 1)
			badlookup++;
	}
	TAP_EQ_UINT(bad, 0, "every string reads back after growth");
	TAP_EQ_UINT(badlookup, 0, "every string interns to its index after growth");
	TAP_EQ_UINT(t.n, 100001, "re-interning added nothing");
	/* the blob: 100k strings of "fn_%d" plus their NULs plus "" */
	{
		size_t want = 1; /* "" */
		for (int i = 0; i < 100000; i++)
			want += (size_t)snprintf(s, sizeof(s), "fn_%d", i) + 1;
		TAP_EQ_UINT(t.blob_len, want, "blob holds every byte plus one NUL per string");
	}
	fw_strtab_free(&t);
}

static void test_shrink(void)
{
	struct fw_strtab t;
	uint32_t idx, again;
	char s[16];

	fw_strtab_init(&t);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(s, sizeof(s), "s%d", i);
		fw_strtab_add(&t, s, (size_t)n, &idx);
	}
	fw_strtab_shrink(&t);
	TAP_EQ_UINT(t.blob_cap, t.blob_len, "shrink: blob capacity equals its length");
	TAP_EQ_UINT(t.cap, t.n, "shrink: offset capacity equals the count");
	TAP_EQ_STR(fw_str(&t, 1), "s0", "first string intact after shrink");
	TAP_EQ_STR(fw_str(&t, 1000), "s999", "last string intact after shrink");
	TAP_EQ_STR(fw_str(&t, 0), "", "index 0 intact after shrink");
	/* grows again afterwards */
	TAP_EQ_INT(fw_strtab_add(&t, "after", 5, &idx), 0, "add after shrink");
	TAP_EQ_UINT(idx, 1001, "next index after shrink");
	TAP_EQ_STR(fw_str(&t, idx), "after", "string added after shrink");
	TAP_EQ_INT(fw_strtab_intern(&t, "s500", 4, &again), 0, "intern after shrink");
	TAP_EQ_UINT(again, 501, "intern finds an old string after shrink");
	TAP_EQ_INT(fw_strtab_intern(&t, "new", 3, &again), 0, "intern a new string after shrink");
	TAP_EQ_UINT(again, 1002, "it gets the next index");
	TAP_EQ_STR(fw_str(&t, 500), "s499", "older strings still intact");
	fw_strtab_free(&t);

	/* shrinking a fresh table keeps "" */
	fw_strtab_init(&t);
	fw_strtab_shrink(&t);
	TAP_EQ_STR(fw_str(&t, 0), "", "shrunk empty table still has \"\"");
	TAP_EQ_INT(fw_strtab_intern(&t, "x", 1, &idx), 0, "and grows");
	TAP_EQ_UINT(idx, 1, "to index 1");
	fw_strtab_free(&t);
}

int main(void)
{
	test_init();
	test_add_keeps_duplicates();
	test_intern_dedups();
	test_nul_bytes();
	test_growth();
	test_shrink();
	return tap_done();
}
