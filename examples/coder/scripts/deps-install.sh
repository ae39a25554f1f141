#!/usr/bin/env bash
# coder_script "Install dependencies": needs the clone. As in coder's own quick start, the script marks its unit
# complete the moment the dependencies are in and then goes on (a build): what needs only the dependencies starts
# meanwhile.
set -u
repo_dir=${REPO_DIR:-$HOME/project}

syncctl want deps-install git-clone       # deps-install needs git-clone completed
syncctl start deps-install || exit        # blocks until it is; exits 122 at once, saying why, if the clone failed
cd "$repo_dir" || {
    syncctl fail deps-install --reason "no folder $repo_dir"
    exit 1
}

install() {                               # the usual installers; put your project's own here
    if [ -x script/bootstrap ]; then
        script/bootstrap                  # the "scripts to rule them all" convention
    elif [ -f package-lock.json ]; then
        npm ci
    elif [ -f requirements.txt ]; then
        python3 -m pip install --user -r requirements.txt
    else
        echo "deps-install: no script/bootstrap, package-lock.json or requirements.txt; nothing to install"
    fi
}
if install; then
    syncctl complete deps-install         # the dev server may start now
else
    status=$?
    syncctl fail deps-install --reason "dependency install exited $status"
    exit "$status"
fi

if [ -x script/build ]; then              # runs while the dev server starts
    script/build
fi
