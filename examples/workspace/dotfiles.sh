#!/bin/sh
# Installs the user's dotfiles. Independent of the clone, so it runs at once, in parallel with it.
exec syncctl run dotfiles -- sh -c '
    echo "Linking ~/.gitconfig ~/.zshrc ~/.config/nvim"
    sleep 1.2
'
