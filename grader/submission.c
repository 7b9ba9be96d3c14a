#include "submission.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "style.h"
#include "util/util.h"

#define IGNORED_SHOWN 8 /* files outside the contract named in the note, at most */

/* --- reading a file of a submission without following a symlink anywhere on its path */

enum read_outcome { READ_OK, READ_MISSING, READ_REFUSED };

/* One folder of the path, below dirfd: opened only if it is a real folder. -1 with why, or errno ENOENT. */
static int open_folder_beneath(int dirfd, const char *name, struct buf *why)
{
	struct stat st;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		buf_printf(why, "its folder %s is a symlink", name);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		buf_printf(why, "%s is not a folder", name);
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		buf_printf(why, "its folder %s cannot be opened: %s", name, strerror(errno));
	return fd;
}

/* The last part of the path: a regular file of at most max bytes, read into out. */
static enum read_outcome read_file_beneath(int dirfd, const char *name, size_t max, struct buf *out,
					   struct buf *why)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? READ_MISSING : (buf_printf(why, "%s", strerror(errno)), READ_REFUSED);
	if (S_ISLNK(st.st_mode)) {
		buf_puts(why, "it is a symlink");
		return READ_REFUSED;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_puts(why, "it is not a regular file");
		return READ_REFUSED;
	}
	/* A second name elsewhere could be any file of the machine (git and unzip never make one). */
	if (st.st_nlink > 1) {
		buf_printf(why, "it has %ju hard links (a file of a submission has one)", (uintmax_t)st.st_nlink);
		return READ_REFUSED;
	}
	/* O_NONBLOCK: a FIFO swapped in meanwhile cannot hang us; fstat below refuses it. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
		buf_printf(why, "it cannot be read: %s", fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return READ_REFUSED;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(why, "it cannot be read: %s", strerror(errno));
			break;
		}
		buf_append(out, chunk, (size_t)n);
		if (out->len > max) {
			buf_printf(why, "it is larger than %d KiB, the limit for a file of a submission", (int)(max / 1024));
			break;
		}
	}
	close(fd);
	return why->len ? READ_REFUSED : READ_OK;
}

/* Read rel (a plain relative path) beneath the folder rootfd. why says what was refused. */
static enum read_outcome read_beneath(int rootfd, const char *rel, size_t max, struct buf *out, struct buf *why)
{
	char *path = xstrdup(rel), *save = NULL;
	char *part = strtok_r(path, "/", &save), *next;
	int fd = rootfd;
	enum read_outcome outcome = READ_MISSING;

	for (; part && (next = strtok_r(NULL, "/", &save)); part = next) {
		int inner = open_folder_beneath(fd, part, why);

		if (fd != rootfd)
			close(fd);
		fd = inner;
		if (fd < 0)
			break;
	}
	if (fd >= 0 && part)
		outcome = read_file_beneath(fd, part, max, out, why);
	else if (why->len)
		outcome = READ_REFUSED;
	if (fd >= 0 && fd != rootfd)
		close(fd);
	free(path);
	return outcome;
}

/* --- .handout */

bool handout_present(const char *top)
{
	char *path = xasprintf("%s/%s", top, HANDOUT_FILE);
	struct stat st;
	bool present = lstat(path, &st) == 0;

	free(path);
	return present;
}

/* No leading '/', no empty, "." or ".." part, no trailing '/'. */
static bool plain_relative(const char *path)
{
	const char *part = path;

	if (!*path || *path == '/' || strlen(path) >= PATH_MAX)
		return false;
	while (*part) {
		size_t len = strcspn(part, "/");

		if (len == 0 || (len == 1 && part[0] == '.') || (len == 2 && part[0] == '.' && part[1] == '.'))
			return false;
		part += len;
		if (*part == '/' && !*++part)
			return false;
	}
	return true;
}

static char *trim(char *text)
{
	size_t len;

	while (*text == ' ' || *text == '\t')
		text++;
	len = strlen(text);
	while (len > 0 && strchr(" \t\r", text[len - 1]))
		text[--len] = '\0';
	return text;
}

