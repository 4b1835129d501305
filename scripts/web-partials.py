#!/usr/bin/python3
# web-partials.py — keeps the public site's header and footer in one place.
# Every page of web/public carries two server-side includes (nginx SSI) instead of its own copy:
#   <!--# include virtual="/partials/header.html?page=<id>" -->  …  <!--# include virtual="/partials/footer.html" -->
# Run with --convert to turn pages that still hold a full copy (new pages written from an older
# one) into includes; the page id (which nav entry gets aria-current) comes from that copy.
import re
import sys
from pathlib import Path

PUBLIC = Path(__file__).resolve().parent.parent / "web" / "public"
HEADER = re.compile(r'[ \t]*<a class="skip-link".*?</header>\n', re.S)
FOOTER = re.compile(r'[ \t]*<footer class="site-footer">.*?</footer>\n', re.S)
CURRENT = re.compile(r'<a href="([^"]*)" aria-current="page">')


def page_id(href):
    if href in ("/", "/index.html"):
        return "accueil"
    return re.sub(r"[^a-z0-9-]", "", href.rsplit("/", 1)[-1].removesuffix(".html")) or "none"


def convert(path):
    text = path.read_text(encoding="utf-8")
    changed = False
    m = HEADER.search(text)
    if m:
        cur = CURRENT.search(m.group(0))
        pid = page_id(cur.group(1)) if cur else "none"
        text = text[: m.start()] + f'  <!--# include virtual="/partials/header.html?page={pid}" -->\n' + text[m.end():]
        changed = True
    m = FOOTER.search(text)
    if m:
        text = text[: m.start()] + '  <!--# include virtual="/partials/footer.html" -->\n' + text[m.end():]
        changed = True
    if changed:
        path.write_text(text, encoding="utf-8")
    return changed


def main():
    if "--convert" in sys.argv:
        for page in sorted(PUBLIC.glob("*.html")):
            if convert(page):
                print("converted", page.name)
    # Check: every page uses both includes, none keeps a copy.
    bad = [p.name for p in sorted(PUBLIC.glob("*.html"))
           if HEADER.search(p.read_text(encoding="utf-8")) or FOOTER.search(p.read_text(encoding="utf-8"))]
    if bad:
        print("pages with their own header/footer copy:", ", ".join(bad), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
