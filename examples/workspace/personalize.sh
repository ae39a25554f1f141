#!/bin/sh
# Applies personal settings on top of the dotfiles. Written with coder's three verbs, which syncctl keeps as they are:
# declare, wait, work, report. (A script that can fail should report it: see deps-install.sh.)
set -e
syncctl want personalize dotfiles     # personalize needs dotfiles completed
syncctl start personalize             # blocks until it is, then marks personalize started
echo "Applying theme and key bindings"
sleep 0.8
syncctl complete personalize          # whoever waits for personalize may go now
