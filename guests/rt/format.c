#include "format.h"

#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	int width;
	char pad;      /* ' ' or '0' */
	int left;      /* '-' flag */
	int longs;     /* 0 int, 1 long, 2 long long, 3 size_t */
};

static void put_padded(struct out *o, const char *s, size_t n, const struct spec *sp)
{
	int fill = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!sp->left)
		while (fill-- > 0)
			put(o, sp->pad);
	while (n--)
		put(o, *s++);
	if (sp->left)
		while (fill-- > 0)
			put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, int negative, unsigned base, int upper,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (sp->pad == '0' && sp->width > 0) {
			struct spec rest = *sp;

			put(o, '-');
			rest.width--;
			put_padded(o, tmp + i, sizeof(tmp) - (size_t)i, &rest);
			return;
		}
		tmp[--i] = '-';
	}
	put_padded(o, tmp + i, sizeof(tmp) - (size_t)i, sp);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ .pad = ' ' };
	for (;; f++) {
		if (*f == '0')
			sp->pad = '0';
		else if (*f == '-')
			sp->left = 1;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == 'z') {
		sp->longs = 3;
		f++;
	}
	while (*f == 'l') {
		sp->longs++;
		f++;
	}
	return f;
}

static uint64_t take_unsigned(va_list *ap, int longs)
{
	if (longs == 0)
		return va_arg(*ap, unsigned int);
	if (longs == 1)
		return va_arg(*ap, unsigned long);
	if (longs == 3)
		return va_arg(*ap, size_t);
	return va_arg(*ap, unsigned long long);
}

static int64_t take_signed(va_list *ap, int longs)
{
	if (longs == 0)
		return va_arg(*ap, int);
	if (longs == 1 || longs == 3)
		return va_arg(*ap, long);
	return va_arg(*ap, long long);
}

static void convert(struct out *o, char c, const struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = take_signed(ap, sp->longs);

		put_number(o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, 0, sp);
		break;
	}
	case 'u':
		put_number(o, take_unsigned(ap, sp->longs), 0, 10, 0, sp);
		break;
	case 'x':
	case 'X':
		put_number(o, take_unsigned(ap, sp->longs), 0, 16, c == 'X', sp);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_number(o, (uintptr_t)va_arg(*ap, void *), 0, 16, 0, sp);
		break;
	case 's': {
		const char *s = va_arg(*ap, const char *);
		size_t n = 0;

		if (!s)
			s = "(null)";
		while (s[n])
			n++;
		put_padded(o, s, n, sp);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);

		put_padded(o, &ch, 1, sp);
		break;
	}
	default:
		put(o, '%');
		if (c)
			put(o, c);
	}
}

int vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		struct spec sp;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		if (fmt[1] == '%') {
			put(&o, '%');
			fmt += 2;
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		convert(&o, *fmt, &sp, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
