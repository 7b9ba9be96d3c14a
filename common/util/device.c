#include "device.h"

#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static bool in_group(gid_t gid)
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

const char *device_access_advice(const char *path, char *buf, size_t size)
{
	struct stat st;
	struct group *gr;
	struct passwd *pw;
	char owner[64], group[64];

	if (stat(path, &st) < 0) {
		snprintf(buf, size, "run as root, or ask an administrator for access to %s", path);
		return buf;
	}
	pw = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "?");
	snprintf(group, sizeof(group), "%s", gr ? gr->gr_name : "?");
	if ((st.st_mode & 0060) == 0060 && st.st_gid != 0 && gr && !in_group(st.st_gid))
		snprintf(buf, size, "%s is mode %03o, owner %s, group %s: join the group "
			 "(sudo usermod -aG %s $USER, then log in again) or run as root",
			 path, st.st_mode & 0777, owner, group, group);
	else if ((st.st_mode & 0060) == 0060 && st.st_gid != 0 && gr)
		snprintf(buf, size, "%s is mode %03o, owner %s, group %s, and you are in %s: "
			 "log in again so the membership takes effect, or run as root",
			 path, st.st_mode & 0777, owner, group, group);
	else
		snprintf(buf, size, "%s is mode %03o, owner %s, group %s: only %s may use it "
			 "here; run as root (sudo), or have an administrator grant access "
			 "(e.g. a group with read-write access to it, set by a udev rule)",
			 path, st.st_mode & 0777, owner, group, owner);
	return buf;
}
