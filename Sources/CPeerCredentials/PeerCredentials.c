#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "CPeerCredentials.h"

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(__linux__)
_Static_assert(sizeof(struct ucred) == sizeof(sync_peer_credentials), "struct ucred layout changed");
_Static_assert(offsetof(struct ucred, uid) == offsetof(sync_peer_credentials, uid), "struct ucred layout changed");
#endif

int sync_peer_credentials_level(void) {
#if defined(__linux__)
    return SOL_SOCKET;
#else
    return -1;
#endif
}

int sync_peer_credentials_option(void) {
#if defined(__linux__)
    return SO_PEERCRED;
#else
    return -1;
#endif
}

int sync_peer_credentials_of(int fd, sync_peer_credentials *out) {
#if defined(__linux__)
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    out->pid = credentials.pid;
    out->uid = credentials.uid;
    out->gid = credentials.gid;
    return 0;
#elif defined(__APPLE__)
    uid_t uid;
    gid_t gid;
    if (getpeereid(fd, &uid, &gid) != 0) return -1;
    out->pid = 0;
    out->uid = uid;
    out->gid = gid;
    return 0;
#else
    (void)fd;
    (void)out;
    errno = ENOTSUP;
    return -1;
#endif
}
