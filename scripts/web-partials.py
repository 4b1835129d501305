#!/usr/bin/python3
# web-partials.py — keeps the public site's common <head> lines, header and footer in one place.
# Every page of web/public carries three server-side includes (nginx SSI) instead of its own copy:
#   <head><!--# include virtual="/partials/head.html" -->  (charset, viewport, icon, base and site
#   stylesheets, main.js; the page adds its title, description and own files after it)
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
HEAD_INCLUDE = '  <!--# include virtual="/partials/head.html" -->\n'
# The lines of partials/head.html, as a page written without it holds them.
HEAD_LINES = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">',
    '<link rel="stylesheet" href="/assets/css/base.css">',
    '<link rel="stylesheet" href="/assets/css/site.css">',
    '<script type="module" src="/assets/js/main.js"></script>',
]


def own_head(text):
    """True when the page holds one of the head partial's lines itself."""
    head = text.split("</head>", 1)[0]
    return any(line.strip() in HEAD_LINES for line in head.splitlines())


def convert_head(text):
    head, rest = text.split("</head>", 1)
    kept = [line for line in head.splitlines(keepends=True) if line.strip() not in HEAD_LINES]
    head = "".join(kept)
    if HEAD_INCLUDE not in head:
        head = head.replace("<head>\n", "<head>\n" + HEAD_INCLUDE, 1)
    return head + "</head>" + rest


def page_id(href):
    if href in ("/", "/index.html"):
        return "accueil"
    return re.sub(r"[^a-z0-9-]", "", href.rsplit("/", 1)[-1].removesuffix(".html")) or "none"


def convert(path):
    text = path.read_text(encoding="utf-8")
    changed = False
    if own_head(text) or HEAD_INCLUDE not in text:
        text = convert_head(text)
        changed = True
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
    # Check: every page uses the three includes, none keeps a copy.
    bad = []
    for p in sorted(PUBLIC.glob("*.html")):
        text = p.read_text(encoding="utf-8")
        if HEADER.search(text) or FOOTER.search(text) or own_head(text) or HEAD_INCLUDE not in text:
            bad.append(p.name)
    if bad:
        print("pages with their own <head> lines, header or footer copy:", ", ".join(bad), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
