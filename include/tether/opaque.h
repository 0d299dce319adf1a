/*
 * Opaque blocks: storage for a third-party library's state (the TLS
 * backend's contexts, zlib's stream) inside tether's structs, so that no
 * public header needs that library's headers. The caller owns the memory
 * (a global, a stack frame, a member of its own struct) as with every
 * tether struct; only tether's own code looks inside.
 *
 * A block's size is given by the header that declares it, from the
 * configuration, and is checked at compile time by the code that uses it
 * (a build whose real state does not fit fails to compile, naming the
 * size macro to raise). Alignment: the strictest of the scalar types.
 */
#ifndef TT_OPAQUE_H
#define TT_OPAQUE_H

typedef union tt_opaque_align {
    long long ll;
    long double ld;
    void *p;
    void (*fn)(void);
} tt_opaque_align;

/* n rounded up to a multiple of 8 (sizes derived from other sizes) */
#define TT_OPAQUE_ROUND(n) ((((n) + 7) / 8) * 8)

/* The member that holds a block of n bytes: TT_OPAQUE_BLOCK(n) opaque; */
#define TT_OPAQUE_BLOCK(n) union { unsigned char bytes[n]; tt_opaque_align align; }

/* For the code that owns a block: fails to compile (a negative array size
 * named after the check) when type t is larger than n bytes or needs a
 * stricter alignment than the block's. Needs <stddef.h>. */
#define TT_OPAQUE_CHECK(name, t, n)                                               \
    typedef char name##_fits_its_block[(sizeof(t) <= (n)) ? 1 : -1];              \
    typedef char name##_aligned_as_its_block[                                     \
        (offsetof(struct { char c; t x; }, x) <=                                  \
         offsetof(struct { char c; tt_opaque_align x; }, x)) ? 1 : -1]

#endif /* TT_OPAQUE_H */
