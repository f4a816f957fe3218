/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the libktls tests. */
#ifndef _KTLS_TESTS_COMMON_H
#define _KTLS_TESTS_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
/* This cmocka.h declares its functions without extern "C". */
#ifdef __cplusplus
extern "C" {
#endif
#include <cmocka.h>
#ifdef __cplusplus
}
#endif

#include <ktls/ktls.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifdef __cplusplus
extern "C" {
#endif

struct tst_image {
	unsigned char *buf;
	size_t size;
};

/* x86-64 vDSO functions every supported kernel exports. */
extern const char *const tst_vdso_names[];
extern const size_t tst_nr_vdso_names;

/* A malloc'd copy of the running vDSO, as sized by ktls_vdso_image(). */
void tst_host_vdso(struct tst_image *img);

/* A copy of the whole [vdso] mapping, section headers included. */
void tst_host_vdso_mapping(struct tst_image *img);

/* Read a file; -errno on failure. */
int tst_load_file(const char *path, struct tst_image *img);

/* An exact-size malloc'd copy of @len bytes, so ASan sees overreads. */
unsigned char *tst_dup(const void *src, size_t len);

void tst_image_free(struct tst_image *img);

/* File offset of a virtual address in a well-formed image, or -1. */
long tst_vaddr_off(const struct tst_image *img, uint64_t vaddr);

/* File offset of the first dynamic entry with @tag, or -1. */
long tst_dyn_entry(const struct tst_image *img, int64_t tag);

/* Value (d_un) of the first dynamic entry with @tag; fails the test if none. */
uint64_t tst_dyn_value(const struct tst_image *img, int64_t tag);

/* xorshift64*: deterministic pseudo-random numbers. */
uint64_t tst_rand(uint64_t *state);

/* An unsigned number from the environment, or @def. */
unsigned long tst_env_ulong(const char *name, unsigned long def);

/*
 * Assert that a lookup result is allowed for an arbitrary image: found
 * inside [image, image + size), not found, or malformed.
 */
void tst_check_result(int ret, void *addr, const void *image, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* _KTLS_TESTS_COMMON_H */
