#!/bin/sh
# Fail when any object given references an allocator: the core and the port
# layer must never allocate. libc's resolvers count as allocators (they
# allocate inside, and have no deadline): port/posix resolves names itself.
status=0
for o in "$@"; do
    bad=$(nm -u "$o" | awk '{print $NF}' | grep -E '^(malloc|calloc|realloc|free|strdup|strndup|aligned_alloc|posix_memalign|valloc|memalign|reallocarray|getaddrinfo|freeaddrinfo|gethostbyname|gethostbyname2|gethostbyname_r|res_query|res_search)$' || true)
    if [ -n "$bad" ]; then
        echo "check-alloc: $o references: $(echo $bad)"
        status=1
    fi
done
[ $status = 0 ] && echo "check-alloc: $# objects, no allocator referenced"
exit $status
