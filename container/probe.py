#!/opt/kipina/bin/python
"""The image's health probe: exit 0 when http://127.0.0.1:$PORT/readyz answers 200, else 1.

    kipina-probe [PATH]      (default /readyz; e.g. kipina-probe /livez)
Only `serve` listens; `clock` and `worker` have no HTTP port (compose.yaml turns the probe off for them).
"""
import os
import sys
import urllib.error
import urllib.request

path = sys.argv[1] if len(sys.argv) > 1 else "/readyz"
url = f"http://127.0.0.1:{os.environ.get('PORT') or '3000'}/{path.lstrip('/')}"
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        status = response.status
except urllib.error.HTTPError as error:
    status = error.code
except OSError as error:
    print(f"{url}: {error}", file=sys.stderr)
    sys.exit(1)
if status != 200:
    print(f"{url}: {status}", file=sys.stderr)
sys.exit(0 if status == 200 else 1)