/* The value of the first "handout" line, or NULL. */
static char *find_identity(char *text)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line = trim(line);
		if (strncmp(line, "handout", 7) == 0 && (line[7] == ' ' || line[7] == '\t'))
			return xstrdup(trim(line + 8));
	}
	return NULL;
}

static bool listed(const struct handout *h, const char *path)
{
	for (size_t i = 0; i < h->nedits; i++)
		if (strcmp(h->edits[i], path) == 0)
			return true;
	return false;
}

static int add_edit(struct handout *h, const char *path, const char *file, int line, struct buf *err)
{
	char *full;
	struct stat st;
	bool regular;

	if (!plain_relative(path)) {
		buf_printf(err, "%s:%d: edit %s: not a plain relative path (no leading /, no . or ..)", file, line, path);
		return -1;
	}
	full = xasprintf("%s/%s", h->top, path);
	regular = lstat(full, &st) == 0 && S_ISREG(st.st_mode);
	free(full);
	if (!regular) {
		buf_printf(err, "%s:%d: edit %s: not a regular file of the handout", file, line, path);
		return -1;
	}
	if (!listed(h, path))
		*(char **)ARRAY_PUSH(h->edits, h->nedits, h->edits_cap) = xstrdup(path);
	return 0;
}

static int parse_pristine(struct handout *h, char *text, const char *file, struct buf *err)
{
	int number = 0;

	for (char *line = text, *end; line && *line; line = end) {
		char *key, *value;

		end = strchr(line, '\n');
		if (end)
			*end++ = '\0';
		number++;
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		value = key + strcspn(key, " \t");
		if (*value)
			*value++ = '\0';
		value = trim(value);
		if (strcmp(key, "handout") == 0 && (h->identity || !*value)) {
			buf_printf(err, "%s:%d: 'handout IDENTITY' must be given once, with a value", file, number);
			return -1;
		}
		if (strcmp(key, "handout") == 0)
			h->identity = xstrdup(value);
		else if (strcmp(key, "edit") == 0 && add_edit(h, value, file, number, err) < 0)
			return -1;
		/* Other keys are for other tools (and later versions): ignored. */
	}
	if (!h->identity)
		buf_printf(err, "%s: no 'handout IDENTITY' line: is this a handout made by 'make handout'?", file);
	else if (h->nedits == 0)
		buf_printf(err, "%s: no 'edit PATH' line: a submission would contribute nothing", file);
	return err->len ? -1 : 0;
}

