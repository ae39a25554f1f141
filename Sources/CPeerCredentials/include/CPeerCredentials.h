#ifndef C_PEER_CREDENTIALS_H
#define C_PEER_CREDENTIALS_H

#include <stdint.h>

/// The credentials of the process at the other end of a Unix stream socket, as the kernel recorded them when it
/// connected. Same layout as Linux's `struct ucred`, which Swift's Glibc module does not import (it sits behind
/// `_GNU_SOURCE`).
typedef struct {
    int32_t pid;
    uint32_t uid;
    uint32_t gid;
} sync_peer_credentials;

/// The `getsockopt` level and name that read a `sync_peer_credentials` (`SOL_SOCKET`, `SO_PEERCRED`), or -1 on a
/// platform without `SO_PEERCRED`.
int sync_peer_credentials_level(void);
int sync_peer_credentials_option(void);

/// Reads the peer credentials of the connected Unix socket `fd` into `out`.
/// Returns 0, or -1 with `errno` set (`ENOTSUP` where the platform has no way to ask).
int sync_peer_credentials_of(int fd, sync_peer_credentials *out);

#endif
