#define _GNU_SOURCE
#include "CPeerCredentials.h"

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

_Static_assert(sizeof(struct ucred) == sizeof(sync_peer_credentials), "struct ucred layout changed");
_Static_assert(offsetof(struct ucred, uid) == offsetof(sync_peer_credentials, uid), "struct ucred layout changed");

int sync_peer_credentials_level(void) {
    return SOL_SOCKET;
}

int sync_peer_credentials_option(void) {
    return SO_PEERCRED;
}

int sync_peer_credentials_of(int fd, sync_peer_credentials *out) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    out->pid = credentials.pid;
    out->uid = credentials.uid;
    out->gid = credentials.gid;
    return 0;
}
