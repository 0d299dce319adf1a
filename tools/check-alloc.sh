#!/bin/sh
# Fail when any object given references an allocator: the core and the port
# layer must never allocate (the platform resolver that port/posix calls may
# allocate inside libc, which this check does not see and does not forbid).
status=0
for o in "$@"; do
    bad=$(nm -u "$o" | awk '{print $NF}' | grep -E '^(malloc|calloc|realloc|free|strdup|strndup|aligned_alloc|posix_memalign|valloc|memalign|reallocarray)$' || true)
    if [ -n "$bad" ]; then
        echo "check-alloc: $o references: $(echo $bad)"
        status=1
    fi
done
[ $status = 0 ] && echo "check-alloc: $# objects, no allocator referenced"
exit $status
