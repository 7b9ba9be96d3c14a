#include "test_files.h"
#include "lab/lab.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static uint64_t rng_state = 88172645463325252ull;

void seed_random(uint64_t seed)
{
	rng_state = seed;
}

uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

char *join(const char *dir, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

void put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = join(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	free(p);
}

void put_random_file(const char *dir, const char *name, size_t len)
{
	uint8_t *data = malloc(len + 8);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t r = next_random();

		memcpy(data + i, &r, 8);
	}
	put_file(dir, name, data, len);
	free(data);
}

void put_link(const char *dir, const char *name, const char *target)
{
	char *p = join(dir, name);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

/* Size of a file, or -1 when it does not exist. */
long long file_size(const char *dir, const char *name)
{
	char *p = join(dir, name);
	struct stat st;
	int r = lstat(p, &st);

	free(p);
	return r < 0 ? -1 : (long long)st.st_size;
}

/* FNV-1a over a whole file: the copies are compared by checksum. */
uint64_t file_checksum(const char *dir, const char *name)
{
	char *p = join(dir, name);
	FILE *f = fopen(p, "rb");
	uint64_t h = 1469598103934665603ull;
	uint8_t buf[65536];
	size_t n;

	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
	fclose(f);
	free(p);
	return h;
}

size_t file_read(const char *dir, const char *name, void *buf, size_t max)
{
	char *p = join(dir, name);
	int fd = open(p, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, max);
	assert_true(n >= 0);
	close(fd);
	free(p);
	return (size_t)n;
}

int entries_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}


void make_tree(struct tree *t)
{
	snprintf(t->base, sizeof(t->base), "/tmp/%s.XXXXXX", program_invocation_short_name);
	assert_non_null(mkdtemp(t->base));
	chmod(t->base, 0755);
	t->root = join(t->base, "root");
	t->outside = join(t->base, "outside");
	assert_int_equal(mkdir(t->root, 0755), 0);
	assert_int_equal(mkdir(t->outside, 0755), 0);
	put_file(t->outside, "secret.txt", "SECRET", 6);
}

void free_tree(struct tree *t)
{
	assert_int_equal(remove_tree(t->base), 0);
	free(t->root);
	free(t->outside);
}

int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	make_tree(t);
	*state = t;
	return 0;
}

int tree_teardown(void **state)
{
	free_tree(*state);
	free(*state);
	return 0;
}

int status_in_child(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

bool boot_test_guest(struct vm *vm, struct vcpu *v, struct guest_image *img, uint64_t mem,
		     double timeout, int argc, char **argv, struct instance_layout *layout)
{
	const char *why;

	if (vm_create_raw(vm, &why) < 0)
		return false;
	vm->timeout = timeout;
	assert_int_equal(vm_add_memory_raw(vm, mem), 0);
	assert_int_equal(vcpu_create_raw(vm, v, 0), 0);
	assert_int_equal(boot_instance_raw(v, 0, mem, img, argc, argv, layout, &why), 0);
	lab_register_guest_ports(vm);
	return true;
}

void capture_start(struct capture *c, int out_fd)
{
	c->file = tmpfile();
	assert_non_null(c->file);
	fflush(stdout);
	fflush(stderr);
	c->saved_out = dup(STDOUT_FILENO);
	c->saved_err = dup(STDERR_FILENO);
	dup2(out_fd >= 0 ? out_fd : fileno(c->file), STDOUT_FILENO);
	dup2(fileno(c->file), STDERR_FILENO);
}

void capture_stop(struct capture *c, char *buf, size_t size)
{
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, STDOUT_FILENO);
	dup2(c->saved_err, STDERR_FILENO);
	close(c->saved_out);
	close(c->saved_err);
	rewind(c->file);
	n = fread(buf, 1, size - 1, c->file);
	buf[n] = '\0';
	rewind(c->file);
}

void capture_close(struct capture *c)
{
	fclose(c->file);
}
