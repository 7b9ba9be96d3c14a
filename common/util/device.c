#include "device.h"

#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void user_name(char *out, size_t size, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(out, size, "%s", pw->pw_name);
	else
		snprintf(out, size, "%d", (int)uid);
}

static void group_name(char *out, size_t size, gid_t gid)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(out, size, "%s", gr->gr_name);
	else
		snprintf(out, size, "%d", (int)gid);
}

const char *device_mode_text(const struct stat *st, char *buf, size_t size)
{
	static const char kinds[] = { [S_IFDIR >> 12] = 'd', [S_IFCHR >> 12] = 'c',
				      [S_IFBLK >> 12] = 'b', [S_IFLNK >> 12] = 'l',
				      [S_IFIFO >> 12] = 'p', [S_IFSOCK >> 12] = 's',
				      [S_IFREG >> 12] = '-' };
	static const char rwx[] = "rwxrwxrwx";
	char mode[11], owner[64], group[64];
	char kind = kinds[(st->st_mode & S_IFMT) >> 12];

	mode[0] = kind ? kind : '?';
	for (int i = 0; i < 9; i++)
		mode[1 + i] = (st->st_mode & (0400u >> i)) ? rwx[i] : '-';
	mode[10] = '\0';
	user_name(owner, sizeof(owner), st->st_uid);
	group_name(group, sizeof(group), st->st_gid);
	snprintf(buf, size, "%s %s:%s", mode, owner, group);
	return buf;
}

/* In the groups of this login session (what the kernel checks). */
static bool in_session_groups(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(256, groups);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Listed as a member in /etc/group (takes effect at the next login). */
static bool listed_in_group(gid_t gid, const char *user)
{
	struct group *gr = getgrgid(gid);

	for (char **member = gr ? gr->gr_mem : NULL; member && *member; member++)
		if (strcmp(*member, user) == 0)
			return true;
	return false;
}

const char *device_access_advice(const char *path, const struct stat *known, char *buf,
				 size_t size)
{
	char me[64], group[64], mode[160];
	struct stat st;
	bool group_rw;
	int n;

	if (known) {
		st = *known;
	} else if (stat(path, &st) < 0) {
		snprintf(buf, size, "run as root, or ask the admin for access to %s", path);
		return buf;
	}
	group_rw = (st.st_mode & 0060) == 0060 && st.st_gid != 0;
	user_name(me, sizeof(me), geteuid());
	group_name(group, sizeof(group), st.st_gid);
	n = snprintf(buf, size, "%s is %s and %s may not open it: ", path,
		     device_mode_text(&st, mode, sizeof(mode)), me);
	if (n < 0 || (size_t)n >= size)
		return buf;
	if (group_rw && in_session_groups(st.st_gid))
		snprintf(buf + n, size - n, "you are in its group %s already, so an ACL or a "
			 "security module denies it; ask the admin, or run as root", group);
	else if (group_rw && listed_in_group(st.st_gid, me))
		snprintf(buf + n, size - n, "you are in group %s, but this login session started "
			 "before you were: log out and in again (or run 'newgrp %s')", group, group);
	else if (group_rw)
		snprintf(buf + n, size - n, "join its group %s (sudo usermod -aG %s %s, then log in "
			 "again), or run as root", group, group, me);
	else
		snprintf(buf + n, size - n, "run as root (sudo), or have the admin give you access: "
			 "sudo setfacl -m u:%s:rw %s (until the next reboot), or a udev rule giving "
			 "it to a group of yours with mode 0660", me, path);
	return buf;
}
