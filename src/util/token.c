/* SPDX-License-Identifier: MIT */
/*
 * util/token.c - access tokens in files (the web viewer's): 256 bits
 * from the kernel's random source as 64 hex digits.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"
#include "token.h"

static bool is_token(const char *s, size_t n)
{
	if (n != TOKEN_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int token_read(const char *path, char out[TOKEN_LEN + 1])
{
	struct buf b;
	size_t len;
	int err;

	buf_init(&b, TOKEN_LEN + 2);
	err = file_read_all(path, TOKEN_LEN + 2, &b);
	if (err) {
		buf_release(&b);
		return err == -EFBIG ? -EINVAL : err;
	}
	len = b.len;
	if (len && b.data[len - 1] == '\n')
		len--;
	if (!is_token(b.data, len))
		err = -EINVAL;
	else
		memcpy(out, b.data, TOKEN_LEN);
	out[TOKEN_LEN] = '\0';
	if (b.data)
		explicit_bzero(b.data, b.len);
	buf_release(&b);
	return err;
}

int token_create(const char *path, gid_t gid)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[TOKEN_LEN / 2];
	char text[TOKEN_LEN + 2];
	int err;

	if (token_read(path, text) == 0)
		return 1;
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 15];
	}
	text[TOKEN_LEN] = '\n';
	text[TOKEN_LEN + 1] = '\0';
	explicit_bzero(raw, sizeof(raw));
	err = file_write_atomic(path, text, TOKEN_LEN + 1, 0640);
	if (!err && gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0)
		err = -errno;
	explicit_bzero(text, sizeof(text));
	return err;
}

bool token_equal(const char *token, const char *s, size_t n)
{
	unsigned char diff = n != TOKEN_LEN;

	for (size_t i = 0; i < TOKEN_LEN; i++)
		diff |= (unsigned char)(token[i] ^ (i < n ? s[i] : 0));
	return diff == 0;
}
