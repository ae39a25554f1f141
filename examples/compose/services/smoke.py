#!/usr/bin/env python3
"""A smoke test: GET each URL given; exits 1 naming the first that does not answer 200."""
import sys
import urllib.request

for url in sys.argv[1:]:
    try:
        status = urllib.request.urlopen(url, timeout=10).status
    except OSError as error:
        sys.exit(f"smoke: {url}: {error}")
    if status != 200:
        sys.exit(f"smoke: {url} answered {status}")
    print(f"smoke: {url} answered {status}")
