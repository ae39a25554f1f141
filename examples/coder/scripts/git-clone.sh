#!/usr/bin/env bash
# coder_script "Clone the repository": clones $REPO_URL into $REPO_DIR, with coder's verbs: start, the work, then
# complete - or fail, so that every script waiting for the clone stops waiting at once, told why.
set -u
repo_url=${REPO_URL:?REPO_URL is not set (main.tf sets it with coder_env)}
repo_dir=${REPO_DIR:-$HOME/project}

syncctl start git-clone || exit
if [ -d "$repo_dir/.git" ]; then
    echo "git-clone: $repo_dir is a clone already; keeping it"       # a restarted workspace keeps its home
elif git clone "$repo_url" "$repo_dir"; then
    echo "git-clone: cloned $repo_url into $repo_dir"
else
    status=$?
    syncctl fail git-clone --reason "git clone exited $status"
    exit "$status"
fi
syncctl complete git-clone
