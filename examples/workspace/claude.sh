#!/bin/sh
# Starts an AI coding agent. It needs the source and the personalized settings; it starts the moment the last of them
# completes - the agent wakes it, nothing polls.
exec syncctl run claude --after git-clone --after personalize -- sh -c '
    echo "claude: reading the repository"
    sleep 4
    echo "claude: ready"
'
