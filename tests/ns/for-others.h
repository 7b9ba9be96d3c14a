/*
 * Tests that run a kit program as another user (uid 65534 through setpriv,
 * or as the unprivileged root of an isolate container) need a copy that
 * user can reach: the tree may lie in a folder only its owner can enter
 * (/root, a new home, a mktemp -d folder). These copy files into a fresh
 * folder under /tmp that everyone may enter, and remove it afterwards.
 */
#ifndef KIT_TESTS_NS_FOR_OTHERS_H
#define KIT_TESTS_NS_FOR_OTHERS_H

#include <stddef.h>

/* Make the folder (mode 0755, under /tmp). 0, or -errno. Call once. */
int for_others_begin(void);

/* The folder's path into buf. 0, or -ENOENT before for_others_begin. */
int for_others_folder(char *buf, size_t len);

/* Copy SRC (keeping its mode) into the folder; its new path into dst. 0, or -errno. */
int for_others_copy(const char *src, char *dst, size_t len);

/* Remove the folder and everything in it. */
void for_others_end(void);

#endif
