#include "vars.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "util/util.h"

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

bool valid_var_name(const char *name, size_t len)
{
	if (len == 0 || !is_name_start(name[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_name_char(name[i]))
			return false;
	return true;
}

static const struct var *find_var(const struct var *vars, size_t nvars, const char *name, size_t len)
{
	for (size_t i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

static void append_regex_literal(struct buf *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (strchr("\\.[]()*+?{}|^$", *p))
			buf_putc(out, '\\');
		buf_putc(out, *p);
	}
}

size_t subst_vars(struct buf *out, const char *text, const struct var *vars, size_t nvars,
		  enum subst_mode mode, char *unknown, size_t unknown_size)
{
	size_t unknown_count = 0;
	const char *p = text;

	buf_append(out, "", 0); /* an empty result is still a string */
	while (*p) {
		const char *ref = strstr(p, "${");
		const char *close = ref ? strchr(ref + 2, '}') : NULL;

		if (!ref || !close) {
			buf_puts(out, p);
			break;
		}
		buf_append(out, p, (size_t)(ref - p));
		const char *name = ref + 2;
		size_t len = (size_t)(close - name);
		const struct var *var = find_var(vars, nvars, name, len);
		if (var && mode == SUBST_REGEX)
			append_regex_literal(out, var->value);
		else if (var)
			buf_puts(out, var->value);
		else {
			buf_append(out, ref, (size_t)(close + 1 - ref));
			if (valid_var_name(name, len) && unknown_count++ == 0 && unknown && unknown_size)
				snprintf(unknown, unknown_size, "%.*s", (int)len, name);
		}
		p = close + 1;
	}
	return unknown_count;
}

static void random_bytes(unsigned char *out, size_t len)
{
	while (len > 0) {
		ssize_t n = getrandom(out, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("getrandom: %s", n < 0 ? strerror(errno) : "no data");
		out += n;
		len -= (size_t)n;
	}
}

/* Uniform choice from an alphabet: reject bytes that would bias the modulo. */
static void random_from(char *out, size_t len, const char *alphabet)
{
	size_t size = strlen(alphabet);
	unsigned limit = 256 - 256 % (unsigned)size;
	size_t filled = 0;

	while (filled < len) {
		unsigned char bytes[64];

		random_bytes(bytes, sizeof(bytes));
		for (size_t i = 0; i < sizeof(bytes) && filled < len; i++)
			if (bytes[i] < limit)
				out[filled++] = alphabet[bytes[i] % size];
	}
	out[len] = '\0';
}

void random_word(char *out, size_t len)
{
	if (len == 0) {
		out[0] = '\0';
		return;
	}
	/* a leading letter keeps it a valid name, hostname and file name */
	random_from(out, 1, "abcdefghijklmnopqrstuvwxyz");
	random_from(out + 1, len - 1, "abcdefghijklmnopqrstuvwxyz0123456789");
}

void random_hex(char *out, size_t len)
{
	random_from(out, len, "0123456789abcdef");
}
