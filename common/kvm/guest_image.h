/*
 * Guest images: flat binaries loaded at guest-physical 0 (or at the base of
 * an instance's memory) and entered at guest-virtual 0. Programs embed their
 * default guest with GUEST_IMAGE(); --guest FILE loads another one.
 */
#ifndef KIT_GUEST_IMAGE_H
#define KIT_GUEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct guest_image {
	const uint8_t *data;
	size_t size;
	const char *name;     /* file name or "built-in NAME" */
	void *owned;          /* heap copy for a file, NULL for an embedded image */
};

/*
 * Embed build/guests/FILE.bin into this program: defines guest_image_NAME()
 * returning it. GUEST_IMAGE(NAME) is the usual case, FILE = NAME; guests
 * with dashes in their file names use GUEST_IMAGE_FILE(lab_b, "lab-b").
 * The Makefile builds the images before any program that includes them.
 */
#define GUEST_IMAGE_FILE(NAME, FILE)                                                \
	__asm__(".pushsection .rodata\n"                                            \
		".balign 16\n"                                                     \
		"guest_" #NAME "_start:\n"                                          \
		".incbin \"build/guests/" FILE ".bin\"\n"                           \
		"guest_" #NAME "_end:\n"                                            \
		".popsection\n");                                                   \
	extern const uint8_t guest_##NAME##_start[] __asm__("guest_" #NAME "_start"); \
	extern const uint8_t guest_##NAME##_end[] __asm__("guest_" #NAME "_end");     \
	static inline struct guest_image guest_image_##NAME(void)                   \
	{                                                                           \
		return (struct guest_image){                                        \
			.data = guest_##NAME##_start,                               \
			.size = (size_t)(guest_##NAME##_end - guest_##NAME##_start),  \
			.name = "built-in " FILE,                                   \
		};                                                                  \
	}
#define GUEST_IMAGE(NAME) GUEST_IMAGE_FILE(NAME, #NAME)

/*
 * Read a flat binary of at most max_size bytes. 0, or -errno with *why set
 * to a sentence saying what is wrong (unreadable, empty, too large).
 */
int guest_image_load_raw(const char *path, size_t max_size, struct guest_image *img,
			 const char **why);
/* The same; on failure one line naming the file and exit EXIT_USAGE. */
void guest_image_load(const char *path, size_t max_size, struct guest_image *img);
void guest_image_free(struct guest_image *img);

#endif
