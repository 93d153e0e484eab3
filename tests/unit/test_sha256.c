/*
 * test_sha256.c: src/base/sha256.c against the FIPS 180-2 appendix B test
 * vectors, against itself fed in every chunking, and against coreutils'
 * sha256sum on messages of every length around the padding boundaries and
 * on the fixture files.
 */
#include "../tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"

static const char *hex_of(const void *data, size_t len, char out[FW_SHA256_HEX_LEN + 1])
{
	uint8_t d[FW_SHA256_LEN];

	fw_sha256(data, len, d);
	fw_sha256_hex(d, out);
	return out;
}

static void test_fips_vectors(void)
{
	char hex[FW_SHA256_HEX_LEN + 1];
	static const char two_block[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct fw_sha256 s;
	uint8_t d[FW_SHA256_LEN], chunk[1000];
	int i;

	TAP_EQ_STR(hex_of("abc", 3, hex),
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		   "FIPS 180-2 B.1: \"abc\"");
	TAP_EQ_STR(hex_of(two_block, strlen(two_block), hex),
		   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		   "FIPS 180-2 B.2: 448-bit two-block message");
	memset(chunk, 'a', sizeof(chunk));
	fw_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		fw_sha256_update(&s, chunk, sizeof(chunk));
	fw_sha256_final(&s, d);
	fw_sha256_hex(d, hex);
	TAP_EQ_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		   "FIPS 180-2 B.3: one million 'a'");
	TAP_EQ_STR(hex_of("", 0, hex),
		   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		   "the empty message");
}

/* Every split of a 200-byte message into two updates, and byte-at-a-time,
 * gives the one-shot digest. */
static void test_chunking(void)
{
	char want[FW_SHA256_HEX_LEN + 1], got[FW_SHA256_HEX_LEN + 1];
	uint8_t msg[200], d[FW_SHA256_LEN];
	struct fw_sha256 s;
	size_t i, split, bad = 0;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	hex_of(msg, sizeof(msg), want);
	for (split = 0; split <= sizeof(msg); split++) {
		fw_sha256_init(&s);
		fw_sha256_update(&s, msg, split);
		fw_sha256_update(&s, msg + split, sizeof(msg) - split);
		fw_sha256_final(&s, d);
		fw_sha256_hex(d, got);
		if (strcmp(got, want) != 0)
			bad++;
	}
	TAP_EQ_UINT(bad, 0, "every two-update split of 200 bytes matches the one-shot digest");
	fw_sha256_init(&s);
	for (i = 0; i < sizeof(msg); i++)
		fw_sha256_update(&s, msg + i, 1);
	fw_sha256_final(&s, d);
	fw_sha256_hex(d, got);
	TAP_EQ_STR(got, want, "byte-at-a-time updates match the one-shot digest");
}

/* Runs `sha256sum FILE` and copies its digest into out. 0 or -1. */
static int sha256sum(const char *path, char out[FW_SHA256_HEX_LEN + 1])
{
	char cmd[4200], line[256];
	FILE *p;
	int ok;

	if (strchr(path, '\''))
		return -1;
	snprintf(cmd, sizeof(cmd), "sha256sum -- '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fgets(line, sizeof(line), p) != NULL && strlen(line) > FW_SHA256_HEX_LEN &&
	     line[FW_SHA256_HEX_LEN] == ' ';
	if (pclose(p) != 0 || !ok)
		return -1;
	memcpy(out, line, FW_SHA256_HEX_LEN);
	out[FW_SHA256_HEX_LEN] = 0;
	return 0;
}

static int hash_file(const char *path, char out[FW_SHA256_HEX_LEN + 1])
{
	struct fw_error err;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fw_sha256_fd(fd, path, out, &err);
	close(fd);
	if (r < 0)
		TAP_DIAG("%s", err.msg);
	return r;
}

/* Messages of length 0..200 (the padding boundaries 55/56/63/64/119/120
 * among them) written to files, hashed by us and by sha256sum. */
static void test_against_sha256sum_lengths(void)
{
	char dir[] = "/tmp/test_sha256.XXXXXX", path[64];
	char ours[FW_SHA256_HEX_LEN + 1], theirs[FW_SHA256_HEX_LEN + 1];
	uint8_t msg[200];
	size_t len, bad = 0, compared = 0;
	int fd;

	if (sha256sum("/dev/null", theirs) < 0) {
		TAP_SKIP("sha256sum is not available", "lengths 0..200 agree with sha256sum");
		return;
	}
	if (!TAP_OK(mkdtemp(dir) != NULL, "temporary directory"))
		return;
	for (len = 0; len < sizeof(msg); len++)
		msg[len] = (uint8_t)(255 - len);
	for (len = 0; len <= sizeof(msg); len++) {
		snprintf(path, sizeof(path), "%s/m", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, msg, len) != (ssize_t)len) {
			bad++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		if (hash_file(path, ours) < 0 || sha256sum(path, theirs) < 0 ||
		    strcmp(ours, theirs) != 0) {
			TAP_DIAG("length %zu: ours %s, sha256sum %s", len, ours, theirs);
			bad++;
		}
		compared++;
		unlink(path);
	}
	rmdir(dir);
	TAP_EQ_UINT(bad, 0, "lengths 0..200 agree with sha256sum (%zu compared)", compared);
}

/* Every regular file directly in dir, hashed by us and by sha256sum. */
static void test_against_sha256sum_dir(const char *top, const char *sub)
{
	char dir[4096], path[8192];
	char ours[FW_SHA256_HEX_LEN + 1], theirs[FW_SHA256_HEX_LEN + 1];
	size_t compared = 0, bad = 0;
	struct dirent *de;
	struct stat st;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/%s", top, sub);
	dp = opendir(dir);
	if (!dp) {
		TAP_SKIP("no such directory", "%s agrees with sha256sum", sub);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (hash_file(path, ours) < 0 || sha256sum(path, theirs) < 0 ||
		    strcmp(ours, theirs) != 0) {
			TAP_DIAG("%s: ours %s, sha256sum %s", path, ours, theirs);
			bad++;
		}
		compared++;
	}
	closedir(dp);
	if (compared == 0) {
		TAP_SKIP("no files", "%s agrees with sha256sum", sub);
		return;
	}
	TAP_EQ_UINT(bad, 0, "%zu files in %s agree with sha256sum", compared, sub);
}

int main(void)
{
	const char *top = getenv("abs_top_srcdir");
	char theirs[FW_SHA256_HEX_LEN + 1];

	test_fips_vectors();
	test_chunking();
	test_against_sha256sum_lengths();
	if (!top)
		top = ".";
	if (sha256sum("/dev/null", theirs) < 0) {
		TAP_SKIP("sha256sum is not available", "fixtures agree with sha256sum");
	} else {
		test_against_sha256sum_dir(top, "tests/fixtures/profiles");
		test_against_sha256sum_dir(top, "tests/fixtures/flares");
	}
	return tap_done();
}
