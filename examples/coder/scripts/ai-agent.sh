#!/usr/bin/env bash
# coder_script "AI agent": starts an AI coding agent on the repository once it is cloned (coder's documentation
# example) and the app it works on answers, so that the agent can run it. want, start, the work, then complete or
# fail. An agent that keeps running (in tmux, say) would complete its unit once launched instead.
set -u
repo_dir=${REPO_DIR:-$HOME/project}
url="http://127.0.0.1:${DEV_SERVER_PORT:-3000}/"

syncctl want ai-agent git-clone dev-server
syncctl start ai-agent || exit            # 122, with the cause, if the clone or the dev server failed
cd "$repo_dir" || {
    syncctl fail ai-agent --reason "no folder $repo_dir"
    exit 1
}

task="Read the README, try the app at $url and list what looks broken."
if command -v claude >/dev/null 2>&1; then
    claude --print "$task"                # put your own agent here
else
    # A stand-in where no agent is installed: it looks at the app, as the agent's first step would.
    echo "ai-agent: claude is not installed; a stand-in looks at $url"
    python3 - "$url" <<'PY'
import sys, urllib.request
print("ai-agent:", sys.argv[1], "answered", urllib.request.urlopen(sys.argv[1]).status)
PY
fi
status=$?
if [ "$status" -eq 0 ]; then
    syncctl complete ai-agent
else
    syncctl fail ai-agent --reason "agent exited $status"
    exit "$status"
fi