int handout_load(struct handout *h, const char *top, struct buf *err)
{
	struct buf text = { 0 }, why = { 0 };
	char *file;
	int rc = -1, fd;

	*h = (struct handout){ .top = realpath(top, NULL) };
	if (!h->top) {
		buf_printf(err, "the handout %s: %s", top, strerror(errno));
		return -1;
	}
	file = xasprintf("%s/%s", h->top, HANDOUT_FILE);
	fd = open(h->top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	enum read_outcome got = fd < 0 ? READ_MISSING : read_beneath(fd, HANDOUT_FILE, HANDOUT_MAX_FILE, &text, &why);
	if (got == READ_MISSING)
		buf_printf(err, "%s: no such file: %s is not a handout made by 'make handout'", file, h->top);
	else if (got == READ_REFUSED)
		buf_printf(err, "%s: %s", file, buf_str(&why));
	else
		rc = parse_pristine(h, text.data ? text.data : (char *)"", file, err);
	if (fd >= 0)
		close(fd);
	free(file);
	buf_free(&text);
	buf_free(&why);
	return rc;
}

void handout_free(struct handout *h)
{
	for (size_t i = 0; i < h->nedits; i++)
		free(h->edits[i]);
	free(h->edits);
	free(h->top);
	free(h->identity);
	*h = (struct handout){ 0 };
}

/* --- finding the submission in a folder */

static int is_content(const struct dirent *entry)
{
	return entry->d_name[0] != '.' && strcmp(entry->d_name, "__MACOSX") != 0;
}

/* A zip that unpacked into one folder: that folder, when it is a real one holding .handout. */
static char *only_folder(const char *dir)
{
	struct dirent **entries;
	int count = scandir(dir, &entries, is_content, alphasort);
	char *inner = NULL;
	struct stat st;

	if (count < 0)
		return NULL;
	if (count == 1) {
		inner = xasprintf("%s/%s", dir, entries[0]->d_name);
		if (lstat(inner, &st) < 0 || !S_ISDIR(st.st_mode) || !handout_present(inner)) {
			free(inner);
			inner = NULL;
		}
	}
	for (int i = 0; i < count; i++)
		free(entries[i]);
	free(entries);
	return inner;
}

/* The identity its .handout names: 0, or -1 with why it has none. */
static int submission_identity(const char *root, char **identity, struct buf *why)
{
	struct buf text = { 0 }, reason = { 0 };
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	enum read_outcome got = fd < 0 ? READ_MISSING : read_beneath(fd, HANDOUT_FILE, HANDOUT_MAX_FILE, &text, &reason);

	*identity = NULL;
	if (got == READ_REFUSED)
		buf_printf(why, "its .handout is not usable (%s)", buf_str(&reason));
	else if (got == READ_MISSING)
		buf_puts(why, "it has no .handout at its top");
	else if (!(*identity = find_identity(text.data ? text.data : (char *)"")))
		buf_puts(why, "its .handout names no handout");
	if (fd >= 0)
		close(fd);
	buf_free(&text);
	buf_free(&reason);
	return *identity ? 0 : -1;
}

int submission_find(const struct handout *h, const char *dir, char **root, struct buf *why, struct buf *notes)
{
	char *real = realpath(dir, NULL), *at, *identity = NULL;
	struct buf reason = { 0 };

	*root = NULL;
	if (!real) {
		buf_printf(why, "cannot read the submission %s: %s", dir, strerror(errno));
		return -1;
	}
	at = handout_present(real) ? NULL : only_folder(real);
	if (at)
		buf_printf(notes, "the submission's files are in %s/: graded from there\n", at + strlen(real) + 1);
	if (submission_identity(at ? at : real, &identity, &reason) < 0)
		buf_printf(why, "%s is not a submission of this handout: %s (%s)", dir, buf_str(&reason),
			   SUBMISSION_CONTRACT);
	else if (strcmp(identity, h->identity) != 0)
		buf_printf(why, "%s is not a submission of this handout: its .handout says 'handout %s', this "
			   "handout is 'handout %s' (%s)", dir, identity, h->identity, SUBMISSION_CONTRACT);
	free(identity);
	buf_free(&reason);
	if (why->len) {
		free(at);
		free(real);
		return -1;
	}
	*root = at ? at : real;
	if (at)
		free(real);
	return 0;
}

/* --- taking the edit files */

static int write_into(const char *tree, const char *rel, const struct buf *content)
{
	char *path = xasprintf("%s/%s", tree, rel);
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	int rc = fd < 0 ? -errno : write_all(fd, content->data ? content->data : "", content->len);

	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		kit_warn("cannot write %s: %s", path, strerror(-rc));
	free(path);
	return rc < 0 ? -1 : 0;
}

/* Files of the submission outside the contract that differ from the handout's: nftw state. */
static struct {
	const struct handout *h;
	size_t tree_len;
	int rootfd, treefd;
	struct buf names;
	size_t count;
} ignored;

static int note_if_changed(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + ignored.tree_len + 1;
	struct buf mine = { 0 }, theirs = { 0 }, why = { 0 };

	(void)st;
	(void)ftw;
	if (type != FTW_F || listed(ignored.h, rel) ||
	    read_beneath(ignored.treefd, rel, SUBMISSION_MAX_FILE, &mine, &why) != READ_OK) {
		buf_free(&mine);
		buf_free(&why);
		return 0;
	}
	buf_reset(&why);
	enum read_outcome got = read_beneath(ignored.rootfd, rel, SUBMISSION_MAX_FILE, &theirs, &why);
	if (got == READ_REFUSED ||
	    (got == READ_OK && (mine.len != theirs.len || memcmp(buf_str(&mine), buf_str(&theirs), mine.len) != 0))) {
		if (ignored.count < IGNORED_SHOWN)
			buf_printf(&ignored.names, "%s%s", ignored.count ? ", " : "", rel);
		ignored.count++;
	}
	buf_free(&mine);
	buf_free(&theirs);
	buf_free(&why);
	return 0;
}

static void note_ignored_changes(const struct handout *h, int rootfd, const char *tree, struct buf *notes)
{
	ignored.h = h;
	ignored.tree_len = strlen(tree);
	ignored.rootfd = rootfd;
	ignored.treefd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ignored.count = 0;
	buf_reset(&ignored.names);
	if (ignored.treefd >= 0) {
		nftw(tree, note_if_changed, 32, FTW_PHYS | FTW_MOUNT);
		close(ignored.treefd);
	}
	if (ignored.count)
		buf_printf(notes, "ignored: the submission changes %zu file(s) outside the contract, graded as the "
			   "handout has them (only the files .handout lists as 'edit' are taken): %s%s\n", ignored.count,
			   buf_str(&ignored.names), ignored.count > IGNORED_SHOWN ? ", ..." : "");
	buf_free(&ignored.names);
}

int submission_apply(const struct handout *h, const char *root, const char *tree, struct buf *notes)
{
	struct buf missing = { 0 }, refused = { 0 };
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t taken = 0, nmissing = 0;
	int rc = 0;

	if (rootfd < 0) {
		kit_warn("cannot read the submission %s: %s", root, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < h->nedits && rc == 0; i++) {
		struct buf content = { 0 }, why = { 0 };

		switch (read_beneath(rootfd, h->edits[i], SUBMISSION_MAX_FILE, &content, &why)) {
		case READ_OK:
			rc = write_into(tree, h->edits[i], &content);
			taken++;
			break;
		case READ_MISSING:
			buf_printf(&missing, "%s%s", nmissing++ ? ", " : "", h->edits[i]);
			break;
		case READ_REFUSED:
			buf_printf(&refused, "not taken: %s: %s; graded with the handout's version\n", h->edits[i],
				   buf_str(&why));
			break;
		}
		buf_free(&content);
		buf_free(&why);
	}
	buf_printf(notes, "took %zu of the %zu files .handout lists as 'edit'; everything else is the handout's\n",
		   taken, h->nedits);
	if (nmissing)
		buf_printf(notes, "not in the submission, graded as the handout has them (the stubs): %s\n",
			   buf_str(&missing));
	buf_append(notes, refused.data, refused.len);
	note_ignored_changes(h, rootfd, tree, notes); /* the edit files are not compared */
	close(rootfd);
	buf_free(&missing);
	buf_free(&refused);
	return rc;
}

int submission_prepare(struct graded_tree *t, const struct handout *h, const char *dir,
		       const struct tree_options *opts, FILE *report)
{
	struct buf why = { 0 };
	char *root;
	int rc;

	*t = (struct graded_tree){ .source = xstrdup(dir) };
	if (submission_find(h, dir, &root, &why, &t->notes) < 0) {
		t->refused = buf_take(&why);
		return 1;
	}
	if (tree_make_scratch(t) < 0) {
		free(root);
		return -1;
	}
	fprintf(report, "Grading the submission %s: its 'edit' files on a fresh copy of the handout %s (in %s)\n",
		root, h->top, t->path);
	rc = tree_copy_pristine(h->top, t->path);
	if (rc == 0)
		rc = submission_apply(h, root, t->path, &t->notes);
	print_indented(report, buf_str(&t->notes), "note: ");
	if (rc == 0)
		tree_build(t, opts, report);
	free(root);
	return rc;
}
