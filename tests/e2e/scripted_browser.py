# SPDX-License-Identifier: MIT
# A scripted browser for `--browser` (write_browser in lib.bash): follows the authorize URL
# (the last argument), signs in as demo/demo, allows consent if asked, and delivers the
# redirect to oauthctl's listener. Exits 1 when stuck on a page it does not know, or 0 with
# --stuck-ok (a fault's error page: the user is stuck, as a person would be).
import re, sys, urllib.error, urllib.parse, urllib.request, http.cookiejar
class Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), Stop)
def go(url, data=None):
    body = urllib.parse.urlencode(data).encode() if data else None
    try:
        r = opener.open(urllib.request.Request(url, data=body))
        return r.headers.get("Location"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.headers.get("Location"), e.read().decode()
STUCK_OK = "--stuck-ok" in sys.argv[1:-1]
url, data = sys.argv[-1], None
for _ in range(10):
    location, page = go(url, data)
    data = None
    if location:
        url = urllib.parse.urljoin(url, location)
        if "/callback" in url:
            go(url)
            sys.exit(0)
        continue
    fields = dict(re.findall(r'name="(request|csrf_token)" value="([^"]*)"', page))
    if 'name="password"' in page:
        url, data = urllib.parse.urljoin(url, "/auth/login"), {**fields, "username": "demo", "password": "demo"}
    elif 'name="decision"' in page:
        url, data = urllib.parse.urljoin(url, "/auth/grant"), {**fields, "decision": "allow"}
    elif STUCK_OK:
        sys.exit(0)  # an error page: the user is stuck, as a person would be
    else:
        sys.exit("browser.py: stuck at " + url)
sys.exit("browser.py: too many steps")
